//! The admin API's APIs and roles: `/api/v1/admin/apis…`, `/api/v1/admin/roles`, an
//! organization's own roles, and roles given to users (see `admin::rbac` for the rules).
//! Reading needs `signet:users:read`; every change needs `signet:admin`: roles confer
//! permissions, so a narrower scope that could define or hand them out could raise itself.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use signet_store::{Org, User};
use utoipa::ToSchema;

use crate::admin::api::{created, path_id, ErrorBody};
use crate::admin::caller::{AdminCaller, Need};
use crate::admin::rbac::{self, ApiView, RoleView};
use crate::admin::{orgs, users};
use crate::oauth::bearer::Refused;
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewApi {
    /// An absolute http(s) URL: the `aud` of the API's access tokens.
    identifier: String,
    /// Shown to people; the identifier if absent.
    #[serde(default)]
    name: Option<String>,
    /// Scope tokens (RFC 6749 §3.3), e.g. `read:docs`.
    #[serde(default)]
    permissions: Vec<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPermission {
    /// A scope token (RFC 6749 §3.3), e.g. `read:docs`.
    permission: String,
    #[serde(default)]
    description: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRole {
    /// 1-64 of letters, digits, `-`, `_`, `.`, `:`.
    name: String,
    /// The identifier of the API whose permissions the role holds.
    api: String,
    /// Permissions the API has.
    #[serde(default)]
    permissions: Vec<String>,
    #[serde(default)]
    description: String,
}

/// The API's URL in the admin API: its identifier as one percent-encoded path segment.
fn api_location(identifier: &str) -> String {
    let enc: String = url::form_urlencoded::byte_serialize(identifier.as_bytes()).collect();
    format!("/api/v1/admin/apis/{enc}")
}

#[utoipa::path(get, path = "/api/v1/admin/apis", operation_id = "list_apis", tag = "roles",
    responses((status = 200, body = Vec<ApiView>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = ["signet:users:read"]), ("session" = [])))]
pub async fn list_apis(State(state): State<AppState>, caller: AdminCaller) -> Result<Json<Vec<ApiView>>, Refused> {
    caller.require(Need::UsersRead)?;
    Ok(Json(state.store.list_apis().await?.iter().map(rbac::api_view).collect()))
}

#[utoipa::path(post, path = "/api/v1/admin/apis", operation_id = "create_api", tag = "roles", request_body = NewApi,
    responses((status = 201, body = ApiView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)),
    security(("bearer" = ["signet:admin"]), ("session" = [])))]
pub async fn create_api(
    State(state): State<AppState>,
    headers: HeaderMap,
    caller: AdminCaller,
    body: Bytes,
) -> Result<Response, Refused> {
    let c = caller.allowed(Need::Admin)?;
    let req: NewApi = crate::forms::json_body(&headers, &body)?;
    let a = rbac::create_api(&state, &c.op, &req.identifier, req.name.as_deref(), &req.permissions).await?;
    Ok(created(&api_location(&a.identifier), &rbac::api_view(&a)))
}

#[utoipa::path(get, path = "/api/v1/admin/apis/{api}", operation_id = "get_api", tag = "roles",
    params(("api" = String, Path, description = "the API's identifier, percent-encoded")),
    responses((status = 200, body = ApiView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = ["signet:users:read"]), ("session" = [])))]
pub async fn get_api(
    State(state): State<AppState>,
    caller: AdminCaller,
    Path(api): Path<String>,
) -> Result<Json<ApiView>, Refused> {
    caller.require(Need::UsersRead)?;
    Ok(Json(rbac::api_view(&rbac::find_api(&state, &api).await?)))
}

#[utoipa::path(post, path = "/api/v1/admin/apis/{api}/permissions", operation_id = "add_api_permission", tag = "roles",
    request_body = NewPermission, params(("api" = String, Path, description = "the API's identifier, percent-encoded")),
    responses((status = 201, body = ApiView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)),
    security(("bearer" = ["signet:admin"]), ("session" = [])))]
pub async fn add_permission(
    State(state): State<AppState>,
    headers: HeaderMap,
    caller: AdminCaller,
    Path(api): Path<String>,
    body: Bytes,
) -> Result<Response, Refused> {
    let c = caller.allowed(Need::Admin)?;
    let req: NewPermission = crate::forms::json_body(&headers, &body)?;
    let a = rbac::find_api(&state, &api).await?;
    rbac::add_permission(&state, &c.op, &a, &req.permission, &req.description).await?;
    let a = rbac::find_api(&state, &api).await?;
    Ok(created(&api_location(&a.identifier), &rbac::api_view(&a)))
}

async fn role_list(state: &AppState, org: Option<&Org>) -> Result<Json<Vec<RoleView>>, Refused> {
    Ok(Json(rbac::roles(state, org).await?.iter().map(|r| rbac::role_view(r, org)).collect()))
}

async fn role_create(
    state: &AppState,
    caller: AdminCaller,
    org: Option<&Org>,
    headers: &HeaderMap,
    body: &Bytes,
) -> Result<Response, Refused> {
    let req: NewRole = crate::forms::json_body(headers, body)?;
    let r = rbac::create_role(state, &caller.op, org, &req.name, &req.api, &req.permissions, &req.description).await?;
    let location = match org {
        Some(o) => format!("/api/v1/admin/organizations/{}/roles", o.public_id),
        None => "/api/v1/admin/roles".to_owned(),
    };
    Ok(created(&location, &rbac::role_view(&r, org)))
}

#[utoipa::path(get, path = "/api/v1/admin/roles", operation_id = "list_roles", tag = "roles",
    responses((status = 200, body = Vec<RoleView>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = ["signet:users:read"]), ("session" = [])))]
pub async fn list_roles(State(state): State<AppState>, caller: AdminCaller) -> Result<Json<Vec<RoleView>>, Refused> {
    caller.require(Need::UsersRead)?;
    role_list(&state, None).await
}

#[utoipa::path(post, path = "/api/v1/admin/roles", operation_id = "create_role", tag = "roles", request_body = NewRole,
    responses((status = 201, body = RoleView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)),
    security(("bearer" = ["signet:admin"]), ("session" = [])))]
pub async fn create_role(
    State(state): State<AppState>,
    headers: HeaderMap,
    caller: AdminCaller,
    body: Bytes,
) -> Result<Response, Refused> {
    let c = caller.allowed(Need::Admin)?;
    role_create(&state, c, None, &headers, &body).await
}

#[utoipa::path(get, path = "/api/v1/admin/organizations/{org}/roles", operation_id = "list_organization_roles", tag = "roles",
    params(("org" = String, Path, description = "id or slug")),
    responses((status = 200, body = Vec<RoleView>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = ["signet:users:read"]), ("session" = [])))]
pub async fn list_org_roles(
    State(state): State<AppState>,
    caller: AdminCaller,
    Path(org): Path<String>,
) -> Result<Json<Vec<RoleView>>, Refused> {
    caller.require(Need::UsersRead)?;
    let o = orgs::find(&state, &org).await?;
    role_list(&state, Some(&o)).await
}

#[utoipa::path(post, path = "/api/v1/admin/organizations/{org}/roles", operation_id = "create_organization_role", tag = "roles",
    request_body = NewRole, params(("org" = String, Path, description = "id or slug")),
    responses((status = 201, body = RoleView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)),
    security(("bearer" = ["signet:admin"]), ("session" = [])))]
pub async fn create_org_role(
    State(state): State<AppState>,
    headers: HeaderMap,
    caller: AdminCaller,
    Path(org): Path<String>,
    body: Bytes,
) -> Result<Response, Refused> {
    let c = caller.allowed(Need::Admin)?;
    let o = orgs::find(&state, &org).await?;
    role_create(&state, c, Some(&o), &headers, &body).await
}

/// Gives or takes a global role (`PUT`/`DELETE …/users/{id}/roles/{role}`).
async fn user_role(
    state: &AppState,
    caller: AdminCaller,
    (id, role): (String, String),
    grant: bool,
) -> Result<Response, Refused> {
    let c = caller.allowed(Need::Admin)?;
    let u: User = users::find(state, path_id(&id)?).await?;
    rbac::set_user_role(state, &c.op, None, &u, &role, grant).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Gives or takes a role in an organization (`…/organizations/{org}/members/{sub}/roles/{role}`).
async fn member_role(
    state: &AppState,
    caller: AdminCaller,
    (org, sub, role): (String, String, String),
    grant: bool,
) -> Result<Response, Refused> {
    let c = caller.allowed(Need::Admin)?;
    let (o, u) = orgs::find_with_user(state, &org, &sub).await?;
    rbac::set_user_role(state, &c.op, Some(&o), &u, &role, grant).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[utoipa::path(put, path = "/api/v1/admin/users/{id}/roles/{role}", operation_id = "grant_user_role", tag = "roles",
    params(("id" = i64, Path), ("role" = String, Path, description = "a global role")),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = ["signet:admin"]), ("session" = [])))]
pub async fn grant_user_role(
    State(state): State<AppState>,
    caller: AdminCaller,
    Path(p): Path<(String, String)>,
) -> Result<Response, Refused> {
    user_role(&state, caller, p, true).await
}

#[utoipa::path(delete, path = "/api/v1/admin/users/{id}/roles/{role}", operation_id = "revoke_user_role", tag = "roles",
    params(("id" = i64, Path), ("role" = String, Path, description = "a global role")),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = ["signet:admin"]), ("session" = [])))]
pub async fn revoke_user_role(
    State(state): State<AppState>,
    caller: AdminCaller,
    Path(p): Path<(String, String)>,
) -> Result<Response, Refused> {
    user_role(&state, caller, p, false).await
}

#[utoipa::path(put, path = "/api/v1/admin/organizations/{org}/members/{sub}/roles/{role}", operation_id = "grant_member_role", tag = "roles",
    params(("org" = String, Path, description = "id or slug"), ("sub" = String, Path, description = "the member's subject"),
           ("role" = String, Path, description = "the organization's own role or a global one")),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = ["signet:admin"]), ("session" = [])))]
pub async fn grant_member_role(
    State(state): State<AppState>,
    caller: AdminCaller,
    Path(p): Path<(String, String, String)>,
) -> Result<Response, Refused> {
    member_role(&state, caller, p, true).await
}

#[utoipa::path(delete, path = "/api/v1/admin/organizations/{org}/members/{sub}/roles/{role}", operation_id = "revoke_member_role", tag = "roles",
    params(("org" = String, Path, description = "id or slug"), ("sub" = String, Path, description = "the member's subject"),
           ("role" = String, Path, description = "the organization's own role or a global one")),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = ["signet:admin"]), ("session" = [])))]
pub async fn revoke_member_role(
    State(state): State<AppState>,
    caller: AdminCaller,
    Path(p): Path<(String, String, String)>,
) -> Result<Response, Refused> {
    member_role(&state, caller, p, false).await
}

#[utoipa::path(delete, path = "/api/v1/admin/roles/{role}", operation_id = "delete_role", tag = "roles",
    params(("role" = String, Path, description = "a global role")),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = ["signet:admin"]), ("session" = [])))]
pub async fn delete_role(
    State(state): State<AppState>,
    caller: AdminCaller,
    Path(role): Path<String>,
) -> Result<Response, Refused> {
    let c = caller.allowed(Need::Admin)?;
    rbac::delete_role(&state, &c.op, None, &role).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[utoipa::path(delete, path = "/api/v1/admin/organizations/{org}/roles/{role}", operation_id = "delete_organization_role", tag = "roles",
    params(("org" = String, Path, description = "id or slug"), ("role" = String, Path, description = "one of the organization's own roles")),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = ["signet:admin"]), ("session" = [])))]
pub async fn delete_org_role(
    State(state): State<AppState>,
    caller: AdminCaller,
    Path((org, role)): Path<(String, String)>,
) -> Result<Response, Refused> {
    let c = caller.allowed(Need::Admin)?;
    let o = orgs::find(&state, &org).await?;
    rbac::delete_role(&state, &c.op, Some(&o), &role).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
