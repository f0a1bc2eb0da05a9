//! Browser sessions: an opaque 256-bit id in a cookie, only its SHA-256 stored, idle and
//! absolute timeouts enforced here with the injected clock (OWASP Session Management).

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue};
use signet_core::session::{Expiry, SessionTimeouts};
use signet_core::{OffsetDateTime, PlainToken, TokenHash};
use signet_store::{NewSession, Session, User};

use crate::error::{ApiError, PageError};
use crate::http::{cookie, set_cookie, ClientInfo};
use crate::state::AppState;

/// A valid session and its user.
#[derive(Debug, Clone)]
pub struct AuthSession {
    pub session: Session,
    pub user: User,
    /// Hash of the cookie value; CSRF tokens are bound to it.
    pub token_hash: TokenHash,
}

fn timeouts(state: &AppState) -> SessionTimeouts {
    SessionTimeouts { idle: state.config.session.idle_timeout, absolute: state.config.session.absolute_timeout }
}

/// Looks up the session named by the request's cookie. Expired sessions are deleted and read as
/// none; so are sessions of disabled users.
pub async fn load(state: &AppState, headers: &HeaderMap) -> Result<Option<AuthSession>, signet_store::StoreError> {
    let Some(value) = cookie(headers, state.cookies.session) else {
        return Ok(None);
    };
    // 256 bits in base64url is 43 characters; anything else cannot be ours, so skip the lookup.
    if value.len() != 43 {
        return Ok(None);
    }
    let token_hash = PlainToken::from_client(value).hash();
    let Some(session) = state.store.session_by_token(&token_hash).await? else {
        return Ok(None);
    };
    let now = state.now();
    let t = timeouts(state);
    if t.check(session.created_at, session.last_seen_at, now) != Expiry::Valid {
        state.store.delete_session(session.id).await?;
        return Ok(None);
    }
    let Some(user) = state.store.user_by_id(session.user_id).await? else {
        return Ok(None);
    };
    if user.disabled {
        state.store.delete_user_sessions(user.id, None).await?;
        return Ok(None);
    }
    if now - session.last_seen_at >= t.touch_interval() {
        state.store.touch_session(session.id, now).await?;
    }
    Ok(Some(AuthSession { session, user, token_hash }))
}

/// Starts a new session for `user_id` and returns the `Set-Cookie` header for it. The id is
/// always fresh (session fixation, OWASP): callers delete any previous session first.
pub async fn start(
    state: &AppState,
    user_id: i64,
    client: &ClientInfo,
    auth_time: OffsetDateTime,
    amr: &signet_core::mfa::Amr,
) -> Result<(Session, HeaderValue), signet_store::StoreError> {
    let token = PlainToken::generate("");
    let session = state
        .store
        .create_session(NewSession {
            token_hash: &token.hash(),
            user_id,
            now: state.now(),
            auth_time,
            user_agent: &client.user_agent,
            ip: &client.ip,
            amr: &amr.to_stored(),
        })
        .await?;
    let max_age = state.config.session.absolute_timeout.whole_seconds();
    Ok((session, set_cookie(state.cookies.session, token.expose(), max_age, state.cookies.secure)))
}

pub fn clear_cookie(state: &AppState) -> HeaderValue {
    set_cookie(state.cookies.session, "", 0, state.cookies.secure)
}

/// Sensitive actions need a recent sign-in (issue 8; NIST SP 800-63B §4.2.3 re-authentication).
/// Otherwise the user signs in again and comes back to `back` (a page, not the POST).
pub fn require_recent_auth(state: &AppState, auth: &AuthSession, back: &str) -> Result<(), PageError> {
    if state.now() - auth.session.auth_time > state.config.session.reauth_window {
        return Err(PageError::ReauthRequired(back.to_owned()));
    }
    Ok(())
}

/// Optional session, for pages that work with or without one.
pub struct MaybeSession(pub Option<AuthSession>);

impl FromRequestParts<AppState> for MaybeSession {
    type Rejection = PageError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        Ok(Self(load(state, &parts.headers).await?))
    }
}

/// Required session for pages: without one, redirect to login and come back afterwards.
pub struct RequireSession(pub AuthSession);

impl FromRequestParts<AppState> for RequireSession {
    type Rejection = PageError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        match load(state, &parts.headers).await? {
            Some(s) => Ok(Self(s)),
            None => {
                // Come back to the page itself after login (only GETs make sense to return to).
                let back = if parts.method == axum::http::Method::GET {
                    parts.uri.path_and_query().map(|p| p.as_str().to_owned()).unwrap_or_else(|| "/account".into())
                } else {
                    "/account".into()
                };
                Err(PageError::LoginRequired(back))
            }
        }
    }
}

/// Required session for the JSON API: 401 with `WWW-Authenticate` without one.
pub struct ApiSession(pub AuthSession);

impl FromRequestParts<AppState> for ApiSession {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        load(state, &parts.headers).await?.map(Self).ok_or_else(ApiError::unauthenticated)
    }
}
