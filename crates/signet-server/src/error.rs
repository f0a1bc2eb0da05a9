//! Errors as HTTP responses, in one place: [`PageError`] renders a readable page, [`ApiError`]
//! writes `{"error","error_description"}`. Unexpected errors are logged server-side with the
//! request id and answered with a generic 500 that shows only that id.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::json;
use signet_store::StoreError;

use crate::hash_pool::PoolError;
use crate::pages::{self, tr, tr_args};
use crate::request_id;

/// Errors of the HTML pages.
#[derive(Debug, thiserror::Error)]
pub enum PageError {
    #[error("bad request: {0}")]
    BadRequest(String),
    #[error("payload too large")]
    PayloadTooLarge,
    #[error("forbidden: {0}")]
    Forbidden(String),
    #[error("not found")]
    NotFound,
    /// Not signed in: send the browser to the login page, then back to `return_to`.
    #[error("login required")]
    LoginRequired(String),
    /// Signed in, but too long ago for a sensitive action: sign in again, then back to the page.
    #[error("recent authentication required")]
    ReauthRequired(String),
    #[error("rate limited")]
    RateLimited { retry_after: u64 },
    #[error("temporarily unavailable")]
    Busy { retry_after: u64 },
    /// An upstream identity provider failed or answered something invalid: 502 with what happened.
    #[error("upstream: {0}")]
    Upstream(String),
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

impl From<StoreError> for PageError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Unavailable(m) => {
                tracing::warn!(error = %m, "store unavailable");
                PageError::Busy { retry_after: 5 }
            }
            other => PageError::Unexpected(other.into()),
        }
    }
}

impl From<PoolError> for PageError {
    fn from(e: PoolError) -> Self {
        match e {
            PoolError::Busy => PageError::Busy { retry_after: 1 },
            PoolError::Stopped => PageError::Busy { retry_after: 1 },
            other => PageError::Unexpected(other.into()),
        }
    }
}

fn with_retry_after(mut r: Response, secs: u64) -> Response {
    r.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(secs.max(1)));
    r
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let page = |status: StatusCode, title: &str, message: &str| {
            (status, pages::message_page(title, message)).into_response()
        };
        match self {
            PageError::BadRequest(m) => page(StatusCode::BAD_REQUEST, &tr("error-bad-request"), &m),
            PageError::PayloadTooLarge => {
                page(StatusCode::PAYLOAD_TOO_LARGE, &tr("error-too-large"), &tr("error-too-large-body"))
            }
            PageError::Forbidden(m) => page(StatusCode::FORBIDDEN, &tr("error-forbidden"), &m),
            PageError::NotFound => page(StatusCode::NOT_FOUND, &tr("error-not-found"), &tr("error-not-found-body")),
            PageError::LoginRequired(return_to) => {
                let q =
                    url::form_urlencoded::Serializer::new(String::new()).append_pair("return_to", &return_to).finish();
                Redirect::to(&format!("/login?{q}")).into_response()
            }
            PageError::ReauthRequired(return_to) => {
                let q = url::form_urlencoded::Serializer::new(String::new())
                    .append_pair("return_to", &return_to)
                    .append_pair("force", "1")
                    .append_pair("notice", "reauth")
                    .finish();
                Redirect::to(&format!("/login?{q}")).into_response()
            }
            PageError::RateLimited { retry_after } => with_retry_after(
                page(
                    StatusCode::TOO_MANY_REQUESTS,
                    &tr("error-too-many"),
                    &tr_args("error-too-many-body", &[("time", pages::human_duration(retry_after).into())]),
                ),
                retry_after,
            ),
            PageError::Busy { retry_after } => with_retry_after(
                page(StatusCode::SERVICE_UNAVAILABLE, &tr("error-busy"), &tr("error-busy-body")),
                retry_after,
            ),
            PageError::Upstream(m) => page(StatusCode::BAD_GATEWAY, &tr("upstream-error-title"), &m),
            PageError::Unexpected(e) => {
                let id = request_id::current();
                tracing::error!(error = %format!("{e:#}"), request_id = %id, "unexpected error");
                page(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    &tr("error-unexpected"),
                    &tr_args("error-unexpected-body", &[("id", id.to_string().into())]),
                )
            }
        }
    }
}

/// Errors of the JSON API under `/api/v1`.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub error: &'static str,
    pub description: String,
    pub www_authenticate: Option<&'static str>,
    pub retry_after: Option<u64>,
}

impl ApiError {
    fn new(status: StatusCode, error: &'static str, description: impl Into<String>) -> Self {
        Self { status, error, description: description.into(), www_authenticate: None, retry_after: None }
    }
    /// Not authenticated: 401 with a challenge (RFC 9110 §11.6.1 requires `WWW-Authenticate`).
    pub fn unauthenticated() -> Self {
        Self {
            www_authenticate: Some("Bearer realm=\"signet\""),
            ..Self::new(StatusCode::UNAUTHORIZED, "unauthorized", "Authentication is required.")
        }
    }
    /// Authenticated but not allowed: 403.
    pub fn forbidden(description: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", description)
    }
    pub fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", "No such resource.")
    }
    pub fn bad_request(description: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_request", description)
    }
    /// The resource exists already (409).
    pub fn conflict(description: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, "conflict", description)
    }
    /// RFC 9110 §15.5.13: an `If-Match` that no longer matches (412).
    pub fn precondition_failed(description: impl Into<String>) -> Self {
        Self::new(StatusCode::PRECONDITION_FAILED, "precondition_failed", description)
    }
    pub fn method_not_allowed() -> Self {
        Self::new(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed", "This method is not allowed here.")
    }
    pub fn rate_limited(retry_after: u64) -> Self {
        Self {
            retry_after: Some(retry_after),
            ..Self::new(StatusCode::TOO_MANY_REQUESTS, "rate_limited", "Too many attempts. Try again later.")
        }
    }
    pub fn unavailable(retry_after: u64) -> Self {
        Self {
            retry_after: Some(retry_after),
            ..Self::new(StatusCode::SERVICE_UNAVAILABLE, "temporarily_unavailable", "Try again shortly.")
        }
    }
    pub fn unexpected(e: anyhow::Error) -> Self {
        let id = request_id::current();
        tracing::error!(error = %format!("{e:#}"), request_id = %id, "unexpected error");
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "server_error", format!("Unexpected error. Reference: {id}"))
    }
}

/// For JSON endpoints that share checks (CSRF, rate limits, recent sign-in) with the pages.
impl From<PageError> for ApiError {
    fn from(e: PageError) -> Self {
        match e {
            PageError::BadRequest(m) => ApiError::bad_request(m),
            PageError::PayloadTooLarge => ApiError::bad_request("The request is too large."),
            PageError::Forbidden(m) => ApiError::forbidden(m),
            PageError::NotFound => ApiError::not_found(),
            PageError::LoginRequired(_) => ApiError::unauthenticated(),
            PageError::ReauthRequired(_) => ApiError::forbidden("Sign in again to do this (recent sign-in required)."),
            PageError::RateLimited { retry_after } => ApiError::rate_limited(retry_after),
            PageError::Busy { retry_after } => ApiError::unavailable(retry_after),
            PageError::Upstream(m) => ApiError::new(StatusCode::BAD_GATEWAY, "upstream_error", m),
            PageError::Unexpected(e) => ApiError::unexpected(e),
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Unavailable(_) => ApiError::unavailable(5),
            StoreError::NotFound => ApiError::not_found(),
            other => ApiError::unexpected(other.into()),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = axum::Json(json!({ "error": self.error, "error_description": self.description }));
        let mut r = (self.status, body).into_response();
        if let Some(v) = self.www_authenticate {
            r.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static(v));
        }
        match self.retry_after {
            Some(s) => with_retry_after(r, s),
            None => r,
        }
    }
}
