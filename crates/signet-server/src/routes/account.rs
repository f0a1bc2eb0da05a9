//! `GET /account`: who you are and where you are signed in; revoking sessions.

use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use signet_core::audit::AuditKind;

use crate::audit;
use crate::csrf;
use crate::csrf::SessionForm;
use crate::error::PageError;
use crate::http::{query_param, ClientInfo};
use crate::pages::{describe_scope, describe_user_agent, fmt_relative, fmt_time, tr};
use crate::session::{self, RequireSession};
use crate::state::AppState;

#[derive(Serialize)]
struct AppRow {
    client_id: String,
    name: String,
    /// The granted scopes in plain words.
    scopes: Vec<String>,
    granted_at: String,
}

#[derive(Serialize)]
struct SessionRow {
    id: i64,
    device: String,
    ip: String,
    created_at: String,
    last_seen_at: String,
    current: bool,
}

pub async fn show(
    State(state): State<AppState>,
    RequireSession(auth): RequireSession,
    uri: Uri,
) -> Result<Response, PageError> {
    let sessions = state.store.list_user_sessions(auth.user.id).await?;
    let rows: Vec<SessionRow> = sessions
        .into_iter()
        .map(|s| SessionRow {
            id: s.id,
            device: describe_user_agent(&s.user_agent),
            current: s.id == auth.session.id,
            ip: s.ip,
            created_at: fmt_time(s.created_at),
            last_seen_at: fmt_relative(s.last_seen_at, state.now()),
        })
        .collect();
    let notice = query_param(&uri, "notice").and_then(|n| crate::pages::notice_text(&n));
    let mut apps = Vec::new();
    for (client_id, scope, granted) in state.store.list_consents(auth.user.id).await? {
        let name = state.store.client(&client_id).await?.map(|c| c.name).unwrap_or_else(|| tr("apps-deleted"));
        let scopes = signet_core::Scope::parse(&scope).unwrap_or_default().iter().map(describe_scope).collect();
        apps.push(AppRow { client_id, name, scopes, granted_at: fmt_time(granted) });
    }
    let html = state.pages.render(
        "account.html",
        minijinja::context! {
            title => tr("account-title"),
            signed_in => true,
            csrf => csrf::session_token(&state, &auth.token_hash),
            email => auth.user.email,
            verified => auth.user.email_verified(),
            is_admin => auth.user.is_admin,
            created_at => fmt_time(auth.user.created_at),
            sessions => rows,
            apps,
            notice,
            backup_used => crate::mfa::last_backup_code_use(&state, auth.user.id).await?,
            has_factor => crate::mfa::factors(&state, auth.user.id).await?.any(),
        },
    )?;
    Ok(html.into_response())
}

/// `POST /account/sessions/{id}/revoke`: sign out one session (possibly this one).
pub async fn revoke_session(
    State(state): State<AppState>,
    client: ClientInfo,
    Path(id): Path<i64>,
    SessionForm { session: auth, .. }: SessionForm<csrf::Nothing>,
) -> Result<Response, PageError> {
    // Scoped to the user: a guessed id of someone else's session deletes nothing.
    if !state.store.delete_user_session(auth.user.id, id).await? {
        return Err(PageError::NotFound);
    }
    let who = audit::user(&auth.user);
    audit::record(&state, AuditKind::SessionRevoke, who, &client, &format!("session:{id}")).await;
    if id == auth.session.id {
        return Ok(super::see_other("/login?notice=signed_out", [session::clear_cookie(&state)]));
    }
    Ok(super::see_other("/account?notice=session_revoked", []))
}

/// `POST /account/logout-everywhere`: every session of the user, and every token issued
/// before now, stops working.
pub async fn logout_everywhere(
    State(state): State<AppState>,
    client: ClientInfo,
    SessionForm { session: auth, .. }: SessionForm<csrf::Nothing>,
) -> Result<Response, PageError> {
    crate::tokens::revoke_user(&state, auth.user.id, None, "logout_everywhere").await?;
    let who = audit::user(&auth.user);
    audit::record(&state, AuditKind::LogoutEverywhere, who, &client, "").await;
    Ok(super::see_other("/login?notice=signed_out_everywhere", [session::clear_cookie(&state)]))
}

/// `POST /account/apps/{client_id}/revoke`: withdraw consent and the app's refresh tokens.
pub async fn revoke_app(
    State(state): State<AppState>,
    client: ClientInfo,
    Path(client_id): Path<String>,
    SessionForm { session: auth, .. }: SessionForm<csrf::Nothing>,
) -> Result<Response, PageError> {
    if !state.store.delete_consent(auth.user.id, &client_id).await? {
        return Err(PageError::NotFound);
    }
    state.store.revoke_user_client_families(auth.user.id, &client_id, "consent_revoked", state.now()).await?;
    let who = audit::user(&auth.user);
    audit::record(&state, AuditKind::ConsentRevoke, who, &client, &format!("client:{client_id}")).await;
    Ok(super::see_other("/account?notice=app_revoked", []))
}
