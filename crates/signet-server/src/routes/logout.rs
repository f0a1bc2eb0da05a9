//! `POST /logout`: deletes the server-side session (not just the cookie).

use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;
use signet_core::audit::AuditKind;

use crate::audit::{self, Actor};
use crate::csrf;
use crate::error::PageError;
use crate::http::{ClientInfo, PageForm};
use crate::session::{self, MaybeSession};
use crate::state::AppState;

#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    pub csrf: String,
}

pub async fn submit(
    State(state): State<AppState>,
    MaybeSession(current): MaybeSession,
    client: ClientInfo,
    PageForm(form): PageForm<CsrfForm>,
) -> Result<Response, PageError> {
    if let Some(auth) = current {
        // Without this check another site could sign users out (logout CSRF).
        csrf::check_session(&state, &auth.token_hash, &form.csrf)?;
        state.store.delete_session(auth.session.id).await?;
        let who = Actor::user(&auth.user);
        audit::record(&state, AuditKind::Logout, who, &client, "").await;
    }
    Ok(super::see_other("/login?notice=signed_out", [session::clear_cookie(&state)]))
}
