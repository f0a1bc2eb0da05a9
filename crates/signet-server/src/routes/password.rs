//! `GET|POST /account/password`: change the password. Needs the current one; signs out every
//! other session, rotates this session's id, and makes older tokens inactive.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use signet_core::audit::{AuditKind, LoginFailure};
use signet_core::Password;

use crate::audit;
use crate::csrf::SessionForm;
use crate::error::PageError;
use crate::http::ClientInfo;
use crate::pages::tr;
use crate::session::{self, AuthSession, RequireSession};
use crate::state::AppState;
use crate::{csrf, ratelimit};

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    current_password: Password,
    #[serde(default)]
    new_password: Password,
}

pub async fn show(State(state): State<AppState>, RequireSession(auth): RequireSession) -> Result<Response, PageError> {
    crate::session::require_recent_auth(&state, &auth, "/account/password")?;
    render(&state, &auth, StatusCode::OK, None)
}

fn render(
    state: &AppState,
    auth: &AuthSession,
    status: StatusCode,
    error: Option<(&str, &str)>,
) -> Result<Response, PageError> {
    let html = state.pages.render(
        "password.html",
        minijinja::context! {
            title => tr("password-title"),
            // (field, message): the field is marked invalid and focused.
            error_field => error.map(|e| e.0),
            signed_in => true,
            csrf => csrf::session_token(state, &auth.token_hash),
            email => auth.user.email,
            error => error.map(|e| e.1),
            min_length => state.policy.min_length(),
            max_length => state.config.password.max_length,
        },
    )?;
    Ok((status, html).into_response())
}

pub async fn submit(
    State(state): State<AppState>,
    client: ClientInfo,
    SessionForm { session: auth, form }: SessionForm<PasswordForm>,
) -> Result<Response, PageError> {
    // A sensitive action: the current password alone would let a hijacked session that has
    // phished it lock the owner out, so a recent full sign-in is required as well.
    crate::session::require_recent_auth(&state, &auth, "/account/password")?;
    let now = state.now();
    ratelimit::auth_ceiling(&state, &client.ip, now).await?;
    let user = &auth.user;
    // This form is another place to guess the password, so it shares the login limits.
    let budget = ratelimit::Budget::account(&user.email);
    if let Err(wait) = ratelimit::reserve_attempt(&state, &budget, &client.ip, now).await? {
        return Err(PageError::RateLimited { retry_after: wait });
    }
    let ok = state.hash_pool.verify(user.password.clone(), form.current_password.clone()).await?;
    if ok.is_none() {
        let who = audit::user(user);
        audit::record(&state, AuditKind::LoginFailure, who, &client, LoginFailure::BadPassword.as_str()).await;
        return render(&state, &auth, StatusCode::BAD_REQUEST, Some(("current", &tr("password-wrong-current"))));
    }
    ratelimit::attempt_succeeded(&state, &budget, &client.ip, now).await?;
    if let Err(v) = state.policy.check(&form.new_password, &user.email) {
        return render(&state, &auth, StatusCode::BAD_REQUEST, Some(("new", &crate::pages::policy_message(&v))));
    }
    let record = state.hash_pool.hash(form.new_password.clone()).await?;
    state.store.set_password(user.id, &record, true, now).await?;
    // Every session ends, this one included, and so do all tokens; a fresh session id follows
    // (OWASP: renew the session id on any privilege change).
    crate::tokens::revoke_user(&state, user.id, None, "password_change").await?;
    // The new session carries on the old one's sign-in (time and methods): the password check
    // here confirms it, it is not a new login.
    let amr = signet_core::mfa::Amr::parse(&auth.session.amr);
    let (_, cookie) = session::start(&state, user.id, &client, auth.session.auth_time, &amr).await?;
    let who = audit::user(user);
    audit::record(&state, AuditKind::PasswordChange, who, &client, "").await;
    Ok(super::see_other("/account?notice=password_changed", [cookie]))
}
