//! The JSON API under `/api/v1`. 401 when not authenticated, 403 when authenticated but not
//! allowed; every error is `{"error","error_description"}`.

use axum::Json;
use serde_json::{json, Value};
use signet_store::User;

use crate::error::ApiError;
use crate::session::ApiSession;

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

pub async fn not_found() -> ApiError {
    ApiError::not_found()
}

pub async fn method_not_allowed() -> ApiError {
    ApiError::method_not_allowed()
}
