//! CSRF tokens for every state-changing form, in addition to SameSite=Lax cookies (OWASP CSRF
//! Prevention: synchronizer token). A token is an HMAC, under the server's cookie key, of
//! either the session id hash (signed-in forms) or a random pre-session cookie (login and
//! signup), so it is bound to this browser and cannot be forged or reused by another.

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::{HeaderMap, HeaderValue};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use signet_core::secret::ct_eq;
use signet_core::{PlainToken, TokenHash};

use crate::error::PageError;
use crate::forms::{form_error_page, parse_form, read_form_bytes};
use crate::http::{cookie, set_cookie};
use crate::session::{AuthSession, MaybeSession, RequireSession};
use crate::state::AppState;

pub(crate) fn mac(state: &AppState, domain: &str, value: &str) -> String {
    // HMAC accepts keys of any length; the cookie key is 32 random bytes.
    let mut m = match Hmac::<Sha256>::new_from_slice(&state.secrets.cookie_key) {
        Ok(m) => m,
        Err(_) => return String::new(),
    };
    m.update(domain.as_bytes());
    m.update(b"\0");
    m.update(value.as_bytes());
    URL_SAFE_NO_PAD.encode(m.finalize().into_bytes())
}

/// The token for forms shown to a signed-in user.
pub fn session_token(state: &AppState, session_hash: &TokenHash) -> String {
    mac(state, "session", session_hash.as_str())
}

/// Checks a signed-in form's token.
pub fn check_session(state: &AppState, session_hash: &TokenHash, given: &str) -> Result<(), PageError> {
    check(&session_token(state, session_hash), given)
}

/// For login/signup pages: the token for the browser's pre-session cookie, creating the cookie
/// if it has none. Returns the token and, when new, the `Set-Cookie` to send.
pub fn presession_token(state: &AppState, headers: &HeaderMap) -> (String, Option<HeaderValue>) {
    match cookie(headers, state.cookies.csrf).filter(|v| v.len() == 43) {
        Some(v) => (mac(state, "pre", v), None),
        None => {
            let v = PlainToken::generate("");
            // Lives as long as a login page may stay open; renewed on each visit.
            let c = set_cookie(state.cookies.csrf, v.expose(), 60 * 60 * 12, state.cookies.secure);
            (mac(state, "pre", v.expose()), Some(c))
        }
    }
}

/// Checks a login/signup form's token against the pre-session cookie.
pub fn check_presession(state: &AppState, headers: &HeaderMap, given: &str) -> Result<(), PageError> {
    let Some(v) = cookie(headers, state.cookies.csrf) else {
        return Err(forbidden());
    };
    check(&mac(state, "pre", v), given)
}

fn check(expected: &str, given: &str) -> Result<(), PageError> {
    if !given.is_empty() && ct_eq(expected.as_bytes(), given.as_bytes()) {
        Ok(())
    } else {
        Err(forbidden())
    }
}

fn forbidden() -> PageError {
    PageError::Forbidden(crate::pages::tr("error-csrf"))
}

/// The token field every protected form carries.
#[derive(serde::Deserialize)]
struct Token {
    #[serde(default)]
    csrf: String,
}

/// Reads a form body and its `csrf` field.
async fn read_with_token(
    req: Request,
    state: &AppState,
) -> Result<(axum::http::request::Parts, axum::body::Bytes, String), PageError> {
    let (parts, bytes) = read_form_bytes(req, state).await.map_err(form_error_page)?;
    let token: Token = parse_form(&parts, bytes.clone(), state).await.map_err(form_error_page)?;
    Ok((parts, bytes, token.csrf))
}

/// A form with no fields besides its token (a button).
#[derive(serde::Deserialize)]
pub struct Nothing {}

/// A signed-in user's form: the session (without one, a redirect to sign in), the body, and the
/// body's CSRF token checked against the session before the handler runs. Every state-changing
/// page handler for a signed-in user takes this, so none can forget the check (ARCHITECTURE.md).
pub struct SessionForm<T> {
    pub session: AuthSession,
    pub form: T,
}

impl<T: serde::de::DeserializeOwned> FromRequest<AppState> for SessionForm<T> {
    type Rejection = PageError;
    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        let RequireSession(session) = RequireSession::from_request_parts(&mut parts, state).await?;
        let (parts, bytes, token) = read_with_token(Request::from_parts(parts, body), state).await?;
        check_session(state, &session.token_hash, &token)?;
        let form = parse_form(&parts, bytes, state).await.map_err(form_error_page)?;
        Ok(Self { session, form })
    }
}

/// A form that works with or without a session (sign-out answers): when signed in, the token
/// must match the session, as in [`SessionForm`].
pub struct MaybeSessionForm<T> {
    pub session: Option<AuthSession>,
    pub form: T,
}

impl<T: serde::de::DeserializeOwned> FromRequest<AppState> for MaybeSessionForm<T> {
    type Rejection = PageError;
    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        let MaybeSession(session) = MaybeSession::from_request_parts(&mut parts, state).await?;
        let (parts, bytes, token) = read_with_token(Request::from_parts(parts, body), state).await?;
        if let Some(s) = &session {
            check_session(state, &s.token_hash, &token)?;
        }
        let form = parse_form(&parts, bytes, state).await.map_err(form_error_page)?;
        Ok(Self { session, form })
    }
}

/// A sign-in form shown before any session exists (login, sign-up, second factor): the body's
/// token must match the browser's pre-session cookie.
pub struct PresessionForm<T>(pub T);

impl<T: serde::de::DeserializeOwned> FromRequest<AppState> for PresessionForm<T> {
    type Rejection = PageError;
    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (parts, bytes, token) = read_with_token(req, state).await?;
        check_presession(state, &parts.headers, &token)?;
        Ok(Self(parse_form(&parts, bytes, state).await.map_err(form_error_page)?))
    }
}
