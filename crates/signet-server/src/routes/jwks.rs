//! `GET /jwks` (RFC 7517) and authorization-server metadata (RFC 8414).

use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::state::AppState;

/// The published keys. Cacheable for a few minutes: `next` keys are published a full rotation
/// period before they sign, so a verifier with a cache this old still knows every signing key.
pub async fn jwks(State(state): State<AppState>) -> Response {
    let mut r = state.keys.snapshot().jwks().into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/jwk-set+json"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=300"));
    r
}

/// Provider metadata: RFC 8414 at `/.well-known/oauth-authorization-server` and OpenID
/// Connect Discovery 1.0 at `/.well-known/openid-configuration` (the same document).
pub async fn metadata(State(state): State<AppState>) -> Response {
    let mut r = state.discovery.clone().into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=300"));
    r
}

/// The metadata document, serialized once at start-up (nothing in it changes while running).
pub fn metadata_document(config: &crate::config::Config, algs: &[String]) -> axum::body::Bytes {
    let iss = config.issuer_base();
    json!({
        "issuer": iss,
        "authorization_endpoint": format!("{iss}/oauth2/authorize"),
        "token_endpoint": format!("{iss}/oauth2/token"),
        "userinfo_endpoint": format!("{iss}/oauth2/userinfo"),
        "end_session_endpoint": format!("{iss}/oauth2/logout"),
        "device_authorization_endpoint": format!("{iss}/oauth2/device_authorization"),
        "jwks_uri": format!("{iss}/jwks"),
        "revocation_endpoint": format!("{iss}/oauth2/revoke"),
        "introspection_endpoint": format!("{iss}/oauth2/introspect"),
        "response_types_supported": ["code"],
        "response_modes_supported": ["query", "form_post"],
        "grant_types_supported": signet_core::client::GrantType::ALL.map(|g| g.as_str()),
        "code_challenge_methods_supported": ["S256"],
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
        "acr_values_supported": signet_core::mfa::Acr::SUPPORTED,
        "claims_supported": crate::tokens::id_token::claims_supported(),
        "subject_types_supported": ["public", "pairwise"],
        "id_token_signing_alg_values_supported": algs,
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
        "revocation_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
        "introspection_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "authorization_response_iss_parameter_supported": true,
        "prompt_values_supported": ["none", "login", "consent", "select_account"],
        "request_parameter_supported": false,
        "request_uri_parameter_supported": false,
        "claims_parameter_supported": false,
    })
    .to_string()
    .into()
}
