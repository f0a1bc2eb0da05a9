//! Errors of the token, revocation, introspection and device endpoints: each variant is a code
//! of the one protocol-error table (`signet_core::protocol::ErrorCode`) with its HTTP status
//! (RFC 6749 §5.2, RFC 7009 §2.2.1, RFC 8628 §3.5, RFC 8707 §2). Handlers return these;
//! nothing else builds OAuth error JSON.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use signet_core::protocol::ErrorCode;
use signet_store::StoreError;

use crate::request_id;

#[derive(Debug, thiserror::Error)]
pub enum OAuthError {
    #[error("invalid_request: {0}")]
    InvalidRequest(String),
    /// RFC 6749 §5.2: 401 with a `WWW-Authenticate` challenge for the scheme the client used.
    #[error("invalid_client: {0}")]
    InvalidClient(String),
    #[error("invalid_grant: {0}")]
    InvalidGrant(String),
    #[error("unauthorized_client: {0}")]
    UnauthorizedClient(String),
    #[error("unsupported_grant_type")]
    UnsupportedGrantType(String),
    #[error("invalid_scope: {0}")]
    InvalidScope(String),
    /// RFC 8707 §2: a `resource` the client may not address.
    #[error("invalid_target: {0}")]
    InvalidTarget(String),
    #[error("unsupported_token_type")]
    UnsupportedTokenType(String),
    /// RFC 8628 §3.5 polling answers.
    #[error("authorization_pending")]
    AuthorizationPending,
    #[error("slow_down")]
    SlowDown,
    #[error("access_denied")]
    AccessDenied,
    #[error("expired_token")]
    ExpiredToken,
    #[error("payload too large")]
    PayloadTooLarge,
    #[error("temporarily_unavailable")]
    TemporarilyUnavailable,
    /// Too many requests from this address or client: 429 with `Retry-After`. The code is
    /// RFC 8628's `slow_down`, the one registered OAuth error that says "come back later".
    #[error("rate limited")]
    RateLimited { retry_after: u64 },
    #[error("server_error: {0}")]
    ServerError(#[from] anyhow::Error),
}

impl From<StoreError> for OAuthError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Unavailable(m) => {
                tracing::warn!(error = %m, "store unavailable");
                OAuthError::TemporarilyUnavailable
            }
            other => OAuthError::ServerError(other.into()),
        }
    }
}

impl OAuthError {
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::InvalidRequest(_) | Self::PayloadTooLarge => ErrorCode::InvalidRequest,
            Self::InvalidClient(_) => ErrorCode::InvalidClient,
            Self::InvalidGrant(_) => ErrorCode::InvalidGrant,
            Self::UnauthorizedClient(_) => ErrorCode::UnauthorizedClient,
            Self::UnsupportedGrantType(_) => ErrorCode::UnsupportedGrantType,
            Self::InvalidScope(_) => ErrorCode::InvalidScope,
            Self::InvalidTarget(_) => ErrorCode::InvalidTarget,
            Self::UnsupportedTokenType(_) => ErrorCode::UnsupportedTokenType,
            Self::AuthorizationPending => ErrorCode::AuthorizationPending,
            Self::SlowDown | Self::RateLimited { .. } => ErrorCode::SlowDown,
            Self::AccessDenied => ErrorCode::AccessDenied,
            Self::ExpiredToken => ErrorCode::ExpiredToken,
            Self::TemporarilyUnavailable => ErrorCode::TemporarilyUnavailable,
            Self::ServerError(_) => ErrorCode::ServerError,
        }
    }

    fn status(&self) -> StatusCode {
        match self {
            Self::InvalidClient(_) => StatusCode::UNAUTHORIZED,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::TemporarilyUnavailable => StatusCode::SERVICE_UNAVAILABLE,
            Self::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::ServerError(_) => StatusCode::INTERNAL_SERVER_ERROR,
            _ => StatusCode::BAD_REQUEST,
        }
    }

    fn description(&self) -> String {
        match self {
            Self::InvalidRequest(d)
            | Self::InvalidClient(d)
            | Self::InvalidGrant(d)
            | Self::UnauthorizedClient(d)
            | Self::InvalidScope(d)
            | Self::InvalidTarget(d)
            | Self::UnsupportedTokenType(d)
            | Self::UnsupportedGrantType(d) => d.clone(),
            Self::PayloadTooLarge => "request body too large".into(),
            Self::AuthorizationPending => "the user has not yet approved the request".into(),
            Self::SlowDown => "polling too fast; increase the interval by 5 seconds".into(),
            Self::AccessDenied => "the user denied the request".into(),
            Self::ExpiredToken => "the device code has expired".into(),
            Self::TemporarilyUnavailable => "try again shortly".into(),
            Self::RateLimited { retry_after } => format!("too many requests; try again in {retry_after} s"),
            Self::ServerError(e) => {
                let id = request_id::current();
                tracing::error!(error = %format!("{e:#}"), request_id = %id, "unexpected error");
                format!("unexpected error; reference {id}")
            }
        }
    }
}

impl IntoResponse for OAuthError {
    fn into_response(self) -> Response {
        let status = self.status();
        let retry_after = match &self {
            Self::RateLimited { retry_after } => Some(*retry_after),
            _ => None,
        };
        let body = json!({ "error": self.code(), "error_description": self.description() });
        let mut r = (status, axum::Json(body)).into_response();
        let h = r.headers_mut();
        // RFC 6749 §5.1/§5.2: token responses must not be cached.
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        h.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
        match status {
            StatusCode::UNAUTHORIZED => {
                h.insert(
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static("Basic realm=\"signet\", charset=\"UTF-8\""),
                );
            }
            StatusCode::SERVICE_UNAVAILABLE => {
                h.insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
            }
            StatusCode::TOO_MANY_REQUESTS => {
                h.insert(header::RETRY_AFTER, HeaderValue::from(retry_after.unwrap_or(60)));
            }
            _ => {}
        }
        r
    }
}
