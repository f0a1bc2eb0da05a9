//! Deleting an account, and downloading its data first (GDPR Art. 17 and 20).
//!
//! - `schedule` (self-service, recent authentication): every session and refresh-token family
//!   ends at once, a notice goes to the address, and the account waits out the grace period
//!   (`accounts.deletion_grace`); signing in meanwhile leads to the page that cancels it.
//! - `erase_due` (the upkeep loop): after the grace period the account row and everything that
//!   hangs off it go (sessions, refresh families, codes, consents, factors, passkeys, pending
//!   links, queued mail to it); audit events keep the user id only. Clients are not owned by
//!   users, so none is touched.
//! - `export`: profile, identities, sessions, consents, second-factor *metadata* (never a seed,
//!   a key, a code or a hash) and the user's audit events, as JSON.

use serde_json::{json, Value};
use signet_core::audit::{Actor, AuditKind};
use signet_store::{NewAudit, User};

use crate::http::ClientInfo;
use crate::pages::{tr, tr_args};
use crate::state::AppState;

/// Accounts erased per upkeep round.
const ERASE_BATCH: i64 = 50;

/// Schedules the account's erasure after the grace period and signs it out everywhere.
pub async fn schedule(state: &AppState, user: &User, client: &ClientInfo) -> anyhow::Result<time::OffsetDateTime> {
    let now = state.now();
    let at = now + state.config.accounts.deletion_grace;
    state.store.schedule_deletion(user.id, Some(at), now).await?;
    crate::tokens::revoke_user(state, user.id, None, "account_deletion").await?;
    crate::audit::record(state, AuditKind::DeletionRequest, crate::audit::user(user), client, "").await;
    let notice = crate::mail::Notice {
        paragraphs: vec![
            tr_args(
                "mail-deletion-body",
                &[("email", user.email.clone().into()), ("when", crate::pages::fmt_time(at).into())],
            ),
            tr("mail-deletion-cancel"),
        ],
        ..Default::default()
    }
    .button(tr("mail-deletion-button"), format!("{}/login", state.config.issuer_base()));
    if let Err(e) = crate::mail::compose(state, "deletion", &user.email, notice).await {
        tracing::warn!(error = %e, "could not queue the deletion notice");
    }
    Ok(at)
}

pub async fn cancel(state: &AppState, user: &User, client: &ClientInfo) -> anyhow::Result<()> {
    state.store.schedule_deletion(user.id, None, state.now()).await?;
    crate::audit::record(state, AuditKind::DeletionCancel, crate::audit::user(user), client, "").await;
    Ok(())
}

/// Erases the accounts whose grace period is over; returns how many went.
pub async fn erase_due(state: &AppState) -> anyhow::Result<usize> {
    let due = state.store.due_deletions(state.now(), ERASE_BATCH).await?;
    let mut erased = 0;
    for id in due {
        // Upstream tokens kept for the account are revoked at their providers first (best
        // effort); erasing deletes them with the identities.
        super::vault::revoke_all(state, id).await;
        if state.store.erase_user(id).await? {
            erased += 1;
            let event = NewAudit {
                kind: AuditKind::UserErase,
                at: state.now(),
                user_id: Some(id),
                email: None,
                actor: &Actor::System.label(),
                ip: "",
                user_agent: "",
                detail: "",
            };
            state.store.audit(event).await?;
            tracing::info!(user = id, "account erased after its deletion grace period");
        }
    }
    Ok(erased)
}

fn rfc3339(t: time::OffsetDateTime) -> Value {
    json!(t.format(&time::format_description::well_known::Rfc3339).unwrap_or_default())
}

/// Everything Signet keeps about the user, secrets left out.
pub async fn export(state: &AppState, user: &User) -> anyhow::Result<Value> {
    let id = user.id;
    let sessions: Vec<Value> = state
        .store
        .list_user_sessions(id)
        .await?
        .into_iter()
        .map(|s| {
            json!({ "created_at": rfc3339(s.created_at), "last_seen_at": rfc3339(s.last_seen_at),
                    "auth_time": rfc3339(s.auth_time), "ip": s.ip, "user_agent": s.user_agent, "methods": s.amr })
        })
        .collect();
    let consents: Vec<Value> = state
        .store
        .list_consents(id)
        .await?
        .into_iter()
        .map(|(client_id, scope, at)| json!({ "client_id": client_id, "scope": scope, "granted_at": rfc3339(at) }))
        .collect();
    let passkeys: Vec<Value> = state
        .store
        .list_passkeys(id)
        .await?
        .into_iter()
        .map(|p| {
            json!({ "name": p.name, "created_at": rfc3339(p.created_at), "last_used_at": p.last_used_at.map(rfc3339),
                    "synced": p.backup_state })
        })
        .collect();
    let totp = state
        .store
        .totp(id)
        .await?
        .filter(|t| t.confirmed)
        .map(|t| json!({ "created_at": rfc3339(t.created_at), "last_used_at": t.last_used_at.map(rfc3339) }));
    let networks: Vec<Value> = state
        .store
        .list_networks(id)
        .await?
        .into_iter()
        .map(|(prefix, first, last)| json!({ "network": prefix, "first_seen_at": rfc3339(first), "last_seen_at": rfc3339(last) }))
        .collect();
    let audit: Vec<Value> = state
        .store
        .list_audit(Some(id), 10_000)
        .await?
        .into_iter()
        .map(|e| json!({ "at": rfc3339(e.at), "event": e.kind, "ip": e.ip, "user_agent": e.user_agent, "detail": e.detail }))
        .collect();
    Ok(json!({
        "exported_at": rfc3339(state.now()),
        "issuer": state.config.issuer_base(),
        "account": {
            "sub": user.subject,
            "email": user.email,
            "email_verified": user.email_verified(),
            "created_at": rfc3339(user.created_at),
            "updated_at": rfc3339(user.updated_at),
            "password_changed_at": user.password_changed_at.map(rfc3339),
            "has_password": user.password.is_some(),
            "deletion_scheduled_for": user.delete_after.map(rfc3339),
        },
        "profile": user.profile,
        "identities": [{ "provider": "local", "email": user.email }],
        "sessions": sessions,
        "consents": consents,
        "second_factors": {
            "totp": totp,
            "backup_codes_remaining": state.store.backup_codes_remaining(id).await?,
            "passkeys": passkeys,
        },
        "networks": networks,
        "audit_events": audit,
    }))
}
