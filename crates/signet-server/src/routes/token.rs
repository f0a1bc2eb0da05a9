//! `POST /oauth2/token` (RFC 6749 §3.2): the `client_credentials` and `refresh_token` grants.
//! The authorization-code grant joins here with the authorization endpoint.

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use signet_core::Scope;
use signet_store::Client;

use crate::http::ClientInfo;
use crate::oauth::{authenticate_client, OAuthError, OAuthForm};
use crate::state::AppState;
use crate::tokens::{self, refresh, TokenResponse};

#[derive(Debug, Deserialize)]
pub struct TokenForm {
    grant_type: Option<String>,
    scope: Option<String>,
    refresh_token: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
    /// RFC 8707 resource indicator: picks the access token's audience among the client's.
    resource: Option<String>,
    code: Option<String>,
    redirect_uri: Option<String>,
    code_verifier: Option<String>,
    device_code: Option<String>,
}

pub async fn token(
    State(state): State<AppState>,
    headers: HeaderMap,
    client_info: ClientInfo,
    OAuthForm(form): OAuthForm<TokenForm>,
) -> Result<Response, OAuthError> {
    let client =
        authenticate_client(&state, &headers, form.client_id.as_deref(), form.client_secret.as_deref()).await?;
    let grant =
        form.grant_type.as_deref().ok_or_else(|| OAuthError::InvalidRequest("grant_type is required".into()))?;
    let response = match grant {
        "authorization_code" => {
            let req = super::token_code::CodeRequest {
                code: form.code.as_deref(),
                redirect_uri: form.redirect_uri.as_deref(),
                code_verifier: form.code_verifier.as_deref(),
            };
            super::token_code::authorization_code(&state, &client, req, &client_info).await?
        }
        "client_credentials" => client_credentials(&state, &client, &form)?,
        super::device::GRANT => super::device::poll(&state, &client, form.device_code.as_deref()).await?,
        "refresh_token" => refresh_token(&state, &client, &form, &client_info).await?,
        "password" | "implicit" => {
            // OAuth 2.1 removed these grants.
            return Err(OAuthError::UnsupportedGrantType(format!(
                "grant_type {grant} is not supported (removed in OAuth 2.1)"
            )));
        }
        other => return Err(OAuthError::UnsupportedGrantType(format!("grant_type {other:?} is not supported"))),
    };
    let mut r = Json(response).into_response();
    // RFC 6749 §5.1: token responses must not be cached.
    r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r.headers_mut().insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    Ok(r)
}

pub(super) fn require_grant(client: &Client, grant: &str) -> Result<(), OAuthError> {
    if client.grant_types.iter().any(|g| g == grant) {
        Ok(())
    } else {
        Err(OAuthError::UnauthorizedClient(format!("this client may not use the {grant} grant")))
    }
}

fn parse_scope(s: Option<&str>) -> Result<Option<Scope>, OAuthError> {
    s.map(|s| Scope::parse(s).map_err(|_| OAuthError::InvalidScope("scope contains invalid characters".into())))
        .transpose()
}

/// The audience for a new access token: the requested resource if the client may use it, else
/// the client's first audience, else this issuer.
pub(super) fn audience(state: &AppState, client: &Client, resource: Option<&str>) -> Result<String, OAuthError> {
    match resource {
        Some(r) if client.audiences.iter().any(|a| a == r) => Ok(r.to_owned()),
        // RFC 8707 §2: invalid_target for resources the client may not address.
        Some(_) => Err(OAuthError::InvalidTarget("this client may not request tokens for that resource".into())),
        None => Ok(client.audiences.first().cloned().unwrap_or_else(|| state.config.issuer_base().to_owned())),
    }
}

/// RFC 6749 §4.4: confidential clients only; no refresh token (§4.4.3).
fn client_credentials(state: &AppState, client: &Client, form: &TokenForm) -> Result<TokenResponse, OAuthError> {
    if client.is_public {
        return Err(OAuthError::UnauthorizedClient("public clients cannot use client_credentials".into()));
    }
    require_grant(client, "client_credentials")?;
    let allowed = Scope::parse(&client.scopes).unwrap_or_default();
    let scope = match parse_scope(form.scope.as_deref())? {
        Some(s) if !s.is_empty() => {
            if !s.is_subset_of(&allowed) {
                return Err(OAuthError::InvalidScope("requested scope exceeds what this client may ask for".into()));
            }
            s
        }
        // RFC 6749 §3.3: without a scope, the pre-defined default applies: all the client's scopes.
        _ => allowed,
    };
    let aud = audience(state, client, form.resource.as_deref())?;
    let now = state.now();
    let at = tokens::issue_access(state, client, &client.client_id, &aud, &scope, None, now)?;
    Ok(TokenResponse::new(at, &scope, None, None))
}

async fn refresh_token(
    state: &AppState,
    client: &Client,
    form: &TokenForm,
    info: &ClientInfo,
) -> Result<TokenResponse, OAuthError> {
    require_grant(client, "refresh_token")?;
    let presented =
        form.refresh_token.as_deref().ok_or_else(|| OAuthError::InvalidRequest("refresh_token is required".into()))?;
    let requested = parse_scope(form.scope.as_deref())?;
    let (rec, successor) = refresh::exchange(state, client, presented, &info.ip).await?;
    let granted = Scope::parse(&rec.scope).unwrap_or_default();
    // RFC 6749 §6: the new access token's scope may only narrow, never widen.
    let scope = match requested {
        Some(s) if !s.is_empty() => {
            if !s.is_subset_of(&granted) {
                return Err(OAuthError::InvalidScope("refresh may only narrow the granted scope".into()));
            }
            s
        }
        _ => granted,
    };
    let now = state.now();
    let sub = match rec.user_id {
        // "Sign out everywhere", password change and disabling revoke the user's families, so
        // `exchange` already refused those; a disabled or deleted user is checked again here.
        Some(_) if rec.user_active => rec.user_subject.clone().unwrap_or_default(),
        Some(_) => return Err(OAuthError::InvalidGrant("the user's grant is no longer valid".into())),
        None => client.client_id.clone(),
    };
    let auth = rec.auth_time.map(|t| tokens::UserAuth::from_stored(t, &rec.amr));
    let at = tokens::issue_access(state, client, &sub, &rec.audience, &scope, auth.as_ref(), now)?;
    // RFC 6749 §6: the new refresh token keeps the scope of the one presented.
    Ok(TokenResponse::new(at, &scope, Some(successor.expose().to_owned()), None))
}
