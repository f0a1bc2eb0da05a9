//! The new-device sign-in notice: a sign-in from a browser that has never signed in to the
//! account (no device cookie for it) *and* from a network the account has never used mails the
//! owner once: which browser, which network (the prefix only: no lookup service sees the
//! address), when, and a "this wasn't me" link. The link ends every session and refresh-token
//! family and starts password recovery (`flows::recovery`).
//!
//! The first sign-in of an account tells nothing (there is no usual network yet), and neither
//! does a known browser on a new network (a laptop on hotel Wi-Fi) nor a new browser at home.

use serde::{Deserialize, Serialize};
use signet_core::audit::AuditKind;
use signet_core::{PlainToken, TokenHash};
use signet_store::User;
use time::Duration;

use crate::http::ClientInfo;
use crate::pages::{tr, tr_args};
use crate::state::AppState;

const KIND: &str = "not_me";
const PREFIX: &str = "sgn_nm_";
/// How long the "this wasn't me" link works.
pub const TTL: Duration = Duration::days(7);

#[derive(Serialize, Deserialize)]
struct Stored {
    uid: i64,
}

/// Records the sign-in's network and, when both browser and network are new, queues the notice.
/// Never fails the sign-in: a problem is logged.
pub async fn after_sign_in(state: &AppState, user: &User, client: &ClientInfo) {
    if let Err(e) = notice_if_new(state, user, client).await {
        tracing::warn!(error = %format!("{e:#}"), "new-device check failed");
    }
}

async fn notice_if_new(state: &AppState, user: &User, client: &ClientInfo) -> anyhow::Result<()> {
    let Some(prefix) = signet_core::network::prefix(&client.ip) else { return Ok(()) };
    let now = state.now();
    let seen = state.store.note_network(user.id, &prefix, now).await?;
    let known_browser = crate::device_cookie::known_value(state, client.device.as_deref(), &user.email).is_some();
    if !state.config.accounts.new_device_notice || known_browser || !seen.new_prefix || !seen.had_others {
        return Ok(());
    }
    let token = PlainToken::generate(PREFIX);
    let stored = serde_json::to_string(&Stored { uid: user.id })?;
    state.store.put_challenge(&token.hash(), KIND, Some(user.id), &stored, now + TTL).await?;
    let device = crate::pages::describe_user_agent(&client.user_agent);
    let args =
        [("when", crate::pages::fmt_time(now).into()), ("device", device.into()), ("network", prefix.clone().into())];
    let notice = crate::mail::Notice {
        paragraphs: vec![tr_args("mail-new-device-body", &args), tr("mail-new-device-if-you")],
        notes: vec![tr_args("mail-new-device-expiry", &[("days", TTL.whole_days().into())])],
        ..Default::default()
    }
    .button(tr("mail-new-device-button"), format!("{}/not-me/{}", state.config.issuer_base(), token.expose()));
    crate::mail::compose(state, "new_device", &user.email, notice).await?;
    crate::audit::record(state, AuditKind::NewDeviceNotice, crate::audit::user(user), client, &prefix).await;
    Ok(())
}

/// The account a "this wasn't me" link is for, without using it up.
pub async fn peek(state: &AppState, token: &str) -> anyhow::Result<Option<User>> {
    if !token.starts_with(PREFIX) || token.len() > 64 {
        return Ok(None);
    }
    let Some(json) = state.store.peek_challenge(&TokenHash::of(token.as_bytes()), KIND, state.now()).await? else {
        return Ok(None);
    };
    let stored: Stored = serde_json::from_str(&json)?;
    Ok(state.store.user_by_id(stored.uid).await?)
}

/// Uses the link up: every session and token of the account ends, and a recovery link goes to
/// its address. `None` when the link was already used or has expired.
pub async fn not_me(state: &AppState, token: &str, client: &ClientInfo) -> anyhow::Result<Option<User>> {
    let Some(user) = peek(state, token).await? else { return Ok(None) };
    let Some((owner, _)) = state.store.take_challenge(&TokenHash::of(token.as_bytes()), KIND, state.now()).await?
    else {
        return Ok(None);
    };
    if owner != Some(user.id) {
        return Ok(None);
    }
    crate::tokens::revoke_user(state, user.id, None, "not_me").await?;
    crate::audit::record(state, AuditKind::NotMe, crate::audit::user(&user), client, "").await;
    crate::flows::recovery::request(state, &user.email, client);
    Ok(Some(user))
}
