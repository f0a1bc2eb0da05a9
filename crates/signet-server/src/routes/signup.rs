//! `GET /signup` shows the form; `POST /signup` creates an account and signs it in.

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
use crate::http::with_cookies;
use crate::http::ClientInfo;
use crate::pages::tr;
use crate::session;
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

/// A refusal: which field (`email`, `password`, or `exists` for a taken address) and why.
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
    let record = state.hash_pool.hash(form.password.clone()).await?;
    let user =
        match state.store.create_user(NewUser { email: &email, password: Some(&record), is_admin: false, now }).await {
            Ok(u) => u,
            // Known trade-off: without email verification, sign-up has to say the address is taken.
            // The per-IP ceiling bounds how fast anyone can probe addresses this way.
            Err(StoreError::Conflict) => return bad("exists", &tr("signup-exists")),
            Err(e) => return Err(e.into()),
        };
    let who = audit::user(&user);
    audit::record(&state, AuditKind::UserCreate, who, &client, "signup").await;
    let (_, cookie) = session::start(&state, user.id, &client, now, &signet_core::mfa::Amr::password()).await?;
    Ok(super::see_other("/account", [cookie]))
}
