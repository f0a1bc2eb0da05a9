//! `GET/POST /login/second-factor`: the step after a correct password for users with a second
//! factor. Only a completed factor turns the pending login into a session; nothing before this
//! page issues one (so the factor cannot be skipped by going elsewhere).

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use signet_core::audit::{AuditKind, LoginFailure};
use signet_core::mfa::Method;
use signet_core::TokenHash;
use signet_store::User;

use crate::audit;
use crate::csrf::PresessionForm;
use crate::error::PageError;
use crate::flows::sign_in;
use crate::http::with_cookies;
use crate::http::ClientInfo;
use crate::mfa::{self, PendingLogin, Verdict};
use crate::pages::tr;
use crate::session::MaybeSession;
use crate::state::AppState;
use crate::{csrf, ratelimit};

#[derive(Deserialize)]
pub struct CodeForm {
    /// `totp` or `backup`.
    #[serde(default)]
    method: String,
    /// A secret while it is fresh: redacted `Debug`, zeroized.
    #[serde(default)]
    code: signet_core::Password,
}

async fn pending_or_restart(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Result<(TokenHash, PendingLogin, User), Response>, PageError> {
    let restart = || super::see_other("/login?notice=mfa_expired", [mfa::clear_pending_cookie(state)]);
    let Some((hash, p)) = mfa::load_pending(state, headers).await? else { return Ok(Err(restart())) };
    match state.store.user_by_id(p.user_id).await? {
        Some(u) if u.can_sign_in(state.now()) => Ok(Ok((hash, p, u))),
        _ => Ok(Err(restart())),
    }
}

pub async fn show(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, PageError> {
    let (_, p, user) = match pending_or_restart(&state, &headers).await? {
        Ok(v) => v,
        Err(r) => return Ok(r),
    };
    render(&state, &headers, &p, &user, StatusCode::OK, None, None).await
}

async fn render(
    state: &AppState,
    headers: &HeaderMap,
    p: &PendingLogin,
    user: &User,
    status: StatusCode,
    error: Option<&str>,
    // Which form the error belongs to (`totp` or `backup`): that field is marked and focused.
    error_field: Option<&str>,
) -> Result<Response, PageError> {
    let factors = mfa::factors(state, user.id).await?;
    let (csrf, set) = csrf::presession_token(state, headers);
    let pending = crate::flows::authorize::pending_for(state, &p.return_to).await;
    let html = state.pages.render(
        "second_factor.html",
        minijinja::context! {
            title => tr("second-factor-title"),
            csrf, error, error_field,
            app_name => pending.as_ref().map(|(_, c)| c.name.clone()),
            totp => factors.totp,
            passkeys => factors.passkeys > 0 && state.webauthn.is_some(),
            backup => factors.backup_remaining > 0,
            email => user.email,
        },
    )?;
    let res = with_cookies((status, html).into_response(), set);
    Ok(crate::flows::authorize::allow_pending_client(res, pending.as_ref()))
}

pub async fn submit(
    State(state): State<AppState>,
    MaybeSession(existing): MaybeSession,
    client: ClientInfo,
    headers: HeaderMap,
    PresessionForm(form): PresessionForm<CodeForm>,
) -> Result<Response, PageError> {
    let now = state.now();
    ratelimit::auth_ceiling(&state, &client.ip, now).await?;
    let (hash, p, user) = match pending_or_restart(&state, &headers).await? {
        Ok(v) => v,
        Err(r) => return Ok(r),
    };
    // Six digits are guessable without a limit: code attempts count against the same per-account
    // and per-IP budget as passwords (NIST SP 800-63B §5.2.2).
    let who = audit::user(&user);
    let budget = ratelimit::Budget::for_browser(&state, &headers, &p.email_input);
    ratelimit::reserve_or_lockout(&state, &budget, &client, who, now).await?;
    let (verdict, method) = match form.method.as_str() {
        "backup" => {
            let ok = mfa::check_backup(&state, user.id, form.code.expose(), now).await?;
            (if ok { Verdict::Accepted } else { Verdict::Invalid }, "backup_code")
        }
        _ => (mfa::check_totp(&state, user.id, form.code.expose(), now).await?, "totp"),
    };
    let who = audit::user(&user);
    if verdict != Verdict::Accepted {
        let reason = match verdict {
            Verdict::Replayed => LoginFailure::ReplayedSecondFactor,
            _ => LoginFailure::BadSecondFactor,
        };
        audit::record(&state, AuditKind::LoginFailure, who, &client, reason.as_str()).await;
        let msg = tr(match verdict {
            Verdict::Replayed => "second-factor-replayed",
            _ if method == "backup_code" => "second-factor-bad-backup",
            _ => "second-factor-bad-totp",
        });
        let field = if method == "backup_code" { "backup" } else { "totp" };
        return render(&state, &headers, &p, &user, StatusCode::BAD_REQUEST, Some(&msg), Some(field)).await;
    }
    if method == "backup_code" {
        let left = state.store.backup_codes_remaining(user.id).await?;
        audit::record(&state, AuditKind::BackupCodeUsed, who, &client, &format!("remaining:{left}")).await;
    }
    sign_in::second_factor_done(&state, existing, &hash, &p, &user, &[Method::Otp], &client).await
}
