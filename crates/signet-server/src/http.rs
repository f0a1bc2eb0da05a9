//! Cross-cutting HTTP pieces: security headers, client info, form extraction that never
//! answers 500 or 422 for bad input, and cookies.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::Response;

use crate::state::AppState;

/// The Content-Security-Policy of every page: no scripts at all, styles only from us, forms
/// post only to us (plus `form_action`: the origins a form's redirect chain may pass through —
/// the client it ends at, an upstream identity provider), never framed (clickjacking).
/// `img` adds one origin to `img-src` (a client's registered logo on the consent page).
pub fn page_csp(form_action: &[String], img: Option<&str>) -> String {
    let extra: String = form_action.iter().map(|o| format!(" {o}")).collect();
    let img = img.map(|o| format!(" {o}")).unwrap_or_default();
    // Scripts: only our own static files (the passkey script), never inline.
    format!("default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; img-src 'self' data:{img}; form-action 'self'{extra}; frame-ancestors 'none'; base-uri 'none'")
}

/// Sets the page's CSP with `origins` allowed in `form-action` (see [`page_csp`]).
pub fn with_form_origins(mut r: Response, origins: &[String]) -> Response {
    if let Ok(v) = HeaderValue::from_str(&page_csp(origins, None)) {
        r.headers_mut().insert("content-security-policy", v);
    }
    r
}

/// Sets security headers on every response unless a handler set its own (called by the
/// router's edge layer, `crate::edge`).
pub fn set_security_headers(h: &mut axum::http::HeaderMap) {
    // The default CSP is the same for every response: built once.
    static DEFAULT_CSP: std::sync::LazyLock<Option<HeaderValue>> =
        std::sync::LazyLock::new(|| HeaderValue::from_str(&page_csp(&[], None)).ok());
    if !h.contains_key("content-security-policy") {
        if let Some(v) = DEFAULT_CSP.as_ref() {
            h.insert("content-security-policy", v.clone());
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
}

/// The client's address and user agent, for rate limits, sessions and the audit log.
#[derive(Debug, Clone)]
pub struct ClientInfo {
    pub ip: String,
    pub user_agent: String,
    /// The device cookie as sent (see `device_cookie`), checked against an account when used.
    pub device: Option<String>,
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
        let device = cookie(&parts.headers, state.cookies.device).filter(|v| v.len() <= 200).map(str::to_owned);
        Ok(Self { ip, user_agent, device })
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

/// Adds `Set-Cookie` headers to a response.
pub fn with_cookies(
    mut res: axum::response::Response,
    cookies: impl IntoIterator<Item = HeaderValue>,
) -> axum::response::Response {
    for c in cookies {
        res.headers_mut().append(header::SET_COOKIE, c);
    }
    res
}

/// 303 See Other (the right status after a POST) with optional `Set-Cookie` headers.
pub fn see_other(to: &str, cookies: impl IntoIterator<Item = HeaderValue>) -> axum::response::Response {
    use axum::response::IntoResponse;
    with_cookies(axum::response::Redirect::to(to).into_response(), cookies)
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
