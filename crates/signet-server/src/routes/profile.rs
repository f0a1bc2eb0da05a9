//! `GET|POST /account/profile`: the OIDC profile claims (OIDC Core §5.1) and the address.
//! `POST /account/email` starts a change of address (`flows::email_change`), which
//! `GET|POST /account/email/confirm/{token}` finishes and `…/revert/{token}` undoes.

use std::collections::HashMap;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use signet_core::audit::AuditKind;
use signet_core::Email;

use crate::csrf::{self, PresessionForm, SessionForm};
use crate::error::PageError;
use crate::flows::email_change::{self, Confirmed};
use crate::http::{query_param, ClientInfo};
use crate::pages::{tr, tr_args};
use crate::session::{AuthSession, RequireSession};
use crate::state::AppState;
use crate::{audit, ratelimit};

/// Changes of address asked for per account in each rate-limit window.
const CHANGES: u32 = 3;

#[derive(Deserialize)]
pub struct EmailForm {
    #[serde(default)]
    new_email: String,
}

/// What the page shows besides the stored profile: a refused field, or the typed values.
#[derive(Default)]
struct Shown {
    values: Option<HashMap<String, String>>,
    error: Option<(String, String)>,
    email_error: Option<String>,
    notice: Option<String>,
}

fn render(state: &AppState, auth: &AuthSession, status: StatusCode, shown: Shown) -> Result<Response, PageError> {
    let user = &auth.user;
    let fields: Vec<minijinja::Value> = signet_core::profile::FIELDS
        .iter()
        .map(|f| {
            let value = match &shown.values {
                Some(v) => v.get(*f).cloned().unwrap_or_default(),
                None => user.profile.get(f).unwrap_or_default().to_owned(),
            };
            let label = tr(&format!("profile-{}", f.replace('_', "-")));
            minijinja::context! { name => f, value, label, help => tr(&format!("profile-{}-help", f.replace('_', "-"))) }
        })
        .collect();
    let html = state.pages.render(
        "profile.html",
        minijinja::context! {
            title => tr("profile-title"), signed_in => true,
            csrf => csrf::session_token(state, &auth.token_hash),
            email => user.email.clone(), verified => user.email_verified(),
            fields, notice => shown.notice,
            error_field => shown.error.as_ref().map(|e| e.0.clone()), error => shown.error.map(|e| e.1),
            email_error => shown.email_error,
        },
    )?;
    Ok((status, html).into_response())
}

pub async fn show(
    State(state): State<AppState>,
    RequireSession(auth): RequireSession,
    uri: Uri,
) -> Result<Response, PageError> {
    let notice = query_param(&uri, "notice").and_then(|n| crate::pages::notice_text(&n));
    render(&state, &auth, StatusCode::OK, Shown { notice, ..Default::default() })
}

pub async fn submit(
    State(state): State<AppState>,
    client: ClientInfo,
    SessionForm { session: auth, form }: SessionForm<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let mut profile = auth.user.profile.clone();
    for field in signet_core::profile::FIELDS {
        let value = form.get(field).map(String::as_str).unwrap_or("");
        if profile.set(field, value).is_err() {
            let msg = tr(&format!("profile-{}-invalid", field.replace('_', "-")));
            let shown = Shown { values: Some(form), error: Some((field.to_owned(), msg)), ..Default::default() };
            return render(&state, &auth, StatusCode::BAD_REQUEST, shown);
        }
    }
    if profile != auth.user.profile {
        state.store.set_profile(auth.user.id, &profile, state.now()).await?;
        audit::record(&state, AuditKind::ProfileUpdate, audit::user(&auth.user), &client, "").await;
    }
    Ok(super::see_other("/account/profile?notice=profile_saved", []))
}

/// A change of address needs a recent sign-in; the link goes to the new address.
pub async fn change_email(
    State(state): State<AppState>,
    client: ClientInfo,
    SessionForm { session: auth, form }: SessionForm<EmailForm>,
) -> Result<Response, PageError> {
    crate::session::require_recent_auth(&state, &auth, "/account/profile")?;
    let now = state.now();
    let refuse = |msg: String| {
        let shown = Shown { email_error: Some(msg), ..Default::default() };
        render(&state, &auth, StatusCode::BAD_REQUEST, shown)
    };
    let Ok(new) = Email::parse(&form.new_email) else { return refuse(tr("signup-invalid-email")) };
    if new.as_str() == auth.user.email {
        return refuse(tr("email-change-same"));
    }
    let limits = [(format!("email-change:{}", auth.user.id), CHANGES)];
    if let Some(retry_after) = ratelimit::hit_all(&state, &limits, state.config.rate_limit.window, now).await? {
        return Err(PageError::RateLimited { retry_after });
    }
    let notice = tr_args("email-change-sent", &[("email", new.to_string().into())]);
    email_change::request(&state, &auth.user, new, &client);
    render(&state, &auth, StatusCode::OK, Shown { notice: Some(notice), ..Default::default() })
}

fn invalid(state: &AppState, headers: &HeaderMap, why: &str) -> Result<Response, PageError> {
    crate::link_pages::invalid(state, headers, why, ("/account", "account-title"))
}

/// Opening the link changes nothing (mail scanners open links); the button does.
pub async fn show_confirm(
    State(state): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let Some(p) = email_change::peek_confirm(&state, &token).await? else {
        return invalid(&state, &headers, "link-invalid");
    };
    let ctx = minijinja::context! {
        title => tr("email-change-confirm-title"),
        paragraphs => [tr_args("email-change-confirm", &[("old", p.old.into()), ("new", p.new.into())])],
        button => tr("verify-confirm-submit"),
    };
    crate::link_pages::confirm(&state, &headers, StatusCode::OK, ctx)
}

pub async fn submit_confirm(
    State(state): State<AppState>,
    Path(token): Path<String>,
    client: ClientInfo,
    headers: HeaderMap,
    PresessionForm(_): PresessionForm<csrf::Nothing>,
) -> Result<Response, PageError> {
    ratelimit::auth_ceiling(&state, &client.ip, state.now()).await?;
    match email_change::confirm(&state, &token, &client).await? {
        Confirmed::Changed => Ok(super::see_other("/account/profile?notice=email_changed", [])),
        Confirmed::Taken => invalid(&state, &headers, "email-change-taken"),
        Confirmed::Invalid => invalid(&state, &headers, "link-invalid"),
    }
}

pub async fn show_revert(
    State(state): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let Some(p) = email_change::peek_revert(&state, &token).await? else {
        return invalid(&state, &headers, "link-invalid");
    };
    let ctx = minijinja::context! {
        title => tr("email-revert-title"),
        paragraphs => [tr_args("email-revert-text", &[("old", p.old.into()), ("new", p.new.into())])],
        button => tr("email-revert-submit"), danger => true,
    };
    crate::link_pages::confirm(&state, &headers, StatusCode::OK, ctx)
}

pub async fn submit_revert(
    State(state): State<AppState>,
    Path(token): Path<String>,
    client: ClientInfo,
    headers: HeaderMap,
    PresessionForm(_): PresessionForm<csrf::Nothing>,
) -> Result<Response, PageError> {
    ratelimit::auth_ceiling(&state, &client.ip, state.now()).await?;
    let Some(user) = email_change::revert(&state, &token, &client).await? else {
        return invalid(&state, &headers, "link-invalid");
    };
    let ctx = minijinja::context! {
        title => tr("email-revert-done-title"),
        paragraphs => [tr("email-revert-done"), tr_args("recover-sent", &[("email", user.email.into())])],
        back => minijinja::context! { href => "/login", label => tr("help-back-to-sign-in") },
    };
    crate::link_pages::confirm(&state, &headers, StatusCode::OK, ctx)
}
