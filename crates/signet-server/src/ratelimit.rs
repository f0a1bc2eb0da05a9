//! Login throttling (OWASP Authentication Cheat Sheet; NIST SP 800-63B §5.2.2): attempts
//! counted per account (or, for a browser that signed in to it before, per device: see
//! `device_cookie`) and per client IP in a fixed window, plus a per-IP ceiling on all
//! authentication endpoints. Keys use the email as typed (normalised), not whether an account
//! exists, so the answer is the same for unknown accounts.
//!
//! An attempt is *reserved* (counted) before the password is checked and given back if it
//! succeeds. Counting only after a failed check would let a burst of concurrent guesses all pass
//! the limit check while their slow Argon2 verifications are still running.

use signet_core::OffsetDateTime;
use signet_store::StoreError;
use time::Duration;

use crate::error::PageError;
use crate::state::AppState;

/// Whose password-attempt budget an attempt spends: the account's, shared by every unknown
/// browser, or a known browser's own (`device_cookie`).
#[derive(Debug, Clone)]
pub struct Budget(String);

impl Budget {
    /// The account budget for `email_input` (as typed, normalised): the same for unknown
    /// accounts, so the answer never says whether one exists.
    pub fn account(email_input: &str) -> Self {
        let e: String = email_input.trim().to_lowercase().chars().take(254).collect();
        Self(format!("login:acct:{e}"))
    }

    /// The budget of this browser for `email_input`: its own if it has signed in to that
    /// account before, the account's otherwise.
    pub fn for_browser(state: &AppState, headers: &axum::http::HeaderMap, email_input: &str) -> Self {
        match crate::device_cookie::known(state, headers, email_input) {
            Some(device) => Self(format!("login:dev:{device}")),
            None => Self::account(email_input),
        }
    }
}

/// The outcome of reserving an attempt.
#[derive(Debug, Clone, Copy)]
pub struct Reserved {
    /// Attempts left in the budget's window after this one (per typed email, so the same for
    /// accounts that do not exist).
    pub remaining: u32,
}

fn ip_key(ip: &str) -> String {
    format!("login:ip:{ip}")
}

fn retry_after(resets_at: OffsetDateTime, now: OffsetDateTime) -> u64 {
    (resets_at - now).whole_seconds().max(1) as u64
}

/// Counts one hit on each of `limits` (key, most hits per `window`); `Some(seconds to wait)`
/// when any of them is past its limit. Every key is counted, so no limit can be dodged by
/// tripping another first.
pub async fn hit_all(
    state: &AppState,
    limits: &[(String, u32)],
    window: Duration,
    now: OffsetDateTime,
) -> Result<Option<u64>, StoreError> {
    let mut wait = None;
    for (key, limit) in limits {
        let c = state.ephemeral.hit(key, window, now).await?;
        if c.count > *limit {
            wait = Some(wait.unwrap_or(0).max(retry_after(c.resets_at, now)));
        }
    }
    Ok(wait)
}

/// Counts a request to an authentication endpoint against the per-IP ceiling.
pub async fn auth_ceiling(state: &AppState, ip: &str, now: OffsetDateTime) -> Result<(), PageError> {
    let c = state.ephemeral.hit(&format!("auth-ip:{ip}"), Duration::minutes(1), now).await?;
    if c.count > state.config.rate_limit.auth_requests_per_ip_per_minute {
        return Err(PageError::RateLimited { retry_after: retry_after(c.resets_at, now) });
    }
    Ok(())
}

/// Reserves one password attempt from `budget` and the IP. `Err(seconds)` when either has used
/// up its attempts for the window: the caller answers 429 without checking anything.
pub async fn reserve_attempt(
    state: &AppState,
    budget: &Budget,
    ip: &str,
    now: OffsetDateTime,
) -> Result<Result<Reserved, u64>, StoreError> {
    let rl = &state.config.rate_limit;
    let acct = state.ephemeral.hit(&budget.0, rl.window, now).await?;
    let by_ip = state.ephemeral.hit(&ip_key(ip), rl.window, now).await?;
    let mut wait = None;
    if acct.count > rl.login_failures_per_account {
        wait = Some(retry_after(acct.resets_at, now));
    }
    if by_ip.count > rl.login_failures_per_ip {
        wait = Some(wait.unwrap_or(0).max(retry_after(by_ip.resets_at, now)));
    }
    Ok(match wait {
        Some(w) => Err(w),
        None => Ok(Reserved { remaining: rl.login_failures_per_account.saturating_sub(acct.count) }),
    })
}

/// [`reserve_attempt`], answering 429 (and auditing the lockout) when the budget is spent.
pub async fn reserve_or_lockout(
    state: &AppState,
    budget: &Budget,
    client: &crate::http::ClientInfo,
    who: crate::audit::Actor<'_>,
    now: OffsetDateTime,
) -> Result<Reserved, PageError> {
    match reserve_attempt(state, budget, &client.ip, now).await? {
        Ok(r) => Ok(r),
        Err(wait) => {
            let reason = signet_core::audit::LoginFailure::RateLimited.as_str();
            crate::audit::record(state, signet_core::audit::AuditKind::Lockout, who, client, reason).await;
            Err(PageError::RateLimited { retry_after: wait })
        }
    }
}

/// The reserved attempt succeeded: the budget starts over and the IP gets its attempt back (so
/// many users behind one NAT can sign in). Failures stay counted.
pub async fn attempt_succeeded(
    state: &AppState,
    budget: &Budget,
    ip: &str,
    now: OffsetDateTime,
) -> Result<(), StoreError> {
    state.ephemeral.reset(&budget.0).await?;
    state.ephemeral.undo(&ip_key(ip), now).await
}
