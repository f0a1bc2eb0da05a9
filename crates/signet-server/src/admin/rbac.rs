//! APIs, roles and groups as the global administrator manages them (the admin API and
//! `signet api …`, `signet role …`, `signet org group …`); an organization's own owners and
//! admins use `flows::orgs` and `flows::groups`, which add the rule that nobody hands out
//! more than they hold. What holds for everyone:
//!
//! - An API's identifier is an absolute http(s) URL (its tokens' `aud`, RFC 9068 §3); its
//!   permissions are scope tokens (RFC 6749 §3.3), so they can be asked for as scopes.
//! - A role holds permissions of one API that the API has; it is global or one
//!   organization's own, and an organization's role is not usable in another (not found).
//! - A role given in an organization, and a group's membership, need the user to be a member of
//!   that organization.

use serde::Serialize;
use serde_json::json;
use signet_core::audit::AuditKind;
use signet_core::rbac;
use signet_store::{Api, Group, GroupMember, Org, Role, StoreError, User};
use utoipa::ToSchema;

use super::{audit, AdminError, Operator};
use crate::state::AppState;

/// An API (resource server) as the admin API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ApiView {
    /// The `aud` of its access tokens.
    pub identifier: String,
    pub name: String,
    pub permissions: Vec<String>,
}

pub fn api_view(a: &Api) -> ApiView {
    ApiView { identifier: a.identifier.clone(), name: a.name.clone(), permissions: a.permissions.clone() }
}

/// One permission a role holds.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RolePermission {
    /// The API's identifier.
    pub api: String,
    pub permission: String,
}

/// A role: global, or an organization's own.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RoleView {
    pub name: String,
    pub description: String,
    /// The organization (`org_…`) whose role this is; none for a global role.
    pub organization: Option<String>,
    pub permissions: Vec<RolePermission>,
}

pub fn role_view(r: &Role, org: Option<&Org>) -> RoleView {
    RoleView {
        name: r.name.clone(),
        description: r.description.clone(),
        organization: org.map(|o| o.public_id.clone()),
        permissions: r
            .permissions
            .iter()
            .map(|(api, permission)| RolePermission { api: api.clone(), permission: permission.clone() })
            .collect(),
    }
}

/// A group of an organization: its members hold its roles there.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GroupView {
    pub name: String,
    pub description: String,
    pub roles: Vec<String>,
    /// How many members it has.
    pub members: i64,
}

pub fn group_view(g: &Group) -> GroupView {
    GroupView { name: g.name.clone(), description: g.description.clone(), roles: g.roles.clone(), members: g.members }
}

/// A member of a group.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GroupMemberView {
    pub sub: String,
    pub email: String,
}

pub fn group_member_view(m: &GroupMember) -> GroupMemberView {
    GroupMemberView { sub: m.sub.clone(), email: m.email.clone() }
}

/// The audit target's scope: `global` or `org:<public id>`.
fn scope(org: Option<&Org>) -> String {
    org.map_or_else(|| "global".to_owned(), |o| format!("org:{}", o.public_id))
}

fn org_row(org: Option<&Org>) -> i64 {
    org.map_or(0, |o| o.id)
}

fn description_ok(description: &str) -> Result<(), AdminError> {
    if description.chars().count() > 200 || description.chars().any(char::is_control) {
        return Err(AdminError::invalid("description", "at most 200 characters, no control characters"));
    }
    Ok(())
}

fn permission_ok(field: &'static str, p: &str) -> Result<(), AdminError> {
    if rbac::valid_permission(p) {
        Ok(())
    } else {
        Err(AdminError::invalid(field, format!("{p:?}: scope-token characters only (RFC 6749 §3.3), no spaces")))
    }
}

/// By identifier.
pub async fn find_api(state: &AppState, identifier: &str) -> Result<Api, AdminError> {
    state.store.api(identifier).await?.ok_or(AdminError::NotFound("API"))
}

/// Registers an API with its first permissions.
pub async fn create_api(
    state: &AppState,
    op: &Operator,
    identifier: &str,
    name: Option<&str>,
    permissions: &[String],
) -> Result<Api, AdminError> {
    // The identifier becomes the `aud` of access tokens (RFC 9068 §3): an absolute URL.
    let parsed = url::Url::parse(identifier).ok().filter(|u| u.scheme() == "https" || u.scheme() == "http");
    if parsed.is_none() || identifier.contains(char::is_whitespace) || identifier.len() > 200 {
        return Err(AdminError::invalid("identifier", "an absolute http(s) URL, e.g. https://api.example.com"));
    }
    for p in permissions {
        permission_ok("permissions", p)?;
    }
    let name = name.map(str::trim).filter(|n| !n.is_empty()).unwrap_or(identifier);
    if name.chars().count() > 100 || name.chars().any(char::is_control) {
        return Err(AdminError::invalid("name", "1-100 characters, no control characters"));
    }
    let api = match state.store.create_api(identifier, name, state.now()).await {
        Ok(a) => a,
        Err(StoreError::Conflict) => {
            return Err(AdminError::Conflict(format!("an API with identifier {identifier} already exists")))
        }
        Err(e) => return Err(e.into()),
    };
    let mut seen = std::collections::BTreeSet::new();
    for p in permissions.iter().filter(|p| seen.insert(p.as_str())) {
        state.store.add_api_permission(api.id, p, "").await?;
    }
    let api = find_api(state, identifier).await.unwrap_or(api);
    let changes = json!({ "identifier": { "from": null, "to": identifier }, "permissions": { "from": null, "to": api.permissions } });
    audit(state, op, AuditKind::ApiCreate, None, &format!("api:{identifier}"), changes).await;
    Ok(api)
}

/// Adds a permission to an API.
pub async fn add_permission(
    state: &AppState,
    op: &Operator,
    api: &Api,
    permission: &str,
    description: &str,
) -> Result<(), AdminError> {
    permission_ok("permission", permission)?;
    description_ok(description)?;
    match state.store.add_api_permission(api.id, permission, description).await {
        Ok(()) => {}
        Err(StoreError::Conflict) => {
            return Err(AdminError::Conflict(format!("{} already has {permission}", api.identifier)))
        }
        Err(e) => return Err(e.into()),
    }
    let changes = json!({ "permission": { "from": null, "to": permission } });
    audit(state, op, AuditKind::ApiPermissionAdd, None, &format!("api:{}", api.identifier), changes).await;
    Ok(())
}

/// A role usable in `org` (its own, else a global one), or a global role.
pub async fn find_role(state: &AppState, org: Option<&Org>, name: &str) -> Result<Role, AdminError> {
    state.store.role(org_row(org), name).await?.ok_or(AdminError::NotFound("role"))
}

/// The roles defined globally (`None`) or by one organization.
pub async fn roles(state: &AppState, org: Option<&Org>) -> Result<Vec<Role>, AdminError> {
    Ok(state.store.list_roles(org_row(org)).await?)
}

/// Defines a role over permissions of one API, globally or as an organization's own.
pub async fn create_role(
    state: &AppState,
    op: &Operator,
    org: Option<&Org>,
    name: &str,
    api: &str,
    permissions: &[String],
    description: &str,
) -> Result<Role, AdminError> {
    if !rbac::valid_role_name(name) {
        return Err(AdminError::invalid("name", "1-64 of letters, digits, - _ . :"));
    }
    description_ok(description)?;
    let a = state.store.api(api).await?.ok_or_else(|| AdminError::invalid("api", format!("no API {api:?}")))?;
    if let Some(bad) = permissions.iter().find(|p| !a.permissions.contains(p)) {
        return Err(AdminError::invalid(
            "permissions",
            format!("{api} has no permission {bad:?} (add it to the API first)"),
        ));
    }
    let r = match state.store.create_role(org_row(org), name, description, state.now()).await {
        Ok(r) => r,
        Err(StoreError::Conflict) => {
            return Err(AdminError::Conflict(format!("a role {name} already exists ({})", scope(org))))
        }
        Err(e) => return Err(e.into()),
    };
    let mut seen = std::collections::BTreeSet::new();
    for p in permissions.iter().filter(|p| seen.insert(p.as_str())) {
        state.store.add_role_permission(r.id, a.id, p).await?;
    }
    let r = state.store.role(org_row(org), name).await?.unwrap_or(r);
    let changes = json!({ "role": { "from": null, "to": role_view(&r, org) } });
    audit(state, op, AuditKind::RoleCreate, None, &format!("{} role:{name}", scope(org)), changes).await;
    Ok(r)
}

/// Deletes a role defined exactly there — globally (`org` none) or as `org`'s own; a global role
/// is not found through an organization. Whoever held it, directly or through a group, no
/// longer does.
pub async fn delete_role(state: &AppState, op: &Operator, org: Option<&Org>, name: &str) -> Result<(), AdminError> {
    let r = find_role(state, org, name).await?;
    // `find_role` falls back to the global role of that name: never delete that one here.
    if r.org_id != org_row(org) || !state.store.delete_role(r.id).await? {
        return Err(AdminError::NotFound("role"));
    }
    let changes = json!({ "role": { "from": role_view(&r, org), "to": null } });
    audit(state, op, AuditKind::RoleDelete, None, &format!("{} role:{name}", scope(org)), changes).await;
    Ok(())
}

async fn must_be_member(state: &AppState, org: &Org, user: &User) -> Result<(), AdminError> {
    if state.store.member_role(org.id, user.id).await?.is_none() {
        return Err(AdminError::Conflict(format!(
            "{} is not a member of {} (add them to the organization first)",
            user.email, org.slug
        )));
    }
    Ok(())
}

/// Gives (`grant`) a user a role or takes it, in one organization (they must be a member) or
/// everywhere (`org` none). Taking a role they do not have is not found.
pub async fn set_user_role(
    state: &AppState,
    op: &Operator,
    org: Option<&Org>,
    user: &User,
    role: &str,
    grant: bool,
) -> Result<(), AdminError> {
    let r = find_role(state, org, role).await?;
    if let Some(o) = org {
        must_be_member(state, o, user).await?;
    }
    if grant {
        state.store.assign_role(user.id, org_row(org), r.id, state.now()).await?;
    } else if !state.store.unassign_role(user.id, org_row(org), r.id).await? {
        return Err(AdminError::NotFound("role assignment"));
    }
    let (kind, change) = if grant {
        (AuditKind::RoleGrant, json!({ "from": null, "to": role }))
    } else {
        (AuditKind::RoleRevoke, json!({ "from": role, "to": null }))
    };
    let target = format!("{} user:{}", scope(org), user.subject);
    audit(state, op, kind, Some((user.id, &user.email)), &target, json!({ "role": change })).await;
    Ok(())
}

/// The group `name` of `org` (never another organization's).
pub async fn find_group(state: &AppState, org: &Org, name: &str) -> Result<Group, AdminError> {
    state.store.group(org.id, name).await?.ok_or(AdminError::NotFound("group"))
}

pub async fn create_group(
    state: &AppState,
    op: &Operator,
    org: &Org,
    name: &str,
    description: &str,
) -> Result<Group, AdminError> {
    if !rbac::valid_role_name(name) {
        return Err(AdminError::invalid("name", "1-64 of letters, digits, - _ . :"));
    }
    description_ok(description)?;
    let g = match state.store.create_group(org.id, name, description, state.now()).await {
        Ok(g) => g,
        Err(StoreError::Conflict) => {
            return Err(AdminError::Conflict(format!("a group {name} already exists in {}", org.slug)))
        }
        Err(e) => return Err(e.into()),
    };
    let changes = json!({ "group": { "from": null, "to": name } });
    audit(state, op, AuditKind::GroupCreate, None, &format!("org:{} group:{name}", org.public_id), changes).await;
    Ok(g)
}

/// Deletes the group: its members lose the roles it gave them.
pub async fn delete_group(state: &AppState, op: &Operator, org: &Org, group: &Group) -> Result<(), AdminError> {
    if !state.store.delete_group(group.id).await? {
        return Err(AdminError::NotFound("group"));
    }
    let changes = json!({ "group": { "from": group_view(group), "to": null } });
    let target = format!("org:{} group:{}", org.public_id, group.name);
    audit(state, op, AuditKind::GroupDelete, None, &target, changes).await;
    Ok(())
}

/// Adds (`member`) one of the organization's members to the group, or removes them (not in
/// the group: not found).
pub async fn set_group_member(
    state: &AppState,
    op: &Operator,
    org: &Org,
    group: &Group,
    user: &User,
    member: bool,
) -> Result<(), AdminError> {
    must_be_member(state, org, user).await?;
    if !state.store.set_group_member(group.id, user.id, member).await? && !member {
        return Err(AdminError::NotFound("group member"));
    }
    let change =
        if member { json!({ "from": null, "to": group.name }) } else { json!({ "from": group.name, "to": null }) };
    let target = format!("org:{} group:{} user:{}", org.public_id, group.name, user.subject);
    audit(state, op, AuditKind::GroupMemberSet, Some((user.id, &user.email)), &target, json!({ "group": change }))
        .await;
    Ok(())
}

/// Gives (`held`) the group a role usable in its organization, or takes it (not held: not found).
pub async fn set_group_role(
    state: &AppState,
    op: &Operator,
    org: &Org,
    group: &Group,
    role: &str,
    held: bool,
) -> Result<(), AdminError> {
    let r = find_role(state, Some(org), role).await?;
    if !state.store.set_group_role(group.id, r.id, held).await? && !held {
        return Err(AdminError::NotFound("group role"));
    }
    let change = if held { json!({ "from": null, "to": role }) } else { json!({ "from": role, "to": null }) };
    let target = format!("org:{} group:{}", org.public_id, group.name);
    audit(state, op, AuditKind::GroupRoleSet, None, &target, json!({ "role": change })).await;
    Ok(())
}
