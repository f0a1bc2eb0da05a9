//! Verifying an address (`flows::verify` has the rules):
//! `GET|POST /verify-email` (type the mailed code), `POST /verify-email/resend` (a new link and
//! code), `GET|POST /verify-email/{token}` (the mailed link: the page confirms, the button uses it).

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Deserialize;
use signet_core::Password;

use crate::csrf::{self, PresessionForm};
use crate::error::PageError;
use crate::flows::verify;
use crate::http::ClientInfo;
use crate::link_pages;
use crate::pages::tr;
use crate::ratelimit;
use crate::session::MaybeSession;
use crate::state::AppState;

/// New links per account in each rate-limit window.
const RESENDS: u32 = 3;

#[derive(Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    code: Password,
}

#[derive(Deserialize)]
pub struct ResendForm {
    #[serde(default)]
    email: String,
}

pub async fn show(
    State(state): State<AppState>,
    headers: HeaderMap,
    uri: axum::http::Uri,
    MaybeSession(auth): MaybeSession,
) -> Result<Response, PageError> {
    let email = auth.map(|a| a.user.email).unwrap_or_default();
    // `why=login`: sent here by a sign-in the operator refuses until the address is verified.
    let why = if crate::http::query_param(&uri, "why").as_deref() == Some("login") { "login" } else { "ask" };
    link_pages::code_page(&state, &headers, StatusCode::OK, &email, why, None)
}

/// Where a verified user goes: their account page if this browser is signed in, else sign-in.
fn done(signed_in: bool) -> Response {
    let to = if signed_in { "/account?notice=email_verified" } else { "/login?notice=email_verified" };
    super::see_other(to, [])
}

pub async fn submit_code(
    State(state): State<AppState>,
    client: ClientInfo,
    headers: HeaderMap,
    MaybeSession(auth): MaybeSession,
    PresessionForm(form): PresessionForm<CodeForm>,
) -> Result<Response, PageError> {
    let now = state.now();
    ratelimit::auth_ceiling(&state, &client.ip, now).await?;
    let typed = form.email.trim();
    // Guesses spend the account's login budget, for unknown addresses too (same answers).
    let budget = ratelimit::Budget::account(typed);
    if let Err(wait) = ratelimit::reserve_attempt(&state, &budget, &client.ip, now).await? {
        return Err(PageError::RateLimited { retry_after: wait });
    }
    if let Some(user) = verify::account_for(&state, typed).await? {
        if verify::take_code(&state, &user, form.code.expose(), &client).await?.is_some() {
            ratelimit::attempt_succeeded(&state, &budget, &client.ip, now).await?;
            return Ok(done(auth.is_some()));
        }
    }
    link_pages::code_page(&state, &headers, StatusCode::BAD_REQUEST, typed, "ask", Some(tr("verify-bad-code")))
}

/// A new link and code, if the address is an account's and not yet verified; the same answer
/// either way, and at most [`RESENDS`] mails per address and window.
pub async fn resend(
    State(state): State<AppState>,
    client: ClientInfo,
    headers: HeaderMap,
    PresessionForm(form): PresessionForm<ResendForm>,
) -> Result<Response, PageError> {
    let now = state.now();
    ratelimit::auth_ceiling(&state, &client.ip, now).await?;
    let typed: String = form.email.trim().to_lowercase().chars().take(254).collect();
    let limits = [(format!("verify-resend:{typed}"), RESENDS)];
    if let Some(retry_after) = ratelimit::hit_all(&state, &limits, state.config.rate_limit.window, now).await? {
        return Err(PageError::RateLimited { retry_after });
    }
    let (st, typed2) = (state.clone(), typed.clone());
    crate::flows::after_answer(&state, "verification resend", async move {
        match verify::account_for(&st, &typed2).await? {
            Some(user) if !user.email_verified() && !user.disabled => verify::send(&st, &user).await,
            _ => Ok(()),
        }
    });
    link_pages::code_page(&state, &headers, StatusCode::OK, &typed, "sent", None)
}

fn invalid(state: &AppState, headers: &HeaderMap) -> Result<Response, PageError> {
    link_pages::verify_page(state, headers, StatusCode::BAD_REQUEST, minijinja::context! { mode => "invalid" })
}

/// Opening the link changes nothing (mail scanners open links): the page asks to confirm.
pub async fn show_link(
    State(state): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    match verify::peek_link(&state, &token).await? {
        Some((_, email)) => {
            link_pages::verify_page(&state, &headers, StatusCode::OK, minijinja::context! { mode => "link", email })
        }
        None => invalid(&state, &headers),
    }
}

pub async fn submit_link(
    State(state): State<AppState>,
    Path(token): Path<String>,
    client: ClientInfo,
    headers: HeaderMap,
    MaybeSession(auth): MaybeSession,
    PresessionForm(_): PresessionForm<csrf::Nothing>,
) -> Result<Response, PageError> {
    ratelimit::auth_ceiling(&state, &client.ip, state.now()).await?;
    match verify::take_link(&state, &token, &client).await? {
        Some(_) => Ok(done(auth.is_some())),
        None => invalid(&state, &headers),
    }
}
