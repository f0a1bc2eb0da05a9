//! Groups in an organization: members of a group hold the group's roles there. Changing a group
//! changes the roles of people, so each change follows the role rules of `signet_core::rbac`:
//! adding or removing a member is assigning or revoking each of the group's roles; giving the
//! group a role, taking one, or deleting the group changes every member's roles at once (the
//! actor must hold the permissions involved and must not be in the group). Groups are looked up
//! within the caller's organization only (`flows::orgs::enter`): another's is not found.

use std::collections::BTreeSet;

use signet_core::audit::{Actor, AuditKind};
use signet_core::rbac;
use signet_store::{Group, Role, User};

use super::orgs::{role_permissions, Ctx, OrgError};
use crate::http::ClientInfo;
use crate::state::AppState;

/// The group `name` of the caller's organization.
pub async fn group(state: &AppState, ctx: &Ctx, name: &str) -> Result<Group, OrgError> {
    state.store.group(ctx.org.id, name).await?.ok_or(OrgError::NotFound)
}

/// Every permission the group's roles confer, as `"<api> <permission>"`.
async fn conferred(state: &AppState, ctx: &Ctx, group: &Group) -> Result<BTreeSet<String>, OrgError> {
    let mut out = BTreeSet::new();
    for name in &group.roles {
        if let Some(r) = state.store.role(ctx.org.id, name).await? {
            out.extend(role_permissions(&r));
        }
    }
    Ok(out)
}

async fn member_ids(state: &AppState, group: &Group) -> Result<Vec<i64>, OrgError> {
    Ok(state.store.group_members(group.id).await?.into_iter().map(|m| m.user_id).collect())
}

async fn audit(state: &AppState, ctx: &Ctx, client: &ClientInfo, kind: AuditKind, detail: &str) {
    let detail = format!("org:{} {detail}", ctx.org.public_id);
    let actor = Actor::User { id: ctx.user.id, email: Some(&ctx.user.email) };
    crate::audit::record(state, kind, actor, client, &detail).await;
}

pub async fn create(
    state: &AppState,
    ctx: &Ctx,
    client: &ClientInfo,
    name: &str,
    description: &str,
) -> Result<Group, OrgError> {
    if !rbac::valid_role_name(name) {
        return Err(OrgError::Invalid("a group name is 1-64 of letters, digits, - _ . :".into()));
    }
    if description.chars().count() > 200 {
        return Err(OrgError::Invalid("a description is at most 200 characters".into()));
    }
    rbac::may_define_role(ctx.role, &ctx.permissions, &BTreeSet::new())?;
    let g = match state.store.create_group(ctx.org.id, name, description, state.now()).await {
        Ok(g) => g,
        Err(signet_store::StoreError::Conflict) => return Err(OrgError::Conflict(format!("a group {name} exists"))),
        Err(e) => return Err(e.into()),
    };
    audit(state, ctx, client, AuditKind::GroupCreate, &format!("group:{name}")).await;
    Ok(g)
}

pub async fn delete(state: &AppState, ctx: &Ctx, client: &ClientInfo, group: &Group) -> Result<(), OrgError> {
    let members = member_ids(state, group).await?;
    rbac::may_change_group(ctx.user.id, ctx.role, &ctx.permissions, &members, &conferred(state, ctx, group).await?)?;
    state.store.delete_group(group.id).await?;
    audit(state, ctx, client, AuditKind::GroupDelete, &format!("group:{}", group.name)).await;
    Ok(())
}

/// Gives (`held`) the group a role or takes it away.
pub async fn set_role(
    state: &AppState,
    ctx: &Ctx,
    client: &ClientInfo,
    group: &Group,
    role: &Role,
    held: bool,
) -> Result<(), OrgError> {
    let members = member_ids(state, group).await?;
    rbac::may_change_group(ctx.user.id, ctx.role, &ctx.permissions, &members, &role_permissions(role))?;
    if !state.store.set_group_role(group.id, role.id, held).await? && !held {
        return Err(OrgError::NotFound);
    }
    let what = if held { "grant" } else { "revoke" };
    audit(state, ctx, client, AuditKind::GroupRoleSet, &format!("group:{} role:{} {what}", group.name, role.name))
        .await;
    Ok(())
}

/// Adds (`member`) one of the organization's members to the group, or removes them.
pub async fn set_member(
    state: &AppState,
    ctx: &Ctx,
    client: &ClientInfo,
    group: &Group,
    target: &User,
    member: bool,
) -> Result<(), OrgError> {
    let perms = conferred(state, ctx, group).await?;
    rbac::may_assign_role(ctx.user.id, ctx.role, &ctx.permissions, target.id, &perms)?;
    if !state.store.set_group_member(group.id, target.id, member).await? && !member {
        return Err(OrgError::NotFound);
    }
    let what = if member { "add" } else { "remove" };
    let detail = format!("group:{} target:{} {what}", group.name, target.subject);
    audit(state, ctx, client, AuditKind::GroupMemberSet, &detail).await;
    Ok(())
}
