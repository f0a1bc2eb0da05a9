//! Second factors: TOTP (RFC 6238) with its secret sealed under the key-encryption key, backup
//! codes stored as keyed hashes, and the pending login that sits between a correct password and
//! a completed second factor.

use axum::http::{HeaderMap, HeaderValue};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use signet_core::mfa::{generate_backup_code, normalize_backup_code, BACKUP_CODE_COUNT};
use signet_core::totp::{TotpCheck, TotpSecret};
use signet_core::{OffsetDateTime, PlainToken, TokenHash};
use signet_store::StoreError;
use time::Duration;
use zeroize::Zeroizing;

use crate::error::PageError;
use crate::http::{cookie, set_cookie};
use crate::state::AppState;

/// What second factors a user has.
#[derive(Debug, Clone, Default)]
pub struct Factors {
    pub totp: bool,
    pub passkeys: usize,
    pub backup_remaining: i64,
}

impl Factors {
    /// A user with any of these must complete one at every login.
    pub fn any(&self) -> bool {
        self.totp || self.passkeys > 0
    }
}

pub async fn factors(state: &AppState, user_id: i64) -> Result<Factors, StoreError> {
    let totp = state.store.totp(user_id).await?.is_some_and(|t| t.confirmed);
    let passkeys = state.store.list_passkeys(user_id).await?.len();
    let backup_remaining = state.store.backup_codes_remaining(user_id).await?;
    Ok(Factors { totp, passkeys, backup_remaining })
}

fn totp_aad(user_id: i64) -> Vec<u8> {
    format!("signet-totp:{user_id}").into_bytes()
}

pub fn seal_totp(state: &AppState, user_id: i64, secret: &TotpSecret) -> anyhow::Result<Vec<u8>> {
    crate::kek::seal(&state.secrets.kek, &totp_aad(user_id), secret.expose_bytes())
}

pub fn open_totp(state: &AppState, user_id: i64, blob: &[u8]) -> anyhow::Result<TotpSecret> {
    let bytes = crate::kek::open(&state.secrets.kek, &totp_aad(user_id), blob)?;
    TotpSecret::from_bytes(bytes.to_vec()).ok_or_else(|| anyhow::anyhow!("stored TOTP secret too short"))
}

/// The outcome of a second-factor check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Accepted,
    /// A correct code for a time step already used (RFC 6238 §5.2): refused.
    Replayed,
    Invalid,
}

/// Checks a TOTP code of the user's confirmed authenticator and records its time step, so the
/// same code never works twice — even for two concurrent requests (the store's compare-and-set).
pub async fn check_totp(state: &AppState, user_id: i64, code: &str, now: OffsetDateTime) -> Result<Verdict, PageError> {
    let Some(f) = state.store.totp(user_id).await?.filter(|f| f.confirmed) else {
        return Ok(Verdict::Invalid);
    };
    let secret = open_totp(state, user_id, &f.secret_enc)?;
    Ok(match secret.verify(code, now, Some(f.last_step)) {
        TotpCheck::Accepted { step } => {
            if state.store.use_totp_step(user_id, step, now).await? {
                Verdict::Accepted
            } else {
                Verdict::Replayed
            }
        }
        TotpCheck::Replayed => Verdict::Replayed,
        TotpCheck::Invalid => Verdict::Invalid,
    })
}

/// Backup codes are stored as HMAC-SHA-256 under a key derived from the key-encryption key:
/// a copy of the database alone does not allow guessing them offline. The user id is part of the
/// message, so equal codes of two users hash differently.
fn backup_hash(state: &AppState, user_id: i64, normalized: &str) -> String {
    let sub_key = {
        let Ok(mut m) = Hmac::<Sha256>::new_from_slice(&state.secrets.kek) else { return String::new() };
        m.update(b"signet backup-code hashing key");
        Zeroizing::new(m.finalize().into_bytes().to_vec())
    };
    let Ok(mut m) = Hmac::<Sha256>::new_from_slice(&sub_key) else { return String::new() };
    m.update(format!("{user_id}\0{normalized}").as_bytes());
    hex::encode(m.finalize().into_bytes())
}

/// Replaces the user's backup codes with a fresh set and returns it, for showing once.
pub async fn new_backup_codes(
    state: &AppState,
    user_id: i64,
    now: OffsetDateTime,
) -> Result<Vec<Zeroizing<String>>, StoreError> {
    let codes: Vec<Zeroizing<String>> = (0..BACKUP_CODE_COUNT).map(|_| generate_backup_code()).collect();
    let hashes: Vec<String> =
        codes.iter().filter_map(|c| normalize_backup_code(c)).map(|n| backup_hash(state, user_id, &n)).collect();
    state.store.replace_backup_codes(user_id, &hashes, now).await?;
    Ok(codes)
}

/// Uses up a backup code; `true` if it was one of the user's unused codes.
pub async fn check_backup(state: &AppState, user_id: i64, code: &str, now: OffsetDateTime) -> Result<bool, StoreError> {
    let Some(n) = normalize_backup_code(code) else { return Ok(false) };
    state.store.use_backup_code(user_id, &backup_hash(state, user_id, &n), now).await
}

/// Between a correct password and a completed second factor. Lives server-side as a
/// single-use challenge; the browser holds only its random id in a cookie.
#[derive(Debug, Serialize, Deserialize)]
pub struct PendingLogin {
    pub user_id: i64,
    /// The email as typed at login: the rate-limit key the password attempt was counted under.
    pub email_input: String,
    pub return_to: String,
    /// Methods already completed (the password).
    pub amr: String,
}

const PENDING_KIND: &str = "mfa_login";
/// Long enough to open an authenticator app; short enough that a forgotten tab expires.
pub const PENDING_TTL: Duration = Duration::minutes(5);

pub async fn start_pending(state: &AppState, p: &PendingLogin) -> Result<HeaderValue, PageError> {
    let id = PlainToken::generate("");
    let json = serde_json::to_string(p).map_err(|e| PageError::Unexpected(e.into()))?;
    let expires = state.now() + PENDING_TTL;
    state.store.put_challenge(&id.hash(), PENDING_KIND, Some(p.user_id), &json, expires).await?;
    Ok(set_cookie(state.cookies.mfa, id.expose(), PENDING_TTL.whole_seconds(), state.cookies.secure))
}

/// The pending login named by this browser's cookie, if any and unexpired.
pub async fn load_pending(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Option<(TokenHash, PendingLogin)>, PageError> {
    let Some(value) = cookie(headers, state.cookies.mfa) else { return Ok(None) };
    if value.len() != 43 {
        return Ok(None);
    }
    let hash = PlainToken::from_client(value).hash();
    let Some(json) = state.store.peek_challenge(&hash, PENDING_KIND, state.now()).await? else { return Ok(None) };
    let p: PendingLogin = serde_json::from_str(&json).map_err(|e| PageError::Unexpected(e.into()))?;
    Ok(Some((hash, p)))
}

/// Uses up the pending login; `false` if another request already completed it.
pub async fn finish_pending(state: &AppState, hash: &TokenHash) -> Result<bool, StoreError> {
    Ok(state.store.take_challenge(hash, PENDING_KIND, state.now()).await?.is_some())
}

pub fn clear_pending_cookie(state: &AppState) -> HeaderValue {
    set_cookie(state.cookies.mfa, "", 0, state.cookies.secure)
}

/// "A backup code was used on …" for the account pages, if one was used in the last 30 days.
pub async fn last_backup_code_use(state: &AppState, user_id: i64) -> Result<Option<String>, PageError> {
    let since = state.now() - Duration::days(30);
    let events = state.store.list_audit(Some(user_id), 200).await?;
    Ok(events
        .into_iter()
        .find(|e| e.kind == signet_core::audit::AuditKind::BackupCodeUsed.as_str() && e.at >= since)
        .map(|e| crate::pages::fmt_time(e.at)))
}

/// Audits a removal (`kind`); with no factor left, backup codes mean nothing and are deleted.
pub async fn after_factor_removed(
    state: &AppState,
    auth: &crate::session::AuthSession,
    client: &crate::http::ClientInfo,
    kind: signet_core::audit::AuditKind,
    what: &str,
) -> Result<(), PageError> {
    if !factors(state, auth.user.id).await?.any() {
        state.store.delete_backup_codes(auth.user.id).await?;
    }
    let who = crate::audit::user(&auth.user);
    crate::audit::record(state, kind, who, client, what).await;
    Ok(())
}
