//! Pages reached from a mailed link or a code form, shared by several routes: the generic
//! confirmation page (`confirm.html`: opening a link changes nothing, its button does) and the
//! verification page (`verify.html`). Each carries the pre-session CSRF token, so they work in
//! any browser, signed in or not.

use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::csrf;
use crate::error::PageError;
use crate::flows::verify;
use crate::http::with_cookies;
use crate::pages::tr;
use crate::state::AppState;

/// A page that posts with the pre-session CSRF token (set here if the browser has none yet), so
/// its form works in any browser, signed in or not.
pub fn presession_page(
    state: &AppState,
    headers: &HeaderMap,
    status: StatusCode,
    template: &str,
    ctx: minijinja::Value,
) -> Result<Response, PageError> {
    let (csrf, set) = csrf::presession_token(state, headers);
    let html = state.pages.render(template, minijinja::context! { csrf, ..ctx })?;
    Ok(with_cookies((status, html).into_response(), set))
}

/// A page in the generic confirmation layout (`confirm.html`): a title, paragraphs, and a
/// button that posts back to the same address.
pub fn confirm(
    state: &AppState,
    headers: &HeaderMap,
    status: StatusCode,
    ctx: minijinja::Value,
) -> Result<Response, PageError> {
    presession_page(state, headers, status, "confirm.html", ctx)
}

/// A mailed link that no longer works (used, expired, or its account changed since): the
/// catalog message `why`, and a way on.
pub fn invalid(state: &AppState, headers: &HeaderMap, why: &str, back: (&str, &str)) -> Result<Response, PageError> {
    let ctx = minijinja::context! {
        title => tr("recover-invalid-title"), paragraphs => [tr(why)],
        back => minijinja::context! { href => back.0, label => tr(back.1) },
    };
    confirm(state, headers, StatusCode::BAD_REQUEST, ctx)
}

/// The verification page (`verify.html`).
pub fn verify_page(
    state: &AppState,
    headers: &HeaderMap,
    status: StatusCode,
    ctx: minijinja::Value,
) -> Result<Response, PageError> {
    let ctx = minijinja::context! { title => tr("verify-title"), digits => verify::CODE_DIGITS, ..ctx };
    presession_page(state, headers, status, "verify.html", ctx)
}

/// The code form. `why`: `signup` (just signed up), `sent` (a new code went out), `login` (the
/// operator requires a verified address to sign in), or `ask`.
pub fn code_page(
    state: &AppState,
    headers: &HeaderMap,
    status: StatusCode,
    email: &str,
    why: &str,
    error: Option<String>,
) -> Result<Response, PageError> {
    verify_page(state, headers, status, minijinja::context! { mode => "code", email, why, error })
}
