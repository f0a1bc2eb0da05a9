//! Cross-cutting HTTP pieces: security headers, client info, form extraction that never
//! answers 500 or 422 for bad input, and cookies.

use std::net::{IpAddr, SocketAddr};

use axum::extract::rejection::FormRejection;
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::Response;

use crate::error::PageError;
use crate::state::AppState;

/// The Content-Security-Policy of every page: no scripts at all, styles only from us, forms
/// post only to us (plus `form_action`, the origin of a client a form's redirect chain ends at),
/// never framed (clickjacking).
pub fn page_csp(form_action: Option<&str>) -> String {
    let extra = form_action.map(|o| format!(" {o}")).unwrap_or_default();
    // Scripts: only our own static files (the passkey script), never inline.
    format!("default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'{extra}; frame-ancestors 'none'; base-uri 'none'")
}

/// Sets security headers on every response unless a handler set its own.
pub async fn security_headers(req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    if !h.contains_key("content-security-policy") {
        if let Ok(v) = HeaderValue::from_str(&page_csp(None)) {
            h.insert("content-security-policy", v);
        }
    }
    let mut set = |name: &'static str, value: &'static str| {
        if !h.contains_key(name) {
            h.insert(name, HeaderValue::from_static(value));
        }
    };
    set("x-frame-options", "DENY");
    set("x-content-type-options", "nosniff");
    set("referrer-policy", "no-referrer");
    set("cross-origin-opener-policy", "same-origin");
    // Auth pages and API answers carry personal data and CSRF tokens: never cache them.
    set("cache-control", "no-store");
    res
}

/// The client's address and user agent, for rate limits, sessions and the audit log.
#[derive(Debug, Clone)]
pub struct ClientInfo {
    pub ip: String,
    pub user_agent: String,
}

/// The client's address: the socket peer, unless the peer is a trusted proxy, in which case
/// the right-most `X-Forwarded-For` entry that is not itself a trusted proxy. Entries further
/// left are supplied by the client and could be anything.
pub fn client_ip(peer: Option<IpAddr>, headers: &HeaderMap, trusted: &[ipnet::IpNet]) -> Option<IpAddr> {
    let peer = peer?;
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|n| n.contains(ip));
    if !is_trusted(&peer) {
        return Some(peer);
    }
    let forwarded: Vec<IpAddr> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect::<Vec<_>>()
        .into_iter()
        .map(|s| s.parse::<IpAddr>())
        .collect::<Result<_, _>>()
        .unwrap_or_default();
    Some(forwarded.into_iter().rev().find(|ip| !is_trusted(ip)).unwrap_or(peer))
}

impl FromRequestParts<AppState> for ClientInfo {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
        let ip = client_ip(peer, &parts.headers, &state.trusted_proxies)
            .map(|ip| ip.to_string())
            .unwrap_or_else(|| "unknown".into());
        let user_agent = parts
            .headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .chars()
            .take(512)
            .collect();
        Ok(Self { ip, user_agent })
    }
}

/// `application/x-www-form-urlencoded` body for pages: malformed → 400 page, too large → 413.
pub struct PageForm<T>(pub T);

impl<T, S> FromRequest<S> for PageForm<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = PageError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        read_form(req, state).await.map(Self).map_err(form_error_page)
    }
}

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

/// Refuses a query string with a NUL character (see [`has_nul`]) before any handler runs: JSON
/// for the API and the OAuth back-channel endpoints, a page for browser endpoints.
pub async fn reject_nul_query(req: Request, next: Next) -> Response {
    use axum::response::IntoResponse;
    if !req.uri().query().is_some_and(|q| has_nul(q.as_bytes())) {
        return next.run(req).await;
    }
    let path = req.uri().path();
    let browser = ["/oauth2/authorize", "/oauth2/logout"].iter().any(|p| path.starts_with(p));
    if path.starts_with("/api/") {
        crate::error::ApiError::bad_request("the query string contains a NUL character").into_response()
    } else if path.starts_with("/oauth2/") && !browser {
        crate::oauth::OAuthError::InvalidRequest("the query string contains a NUL character".into()).into_response()
    } else {
        PageError::BadRequest("The link contains a NUL character and cannot be used.".into()).into_response()
    }
}

/// The value of cookie `name`, if the request has it. The first occurrence wins.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim())
}

/// A `Set-Cookie` value. Always `HttpOnly; SameSite=Lax; Path=/`; `Secure` when `secure`.
/// `max_age` 0 deletes the cookie.
pub fn set_cookie(name: &str, value: &str, max_age: i64, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    let v = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}");
    HeaderValue::from_str(&v).unwrap_or_else(|_| HeaderValue::from_static("invalid=; Max-Age=0"))
}

/// The first value of query parameter `name`, decoded. Malformed query strings simply yield
/// nothing, so a mangled link still shows the page.
pub fn query_param(uri: &axum::http::Uri, name: &str) -> Option<String> {
    url::form_urlencoded::parse(uri.query()?.as_bytes()).find(|(k, _)| k == name).map(|(_, v)| v.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(xff: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-for", HeaderValue::from_str(xff).expect("header"));
        h
    }

    #[test]
    fn forwarded_for_is_believed_only_from_trusted_proxies() {
        let lb: IpAddr = "10.0.0.5".parse().expect("ip");
        let trusted = vec![crate::config::parse_net("10.0.0.0/8").expect("net")];
        let direct: IpAddr = "198.51.100.7".parse().expect("ip");
        // A direct client cannot claim another address.
        assert_eq!(client_ip(Some(direct), &headers("203.0.113.9"), &trusted), Some(direct));
        // Behind the balancer: the right-most untrusted entry; anything left of it is client-made.
        let h = headers("1.2.3.4, 203.0.113.9");
        assert_eq!(client_ip(Some(lb), &h, &trusted), "203.0.113.9".parse().ok());
        // Chains of trusted proxies are skipped.
        let h = headers("203.0.113.9, 10.0.0.8");
        assert_eq!(client_ip(Some(lb), &h, &trusted), "203.0.113.9".parse().ok());
        // Garbage or a missing header falls back to the peer.
        assert_eq!(client_ip(Some(lb), &headers("not-an-ip"), &trusted), Some(lb));
        assert_eq!(client_ip(Some(lb), &HeaderMap::new(), &trusted), Some(lb));
        // Nothing trusted: the header means nothing.
        assert_eq!(client_ip(Some(lb), &headers("203.0.113.9"), &[]), Some(lb));
    }
}
