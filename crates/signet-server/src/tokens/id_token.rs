//! OpenID Connect ID tokens (OIDC Core §2). Signed with the client's algorithm, `typ: JWT`, so
//! they can never pass as access tokens (`at+jwt`) anywhere.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::{Algorithm, Header};
use serde::Serialize;
use sha2::{Digest, Sha256, Sha512};

use super::keys::KeySet;

#[derive(Debug, Serialize)]
pub struct IdClaims {
    pub iss: String,
    pub sub: String,
    pub aud: String,
    pub exp: i64,
    pub iat: i64,
    pub auth_time: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nonce: Option<String>,
    pub azp: String,
    pub amr: Vec<String>,
    pub acr: String,
    pub at_hash: String,
    /// The claims the granted scopes release ([`scope_claims`]).
    #[serde(flatten)]
    pub user: serde_json::Map<String, serde_json::Value>,
}

/// The claims about the user that the granted scopes release (OIDC Core §5.4): `email` gives
/// `email` and `email_verified` (true only once the address was proven); `profile` gives the
/// profile claims that are set and `updated_at` (seconds, OIDC Core §5.1). The same for the ID
/// token and userinfo.
pub fn scope_claims(
    user: &signet_store::User,
    scope: &signet_core::Scope,
) -> serde_json::Map<String, serde_json::Value> {
    use serde_json::json;
    let mut m = serde_json::Map::new();
    if scope.contains("profile") {
        for (name, value) in user.profile.claims() {
            m.insert(name.to_owned(), json!(value));
        }
        m.insert("updated_at".into(), json!(user.updated_at.unix_timestamp()));
    }
    if scope.contains("email") {
        m.insert("email".into(), json!(user.email));
        m.insert("email_verified".into(), json!(user.email_verified()));
    }
    m
}

/// Every claim Signet can release, for discovery's `claims_supported`.
pub fn claims_supported() -> Vec<&'static str> {
    let protocol = ["sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "azp", "amr", "acr", "at_hash"];
    protocol.into_iter().chain(signet_core::profile::FIELDS).chain(["updated_at", "email", "email_verified"]).collect()
}

/// OIDC Core §3.1.3.6: the left half of the hash of the access token, with the hash that
/// matches the signing algorithm (SHA-512 for Ed25519, as OpenID implementations use).
pub fn at_hash(alg: Algorithm, access_token: &str) -> String {
    let digest: Vec<u8> = match alg {
        Algorithm::EdDSA => Sha512::digest(access_token.as_bytes()).to_vec(),
        _ => Sha256::digest(access_token.as_bytes()).to_vec(),
    };
    URL_SAFE_NO_PAD.encode(&digest[..digest.len() / 2])
}

pub fn sign(keys: &KeySet, alg: &str, claims: &IdClaims) -> anyhow::Result<String> {
    let key = keys.signing(alg).ok_or_else(|| anyhow::anyhow!("no current signing key for {alg}"))?;
    let mut header = Header::new(key.alg);
    header.typ = Some("JWT".into());
    header.kid = Some(key.kid.clone());
    Ok(jsonwebtoken::encode(&header, claims, &key.key)?)
}
