//! The JSON API under `/api/v1`. 401 when not authenticated, 403 when authenticated but not
//! allowed; every error is `{"error","error_description"}`.

use axum::extract::State;
use axum::Json;
use serde_json::{json, Value};
use signet_store::User;

use crate::error::ApiError;
use crate::session::ApiSession;
use crate::state::AppState;

fn user_json(u: &User) -> Value {
    json!({
        "id": u.id,
        "email": u.email,
        "is_admin": u.is_admin,
        "disabled": u.disabled,
        "created_at": u.created_at.unix_timestamp(),
    })
}

/// `GET /api/v1/me`
pub async fn me(ApiSession(auth): ApiSession) -> Json<Value> {
    Json(user_json(&auth.user))
}

/// `GET /api/v1/admin/users` (administrators only).
pub async fn admin_users(State(state): State<AppState>, ApiSession(auth): ApiSession) -> Result<Json<Value>, ApiError> {
    if !auth.user.is_admin {
        return Err(ApiError::forbidden("Administrator role required."));
    }
    let users = state.store.list_users().await?;
    Ok(Json(json!({ "users": users.iter().map(user_json).collect::<Vec<_>>() })))
}

pub async fn not_found() -> ApiError {
    ApiError::not_found()
}

pub async fn method_not_allowed() -> ApiError {
    ApiError::method_not_allowed()
}
