//! Who is calling the admin API, and what they may do there.
//!
//! - **An access token** (RFC 6750 §2.1, header only) whose audience is the admin API,
//!   [`ADMIN_API`] (RFC 8707 `resource=urn:signet:admin`; a token for any other resource is
//!   refused, RFC 9068 §4): a client's own token (client credentials), or a user's token — and
//!   then only while that user is an administrator. Its scope, narrowed to what the client is
//!   registered for now, says what it may do ([`Need`]).
//! - **An administrator's session** (the console, scripts in the browser): every admin scope;
//!   state-changing calls need the session's `X-CSRF-Token`.
//!
//! Without either: 401. Authenticated without the scope a call needs: 403 `insufficient_scope`.

use std::sync::{Arc, Mutex};

use axum::extract::Request;
use axum::http::{HeaderMap, Method};
use signet_core::audit::AuditKind;

use super::Operator;
use crate::error::ApiError;
use crate::http::ClientInfo;
use crate::oauth::api_token;
use crate::oauth::bearer::Refused;
use crate::oauth::BearerError;
use crate::state::AppState;

/// The admin API's identifier: the `aud` its callers' tokens carry.
pub const ADMIN_API: &str = "urn:signet:admin";

/// Every scope the admin API knows; `signet:admin` holds all the others.
pub const SCOPES: [&str; 6] = [
    "signet:admin",
    "signet:users:read",
    "signet:users:write",
    "signet:clients:read",
    "signet:clients:write",
    "signet:audit:read",
];

/// What a call needs of the caller's scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    UsersRead,
    UsersWrite,
    ClientsRead,
    ClientsWrite,
    AuditRead,
    /// Signing keys: `signet:admin` only.
    Admin,
}

impl Need {
    /// The narrowest scope that allows it (named in the `insufficient_scope` challenge).
    pub fn scope(self) -> &'static str {
        match self {
            Need::UsersRead => "signet:users:read",
            Need::UsersWrite => "signet:users:write",
            Need::ClientsRead => "signet:clients:read",
            Need::ClientsWrite => "signet:clients:write",
            Need::AuditRead => "signet:audit:read",
            Need::Admin => "signet:admin",
        }
    }

    /// Is `need` allowed by holding `scope`? A write scope allows reading the same objects.
    fn allowed_by(self, scope: &str) -> bool {
        scope == "signet:admin"
            || scope == self.scope()
            || matches!(
                (self, scope),
                (Need::UsersRead, "signet:users:write") | (Need::ClientsRead, "signet:clients:write")
            )
    }
}

/// An authenticated caller of the admin API.
#[derive(Debug, Clone)]
pub struct AdminCaller {
    pub op: Operator,
    scopes: Vec<String>,
}

impl AdminCaller {
    pub fn may(&self, need: Need) -> bool {
        self.scopes.iter().any(|s| need.allowed_by(s))
    }

    /// The caller, if its scope allows `need` (see [`Self::require`]).
    pub fn allowed(self, need: Need) -> Result<Self, Refused> {
        self.require(need)?;
        Ok(self)
    }

    /// 403 `insufficient_scope` (RFC 6750 §3.1) unless the caller's scope allows `need`.
    pub fn require(&self, need: Need) -> Result<(), Refused> {
        if self.may(need) {
            Ok(())
        } else {
            Err(BearerError::InsufficientScope(need.scope()).into())
        }
    }
}

/// The extractor form of [`authenticate`]: a handler taking `AdminCaller` runs only for an
/// authenticated caller (with the session's CSRF token on writes).
impl axum::extract::FromRequestParts<AppState> for AdminCaller {
    type Rejection = Refused;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, state: &AppState) -> Result<Self, Refused> {
        let client = match ClientInfo::from_request_parts(parts, state).await {
            Ok(c) => c,
            Err(never) => match never {},
        };
        let caller = authenticate(state, &parts.method, &parts.headers, &client).await?;
        if let Some(slot) = parts.extensions.get::<ReadSlot>() {
            if let Ok(mut s) = slot.0.lock() {
                *s = Some(caller.op.clone());
            }
        }
        Ok(caller)
    }
}

/// Where [`ReadAudit`] learns who called: the extractor above fills it.
#[derive(Clone, Default)]
pub struct ReadSlot(Arc<Mutex<Option<Operator>>>);

/// An admin API read in progress, audited when answered ([`ReadAudit::finish`]): the router's
/// edge layer (`crate::edge`) starts one for every `GET` under `/api/v1/admin/`. So who looked
/// at whose data is on record as well as who changed it (changes are audited by the service
/// layer with their diff). Refused calls are not reads.
pub struct ReadAudit {
    slot: ReadSlot,
    /// The path and query read.
    target: String,
}

impl ReadAudit {
    pub fn start(req: &mut Request) -> Option<Self> {
        let read =
            matches!(*req.method(), Method::GET | Method::HEAD) && req.uri().path().starts_with("/api/v1/admin/");
        if !read {
            return None;
        }
        let slot = ReadSlot::default();
        req.extensions_mut().insert(slot.clone());
        let target = req.uri().path_and_query().map_or("", |p| p.as_str()).chars().take(300).collect();
        Some(ReadAudit { slot, target })
    }

    /// Records `admin_read` with the operator the extractor found, if the read was answered
    /// (`answered`: a 2xx status).
    pub async fn finish(self, state: &AppState, answered: bool) {
        let op = self.slot.0.lock().ok().and_then(|mut s| s.take());
        if let (true, Some(op)) = (answered, op) {
            super::audit(state, &op, AuditKind::AdminRead, None, &self.target, serde_json::Value::Null).await;
        }
    }
}

fn operator(label: String, client: &ClientInfo, user_id: Option<i64>) -> Operator {
    Operator { label, ip: client.ip.clone(), user_agent: client.user_agent.clone(), user_id }
}

/// Authenticates the caller; see the module comment. `method` decides whether a session's
/// call needs its CSRF token.
pub async fn authenticate(
    state: &AppState,
    method: &Method,
    headers: &HeaderMap,
    client: &ClientInfo,
) -> Result<AdminCaller, Refused> {
    if headers.contains_key(axum::http::header::AUTHORIZATION) {
        return from_token(state, headers, client).await;
    }
    let Some(auth) = crate::session::load(state, headers).await? else {
        return Err(BearerError::Missing.into());
    };
    if !auth.user.is_admin {
        return Err(ApiError::forbidden("Administrator role required.").into());
    }
    if !matches!(*method, Method::GET | Method::HEAD) {
        let given = headers.get("x-csrf-token").and_then(|v| v.to_str().ok()).unwrap_or_default();
        crate::csrf::check_session(state, &auth.token_hash, given).map_err(ApiError::from)?;
    }
    let op = operator(format!("user:{}", auth.user.id), client, Some(auth.user.id));
    Ok(AdminCaller { op, scopes: vec!["signet:admin".into()] })
}

async fn from_token(state: &AppState, headers: &HeaderMap, info: &ClientInfo) -> Result<AdminCaller, Refused> {
    let (claims, client) =
        api_token::verified_for(state, headers, ADMIN_API, "the access token is not for the admin API").await?;
    // What the client is registered for now: a narrowed registration takes effect at once.
    let registered: Vec<&str> = client.scopes.split_whitespace().collect();
    let scopes: Vec<String> = claims
        .scope
        .split_whitespace()
        .filter(|s| SCOPES.contains(s) && registered.contains(s))
        .map(str::to_owned)
        .collect();
    if claims.sub == claims.client_id {
        let op = operator(format!("client:{}", client.client_id), info, None);
        return Ok(AdminCaller { op, scopes });
    }
    let user = api_token::token_user(state, &claims).await?;
    // A user's token speaks for them only while they are an administrator.
    if !user.is_admin {
        return Err(ApiError::forbidden("Administrator role required.").into());
    }
    let op = operator(format!("user:{}", user.id), info, Some(user.id));
    Ok(AdminCaller { op, scopes })
}
