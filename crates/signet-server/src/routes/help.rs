//! `GET /help/sign-in`: "Can't sign in?" — what a user can do on their own, and what an
//! operator can do for them.

use axum::extract::State;
use axum::response::Html;

use crate::error::PageError;
use crate::state::AppState;

pub async fn sign_in(State(state): State<AppState>) -> Result<Html<String>, PageError> {
    let window_minutes = state.config.rate_limit.window.whole_minutes().max(1);
    Ok(state.pages.render(
        "help.html",
        minijinja::context! {
            passkeys_enabled => state.webauthn.is_some(),
            window_minutes,
        },
    )?)
}
