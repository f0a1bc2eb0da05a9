//! The admin API's HTTP conventions, shared by its route modules: `ETag` / `If-Match`
//! (RFC 9110 §8.8.3, §13.1.1), query strings read without panics or NULs, the error body.

use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use super::AdminError;
use crate::error::ApiError;

/// Every error of the admin API (and of `/api/v1`): RFC 6750 errors for the token included.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: String,
    pub error_description: String,
}

/// The strong entity tag of a row at `revision`.
pub fn etag(revision: i64) -> HeaderValue {
    HeaderValue::from_str(&format!("\"{revision}\"")).unwrap_or_else(|_| HeaderValue::from_static("\"0\""))
}

/// A JSON response with the representation's `ETag`.
pub fn with_etag<T: Serialize>(status: axum::http::StatusCode, body: &T, revision: i64) -> Response {
    let mut r = (status, axum::Json(body)).into_response();
    r.headers_mut().insert(header::ETAG, etag(revision));
    r
}

/// The revision an update is conditioned on. No `If-Match`, or `*`: none (the write is
/// unconditional). Otherwise the listed strong tags (RFC 9110 §13.1.1: weak tags never match
/// for `If-Match`): the one equal to `current` if listed, else the write is stale (412).
pub fn if_match(headers: &HeaderMap, current: i64, what: &'static str) -> Result<Option<i64>, AdminError> {
    let Some(v) = headers.get(header::IF_MATCH) else { return Ok(None) };
    let v = v.to_str().map_err(|_| AdminError::Stale(what))?.trim();
    if v == "*" {
        return Ok(None);
    }
    let listed = v
        .split(',')
        .map(str::trim)
        .filter_map(|t| t.strip_prefix('"')?.strip_suffix('"')?.parse::<i64>().ok())
        .any(|r| r == current);
    if listed {
        Ok(Some(current))
    } else {
        Err(AdminError::Stale(what))
    }
}

/// Reads a query string into `T`: 400 (JSON) for a malformed one or a NUL, never axum's
/// plain-text rejection.
pub fn query<T: serde::de::DeserializeOwned + Default>(uri: &axum::http::Uri) -> Result<T, ApiError> {
    let Some(q) = uri.query() else { return Ok(T::default()) };
    if crate::forms::has_nul(q.as_bytes()) {
        return Err(ApiError::bad_request("The query may not contain NUL characters."));
    }
    serde_urlencoded_from_str(q)
}

fn serde_urlencoded_from_str<T: serde::de::DeserializeOwned>(q: &str) -> Result<T, ApiError> {
    axum::extract::Query::<T>::try_from_uri(&format!("/?{q}").parse().map_err(|_| bad_query())?)
        .map(|axum::extract::Query(t)| t)
        .map_err(|e| ApiError::bad_request(format!("The query could not be read: {}.", e.body_text())))
}

fn bad_query() -> ApiError {
    ApiError::bad_request("The query could not be read.")
}

/// A numeric id in a path: anything else names nothing (404, as an unknown id would).
pub fn path_id(s: &str) -> Result<i64, ApiError> {
    s.parse::<i64>().ok().filter(|i| *i > 0).ok_or_else(ApiError::not_found)
}

/// Page size: 50 unless asked, between 1 and 200.
pub fn limit(asked: Option<i64>) -> i64 {
    asked.unwrap_or(50).clamp(1, 200)
}
