//! The admin API's clients, signing keys and audit log: `/api/v1/admin/clients…`, `/keys…`,
//! `/audit…` (see `admin::caller` for who may call it; the rules are in `admin::clients` and
//! `admin::keys`).

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use signet_store::{AuditEvent, AuditFilter};
use utoipa::{IntoParams, ToSchema};

use crate::admin::api::{id_cursor, if_match, limit, next_page, query, with_etag, ErrorBody};
use crate::admin::caller::{AdminCaller, Need};
use crate::admin::clients::{self, ClientChange, ClientSpec, ClientView};
use crate::admin::keys::{self, KeyView};
use crate::error::ApiError;
use crate::oauth::bearer::Refused;
use crate::state::AppState;

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
    /// 1 to 200 (default 50).
    limit: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ClientPage {
    clients: Vec<ClientView>,
    next_cursor: Option<String>,
}

/// A client with its new secret, shown this once.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClientWithSecret {
    client: ClientView,
    client_secret: Option<String>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RotateRequest {
    /// How long the replaced secret keeps working (0 to 2592000 seconds; default 0: it stops
    /// at once).
    #[serde(default)]
    overlap_seconds: u64,
}

fn with_secret(status: StatusCode, c: &signet_store::Client, secret: Option<&signet_core::PlainToken>) -> Response {
    let body = ClientWithSecret { client: clients::view(c), client_secret: secret.map(|s| s.expose().to_owned()) };
    let mut r = with_etag(status, &body, c.revision);
    // The secret is in this body only: never stored by a cache (RFC 6749 §5.1's rule for tokens).
    r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

#[utoipa::path(get, path = "/api/v1/admin/clients", tag = "clients", params(PageQuery),
    responses((status = 200, body = ClientPage), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = ["signet:clients:read"]), ("session" = [])))]
pub async fn list_clients(
    State(state): State<AppState>,
    uri: Uri,
    caller: AdminCaller,
) -> Result<Json<ClientPage>, Refused> {
    caller.require(Need::ClientsRead)?;
    let q: PageQuery = query(&uri)?;
    let n = limit(q.limit);
    let mut all = state.store.list_clients().await?;
    all.sort_by(|a, b| a.client_id.cmp(&b.client_id));
    let after = q.cursor.unwrap_or_default();
    let mut page: Vec<ClientView> =
        all.iter().filter(|c| c.client_id > after).take(n as usize + 1).map(clients::view).collect();
    let next_cursor = next_page(&mut page, n, |c| c.client_id.clone());
    Ok(Json(ClientPage { clients: page, next_cursor }))
}

#[utoipa::path(post, path = "/api/v1/admin/clients", tag = "clients", request_body = ClientSpec,
    responses((status = 201, body = ClientWithSecret, headers(("ETag" = String))), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = ["signet:clients:write"]), ("session" = [])))]
pub async fn create_client(
    State(state): State<AppState>,
    headers: HeaderMap,
    caller: AdminCaller,
    body: Bytes,
) -> Result<Response, Refused> {
    let c = caller.allowed(Need::ClientsWrite)?;
    let spec: ClientSpec = crate::forms::json_body(&headers, &body)?;
    // A client that could ask for admin scopes is an administrator's decision.
    if spec.scope.split_whitespace().any(|s| s.starts_with("signet:")) {
        c.require(Need::Admin)?;
    }
    let (created, secret) = clients::create(&state, &c.op, spec).await?;
    Ok(with_secret(StatusCode::CREATED, &created, secret.as_ref()))
}

#[utoipa::path(get, path = "/api/v1/admin/clients/{client_id}", tag = "clients", params(("client_id" = String, Path)),
    responses((status = 200, body = ClientView, headers(("ETag" = String))), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = ["signet:clients:read"]), ("session" = [])))]
pub async fn get_client(
    State(state): State<AppState>,
    caller: AdminCaller,
    Path(client_id): Path<String>,
) -> Result<Response, Refused> {
    caller.require(Need::ClientsRead)?;
    let c = clients::find(&state, &client_id).await?;
    Ok(with_etag(StatusCode::OK, &clients::view(&c), c.revision))
}

#[utoipa::path(patch, path = "/api/v1/admin/clients/{client_id}", tag = "clients", request_body = ClientChange,
    params(("client_id" = String, Path), ("If-Match" = Option<String>, Header, description = "The ETag read; a stale one is refused (412)")),
    responses((status = 200, body = ClientView, headers(("ETag" = String))), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 412, body = ErrorBody)),
    security(("bearer" = ["signet:clients:write"]), ("session" = [])))]
pub async fn update_client(
    State(state): State<AppState>,
    headers: HeaderMap,
    caller: AdminCaller,
    Path(client_id): Path<String>,
    body: Bytes,
) -> Result<Response, Refused> {
    let op = caller.allowed(Need::ClientsWrite)?;
    let current = clients::find(&state, &client_id).await?;
    let change: ClientChange = crate::forms::json_body(&headers, &body)?;
    if change.scope.as_deref().is_some_and(|s| s.split_whitespace().any(|s| s.starts_with("signet:")))
        || current.scopes.split_whitespace().any(|s| s.starts_with("signet:"))
    {
        op.require(Need::Admin)?;
    }
    let expected = if_match(&headers, current.revision, "client")?;
    let c = clients::patch(&state, &op.op, &client_id, expected, change).await?;
    Ok(with_etag(StatusCode::OK, &clients::view(&c), c.revision))
}

#[utoipa::path(delete, path = "/api/v1/admin/clients/{client_id}", tag = "clients", params(("client_id" = String, Path)),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = ["signet:clients:write"]), ("session" = [])))]
pub async fn delete_client(
    State(state): State<AppState>,
    caller: AdminCaller,
    Path(client_id): Path<String>,
) -> Result<Response, Refused> {
    let c = caller.allowed(Need::ClientsWrite)?;
    let target = clients::find(&state, &client_id).await?;
    if target.scopes.split_whitespace().any(|s| s.starts_with("signet:")) {
        c.require(Need::Admin)?;
    }
    clients::delete(&state, &c.op, &client_id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[utoipa::path(post, path = "/api/v1/admin/clients/{client_id}/secret", tag = "clients", request_body = RotateRequest,
    params(("client_id" = String, Path), ("If-Match" = Option<String>, Header)),
    responses((status = 200, body = ClientWithSecret, headers(("ETag" = String))), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 412, body = ErrorBody)),
    security(("bearer" = ["signet:clients:write"]), ("session" = [])))]
pub async fn rotate_secret(
    State(state): State<AppState>,
    headers: HeaderMap,
    caller: AdminCaller,
    Path(client_id): Path<String>,
    body: Bytes,
) -> Result<Response, Refused> {
    let c = caller.allowed(Need::ClientsWrite)?;
    let current = clients::find(&state, &client_id).await?;
    if current.scopes.split_whitespace().any(|s| s.starts_with("signet:")) {
        c.require(Need::Admin)?;
    }
    let req: RotateRequest =
        if body.is_empty() { RotateRequest::default() } else { crate::forms::json_body(&headers, &body)? };
    let expected = if_match(&headers, current.revision, "client")?;
    let (after, secret) = clients::rotate_secret(&state, &c.op, &client_id, expected, req.overlap_seconds).await?;
    Ok(with_secret(StatusCode::OK, &after, Some(&secret)))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct KeyList {
    keys: Vec<KeyView>,
}

#[utoipa::path(get, path = "/api/v1/admin/keys", tag = "keys",
    responses((status = 200, body = KeyList), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = ["signet:admin"]), ("session" = [])))]
pub async fn list_keys(State(state): State<AppState>, caller: AdminCaller) -> Result<Json<KeyList>, Refused> {
    caller.require(Need::Admin)?;
    let keys = state.store.list_keys().await?;
    Ok(Json(KeyList { keys: keys.iter().map(keys::view).collect() }))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RotateKeys {
    /// One configured algorithm (default: every one).
    alg: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Rotated {
    rotated: Vec<String>,
}

#[utoipa::path(post, path = "/api/v1/admin/keys/rotate", tag = "keys", request_body = RotateKeys,
    responses((status = 200, body = Rotated), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = ["signet:admin"]), ("session" = [])))]
pub async fn rotate_keys(
    State(state): State<AppState>,
    headers: HeaderMap,
    caller: AdminCaller,
    body: Bytes,
) -> Result<Json<Rotated>, Refused> {
    let c = caller.allowed(Need::Admin)?;
    let req: RotateKeys =
        if body.is_empty() { RotateKeys::default() } else { crate::forms::json_body(&headers, &body)? };
    let rotated = keys::rotate(&state, &c.op, req.alg.as_deref()).await?;
    Ok(Json(Rotated { rotated }))
}

#[utoipa::path(post, path = "/api/v1/admin/keys/{kid}/revoke", tag = "keys", params(("kid" = String, Path)),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = ["signet:admin"]), ("session" = [])))]
pub async fn revoke_key(
    State(state): State<AppState>,
    caller: AdminCaller,
    Path(kid): Path<String>,
) -> Result<Response, Refused> {
    let c = caller.allowed(Need::Admin)?;
    keys::revoke(&state, &c.op, &kid).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// An account's id.
    user: Option<i64>,
    /// An event kind, e.g. `login_failure`.
    kind: Option<String>,
    /// `client:<id>`, `user:<id>`, `cli`, `system`, `anonymous`.
    actor: Option<String>,
    /// Unix seconds (inclusive).
    since: Option<i64>,
    /// Unix seconds (exclusive).
    until: Option<i64>,
    cursor: Option<String>,
    limit: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditPage {
    #[schema(value_type = Vec<Object>)]
    events: Vec<AuditEvent>,
    next_cursor: Option<String>,
}

fn filter(q: &AuditQuery, n: i64) -> Result<AuditFilter<'_>, ApiError> {
    let at = |t: Option<i64>| {
        t.map(|s| {
            time::OffsetDateTime::from_unix_timestamp(s).map_err(|_| ApiError::bad_request("since/until: out of range"))
        })
        .transpose()
    };
    let before_id = id_cursor(q.cursor.as_deref())?;
    Ok(AuditFilter {
        user_id: q.user,
        kind: q.kind.as_deref(),
        actor: q.actor.as_deref(),
        since: at(q.since)?,
        until: at(q.until)?,
        before_id,
        limit: n,
    })
}

#[utoipa::path(get, path = "/api/v1/admin/audit", tag = "audit", params(AuditQuery),
    responses((status = 200, body = AuditPage), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = ["signet:audit:read"]), ("session" = [])))]
pub async fn audit(State(state): State<AppState>, uri: Uri, caller: AdminCaller) -> Result<Json<AuditPage>, Refused> {
    caller.require(Need::AuditRead)?;
    let q: AuditQuery = query(&uri)?;
    let n = limit(q.limit);
    let mut events = state.store.audit_page(filter(&q, n + 1)?).await?;
    let next_cursor = next_page(&mut events, n, |e| e.id.to_string());
    Ok(Json(AuditPage { events, next_cursor }))
}

#[utoipa::path(get, path = "/api/v1/admin/audit/export", tag = "audit", params(AuditQuery),
    responses((status = 200, description = "JSON lines, newest first (at most 100000 events)", content_type = "application/x-ndjson", body = String),
              (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = ["signet:audit:read"]), ("session" = [])))]
pub async fn audit_export(State(state): State<AppState>, uri: Uri, caller: AdminCaller) -> Result<Response, Refused> {
    caller.require(Need::AuditRead)?;
    let q: AuditQuery = query(&uri)?;
    let mut f = filter(&q, 1000)?;
    let mut out = String::new();
    for _ in 0..100 {
        let page = state.store.audit_page(f.clone()).await?;
        for e in &page {
            out.push_str(&serde_json::to_string(e).map_err(|e| ApiError::unexpected(e.into()))?);
            out.push('\n');
        }
        match page.last() {
            Some(last) if page.len() as i64 == f.limit => f.before_id = Some(last.id),
            _ => break,
        }
    }
    Ok(([(header::CONTENT_TYPE, HeaderValue::from_static("application/x-ndjson"))], out).into_response())
}
