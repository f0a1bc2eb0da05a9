//! RFC 6750 §3 answers to a request with a missing or unusable bearer token: the status, the
//! `WWW-Authenticate: Bearer` challenge (auth-param values kept to the characters §3 allows)
//! and the JSON body, with codes from the one protocol-error table.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;
use signet_core::protocol::{challenge_param, ErrorCode};

#[derive(Debug)]
pub enum BearerError {
    /// No token at all (§3.1: no error code in the challenge).
    Missing,
    InvalidRequest(&'static str),
    InvalidToken(&'static str),
    /// The scope the request needs.
    InsufficientScope(&'static str),
    Unavailable,
}

impl BearerError {
    fn parts(&self) -> (StatusCode, Option<ErrorCode>, &'static str) {
        match self {
            Self::Missing => (StatusCode::UNAUTHORIZED, None, "a bearer token is required"),
            Self::InvalidRequest(d) => (StatusCode::BAD_REQUEST, Some(ErrorCode::InvalidRequest), d),
            Self::InvalidToken(d) => (StatusCode::UNAUTHORIZED, Some(ErrorCode::InvalidToken), d),
            Self::InsufficientScope(_) => {
                (StatusCode::FORBIDDEN, Some(ErrorCode::InsufficientScope), "the access token lacks a required scope")
            }
            Self::Unavailable => {
                (StatusCode::SERVICE_UNAVAILABLE, Some(ErrorCode::TemporarilyUnavailable), "try again")
            }
        }
    }
}

impl IntoResponse for BearerError {
    fn into_response(self) -> Response {
        let (status, code, description) = self.parts();
        let mut challenge = String::from("Bearer realm=\"signet\"");
        // §3: a 503 is not an authentication failure; the challenge names no error.
        if let Some(code) = code.filter(|c| *c != ErrorCode::TemporarilyUnavailable) {
            challenge.push_str(&format!(", error=\"{code}\""));
            match &self {
                Self::InsufficientScope(scope) => {
                    challenge.push_str(&format!(", scope=\"{}\"", challenge_param(scope)))
                }
                _ => challenge.push_str(&format!(", error_description=\"{}\"", challenge_param(description))),
            }
        }
        let body = match code {
            Some(code) => json!({ "error": code, "error_description": description }),
            None => json!({ "error": "unauthorized", "error_description": description }),
        };
        let mut r = (status, Json(body)).into_response();
        if let Ok(v) = HeaderValue::from_str(&challenge) {
            r.headers_mut().insert(header::WWW_AUTHENTICATE, v);
        }
        r
    }
}

/// A refused or failed API call: RFC 6750 errors for the token, `{"error","error_description"}`
/// for the rest.
#[derive(Debug)]
pub enum Refused {
    Bearer(BearerError),
    Api(crate::error::ApiError),
}

impl From<BearerError> for Refused {
    fn from(e: BearerError) -> Self {
        Refused::Bearer(e)
    }
}

impl From<crate::error::ApiError> for Refused {
    fn from(e: crate::error::ApiError) -> Self {
        Refused::Api(e)
    }
}

impl From<signet_store::StoreError> for Refused {
    fn from(e: signet_store::StoreError) -> Self {
        Refused::Api(e.into())
    }
}

impl axum::response::IntoResponse for Refused {
    fn into_response(self) -> axum::response::Response {
        match self {
            Refused::Bearer(e) => e.into_response(),
            Refused::Api(e) => e.into_response(),
        }
    }
}

/// The token of an `Authorization: Bearer` header (RFC 6750 §2.1; the header only).
pub fn bearer_token(headers: &axum::http::HeaderMap) -> Result<&str, BearerError> {
    let v = headers.get(axum::http::header::AUTHORIZATION).ok_or(BearerError::Missing)?;
    let v = v.to_str().map_err(|_| BearerError::InvalidRequest("malformed Authorization header"))?;
    match v.split_once(' ') {
        Some((scheme, t)) if scheme.eq_ignore_ascii_case("bearer") && !t.trim().is_empty() => Ok(t.trim()),
        _ => Err(BearerError::InvalidRequest("use the Bearer scheme")),
    }
}
