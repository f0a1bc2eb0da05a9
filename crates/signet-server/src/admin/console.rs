//! The admin console's shared parts (`/admin`, `routes::admin_console*`): who may see it (an
//! administrator's session; anyone else gets a 403 page), rendering a section of `admin.html`,
//! and a form's outcome as a redirect back with a notice or an error code (no resubmission).

use axum::http::Uri;
use axum::response::{IntoResponse, Response};

use super::{AdminError, Operator};
use crate::csrf;
use crate::error::PageError;
use crate::http::{query_param, see_other, ClientInfo};
use crate::pages::tr;
use crate::session::AuthSession;
use crate::state::AppState;

/// The operator behind a console request: an administrator, or a 403 page.
pub fn enter(auth: &AuthSession, client: &ClientInfo) -> Result<Operator, PageError> {
    if !auth.user.is_admin {
        return Err(PageError::Forbidden(tr("admin-only")));
    }
    Ok(Operator {
        label: format!("user:{}", auth.user.id),
        ip: client.ip.clone(),
        user_agent: client.user_agent.clone(),
        user_id: Some(auth.user.id),
    })
}

/// A console page that could not be shown: not found (404), busy (503), a store failure (500),
/// otherwise the refusal as a 400 page.
impl From<AdminError> for PageError {
    fn from(e: AdminError) -> Self {
        match e {
            AdminError::NotFound(_) => PageError::NotFound,
            AdminError::Busy => PageError::Busy { retry_after: 1 },
            AdminError::Store(e) => PageError::Unexpected(e.into()),
            other => PageError::BadRequest(other.to_string()),
        }
    }
}

/// Renders one section of the console with the page's notice or error from the query.
pub fn render(
    state: &AppState,
    auth: &AuthSession,
    section: &str,
    uri: &Uri,
    data: minijinja::Value,
) -> Result<Response, PageError> {
    let notice = query_param(uri, "notice").and_then(|n| notice_text(&n));
    let error = query_param(uri, "error").and_then(|e| error_text(&e));
    let title = tr(&format!("admin-{section}"));
    let html = state.pages.render(
        "admin.html",
        minijinja::context! {
            title, signed_in => true, csrf => csrf::session_token(state, &auth.token_hash),
            section, notice, error, ..data
        },
    )?;
    let mut r = html.into_response();
    // Account data and, once, secrets: never kept by a cache.
    r.headers_mut().insert(axum::http::header::CACHE_CONTROL, axum::http::HeaderValue::from_static("no-store"));
    Ok(r)
}

/// A form's outcome: back to `path` with `notice` or the refusal's code; a store failure is a
/// 500 page.
pub fn back(path: &str, outcome: Result<&str, AdminError>) -> Result<Response, PageError> {
    let q = match outcome {
        Ok(notice) => format!("notice={notice}"),
        Err(AdminError::Store(e)) => return Err(PageError::Unexpected(e.into())),
        Err(AdminError::Busy) => return Err(PageError::Busy { retry_after: 1 }),
        Err(e) => format!("error={}", error_code(&e)),
    };
    let sep = if path.contains('?') { '&' } else { '?' };
    Ok(see_other(&format!("{path}{sep}{q}"), []))
}

fn error_code(e: &AdminError) -> &'static str {
    match e {
        AdminError::NotFound(_) => "not_found",
        AdminError::Stale(_) => "stale",
        AdminError::Invalid { field, .. } => match *field {
            "redirect_uris" | "post_logout_redirect_uris" => "redirect_uri",
            "client_name" | "name" => "name",
            "scope" => "scope",
            "grant_types" => "grant",
            "password" => "password",
            "email" => "email",
            "slug" => "slug",
            "identifier" => "identifier",
            "permissions" | "permission" => "permission",
            "role_name" => "role_name",
            "api" => "api",
            _ => "invalid",
        },
        AdminError::Conflict(_) => "exists",
        AdminError::Refused { code, .. } => code,
        AdminError::Busy | AdminError::Store(_) => "invalid",
    }
}

fn error_text(code: &str) -> Option<String> {
    let known = [
        "not_found",
        "stale",
        "redirect_uri",
        "name",
        "scope",
        "grant",
        "password",
        "email",
        "invalid",
        "exists",
        "last_admin",
        "self",
        "public_client",
        "slug",
        "identifier",
        "permission",
        "role_name",
        "api",
    ];
    known.contains(&code).then(|| tr(&format!("admin-error-{}", code.replace('_', "-"))))
}

fn notice_text(code: &str) -> Option<String> {
    let known = [
        "disabled",
        "enabled",
        "mfa_reset",
        "sessions_ended",
        "client_saved",
        "client_deleted",
        "keys_rotated",
        "key_revoked",
        "org_created",
        "org_deleted",
        "api_created",
        "role_created",
    ];
    known.contains(&code).then(|| tr(&format!("admin-notice-{}", code.replace('_', "-"))))
}

/// A time for the console's tables: RFC 3339, UTC, to the second.
pub fn when(t: time::OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
}
