//! Login throttling (OWASP Authentication Cheat Sheet; NIST SP 800-63B §5.2.2): failed logins
//! counted per account and per client IP in a fixed window, plus a per-IP ceiling on all
//! authentication endpoints. Keys use the email as typed (normalised), not whether an account
//! exists, so the answer is the same for unknown accounts.

use signet_core::OffsetDateTime;
use signet_store::StoreError;
use time::Duration;

use crate::error::PageError;
use crate::state::AppState;

fn account_key(email_input: &str) -> String {
    let e: String = email_input
        .trim()
        .to_lowercase()
        .chars()
        .take(254)
        .collect();
    format!("login-fail:acct:{e}")
}

fn ip_key(ip: &str) -> String {
    format!("login-fail:ip:{ip}")
}

fn retry_after(resets_at: OffsetDateTime, now: OffsetDateTime) -> u64 {
    (resets_at - now).whole_seconds().max(1) as u64
}

/// Counts a request to an authentication endpoint against the per-IP ceiling.
pub async fn auth_ceiling(
    state: &AppState,
    ip: &str,
    now: OffsetDateTime,
) -> Result<(), PageError> {
    let c = state
        .ephemeral
        .hit(&format!("auth-ip:{ip}"), Duration::minutes(1), now)
        .await?;
    if c.count > state.config.rate_limit.auth_requests_per_ip_per_minute {
        return Err(PageError::RateLimited {
            retry_after: retry_after(c.resets_at, now),
        });
    }
    Ok(())
}

/// `Some(seconds)` when the account or the IP has used up its failed attempts.
pub async fn login_blocked(
    state: &AppState,
    email_input: &str,
    ip: &str,
    now: OffsetDateTime,
) -> Result<Option<u64>, StoreError> {
    let rl = &state.config.rate_limit;
    let acct = state.ephemeral.peek(&account_key(email_input), now).await?;
    let by_ip = state.ephemeral.peek(&ip_key(ip), now).await?;
    let mut wait = None;
    if acct.count >= rl.login_failures_per_account {
        wait = Some(retry_after(acct.resets_at, now));
    }
    if by_ip.count >= rl.login_failures_per_ip {
        wait = Some(wait.unwrap_or(0).max(retry_after(by_ip.resets_at, now)));
    }
    Ok(wait)
}

pub async fn record_failure(
    state: &AppState,
    email_input: &str,
    ip: &str,
    now: OffsetDateTime,
) -> Result<(), StoreError> {
    let w = state.config.rate_limit.window;
    state
        .ephemeral
        .hit(&account_key(email_input), w, now)
        .await?;
    state.ephemeral.hit(&ip_key(ip), w, now).await?;
    Ok(())
}

/// A successful login clears the account's counter (not the IP's: an attacker with one valid
/// account must not reset the IP limit used to guess others).
pub async fn record_success(state: &AppState, email_input: &str) -> Result<(), StoreError> {
    state.ephemeral.reset(&account_key(email_input)).await
}
