//! The admin API's accounts: `/api/v1/admin/users…` (see `admin::caller` for who may call it
//! and `admin::users` for the rules). Changes to an administrator's account, and making or
//! unmaking one, need `signet:admin`: a narrower scope could otherwise raise itself.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use signet_core::Password;
use signet_store::{User, UserFilter, UserPatch};
use utoipa::{IntoParams, ToSchema};

use crate::admin::api::{id_cursor, if_match, limit, next_page, path_id, query, with_etag, ErrorBody};
use crate::admin::caller::{AdminCaller, Need};
use crate::admin::users::{self, UserView};
use crate::oauth::bearer::Refused;
use crate::state::AppState;

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserQuery {
    /// Part of the address (case-insensitive).
    q: Option<String>,
    disabled: Option<bool>,
    admin: Option<bool>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
    /// 1 to 200 (default 50).
    limit: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UserPage {
    users: Vec<UserView>,
    next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUserRequest {
    email: String,
    /// The password policy applies; without one the owner signs in another way (recovery,
    /// an upstream provider).
    password: Option<String>,
    #[serde(default)]
    is_admin: bool,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserChange {
    disabled: Option<bool>,
    is_admin: Option<bool>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordRequest {
    password: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SessionView {
    id: i64,
    created_at: i64,
    last_seen_at: i64,
    auth_time: i64,
    /// RFC 8176 methods, space-separated.
    amr: String,
    ip: String,
    user_agent: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct IdentityView {
    id: i64,
    provider: String,
    issuer: String,
    subject: String,
    email: Option<String>,
    created_at: i64,
    last_used_at: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ConsentView {
    client_id: String,
    scope: String,
    granted_at: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Ended {
    sessions_ended: usize,
}

/// The caller, allowed `need`, and the account named by the path — whose being an
/// administrator raises `need` to `signet:admin`.
async fn target(state: &AppState, c: AdminCaller, id: &str, need: Need) -> Result<(AdminCaller, User), Refused> {
    c.require(need)?;
    let u = users::find(state, path_id(id)?).await?;
    if u.is_admin && need == Need::UsersWrite {
        c.require(Need::Admin)?;
    }
    Ok((c, u))
}

#[utoipa::path(get, path = "/api/v1/admin/users", operation_id = "list_users", tag = "users", params(UserQuery),
    responses((status = 200, body = UserPage), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = ["signet:users:read"]), ("session" = [])))]
pub async fn list(State(state): State<AppState>, uri: Uri, caller: AdminCaller) -> Result<Json<UserPage>, Refused> {
    caller.require(Need::UsersRead)?;
    let q: UserQuery = query(&uri)?;
    let after_id = id_cursor(q.cursor.as_deref())?.unwrap_or(0);
    let n = limit(q.limit);
    let filter = UserFilter { query: q.q.as_deref(), disabled: q.disabled, admin: q.admin, after_id, limit: n + 1 };
    let mut found = state.store.search_users(filter).await?;
    let next_cursor = next_page(&mut found, n, |u| u.id.to_string());
    Ok(Json(UserPage { users: found.iter().map(users::view).collect(), next_cursor }))
}

#[utoipa::path(post, path = "/api/v1/admin/users", operation_id = "create_user", tag = "users", request_body = NewUserRequest,
    responses((status = 201, body = UserView, headers(("ETag" = String))), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)),
    security(("bearer" = ["signet:users:write"]), ("session" = [])))]
pub async fn create(
    State(state): State<AppState>,
    headers: HeaderMap,
    caller: AdminCaller,
    body: Bytes,
) -> Result<Response, Refused> {
    let c = caller.allowed(Need::UsersWrite)?;
    let req: NewUserRequest = crate::forms::json_body(&headers, &body)?;
    if req.is_admin {
        c.require(Need::Admin)?;
    }
    let u = users::create(&state, &c.op, &req.email, req.password.map(Password::new), req.is_admin).await?;
    let mut r = with_etag(StatusCode::CREATED, &users::view(&u), u.revision);
    if let Ok(v) = HeaderValue::from_str(&format!("/api/v1/admin/users/{}", u.id)) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    Ok(r)
}

#[utoipa::path(get, path = "/api/v1/admin/users/{id}", operation_id = "get_user", tag = "users", params(("id" = i64, Path)),
    responses((status = 200, body = UserView, headers(("ETag" = String))), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = ["signet:users:read"]), ("session" = [])))]
pub async fn get(
    State(state): State<AppState>,
    caller: AdminCaller,
    Path(id): Path<String>,
) -> Result<Response, Refused> {
    let (_, u) = target(&state, caller, &id, Need::UsersRead).await?;
    Ok(with_etag(StatusCode::OK, &users::view(&u), u.revision))
}

#[utoipa::path(patch, path = "/api/v1/admin/users/{id}", operation_id = "update_user", tag = "users", request_body = UserChange,
    params(("id" = i64, Path), ("If-Match" = Option<String>, Header, description = "The ETag read; a stale one is refused (412)")),
    responses((status = 200, body = UserView, headers(("ETag" = String))), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 412, body = ErrorBody)),
    security(("bearer" = ["signet:users:write"]), ("session" = [])))]
pub async fn update(
    State(state): State<AppState>,
    headers: HeaderMap,
    caller: AdminCaller,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, Refused> {
    let (c, u) = target(&state, caller, &id, Need::UsersWrite).await?;
    let req: UserChange = crate::forms::json_body(&headers, &body)?;
    if req.is_admin.is_some() {
        c.require(Need::Admin)?;
    }
    let expected = if_match(&headers, u.revision, "user")?;
    let patch = UserPatch { disabled: req.disabled, is_admin: req.is_admin };
    let u = users::patch(&state, &c.op, u.id, expected, patch).await?;
    Ok(with_etag(StatusCode::OK, &users::view(&u), u.revision))
}

#[utoipa::path(put, path = "/api/v1/admin/users/{id}/password", tag = "users", request_body = PasswordRequest,
    params(("id" = i64, Path)),
    responses((status = 204), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = ["signet:users:write"]), ("session" = [])))]
pub async fn set_password(
    State(state): State<AppState>,
    headers: HeaderMap,
    caller: AdminCaller,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, Refused> {
    let (c, u) = target(&state, caller, &id, Need::UsersWrite).await?;
    let req: PasswordRequest = crate::forms::json_body(&headers, &body)?;
    users::set_password(&state, &c.op, u.id, Password::new(req.password)).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[utoipa::path(delete, path = "/api/v1/admin/users/{id}/mfa", tag = "users", params(("id" = i64, Path)),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = ["signet:users:write"]), ("session" = [])))]
pub async fn reset_mfa(
    State(state): State<AppState>,
    caller: AdminCaller,
    Path(id): Path<String>,
) -> Result<Response, Refused> {
    let (c, u) = target(&state, caller, &id, Need::UsersWrite).await?;
    users::reset_mfa(&state, &c.op, u.id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[utoipa::path(get, path = "/api/v1/admin/users/{id}/sessions", tag = "users", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<SessionView>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = ["signet:users:read"]), ("session" = [])))]
pub async fn sessions(
    State(state): State<AppState>,
    caller: AdminCaller,
    Path(id): Path<String>,
) -> Result<Json<Vec<SessionView>>, Refused> {
    let (_, u) = target(&state, caller, &id, Need::UsersRead).await?;
    let list = state.store.list_user_sessions(u.id).await?;
    Ok(Json(
        list.into_iter()
            .map(|s| SessionView {
                id: s.id,
                created_at: s.created_at.unix_timestamp(),
                last_seen_at: s.last_seen_at.unix_timestamp(),
                auth_time: s.auth_time.unix_timestamp(),
                amr: s.amr,
                ip: s.ip,
                user_agent: s.user_agent,
            })
            .collect(),
    ))
}

#[utoipa::path(delete, path = "/api/v1/admin/users/{id}/sessions", tag = "users", params(("id" = i64, Path)),
    responses((status = 200, body = Ended), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = ["signet:users:write"]), ("session" = [])))]
pub async fn end_sessions(
    State(state): State<AppState>,
    caller: AdminCaller,
    Path(id): Path<String>,
) -> Result<Json<Ended>, Refused> {
    let (c, u) = target(&state, caller, &id, Need::UsersWrite).await?;
    let n = users::end_sessions(&state, &c.op, u.id).await?;
    Ok(Json(Ended { sessions_ended: n }))
}

#[utoipa::path(get, path = "/api/v1/admin/users/{id}/identities", tag = "users", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<IdentityView>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = ["signet:users:read"]), ("session" = [])))]
pub async fn identities(
    State(state): State<AppState>,
    caller: AdminCaller,
    Path(id): Path<String>,
) -> Result<Json<Vec<IdentityView>>, Refused> {
    let (_, u) = target(&state, caller, &id, Need::UsersRead).await?;
    let list = state.store.identities_of(u.id).await?;
    Ok(Json(
        list.into_iter()
            .map(|i| IdentityView {
                id: i.id,
                provider: i.provider,
                issuer: i.issuer,
                subject: i.subject,
                email: i.email,
                created_at: i.created_at.unix_timestamp(),
                last_used_at: i.last_used_at.unix_timestamp(),
            })
            .collect(),
    ))
}

#[utoipa::path(get, path = "/api/v1/admin/users/{id}/consents", tag = "users", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<ConsentView>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = ["signet:users:read"]), ("session" = [])))]
pub async fn consents(
    State(state): State<AppState>,
    caller: AdminCaller,
    Path(id): Path<String>,
) -> Result<Json<Vec<ConsentView>>, Refused> {
    let (_, u) = target(&state, caller, &id, Need::UsersRead).await?;
    let list = state.store.list_consents(u.id).await?;
    Ok(Json(
        list.into_iter()
            .map(|(client_id, scope, at)| ConsentView { client_id, scope, granted_at: at.unix_timestamp() })
            .collect(),
    ))
}

#[utoipa::path(delete, path = "/api/v1/admin/users/{id}/consents/{client_id}", tag = "users",
    params(("id" = i64, Path), ("client_id" = String, Path)),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = ["signet:users:write"]), ("session" = [])))]
pub async fn revoke_consent(
    State(state): State<AppState>,
    caller: AdminCaller,
    Path((id, client_id)): Path<(String, String)>,
) -> Result<Response, Refused> {
    let (c, u) = target(&state, caller, &id, Need::UsersWrite).await?;
    users::revoke_consent(&state, &c.op, &u, &client_id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
