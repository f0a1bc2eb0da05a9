//! `GET|POST /oauth2/logout`: OpenID Connect RP-Initiated Logout 1.0.
//!
//! `post_logout_redirect_uri` must be registered for the client *exactly* (§3); the client is
//! named by `client_id` or by the audience of `id_token_hint`. With a valid hint for the
//! current user the session ends at once; otherwise the user confirms on a page first, so a
//! third-party link cannot sign anyone out silently (logout CSRF).

use axum::extract::{FromRequest, Request, State};
use axum::http::Method;
use axum::response::{IntoResponse, Redirect, Response};
use jsonwebtoken::Validation;
use serde::Deserialize;
use signet_core::audit::AuditKind;

use crate::audit;
use crate::csrf;
use crate::csrf::MaybeSessionForm;
use crate::error::PageError;
use crate::http::with_cookies;
use crate::http::ClientInfo;
use crate::pages::{tr, tr_args};
use crate::session::{self, AuthSession, MaybeSession};
use crate::state::AppState;

/// Claims we read from an `id_token_hint`.
#[derive(Debug, Deserialize)]
struct HintClaims {
    iss: String,
    sub: String,
    aud: String,
}

/// Verifies a hint: our signature, `typ: JWT`, our issuer. Expiry is not checked: §2 says an
/// expired ID token is still a good hint.
fn verify_hint(state: &AppState, token: &str) -> Option<HintClaims> {
    let header = jsonwebtoken::decode_header(token).ok()?;
    if header.typ.as_deref() != Some("JWT") || header.jku.is_some() || header.jwk.is_some() || header.x5u.is_some() {
        return None;
    }
    let keys = state.keys.snapshot();
    let key = keys.verify_key(&header.kid?)?;
    let mut v = Validation::new(key.alg);
    v.validate_exp = false;
    v.validate_aud = false;
    v.required_spec_claims.clear();
    let c = jsonwebtoken::decode::<HintClaims>(token, &key.key, &v).ok()?.claims;
    (c.iss == state.config.issuer_base()).then_some(c)
}

struct Checked {
    redirect: Option<String>,
    state: Option<String>,
    /// The hint's `sub`, and the client it was issued to (its `aud`), if that still exists.
    hint_sub: Option<(String, Option<signet_store::Client>)>,
    /// The name of the application that asks, when the request says which one.
    client_name: Option<String>,
}

async fn check(state: &AppState, p: &std::collections::HashMap<String, String>) -> Result<Checked, PageError> {
    let get = |k: &str| p.get(k).map(String::as_str).filter(|v| !v.is_empty());
    let hint = match get("id_token_hint") {
        Some(t) => Some(verify_hint(state, t).ok_or_else(|| PageError::BadRequest(tr("error-bad-id-token-hint")))?),
        None => None,
    };
    let client_id = match (get("client_id"), &hint) {
        (Some(c), Some(h)) if c != h.aud => {
            return Err(PageError::BadRequest(tr("error-hint-client-mismatch")));
        }
        (Some(c), _) => Some(c.to_owned()),
        (None, Some(h)) => Some(h.aud.clone()),
        (None, None) => None,
    };
    let client = match &client_id {
        Some(id) => state.store.client(id).await?,
        None => None,
    };
    let redirect = match get("post_logout_redirect_uri") {
        None => None,
        Some(uri) => {
            let Some(client) = &client else {
                return Err(PageError::BadRequest(tr("error-logout-needs-client")));
            };
            if !client.post_logout_redirect_uris.iter().any(|r| r == uri) {
                return Err(PageError::BadRequest(tr("error-post-logout-mismatch")));
            }
            Some(uri.to_owned())
        }
    };
    // The subject the hint's client knows the user by (pairwise clients see their own).
    let hint_client = match &hint {
        Some(h) => state.store.client(&h.aud).await?,
        None => None,
    };
    let hint_sub = hint.map(|h| (h.sub, hint_client));
    let client_name = client.map(|c| c.name);
    Ok(Checked { redirect, state: get("state").map(str::to_owned), hint_sub, client_name })
}

async fn finish(
    state: &AppState,
    current: Option<AuthSession>,
    client: &ClientInfo,
    c: Checked,
) -> Result<Response, PageError> {
    if let Some(auth) = current {
        state.store.delete_session(auth.session.id).await?;
        let who = audit::user(&auth.user);
        audit::record(state, AuditKind::Logout, who, client, "rp_initiated").await;
    }
    let clear = session::clear_cookie(state);
    let res = match c.redirect {
        Some(uri) => {
            let mut url = url::Url::parse(&uri).map_err(|_| PageError::BadRequest(tr("error-post-logout-mismatch")))?;
            if let Some(st) = &c.state {
                url.query_pairs_mut().append_pair("state", st);
            }
            Redirect::to(url.as_str()).into_response()
        }
        None => {
            let product = state.pages.brand().name.clone();
            let msg = tr_args("logout-done", &[("product", product.into())]);
            (axum::http::StatusCode::OK, crate::pages::message_page(&tr("logout-done-title"), &msg)).into_response()
        }
    };
    Ok(with_cookies(res, [clear]))
}

pub async fn end_session(
    State(state): State<AppState>,
    MaybeSession(current): MaybeSession,
    client: ClientInfo,
    req: Request,
) -> Result<Response, PageError> {
    let raw = if req.method() == Method::POST {
        axum::body::Bytes::from_request(req, &state).await.map_err(|_| PageError::PayloadTooLarge)?.to_vec()
    } else {
        req.uri().query().unwrap_or("").as_bytes().to_vec()
    };
    let params: std::collections::HashMap<String, String> = url::form_urlencoded::parse(&raw).into_owned().collect();
    let checked = check(&state, &params).await?;
    let hint_matches = match (&checked.hint_sub, &current) {
        (Some((sub, client)), Some(s)) => match client {
            Some(c) => *sub == crate::tokens::subject_for(&state, c, &s.user.subject),
            None => *sub == s.user.subject,
        },
        (Some(_), None) => true,
        (None, None) => true,
        (None, Some(_)) => false,
    };
    if hint_matches {
        return finish(&state, current, &client, checked).await;
    }
    // Ask first. The confirmation form carries the already-validated parameters.
    let auth = current.as_ref().ok_or_else(|| PageError::BadRequest(tr("error-bad-id-token-hint")))?;
    let html = state.pages.render(
        "logout.html",
        minijinja::context! {
            title => tr("logout-title"),
            client_name => checked.client_name,
            signed_in => true,
            csrf => csrf::session_token(&state, &auth.token_hash),
            email => auth.user.email,
            client_id => params.get("client_id"),
            id_token_hint => params.get("id_token_hint"),
            post_logout_redirect_uri => checked.redirect,
            state_param => checked.state,
        },
    )?;
    let mut res = html.into_response();
    if let Some(uri) = &checked.redirect {
        res = crate::flows::respond::with_form_action(res, uri);
    }
    Ok(res)
}

#[derive(Deserialize)]
pub struct ConfirmForm {
    client_id: Option<String>,
    id_token_hint: Option<String>,
    post_logout_redirect_uri: Option<String>,
    state: Option<String>,
}

/// `POST /oauth2/logout/confirm`.
pub async fn confirm(
    State(state): State<AppState>,
    client: ClientInfo,
    MaybeSessionForm { session: current, form }: MaybeSessionForm<ConfirmForm>,
) -> Result<Response, PageError> {
    let mut params = std::collections::HashMap::new();
    for (k, v) in [
        ("client_id", form.client_id),
        ("id_token_hint", form.id_token_hint),
        ("post_logout_redirect_uri", form.post_logout_redirect_uri),
        ("state", form.state),
    ] {
        if let Some(v) = v {
            params.insert(k.to_owned(), v);
        }
    }
    // Validated again: the form is input like any other.
    let checked = check(&state, &params).await?;
    finish(&state, current, &client, checked).await
}
