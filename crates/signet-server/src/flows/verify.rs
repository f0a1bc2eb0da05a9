//! Proving an address: a link and a short code, mailed together; either one verifies.
//!
//! - Both are single use, and using one uses up the other (each remembers its sibling).
//! - Both name the account and the address they were made for; an account whose address has
//!   changed since is not verified by them (`set_email_verified` matches the address).
//! - The link carries a random token (stored as SHA-256) and no address; opening it changes
//!   nothing (mail scanners open links), the page's button does.
//! - The code is six digits: guesses spend the account's login budget (`ratelimit`), like
//!   password attempts, so it cannot be searched.

use serde::{Deserialize, Serialize};
use signet_core::audit::AuditKind;
use signet_core::{Email, PlainToken, TokenHash};
use signet_store::User;
use time::Duration;

use crate::http::ClientInfo;
use crate::pages::{tr, tr_args};
use crate::state::AppState;

const LINK_KIND: &str = "email_verify";
const CODE_KIND: &str = "email_verify_code";
/// How long a verification mail works.
pub const TTL: Duration = Duration::hours(24);
const PREFIX: &str = "sgn_ev_";
/// Digits of the code.
pub const CODE_DIGITS: usize = 6;

#[derive(Debug, Serialize, Deserialize)]
struct Stored {
    uid: i64,
    email: String,
    /// The hash of the other half (link ↔ code), used up together.
    sibling: String,
    sibling_kind: String,
}

fn code_hash(uid: i64, code: &str) -> TokenHash {
    TokenHash::of(format!("email-code:{uid}:{code}").as_bytes())
}

/// Mails a fresh link and code for the account's current address.
pub async fn send(state: &AppState, user: &User) -> anyhow::Result<()> {
    let token = PlainToken::generate(PREFIX);
    let code = signet_core::mfa::generate_digits(CODE_DIGITS);
    let (link_hash, c_hash) = (token.hash(), code_hash(user.id, &code));
    let expires = state.now() + TTL;
    let stored = |sibling: &TokenHash, sibling_kind: &str| {
        serde_json::to_string(&Stored {
            uid: user.id,
            email: user.email.clone(),
            sibling: sibling.as_str().to_owned(),
            sibling_kind: sibling_kind.to_owned(),
        })
    };
    state.store.put_challenge(&link_hash, LINK_KIND, Some(user.id), &stored(&c_hash, CODE_KIND)?, expires).await?;
    state.store.put_challenge(&c_hash, CODE_KIND, Some(user.id), &stored(&link_hash, LINK_KIND)?, expires).await?;
    let link = format!("{}/verify-email/{}", state.config.issuer_base(), token.expose());
    let notice = crate::mail::Notice {
        paragraphs: vec![tr_args("mail-verify-email-body", &[("email", user.email.clone().into())])],
        code_label: Some(tr("mail-verify-email-code")),
        code: Some(code.to_string()),
        notes: vec![
            tr_args("mail-verify-email-expiry", &[("hours", TTL.whole_hours().into())]),
            tr("mail-verify-email-ignore"),
        ],
        ..Default::default()
    }
    .button(tr("mail-verify-email-button"), link);
    crate::mail::compose(state, "verify_email", &user.email, notice).await?;
    Ok(())
}

/// [`send`] in a task of its own, in the current page language (after the response, so the
/// answer's timing does not depend on the account).
pub fn send_later(state: &AppState, user: User) {
    let st = state.clone();
    super::after_answer(state, "verification mail", async move { send(&st, &user).await });
}

/// The account and address a verification link is for, without using it up.
pub async fn peek_link(state: &AppState, token: &str) -> anyhow::Result<Option<(User, String)>> {
    if !token.starts_with(PREFIX) || token.len() > 64 {
        return Ok(None);
    }
    let Some(json) = state.store.peek_challenge(&TokenHash::of(token.as_bytes()), LINK_KIND, state.now()).await? else {
        return Ok(None);
    };
    let stored: Stored = serde_json::from_str(&json)?;
    let user = state.store.user_by_id(stored.uid).await?;
    Ok(user.filter(|u| u.email == stored.email).map(|u| (u, stored.email)))
}

/// Uses up a link (and its code) and verifies the address: the account, once.
pub async fn take_link(state: &AppState, token: &str, client: &ClientInfo) -> anyhow::Result<Option<User>> {
    if !token.starts_with(PREFIX) || token.len() > 64 {
        return Ok(None);
    }
    take(state, &TokenHash::of(token.as_bytes()), LINK_KIND, None, client).await
}

/// Uses up a code typed for `email` (and its link) and verifies the address.
pub async fn take_code(state: &AppState, user: &User, code: &str, client: &ClientInfo) -> anyhow::Result<Option<User>> {
    let code: String = code.chars().filter(|c| !c.is_whitespace() && *c != '-').collect();
    if code.len() != CODE_DIGITS || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(None);
    }
    take(state, &code_hash(user.id, &code), CODE_KIND, Some(user.id), client).await
}

async fn take(
    state: &AppState,
    hash: &TokenHash,
    kind: &str,
    expect_user: Option<i64>,
    client: &ClientInfo,
) -> anyhow::Result<Option<User>> {
    let now = state.now();
    let Some((owner, json)) = state.store.take_challenge(hash, kind, now).await? else { return Ok(None) };
    let stored: Stored = serde_json::from_str(&json)?;
    if owner != Some(stored.uid) || expect_user.is_some_and(|u| u != stored.uid) {
        return Ok(None);
    }
    // The other half goes too, whatever happens next.
    let sibling = TokenHash::from_stored(stored.sibling.clone());
    state.store.take_challenge(&sibling, &stored.sibling_kind, now).await?;
    if !state.store.set_email_verified(stored.uid, &stored.email, now).await? {
        return Ok(None);
    }
    let Some(user) = state.store.user_by_id(stored.uid).await? else { return Ok(None) };
    crate::audit::record(state, AuditKind::EmailVerified, crate::audit::user(&user), client, "").await;
    Ok(Some(user))
}

/// The address an e-mail code form names, if it is an account's.
pub async fn account_for(state: &AppState, email_input: &str) -> anyhow::Result<Option<User>> {
    let Ok(email) = Email::parse(email_input) else { return Ok(None) };
    Ok(state.store.user_by_email(&email).await?)
}
