//! JWT access tokens per RFC 9068.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::{Header, Validation};
use serde::{Deserialize, Serialize};
use signet_core::secret::random_bytes;
use signet_core::OffsetDateTime;

use super::keys::KeySet;

/// RFC 9068 §2.2 claims. No secrets and no personal data beyond the subject id.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct AccessClaims {
    pub iss: String,
    pub sub: String,
    pub aud: String,
    pub exp: i64,
    pub iat: i64,
    pub nbf: i64,
    pub jti: String,
    pub client_id: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub scope: String,
    /// RFC 9068 §2.2.1: the authentication information of the user behind the grant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_time: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acr: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amr: Option<Vec<String>>,
    /// `org_id`, `org_slug`, `roles` (issue 19; `tokens::tenant`).
    #[serde(flatten)]
    pub tenant: Tenant,
}

/// The claims an access token carries about the user's organization and roles.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tenant {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org_slug: Option<String>,
    /// The user's role names (global and in the organization), at most `tenant::MAX_ROLES`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<String>,
}

impl AccessClaims {
    pub fn new_jti() -> String {
        URL_SAFE_NO_PAD.encode(random_bytes::<16>())
    }
}

/// RFC 9068 §2.1: access tokens carry `typ: at+jwt`, so an ID token (or any other JWT signed
/// by the same key) can never be mistaken for one.
pub const ACCESS_TOKEN_TYP: &str = "at+jwt";

/// Signs `claims` with the current key of `alg`.
pub fn sign(keys: &KeySet, alg: &str, claims: &AccessClaims) -> anyhow::Result<String> {
    let key = keys.signing(alg).ok_or_else(|| anyhow::anyhow!("no current signing key for {alg}"))?;
    let mut header = Header::new(key.alg);
    header.typ = Some(ACCESS_TOKEN_TYP.into());
    header.kid = Some(key.kid.clone());
    Ok(jsonwebtoken::encode(&header, claims, &key.key)?)
}

/// Why a token is not an active access token of ours. Introspection turns all of these into
/// `active: false`; the variants exist for logs and tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Invalid {
    #[error("malformed")]
    Malformed,
    #[error("unknown key")]
    UnknownKey,
    #[error("revoked key")]
    RevokedKey,
    #[error("forbidden header")]
    ForbiddenHeader,
    #[error("not an access token")]
    WrongType,
    #[error("bad signature or algorithm")]
    BadSignature,
    #[error("wrong issuer")]
    WrongIssuer,
    #[error("expired")]
    Expired,
    #[error("not yet valid")]
    NotYetValid,
}

/// Verifies one of our own access tokens. The algorithm comes from our key (by `kid`), never
/// from the token's header; `none` and HS* cannot parse against an asymmetric key.
pub fn verify(keys: &KeySet, token: &str, issuer: &str, now: OffsetDateTime) -> Result<AccessClaims, Invalid> {
    let header = jsonwebtoken::decode_header(token).map_err(|_| Invalid::Malformed)?;
    // RFC 8725 §3.10: never fetch or trust keys named by the token itself.
    if header.jku.is_some()
        || header.x5u.is_some()
        || header.jwk.is_some()
        || header.x5c.is_some()
        || header.crit.is_some()
    {
        return Err(Invalid::ForbiddenHeader);
    }
    let typ_ok = header
        .typ
        .as_deref()
        .is_some_and(|t| t.eq_ignore_ascii_case(ACCESS_TOKEN_TYP) || t.eq_ignore_ascii_case("application/at+jwt"));
    if !typ_ok {
        return Err(Invalid::WrongType);
    }
    let kid = header.kid.ok_or(Invalid::UnknownKey)?;
    if keys.is_revoked(&kid) {
        return Err(Invalid::RevokedKey);
    }
    let key = keys.verify_key(&kid).ok_or(Invalid::UnknownKey)?;
    let mut v = Validation::new(key.alg);
    // Time is checked below against the injected clock, not the system clock.
    v.validate_exp = false;
    v.validate_nbf = false;
    v.validate_aud = false;
    v.required_spec_claims.clear();
    let data = jsonwebtoken::decode::<AccessClaims>(token, &key.key, &v).map_err(|e| match e.kind() {
        jsonwebtoken::errors::ErrorKind::InvalidSignature | jsonwebtoken::errors::ErrorKind::InvalidAlgorithm => {
            Invalid::BadSignature
        }
        _ => Invalid::Malformed,
    })?;
    let c = data.claims;
    if c.iss != issuer {
        return Err(Invalid::WrongIssuer);
    }
    check_time(c, now)
}

/// Tokens whose signature has already been checked. Resource servers introspect the same token
/// on every request they serve, and the ES256 check dominated introspection in profiles; a hit
/// skips only the signature. Everything that can change is still checked every time: the key
/// must still be published and not revoked (so `keys revoke` still takes effect at the next
/// key reload), expiry and not-before against the injected clock, and — in the caller — the
/// denylist and the user's revocations. Keyed by the SHA-256 of the whole token, so only the
/// exact same bytes hit. Bounded: starts over beyond `MAX` entries.
#[derive(Default)]
pub struct VerifiedCache {
    map: std::sync::RwLock<std::collections::HashMap<signet_core::TokenHash, (String, AccessClaims)>>,
}

impl std::fmt::Debug for VerifiedCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("VerifiedCache")
    }
}

impl VerifiedCache {
    const MAX: usize = 50_000;

    /// [`verify`], with the signature check remembered per token.
    pub fn verify(
        &self,
        keys: &KeySet,
        token: &str,
        issuer: &str,
        now: OffsetDateTime,
    ) -> Result<AccessClaims, Invalid> {
        let hash = signet_core::TokenHash::of(token.as_bytes());
        let hit = self.map.read().ok().and_then(|m| m.get(&hash).cloned());
        if let Some((kid, c)) = hit {
            if keys.is_revoked(&kid) {
                return Err(Invalid::RevokedKey);
            }
            if keys.verify_key(&kid).is_none() {
                return Err(Invalid::UnknownKey);
            }
            return check_time(c, now);
        }
        let c = verify(keys, token, issuer, now)?;
        let kid = jsonwebtoken::decode_header(token).ok().and_then(|h| h.kid);
        if let (Some(kid), Ok(mut m)) = (kid, self.map.write()) {
            if m.len() >= Self::MAX {
                // Expired entries are useless; if that frees nothing, start over.
                let t = now.unix_timestamp();
                m.retain(|_, (_, c)| t < c.exp);
                if m.len() >= Self::MAX {
                    m.clear();
                }
            }
            m.insert(hash, (kid, c.clone()));
        }
        Ok(c)
    }
}

fn check_time(c: AccessClaims, now: OffsetDateTime) -> Result<AccessClaims, Invalid> {
    let t = now.unix_timestamp();
    if t >= c.exp {
        return Err(Invalid::Expired);
    }
    if t < c.nbf {
        return Err(Invalid::NotYetValid);
    }
    Ok(c)
}

/// The ephemeral-store flag that marks a revoked access token (by `jti`) until it expires.
pub fn denylist_key(jti: &str) -> String {
    format!("revoked-jti:{jti}")
}
