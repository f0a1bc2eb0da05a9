//! Organizations and their members, as the global administrator manages them (the admin API
//! and `signet org …`); an organization's own owners and admins use `flows::orgs`. The one rule
//! an administrator cannot override: an organization keeps an owner.

use serde::Serialize;
use signet_core::audit::AuditKind;
use signet_core::rbac::{self, OrgRole};
use signet_store::{Org, StoreError, User};
use utoipa::ToSchema;

use super::{audit, diff, AdminError, Operator};
use crate::state::AppState;

/// An organization as the admin API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OrgView {
    /// `org_…`
    pub id: String,
    pub slug: String,
    pub name: String,
    /// Verified e-mail domains (home-realm discovery).
    pub domains: Vec<String>,
    /// Unix seconds.
    pub created_at: i64,
}

pub fn view(o: &Org) -> OrgView {
    OrgView {
        id: o.public_id.clone(),
        slug: o.slug.clone(),
        name: o.name.clone(),
        domains: o.domains.clone(),
        created_at: o.created_at.unix_timestamp(),
    }
}

fn value(o: &Org) -> serde_json::Value {
    serde_json::to_value(view(o)).unwrap_or_default()
}

/// By public id (`org_…`) or slug.
pub async fn find(state: &AppState, org: &str) -> Result<Org, AdminError> {
    state.store.org(org).await?.ok_or(AdminError::NotFound("organization"))
}

/// The organization (id or slug) and the user (by subject) an admin path names.
pub async fn find_with_user(state: &AppState, org: &str, sub: &str) -> Result<(Org, User), AdminError> {
    let o = find(state, org).await?;
    let u = state.store.user_by_subject(sub).await?.ok_or(AdminError::NotFound("user"))?;
    Ok((o, u))
}

/// A new organization's public id: `org_` and 16 random hex digits.
fn new_org_id() -> String {
    format!("org_{}", hex::encode(signet_core::secret::random_bytes::<8>()))
}

pub async fn create(state: &AppState, op: &Operator, slug: &str, name: &str) -> Result<Org, AdminError> {
    if !rbac::valid_slug(slug) {
        return Err(AdminError::invalid("slug", "2-63 of a-z, 0-9 and -, not starting or ending with -"));
    }
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
        return Err(AdminError::invalid("name", "1-100 characters, no control characters"));
    }
    let o = match state.store.create_org(&new_org_id(), slug, name, state.now()).await {
        Ok(o) => o,
        Err(StoreError::Conflict) => {
            return Err(AdminError::Conflict(format!("an organization with slug {slug} already exists")))
        }
        Err(e) => return Err(e.into()),
    };
    let changes = diff(&serde_json::Value::Null, &value(&o));
    audit(state, op, AuditKind::OrgCreate, None, &format!("org:{}", o.public_id), changes).await;
    Ok(o)
}

/// Deletes the organization with its memberships and its own roles.
pub async fn delete(state: &AppState, op: &Operator, org: &Org) -> Result<(), AdminError> {
    if !state.store.delete_org(org.id).await? {
        return Err(AdminError::NotFound("organization"));
    }
    let changes = diff(&value(org), &serde_json::Value::Null);
    audit(state, op, AuditKind::OrgDelete, None, &format!("org:{}", org.public_id), changes).await;
    Ok(())
}

fn last_owner() -> AdminError {
    AdminError::refused("last_owner", &rbac::Refused::LastOwner.to_string())
}

/// Adds `user` to the organization, or changes their built-in role; an administrator may do
/// anything but leave the organization without an owner.
pub async fn set_member(
    state: &AppState,
    op: &Operator,
    org: &Org,
    user: &User,
    to: OrgRole,
) -> Result<(), AdminError> {
    let from = state.store.member_role(org.id, user.id).await?;
    if from.as_deref() == Some("owner") && to != OrgRole::Owner && state.store.count_owners(org.id).await? <= 1 {
        return Err(last_owner());
    }
    state.store.set_member(org.id, user.id, to.as_str(), state.now()).await?;
    let changes = serde_json::json!({ "org_role": { "from": from, "to": to.as_str() } });
    let target = format!("org:{} user:{}", org.public_id, user.subject);
    audit(state, op, AuditKind::OrgMemberSet, Some((user.id, &user.email)), &target, changes).await;
    Ok(())
}

/// Removes `user` from the organization (and every role they held there), unless they are its
/// last owner.
pub async fn remove_member(state: &AppState, op: &Operator, org: &Org, user: &User) -> Result<(), AdminError> {
    let from = state.store.member_role(org.id, user.id).await?;
    if from.as_deref() == Some("owner") && state.store.count_owners(org.id).await? <= 1 {
        return Err(last_owner());
    }
    if !state.store.remove_member(org.id, user.id).await? {
        return Err(AdminError::NotFound("member"));
    }
    let changes = serde_json::json!({ "org_role": { "from": from, "to": null } });
    let target = format!("org:{} user:{}", org.public_id, user.subject);
    audit(state, op, AuditKind::OrgMemberRemove, Some((user.id, &user.email)), &target, changes).await;
    Ok(())
}
