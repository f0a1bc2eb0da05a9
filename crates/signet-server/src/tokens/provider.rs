//! jsonwebtoken's crypto provider, with ES256 signing keys parsed once and reused.
//!
//! jsonwebtoken builds a signer from the key bytes on every `encode`. The RustCrypto ES256
//! signer parses the PKCS#8 document and derives the public key each time — a full scalar
//! multiplication, as expensive as the signature itself — so half of a token request's CPU went
//! to recomputing a key we already had (measured with perf: ~70% of CPU in P-256 arithmetic).
//! This provider keeps parsed keys (zeroized on drop) and delegates everything else, including
//! all verification, to the stock RustCrypto provider. The JWS encoding stays jsonwebtoken's.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock, RwLock};

use jsonwebtoken::crypto::{rust_crypto, CryptoProvider, JwtSigner};
use jsonwebtoken::signature::{self, Signer};
use jsonwebtoken::{Algorithm, EncodingKey};
use p256::pkcs8::DecodePrivateKey;
use sha2::{Digest, Sha256};

/// Parsed ES256 keys by SHA-256 of their PKCS#8 bytes. Only current keys sign, so this stays
/// small; it is cleared if it ever grows past a few entries.
fn cache() -> &'static RwLock<HashMap<[u8; 32], Arc<p256::ecdsa::SigningKey>>> {
    static CACHE: OnceLock<RwLock<HashMap<[u8; 32], Arc<p256::ecdsa::SigningKey>>>> = OnceLock::new();
    CACHE.get_or_init(|| RwLock::new(HashMap::new()))
}

struct CachedEs256(Arc<p256::ecdsa::SigningKey>);

impl Signer<Vec<u8>> for CachedEs256 {
    fn try_sign(&self, msg: &[u8]) -> Result<Vec<u8>, signature::Error> {
        // JWS ES256 (RFC 7518 §3.4): SHA-256, signature as the 64-byte R ‖ S.
        let sig: p256::ecdsa::Signature = self.0.try_sign(msg)?;
        Ok(sig.to_vec())
    }
}

impl JwtSigner for CachedEs256 {
    fn algorithm(&self) -> Algorithm {
        Algorithm::ES256
    }
}

fn signer_factory(alg: &Algorithm, key: &EncodingKey) -> jsonwebtoken::errors::Result<Box<dyn JwtSigner>> {
    if *alg != Algorithm::ES256 {
        return (rust_crypto::DEFAULT_PROVIDER.signer_factory)(alg, key);
    }
    let id: [u8; 32] = Sha256::digest(key.as_bytes()).into();
    if let Some(k) = cache().read().unwrap_or_else(|p| p.into_inner()).get(&id) {
        return Ok(Box::new(CachedEs256(k.clone())));
    }
    let parsed = p256::ecdsa::SigningKey::from_pkcs8_der(key.as_bytes())
        .map_err(|_| jsonwebtoken::errors::Error::from(jsonwebtoken::errors::ErrorKind::InvalidEcdsaKey))?;
    let parsed = Arc::new(parsed);
    let mut w = cache().write().unwrap_or_else(|p| p.into_inner());
    if w.len() >= 16 {
        w.clear();
    }
    w.insert(id, parsed.clone());
    Ok(Box::new(CachedEs256(parsed)))
}

/// Installs the provider for this process (idempotent). Must run before the first JWT is
/// signed or verified; `build_state` calls it.
pub fn install() {
    static PROVIDER: OnceLock<CryptoProvider> = OnceLock::new();
    let p = PROVIDER.get_or_init(|| CryptoProvider { signer_factory, ..rust_crypto::DEFAULT_PROVIDER.clone() });
    // Err means a provider is already installed: ours, from an earlier call.
    let _ = p.install_default();
}
