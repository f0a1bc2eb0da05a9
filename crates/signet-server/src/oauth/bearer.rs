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
