//! `GET /account/delete` (what deleting means, or the cancel button while it is scheduled),
//! `POST /account/delete` (schedule it: recent sign-in required), `POST /account/delete/cancel`,
//! and `GET /account/export` (the user's data as JSON). The rules are in `flows::deletion`.

use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use signet_core::audit::AuditKind;

use crate::csrf::{self, SessionForm};
use crate::error::PageError;
use crate::flows::deletion;
use crate::http::ClientInfo;
use crate::pages::{fmt_time, tr};
use crate::session::{self, RequireSession};
use crate::state::AppState;

pub async fn show(State(state): State<AppState>, RequireSession(auth): RequireSession) -> Result<Response, PageError> {
    let user = &auth.user;
    let html = state.pages.render(
        "delete.html",
        minijinja::context! {
            title => tr("delete-title"), signed_in => true,
            csrf => csrf::session_token(&state, &auth.token_hash),
            email => user.email.clone(),
            scheduled => user.delete_after.map(fmt_time),
            grace_days => state.config.accounts.deletion_grace.whole_days().max(1),
        },
    )?;
    Ok(html.into_response())
}

pub async fn submit(
    State(state): State<AppState>,
    client: ClientInfo,
    SessionForm { session: auth, .. }: SessionForm<csrf::Nothing>,
) -> Result<Response, PageError> {
    // Destructive: a recent full sign-in, not just a live session (NIST SP 800-63B §4.2.3).
    session::require_recent_auth(&state, &auth, "/account/delete")?;
    deletion::schedule(&state, &auth.user, &client).await?;
    Ok(super::see_other("/login?notice=deletion_scheduled", [session::clear_cookie(&state)]))
}

pub async fn cancel(
    State(state): State<AppState>,
    client: ClientInfo,
    SessionForm { session: auth, .. }: SessionForm<csrf::Nothing>,
) -> Result<Response, PageError> {
    deletion::cancel(&state, &auth.user, &client).await?;
    Ok(super::see_other("/account?notice=deletion_cancelled", []))
}

/// A download, not a page: `Content-Disposition: attachment`, never cached.
pub async fn export(
    State(state): State<AppState>,
    client: ClientInfo,
    RequireSession(auth): RequireSession,
) -> Result<Response, PageError> {
    session::require_recent_auth(&state, &auth, "/account/delete")?;
    let data = deletion::export(&state, &auth.user).await?;
    crate::audit::record(&state, AuditKind::DataExport, crate::audit::user(&auth.user), &client, "").await;
    let body = serde_json::to_vec_pretty(&data).map_err(anyhow::Error::from)?;
    let mut r = body.into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    h.insert(header::CONTENT_DISPOSITION, HeaderValue::from_static("attachment; filename=\"signet-export.json\""));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(r)
}
