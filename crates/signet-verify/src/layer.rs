//! A tower layer for axum that requires a valid bearer token (and optionally a scope), and an
//! extractor for the verified claims. Errors follow RFC 6750 §3:
//! - no token: 401 with `WWW-Authenticate: Bearer realm="…"`;
//! - bad token: 401 `error="invalid_token"`;
//! - missing scope: 403 `error="insufficient_scope", scope="…"`;
//! - token in the query string: 400 `error="invalid_request"` (RFC 6750 §2.3 makes it a last
//!   resort that leaks tokens into logs and Referer headers; we refuse it).

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::extract::{FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use tower::{Layer, Service};

use crate::{Claims, Verifier};

#[derive(Debug)]
pub enum BearerError {
    Missing,
    InvalidRequest(&'static str),
    InvalidToken(String),
    InsufficientScope(String),
}

/// A quoted-string for a challenge parameter: no quotes, backslashes or control characters.
fn q(s: &str) -> String {
    s.chars().filter(|c| *c != '"' && *c != '\\' && !c.is_control()).collect()
}

impl BearerError {
    fn into_response_with(self, realm: &str) -> Response {
        let realm = q(realm);
        let (status, challenge, error, desc) = match &self {
            BearerError::Missing => (
                StatusCode::UNAUTHORIZED,
                format!("Bearer realm=\"{realm}\""),
                "unauthorized",
                "a bearer token is required".to_owned(),
            ),
            BearerError::InvalidRequest(d) => (
                StatusCode::BAD_REQUEST,
                format!("Bearer realm=\"{realm}\", error=\"invalid_request\", error_description=\"{}\"", q(d)),
                "invalid_request",
                (*d).to_owned(),
            ),
            BearerError::InvalidToken(d) => (
                StatusCode::UNAUTHORIZED,
                format!("Bearer realm=\"{realm}\", error=\"invalid_token\", error_description=\"{}\"", q(d)),
                "invalid_token",
                d.clone(),
            ),
            BearerError::InsufficientScope(s) => (
                StatusCode::FORBIDDEN,
                format!("Bearer realm=\"{realm}\", error=\"insufficient_scope\", scope=\"{}\"", q(s)),
                "insufficient_scope",
                format!("the token lacks scope {s}"),
            ),
        };
        let body = serde_json::json!({ "error": error, "error_description": desc });
        let mut r = (status, axum::Json(body)).into_response();
        if let Ok(v) = HeaderValue::from_str(&challenge) {
            r.headers_mut().insert(header::WWW_AUTHENTICATE, v);
        }
        r
    }
}

impl IntoResponse for BearerError {
    fn into_response(self) -> Response {
        self.into_response_with("api")
    }
}

/// Requires a valid access token, optionally with a scope. Build with [`require_token`] or
/// [`require_scope`].
#[derive(Clone)]
pub struct RequireToken {
    verifier: Arc<Verifier>,
    scope: Option<Arc<str>>,
    realm: Arc<str>,
}

pub fn require_token(verifier: Arc<Verifier>) -> RequireToken {
    RequireToken { verifier, scope: None, realm: Arc::from("api") }
}

pub fn require_scope(verifier: Arc<Verifier>, scope: &str) -> RequireToken {
    RequireToken { verifier, scope: Some(Arc::from(scope)), realm: Arc::from("api") }
}

impl RequireToken {
    pub fn realm(mut self, realm: &str) -> Self {
        self.realm = Arc::from(realm);
        self
    }

    async fn check(&self, parts: &Parts) -> Result<Claims, BearerError> {
        let in_query =
            parts.uri.query().is_some_and(|q| q.split('&').any(|kv| kv.split('=').next() == Some("access_token")));
        if in_query {
            return Err(BearerError::InvalidRequest("bearer tokens in the query string are not accepted"));
        }
        let Some(value) = parts.headers.get(header::AUTHORIZATION) else { return Err(BearerError::Missing) };
        let value = value.to_str().map_err(|_| BearerError::InvalidRequest("malformed Authorization header"))?;
        let (scheme, token) =
            value.split_once(' ').ok_or(BearerError::InvalidRequest("malformed Authorization header"))?;
        if !scheme.eq_ignore_ascii_case("bearer") {
            return Err(BearerError::Missing);
        }
        let claims = self.verifier.verify(token.trim()).await.map_err(|e| BearerError::InvalidToken(e.to_string()))?;
        if let Some(scope) = &self.scope {
            if !claims.has_scope(scope) {
                return Err(BearerError::InsufficientScope(scope.to_string()));
            }
        }
        Ok(claims)
    }
}

impl<S> Layer<S> for RequireToken {
    type Service = RequireTokenService<S>;
    fn layer(&self, inner: S) -> Self::Service {
        RequireTokenService { inner, cfg: self.clone() }
    }
}

#[derive(Clone)]
pub struct RequireTokenService<S> {
    inner: S,
    cfg: RequireToken,
}

impl<S> Service<Request> for RequireTokenService<S>
where
    S: Service<Request, Response = Response> + Clone + Send + 'static,
    S::Future: Send + 'static,
{
    type Response = Response;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Response, S::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request) -> Self::Future {
        let cfg = self.cfg.clone();
        // The clone that was polled ready handles this request (tower's usual pattern).
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        Box::pin(async move {
            let (mut parts, body) = req.into_parts();
            match cfg.check(&parts).await {
                Ok(claims) => {
                    parts.extensions.insert(claims);
                    inner.call(Request::from_parts(parts, body)).await
                }
                Err(e) => Ok(e.into_response_with(&cfg.realm)),
            }
        })
    }
}

/// The verified claims, in a handler behind [`RequireToken`].
pub struct Bearer(pub Claims);

impl<S: Send + Sync> FromRequestParts<S> for Bearer {
    type Rejection = BearerError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts.extensions.get::<Claims>().cloned().map(Bearer).ok_or(BearerError::Missing)
    }
}
