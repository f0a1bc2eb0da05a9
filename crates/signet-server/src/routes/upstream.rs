//! Signing in with an upstream identity provider (`flows::upstream`):
//! - `POST /login/idp/{slug}`: the login page's provider button;
//! - `GET|POST /login/idp/{slug}/callback`: the upstream sends the browser back (POST for
//!   Sign in with Apple's `form_post`); authenticated by its `state`, bound to this browser;
//! - `GET|POST /login/idp/confirm`: proof of the local account before a link;
//! - `GET /account/identities`, `POST /account/identities/link/{slug}`,
//!   `POST /account/identities/{id}/unlink`: the account's linked identities.

use axum::extract::{Path, Query, Request, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use signet_core::audit::AuditKind;
use signet_core::{Password, ReturnTo};

use crate::audit;
use crate::csrf::{self, PresessionForm, SessionForm};
use crate::error::PageError;
use crate::flows::upstream::{self as flow, CallbackParams};
use crate::flows::upstream_link::{self as link, Confirmed};
use crate::http::{query_param, with_cookies, ClientInfo};
use crate::pages::{fmt_time, tr, tr_args};
use crate::session::{require_recent_auth, MaybeSession, RequireSession};
use crate::state::AppState;

const PAGE: &str = "/account/identities";

#[derive(Deserialize)]
pub struct StartForm {
    #[serde(default)]
    return_to: String,
}

pub async fn start(
    State(state): State<AppState>,
    client: ClientInfo,
    Path(slug): Path<String>,
    PresessionForm(form): PresessionForm<StartForm>,
) -> Result<Response, PageError> {
    crate::ratelimit::auth_ceiling(&state, &client.ip, state.now()).await?;
    let p = crate::upstream::registry::get(&state, &slug).await?.ok_or(PageError::NotFound)?;
    // An open redirect after sign-in would hand phishing sites a trusted link (CWE-601).
    let return_to = ReturnTo::parse(&form.return_to).unwrap_or_default();
    flow::start(&state, &p, return_to.as_str(), None, None).await
}

pub async fn callback_get(
    State(state): State<AppState>,
    client: ClientInfo,
    MaybeSession(existing): MaybeSession,
    Path(slug): Path<String>,
    headers: HeaderMap,
    Query(params): Query<CallbackParams>,
) -> Result<Response, PageError> {
    flow::callback(&state, &slug, params, &headers, existing, &client).await
}

/// Sign in with Apple's `form_post` (OAuth 2.0 Form Post Response Mode).
pub async fn callback_post(
    State(state): State<AppState>,
    client: ClientInfo,
    MaybeSession(existing): MaybeSession,
    Path(slug): Path<String>,
    req: Request,
) -> Result<Response, PageError> {
    let headers = req.headers().clone();
    let params: CallbackParams = crate::forms::read_form(req, &state).await.map_err(crate::forms::form_error_page)?;
    flow::callback(&state, &slug, params, &headers, existing, &client).await
}

async fn confirm_page(
    state: &AppState,
    headers: &HeaderMap,
    status: StatusCode,
    error: Option<String>,
) -> Result<Response, PageError> {
    let Some((_, user, pending)) = link::pending(state, headers).await? else {
        return Err(PageError::BadRequest(tr("upstream-expired")));
    };
    // Inside an OAuth flow the confirmation's redirect chain ends at the client.
    let client = crate::flows::authorize::pending_for(state, &pending.return_to).await;
    let (csrf, set) = csrf::presession_token(state, headers);
    let html = state.pages.render(
        "upstream_confirm.html",
        minijinja::context! {
            title => tr_args("upstream-confirm-title", &[("provider", pending.provider_name.clone().into())]),
            csrf, error,
            provider => pending.provider_name,
            email => user.email,
            has_password => user.password.is_some(),
        },
    )?;
    let res = with_cookies((status, html).into_response(), set);
    Ok(crate::flows::authorize::allow_pending_client(res, client.as_ref()))
}

pub async fn confirm_show(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, PageError> {
    confirm_page(&state, &headers, StatusCode::OK, None).await
}

#[derive(Deserialize)]
pub struct ConfirmForm {
    #[serde(default)]
    password: Password,
}

pub async fn confirm_submit(
    State(state): State<AppState>,
    client: ClientInfo,
    MaybeSession(existing): MaybeSession,
    headers: HeaderMap,
    PresessionForm(form): PresessionForm<ConfirmForm>,
) -> Result<Response, PageError> {
    match link::confirm(&state, &headers, form.password, existing, &client).await? {
        Confirmed::Done(res) => Ok(res),
        Confirmed::WrongPassword { remaining } => {
            let text = match remaining {
                0 => tr("login-incorrect-paused"),
                n => tr_args("login-incorrect-left", &[("n", n.into())]),
            };
            confirm_page(&state, &headers, StatusCode::OK, Some(text)).await
        }
    }
}

#[derive(Serialize)]
struct IdentityRow {
    id: i64,
    provider: String,
    email: String,
    linked: String,
    last_used: String,
}

#[derive(Serialize)]
struct ProviderButton {
    slug: String,
    name: String,
}

pub async fn show(
    State(state): State<AppState>,
    RequireSession(auth): RequireSession,
    uri: Uri,
) -> Result<Response, PageError> {
    let providers = crate::upstream::registry::all(&state).await?;
    let name_of = |slug: &str| {
        providers.iter().find(|p| p.slug == slug).map(|p| p.display_name()).unwrap_or_else(|| slug.to_owned())
    };
    let identities: Vec<IdentityRow> = state
        .store
        .identities_of(auth.user.id)
        .await?
        .into_iter()
        .map(|i| IdentityRow {
            id: i.id,
            provider: name_of(&i.provider),
            email: i.email.unwrap_or_default(),
            linked: fmt_time(i.created_at),
            last_used: crate::pages::fmt_relative(i.last_used_at, state.now()),
        })
        .collect();
    let buttons: Vec<ProviderButton> =
        providers.iter().map(|p| ProviderButton { slug: p.slug.clone(), name: p.display_name() }).collect();
    let origins: Vec<String> = providers.iter().flat_map(|p| p.form_origins(&state.upstream)).collect();
    let html = state.pages.render(
        "identities.html",
        minijinja::context! {
            title => tr("identities-title"),
            signed_in => true,
            csrf => csrf::session_token(&state, &auth.token_hash),
            notice => query_param(&uri, "notice").and_then(|n| crate::pages::notice_text(&n)),
            error => query_param(&uri, "error").filter(|e| e == "last").map(|_| tr("identities-last")),
            identities, providers => buttons,
        },
    )?;
    Ok(crate::http::with_form_origins(html.into_response(), &origins))
}

pub async fn link_start(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    SessionForm { session: auth, .. }: SessionForm<csrf::Nothing>,
) -> Result<Response, PageError> {
    // Adding a way to sign in to the account is sensitive: a recent sign-in first.
    require_recent_auth(&state, &auth, PAGE)?;
    let p = crate::upstream::registry::get(&state, &slug).await?.ok_or(PageError::NotFound)?;
    flow::start(&state, &p, PAGE, Some(auth.user.id), None).await
}

pub async fn unlink(
    State(state): State<AppState>,
    client: ClientInfo,
    Path(id): Path<i64>,
    SessionForm { session: auth, .. }: SessionForm<csrf::Nothing>,
) -> Result<Response, PageError> {
    require_recent_auth(&state, &auth, PAGE)?;
    let mine = state.store.identities_of(auth.user.id).await?;
    let Some(identity) = mine.iter().find(|i| i.id == id) else { return Err(PageError::NotFound) };
    // Refused when it is the account's last way to sign in (checked again atomically).
    let p = crate::upstream::registry::get(&state, &identity.provider).await?;
    let others = mine.len() > 1;
    if let Some(p) = p.filter(|p| p.config.store_tokens && (others || auth.user.password.is_some())) {
        // Revoked at the upstream too (RFC 7009), best effort; forgotten here in any case.
        crate::flows::vault::revoke(&state, &p, id).await;
    }
    if !state.store.unlink_identity(auth.user.id, id).await? {
        return Ok(crate::http::see_other(&format!("{PAGE}?error=last"), []));
    }
    let detail = format!("{}: {}", identity.provider, identity.email.as_deref().unwrap_or_default());
    audit::record(&state, AuditKind::IdentityUnlink, audit::user(&auth.user), &client, &detail).await;
    Ok(crate::http::see_other(&format!("{PAGE}?notice=identity_unlinked"), []))
}
