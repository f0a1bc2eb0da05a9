//! Reading `application/x-www-form-urlencoded` bodies: within the body limit, without NULs,
//! into a typed form. Page forms are read by the CSRF extractors (`csrf::SessionForm` and its
//! siblings), which answer a bad form with a page; the OAuth endpoints by `oauth::OAuthForm`.

use axum::extract::rejection::FormRejection;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;

use crate::error::PageError;

/// Why a form body was refused.
pub enum FormError {
    TooLarge,
    /// A NUL character, raw or percent-encoded (see [`has_nul`]).
    Nul,
    Malformed(String),
}

/// No parameter Signet accepts may contain U+0000: it has no meaning in any of them, and
/// PostgreSQL cannot store it in text (the request would fail deep inside instead of being
/// refused up front). Looks at raw bytes, so `%00` counts too.
pub fn has_nul(raw: &[u8]) -> bool {
    raw.contains(&0) || raw.windows(3).any(|w| w == b"%00")
}

/// Reads an `application/x-www-form-urlencoded` body within the body limit, refusing NULs.
pub async fn read_form<T, S>(req: Request, state: &S) -> Result<T, FormError>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    let (parts, bytes) = read_form_bytes(req, state).await?;
    parse_form(&parts, bytes, state).await
}

/// The body of a form request (within the limit, without NULs), and the request's head.
pub async fn read_form_bytes<S: Send + Sync>(
    req: Request,
    state: &S,
) -> Result<(axum::http::request::Parts, axum::body::Bytes), FormError> {
    let (parts, body) = req.into_parts();
    let bytes = match axum::body::Bytes::from_request(Request::from_parts(parts.clone(), body), state).await {
        Ok(b) => b,
        Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return Err(FormError::TooLarge),
        Err(e) => return Err(FormError::Malformed(e.body_text())),
    };
    if has_nul(&bytes) {
        return Err(FormError::Nul);
    }
    Ok((parts, bytes))
}

/// Parses a form body read by [`read_form_bytes`] (checking its content type, as `axum::Form` does).
pub async fn parse_form<T, S>(
    parts: &axum::http::request::Parts,
    bytes: axum::body::Bytes,
    state: &S,
) -> Result<T, FormError>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    match axum::Form::<T>::from_request(Request::from_parts(parts.clone(), axum::body::Body::from(bytes)), state).await
    {
        Ok(axum::Form(v)) => Ok(v),
        Err(e) => Err(form_rejection(e)),
    }
}

/// The page answer to a form that could not be read.
pub fn form_error_page(e: FormError) -> PageError {
    match e {
        FormError::TooLarge => PageError::PayloadTooLarge,
        _ => PageError::BadRequest("The form could not be read. Please go back and try again.".into()),
    }
}

fn form_rejection(e: FormRejection) -> FormError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        FormError::TooLarge
    } else {
        FormError::Malformed(e.body_text())
    }
}

/// Reads a JSON body for an API (`Content-Type: application/json`, not empty, no NUL): any
/// fault is a 400 naming where it is (a missing field, a wrong type), never a 415 or 422, so
/// clients see one status for a request they got wrong (as the AuthZEN certification expects).
pub fn read_json<T: serde::de::DeserializeOwned>(
    headers: &axum::http::HeaderMap,
    body: &[u8],
) -> Result<T, crate::error::ApiError> {
    use crate::error::ApiError;
    let json = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"));
    if !json {
        return Err(ApiError::bad_request("Send the request as application/json."));
    }
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::bad_request("The request body is empty."));
    }
    if body.contains(&0) || body.windows(6).any(|w| w == b"\\u0000") {
        return Err(ApiError::bad_request("The request contains a NUL character."));
    }
    let de = &mut serde_json::Deserializer::from_slice(body);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let at = e.path().to_string();
        let inner = e.into_inner();
        if at == "." || at.is_empty() {
            ApiError::bad_request(format!("The request is not valid: {inner}."))
        } else {
            ApiError::bad_request(format!("The request is not valid at {at}: {inner}."))
        }
    })
}

/// Reads a JSON API body: `application/json` only (a cross-site form cannot send it without a
/// CORS preflight), no NUL character (raw or `\u0000`, which PostgreSQL cannot store), into a
/// typed value; anything else is 400 naming what was wrong.
pub fn json_body<T: serde::de::DeserializeOwned>(
    headers: &axum::http::HeaderMap,
    body: &[u8],
) -> Result<T, crate::error::ApiError> {
    use crate::error::ApiError;
    let ct = headers.get(axum::http::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    if !ct.starts_with("application/json") {
        return Err(ApiError::bad_request("Send a JSON body (Content-Type: application/json)."));
    }
    if body.contains(&0) || body.windows(6).any(|w| w.eq_ignore_ascii_case(b"\\u0000")) {
        return Err(ApiError::bad_request("The body may not contain NUL characters."));
    }
    serde_json::from_slice(body).map_err(|e| ApiError::bad_request(format!("The body could not be read: {e}.")))
}
