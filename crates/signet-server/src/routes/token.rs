//! `POST /oauth2/token` (RFC 6749 §3.2): authenticates the client, then hands the request to
//! its grant in `grants/`.

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use signet_core::client::GrantType;

use crate::grants;
use crate::http::ClientInfo;
use crate::oauth::{authenticate_client, OAuthError, OAuthForm};
use crate::state::AppState;

#[derive(Debug, Deserialize)]
pub struct TokenForm {
    grant_type: Option<String>,
    scope: Option<String>,
    refresh_token: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
    /// RFC 8707 resource indicator: picks the access token's audience among the client's.
    resource: Option<String>,
    /// Client credentials in an organization the client is installed in (an id or slug).
    organization: Option<String>,
    code: Option<String>,
    redirect_uri: Option<String>,
    code_verifier: Option<String>,
    device_code: Option<String>,
    /// RFC 8693 §2.1.
    subject_token: Option<String>,
    subject_token_type: Option<String>,
    requested_token_type: Option<String>,
}

pub async fn token(
    State(state): State<AppState>,
    headers: HeaderMap,
    client_info: ClientInfo,
    OAuthForm(form): OAuthForm<TokenForm>,
) -> Result<Response, OAuthError> {
    // The metrics' labels: the grant's name from the fixed list (never the request's text).
    let grant = form.grant_type.as_deref().and_then(GrantType::parse).map_or("other", GrantType::as_str);
    let res = respond(&state, headers, client_info, form).await;
    match &res {
        Ok(_) => state.metrics.count("token_grant", grant),
        Err(e) => state.metrics.count("token_error", e.code().as_str()),
    }
    res
}

async fn respond(
    state: &AppState,
    headers: HeaderMap,
    client_info: ClientInfo,
    form: TokenForm,
) -> Result<Response, OAuthError> {
    let client = authenticate_client(state, &headers, form.client_id.as_deref(), form.client_secret.as_deref()).await?;
    let grant =
        form.grant_type.as_deref().ok_or_else(|| OAuthError::InvalidRequest("grant_type is required".into()))?;
    let response = match GrantType::parse(grant) {
        Some(GrantType::AuthorizationCode) => {
            let req = grants::authorization_code::CodeRequest {
                code: form.code.as_deref(),
                redirect_uri: form.redirect_uri.as_deref(),
                code_verifier: form.code_verifier.as_deref(),
            };
            grants::authorization_code::grant(state, &client, req, &client_info).await?
        }
        Some(GrantType::ClientCredentials) => {
            let (scope, resource) = (form.scope.as_deref(), form.resource.as_deref());
            grants::client_credentials::grant(state, &client, scope, resource, form.organization.as_deref()).await?
        }
        Some(GrantType::DeviceCode) => grants::device_code::grant(state, &client, form.device_code.as_deref()).await?,
        Some(GrantType::TokenExchange) => {
            let req = grants::token_exchange::ExchangeRequest {
                subject_token: form.subject_token.as_deref(),
                subject_token_type: form.subject_token_type.as_deref(),
                requested_token_type: form.requested_token_type.as_deref(),
            };
            grants::token_exchange::grant(state, &client, req, &client_info).await?
        }
        Some(GrantType::RefreshToken) => {
            let presented = form.refresh_token.as_deref();
            grants::refresh_token::grant(state, &client, presented, form.scope.as_deref(), &client_info).await?
        }
        // OAuth 2.1 removed these grants.
        None if matches!(grant, "password" | "implicit") => {
            return Err(OAuthError::UnsupportedGrantType(format!(
                "grant_type {grant} is not supported (removed in OAuth 2.1)"
            )));
        }
        None => return Err(OAuthError::UnsupportedGrantType(format!("grant_type {grant:?} is not supported"))),
    };
    let mut r = Json(response).into_response();
    // RFC 6749 §5.1: token responses must not be cached.
    r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r.headers_mut().insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    Ok(r)
}
