//! The admin API's groups: `/api/v1/admin/organizations/{org}/groups…` (see `admin::rbac`
//! for the rules). A group is found only within the organization of the path. Reading needs
//! `signet:users:read`; every change needs `signet:admin` (a group hands out roles).

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use signet_store::{Group, Org};
use utoipa::ToSchema;

use crate::admin::api::{created, ErrorBody};
use crate::admin::caller::{AdminCaller, Need};
use crate::admin::orgs;
use crate::admin::rbac::{self, GroupMemberView, GroupView};
use crate::oauth::bearer::Refused;
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewGroup {
    /// 1-64 of letters, digits, `-`, `_`, `.`, `:`.
    name: String,
    #[serde(default)]
    description: String,
}

/// A group with its members.
#[derive(Debug, Serialize, ToSchema)]
pub struct GroupDetail {
    #[serde(flatten)]
    group: GroupView,
    member_list: Vec<GroupMemberView>,
}

async fn org_group(state: &AppState, org: &str, group: &str) -> Result<(Org, Group), Refused> {
    let o = orgs::find(state, org).await?;
    let g = rbac::find_group(state, &o, group).await?;
    Ok((o, g))
}

#[utoipa::path(get, path = "/api/v1/admin/organizations/{org}/groups", operation_id = "list_groups", tag = "groups",
    params(("org" = String, Path, description = "id or slug")),
    responses((status = 200, body = Vec<GroupView>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = ["signet:users:read"]), ("session" = [])))]
pub async fn list(
    State(state): State<AppState>,
    caller: AdminCaller,
    Path(org): Path<String>,
) -> Result<Json<Vec<GroupView>>, Refused> {
    caller.require(Need::UsersRead)?;
    let o = orgs::find(&state, &org).await?;
    Ok(Json(state.store.list_groups(o.id).await?.iter().map(rbac::group_view).collect()))
}

#[utoipa::path(post, path = "/api/v1/admin/organizations/{org}/groups", operation_id = "create_group", tag = "groups",
    request_body = NewGroup, params(("org" = String, Path, description = "id or slug")),
    responses((status = 201, body = GroupView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)),
    security(("bearer" = ["signet:admin"]), ("session" = [])))]
pub async fn create(
    State(state): State<AppState>,
    headers: HeaderMap,
    caller: AdminCaller,
    Path(org): Path<String>,
    body: Bytes,
) -> Result<Response, Refused> {
    let c = caller.allowed(Need::Admin)?;
    let req: NewGroup = crate::forms::json_body(&headers, &body)?;
    let o = orgs::find(&state, &org).await?;
    let g = rbac::create_group(&state, &c.op, &o, &req.name, &req.description).await?;
    let location = format!("/api/v1/admin/organizations/{}/groups/{}", o.public_id, g.name);
    Ok(created(&location, &rbac::group_view(&g)))
}

#[utoipa::path(get, path = "/api/v1/admin/organizations/{org}/groups/{group}", operation_id = "get_group", tag = "groups",
    params(("org" = String, Path, description = "id or slug"), ("group" = String, Path)),
    responses((status = 200, body = GroupDetail), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = ["signet:users:read"]), ("session" = [])))]
pub async fn get(
    State(state): State<AppState>,
    caller: AdminCaller,
    Path((org, group)): Path<(String, String)>,
) -> Result<Json<GroupDetail>, Refused> {
    caller.require(Need::UsersRead)?;
    let (_, g) = org_group(&state, &org, &group).await?;
    let member_list = state.store.group_members(g.id).await?.iter().map(rbac::group_member_view).collect();
    Ok(Json(GroupDetail { group: rbac::group_view(&g), member_list }))
}

#[utoipa::path(delete, path = "/api/v1/admin/organizations/{org}/groups/{group}", operation_id = "delete_group", tag = "groups",
    params(("org" = String, Path, description = "id or slug"), ("group" = String, Path)),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = ["signet:admin"]), ("session" = [])))]
pub async fn delete(
    State(state): State<AppState>,
    caller: AdminCaller,
    Path((org, group)): Path<(String, String)>,
) -> Result<Response, Refused> {
    let c = caller.allowed(Need::Admin)?;
    let (o, g) = org_group(&state, &org, &group).await?;
    rbac::delete_group(&state, &c.op, &o, &g).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn member(
    caller: AdminCaller,
    state: &AppState,
    (org, group, sub): (String, String, String),
    add: bool,
) -> Result<Response, Refused> {
    let c = caller.allowed(Need::Admin)?;
    let (o, u) = orgs::find_with_user(state, &org, &sub).await?;
    let g = rbac::find_group(state, &o, &group).await?;
    rbac::set_group_member(state, &c.op, &o, &g, &u, add).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[utoipa::path(put, path = "/api/v1/admin/organizations/{org}/groups/{group}/members/{sub}", operation_id = "add_group_member", tag = "groups",
    params(("org" = String, Path, description = "id or slug"), ("group" = String, Path), ("sub" = String, Path, description = "a member's subject")),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = ["signet:admin"]), ("session" = [])))]
pub async fn add_member(
    State(state): State<AppState>,
    caller: AdminCaller,
    Path(p): Path<(String, String, String)>,
) -> Result<Response, Refused> {
    member(caller, &state, p, true).await
}

#[utoipa::path(delete, path = "/api/v1/admin/organizations/{org}/groups/{group}/members/{sub}", operation_id = "remove_group_member", tag = "groups",
    params(("org" = String, Path, description = "id or slug"), ("group" = String, Path), ("sub" = String, Path, description = "a member's subject")),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = ["signet:admin"]), ("session" = [])))]
pub async fn remove_member(
    State(state): State<AppState>,
    caller: AdminCaller,
    Path(p): Path<(String, String, String)>,
) -> Result<Response, Refused> {
    member(caller, &state, p, false).await
}

async fn role(
    caller: AdminCaller,
    state: &AppState,
    (org, group, role): (String, String, String),
    held: bool,
) -> Result<Response, Refused> {
    let c = caller.allowed(Need::Admin)?;
    let (o, g) = org_group(state, &org, &group).await?;
    rbac::set_group_role(state, &c.op, &o, &g, &role, held).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[utoipa::path(put, path = "/api/v1/admin/organizations/{org}/groups/{group}/roles/{role}", operation_id = "grant_group_role", tag = "groups",
    params(("org" = String, Path, description = "id or slug"), ("group" = String, Path), ("role" = String, Path, description = "the organization's own role or a global one")),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = ["signet:admin"]), ("session" = [])))]
pub async fn grant_role(
    State(state): State<AppState>,
    caller: AdminCaller,
    Path(p): Path<(String, String, String)>,
) -> Result<Response, Refused> {
    role(caller, &state, p, true).await
}

#[utoipa::path(delete, path = "/api/v1/admin/organizations/{org}/groups/{group}/roles/{role}", operation_id = "revoke_group_role", tag = "groups",
    params(("org" = String, Path, description = "id or slug"), ("group" = String, Path), ("role" = String, Path, description = "the organization's own role or a global one")),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = ["signet:admin"]), ("session" = [])))]
pub async fn revoke_role(
    State(state): State<AppState>,
    caller: AdminCaller,
    Path(p): Path<(String, String, String)>,
) -> Result<Response, Refused> {
    role(caller, &state, p, false).await
}
