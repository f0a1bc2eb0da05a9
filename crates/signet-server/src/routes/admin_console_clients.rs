//! The admin console's clients, signing keys and audit log: `/admin/clients…`, `/admin/keys`,
//! `/admin/audit…` (see `routes::admin_console` for the common rules). Rotating a secret,
//! deleting a client and rotating or revoking keys need a recent sign-in; a new secret is shown
//! once, on the answer to the form, never in a URL.

use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, Uri};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use signet_store::AuditFilter;

use crate::admin::clients::{self, ClientChange, ClientSpec};
use crate::admin::console::{back, enter, render, when};
use crate::admin::keys;
use crate::csrf::SessionForm;
use crate::error::PageError;
use crate::http::{query_param, ClientInfo};
use crate::session::{require_recent_auth, RequireSession};
use crate::state::AppState;

fn lines(s: &str) -> Vec<String> {
    s.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned).collect()
}

/// `GET /admin/clients`
pub async fn clients_page(
    State(state): State<AppState>,
    RequireSession(auth): RequireSession,
    client: ClientInfo,
    uri: Uri,
) -> Result<Response, PageError> {
    enter(&auth, &client)?;
    let list: Vec<_> = state.store.list_clients().await?.iter().map(clients::view).collect();
    render(&state, &auth, "clients", &uri, minijinja::context! { clients => list })
}

#[derive(Deserialize)]
pub struct NewClientForm {
    name: String,
    #[serde(default)]
    kind: String,
    /// One checkbox per grant type (`grant_<type>=on`: a form cannot repeat a name here).
    grant_authorization_code: Option<String>,
    grant_refresh_token: Option<String>,
    grant_client_credentials: Option<String>,
    grant_device_code: Option<String>,
    #[serde(default)]
    redirect_uris: String,
    #[serde(default)]
    scope: String,
}

/// The answer to a form that made a secret: shown this once.
fn secret_page(
    state: &AppState,
    auth: &crate::session::AuthSession,
    uri: &Uri,
    c: &signet_store::Client,
    secret: Option<&signet_core::PlainToken>,
) -> Result<Response, PageError> {
    let data = minijinja::context! {
        client_id => c.client_id.clone(), name => c.name.clone(), secret => secret.map(|s| s.expose().to_owned()),
        overlap_until => c.previous_secret.as_ref().map(|(_, t)| when(*t)),
    };
    render(state, auth, "secret", uri, data)
}

/// `POST /admin/clients`: registers a client (the same rules as `signet client create`).
pub async fn create_client(
    State(state): State<AppState>,
    client: ClientInfo,
    uri: Uri,
    SessionForm { session: auth, form }: SessionForm<NewClientForm>,
) -> Result<Response, PageError> {
    let op = enter(&auth, &client)?;
    let grant_types = [
        (form.grant_authorization_code.is_some(), "authorization_code"),
        (form.grant_refresh_token.is_some(), "refresh_token"),
        (form.grant_client_credentials.is_some(), "client_credentials"),
        (form.grant_device_code.is_some(), "device_code"),
    ]
    .into_iter()
    .filter(|(on, _)| *on)
    .map(|(_, g)| g.to_owned())
    .collect();
    let spec = ClientSpec {
        name: form.name,
        public: form.kind == "public",
        grant_types,
        scope: form.scope,
        redirect_uris: lines(&form.redirect_uris),
        ..Default::default()
    };
    match clients::create(&state, &op, spec).await {
        Ok((c, secret)) => secret_page(&state, &auth, &uri, &c, secret.as_ref()),
        Err(e) => back("/admin/clients", Err(e)),
    }
}

/// `GET /admin/clients/{client_id}`
pub async fn client_page(
    State(state): State<AppState>,
    RequireSession(auth): RequireSession,
    client: ClientInfo,
    Path(client_id): Path<String>,
    uri: Uri,
) -> Result<Response, PageError> {
    enter(&auth, &client)?;
    let c = clients::find(&state, &client_id).await?;
    let data = minijinja::context! {
        c => clients::view(&c), redirect_text => c.redirect_uris.join("\n"),
        logout_text => c.post_logout_redirect_uris.join("\n"),
        overlap_until => c.previous_secret.as_ref().map(|(_, t)| when(*t)),
    };
    render(&state, &auth, "client", &uri, data)
}

#[derive(Deserialize)]
pub struct ClientForm {
    action: String,
    /// The revision the form was rendered from: a change made since is refused (stale).
    #[serde(default)]
    revision: Option<i64>,
    name: Option<String>,
    redirect_uris: Option<String>,
    post_logout_redirect_uris: Option<String>,
    scope: Option<String>,
    #[serde(default)]
    overlap: u64,
}

/// `POST /admin/clients/{client_id}`: `save`, `rotate` (with an overlap), `delete`.
pub async fn client_action(
    State(state): State<AppState>,
    client: ClientInfo,
    uri: Uri,
    Path(client_id): Path<String>,
    SessionForm { session: auth, form }: SessionForm<ClientForm>,
) -> Result<Response, PageError> {
    let op = enter(&auth, &client)?;
    let c = clients::find(&state, &client_id).await?;
    let page = format!("/admin/clients/{}", c.client_id);
    match form.action.as_str() {
        "save" => {
            let change = ClientChange {
                name: form.name,
                redirect_uris: form.redirect_uris.as_deref().map(lines),
                post_logout_redirect_uris: form.post_logout_redirect_uris.as_deref().map(lines),
                scope: form.scope,
                ..Default::default()
            };
            let r = clients::patch(&state, &op, &c.client_id, form.revision, change).await;
            back(&page, r.map(|_| "client_saved"))
        }
        "rotate" => {
            require_recent_auth(&state, &auth, &page)?;
            match clients::rotate_secret(&state, &op, &c.client_id, form.revision, form.overlap).await {
                Ok((after, secret)) => secret_page(&state, &auth, &uri, &after, Some(&secret)),
                Err(e) => back(&page, Err(e)),
            }
        }
        "delete" => {
            require_recent_auth(&state, &auth, &page)?;
            match clients::delete(&state, &op, &c.client_id).await {
                Ok(()) => back("/admin/clients", Ok("client_deleted")),
                Err(e) => back(&page, Err(e)),
            }
        }
        _ => Err(PageError::BadRequest(crate::pages::tr("admin-error-invalid"))),
    }
}

/// `GET /admin/keys`
pub async fn keys_page(
    State(state): State<AppState>,
    RequireSession(auth): RequireSession,
    client: ClientInfo,
    uri: Uri,
) -> Result<Response, PageError> {
    enter(&auth, &client)?;
    let list: Vec<_> = state.store.list_keys().await?.iter().map(keys::view).collect();
    render(&state, &auth, "keys", &uri, minijinja::context! { keys => list })
}

#[derive(Deserialize)]
pub struct KeyForm {
    action: String,
    #[serde(default)]
    kid: String,
}

/// `POST /admin/keys`: `rotate` (every algorithm) or `revoke` one key.
pub async fn keys_action(
    State(state): State<AppState>,
    client: ClientInfo,
    SessionForm { session: auth, form }: SessionForm<KeyForm>,
) -> Result<Response, PageError> {
    let op = enter(&auth, &client)?;
    require_recent_auth(&state, &auth, "/admin/keys")?;
    let outcome = match form.action.as_str() {
        "rotate" => keys::rotate(&state, &op, None).await.map(|_| "keys_rotated"),
        "revoke" => keys::revoke(&state, &op, &form.kid).await.map(|_| "key_revoked"),
        _ => return Err(PageError::BadRequest(crate::pages::tr("admin-error-invalid"))),
    };
    back("/admin/keys", outcome)
}

#[derive(Serialize)]
struct EventRow {
    id: i64,
    at: String,
    kind: String,
    actor: String,
    email: String,
    ip: String,
    detail: String,
}

/// The audit browser's filters from the query, as the admin API reads them: `kind`, `actor`,
/// `user` (an id), `before` (a cursor).
struct AuditQuery {
    kind: String,
    actor: String,
    user: String,
    before: Option<i64>,
}

impl AuditQuery {
    fn read(uri: &Uri) -> Self {
        AuditQuery {
            kind: query_param(uri, "kind").unwrap_or_default(),
            actor: query_param(uri, "actor").unwrap_or_default(),
            user: query_param(uri, "user").unwrap_or_default(),
            before: query_param(uri, "before").and_then(|b| b.parse().ok()),
        }
    }

    fn filter(&self, limit: i64) -> AuditFilter<'_> {
        fn some(s: &str) -> Option<&str> {
            Some(s.trim()).filter(|s| !s.is_empty())
        }
        AuditFilter {
            // An id that is not a number matches no account (not every account).
            user_id: some(&self.user).map(|u| u.parse().unwrap_or(-1)),
            kind: some(&self.kind),
            actor: some(&self.actor),
            before_id: self.before,
            limit,
            ..Default::default()
        }
    }

    /// The filters again, for the next page's and the exports' links.
    fn query_string(&self) -> String {
        url::form_urlencoded::Serializer::new(String::new())
            .append_pair("kind", &self.kind)
            .append_pair("actor", &self.actor)
            .append_pair("user", &self.user)
            .finish()
    }
}

/// `GET /admin/audit`: newest first, 100 a page, with filters.
pub async fn audit_page(
    State(state): State<AppState>,
    RequireSession(auth): RequireSession,
    client: ClientInfo,
    uri: Uri,
) -> Result<Response, PageError> {
    enter(&auth, &client)?;
    let q = AuditQuery::read(&uri);
    let mut events = state.store.audit_page(q.filter(101)).await?;
    let more = events.len() > 100;
    events.truncate(100);
    let next = more.then(|| events.last().map(|e| e.id)).flatten();
    let rows: Vec<EventRow> = events
        .into_iter()
        .map(|e| EventRow {
            id: e.id,
            at: when(e.at),
            kind: e.kind,
            actor: e.actor,
            email: e.email.unwrap_or_default(),
            ip: e.ip,
            detail: e.detail,
        })
        .collect();
    let data = minijinja::context! {
        rows, next, kind => q.kind.clone(), actor => q.actor.clone(), user => q.user.clone(), qs => q.query_string(),
    };
    render(&state, &auth, "audit", &uri, data)
}

/// One CSV field (RFC 4180 quoting); a value a spreadsheet would run as a formula gets a
/// leading apostrophe (OWASP CSV injection).
fn csv_field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{s}") } else { s.to_owned() };
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// `GET /admin/audit/export.{csv,jsonl}`: the filtered events, newest first (at most 100 000).
pub async fn audit_export(
    State(state): State<AppState>,
    RequireSession(auth): RequireSession,
    client: ClientInfo,
    Path(format): Path<String>,
    uri: Uri,
) -> Result<Response, PageError> {
    enter(&auth, &client)?;
    let csv = match format.as_str() {
        "export.csv" => true,
        "export.jsonl" => false,
        _ => return Err(PageError::NotFound),
    };
    let q = AuditQuery::read(&uri);
    let mut f = q.filter(1000);
    let mut out = String::new();
    if csv {
        out.push_str("id,at,kind,actor,user_id,email,ip,user_agent,detail\r\n");
    }
    for _ in 0..100 {
        let page = state.store.audit_page(f.clone()).await?;
        for e in &page {
            if csv {
                let cells = [
                    e.id.to_string(),
                    when(e.at),
                    e.kind.clone(),
                    e.actor.clone(),
                    e.user_id.map(|u| u.to_string()).unwrap_or_default(),
                    e.email.clone().unwrap_or_default(),
                    e.ip.clone(),
                    e.user_agent.clone(),
                    e.detail.clone(),
                ];
                out.push_str(&cells.iter().map(|c| csv_field(c)).collect::<Vec<_>>().join(","));
                out.push_str("\r\n");
            } else {
                out.push_str(&serde_json::to_string(e).map_err(|e| PageError::Unexpected(e.into()))?);
                out.push('\n');
            }
        }
        match page.last() {
            Some(last) if page.len() as i64 == f.limit => f.before_id = Some(last.id),
            _ => break,
        }
    }
    let (ct, name) =
        if csv { ("text/csv; charset=utf-8", "audit.csv") } else { ("application/x-ndjson", "audit.jsonl") };
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{name}\""))
        .map_err(|e| PageError::Unexpected(e.into()))?;
    Ok((
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(ct)),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        out,
    )
        .into_response())
}
