//! `POST /oauth2/introspect` (RFC 7662). Requires client authentication. Inactive for
//! unknown, expired, revoked, denylisted, revoked-key and revoked-user tokens — and the
//! answer never says which. Hot path: signature check and denylist lookup, no writes.

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};
use signet_core::PlainToken;

use crate::oauth::{authenticate_client, OAuthError, OAuthForm};
use crate::state::AppState;
use crate::tokens::access::denylist_key;
use crate::tokens::{refresh, tenant};

#[derive(Debug, Deserialize)]
pub struct IntrospectForm {
    token: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
}

pub async fn introspect(
    State(state): State<AppState>,
    headers: HeaderMap,
    OAuthForm(form): OAuthForm<IntrospectForm>,
) -> Result<Response, OAuthError> {
    let client =
        authenticate_client(&state, &headers, form.client_id.as_deref(), form.client_secret.as_deref()).await?;
    // RFC 7662 §2.1 and §4: the caller must be authenticated, or introspection is a token
    // oracle for anyone who read a public client's id in a URL. Public clients have nothing
    // to authenticate with, so they cannot introspect (discovery lists no "none" method).
    if client.is_public {
        return Err(OAuthError::InvalidClient(
            "introspection needs client authentication; public clients cannot introspect".into(),
        ));
    }
    let token = form.token.as_deref().ok_or_else(|| OAuthError::InvalidRequest("token is required".into()))?;
    let body = if token.starts_with(refresh::PREFIX) {
        refresh_info(&state, &client.client_id, token).await?
    } else {
        access_info(&state, token).await?
    };
    let mut r = Json(body.unwrap_or_else(|| json!({ "active": false }))).into_response();
    r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(r)
}

async fn access_info(state: &AppState, token: &str) -> Result<Option<Value>, OAuthError> {
    let now = state.now();
    let Ok(c) = state.verified.verify(&state.keys.snapshot(), token, state.config.issuer_base(), now) else {
        return Ok(None);
    };
    if state.ephemeral.has_flag(&denylist_key(&c.jti), now).await? {
        return Ok(None);
    }
    // A deleted client's tokens die with it (within the client cache's 2 s on every instance).
    let Some(client) = state.clients.get(state.store.as_ref(), &c.client_id).await? else {
        return Ok(None);
    };
    // A user's "sign out everywhere" / password change / disabling makes older tokens inactive.
    let (mut scope, mut tenant) = (c.scope.clone(), c.tenant.clone());
    if c.sub != c.client_id {
        let user = match state.store.user_by_subject(&c.sub).await? {
            Some(u) if !u.disabled && u.revoked_before.is_none_or(|t| t.unix_timestamp() < c.iat) => u,
            _ => return Ok(None),
        };
        // The organization and roles as they are now: a token never outlives a membership, and
        // a removed role's permissions leave its scope at once (`tokens::tenant`).
        match tenant::resolve_str(state, &client, user.id, &c.scope, &c.aud).await {
            Ok((now_scope, now_tenant)) => {
                scope = now_scope;
                tenant = now_tenant.unwrap_or_default();
            }
            Err(tenant::Lost::Store(e)) => return Err(e.into()),
            Err(_) => return Ok(None),
        }
    }
    let mut v = json!({
        "active": true,
        "token_type": "Bearer",
        "scope": scope,
        "client_id": c.client_id,
        "sub": c.sub,
        "aud": c.aud,
        "iss": c.iss,
        "exp": c.exp,
        "iat": c.iat,
        "nbf": c.nbf,
        "jti": c.jti,
    });
    if let Value::Object(m) = &mut v {
        if let Some(t) = c.auth_time {
            m.insert("auth_time".into(), json!(t));
        }
        if let Some(acr) = c.acr {
            m.insert("acr".into(), json!(acr));
        }
        if let Some(amr) = c.amr {
            m.insert("amr".into(), json!(amr));
        }
        if let Value::Object(t) = json!(tenant) {
            m.extend(t);
        }
    }
    Ok(Some(v))
}

/// Refresh tokens are described only to the client they belong to.
async fn refresh_info(state: &AppState, client_id: &str, token: &str) -> Result<Option<Value>, OAuthError> {
    let Some(rec) = state.store.refresh_by_token(&PlainToken::from_client(token).hash()).await? else {
        return Ok(None);
    };
    let now = state.now();
    let active = rec.client_id == client_id
        && rec.used_at.is_none()
        && !rec.family_revoked
        && now < rec.idle_expires_at
        && now < rec.family_expires_at;
    if !active {
        return Ok(None);
    }
    Ok(Some(json!({
        "active": true,
        "token_type": "refresh_token",
        "scope": rec.scope,
        "client_id": rec.client_id,
        "sub": rec.user_subject.clone().unwrap_or_else(|| rec.client_id.clone()),
        "exp": rec.idle_expires_at.min(rec.family_expires_at).unix_timestamp(),
        "iat": rec.created_at.unix_timestamp(),
    })))
}
