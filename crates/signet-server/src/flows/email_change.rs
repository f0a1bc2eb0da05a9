//! Changing the account's address.
//!
//! 1. `request` (signed in, recent authentication): a link goes to the *new* address; nothing
//!    changes yet. An address that already has an account gets nothing (and the answer is the
//!    same, so the form does not tell which addresses are registered).
//! 2. `confirm` (the link, in any browser): the address changes, proven; the *old* address gets a
//!    notice with a revert link valid 7 days (Kratos never tells the old address).
//! 3. `revert` (that link): the old address comes back, every session and refresh-token family
//!    ends, and a recovery link goes to the old address, since whoever changed it may know
//!    the password. An unverified account registered on the old address meanwhile (to block
//!    the revert) is erased; a verified one wins, and the reverted account is disabled.
//!
//! Links are single use, carry no address in clear, and are stored as SHA-256.

use serde::{Deserialize, Serialize};
use signet_core::audit::AuditKind;
use signet_core::{Email, PlainToken, TokenHash};
use signet_store::{StoreError, User};
use time::Duration;

use crate::http::ClientInfo;
use crate::pages::{tr, tr_args};
use crate::state::AppState;

const CONFIRM_KIND: &str = "email_change";
const REVERT_KIND: &str = "email_revert";
const CONFIRM_PREFIX: &str = "sgn_ec_";
const REVERT_PREFIX: &str = "sgn_er_";
/// How long the confirmation link (to the new address) works.
pub const CONFIRM_TTL: Duration = Duration::hours(24);
/// How long the revert link (to the old address) works.
pub const REVERT_TTL: Duration = Duration::days(7);

#[derive(Debug, Serialize, Deserialize)]
struct Stored {
    uid: i64,
    old: String,
    new: String,
}

/// What a link is for, read without using it up.
#[derive(Debug)]
pub struct Pending {
    pub user: User,
    pub old: String,
    pub new: String,
}

fn well_formed(token: &str, prefix: &str) -> bool {
    token.starts_with(prefix) && token.len() <= 64
}

/// Step 1, after the answer (see the module docs).
pub fn request(state: &AppState, user: &User, new: Email, client: &ClientInfo) {
    let (st, user, client) = (state.clone(), user.clone(), client.clone());
    super::after_answer(state, "e-mail change", async move { send_confirmation(&st, &user, &new, &client).await });
}

async fn send_confirmation(state: &AppState, user: &User, new: &Email, client: &ClientInfo) -> anyhow::Result<()> {
    if state.store.user_by_email(new).await?.is_some() {
        return Ok(());
    }
    let token = PlainToken::generate(CONFIRM_PREFIX);
    let stored = Stored { uid: user.id, old: user.email.clone(), new: new.to_string() };
    let expires = state.now() + CONFIRM_TTL;
    state
        .store
        .put_challenge(&token.hash(), CONFIRM_KIND, Some(user.id), &serde_json::to_string(&stored)?, expires)
        .await?;
    let link = format!("{}/account/email/confirm/{}", state.config.issuer_base(), token.expose());
    let notice = crate::mail::Notice {
        paragraphs: vec![tr_args(
            "mail-email-change-body",
            &[("old", user.email.clone().into()), ("new", new.to_string().into())],
        )],
        notes: vec![
            tr_args("mail-verify-email-expiry", &[("hours", CONFIRM_TTL.whole_hours().into())]),
            tr("mail-email-change-ignore"),
        ],
        ..Default::default()
    }
    .button(tr("mail-email-change-button"), link);
    crate::mail::compose(state, "email_change", new.as_str(), notice).await?;
    crate::audit::record(state, AuditKind::EmailChangeRequest, crate::audit::user(user), client, "").await;
    Ok(())
}

async fn peek(state: &AppState, token: &str, kind: &str, prefix: &str) -> anyhow::Result<Option<Pending>> {
    if !well_formed(token, prefix) {
        return Ok(None);
    }
    let Some(json) = state.store.peek_challenge(&TokenHash::of(token.as_bytes()), kind, state.now()).await? else {
        return Ok(None);
    };
    let s: Stored = serde_json::from_str(&json)?;
    Ok(state.store.user_by_id(s.uid).await?.map(|user| Pending { user, old: s.old, new: s.new }))
}

/// The change a confirmation link would make, if it still can.
pub async fn peek_confirm(state: &AppState, token: &str) -> anyhow::Result<Option<Pending>> {
    Ok(peek(state, token, CONFIRM_KIND, CONFIRM_PREFIX).await?.filter(|p| p.user.email == p.old))
}

/// The change a revert link would undo.
pub async fn peek_revert(state: &AppState, token: &str) -> anyhow::Result<Option<Pending>> {
    peek(state, token, REVERT_KIND, REVERT_PREFIX).await
}

async fn take(state: &AppState, token: &str, kind: &str, prefix: &str) -> anyhow::Result<Option<Stored>> {
    if !well_formed(token, prefix) {
        return Ok(None);
    }
    let taken = state.store.take_challenge(&TokenHash::of(token.as_bytes()), kind, state.now()).await?;
    let Some((owner, json)) = taken else { return Ok(None) };
    let s: Stored = serde_json::from_str(&json)?;
    Ok((owner == Some(s.uid)).then_some(s))
}

/// How a confirmation ended.
#[derive(Debug, PartialEq, Eq)]
pub enum Confirmed {
    Changed,
    /// The link was used, expired, or the account's address changed since.
    Invalid,
    /// Someone registered the new address in the meantime.
    Taken,
}

/// Step 2: the address changes (proven: the link reached it) and the old one is told, with a
/// revert link.
pub async fn confirm(state: &AppState, token: &str, client: &ClientInfo) -> anyhow::Result<Confirmed> {
    let Some(s) = take(state, token, CONFIRM_KIND, CONFIRM_PREFIX).await? else { return Ok(Confirmed::Invalid) };
    let Ok(new) = Email::parse(&s.new) else { return Ok(Confirmed::Invalid) };
    let now = state.now();
    match state.store.change_email(s.uid, &s.old, &new, true, now).await {
        Ok(true) => {}
        Ok(false) => return Ok(Confirmed::Invalid),
        Err(StoreError::Conflict) => return Ok(Confirmed::Taken),
        Err(e) => return Err(e.into()),
    }
    let Some(user) = state.store.user_by_id(s.uid).await? else { return Ok(Confirmed::Invalid) };
    let revert = PlainToken::generate(REVERT_PREFIX);
    state
        .store
        .put_challenge(&revert.hash(), REVERT_KIND, Some(s.uid), &serde_json::to_string(&s)?, now + REVERT_TTL)
        .await?;
    let args =
        [("old", s.old.clone().into()), ("new", s.new.clone().into()), ("when", crate::pages::fmt_time(now).into())];
    let notice = crate::mail::Notice {
        paragraphs: vec![tr_args("mail-email-changed-body", &args), tr("mail-email-changed-not-you")],
        notes: vec![tr_args("mail-email-changed-expiry", &[("days", REVERT_TTL.whole_days().into())])],
        ..Default::default()
    }
    .button(
        tr("mail-email-changed-button"),
        format!("{}/account/email/revert/{}", state.config.issuer_base(), revert.expose()),
    );
    crate::mail::compose(state, "email_changed", &s.old, notice).await?;
    crate::audit::record(state, AuditKind::EmailChange, crate::audit::user(&user), client, "").await;
    Ok(Confirmed::Changed)
}

/// Step 3: back to the old address, every session and token ended, recovery started. `None`
/// when the link was used or has expired.
pub async fn revert(state: &AppState, token: &str, client: &ClientInfo) -> anyhow::Result<Option<User>> {
    let Some(s) = take(state, token, REVERT_KIND, REVERT_PREFIX).await? else { return Ok(None) };
    let Ok(old) = Email::parse(&s.old) else { return Ok(None) };
    let now = state.now();
    // The account may have moved on to yet another address: take it back from whatever it is.
    let Some(current) = state.store.user_by_id(s.uid).await? else { return Ok(None) };
    crate::tokens::revoke_user(state, s.uid, None, "email_change_revert").await?;
    let restored = match state.store.change_email(s.uid, &current.email, &old, true, now).await {
        Ok(_) => true,
        // Someone registered the old address after the change, to block this revert. Whoever
        // opened the revert link reads that mailbox; an account that never proved the address
        // gives way to them. One that did (the mailbox owner's own) stays, and this account is
        // disabled instead: its address is in the hands of whoever changed it.
        Err(StoreError::Conflict) => {
            let blocker = state.store.user_by_email(&old).await?;
            match blocker {
                Some(b) if !b.email_verified() && b.id != s.uid => {
                    state.store.erase_user(b.id).await?;
                    tracing::warn!(
                        user = s.uid,
                        squatter = b.id,
                        "revert: an unverified account on the old address was erased"
                    );
                    state.store.change_email(s.uid, &current.email, &old, true, now).await?
                }
                _ => false,
            }
        }
        Err(e) => return Err(e.into()),
    };
    let Some(user) = state.store.user_by_id(s.uid).await? else { return Ok(None) };
    crate::audit::record(state, AuditKind::EmailChangeRevert, crate::audit::user(&user), client, "").await;
    if restored {
        crate::flows::recovery::request(state, &user.email, client);
    } else {
        state.store.set_disabled(user.id, true, now).await?;
        tracing::warn!(user = user.id, "revert: the old address has a verified account; this one is disabled");
    }
    Ok(Some(user))
}
