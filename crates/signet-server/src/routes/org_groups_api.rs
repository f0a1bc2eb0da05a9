//! Groups of an organization, under `/api/v1/orgs/{org}/groups` (same session, CSRF and JSON
//! rules as `routes::orgs_api`; the rules of what may change are in `flows::groups`).
//!
//! - `GET|POST /api/v1/orgs/{org}/groups`: the groups / create `{"name","description"}`.
//! - `DELETE /api/v1/orgs/{org}/groups/{group}`.
//! - `GET /api/v1/orgs/{org}/groups/{group}/members`.
//! - `PUT|DELETE /api/v1/orgs/{org}/groups/{group}/members/{sub}`: add / remove a member.
//! - `PUT|DELETE /api/v1/orgs/{org}/groups/{group}/roles/{role}`: give / take a role.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use super::orgs_api::{begin, check_csrf};
use crate::error::ApiError;
use crate::flows::{groups, orgs};
use crate::http::ClientInfo;
use crate::session::{ApiSession, AuthSession};
use crate::state::AppState;

pub async fn list(
    State(state): State<AppState>,
    ApiSession(auth): ApiSession,
    Path(org): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let ctx = orgs::enter(&state, &auth.user, &org).await?;
    Ok(Json(json!({ "groups": state.store.list_groups(ctx.org.id).await? })))
}

#[derive(Deserialize)]
pub struct NewGroup {
    name: String,
    #[serde(default)]
    description: String,
}

pub async fn create(
    State(state): State<AppState>,
    ApiSession(auth): ApiSession,
    client: ClientInfo,
    Path(org): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let (req, ctx): (NewGroup, _) = begin(&state, &auth, &headers, &body, &org).await?;
    let g = groups::create(&state, &ctx, &client, &req.name, &req.description).await?;
    Ok((StatusCode::CREATED, Json(json!(g))).into_response())
}

pub async fn delete(
    State(state): State<AppState>,
    ApiSession(auth): ApiSession,
    client: ClientInfo,
    Path((org, group)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    check_csrf(&state, &auth, &headers)?;
    let ctx = orgs::enter(&state, &auth.user, &org).await?;
    let g = groups::group(&state, &ctx, &group).await?;
    groups::delete(&state, &ctx, &client, &g).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub async fn members(
    State(state): State<AppState>,
    ApiSession(auth): ApiSession,
    Path((org, group)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    let ctx = orgs::enter(&state, &auth.user, &org).await?;
    let g = groups::group(&state, &ctx, &group).await?;
    Ok(Json(json!({ "group": g, "members": state.store.group_members(g.id).await? })))
}

async fn member(
    state: &AppState,
    auth: &AuthSession,
    client: &ClientInfo,
    headers: &HeaderMap,
    (org, group, sub): (String, String, String),
    add: bool,
) -> Result<Response, ApiError> {
    check_csrf(state, auth, headers)?;
    let ctx = orgs::enter(state, &auth.user, &org).await?;
    let g = groups::group(state, &ctx, &group).await?;
    // Only the organization's members: anyone else is not found here.
    let (target, _) = orgs::member(state, &ctx, &sub).await?;
    groups::set_member(state, &ctx, client, &g, &target, add).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub async fn add_member(
    State(state): State<AppState>,
    ApiSession(auth): ApiSession,
    client: ClientInfo,
    Path(ids): Path<(String, String, String)>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    member(&state, &auth, &client, &headers, ids, true).await
}

pub async fn remove_member(
    State(state): State<AppState>,
    ApiSession(auth): ApiSession,
    client: ClientInfo,
    Path(ids): Path<(String, String, String)>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    member(&state, &auth, &client, &headers, ids, false).await
}

async fn role(
    state: &AppState,
    auth: &AuthSession,
    client: &ClientInfo,
    headers: &HeaderMap,
    (org, group, role): (String, String, String),
    held: bool,
) -> Result<Response, ApiError> {
    check_csrf(state, auth, headers)?;
    let ctx = orgs::enter(state, &auth.user, &org).await?;
    let g = groups::group(state, &ctx, &group).await?;
    let r = orgs::role(state, &ctx, &role).await?;
    groups::set_role(state, &ctx, client, &g, &r, held).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub async fn grant_role(
    State(state): State<AppState>,
    ApiSession(auth): ApiSession,
    client: ClientInfo,
    Path(ids): Path<(String, String, String)>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    role(&state, &auth, &client, &headers, ids, true).await
}

pub async fn revoke_role(
    State(state): State<AppState>,
    ApiSession(auth): ApiSession,
    client: ClientInfo,
    Path(ids): Path<(String, String, String)>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    role(&state, &auth, &client, &headers, ids, false).await
}
