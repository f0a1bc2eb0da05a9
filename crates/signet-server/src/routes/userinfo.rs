//! `GET|POST /oauth2/userinfo` (OIDC Core §5.3). The access token comes in the
//! `Authorization: Bearer` header or, for POST, the form body (RFC 6750 §2.2) — never the
//! query string (§2.3 leaks tokens into logs and Referer headers). Errors per RFC 6750 §3.

use axum::extract::{FromRequest, Request, State};
use axum::http::{header, HeaderValue, Method};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;
use signet_core::Scope;

use crate::oauth::BearerError;
use crate::state::AppState;
use crate::tokens::access;

async fn token_from(req: Request, state: &AppState) -> Result<String, BearerError> {
    let in_query =
        req.uri().query().is_some_and(|q| url::form_urlencoded::parse(q.as_bytes()).any(|(k, _)| k == "access_token"));
    if in_query {
        return Err(BearerError::InvalidRequest("access tokens in the query string are not accepted"));
    }
    let header_token = match req.headers().get(header::AUTHORIZATION) {
        Some(v) => {
            let v = v.to_str().map_err(|_| BearerError::InvalidRequest("malformed Authorization header"))?;
            match v.split_once(' ') {
                Some((scheme, t)) if scheme.eq_ignore_ascii_case("bearer") => Some(t.trim().to_owned()),
                _ => return Err(BearerError::InvalidRequest("use the Bearer scheme")),
            }
        }
        None => None,
    };
    let form_token = if req.method() == Method::POST
        && req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|c| c.starts_with("application/x-www-form-urlencoded"))
    {
        let body = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|_| BearerError::InvalidRequest("unreadable body"))?;
        url::form_urlencoded::parse(&body).find(|(k, _)| k == "access_token").map(|(_, v)| v.into_owned())
    } else {
        None
    };
    match (header_token, form_token) {
        // RFC 6750 §2: a client MUST NOT use more than one method.
        (Some(_), Some(_)) => Err(BearerError::InvalidRequest("send the token in one place only")),
        (Some(t), None) | (None, Some(t)) => Ok(t),
        (None, None) => Err(BearerError::Missing),
    }
}

pub async fn userinfo(State(state): State<AppState>, req: Request) -> Result<Response, BearerError> {
    let token = token_from(req, &state).await?;
    let now = state.now();
    let claims = access::verify(&state.keys.snapshot(), &token, state.config.issuer_base(), now)
        .map_err(|_| BearerError::InvalidToken("the access token is invalid or expired"))?;
    if state.ephemeral.has_flag(&access::denylist_key(&claims.jti), now).await.map_err(|_| BearerError::Unavailable)? {
        return Err(BearerError::InvalidToken("the access token was revoked"));
    }
    let scope = Scope::parse(&claims.scope).unwrap_or_default();
    if !scope.contains("openid") {
        return Err(BearerError::InsufficientScope("openid"));
    }
    // A deleted client's tokens die with it.
    let Some(client) =
        state.clients.get(state.store.as_ref(), &claims.client_id).await.map_err(|_| BearerError::Unavailable)?
    else {
        return Err(BearerError::InvalidToken("the access token is no longer valid"));
    };
    let user = if claims.sub == claims.client_id {
        None
    } else {
        state.store.user_by_subject(&claims.sub).await.map_err(|_| BearerError::Unavailable)?
    };
    let user = match user {
        Some(u) if !u.disabled && u.revoked_before.is_none_or(|t| t.unix_timestamp() < claims.iat) => u,
        _ => return Err(BearerError::InvalidToken("the access token is no longer valid")),
    };
    // OIDC Core §5.3.2: the same `sub` as in the client's ID token (pairwise or public).
    let mut body = crate::tokens::id_token::scope_claims(&user, &scope);
    body.insert("sub".into(), json!(crate::tokens::subject_for(&state, &client, &user.subject)));
    let mut r = Json(body).into_response();
    r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(r)
}
