//! `GET /login` shows the form; `POST /login` checks the password.
//!
//! The response for a wrong password, an unknown account and a disabled account is the same
//! page with the same message, and all three run one full Argon2 verification, so neither the
//! text nor the timing tells whether an account exists (OWASP Authentication Cheat Sheet).

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use signet_core::audit::{AuditKind, LoginFailure};
use signet_core::mfa::Amr;
use signet_core::{Email, Password, ReturnTo};

use crate::audit::{self, Actor};
use crate::csrf::PresessionForm;
use crate::error::PageError;
use crate::flows::sign_in;
use crate::http::with_cookies;
use crate::http::{query_param, ClientInfo};
use crate::pages::{tr, tr_args};
use crate::session::MaybeSession;
use crate::state::AppState;
use crate::{csrf, mfa, ratelimit};

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: Password,
    #[serde(default)]
    return_to: String,
}

/// What the login page says above the form.
#[derive(Default)]
struct Message<'a> {
    error: Option<&'a str>,
    notice: Option<&'a str>,
    /// Sign-in is paused for this account: the page offers a passkey and the help page.
    locked: bool,
}

pub async fn show(
    State(state): State<AppState>,
    MaybeSession(existing): MaybeSession,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Response, PageError> {
    let return_to = query_param(&uri, "return_to").and_then(|r| ReturnTo::parse(&r)).unwrap_or_default();
    // `force` comes from an authorization request with prompt=login or an exceeded max_age:
    // show the form even to a signed-in user.
    let force = query_param(&uri, "force").is_some_and(|f| f == "1");
    if existing.is_some() && !force {
        return Ok(super::see_other(return_to.as_str(), []));
    }
    let notice = query_param(&uri, "notice").and_then(|n| crate::pages::notice_text(&n));
    let hint = query_param(&uri, "login_hint").unwrap_or_default();
    let msg = Message { notice: notice.as_deref(), ..Message::default() };
    render(&state, &headers, StatusCode::OK, &hint, return_to.as_str(), msg).await
}

async fn render(
    state: &AppState,
    headers: &HeaderMap,
    status: StatusCode,
    email: &str,
    return_to: &str,
    msg: Message<'_>,
) -> Result<Response, PageError> {
    let (csrf, set) = csrf::presession_token(state, headers);
    // Inside an OAuth flow: name the app, and let the form's redirect chain end at it.
    let pending = crate::flows::authorize::pending_for(state, return_to).await;
    let providers = crate::upstream::registry::all(state).await.unwrap_or_default();
    // The forms lead to the providers (and, inside an OAuth flow, on to the client).
    let mut origins: Vec<String> = providers.iter().flat_map(|p| p.form_origins(&state.upstream)).collect();
    origins.extend(pending.as_ref().and_then(|(p, _)| crate::flows::respond::origin_of(&p.redirect_uri)));
    let providers: Vec<_> = providers
        .into_iter()
        .map(|p| minijinja::context! { slug => p.slug.clone(), name => p.display_name() })
        .collect();
    let html = state.pages.render(
        "login.html",
        minijinja::context! {
            title => tr("login-title"), csrf, email, return_to,
            error => msg.error, notice => msg.notice, locked => msg.locked,
            app_name => pending.as_ref().map(|(_, c)| c.name.clone()),
            signup_enabled => state.config.signup_enabled,
            passkeys_enabled => state.webauthn.is_some(),
            providers,
        },
    )?;
    let res = with_cookies((status, html).into_response(), set);
    Ok(crate::http::with_form_origins(res, &origins))
}

pub async fn submit(
    State(state): State<AppState>,
    MaybeSession(existing): MaybeSession,
    client: ClientInfo,
    headers: HeaderMap,
    PresessionForm(form): PresessionForm<LoginForm>,
) -> Result<Response, PageError> {
    let now = state.now();
    ratelimit::auth_ceiling(&state, &client.ip, now).await?;
    // An open redirect after login would hand phishing sites a trusted link (CWE-601).
    let return_to = ReturnTo::parse(&form.return_to).unwrap_or_default();

    // Home-realm discovery: an address at an organization's verified domain signs in at the
    // organization's own identity provider (the password field is not looked at).
    if let Ok(email) = Email::parse(&form.email) {
        if let Some(p) = crate::upstream::registry::home_realm(&state, &email).await? {
            return crate::flows::upstream::start(&state, &p, return_to.as_str(), None, Some(email.as_str())).await;
        }
    }
    let who = Actor::Anonymous { user_id: None, email: Some(form.email.trim()) };
    // A browser that signed in to this account before spends its own budget, so guesses from
    // elsewhere do not lock the owner out (OWASP device cookies).
    let budget = ratelimit::Budget::for_browser(&state, &headers, &form.email);
    let reserved = match ratelimit::reserve_or_lockout(&state, &budget, &client, who, now).await {
        Ok(r) => r,
        Err(PageError::RateLimited { retry_after }) => {
            let text = tr_args("login-locked", &[("time", crate::pages::human_duration(retry_after).into())]);
            let msg = Message { error: Some(&text), locked: true, ..Message::default() };
            // The same page whatever the email (no prefill), so a lockout tells nothing either.
            let mut r = render(&state, &headers, StatusCode::TOO_MANY_REQUESTS, "", return_to.as_str(), msg).await?;
            r.headers_mut().insert(axum::http::header::RETRY_AFTER, axum::http::HeaderValue::from(retry_after));
            return Ok(r);
        }
        Err(e) => return Err(e),
    };

    let user = match Email::parse(&form.email) {
        Ok(email) => state.store.user_by_email(&email).await?,
        Err(_) => None,
    };
    let record = user.as_ref().and_then(|u| u.password.clone());
    let verified = state.hash_pool.verify(record, form.password.clone()).await?;

    let (user, verified) = match (user, verified) {
        (Some(u), Some(v)) if u.can_sign_in(now) => (u, v),
        (user, verified) => {
            let reason = match (&user, verified) {
                (None, _) => LoginFailure::UnknownUser,
                (Some(u), Some(_)) if !u.can_sign_in(now) => LoginFailure::Disabled,
                _ => LoginFailure::BadPassword,
            };
            let who = Actor::Anonymous { user_id: user.as_ref().map(|u| u.id), email: Some(form.email.trim()) };
            audit::record(&state, AuditKind::LoginFailure, who, &client, reason.as_str()).await;
            // The count is per typed email, so it says nothing about whether the account exists.
            // The tries left are shown from the second failure on: one typo needs no countdown.
            let limit = state.config.rate_limit.login_failures_per_account;
            let text = match reserved.remaining {
                0 => tr("login-incorrect-paused"),
                n if limit.saturating_sub(n) >= 2 => tr_args("login-incorrect-left", &[("n", n.into())]),
                _ => tr("login-incorrect"),
            };
            let msg = Message { error: Some(&text), ..Message::default() };
            return render(&state, &headers, StatusCode::OK, form.email.trim(), return_to.as_str(), msg).await;
        }
    };

    if verified.needs_rehash {
        rehash(&state, user.id, form.password.clone(), &client).await;
    }
    if mfa::factors(&state, user.id).await?.any() {
        // The password was right, but the login is not done. The account's attempt counter is
        // deliberately not reset here: second-factor guesses count against the same limit, and
        // a reset per correct password would give someone who knows it unlimited code guesses.
        let pending = mfa::PendingLogin {
            user_id: user.id,
            email_input: form.email.clone(),
            return_to: return_to.as_str().to_owned(),
            amr: Amr::password().to_stored(),
        };
        let cookie = mfa::start_pending(&state, &pending).await?;
        return Ok(super::see_other("/login/second-factor", [cookie]));
    }
    ratelimit::attempt_succeeded(&state, &budget, &client.ip, now).await?;
    sign_in::complete(&state, existing, &user, &Amr::password(), &client, return_to.as_str(), []).await
}

/// Upgrades an outdated hash (old parameters, old pepper, bcrypt) now that we have the
/// plaintext. Best effort: a failure leaves the old, still valid hash in place.
async fn rehash(state: &AppState, user_id: i64, password: Password, client: &ClientInfo) {
    let record = match state.hash_pool.hash(password).await {
        Ok(r) => r,
        Err(e) => {
            tracing::warn!(error = %e, "rehash skipped");
            return;
        }
    };
    match state.store.set_password(user_id, &record, false, state.now()).await {
        Ok(()) => {
            let who = Actor::User { id: user_id, email: None };
            audit::record(state, AuditKind::PasswordRehash, who, client, "").await;
        }
        Err(e) => tracing::warn!(error = %e, "rehash not stored"),
    }
}
