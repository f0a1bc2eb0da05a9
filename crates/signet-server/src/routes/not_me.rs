//! `GET|POST /not-me/{token}`: "this wasn't me", from the new-device notice
//! (`flows::new_device`). Opening the link changes nothing; the button ends every session and
//! starts recovery.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::csrf::{self, PresessionForm};
use crate::error::PageError;
use crate::flows::new_device;
use crate::http::{with_cookies, ClientInfo};
use crate::pages::{tr, tr_args};
use crate::state::AppState;

/// A page in the generic confirmation layout (`confirm.html`): a title, paragraphs, and a
/// button that posts back to the same address (with the pre-session CSRF token).
pub fn confirm_page(
    state: &AppState,
    headers: &HeaderMap,
    status: StatusCode,
    ctx: minijinja::Value,
) -> Result<Response, PageError> {
    let (csrf, set) = csrf::presession_token(state, headers);
    let html = state.pages.render("confirm.html", minijinja::context! { csrf, ..ctx })?;
    Ok(with_cookies((status, html).into_response(), set))
}

fn invalid(state: &AppState, headers: &HeaderMap) -> Result<Response, PageError> {
    let ctx = minijinja::context! {
        title => tr("recover-invalid-title"), paragraphs => [tr("link-invalid")],
        back => minijinja::context! { href => "/login", label => tr("help-back-to-sign-in") },
    };
    confirm_page(state, headers, StatusCode::BAD_REQUEST, ctx)
}

pub async fn show(
    State(state): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let Some(user) = new_device::peek(&state, &token).await? else { return invalid(&state, &headers) };
    let ctx = minijinja::context! {
        title => tr("not-me-title"),
        paragraphs => [tr_args("not-me-text", &[("email", user.email.into())])],
        button => tr("not-me-submit"), danger => true,
    };
    confirm_page(&state, &headers, StatusCode::OK, ctx)
}

pub async fn submit(
    State(state): State<AppState>,
    Path(token): Path<String>,
    client: ClientInfo,
    headers: HeaderMap,
    PresessionForm(_): PresessionForm<csrf::Nothing>,
) -> Result<Response, PageError> {
    crate::ratelimit::auth_ceiling(&state, &client.ip, state.now()).await?;
    let Some(user) = new_device::not_me(&state, &token, &client).await? else { return invalid(&state, &headers) };
    let ctx = minijinja::context! {
        title => tr("not-me-done-title"),
        paragraphs => [tr("not-me-done"), tr_args("recover-sent", &[("email", user.email.into())])],
        back => minijinja::context! { href => "/login", label => tr("help-back-to-sign-in") },
    };
    confirm_page(&state, &headers, StatusCode::OK, ctx)
}
