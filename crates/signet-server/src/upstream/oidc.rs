//! OpenID Connect upstreams: discovery, keys, redeeming the code, and the ID token's validation
//! (OIDC Core §3.1.3.7): signature by a key of the issuer's JWKS with its pinned algorithm,
//! `iss`, `aud` (and `azp`), `exp`, `iat`, and the `nonce` this sign-in sent.

use std::collections::HashMap;
use std::sync::Arc;

use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;
use serde_json::Value;
use signet_core::federation::Preset;
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use super::{json, Provider, UpstreamError, Upstreams, DOC_TTL, KEYS_MIN_REFRESH, KEYS_TTL};
use crate::config::federation::check_url;

/// The parts of an OpenID Provider's metadata (OIDC Discovery §3) a relying party uses.
#[derive(Debug, Deserialize)]
pub struct Discovery {
    pub issuer: String,
    pub authorization_endpoint: String,
    pub token_endpoint: String,
    pub jwks_uri: String,
    #[serde(default)]
    pub userinfo_endpoint: Option<String>,
    #[serde(default)]
    pub token_endpoint_auth_methods_supported: Vec<String>,
    /// RFC 7009 (as RFC 8414 §2 names it).
    #[serde(default)]
    pub revocation_endpoint: Option<String>,
}

/// An issuer's signing keys by `kid`, each with the one algorithm it may be used with.
#[derive(Default)]
pub struct KeySet {
    keys: HashMap<String, (Algorithm, DecodingKey)>,
}

/// Microsoft's multi-tenant endpoints (`common`, `organizations`, `consumers`) publish the
/// issuer as a template: `https://login.microsoftonline.com/{tenantid}/v2.0`.
const TENANT: &str = "{tenantid}";

/// Algorithms an ID token may be signed with: asymmetric only. `none` and HS* are never
/// accepted (an HS256 token "signed" with the public key is the classic confusion attack).
fn jwk_alg(jwk: &Value) -> Option<Algorithm> {
    let s = |k: &str| jwk.get(k).and_then(Value::as_str);
    let alg = match (s("kty"), s("crv"), s("alg")) {
        (Some("RSA"), _, None | Some("RS256")) => Algorithm::RS256,
        (Some("RSA"), _, Some("RS384")) => Algorithm::RS384,
        (Some("RSA"), _, Some("RS512")) => Algorithm::RS512,
        (Some("RSA"), _, Some("PS256")) => Algorithm::PS256,
        (Some("EC"), Some("P-256"), None | Some("ES256")) => Algorithm::ES256,
        (Some("EC"), Some("P-384"), None | Some("ES384")) => Algorithm::ES384,
        (Some("OKP"), Some("Ed25519"), None | Some("EdDSA" | "Ed25519")) => Algorithm::EdDSA,
        _ => return None,
    };
    Some(alg)
}

fn parse_keys(body: &Value) -> KeySet {
    let mut keys = HashMap::new();
    for jwk in body.get("keys").and_then(Value::as_array).into_iter().flatten() {
        if jwk.get("use").and_then(Value::as_str).is_some_and(|u| u != "sig") {
            continue;
        }
        let Some(alg) = jwk_alg(jwk) else { continue };
        let Ok(parsed) = serde_json::from_value::<jsonwebtoken::jwk::Jwk>(jwk.clone()) else { continue };
        let Ok(key) = DecodingKey::from_jwk(&parsed) else { continue };
        let kid = jwk.get("kid").and_then(Value::as_str).unwrap_or_default().to_owned();
        keys.insert(kid, (alg, key));
    }
    KeySet { keys }
}

/// The provider's discovery document, cached. Its `issuer` must be the configured one exactly
/// (OIDC Discovery §4.3), so a document served elsewhere cannot redirect the keys.
pub async fn discovery(up: &Upstreams, p: &Provider) -> Result<Arc<Discovery>, UpstreamError> {
    let issuer = p.issuer();
    if let Some(d) = Upstreams::cached(&up.docs, issuer, DOC_TTL) {
        return Ok(d);
    }
    let who = p.display_name();
    let url = format!("{}/.well-known/openid-configuration", issuer.trim_end_matches('/'));
    let (status, body) = json(&who, up.http.get(url)).await?;
    if !status.is_success() {
        return Err(UpstreamError::Protocol(who, format!("discovery: HTTP {status}")));
    }
    let d: Discovery =
        serde_json::from_value(body).map_err(|e| UpstreamError::Protocol(who.clone(), format!("discovery: {e}")))?;
    let same = d.issuer == issuer || (p.preset() == Preset::Microsoft && multi_tenant(issuer, &d.issuer));
    if !same {
        return Err(UpstreamError::Protocol(who, format!("discovery names the issuer {:?}", d.issuer)));
    }
    for url in [&d.authorization_endpoint, &d.token_endpoint, &d.jwks_uri] {
        check_url(url).map_err(|m| UpstreamError::Protocol(who.clone(), m))?;
    }
    let d = Arc::new(d);
    Upstreams::keep(&up.docs, issuer, d.clone());
    Ok(d)
}

/// `https://login.microsoftonline.com/common/v2.0` publishes the template issuer.
fn multi_tenant(configured: &str, published: &str) -> bool {
    published.contains(TENANT)
        && ["common", "organizations", "consumers"]
            .iter()
            .any(|t| configured.trim_end_matches('/') == published.replace(TENANT, t).trim_end_matches('/'))
}

async fn keys(up: &Upstreams, who: &str, jwks_uri: &str, refresh: bool) -> Result<Arc<KeySet>, UpstreamError> {
    let ttl = if refresh { KEYS_MIN_REFRESH } else { KEYS_TTL };
    if let Some(k) = Upstreams::cached(&up.keys, jwks_uri, ttl) {
        return Ok(k);
    }
    let (status, body) = json(who, up.http.get(jwks_uri)).await?;
    if !status.is_success() {
        return Err(UpstreamError::Protocol(who.to_owned(), format!("keys: HTTP {status}")));
    }
    let k = Arc::new(parse_keys(&body));
    Upstreams::keep(&up.keys, jwks_uri, k.clone());
    Ok(k)
}

/// A token endpoint's answer (RFC 6749 §5.1).
pub struct Tokens {
    pub access_token: Zeroizing<String>,
    pub refresh_token: Option<Zeroizing<String>>,
    pub expires_in: Option<i64>,
    pub id_token: Option<String>,
    pub scope: Option<String>,
}

impl std::fmt::Debug for Tokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tokens").field("expires_in", &self.expires_in).finish_non_exhaustive()
    }
}

/// How this client authenticates at the token endpoint (RFC 6749 §2.3.1): HTTP Basic where
/// the provider takes it (the default when it does not say), else the secret in the body; or a
/// signed assertion (RFC 7523 §2.2, OIDC Core §9 `private_key_jwt`).
pub enum ClientAuth {
    Basic,
    Post,
    PrivateKeyJwt(String),
}

/// RFC 7523 §3 client assertion, signed with Signet's current key of `alg` (published in its
/// JWKS): `iss` = `sub` = the client id, `aud` the provider's issuer identifier alone (not an
/// endpoint a mix-up could substitute), a unique `jti`, one minute of life.
pub fn client_assertion(
    keys: &crate::tokens::keys::KeySet,
    alg: &str,
    client_id: &str,
    issuer: &str,
    now: signet_core::OffsetDateTime,
) -> anyhow::Result<String> {
    let key = keys.signing(alg).ok_or_else(|| anyhow::anyhow!("no current signing key for {alg}"))?;
    let mut header = jsonwebtoken::Header::new(key.alg);
    header.kid = Some(key.kid.clone());
    let iat = now.unix_timestamp();
    let claims = serde_json::json!({
        "iss": client_id, "sub": client_id, "aud": issuer,
        "jti": crate::tokens::access::AccessClaims::new_jti(), "iat": iat, "exp": iat + 60,
    });
    Ok(jsonwebtoken::encode(&header, &claims, &key.key)?)
}

/// Redeems a code (RFC 6749 §4.1.3, with the PKCE verifier, RFC 7636 §4.5), or a refresh
/// token (§6) when `grant` says so.
pub async fn token_request(
    up: &Upstreams,
    p: &Provider,
    endpoint: &str,
    auth: ClientAuth,
    secret: &str,
    grant: &[(&str, &str)],
) -> Result<Tokens, UpstreamError> {
    let who = p.display_name();
    let mut req = up.http.post(endpoint);
    let mut form: Vec<(&str, &str)> = grant.to_vec();
    match auth {
        ClientAuth::Basic => {
            // RFC 6749 §2.3.1: both form-urlencoded before Basic encoding.
            let enc = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
            req = req.basic_auth(enc(&p.config.client_id), Some(enc(secret)));
        }
        ClientAuth::Post => {
            form.push(("client_id", &p.config.client_id));
            form.push(("client_secret", secret));
        }
        ClientAuth::PrivateKeyJwt(ref assertion) => {
            form.push(("client_id", &p.config.client_id));
            form.push(("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"));
            form.push(("client_assertion", assertion));
        }
    }
    let (status, body) = json(&who, req.form(&form)).await?;
    // GitHub answers errors with 200 and an `error` member; everyone else with 400 (§5.2).
    if let Some(e) = body.get("error").and_then(Value::as_str) {
        return Err(UpstreamError::Protocol(who, format!("token endpoint: {e}")));
    }
    if !status.is_success() {
        return Err(UpstreamError::Protocol(who, format!("token endpoint: HTTP {status}")));
    }
    let text = |k: &str| body.get(k).and_then(Value::as_str).map(str::to_owned);
    let access_token = text("access_token")
        .ok_or_else(|| UpstreamError::Protocol(who.clone(), "token endpoint: no access_token".into()))?;
    Ok(Tokens {
        access_token: Zeroizing::new(access_token),
        refresh_token: text("refresh_token").map(Zeroizing::new),
        expires_in: body.get("expires_in").and_then(Value::as_i64),
        id_token: text("id_token"),
        scope: text("scope"),
    })
}

/// The secret-based client authentication a discovered provider takes (or the one configured).
pub fn client_auth(p: &Provider, d: &Discovery) -> ClientAuth {
    let m = &d.token_endpoint_auth_methods_supported;
    match p.config.client_auth.as_deref() {
        Some("client_secret_basic") => return ClientAuth::Basic,
        Some("client_secret_post") => return ClientAuth::Post,
        _ => {}
    }
    if m.is_empty() || m.iter().any(|m| m == "client_secret_basic") {
        ClientAuth::Basic
    } else {
        ClientAuth::Post
    }
}

/// Validates the ID token (OIDC Core §3.1.3.7) and returns its claims.
pub async fn validate_id_token(
    up: &Upstreams,
    p: &Provider,
    d: &Discovery,
    id_token: &str,
    nonce: &str,
) -> Result<Value, UpstreamError> {
    let who = p.display_name();
    let invalid = |why: &'static str| UpstreamError::Invalid(who.clone(), why);
    let header = jsonwebtoken::decode_header(id_token).map_err(|_| invalid("the ID token is malformed"))?;
    let kid = header.kid.unwrap_or_default();
    let mut set = keys(up, &who, &d.jwks_uri, false).await?;
    if !set.keys.contains_key(&kid) {
        // Keys rotate: an unknown kid re-reads the set (at most every few seconds).
        set = keys(up, &who, &d.jwks_uri, true).await?;
    }
    let (alg, key) = set.keys.get(&kid).ok_or_else(|| invalid("the ID token's key is not the issuer's"))?;
    // §3.1.3.7 step 6-7: the algorithm is the key's, never the token's choice.
    if *alg != header.alg {
        return Err(invalid("the ID token's algorithm is not its key's"));
    }
    let mut v = Validation::new(*alg);
    v.set_audience(&[&p.config.client_id]);
    v.set_required_spec_claims(&["exp", "iat", "iss", "aud", "sub"]);
    v.leeway = 60;
    let claims = jsonwebtoken::decode::<Value>(id_token, key, &v)
        .map_err(|e| {
            use jsonwebtoken::errors::ErrorKind as K;
            invalid(match e.kind() {
                K::InvalidSignature => "the ID token's signature does not verify",
                K::ExpiredSignature => "the ID token has expired",
                K::InvalidAudience => "the ID token is for another client (aud)",
                K::MissingRequiredClaim(_) => "the ID token lacks a required claim",
                _ => "the ID token does not validate",
            })
        })?
        .claims;
    let iss = claims.get("iss").and_then(Value::as_str).unwrap_or_default();
    let expected = match claims.get("tid").and_then(Value::as_str) {
        // Multi-tenant Microsoft: the template filled in with the token's own (signed) tenant.
        Some(tid) if p.preset() == Preset::Microsoft && d.issuer.contains(TENANT) => d.issuer.replace(TENANT, tid),
        _ => d.issuer.clone(),
    };
    if iss != expected {
        return Err(invalid("the ID token's issuer is not the provider's"));
    }
    // §3.1.3.7 step 4-5: with several audiences, `azp` must name us; if present, always.
    let several = claims.get("aud").and_then(Value::as_array).is_some_and(|a| a.len() > 1);
    match claims.get("azp").and_then(Value::as_str) {
        Some(azp) if azp != p.config.client_id => return Err(invalid("the ID token's azp is another client")),
        None if several => return Err(invalid("the ID token has several audiences and no azp")),
        _ => {}
    }
    // §3.1.3.7 step 11: the nonce this sign-in sent, so a token from another sign-in (or one
    // injected with a stolen code) is refused.
    let got = claims.get("nonce").and_then(Value::as_str).unwrap_or_default();
    if !bool::from(got.as_bytes().ct_eq(nonce.as_bytes())) {
        return Err(invalid("the ID token's nonce is not this sign-in's"));
    }
    Ok(claims)
}

/// The userinfo response (OIDC Core §5.3), when the provider has the endpoint and answers JSON.
pub async fn userinfo(up: &Upstreams, p: &Provider, endpoint: &str, access_token: &str) -> Option<Value> {
    check_url(endpoint).ok()?;
    match json(&p.display_name(), up.http.get(endpoint).bearer_auth(access_token)).await {
        Ok((s, v)) if s.is_success() && v.is_object() => Some(v),
        _ => None,
    }
}
