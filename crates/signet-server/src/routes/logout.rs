//! `POST /logout`: deletes the server-side session (not just the cookie).

use axum::extract::State;
use axum::response::Response;
use signet_core::audit::AuditKind;

use crate::audit;
use crate::csrf;
use crate::csrf::MaybeSessionForm;
use crate::error::PageError;
use crate::http::ClientInfo;
use crate::session;
use crate::state::AppState;

pub async fn submit(
    State(state): State<AppState>,
    client: ClientInfo,
    // The token is checked when signed in: without it another site could sign users out.
    MaybeSessionForm { session: current, .. }: MaybeSessionForm<csrf::Nothing>,
) -> Result<Response, PageError> {
    if let Some(auth) = current {
        state.store.delete_session(auth.session.id).await?;
        let who = audit::user(&auth.user);
        audit::record(&state, AuditKind::Logout, who, &client, "").await;
    }
    Ok(super::see_other("/login?notice=signed_out", [session::clear_cookie(&state)]))
}
