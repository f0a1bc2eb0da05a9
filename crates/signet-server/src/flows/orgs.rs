//! Acting in an organization: who the caller is there, and the rules of `signet_core::rbac`
//! applied to real rows. Shared by the JSON API (`routes::orgs_api`) and the organization pages.
//!
//! - The organization is the one in the path, and only if the caller belongs to it (global
//!   administrators act as owners everywhere); otherwise it does not exist for them: 404, never
//!   403, and nothing of it is shown.
//! - Objects (members, roles, invitations) are looked up *within* that organization: an id from
//!   another organization is not found there either.
//! - Permissions are compared as `"<api> <permission>"` strings, so one API's `read` is not
//!   another's.

use std::collections::BTreeSet;

use signet_core::audit::{Actor, AuditKind};
use signet_core::rbac::{self, OrgRole, Refused};
use signet_store::{Org, Role, User};

use crate::http::ClientInfo;
use crate::state::AppState;

/// Why an organization action did not happen.
#[derive(Debug, thiserror::Error)]
pub enum OrgError {
    /// Not there for this caller (no such organization, not a member, or an object of another).
    #[error("not found")]
    NotFound,
    #[error(transparent)]
    Refused(#[from] Refused),
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    Conflict(String),
    #[error(transparent)]
    Store(#[from] signet_store::StoreError),
}

/// The caller inside one organization.
#[derive(Debug, Clone)]
pub struct Ctx {
    pub org: Org,
    pub user: User,
    pub role: OrgRole,
    /// What the caller holds there, as `"<api> <permission>"`.
    pub permissions: BTreeSet<String>,
}

fn keyed(perms: impl IntoIterator<Item = (String, String)>) -> BTreeSet<String> {
    perms.into_iter().map(|(api, p)| format!("{api} {p}")).collect()
}

/// The caller's standing in the organization named by `org` (id or slug).
pub async fn enter(state: &AppState, user: &User, org: &str) -> Result<Ctx, OrgError> {
    let org = state.store.org(org).await?.ok_or(OrgError::NotFound)?;
    let access = state.store.access(user.id, Some(org.id)).await?;
    let role = match access.org_role.as_deref().and_then(OrgRole::parse) {
        Some(r) => r,
        None if user.is_admin => OrgRole::Owner,
        None => return Err(OrgError::NotFound),
    };
    let permissions = if user.is_admin {
        // A global administrator holds every permission of every API.
        let apis = state.store.list_apis().await?;
        keyed(apis.into_iter().flat_map(|a| a.permissions.into_iter().map(move |p| (a.identifier.clone(), p))))
    } else {
        keyed(access.permissions.into_iter().flat_map(|(api, ps)| ps.into_iter().map(move |p| (api.clone(), p))))
    };
    Ok(Ctx { org, user: user.clone(), role, permissions })
}

/// A member of `ctx.org` by their subject; members of other organizations are not found.
pub async fn member(state: &AppState, ctx: &Ctx, subject: &str) -> Result<(User, OrgRole), OrgError> {
    let user = state.store.user_by_subject(subject).await?.ok_or(OrgError::NotFound)?;
    let role = state.store.member_role(ctx.org.id, user.id).await?.ok_or(OrgError::NotFound)?;
    Ok((user, OrgRole::parse(&role).ok_or(OrgError::NotFound)?))
}

/// A role usable in `ctx.org` (its own or a global one); another organization's is not found.
pub async fn role(state: &AppState, ctx: &Ctx, name: &str) -> Result<Role, OrgError> {
    state.store.role(ctx.org.id, name).await?.ok_or(OrgError::NotFound)
}

pub fn role_permissions(role: &Role) -> BTreeSet<String> {
    keyed(role.permissions.iter().cloned())
}

async fn audit(state: &AppState, ctx: &Ctx, client: &ClientInfo, kind: AuditKind, target: &User, what: &str) {
    let detail = format!("org:{} target:{} {what}", ctx.org.public_id, target.subject);
    let actor = Actor::User { id: ctx.user.id, email: Some(&ctx.user.email) };
    crate::audit::record(state, kind, actor, client, &detail).await;
}

/// Sets a member's built-in role (`to`), adding them if `from` is `None`.
pub async fn set_org_role(
    state: &AppState,
    ctx: &Ctx,
    client: &ClientInfo,
    target: &User,
    from: Option<OrgRole>,
    to: OrgRole,
) -> Result<(), OrgError> {
    let owners = state.store.count_owners(ctx.org.id).await? as usize;
    rbac::may_set_org_role(ctx.user.id, ctx.role, target.id, from, Some(to), owners)?;
    state.store.set_member(ctx.org.id, target.id, to.as_str(), state.now()).await?;
    audit(state, ctx, client, AuditKind::OrgMemberSet, target, &format!("role:{}", to.as_str())).await;
    Ok(())
}

/// Removes a member (or the caller leaves).
pub async fn remove(
    state: &AppState,
    ctx: &Ctx,
    client: &ClientInfo,
    target: &User,
    from: OrgRole,
) -> Result<(), OrgError> {
    let owners = state.store.count_owners(ctx.org.id).await? as usize;
    rbac::may_set_org_role(ctx.user.id, ctx.role, target.id, Some(from), None, owners)?;
    state.store.remove_member(ctx.org.id, target.id).await?;
    audit(state, ctx, client, AuditKind::OrgMemberRemove, target, "").await;
    Ok(())
}

/// Gives (`grant`) or takes a role.
pub async fn assign(
    state: &AppState,
    ctx: &Ctx,
    client: &ClientInfo,
    target: &User,
    role: &Role,
    grant: bool,
) -> Result<(), OrgError> {
    rbac::may_assign_role(ctx.user.id, ctx.role, &ctx.permissions, target.id, &role_permissions(role))?;
    if grant {
        state.store.assign_role(target.id, ctx.org.id, role.id, state.now()).await?;
    } else if !state.store.unassign_role(target.id, ctx.org.id, role.id).await? {
        return Err(OrgError::NotFound);
    }
    let kind = if grant { AuditKind::RoleGrant } else { AuditKind::RoleRevoke };
    audit(state, ctx, client, kind, target, &format!("role:{}", role.name)).await;
    Ok(())
}

/// Defines one of the organization's own roles over permissions of one API.
pub async fn define_role(
    state: &AppState,
    ctx: &Ctx,
    client: &ClientInfo,
    name: &str,
    api: &str,
    permissions: &[String],
) -> Result<Role, OrgError> {
    if !rbac::valid_role_name(name) {
        return Err(OrgError::Invalid("a role name is 1-64 of letters, digits, - _ . :".into()));
    }
    let a = state.store.api(api).await?.ok_or_else(|| OrgError::Invalid(format!("no API {api}")))?;
    if let Some(bad) = permissions.iter().find(|p| !a.permissions.contains(p)) {
        return Err(OrgError::Invalid(format!("{api} has no permission {bad}")));
    }
    let wanted: BTreeSet<String> = permissions.iter().map(|p| format!("{api} {p}")).collect();
    rbac::may_define_role(ctx.role, &ctx.permissions, &wanted)?;
    let r = match state.store.create_role(ctx.org.id, name, "", state.now()).await {
        Ok(r) => r,
        Err(signet_store::StoreError::Conflict) => return Err(OrgError::Conflict(format!("a role {name} exists"))),
        Err(e) => return Err(e.into()),
    };
    for p in permissions {
        state.store.add_role_permission(r.id, a.id, p).await?;
    }
    let detail = format!("org:{} role:{name}", ctx.org.public_id);
    let actor = Actor::User { id: ctx.user.id, email: Some(&ctx.user.email) };
    crate::audit::record(state, AuditKind::RoleCreate, actor, client, &detail).await;
    Ok(state.store.role(ctx.org.id, name).await?.unwrap_or(r))
}
