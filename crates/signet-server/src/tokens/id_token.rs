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
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email_verified: Option<bool>,
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
