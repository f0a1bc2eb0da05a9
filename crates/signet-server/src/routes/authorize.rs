//! `GET|POST /oauth2/authorize`: validates an authorization request (OAuth 2.1 §4.1.1, OIDC
//! Core §3.1.2.1) and starts the flow in `authorize_flow`.
//!
//! Until the client and its *exact* redirect URI are known, every error is a page: redirecting
//! to an unverified URI would make us an open redirector (RFC 6749 §4.1.2.1). After that,
//! errors go back to the client with `state` and RFC 9207 `iss`.

use std::collections::HashMap;

use axum::extract::{FromRequest, Request, State};
use axum::http::Method;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use signet_core::redirect_uri;
use signet_core::{PkceChallenge, Scope};

use super::authorize_flow::{self, ErrorRedirect};
use crate::error::PageError;
use crate::http::ClientInfo;
use crate::session::MaybeSession;
use crate::state::AppState;

/// A validated authorization request, kept server-side while the user logs in and consents.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Pending {
    pub client_id: String,
    pub redirect_uri: String,
    pub scope: String,
    pub state: Option<String>,
    pub nonce: Option<String>,
    pub code_challenge: String,
    pub response_mode: ResponseMode,
    pub prompt: Vec<String>,
    pub max_age: Option<i64>,
    pub login_hint: Option<String>,
    pub acr_values: Option<String>,
    pub created_at: i64,
    /// Set when the flow reached the consent page: only that session of that user may answer
    /// it, and the answer re-runs the decision as of that moment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consent_step: Option<ConsentStep>,
}

/// Who reached the consent step, and when.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentStep {
    pub session_id: i64,
    pub user_id: i64,
    pub at: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResponseMode {
    Query,
    FormPost,
}

/// The longest value any authorization parameter may have.
pub const MAX_PARAM_LEN: usize = 1024;

fn parse_params(raw: &[u8]) -> Result<HashMap<String, String>, PageError> {
    let mut map = HashMap::new();
    for (k, v) in url::form_urlencoded::parse(raw) {
        // OAuth 2.1 §3.1: parameters MUST NOT be included more than once.
        if map.insert(k.to_string(), v.into_owned()).is_some() {
            return Err(PageError::BadRequest(format!("The parameter {k:?} was sent more than once.")));
        }
    }
    Ok(map)
}

pub async fn authorize(
    State(state): State<AppState>,
    MaybeSession(session): MaybeSession,
    info: ClientInfo,
    req: Request,
) -> Result<Response, PageError> {
    let raw = if req.method() == Method::POST {
        let body = axum::body::Bytes::from_request(req, &state).await.map_err(|_| PageError::PayloadTooLarge)?;
        body.to_vec()
    } else {
        req.uri().query().unwrap_or("").as_bytes().to_vec()
    };
    let p = parse_params(&raw)?;
    let get = |k: &str| p.get(k).map(String::as_str).filter(|v| !v.is_empty());

    // 1. Client and exact redirect URI, or an error page.
    let Some(client_id) = get("client_id") else {
        return Err(PageError::BadRequest("The application did not say who it is (client_id is missing).".into()));
    };
    // Cached like client authentication (2 s, `oauth::client_cache`).
    let Some(client) = state.clients.get(state.store.as_ref(), client_id).await? else {
        return Err(PageError::BadRequest("This application is not registered with this server.".into()));
    };
    let Some(uri) = get("redirect_uri") else {
        return Err(PageError::BadRequest(
            "The application did not say where to return (redirect_uri is missing).".into(),
        ));
    };
    if !redirect_uri::matches(&client.redirect_uris, uri) {
        return Err(PageError::BadRequest(
            "The return address does not match the ones registered for this application.".into(),
        ));
    }

    // 2. Everything else is reported to the client.
    // A request waiting for sign-in is stored: no parameter may be large (an oversized `state`
    // is not echoed back either).
    if let Some(k) = p.keys().find(|k| p[*k].len() > MAX_PARAM_LEN) {
        let desc = format!("the parameter {k} is longer than {MAX_PARAM_LEN} bytes");
        let st = get("state").filter(|s| s.len() <= MAX_PARAM_LEN);
        return Ok(authorize_flow::error_redirect(
            &state,
            ErrorRedirect {
                redirect_uri: uri,
                state: st,
                mode: ResponseMode::Query,
                error: "invalid_request",
                description: &desc,
            },
        ));
    }
    let response_mode = match get("response_mode") {
        None | Some("query") => ResponseMode::Query,
        Some("form_post") => ResponseMode::FormPost,
        Some(_) => ResponseMode::Query,
    };
    let fail = |error: &'static str, desc: &str| -> Result<Response, PageError> {
        Ok(authorize_flow::error_redirect(
            &state,
            ErrorRedirect { redirect_uri: uri, state: get("state"), mode: response_mode, error, description: desc },
        ))
    };
    if get("request").is_some() {
        return fail("request_not_supported", "request objects are not supported");
    }
    if get("request_uri").is_some() {
        return fail("request_uri_not_supported", "request_uri is not supported");
    }
    if let Some(m) = get("response_mode") {
        if m != "query" && m != "form_post" {
            return fail("invalid_request", "response_mode must be query or form_post");
        }
    }
    match get("response_type") {
        Some("code") => {}
        None => return fail("invalid_request", "response_type is required"),
        // OAuth 2.1 removed the implicit grant and hybrid flows: tokens never travel in URLs.
        Some(_) => return fail("unsupported_response_type", "only response_type=code is supported"),
    }
    if !client.grant_types.iter().any(|g| g == "authorization_code") {
        return fail("unauthorized_client", "this client may not use the authorization code flow");
    }
    // OAuth 2.1 §4.1.1: PKCE for every client, public or confidential.
    let challenge = match get("code_challenge") {
        Some(c) => match PkceChallenge::parse(c, get("code_challenge_method")) {
            Ok(c) => c,
            Err(e) => return fail("invalid_request", e),
        },
        None => return fail("invalid_request", "code_challenge is required (PKCE with S256)"),
    };
    let requested = match Scope::parse(get("scope").unwrap_or("")) {
        Ok(s) => s,
        Err(_) => return fail("invalid_scope", "scope contains invalid characters"),
    };
    // Scopes are narrowed to what the client may ask for (RFC 6749 §3.3).
    let allowed = Scope::parse(&client.scopes).unwrap_or_default();
    let scope = requested.intersect(&allowed);
    if scope.is_empty() && !requested.is_empty() {
        return fail("invalid_scope", "none of the requested scopes is allowed for this client");
    }
    let prompt: Vec<String> =
        get("prompt").unwrap_or("").split(' ').filter(|s| !s.is_empty()).map(str::to_owned).collect();
    if prompt.iter().any(|p| !matches!(p.as_str(), "none" | "login" | "consent" | "select_account")) {
        return fail("invalid_request", "unsupported prompt value");
    }
    if prompt.iter().any(|p| p == "none") && prompt.len() > 1 {
        return fail("invalid_request", "prompt=none cannot be combined with other values");
    }
    let max_age = match get("max_age").map(str::parse::<i64>) {
        None => None,
        Some(Ok(n)) if n >= 0 => Some(n),
        Some(_) => return fail("invalid_request", "max_age must be a non-negative integer"),
    };
    let pending = Pending {
        client_id: client.client_id.clone(),
        redirect_uri: uri.to_owned(),
        scope: scope.to_string(),
        state: get("state").map(str::to_owned),
        nonce: get("nonce").map(str::to_owned),
        code_challenge: challenge.as_str().to_owned(),
        response_mode,
        prompt,
        max_age,
        login_hint: get("login_hint").map(str::to_owned),
        acr_values: get("acr_values").map(str::to_owned),
        created_at: state.now().unix_timestamp(),
        consent_step: None,
    };
    authorize_flow::proceed(&state, &client, None, &pending, session, &info).await
}
