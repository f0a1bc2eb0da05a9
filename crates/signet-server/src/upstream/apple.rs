//! Sign in with Apple's client secret: not a fixed string but an ES256 JWT signed with the
//! developer's private key (Apple: "Creating a client secret"): `iss` the team id, `sub` the
//! client (Services) id, `aud` `https://appleid.apple.com`, `kid` the key id, valid at most six
//! months. Signet signs a short-lived one for each request.

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::json;
use signet_core::OffsetDateTime;
use zeroize::Zeroizing;

use super::{Provider, UpstreamError};

/// Five minutes: enough for one request; Apple's limit is six months.
const LIFETIME: i64 = 300;

pub fn client_secret(p: &Provider, now: OffsetDateTime) -> Result<Zeroizing<String>, UpstreamError> {
    let bad = |m: &str| UpstreamError::Protocol(p.display_name(), m.to_owned());
    use p256::pkcs8::{DecodePrivateKey, EncodePrivateKey};
    let der = p256::SecretKey::from_pkcs8_pem(&p.secret.0)
        .and_then(|k| k.to_pkcs8_der())
        .map_err(|_| bad("the Apple private key is not a PKCS#8 PEM P-256 key"))?;
    let key = EncodingKey::from_ec_der(der.as_bytes());
    let mut header = Header::new(Algorithm::ES256);
    header.kid = p.config.apple_key_id.clone();
    let iat = now.unix_timestamp();
    let claims = json!({
        "iss": p.config.apple_team_id,
        "iat": iat,
        "exp": iat + LIFETIME,
        "aud": "https://appleid.apple.com",
        "sub": p.config.client_id,
    });
    jsonwebtoken::encode(&header, &claims, &key).map(Zeroizing::new).map_err(|_| bad("cannot sign the client secret"))
}
