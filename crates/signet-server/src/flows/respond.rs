//! Answers to the client's redirect URI: the authorization response and error response in the
//! request's response mode (query, or an auto-submitting form), and the `form-action` CSP that
//! lets a page's form lead (through redirects) to the client.

use axum::http::{header, HeaderValue};
use axum::response::{Html, IntoResponse, Redirect, Response};
use signet_core::authorize::{Refusal, ResponseMode};
use signet_core::protocol::ErrorCode;

use crate::error::PageError;
use crate::state::AppState;

/// An error response to a verified redirect URI (RFC 6749 §4.1.2.1) with `iss` (RFC 9207).
pub fn error_redirect(
    state: &AppState,
    redirect_uri: &str,
    mode: ResponseMode,
    client_state: Option<&str>,
    error: ErrorCode,
    description: &str,
) -> Response {
    let mut params = vec![("error", error.to_string()), ("error_description", description.to_owned())];
    if let Some(st) = client_state {
        params.push(("state", st.to_owned()));
    }
    params.push(("iss", state.config.issuer_base().to_owned()));
    respond(redirect_uri, mode, &params)
}

/// A refused authorization request, sent back to its (verified) redirect URI.
pub fn refusal(state: &AppState, redirect_uri: &str, r: &Refusal) -> Response {
    error_redirect(state, redirect_uri, r.mode, r.state.as_deref(), r.error, &r.description)
}

/// Sends `params` to the client in the response mode.
pub fn respond(redirect_uri: &str, mode: ResponseMode, params: &[(&str, String)]) -> Response {
    match mode {
        ResponseMode::Query => {
            let mut url = match url::Url::parse(redirect_uri) {
                Ok(u) => u,
                Err(_) => return PageError::BadRequest("invalid redirect URI".into()).into_response(),
            };
            {
                let mut q = url.query_pairs_mut();
                for (k, v) in params {
                    q.append_pair(k, v);
                }
            }
            Redirect::to(url.as_str()).into_response()
        }
        ResponseMode::FormPost => form_post(redirect_uri, params),
    }
}

/// OAuth 2.0 Form Post Response Mode: an auto-submitting form. The one script is allowed by
/// its hash, and `form-action` allows exactly the client's origin.
fn form_post(redirect_uri: &str, params: &[(&str, String)]) -> Response {
    const SCRIPT: &str = "document.forms[0].submit()";
    let hash = {
        use base64::Engine;
        use sha2::Digest;
        base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(SCRIPT.as_bytes()))
    };
    let inputs: Vec<(String, String)> = params.iter().map(|(k, v)| ((*k).to_owned(), v.clone())).collect();
    let html = crate::pages::render_form_post(redirect_uri, &inputs, SCRIPT);
    let mut r = Html(html).into_response();
    let origin = origin_of(redirect_uri).unwrap_or_else(|| "'none'".into());
    let csp = format!(
        "default-src 'none'; script-src 'sha256-{hash}'; form-action {origin}; frame-ancestors 'none'; base-uri 'none'"
    );
    if let Ok(v) = HeaderValue::from_str(&csp) {
        r.headers_mut().insert("content-security-policy", v);
    }
    r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

pub fn origin_of(uri: &str) -> Option<String> {
    let u = url::Url::parse(uri).ok()?;
    match u.origin() {
        url::Origin::Tuple(..) => Some(u.origin().ascii_serialization()),
        url::Origin::Opaque(_) => Some(format!("{}:", u.scheme())),
    }
}

/// Pages whose forms lead (through redirects) to the client must allow its origin in
/// `form-action`: browsers apply the directive to the whole redirect chain.
pub fn with_form_action(r: Response, redirect_uri: &str) -> Response {
    with_client_origins(r, redirect_uri, None)
}

/// [`with_form_action`], and the origin of the client's https logo in `img-src` (the consent
/// page shows it).
pub fn with_client_origins(mut r: Response, redirect_uri: &str, logo_uri: Option<&str>) -> Response {
    let img = logo_uri.filter(|u| u.starts_with("https://") || u.starts_with("http://")).and_then(origin_of);
    if let Some(origin) = origin_of(redirect_uri) {
        if let Ok(v) = HeaderValue::from_str(&crate::http::page_csp(&[origin], img.as_deref())) {
            r.headers_mut().insert("content-security-policy", v);
        }
    }
    r
}
