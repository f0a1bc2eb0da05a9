//! Password recovery by e-mail (OWASP Forgot Password Cheat Sheet).
//!
//! - The request answers the same for every address, and does the same work: looking the
//!   address up, making a token and queueing the mail happen after the answer, in a task of
//!   their own ([`request`]), so neither the text nor the timing tells whether an account exists.
//! - The link carries a random single-use token (stored as SHA-256 only, valid 15 minutes) and no
//!   e-mail address; the token is bound to the account's current password hash, so a password
//!   change (by recovery or otherwise) invalidates every outstanding link.
//! - Opening the link changes nothing (mail scanners fetch links); the form's POST uses the
//!   token up, sets the password, ends every session and refresh family, asks for the second
//!   factor when one is enrolled (a TOTP or backup code typed in the form, or a passkey
//!   ceremony on the page: [`passkey_proven`]), mails a notice, and never signs the user in.

use serde::{Deserialize, Serialize};
use signet_core::audit::AuditKind;
use signet_core::{Email, PlainToken, TokenHash};
use signet_store::User;
use time::Duration;

use crate::http::ClientInfo;
use crate::state::AppState;

/// The challenge kind of recovery tokens.
pub const KIND: &str = "password_reset";
/// How long a recovery link works.
pub const TTL: Duration = Duration::minutes(15);
/// Token prefix (so a leaked one is recognisable in logs and scanners).
const PREFIX: &str = "sgn_rc_";

/// What the stored token remembers.
#[derive(Debug, Serialize, Deserialize)]
struct Stored {
    /// The account (also the challenge's owner; kept here so a look without using the token
    /// up can find it).
    uid: i64,
    /// SHA-256 of the password hash when the link was made.
    pw: String,
}

/// The fingerprint a token is bound to: SHA-256 of the stored password hash (or of nothing,
/// for an account without a password).
fn fingerprint(user: &User) -> String {
    TokenHash::of(user.password.as_ref().map_or("", |p| p.hash.as_str()).as_bytes()).as_str().to_owned()
}

/// Starts a recovery for the address as typed, after the response: see the module docs.
pub fn request(state: &AppState, email_input: &str, client: &ClientInfo) {
    let (st, email_input, client) = (state.clone(), email_input.to_owned(), client.clone());
    super::after_answer(state, "password recovery request", async move { send_link(&st, &email_input, &client).await });
}

async fn send_link(state: &AppState, email_input: &str, client: &ClientInfo) -> anyhow::Result<()> {
    let Ok(email) = Email::parse(email_input) else { return Ok(()) };
    let Some(user) = state.store.user_by_email(&email).await? else { return Ok(()) };
    if user.disabled {
        return Ok(());
    }
    let token = PlainToken::generate(PREFIX);
    let stored = serde_json::to_string(&Stored { uid: user.id, pw: fingerprint(&user) })?;
    state.store.put_challenge(&token.hash(), KIND, Some(user.id), &stored, state.now() + TTL).await?;
    let link = format!("{}/recover/{}", state.config.issuer_base(), token.expose());
    let ctx = minijinja::context! { link, minutes => TTL.whole_minutes(), email => user.email.clone() };
    crate::mail::compose(state, "password_reset", &user.email, ctx).await?;
    crate::audit::record(state, AuditKind::PasswordResetRequest, crate::audit::user(&user), client, "").await;
    Ok(())
}

/// The account a recovery token is for, if the token is known, unexpired, unused, and the
/// password has not changed since it was made. Uses nothing up.
pub async fn peek(state: &AppState, token: &str) -> anyhow::Result<Option<User>> {
    if !token.starts_with(PREFIX) || token.len() > 64 {
        return Ok(None);
    }
    let hash = TokenHash::of(token.as_bytes());
    let Some(json) = state.store.peek_challenge(&hash, KIND, state.now()).await? else { return Ok(None) };
    let stored: Stored = serde_json::from_str(&json)?;
    let Some(user) = state.store.user_by_id(stored.uid).await? else { return Ok(None) };
    if user.disabled || fingerprint(&user) != stored.pw {
        return Ok(None);
    }
    Ok(Some(user))
}

/// Uses the token up: `true` for exactly one caller, and only while it is still bound to the
/// password the account has now.
pub async fn take(state: &AppState, token: &str, user: &User) -> anyhow::Result<bool> {
    let hash = TokenHash::of(token.as_bytes());
    let Some((owner, json)) = state.store.take_challenge(&hash, KIND, state.now()).await? else { return Ok(false) };
    let stored: Stored = serde_json::from_str(&json)?;
    Ok(owner == Some(user.id) && stored.uid == user.id && stored.pw == fingerprint(user))
}

/// The challenge kind of "this link's second factor was proven with a passkey".
const PASSKEY_PROOF: &str = "password_reset_passkey";
/// How long that proof waits for the new-password form.
const PROOF_TTL: Duration = Duration::minutes(5);

fn proof_id(token: &str) -> TokenHash {
    TokenHash::of(format!("passkey-proof:{token}").as_bytes())
}

/// A passkey of the account answered a recovery ceremony for `token` (`routes::passkeys`):
/// the new-password form may go through once within [`PROOF_TTL`].
pub async fn passkey_proven(state: &AppState, token: &str, user_id: i64) -> Result<(), signet_store::StoreError> {
    state.store.put_challenge(&proof_id(token), PASSKEY_PROOF, Some(user_id), "", state.now() + PROOF_TTL).await
}

/// Whether a passkey proved this recovery (without using the proof up).
pub async fn has_passkey_proof(state: &AppState, token: &str) -> Result<bool, signet_store::StoreError> {
    Ok(state.store.peek_challenge(&proof_id(token), PASSKEY_PROOF, state.now()).await?.is_some())
}

/// Uses the proof up: `true` for exactly one caller, and only for `user`.
pub async fn take_passkey_proof(state: &AppState, token: &str, user: &User) -> Result<bool, signet_store::StoreError> {
    let taken = state.store.take_challenge(&proof_id(token), PASSKEY_PROOF, state.now()).await?;
    Ok(taken.is_some_and(|(owner, _)| owner == Some(user.id)))
}
