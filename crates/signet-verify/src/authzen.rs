//! A small client of Signet's AuthZEN Authorization API 1.0 (feature `authzen`), and with the
//! `axum` feature a route layer that asks it for every request: may the token's user do
//! `action` to the resource the path names?
//!
//! ```no_run
//! # async fn demo() -> Result<(), signet_verify::Error> {
//! use signet_verify::authzen::AuthzClient;
//! let pdp = AuthzClient::discover("https://id.example.com", "my-api", "sgn_cs_…").await?;
//! let allowed = pdp.evaluate("org_…", ("user", "42"), "view", ("document", "readme")).await?;
//! # Ok(()) }
//! ```
//!
//! The client authenticates with its own token (client credentials, `resource=urn:signet:authz`,
//! `organization=<the token's organization>`), cached per organization until shortly before it
//! expires. It fails closed: any error is `Err`, and the layer answers 503, never a pass.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde::Deserialize;
use serde_json::{json, Value};

use crate::Error;

/// The authorization API's identifier at Signet.
pub const AUTHZ_API: &str = "urn:signet:authz";

#[derive(Deserialize)]
struct Oidc {
    issuer: String,
    token_endpoint: String,
}

#[derive(Deserialize)]
struct Pdp {
    access_evaluation_endpoint: String,
}

#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
    expires_in: u64,
}

/// A client of the AuthZEN API for one application (a confidential client installed in the
/// organizations it asks about).
pub struct AuthzClient {
    http: reqwest::Client,
    token_endpoint: String,
    evaluation_endpoint: String,
    client_id: String,
    client_secret: String,
    tokens: Mutex<HashMap<String, (String, Instant)>>,
}

impl std::fmt::Debug for AuthzClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthzClient").field("client_id", &self.client_id).finish_non_exhaustive()
    }
}

impl AuthzClient {
    /// Finds the token endpoint (OpenID discovery; its `issuer` must equal `issuer`) and the
    /// evaluation endpoint (`/.well-known/authzen-configuration`).
    pub async fn discover(issuer: &str, client_id: &str, client_secret: &str) -> Result<Self, Error> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .map_err(|e| Error::Fetch(e.to_string()))?;
        let base = issuer.trim_end_matches('/');
        let get = |path: &'static str| {
            let http = http.clone();
            async move {
                let r =
                    http.get(format!("{base}{path}")).send().await.map_err(|e| Error::Fetch(format!("{path}: {e}")))?;
                if !r.status().is_success() {
                    return Err(Error::Fetch(format!("{path}: HTTP {}", r.status())));
                }
                r.json::<Value>().await.map_err(|e| Error::Fetch(format!("{path}: {e}")))
            }
        };
        let oidc: Oidc = serde_json::from_value(get("/.well-known/openid-configuration").await?)
            .map_err(|e| Error::Fetch(format!("metadata: {e}")))?;
        if oidc.issuer != issuer {
            return Err(Error::Fetch(format!("metadata issuer {:?} does not match {issuer:?}", oidc.issuer)));
        }
        let pdp: Pdp = serde_json::from_value(get("/.well-known/authzen-configuration").await?)
            .map_err(|e| Error::Fetch(format!("AuthZEN metadata: {e}")))?;
        Ok(Self {
            http,
            token_endpoint: oidc.token_endpoint,
            evaluation_endpoint: pdp.access_evaluation_endpoint,
            client_id: client_id.to_owned(),
            client_secret: client_secret.to_owned(),
            tokens: Mutex::new(HashMap::new()),
        })
    }

    async fn token(&self, org: &str) -> Result<String, Error> {
        if let Some((t, until)) = self.tokens.lock().ok().and_then(|m| m.get(org).cloned()) {
            if Instant::now() < until {
                return Ok(t);
            }
        }
        let r = self
            .http
            .post(&self.token_endpoint)
            .basic_auth(form_encode(&self.client_id), Some(form_encode(&self.client_secret)))
            .form(&[("grant_type", "client_credentials"), ("resource", AUTHZ_API), ("organization", org)])
            .send()
            .await
            .map_err(|e| Error::Fetch(format!("token: {e}")))?;
        if !r.status().is_success() {
            return Err(Error::Fetch(format!("token: HTTP {}", r.status())));
        }
        let t: TokenResponse = r.json().await.map_err(|e| Error::Fetch(format!("token: {e}")))?;
        // Renewed a little before it expires.
        let until = Instant::now() + Duration::from_secs(t.expires_in.saturating_sub(30).max(1));
        if let Ok(mut m) = self.tokens.lock() {
            m.insert(org.to_owned(), (t.access_token.clone(), until));
        }
        Ok(t.access_token)
    }

    /// May `subject` (`(type, id)`) do `action` to `resource` (`(type, id)`) in the
    /// organization `org`?
    pub async fn evaluate(
        &self,
        org: &str,
        subject: (&str, &str),
        action: &str,
        resource: (&str, &str),
    ) -> Result<bool, Error> {
        let body = json!({
            "subject": { "type": subject.0, "id": subject.1 },
            "action": { "name": action },
            "resource": { "type": resource.0, "id": resource.1 },
        });
        let token = self.token(org).await?;
        let r = self
            .http
            .post(&self.evaluation_endpoint)
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .map_err(|e| Error::Fetch(format!("evaluation: {e}")))?;
        if !r.status().is_success() {
            return Err(Error::Fetch(format!("evaluation: HTTP {}", r.status())));
        }
        let v: Value = r.json().await.map_err(|e| Error::Fetch(format!("evaluation: {e}")))?;
        v.get("decision").and_then(Value::as_bool).ok_or_else(|| Error::Fetch("evaluation: no decision".into()))
    }
}

/// RFC 6749 §2.3.1: client credentials in Basic authentication are form-encoded first.
fn form_encode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[cfg(feature = "axum")]
pub use self::layer::{require_permission, RequirePermission};

#[cfg(feature = "axum")]
mod layer {
    use std::future::Future;
    use std::pin::Pin;
    use std::sync::Arc;
    use std::task::{Context, Poll};

    use axum::extract::{FromRequestParts, RawPathParams, Request};
    use axum::http::StatusCode;
    use axum::response::{IntoResponse, Response};
    use tower::{Layer, Service};

    use super::AuthzClient;
    use crate::Claims;

    /// Asks the authorization API before the handler runs. Build with [`require_permission`];
    /// add it with `route_layer` behind [`crate::layer::RequireToken`], which supplies the
    /// token's claims.
    #[derive(Clone)]
    pub struct RequirePermission {
        client: Arc<AuthzClient>,
        action: Arc<str>,
        resource_type: Arc<str>,
        param: Arc<str>,
    }

    /// Lets a request through only if the token's user may do `action` to the
    /// `resource_type` whose id is the path parameter `param` (`/documents/{id}` → `id`), in
    /// the token's organization. No organization in the token, or no such parameter: 403. The
    /// authorization API unreachable: 503.
    pub fn require_permission(
        client: Arc<AuthzClient>,
        action: &str,
        resource_type: &str,
        param: &str,
    ) -> RequirePermission {
        RequirePermission { client, action: action.into(), resource_type: resource_type.into(), param: param.into() }
    }

    impl<S> Layer<S> for RequirePermission {
        type Service = RequirePermissionService<S>;
        fn layer(&self, inner: S) -> Self::Service {
            RequirePermissionService { inner, cfg: self.clone() }
        }
    }

    #[derive(Clone)]
    pub struct RequirePermissionService<S> {
        inner: S,
        cfg: RequirePermission,
    }

    fn refuse(status: StatusCode, error: &str, description: &str) -> Response {
        (status, axum::Json(serde_json::json!({ "error": error, "error_description": description }))).into_response()
    }

    impl<S> Service<Request> for RequirePermissionService<S>
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
            let clone = self.inner.clone();
            let mut inner = std::mem::replace(&mut self.inner, clone);
            let cfg = self.cfg.clone();
            Box::pin(async move {
                let (mut parts, body) = req.into_parts();
                let Some(claims) = parts.extensions.get::<Claims>().cloned() else {
                    return Ok(refuse(StatusCode::UNAUTHORIZED, "unauthorized", "a bearer token is required"));
                };
                let Some(org) = claims.org_id.clone() else {
                    return Ok(refuse(StatusCode::FORBIDDEN, "forbidden", "the token names no organization"));
                };
                let id = match RawPathParams::from_request_parts(&mut parts, &()).await {
                    Ok(p) => p.iter().find(|(k, _)| *k == &*cfg.param).map(|(_, v)| v.to_owned()),
                    Err(_) => None,
                };
                let Some(id) = id else {
                    return Ok(refuse(StatusCode::FORBIDDEN, "forbidden", "the path names no resource"));
                };
                match cfg.client.evaluate(&org, ("user", &claims.sub), &cfg.action, (&cfg.resource_type, &id)).await {
                    Ok(true) => inner.call(Request::from_parts(parts, body)).await,
                    Ok(false) => Ok(refuse(StatusCode::FORBIDDEN, "forbidden", "not permitted")),
                    Err(e) => {
                        tracing::warn!(error = %e, "authorization API unavailable: refusing");
                        Ok(refuse(StatusCode::SERVICE_UNAVAILABLE, "temporarily_unavailable", "try again"))
                    }
                }
            })
        }
    }
}
