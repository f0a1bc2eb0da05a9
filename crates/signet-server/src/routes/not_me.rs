//! `GET|POST /not-me/{token}`: "this wasn't me", from the new-device notice
//! (`flows::new_device`). Opening the link changes nothing; the button ends every session and
//! starts recovery.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;

use crate::csrf::{self, PresessionForm};
use crate::error::PageError;
use crate::flows::new_device;
use crate::http::ClientInfo;
use crate::link_pages;
use crate::pages::{tr, tr_args};
use crate::state::AppState;

fn invalid(state: &AppState, headers: &HeaderMap) -> Result<Response, PageError> {
    link_pages::invalid(state, headers, "link-invalid", ("/login", "help-back-to-sign-in"))
}

pub async fn show(
    State(state): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let Some(user) = new_device::peek(&state, &token).await? else { return invalid(&state, &headers) };
    let ctx = minijinja::context! {
        title => tr("newdevice-title"),
        paragraphs => [tr_args("newdevice-text", &[("email", user.email.into())])],
        button => tr("newdevice-submit"), danger => true,
    };
    link_pages::confirm(&state, &headers, StatusCode::OK, ctx)
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
        title => tr("newdevice-done-title"),
        paragraphs => [tr("newdevice-done"), tr_args("recover-sent", &[("email", user.email.into())])],
        back => minijinja::context! { href => "/login", label => tr("help-back-to-sign-in") },
    };
    link_pages::confirm(&state, &headers, StatusCode::OK, ctx)
}
