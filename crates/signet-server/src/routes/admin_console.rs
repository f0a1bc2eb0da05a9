//! The admin console's dashboard and accounts: `/admin`, `/admin/users`, `/admin/users/{id}`.
//! Server-rendered like the account pages, administrators only (`admin::console::enter`); every
//! form is a `SessionForm` (CSRF) and goes through the admin service layer (`admin::users`),
//! the API's and the CLI's rules. Ending sessions and removing second factors need a recent
//! sign-in.

use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use signet_store::{UserFilter, UserPatch};

use crate::admin::console::{back, enter, render, when};
use crate::admin::users;
use crate::csrf::SessionForm;
use crate::error::PageError;
use crate::http::{query_param, ClientInfo};
use crate::session::{require_recent_auth, RequireSession};
use crate::state::AppState;

#[derive(Serialize)]
struct KeyAge {
    alg: String,
    kid: String,
    days: i64,
}

/// `GET /admin`: counts, activity since this instance started, the signing keys' age.
pub async fn dashboard(
    State(state): State<AppState>,
    RequireSession(auth): RequireSession,
    client: ClientInfo,
    uri: Uri,
) -> Result<Response, PageError> {
    enter(&auth, &client)?;
    let now = state.now();
    let (users, disabled, sessions) = state.store.admin_counts(now - state.config.session.idle_timeout).await?;
    let m = &state.metrics;
    let hours = (m.uptime().as_secs_f64() / 3600.0).max(1.0 / 60.0);
    let tokens = m.total("token_grant");
    let keys: Vec<KeyAge> = state
        .store
        .list_keys()
        .await?
        .into_iter()
        .filter(|k| k.state == signet_store::KeyState::Current)
        .map(|k| KeyAge { days: (now - k.activated_at.unwrap_or(k.created_at)).whole_days(), alg: k.alg, kid: k.kid })
        .collect();
    let data = minijinja::context! {
        users, disabled, sessions, tokens, tokens_per_hour => format!("{:.1}", tokens as f64 / hours),
        failed_logins => m.get("audit", "login_failure"), reuse => m.get("audit", "refresh_token_reuse_detected"),
        uptime_hours => format!("{:.1}", m.uptime().as_secs_f64() / 3600.0), keys,
    };
    render(&state, &auth, "dashboard", &uri, data)
}

#[derive(Serialize)]
struct Row {
    id: i64,
    email: String,
    is_admin: bool,
    disabled: bool,
    verified: bool,
    created: String,
}

/// `GET /admin/users?q=&after=`: search by address, 50 a page.
pub async fn users(
    State(state): State<AppState>,
    RequireSession(auth): RequireSession,
    client: ClientInfo,
    uri: Uri,
) -> Result<Response, PageError> {
    enter(&auth, &client)?;
    let q = query_param(&uri, "q").unwrap_or_default();
    let after_id = query_param(&uri, "after").and_then(|a| a.parse().ok()).unwrap_or(0);
    let filter = UserFilter { query: Some(&q), after_id, limit: 51, ..Default::default() };
    let mut found = state.store.search_users(filter).await?;
    let more = found.len() > 50;
    found.truncate(50);
    let next = more.then(|| found.last().map(|u| u.id)).flatten();
    let rows: Vec<Row> = found
        .iter()
        .map(|u| Row {
            id: u.id,
            email: u.email.clone(),
            is_admin: u.is_admin,
            disabled: u.disabled,
            verified: u.email_verified(),
            created: when(u.created_at),
        })
        .collect();
    render(&state, &auth, "users", &uri, minijinja::context! { q, rows, next })
}

#[derive(Serialize)]
struct SessionRow {
    created: String,
    last_seen: String,
    ip: String,
    agent: String,
}

/// `GET /admin/users/{id}`: the account, its sessions and linked identities, and the actions.
pub async fn user(
    State(state): State<AppState>,
    RequireSession(auth): RequireSession,
    client: ClientInfo,
    Path(id): Path<String>,
    uri: Uri,
) -> Result<Response, PageError> {
    enter(&auth, &client)?;
    let u = find(&state, &id).await?;
    let sessions: Vec<SessionRow> = state
        .store
        .list_user_sessions(u.id)
        .await?
        .into_iter()
        .map(|s| SessionRow {
            created: when(s.created_at),
            last_seen: when(s.last_seen_at),
            ip: s.ip,
            agent: crate::pages::describe_user_agent(&s.user_agent),
        })
        .collect();
    let identities: Vec<String> = state
        .store
        .identities_of(u.id)
        .await?
        .into_iter()
        .map(|i| format!("{} ({})", i.provider, i.email.unwrap_or(i.subject)))
        .collect();
    let has_totp = state.store.totp(u.id).await?.is_some();
    let passkeys = state.store.list_passkeys(u.id).await?.len();
    let data = minijinja::context! {
        u => minijinja::context! {
            id => u.id, sub => u.subject, email => u.email, is_admin => u.is_admin, disabled => u.disabled,
            verified => u.email_verified(), created => when(u.created_at), has_password => u.password.is_some(),
        },
        sessions, identities, has_totp, passkeys, me => u.id == auth.user.id,
    };
    render(&state, &auth, "user", &uri, data)
}

async fn find(state: &AppState, id: &str) -> Result<signet_store::User, PageError> {
    let id: i64 = id.parse().map_err(|_| PageError::NotFound)?;
    Ok(users::find(state, id).await?)
}

#[derive(Deserialize)]
pub struct UserAction {
    action: String,
}

/// `POST /admin/users/{id}`: `disable`, `enable`, `end_sessions`, `reset_mfa`.
pub async fn user_action(
    State(state): State<AppState>,
    client: ClientInfo,
    Path(id): Path<String>,
    SessionForm { session: auth, form }: SessionForm<UserAction>,
) -> Result<Response, PageError> {
    let op = enter(&auth, &client)?;
    let u = find(&state, &id).await?;
    let page = format!("/admin/users/{}", u.id);
    let outcome = match form.action.as_str() {
        "disable" | "enable" => {
            let patch = UserPatch { disabled: Some(form.action == "disable"), ..Default::default() };
            users::patch(&state, &op, u.id, None, patch).await.map(|_| {
                if form.action == "disable" {
                    "disabled"
                } else {
                    "enabled"
                }
            })
        }
        "end_sessions" => {
            require_recent_auth(&state, &auth, &page)?;
            users::end_sessions(&state, &op, u.id).await.map(|_| "sessions_ended")
        }
        "reset_mfa" => {
            require_recent_auth(&state, &auth, &page)?;
            users::reset_mfa(&state, &op, u.id).await.map(|_| "mfa_reset")
        }
        _ => return Err(PageError::BadRequest(crate::pages::tr("admin-error-invalid"))),
    };
    back(&page, outcome)
}
