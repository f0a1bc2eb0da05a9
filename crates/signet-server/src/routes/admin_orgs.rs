//! The admin API's organizations: `/api/v1/admin/organizations…` (see `admin::caller` for who
//! may call it, `admin::orgs` for the rules). Reading needs `signet:users:read`; creating,
//! deleting and membership changes need `signet:admin` (an owner controls the organization's
//! roles and authorization data). Members are named by their subject, as in `/api/v1/orgs`.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use signet_core::rbac::OrgRole;
use utoipa::{IntoParams, ToSchema};

use crate::admin::api::{created, limit, next_page, query, ErrorBody};
use crate::admin::caller::{AdminCaller, Need};
use crate::admin::orgs::{self, OrgView};
use crate::error::ApiError;
use crate::oauth::bearer::Refused;
use crate::state::AppState;

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OrgQuery {
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
    /// 1 to 200 (default 50).
    limit: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OrgPage {
    organizations: Vec<OrgView>,
    next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewOrg {
    /// 2-63 of a-z, 0-9 and -.
    slug: String,
    name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MemberView {
    sub: String,
    email: String,
    /// owner, admin or member.
    org_role: String,
    roles: Vec<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberRole {
    /// owner, admin or member.
    org_role: String,
}

#[utoipa::path(get, path = "/api/v1/admin/organizations", operation_id = "list_organizations", tag = "organizations", params(OrgQuery),
    responses((status = 200, body = OrgPage), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = ["signet:users:read"]), ("session" = [])))]
pub async fn list(State(state): State<AppState>, uri: Uri, caller: AdminCaller) -> Result<Json<OrgPage>, Refused> {
    caller.require(Need::UsersRead)?;
    let q: OrgQuery = query(&uri)?;
    let n = limit(q.limit);
    let mut all = state.store.list_orgs(0, i64::MAX).await?;
    all.sort_by(|a, b| a.public_id.cmp(&b.public_id));
    let after = q.cursor.unwrap_or_default();
    let mut page: Vec<OrgView> =
        all.iter().filter(|o| o.public_id > after).take(n as usize + 1).map(orgs::view).collect();
    let next_cursor = next_page(&mut page, n, |o| o.id.clone());
    Ok(Json(OrgPage { organizations: page, next_cursor }))
}

#[utoipa::path(post, path = "/api/v1/admin/organizations", operation_id = "create_organization", tag = "organizations", request_body = NewOrg,
    responses((status = 201, body = OrgView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)),
    security(("bearer" = ["signet:admin"]), ("session" = [])))]
pub async fn create(
    State(state): State<AppState>,
    headers: HeaderMap,
    caller: AdminCaller,
    body: Bytes,
) -> Result<Response, Refused> {
    let c = caller.allowed(Need::Admin)?;
    let req: NewOrg = crate::forms::json_body(&headers, &body)?;
    let o = orgs::create(&state, &c.op, &req.slug, &req.name).await?;
    Ok(created(&format!("/api/v1/admin/organizations/{}", o.public_id), &orgs::view(&o)))
}

#[utoipa::path(get, path = "/api/v1/admin/organizations/{org}", operation_id = "get_organization", tag = "organizations", params(("org" = String, Path, description = "id or slug")),
    responses((status = 200, body = OrgView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = ["signet:users:read"]), ("session" = [])))]
pub async fn get(
    State(state): State<AppState>,
    caller: AdminCaller,
    Path(org): Path<String>,
) -> Result<Json<OrgView>, Refused> {
    caller.require(Need::UsersRead)?;
    Ok(Json(orgs::view(&orgs::find(&state, &org).await?)))
}

#[utoipa::path(delete, path = "/api/v1/admin/organizations/{org}", operation_id = "delete_organization", tag = "organizations", params(("org" = String, Path, description = "id or slug")),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = ["signet:admin"]), ("session" = [])))]
pub async fn delete(
    State(state): State<AppState>,
    caller: AdminCaller,
    Path(org): Path<String>,
) -> Result<Response, Refused> {
    let c = caller.allowed(Need::Admin)?;
    let o = orgs::find(&state, &org).await?;
    orgs::delete(&state, &c.op, &o).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[utoipa::path(get, path = "/api/v1/admin/organizations/{org}/members", operation_id = "list_organization_members", tag = "organizations", params(("org" = String, Path, description = "id or slug")),
    responses((status = 200, body = Vec<MemberView>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = ["signet:users:read"]), ("session" = [])))]
pub async fn members(
    State(state): State<AppState>,
    caller: AdminCaller,
    Path(org): Path<String>,
) -> Result<Json<Vec<MemberView>>, Refused> {
    caller.require(Need::UsersRead)?;
    let o = orgs::find(&state, &org).await?;
    let list = state.store.list_members(o.id).await?;
    Ok(Json(
        list.into_iter()
            .map(|m| MemberView { sub: m.sub, email: m.email, org_role: m.org_role, roles: m.roles })
            .collect(),
    ))
}

#[utoipa::path(put, path = "/api/v1/admin/organizations/{org}/members/{sub}", operation_id = "set_organization_member", tag = "organizations", request_body = MemberRole,
    params(("org" = String, Path, description = "id or slug"), ("sub" = String, Path, description = "the user's subject")),
    responses((status = 204), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = ["signet:admin"]), ("session" = [])))]
pub async fn set_member(
    State(state): State<AppState>,
    headers: HeaderMap,
    caller: AdminCaller,
    Path((org, sub)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, Refused> {
    let c = caller.allowed(Need::Admin)?;
    let req: MemberRole = crate::forms::json_body(&headers, &body)?;
    let to = OrgRole::parse(&req.org_role).ok_or_else(|| ApiError::bad_request("org_role: owner, admin or member"))?;
    let (o, u) = orgs::find_with_user(&state, &org, &sub).await?;
    orgs::set_member(&state, &c.op, &o, &u, to).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[utoipa::path(delete, path = "/api/v1/admin/organizations/{org}/members/{sub}", operation_id = "remove_organization_member", tag = "organizations",
    params(("org" = String, Path, description = "id or slug"), ("sub" = String, Path, description = "the user's subject")),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = ["signet:admin"]), ("session" = [])))]
pub async fn remove_member(
    State(state): State<AppState>,
    caller: AdminCaller,
    Path((org, sub)): Path<(String, String)>,
) -> Result<Response, Refused> {
    let c = caller.allowed(Need::Admin)?;
    let (o, u) = orgs::find_with_user(&state, &org, &sub).await?;
    orgs::remove_member(&state, &c.op, &o, &u).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
