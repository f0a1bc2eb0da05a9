//! `GET|POST /oauth2/authorize`, `GET /oauth2/authorize/continue` and `POST /oauth2/consent`:
//! the authorization request (OAuth 2.1 §4.1.1, OIDC Core §3.1.2.1) is parsed and validated by
//! `signet_core::authorize`; the flow (`flows::authorize`) takes it from there.
//!
//! Until the client and its *exact* redirect URI are known, every error is a page: redirecting
//! to an unverified URI would make us an open redirector (RFC 6749 §4.1.2.1). After that,
//! errors go back to the client with `state` and RFC 9207 `iss`.

use axum::extract::{FromRequest, Request, State};
use axum::http::{Method, Uri};
use axum::response::Response;
use serde::Deserialize;
use signet_core::authorize::{AuthorizeRequest, ClientRules};
use signet_core::client::GrantType;
use signet_core::{redirect_uri, PlainToken, Scope};

use crate::csrf::SessionForm;
use crate::error::PageError;
use crate::flows::authorize as flow;
use crate::flows::respond;
use crate::http::{query_param, ClientInfo};
use crate::pages::tr;
use crate::session::MaybeSession;
use crate::state::AppState;

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
    let request = AuthorizeRequest::parse(&raw).map_err(PageError::BadRequest)?;

    // 1. Client and exact redirect URI, or an error page.
    let Some(client_id) = request.client_id.as_deref() else {
        return Err(PageError::BadRequest(tr("error-no-client-id")));
    };
    // Cached like client authentication (2 s, `oauth::client_cache`).
    let Some(client) = state.clients.get(state.store.as_ref(), client_id).await? else {
        return Err(PageError::BadRequest(tr("error-unknown-client")));
    };
    let Some(uri) = request.redirect_uri.as_deref() else {
        return Err(PageError::BadRequest(tr("error-no-redirect-uri")));
    };
    if !redirect_uri::matches(&client.redirect_uris, uri) {
        return Err(PageError::BadRequest(tr("error-redirect-mismatch")));
    }
    // Registered under a development issuer, refused once the issuer is https: codes never go
    // to a plain-http name that can resolve anywhere (RFC 9700 §4.1.1, RFC 8252 §8.3).
    if redirect_uri::is_localhost_http(uri) && !state.config.is_insecure_dev() {
        return Err(PageError::BadRequest(tr("error-localhost-redirect")));
    }

    // 2. Everything else is reported to the client.
    let allowed = Scope::parse(&client.scopes).unwrap_or_default();
    let rules = ClientRules {
        client_id: &client.client_id,
        may_use_code_flow: GrantType::AuthorizationCode.allowed_in(&client.grant_types),
        allowed_scope: &allowed,
    };
    match request.validate(rules, uri, state.now().unix_timestamp()) {
        Ok(pending) => flow::proceed(&state, &client, None, &pending, session, &info).await,
        Err(refusal) => Ok(respond::refusal(&state, uri, &refusal)),
    }
}

/// `GET /oauth2/authorize/continue?req=ID`: back from the login page.
pub async fn resume(
    State(state): State<AppState>,
    MaybeSession(session): MaybeSession,
    info: ClientInfo,
    uri: Uri,
) -> Result<Response, PageError> {
    let id = query_param(&uri, "req").unwrap_or_default();
    let (p, client) = flow::load(&state, &id).await?;
    flow::proceed(&state, &client, Some(PlainToken::from_client(id)), &p, session, &info).await
}

#[derive(Deserialize)]
pub struct ConsentForm {
    #[serde(default)]
    req: String,
    #[serde(default)]
    decision: String,
}

/// `POST /oauth2/consent`: the answer to the consent page.
pub async fn consent(
    State(state): State<AppState>,
    info: ClientInfo,
    SessionForm { session: s, form }: SessionForm<ConsentForm>,
) -> Result<Response, PageError> {
    flow::answer_consent(&state, s, &info, &form.req, form.decision == "allow").await
}

#[derive(Deserialize)]
pub struct PickForm {
    #[serde(default)]
    req: String,
    #[serde(default)]
    organization: String,
}

/// `POST /oauth2/authorize/organization`: the answer to the organization picker.
pub async fn pick_organization(
    State(state): State<AppState>,
    info: ClientInfo,
    SessionForm { session: s, form }: SessionForm<PickForm>,
) -> Result<Response, PageError> {
    flow::choose_org(&state, s, &info, &form.req, &form.organization).await
}
