//! The organization JSON API under `/api/v1/orgs` (signed-in session; state changes need the
//! session's `X-CSRF-Token` and a JSON body). The rules are in `flows::orgs`: an organization or
//! object the caller has no standing in is 404; a refused change is 403 naming the rule.
//!
//! - `GET /api/v1/orgs`: the caller's organizations.
//! - `GET /api/v1/orgs/{org}/members?cursor=&limit=`: members (cursor pagination by subject).
//! - `PUT|DELETE /api/v1/orgs/{org}/members/{sub}`: set `{"org_role"}` / remove (or leave).
//! - `PUT|DELETE /api/v1/orgs/{org}/members/{sub}/roles/{role}`: give / take a role.
//! - `GET|POST /api/v1/orgs/{org}/roles`: the roles usable there / define one of its own.
//! - `POST /api/v1/orgs/{org}/invitations`: invite `{"email","org_role","roles"}`.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};
use signet_core::rbac::OrgRole;

use crate::error::ApiError;
use crate::flows::orgs::{self, Ctx, OrgError};
use crate::http::ClientInfo;
use crate::session::{ApiSession, AuthSession};
use crate::state::AppState;

impl From<OrgError> for ApiError {
    fn from(e: OrgError) -> Self {
        match e {
            OrgError::NotFound => ApiError::not_found(),
            OrgError::Refused(r) => ApiError::forbidden(r.to_string()),
            OrgError::Invalid(m) => ApiError::bad_request(m),
            OrgError::Conflict(m) => ApiError::conflict(m),
            OrgError::Store(e) => e.into(),
        }
    }
}

/// A state-changing call: the session's CSRF token in `X-CSRF-Token`.
pub(crate) fn check_csrf(state: &AppState, auth: &AuthSession, headers: &HeaderMap) -> Result<(), ApiError> {
    let given = headers.get("x-csrf-token").and_then(|v| v.to_str().ok()).unwrap_or_default();
    Ok(crate::csrf::check_session(state, &auth.token_hash, given)?)
}

/// The start of a state-changing call: the CSRF token, the JSON body, the caller's standing in
/// the organization (in that order: nothing about the organization is looked at before).
pub(crate) async fn begin<T: for<'de> Deserialize<'de>>(
    state: &AppState,
    auth: &AuthSession,
    headers: &HeaderMap,
    body: &Bytes,
    org: &str,
) -> Result<(T, Ctx), ApiError> {
    check_csrf(state, auth, headers)?;
    let req: T = crate::forms::json_body(headers, body)?;
    Ok((req, orgs::enter(state, &auth.user, org).await?))
}

fn org_json(ctx: &Ctx) -> Value {
    json!({ "id": ctx.org.public_id, "slug": ctx.org.slug, "name": ctx.org.name, "your_role": ctx.role.as_str() })
}

pub async fn list(State(state): State<AppState>, ApiSession(auth): ApiSession) -> Result<Json<Value>, ApiError> {
    let orgs = state.store.user_orgs(auth.user.id).await?;
    let v: Vec<Value> = orgs
        .into_iter()
        .map(|(o, role)| json!({ "id": o.public_id, "slug": o.slug, "name": o.name, "your_role": role }))
        .collect();
    Ok(Json(json!({ "organizations": v })))
}

#[derive(Deserialize)]
pub struct Page {
    #[serde(default)]
    cursor: String,
    #[serde(default)]
    limit: Option<usize>,
}

pub async fn members(
    State(state): State<AppState>,
    ApiSession(auth): ApiSession,
    Path(org): Path<String>,
    Query(page): Query<Page>,
) -> Result<Json<Value>, ApiError> {
    let ctx = orgs::enter(&state, &auth.user, &org).await?;
    let limit = page.limit.unwrap_or(50).clamp(1, 200);
    let mut rows: Vec<Value> = state
        .store
        .list_members(ctx.org.id)
        .await?
        .into_iter()
        .map(|m| json!({ "sub": m.sub, "email": m.email, "org_role": m.org_role, "roles": m.roles }))
        .collect();
    rows.sort_by(|a, b| a["sub"].as_str().cmp(&b["sub"].as_str()));
    let after: Vec<Value> =
        rows.into_iter().filter(|r| r["sub"].as_str().unwrap_or("") > page.cursor.as_str()).collect();
    let next = (after.len() > limit).then(|| after[limit - 1]["sub"].clone());
    let items: Vec<Value> = after.into_iter().take(limit).collect();
    Ok(Json(json!({ "organization": org_json(&ctx), "members": items, "next_cursor": next })))
}

#[derive(Deserialize)]
pub struct SetMember {
    org_role: String,
}

pub async fn set_member(
    State(state): State<AppState>,
    ApiSession(auth): ApiSession,
    client: ClientInfo,
    Path((org, sub)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let (req, ctx): (SetMember, _) = begin(&state, &auth, &headers, &body, &org).await?;
    let to = OrgRole::parse(&req.org_role).ok_or_else(|| ApiError::bad_request("org_role: owner, admin or member"))?;
    // Only existing members here; new ones come through invitations.
    let (target, from) = orgs::member(&state, &ctx, &sub).await?;
    orgs::set_org_role(&state, &ctx, &client, &target, Some(from), to).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub async fn remove_member(
    State(state): State<AppState>,
    ApiSession(auth): ApiSession,
    client: ClientInfo,
    Path((org, sub)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    check_csrf(&state, &auth, &headers)?;
    let ctx = orgs::enter(&state, &auth.user, &org).await?;
    let (target, from) = orgs::member(&state, &ctx, &sub).await?;
    orgs::remove(&state, &ctx, &client, &target, from).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn member_role(
    state: &AppState,
    auth: &AuthSession,
    client: &ClientInfo,
    headers: &HeaderMap,
    (org, sub, role): (String, String, String),
    grant: bool,
) -> Result<Response, ApiError> {
    check_csrf(state, auth, headers)?;
    let ctx = orgs::enter(state, &auth.user, &org).await?;
    let (target, _) = orgs::member(state, &ctx, &sub).await?;
    let role = orgs::role(state, &ctx, &role).await?;
    orgs::assign(state, &ctx, client, &target, &role, grant).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub async fn grant_role(
    State(state): State<AppState>,
    ApiSession(auth): ApiSession,
    client: ClientInfo,
    Path(ids): Path<(String, String, String)>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    member_role(&state, &auth, &client, &headers, ids, true).await
}

pub async fn revoke_role(
    State(state): State<AppState>,
    ApiSession(auth): ApiSession,
    client: ClientInfo,
    Path(ids): Path<(String, String, String)>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    member_role(&state, &auth, &client, &headers, ids, false).await
}

fn role_json(r: &signet_store::Role) -> Value {
    let perms: Vec<Value> = r.permissions.iter().map(|(a, p)| json!({ "api": a, "permission": p })).collect();
    json!({ "name": r.name, "scope": if r.org_id == 0 { "global" } else { "organization" }, "permissions": perms })
}

pub async fn roles(
    State(state): State<AppState>,
    ApiSession(auth): ApiSession,
    Path(org): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let ctx = orgs::enter(&state, &auth.user, &org).await?;
    let mut all = state.store.list_roles(ctx.org.id).await?;
    all.extend(state.store.list_roles(0).await?);
    Ok(Json(json!({ "roles": all.iter().map(role_json).collect::<Vec<_>>() })))
}

#[derive(Deserialize)]
pub struct NewRole {
    name: String,
    api: String,
    #[serde(default)]
    permissions: Vec<String>,
}

pub async fn create_role(
    State(state): State<AppState>,
    ApiSession(auth): ApiSession,
    client: ClientInfo,
    Path(org): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let (req, ctx): (NewRole, _) = begin(&state, &auth, &headers, &body, &org).await?;
    let r = orgs::define_role(&state, &ctx, &client, &req.name, &req.api, &req.permissions).await?;
    Ok((StatusCode::CREATED, Json(role_json(&r))).into_response())
}

#[derive(Deserialize)]
pub struct NewInvitation {
    email: String,
    #[serde(default = "member")]
    org_role: String,
    #[serde(default)]
    roles: Vec<String>,
}

fn member() -> String {
    "member".into()
}

/// `POST /api/v1/orgs/{org}/invitations`: a single-use link to `email`, valid 7 days.
pub async fn invite(
    State(state): State<AppState>,
    ApiSession(auth): ApiSession,
    client: ClientInfo,
    Path(org): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let (req, ctx): (NewInvitation, _) = begin(&state, &auth, &headers, &body, &org).await?;
    let role =
        OrgRole::parse(&req.org_role).ok_or_else(|| ApiError::bad_request("org_role: owner, admin or member"))?;
    let expires = crate::flows::invite::invite(&state, &ctx, &client, &req.email, role, &req.roles).await?;
    let at = expires.format(&time::format_description::well_known::Rfc3339).unwrap_or_default();
    Ok((StatusCode::CREATED, Json(json!({ "email": req.email.trim().to_lowercase(), "expires_at": at })))
        .into_response())
}
