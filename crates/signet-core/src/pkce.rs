//! PKCE (RFC 7636), S256 only: OAuth 2.1 §4.1.1 requires PKCE for every client, and `plain`
//! offers no protection when the authorization request itself leaks.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use sha2::{Digest, Sha256};

use crate::secret::ct_eq;

/// A `code_challenge` for method S256: 43 base64url characters (a SHA-256 digest).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PkceChallenge(String);

impl PkceChallenge {
    /// Parses a challenge and its method. Only `S256` is accepted; a missing method means
    /// `plain` (RFC 7636 §4.3), which is refused too.
    pub fn parse(challenge: &str, method: Option<&str>) -> Result<Self, &'static str> {
        match method {
            Some("S256") => {}
            Some("plain") | None => return Err("code_challenge_method must be S256"),
            Some(_) => return Err("unsupported code_challenge_method; use S256"),
        }
        let ok =
            challenge.len() == 43 && challenge.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !ok {
            return Err("code_challenge must be the 43-character base64url SHA-256 of the verifier");
        }
        Ok(Self(challenge.to_owned()))
    }

    pub fn from_stored(s: String) -> Self {
        Self(s)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// RFC 7636 §4.6: BASE64URL(SHA256(code_verifier)) == code_challenge, in constant time.
    /// The verifier must be 43–128 unreserved characters (§4.1).
    pub fn verify(&self, verifier: &str) -> bool {
        let well_formed = (43..=128).contains(&verifier.len())
            && verifier.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'));
        if !well_formed {
            return false;
        }
        let digest = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
        ct_eq(digest.as_bytes(), self.0.as_bytes())
    }
}

/// The S256 challenge of a verifier (RFC 7636 §4.2), for Signet's own requests to upstreams.
pub fn s256(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn challenge_of(verifier: &str) -> PkceChallenge {
        PkceChallenge::from_stored(URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes())))
    }

    /// RFC 7636 §4.1: a verifier is 43–128 unreserved characters; one outside that is refused
    /// even when the challenge is its hash.
    #[test]
    fn verifier_shape_enforced_even_when_hash_matches() {
        let ok = "a".repeat(43);
        assert!(challenge_of(&ok).verify(&ok));
        assert!(challenge_of(&"b".repeat(128)).verify(&"b".repeat(128)));
        for bad in ["a".repeat(42), "a".repeat(129), format!("{}+", "a".repeat(42)), format!("{} ", "a".repeat(42))] {
            assert!(!challenge_of(&bad).verify(&bad), "{bad:?}");
        }
        let c = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
        assert_eq!(PkceChallenge::parse(c, Some("S256")).expect("parse").as_str(), c);
    }

    #[test]
    fn rfc7636_appendix_b() {
        let c = PkceChallenge::parse("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", Some("S256")).expect("valid");
        assert!(c.verify("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"));
        assert!(!c.verify("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXx"));
        assert!(!c.verify("short"));
        assert!(PkceChallenge::parse("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", Some("plain")).is_err());
        assert!(PkceChallenge::parse("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", None).is_err());
        assert!(PkceChallenge::parse("too-short", Some("S256")).is_err());
    }
}
