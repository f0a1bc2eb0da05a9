//! `GET /signup` shows the form; `POST /signup` answers "check your inbox" and creates the
//! account (unverified; a link and code go to the address) or tells the address's owner.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use signet_core::audit::AuditKind;
use signet_core::{Email, Password};
use signet_store::{NewUser, StoreError};

use crate::audit;
use crate::csrf::PresessionForm;
use crate::error::PageError;
use crate::http::{with_cookies, ClientInfo};
use crate::pages::tr;
use crate::state::AppState;
use crate::{csrf, ratelimit};

#[derive(Deserialize)]
pub struct SignupForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: Password,
}

fn ensure_enabled(state: &AppState) -> Result<(), PageError> {
    if state.config.signup_enabled {
        Ok(())
    } else {
        Err(PageError::Forbidden(tr("signup-closed")))
    }
}

pub async fn show(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, PageError> {
    ensure_enabled(&state)?;
    render(&state, &headers, StatusCode::OK, "", None)
}

/// A refusal: which field (`email` or `password`) and why.
type Refusal<'a> = Option<(&'a str, &'a str)>;

fn render(
    state: &AppState,
    headers: &HeaderMap,
    status: StatusCode,
    email: &str,
    error: Refusal<'_>,
) -> Result<Response, PageError> {
    let (csrf, set) = csrf::presession_token(state, headers);
    let html = state.pages.render(
        "signup.html",
        minijinja::context! {
            title => tr("signup-title"), csrf, email,
            error => error.map(|e| e.1), error_field => error.map(|e| e.0),
            min_length => state.policy.min_length(),
            max_length => state.config.password.max_length,
        },
    )?;
    Ok(with_cookies((status, html).into_response(), set))
}

/// Sign-ups per typed address in each rate-limit window (each one mails that address).
const PER_ADDRESS: u32 = 3;

/// The same answer for a new and a registered address ("check your inbox"), after the same
/// work (the password is hashed either way); creating the account, or telling the registered
/// owner that someone tried, happens after the answer (OWASP Authentication Cheat Sheet,
/// "Authentication and Error Messages": account enumeration).
pub async fn submit(
    State(state): State<AppState>,
    client: ClientInfo,
    headers: HeaderMap,
    PresessionForm(form): PresessionForm<SignupForm>,
) -> Result<Response, PageError> {
    ensure_enabled(&state)?;
    let now = state.now();
    ratelimit::auth_ceiling(&state, &client.ip, now).await?;
    let bad = |field: &str, msg: &str| {
        render(&state, &headers, StatusCode::BAD_REQUEST, form.email.trim(), Some((field, msg)))
    };

    let email = match Email::parse(&form.email) {
        Ok(e) => e,
        Err(_) => return bad("email", &tr("signup-invalid-email")),
    };
    if let Err(v) = state.policy.check(&form.password, email.as_str()) {
        return bad("password", &crate::pages::policy_message(&v));
    }
    let limit = [(format!("signup-addr:{email}"), PER_ADDRESS)];
    if let Some(retry_after) = ratelimit::hit_all(&state, &limit, state.config.rate_limit.window, now).await? {
        return Err(PageError::RateLimited { retry_after });
    }
    let record = state.hash_pool.hash(form.password.clone()).await?;
    let (st, email2, client2) = (state.clone(), email.clone(), client.clone());
    crate::flows::after_answer(&state, "sign-up", async move {
        create_or_tell_owner(&st, &email2, &record, &client2).await
    });
    crate::link_pages::code_page(&state, &headers, StatusCode::OK, email.as_str(), "signup", None)
}

async fn create_or_tell_owner(
    state: &AppState,
    email: &Email,
    record: &signet_core::PasswordRecord,
    client: &ClientInfo,
) -> anyhow::Result<()> {
    let now = state.now();
    match state.store.create_user(NewUser { email, password: Some(record), is_admin: false, now }).await {
        Ok(user) => {
            audit::record(state, AuditKind::UserCreate, audit::user(&user), client, "signup").await;
            crate::flows::verify::send(state, &user).await?;
        }
        Err(StoreError::Conflict) => {
            let Some(owner) = state.store.user_by_email(email).await? else { return Ok(()) };
            audit::record(state, AuditKind::SignupExisting, audit::user(&owner), client, "").await;
            let base = state.config.issuer_base();
            let notice = crate::mail::Notice {
                paragraphs: vec![
                    crate::pages::tr_args("mail-signup-exists-body", &[("email", owner.email.clone().into())]),
                    tr("mail-signup-exists-if-you"),
                ],
                notes: vec![tr("mail-signup-exists-ignore")],
                ..Default::default()
            }
            .button(tr("mail-signup-exists-button"), format!("{base}/recover"));
            crate::mail::compose(state, "signup_exists", &owner.email, notice).await?;
        }
        Err(e) => return Err(e.into()),
    }
    Ok(())
}
