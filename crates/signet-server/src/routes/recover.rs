//! `GET|POST /recover` ("Forgot password?") and `GET|POST /recover/{token}` (choosing a new
//! password from the mailed link). The rules are in `flows::recovery`.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Deserialize;
use signet_core::audit::AuditKind;
use signet_core::Password;
use signet_store::User;

use crate::csrf::PresessionForm;
use crate::error::PageError;
use crate::flows::recovery;
use crate::http::ClientInfo;
use crate::mfa::{self, Verdict};
use crate::pages::tr;
use crate::state::AppState;
use crate::{audit, ratelimit};

/// Recovery requests per typed address and per client address in each rate-limit window.
const PER_ADDRESS: u32 = 3;
const PER_IP: u32 = 10;

#[derive(Deserialize)]
pub struct RequestForm {
    #[serde(default)]
    email: String,
}

#[derive(Deserialize)]
pub struct ResetForm {
    #[serde(default)]
    new_password: Password,
    /// A code from the authenticator app, or a backup code.
    #[serde(default)]
    code: Password,
}

fn render(
    state: &AppState,
    headers: &HeaderMap,
    status: StatusCode,
    ctx: minijinja::Value,
) -> Result<Response, PageError> {
    let ctx = minijinja::context! {
        title => tr("recover-title"),
        min_length => state.policy.min_length(),
        max_length => state.config.password.max_length,
        ..ctx
    };
    crate::link_pages::presession_page(state, headers, status, "recover.html", ctx)
}

pub async fn show(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, PageError> {
    render(&state, &headers, StatusCode::OK, minijinja::context! { mode => "request" })
}

/// The same answer for every address; the work happens after it (`recovery::request`).
pub async fn submit(
    State(state): State<AppState>,
    client: ClientInfo,
    headers: HeaderMap,
    PresessionForm(form): PresessionForm<RequestForm>,
) -> Result<Response, PageError> {
    let now = state.now();
    ratelimit::auth_ceiling(&state, &client.ip, now).await?;
    let typed: String = form.email.trim().to_lowercase().chars().take(254).collect();
    let limits = [(format!("recover-addr:{typed}"), PER_ADDRESS), (format!("recover-ip:{}", client.ip), PER_IP)];
    if let Some(retry_after) = ratelimit::hit_all(&state, &limits, state.config.rate_limit.window, now).await? {
        return Err(PageError::RateLimited { retry_after });
    }
    recovery::request(&state, &typed, &client);
    render(&state, &headers, StatusCode::OK, minijinja::context! { mode => "sent", email => typed })
}

/// What the new-password form asks for besides the password.
fn second_step(f: &mfa::Factors) -> &'static str {
    match (f.any(), f.totp || f.backup_remaining > 0) {
        (false, _) => "none",
        (true, true) => "code",
        // Passkeys only: a passkey ceremony on the page proves the second factor.
        (true, false) => "passkey",
    }
}

async fn reset_page(
    state: &AppState,
    headers: &HeaderMap,
    token: &str,
    user: &User,
    status: StatusCode,
    error: Option<(&str, String)>,
) -> Result<Response, PageError> {
    let factors = mfa::factors(state, user.id).await?;
    let ctx = minijinja::context! {
        mode => "reset", email => user.email.clone(), second => second_step(&factors), totp => factors.totp,
        token,
        error_field => error.as_ref().map(|e| e.0), error => error.map(|e| e.1),
    };
    render(state, headers, status, ctx)
}

fn invalid(state: &AppState, headers: &HeaderMap) -> Result<Response, PageError> {
    render(state, headers, StatusCode::BAD_REQUEST, minijinja::context! { mode => "invalid" })
}

/// Opening the link changes nothing (mail scanners open links too).
pub async fn show_reset(
    State(state): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    match recovery::peek(&state, &token).await? {
        Some(user) => reset_page(&state, &headers, &token, &user, StatusCode::OK, None).await,
        None => invalid(&state, &headers),
    }
}

pub async fn submit_reset(
    State(state): State<AppState>,
    Path(token): Path<String>,
    client: ClientInfo,
    headers: HeaderMap,
    PresessionForm(form): PresessionForm<ResetForm>,
) -> Result<Response, PageError> {
    let now = state.now();
    ratelimit::auth_ceiling(&state, &client.ip, now).await?;
    let Some(user) = recovery::peek(&state, &token).await? else { return invalid(&state, &headers) };
    // The second factor is guessable: attempts count against the account's login budget.
    let budget = ratelimit::Budget::account(&user.email);
    if let Err(wait) = ratelimit::reserve_attempt(&state, &budget, &client.ip, now).await? {
        return Err(PageError::RateLimited { retry_after: wait });
    }
    if let Err(v) = state.policy.check(&form.new_password, &user.email) {
        let msg = crate::pages::policy_message(&v);
        return reset_page(&state, &headers, &token, &user, StatusCode::BAD_REQUEST, Some(("new", msg))).await;
    }
    let factors = mfa::factors(&state, user.id).await?;
    let refusal = match second_step(&factors) {
        "code" => {
            let code = form.code.expose();
            let ok = (factors.totp && mfa::check_totp(&state, user.id, code, now).await? == Verdict::Accepted)
                || mfa::check_backup(&state, user.id, code, now).await?;
            (!ok).then(|| ("code", tr("recover-bad-code")))
        }
        // The page's passkey ceremony (`passkey.js`, mode `recover`) left a proof for this link.
        "passkey" => {
            let proven = recovery::has_passkey_proof(&state, &token).await?;
            (!proven).then(|| ("passkey", tr("recover-passkey-needed")))
        }
        _ => None,
    };
    if let Some(error) = refusal {
        return reset_page(&state, &headers, &token, &user, StatusCode::BAD_REQUEST, Some(error)).await;
    }
    // Single use: of two submissions racing, one gets here.
    if second_step(&factors) == "passkey" && !recovery::take_passkey_proof(&state, &token, &user).await? {
        return invalid(&state, &headers);
    }
    if !recovery::take(&state, &token, &user).await? {
        return invalid(&state, &headers);
    }
    let record = state.hash_pool.hash(form.new_password.clone()).await?;
    state.store.set_password(user.id, &record, true, now).await?;
    // The link reached this address's inbox: the address is proven too.
    if !user.email_verified() {
        state.store.set_email_verified(user.id, &user.email, now).await?;
    }
    crate::tokens::revoke_user(&state, user.id, None, "password_reset").await?;
    ratelimit::attempt_succeeded(&state, &budget, &client.ip, now).await?;
    audit::record(&state, AuditKind::PasswordReset, audit::user(&user), &client, "").await;
    let ctx = minijinja::context! {
        when => crate::pages::fmt_time(now),
        device => crate::pages::describe_user_agent(&client.user_agent),
        ip => client.ip.clone(),
    };
    if let Err(e) = crate::mail::compose(&state, "password_changed", &user.email, ctx).await {
        tracing::warn!(error = %e, "could not queue the password-changed notice");
    }
    Ok(super::see_other("/login?notice=password_reset", []))
}
