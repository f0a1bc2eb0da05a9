//! Accounts, as administrators manage them (the API, the console and `signet user …`).

use serde::Serialize;
use signet_core::audit::AuditKind;
use signet_core::{Email, Password};
use signet_store::{NewUser, StoreError, User, UserPatch, Written};
use utoipa::ToSchema;

use super::{audit, diff, AdminError, Operator};
use crate::state::AppState;

/// An account as the admin API shows it (never its password hash).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UserView {
    pub id: i64,
    /// The public subject (`sub`).
    pub sub: String,
    pub email: String,
    pub email_verified: bool,
    pub is_admin: bool,
    pub disabled: bool,
    pub has_password: bool,
    /// Unix seconds.
    pub created_at: i64,
    pub updated_at: i64,
    /// When a requested self-deletion erases the account (unix seconds).
    pub delete_after: Option<i64>,
    /// The row's version; the `ETag` is `"<revision>"`.
    pub revision: i64,
}

pub fn view(u: &User) -> UserView {
    UserView {
        id: u.id,
        sub: u.subject.clone(),
        email: u.email.clone(),
        email_verified: u.email_verified(),
        is_admin: u.is_admin,
        disabled: u.disabled,
        has_password: u.password.is_some(),
        created_at: u.created_at.unix_timestamp(),
        updated_at: u.updated_at.unix_timestamp(),
        delete_after: u.delete_after.map(|t| t.unix_timestamp()),
        revision: u.revision,
    }
}

fn value(u: &User) -> serde_json::Value {
    let mut v = serde_json::to_value(view(u)).unwrap_or_default();
    if let Some(m) = v.as_object_mut() {
        // The revision and timestamps change with every write: not part of what changed.
        for k in ["revision", "updated_at"] {
            m.remove(k);
        }
    }
    v
}

pub async fn find(state: &AppState, id: i64) -> Result<User, AdminError> {
    state.store.user_by_id(id).await?.ok_or(AdminError::NotFound("user"))
}

async fn hash_checked(
    state: &AppState,
    password: Password,
    email: &str,
) -> Result<signet_core::PasswordRecord, AdminError> {
    state.policy.check(&password, email).map_err(|v| AdminError::invalid("password", v.to_string()))?;
    Ok(state.hash_pool.hash(password).await?)
}

/// A new account; without a password its owner signs in through recovery, a passkey-only
/// invitation or an upstream provider.
pub async fn create(
    state: &AppState,
    op: &Operator,
    email: &str,
    password: Option<Password>,
    is_admin: bool,
) -> Result<User, AdminError> {
    let email = Email::parse(email).map_err(|e| AdminError::invalid("email", e.to_string()))?;
    let record = match password {
        Some(p) => Some(hash_checked(state, p, email.as_str()).await?),
        None => None,
    };
    let now = state.now();
    let u = match state.store.create_user(NewUser { email: &email, password: record.as_ref(), is_admin, now }).await {
        Ok(u) => u,
        Err(StoreError::Conflict) => {
            return Err(AdminError::Conflict(format!("an account with email {email} already exists")))
        }
        Err(e) => return Err(e.into()),
    };
    let changes = diff(&serde_json::Value::Null, &value(&u));
    audit(state, op, AuditKind::UserCreate, Some((u.id, &u.email)), &format!("user:{}", u.subject), changes).await;
    Ok(u)
}

/// An administrator may not disable or demote themselves (another administrator must). That
/// the last enabled administrator stays one (an installation without one can only be repaired
/// at the command line of its database) is checked by the write itself, under a lock, so two
/// concurrent demotions cannot both pass (`AdminStore::patch_user`, [`Written::Refused`]).
fn not_self(op: &Operator, u: &User, patch: &UserPatch) -> Result<(), AdminError> {
    let loses = u.is_admin && !u.disabled && (patch.is_admin == Some(false) || patch.disabled == Some(true));
    if loses && op.user_id == Some(u.id) {
        return Err(AdminError::refused("self", "You cannot disable or demote your own account."));
    }
    Ok(())
}

/// Refused: the last enabled administrator.
fn last_admin() -> AdminError {
    AdminError::refused("last_admin", "This is the last administrator: make another one first.")
}

/// Changes an account's flags (`disabled`, `is_admin`) if its revision is still `expected`.
/// Disabling ends the account's sessions and revokes its tokens.
pub async fn patch(
    state: &AppState,
    op: &Operator,
    id: i64,
    expected: Option<i64>,
    patch: UserPatch,
) -> Result<User, AdminError> {
    let before = find(state, id).await?;
    if expected.is_some_and(|r| r != before.revision) {
        return Err(AdminError::Stale("user"));
    }
    not_self(op, &before, &patch)?;
    let after = match state.store.patch_user(id, expected, &patch, state.now()).await? {
        Written::Done(u) => u,
        Written::Stale => return Err(AdminError::Stale("user")),
        Written::Missing => return Err(AdminError::NotFound("user")),
        Written::Refused => return Err(last_admin()),
    };
    if after.disabled && !before.disabled {
        crate::tokens::revoke_user(state, id, None, "user_disabled").await?;
    }
    let kind = match (before.disabled, after.disabled) {
        (false, true) => AuditKind::UserDisable,
        (true, false) => AuditKind::UserEnable,
        _ => AuditKind::UserUpdate,
    };
    let changes = diff(&value(&before), &value(&after));
    audit(state, op, kind, Some((id, &after.email)), &format!("user:{}", after.subject), changes).await;
    Ok(after)
}

/// Sets a new password (the password policy applies); ends the account's sessions.
pub async fn set_password(state: &AppState, op: &Operator, id: i64, password: Password) -> Result<User, AdminError> {
    let u = find(state, id).await?;
    let record = hash_checked(state, password, &u.email).await?;
    state.store.set_password(u.id, &record, true, state.now()).await?;
    crate::tokens::revoke_user(state, u.id, None, "password_set_by_admin").await?;
    let changes = serde_json::json!({ "password": { "from": "[redacted]", "to": "[redacted]" } });
    audit(state, op, AuditKind::PasswordChange, Some((u.id, &u.email)), &format!("user:{}", u.subject), changes).await;
    find(state, id).await
}

/// Removes every second factor of an account whose owner lost them; ends its sessions.
pub async fn reset_mfa(state: &AppState, op: &Operator, id: i64) -> Result<User, AdminError> {
    let u = find(state, id).await?;
    let had_totp = state.store.delete_totp(u.id).await?;
    let passkeys = state.store.list_passkeys(u.id).await?;
    for p in &passkeys {
        state.store.delete_passkey(u.id, p.id).await?;
    }
    state.store.delete_backup_codes(u.id).await?;
    crate::tokens::revoke_user(state, u.id, None, "mfa_reset").await?;
    let changes = serde_json::json!({
        "totp": { "from": had_totp, "to": false },
        "passkeys": { "from": passkeys.len(), "to": 0 },
        "backup_codes": { "from": "[redacted]", "to": "[redacted]" },
    });
    audit(state, op, AuditKind::MfaRemove, Some((u.id, &u.email)), &format!("user:{}", u.subject), changes).await;
    Ok(u)
}

/// Ends every session of the account and revokes its tokens; how many sessions there were.
pub async fn end_sessions(state: &AppState, op: &Operator, id: i64) -> Result<usize, AdminError> {
    let u = find(state, id).await?;
    let n = state.store.list_user_sessions(u.id).await?.len();
    crate::tokens::revoke_user(state, u.id, None, "admin_logout").await?;
    let changes = serde_json::json!({ "sessions": { "from": n, "to": 0 } });
    audit(state, op, AuditKind::LogoutEverywhere, Some((u.id, &u.email)), &format!("user:{}", u.subject), changes)
        .await;
    Ok(n)
}

/// Withdraws a remembered consent and revokes the app's refresh tokens for the account (as the
/// user's own "Connected apps" page does).
pub async fn revoke_consent(state: &AppState, op: &Operator, u: &User, client_id: &str) -> Result<(), AdminError> {
    if !state.store.delete_consent(u.id, client_id).await? {
        return Err(AdminError::NotFound("consent"));
    }
    state.store.revoke_user_client_families(u.id, client_id, "consent_revoked", state.now()).await?;
    let changes = serde_json::json!({ "consent": { "from": client_id, "to": null } });
    audit(state, op, AuditKind::ConsentRevoke, Some((u.id, &u.email)), &format!("user:{}", u.subject), changes).await;
    Ok(())
}
