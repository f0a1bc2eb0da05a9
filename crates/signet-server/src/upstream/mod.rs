//! Upstream identity providers (issue 21): the configured providers, and talking to them.
//!
//! A provider comes from `[idp.<slug>]` in `signet.toml` or from `signet idp add` (stored, its
//! secret encrypted under the key-encryption key and bound to the slug). This module fetches
//! and caches their discovery documents and keys, redeems codes and validates what comes back
//! (`oidc`, `github`); `flows::upstream` decides what a sign-in does.

pub mod apple;
pub mod github;
pub mod oidc;
pub mod registry;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use signet_core::federation::Preset;
use zeroize::Zeroizing;

use crate::config::federation::ProviderConfig;

/// A provider ready to use.
#[derive(Debug, Clone)]
pub struct Provider {
    pub slug: String,
    pub config: ProviderConfig,
    pub secret: Secret,
    /// Defined in `signet.toml` (the CLI cannot change or remove it).
    pub from_file: bool,
}

/// A client secret (or Apple's private key): redacted, zeroized.
#[derive(Clone, Default)]
pub struct Secret(pub Zeroizing<String>);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("[redacted]")
    }
}

impl Provider {
    pub fn preset(&self) -> Preset {
        self.config.preset()
    }

    /// The label on the sign-in button.
    pub fn display_name(&self) -> String {
        self.config.display_name.clone().unwrap_or_else(|| match self.preset() {
            Preset::Google => "Google".into(),
            Preset::Github => "GitHub".into(),
            Preset::Apple => "Apple".into(),
            Preset::Microsoft => "Microsoft".into(),
            Preset::Oidc => self.slug.clone(),
        })
    }

    pub fn issuer(&self) -> &str {
        self.config.issuer().unwrap_or_default()
    }

    /// The origins a browser passes through on its way to this provider's authorization
    /// endpoint: a page whose form leads there must allow them in `form-action` (browsers apply
    /// the directive to the whole redirect chain). The issuer's (or GitHub's) origin, the
    /// configured endpoint's, and the discovered one's once known.
    pub fn form_origins(&self, up: &Upstreams) -> Vec<String> {
        let mut urls: Vec<String> = vec![match self.preset() {
            Preset::Github => github::AUTHORIZE.to_owned(),
            _ => self.issuer().to_owned(),
        }];
        urls.extend(self.config.authorization_endpoint.clone());
        if let Some(d) = Upstreams::cached(&up.docs, self.issuer(), DOC_TTL) {
            urls.push(d.authorization_endpoint.clone());
        }
        let mut origins: Vec<String> = urls
            .iter()
            .filter_map(|u| url::Url::parse(u).ok())
            .filter(|u| matches!(u.scheme(), "https" | "http"))
            .map(|u| u.origin().ascii_serialization())
            .collect();
        origins.sort();
        origins.dedup();
        origins
    }

    pub fn scopes(&self) -> String {
        self.config.scopes.clone().unwrap_or_else(|| self.preset().default_scopes().to_owned())
    }

    /// Where the upstream sends the browser back (registered at the upstream).
    pub fn redirect_uri(&self, issuer_base: &str) -> String {
        format!("{issuer_base}/login/idp/{}/callback", self.slug)
    }
}

/// The associated data binding a stored provider secret to its slug.
pub fn secret_aad(slug: &str) -> Vec<u8> {
    format!("idp:{slug}").into_bytes()
}

/// Why talking to an upstream failed. None of these is the user's fault or ours: each becomes
/// a page that says what happened (`PageError::Upstream`), never a 500.
#[derive(Debug, thiserror::Error)]
pub enum UpstreamError {
    /// It could not be reached, timed out, or answered 5xx.
    #[error("{0} could not be reached: {1}")]
    Unreachable(String, String),
    /// It answered something that is not what the protocol says (or a refusal).
    #[error("{0} answered unexpectedly: {1}")]
    Protocol(String, String),
    /// Its tokens did not validate: a wrong signature, issuer, audience, nonce, or an expired
    /// token. Treated as an attack: nothing is trusted.
    #[error("{0}'s answer failed validation: {1}")]
    Invalid(String, &'static str),
}

/// HTTP to upstreams, and what is cached of them.
pub struct Upstreams {
    http: reqwest::Client,
    /// Discovery documents by issuer, with when they were fetched.
    docs: Mutex<HashMap<String, (Arc<oidc::Discovery>, Instant)>>,
    /// Signing keys by `jwks_uri`, with when they were fetched.
    keys: Mutex<HashMap<String, (Arc<oidc::KeySet>, Instant)>>,
}

/// Discovery documents change rarely; keys are re-read after this or on an unknown `kid`.
const DOC_TTL: Duration = Duration::from_secs(3600);
const KEYS_TTL: Duration = Duration::from_secs(300);
/// An unknown `kid` re-reads the keys at most this often (a flood of forged `kid`s must not
/// become a flood of requests to the upstream).
const KEYS_MIN_REFRESH: Duration = Duration::from_secs(10);

impl Default for Upstreams {
    fn default() -> Self {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(10))
            // A token endpoint that redirects is misconfigured or hijacked: not followed.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("signet/", env!("CARGO_PKG_VERSION")))
            .build()
            .unwrap_or_default();
        Self { http, docs: Mutex::default(), keys: Mutex::default() }
    }
}

impl std::fmt::Debug for Upstreams {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Upstreams").finish_non_exhaustive()
    }
}

impl Upstreams {
    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    fn cached<T>(map: &Mutex<HashMap<String, (Arc<T>, Instant)>>, key: &str, ttl: Duration) -> Option<Arc<T>> {
        let map = map.lock().ok()?;
        map.get(key).filter(|(_, at)| at.elapsed() < ttl).map(|(v, _)| v.clone())
    }

    fn keep<T>(map: &Mutex<HashMap<String, (Arc<T>, Instant)>>, key: &str, v: Arc<T>) {
        if let Ok(mut map) = map.lock() {
            map.insert(key.to_owned(), (v, Instant::now()));
        }
    }
}

/// A GET or POST answered with JSON; errors sorted into [`UpstreamError`].
pub async fn json(
    who: &str,
    req: reqwest::RequestBuilder,
) -> Result<(reqwest::StatusCode, serde_json::Value), UpstreamError> {
    let res = req
        .header(reqwest::header::ACCEPT, "application/json")
        .send()
        .await
        .map_err(|e| UpstreamError::Unreachable(who.to_owned(), without_url(&e)))?;
    let status = res.status();
    if status.is_server_error() {
        return Err(UpstreamError::Unreachable(who.to_owned(), format!("HTTP {status}")));
    }
    let body = res.bytes().await.map_err(|e| UpstreamError::Unreachable(who.to_owned(), without_url(&e)))?;
    let value = serde_json::from_slice(&body)
        .map_err(|_| UpstreamError::Protocol(who.to_owned(), format!("HTTP {status}, not JSON")))?;
    Ok((status, value))
}

/// reqwest's message without the URL (which may carry a code or token in its query).
fn without_url(e: &reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "connection failed"
    } else if e.is_redirect() {
        "redirected"
    } else {
        "request failed"
    };
    kind.to_owned()
}
