//! Verify Signet access tokens (RFC 9068 JWTs) in a resource server.
//!
//! ```no_run
//! # async fn demo() -> Result<(), signet_verify::Error> {
//! let verifier = signet_verify::Verifier::discover("https://id.example.com", "https://api.example.com").await?;
//! let claims = verifier.verify("eyJ…").await?;
//! assert!(claims.has_scope("read"));
//! # Ok(()) }
//! ```
//!
//! What it enforces:
//! - the signing algorithm is the one published for the key (`kid`), never the token's
//!   choice; `none` and HS* are refused (RFC 8725 §3.1);
//! - `jku`, `x5u`, embedded `jwk`/`x5c` and `crit` headers are refused: keys come only from the
//!   issuer's JWKS (RFC 8725 §3.10);
//! - `typ` must be `at+jwt`, so an ID token is never accepted as an access token (RFC 9068 §4);
//! - `iss` and `aud` must match; `exp`/`nbf` with a small leeway.
//!
//! The JWKS is cached as long as its `Cache-Control` allows and re-fetched on an unknown `kid`
//! at most once per [`Verifier::min_refetch`], with one fetch in flight at a time.

#[cfg(feature = "authzen")]
pub mod authzen;
#[cfg(feature = "axum")]
pub mod layer;

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("token is malformed")]
    Malformed,
    #[error("token header names its own key source (jku/x5u/jwk/x5c) or critical extensions")]
    ForbiddenHeader,
    #[error("token is not an access token (typ must be at+jwt)")]
    WrongType,
    #[error("token is signed with an unknown key")]
    UnknownKey,
    #[error("token algorithm does not match the key's algorithm")]
    WrongAlgorithm,
    #[error("token signature is invalid")]
    BadSignature,
    #[error("token has expired")]
    Expired,
    #[error("token is not valid yet")]
    NotYetValid,
    #[error("token issuer does not match")]
    WrongIssuer,
    #[error("token audience does not match")]
    WrongAudience,
    #[error("token is missing a required claim")]
    MissingClaim,
    #[error("cannot fetch keys: {0}")]
    Fetch(String),
}

/// The claims of a verified access token.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct Claims {
    pub iss: String,
    pub sub: String,
    #[serde(deserialize_with = "one_or_many")]
    pub aud: Vec<String>,
    pub exp: i64,
    pub iat: i64,
    #[serde(default)]
    pub nbf: Option<i64>,
    #[serde(default)]
    pub jti: Option<String>,
    pub client_id: String,
    #[serde(default)]
    pub scope: String,
    #[serde(default)]
    pub auth_time: Option<i64>,
    /// The organization the token was issued in (`org_…`), if any.
    #[serde(default)]
    pub org_id: Option<String>,
}

impl Claims {
    pub fn has_scope(&self, scope: &str) -> bool {
        self.scope.split(' ').any(|s| s == scope)
    }
}

fn one_or_many<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    Ok(match OneOrMany::deserialize(d)? {
        OneOrMany::One(s) => vec![s],
        OneOrMany::Many(v) => v,
    })
}

struct Key {
    alg: Algorithm,
    key: DecodingKey,
}

struct Cache {
    keys: HashMap<String, Arc<Key>>,
    fetched_at: Option<Instant>,
    max_age: Duration,
}

pub struct Verifier {
    issuer: String,
    audience: String,
    jwks_uri: String,
    http: reqwest::Client,
    cache: RwLock<Cache>,
    fetch: tokio::sync::Mutex<()>,
    leeway: u64,
    min_refetch: Duration,
}

impl std::fmt::Debug for Verifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Verifier")
            .field("issuer", &self.issuer)
            .field("audience", &self.audience)
            .finish_non_exhaustive()
    }
}

#[derive(Deserialize)]
struct Metadata {
    issuer: String,
    jwks_uri: String,
}

/// Algorithms we accept, from the JWK. HS* is absent on purpose.
fn jwk_alg(jwk: &serde_json::Value) -> Option<Algorithm> {
    match (
        jwk.get("alg").and_then(|v| v.as_str()),
        jwk.get("kty").and_then(|v| v.as_str()),
        jwk.get("crv").and_then(|v| v.as_str()),
    ) {
        (Some("ES256"), Some("EC"), Some("P-256")) | (None, Some("EC"), Some("P-256")) => Some(Algorithm::ES256),
        (Some("EdDSA"), Some("OKP"), Some("Ed25519")) | (None, Some("OKP"), Some("Ed25519")) => Some(Algorithm::EdDSA),
        (Some("RS256"), Some("RSA"), _) | (None, Some("RSA"), _) => Some(Algorithm::RS256),
        _ => None,
    }
}

/// Signature keys of a JWKS document, by `kid`. Keys we cannot use (unknown algorithm, HS*,
/// `use` other than `sig`, malformed) are skipped.
fn parse_jwks(body: &serde_json::Value) -> HashMap<String, Arc<Key>> {
    let mut keys = HashMap::new();
    for jwk in body.get("keys").and_then(|k| k.as_array()).into_iter().flatten() {
        let (Some(kid), Some(alg)) = (jwk.get("kid").and_then(|v| v.as_str()), jwk_alg(jwk)) else { continue };
        if jwk.get("use").and_then(|v| v.as_str()).is_some_and(|u| u != "sig") {
            continue;
        }
        let Ok(parsed) = serde_json::from_value::<jsonwebtoken::jwk::Jwk>(jwk.clone()) else { continue };
        let Ok(key) = DecodingKey::from_jwk(&parsed) else { continue };
        keys.insert(kid.to_owned(), Arc::new(Key { alg, key }));
    }
    keys
}

fn max_age(headers: &reqwest::header::HeaderMap) -> Duration {
    let secs = headers
        .get(reqwest::header::CACHE_CONTROL)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').find_map(|d| d.trim().strip_prefix("max-age=")?.parse::<u64>().ok()))
        .unwrap_or(300);
    // Bounded, so a misconfigured header can neither disable caching nor pin keys for days.
    Duration::from_secs(secs.clamp(30, 86_400))
}

impl Verifier {
    /// Reads the issuer's RFC 8414 metadata (or OpenID discovery) to find `jwks_uri`. The
    /// metadata's `issuer` must equal `issuer` exactly (RFC 8414 §3.3).
    pub async fn discover(issuer: &str, audience: &str) -> Result<Self, Error> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .map_err(|e| Error::Fetch(e.to_string()))?;
        let base = issuer.trim_end_matches('/');
        let mut last = String::new();
        for path in ["/.well-known/oauth-authorization-server", "/.well-known/openid-configuration"] {
            match http.get(format!("{base}{path}")).send().await {
                Ok(r) if r.status().is_success() => {
                    let m: Metadata = r.json().await.map_err(|e| Error::Fetch(format!("metadata: {e}")))?;
                    if m.issuer != issuer {
                        return Err(Error::Fetch(format!("metadata issuer {:?} does not match {issuer:?}", m.issuer)));
                    }
                    return Ok(Self::with_jwks_uri(issuer, audience, &m.jwks_uri, http));
                }
                Ok(r) => last = format!("{path}: HTTP {}", r.status()),
                Err(e) => last = format!("{path}: {e}"),
            }
        }
        Err(Error::Fetch(last))
    }

    /// For a known `jwks_uri`.
    pub fn with_jwks_uri(issuer: &str, audience: &str, jwks_uri: &str, http: reqwest::Client) -> Self {
        Self {
            issuer: issuer.to_owned(),
            audience: audience.to_owned(),
            jwks_uri: jwks_uri.to_owned(),
            http,
            cache: RwLock::new(Cache { keys: HashMap::new(), fetched_at: None, max_age: Duration::from_secs(300) }),
            fetch: tokio::sync::Mutex::new(()),
            leeway: 5,
            min_refetch: Duration::from_secs(5),
        }
    }

    /// A verifier with a fixed key set and no fetching: for air-gapped deployments that pin
    /// keys in configuration, and for tests and benchmarks. An unknown `kid` is refused.
    pub fn from_jwks(issuer: &str, audience: &str, jwks_json: &str) -> Result<Self, Error> {
        let body: serde_json::Value =
            serde_json::from_str(jwks_json).map_err(|e| Error::Fetch(format!("JWKS: {e}")))?;
        let v = Self::with_jwks_uri(issuer, audience, "", reqwest::Client::new())
            .min_refetch(Duration::from_secs(u64::MAX / 4));
        let keys = parse_jwks(&body);
        *v.cache.write().unwrap_or_else(|p| p.into_inner()) =
            Cache { keys, fetched_at: Some(Instant::now()), max_age: Duration::from_secs(u64::MAX / 4) };
        Ok(v)
    }

    /// Clock-skew allowance for `exp`/`nbf`, in seconds (default 5).
    pub fn leeway(mut self, secs: u64) -> Self {
        self.leeway = secs;
        self
    }

    /// Minimum time between JWKS fetches triggered by unknown key ids (default 5 s).
    pub fn min_refetch(mut self, d: Duration) -> Self {
        self.min_refetch = d;
        self
    }

    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    fn cached(&self, kid: &str) -> (Option<Arc<Key>>, bool, Option<Instant>) {
        let c = self.cache.read().unwrap_or_else(|p| p.into_inner());
        let fresh = c.fetched_at.is_some_and(|t| t.elapsed() < c.max_age);
        (c.keys.get(kid).cloned(), fresh, c.fetched_at)
    }

    async fn refresh(&self, seen: Option<Instant>) -> Result<(), Error> {
        let _one_at_a_time = self.fetch.lock().await;
        // Someone else fetched while we waited, or we fetched too recently: use what we have.
        let last = self.cache.read().unwrap_or_else(|p| p.into_inner()).fetched_at;
        if last != seen || last.is_some_and(|t| t.elapsed() < self.min_refetch) {
            return Ok(());
        }
        let r = self.http.get(&self.jwks_uri).send().await.map_err(|e| Error::Fetch(e.to_string()))?;
        if !r.status().is_success() {
            return Err(Error::Fetch(format!("JWKS: HTTP {}", r.status())));
        }
        let age = max_age(r.headers());
        let body: serde_json::Value = r.json().await.map_err(|e| Error::Fetch(format!("JWKS: {e}")))?;
        let keys = parse_jwks(&body);
        let mut c = self.cache.write().unwrap_or_else(|p| p.into_inner());
        *c = Cache { keys, fetched_at: Some(Instant::now()), max_age: age };
        Ok(())
    }

    async fn key(&self, kid: &str) -> Result<Arc<Key>, Error> {
        let (key, fresh, seen) = self.cached(kid);
        match key {
            Some(k) if fresh => return Ok(k),
            Some(k) => {
                // Stale but known: refresh, and keep using the key if the fetch fails.
                if self.refresh(seen).await.is_err() {
                    return Ok(k);
                }
            }
            None => self.refresh(seen).await?,
        }
        self.cached(kid).0.ok_or(Error::UnknownKey)
    }

    /// Verifies `token` and returns its claims.
    pub async fn verify(&self, token: &str) -> Result<Claims, Error> {
        let header = jsonwebtoken::decode_header(token).map_err(|_| Error::Malformed)?;
        if header.jku.is_some()
            || header.x5u.is_some()
            || header.jwk.is_some()
            || header.x5c.is_some()
            || header.crit.is_some()
        {
            return Err(Error::ForbiddenHeader);
        }
        let typ_ok = header
            .typ
            .as_deref()
            .is_some_and(|t| t.eq_ignore_ascii_case("at+jwt") || t.eq_ignore_ascii_case("application/at+jwt"));
        if !typ_ok {
            return Err(Error::WrongType);
        }
        let kid = header.kid.ok_or(Error::UnknownKey)?;
        let key = self.key(&kid).await?;
        // The key decides the algorithm; a header asking for another one is an attack.
        if header.alg != key.alg {
            return Err(Error::WrongAlgorithm);
        }
        let mut v = Validation::new(key.alg);
        v.leeway = self.leeway;
        v.set_issuer(&[&self.issuer]);
        v.set_audience(&[&self.audience]);
        v.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        v.validate_nbf = true;
        jsonwebtoken::decode::<Claims>(token, &key.key, &v).map(|d| d.claims).map_err(|e| {
            use jsonwebtoken::errors::ErrorKind as K;
            match e.kind() {
                K::InvalidSignature => Error::BadSignature,
                K::InvalidAlgorithm => Error::WrongAlgorithm,
                K::ExpiredSignature => Error::Expired,
                K::ImmatureSignature => Error::NotYetValid,
                K::InvalidIssuer => Error::WrongIssuer,
                K::InvalidAudience => Error::WrongAudience,
                K::MissingRequiredClaim(_) => Error::MissingClaim,
                _ => Error::Malformed,
            }
        })
    }
}
