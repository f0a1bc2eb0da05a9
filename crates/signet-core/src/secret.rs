//! Secret newtypes: redacted `Debug`, no `Display`, zeroized on drop, constant-time equality.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand_core::{OsRng, RngCore};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use zeroize::{Zeroize, ZeroizeOnDrop};

/// A password as typed by a user. Never logged, never displayed.
#[derive(Clone, Default, Zeroize, ZeroizeOnDrop)]
pub struct Password(String);

impl Password {
    pub fn new(s: impl Into<String>) -> Self {
        Self(s.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

impl<'de> serde::Deserialize<'de> for Password {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(Password)
    }
}

/// A high-entropy random token (session id, CSRF seed, later refresh tokens): 256 bits from the
/// OS CSPRNG, base64url encoded. Only its [`TokenHash`] is ever stored.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct PlainToken(String);

impl PlainToken {
    /// A fresh token with `prefix` (e.g. `sgn_rt_`) so secret scanners can recognise it.
    pub fn generate(prefix: &str) -> Self {
        let mut bytes = [0u8; 32];
        OsRng.fill_bytes(&mut bytes);
        let t = format!("{prefix}{}", URL_SAFE_NO_PAD.encode(bytes));
        bytes.zeroize();
        Self(t)
    }
    /// Wraps a token received from a client (cookie, form). Not validated: lookups go by hash.
    pub fn from_client(s: impl Into<String>) -> Self {
        Self(s.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
    pub fn hash(&self) -> TokenHash {
        TokenHash::of(self.0.as_bytes())
    }
}

impl std::fmt::Debug for PlainToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PlainToken(<redacted>)")
    }
}

impl PartialEq for PlainToken {
    fn eq(&self, other: &Self) -> bool {
        self.0.as_bytes().ct_eq(other.0.as_bytes()).into()
    }
}

/// SHA-256 of a high-entropy token. A fast hash is right here: a 256-bit random value cannot be
/// brute-forced, so a slow KDF would only cost CPU (unlike passwords).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct TokenHash(String);

impl TokenHash {
    pub fn of(bytes: &[u8]) -> Self {
        Self(hex::encode(Sha256::digest(bytes)))
    }
    /// From the hex string kept in the database.
    pub fn from_stored(hex: String) -> Self {
        Self(hex)
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for TokenHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // A hash is not the secret, but there is no reason to spread it through logs either.
        write!(f, "TokenHash({}…)", &self.0.get(..8).unwrap_or(""))
    }
}

/// Constant-time equality for secrets given as bytes.
pub fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    a.ct_eq(b).into()
}

/// `n` random bytes from the OS CSPRNG.
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut b = [0u8; N];
    OsRng.fill_bytes(&mut b);
    b
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_debug_redacted_and_password_deserializes() {
        assert_eq!(format!("{:?}", Password::new("hunter2")), "Password(<redacted>)");
        let t = PlainToken::generate("sgn_");
        assert_eq!(format!("{t:?}"), "PlainToken(<redacted>)");
        use serde::de::IntoDeserializer;
        let d: serde::de::value::StrDeserializer<'_, serde::de::value::Error> = "from a form".into_deserializer();
        let p = <Password as serde::Deserialize>::deserialize(d).expect("deserialize");
        assert_eq!(p.expose(), "from a form");
    }

    #[test]
    fn debug_is_redacted() {
        let p = Password::new("hunter2hunter2");
        assert!(!format!("{p:?}").contains("hunter2"));
        let t = PlainToken::generate("sgn_");
        assert!(!format!("{t:?}").contains(&t.expose()[4..]));
    }

    #[test]
    fn tokens_are_256_bit_and_distinct() {
        let a = PlainToken::generate("");
        let b = PlainToken::generate("");
        assert_eq!(a.expose().len(), 43);
        assert_ne!(a, b);
        assert_eq!(a.hash().as_str().len(), 64);
    }
}
