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

/// `201 Created` with the new resource's representation and its `Location` (RFC 9110 §15.3.2).
pub fn created<T: Serialize>(location: &str, body: &T) -> Response {
    let mut r = (axum::http::StatusCode::CREATED, axum::Json(body)).into_response();
    if let Ok(v) = HeaderValue::from_str(location) {
        r.headers_mut().insert(header::LOCATION, v);
    }
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
    from_query(q)
}

/// `q` read as a `Query<T>` would be (axum's URL-encoded reader), its rejection as JSON.
fn from_query<T: serde::de::DeserializeOwned>(q: &str) -> Result<T, ApiError> {
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

/// A numeric cursor (the id the previous page ended at); none or empty: from the start.
pub fn id_cursor(cursor: Option<&str>) -> Result<Option<i64>, ApiError> {
    match cursor {
        None | Some("") => Ok(None),
        Some(c) => c.parse::<i64>().map(Some).map_err(|_| ApiError::bad_request("cursor: not one of ours")),
    }
}

/// One page of `items`, read with one more than `n` asked for: cut to `n`, and the cursor of
/// the next page (the last item's `key`) when there is one.
pub fn next_page<T>(items: &mut Vec<T>, n: i64, key: impl Fn(&T) -> String) -> Option<String> {
    let n = usize::try_from(n).unwrap_or(0);
    (items.len() > n).then(|| {
        items.truncate(n);
        items.last().map(&key).unwrap_or_default()
    })
}

/// Page size: 50 unless asked, between 1 and 200.
pub fn limit(asked: Option<i64>) -> i64 {
    asked.unwrap_or(50).clamp(1, 200)
}
