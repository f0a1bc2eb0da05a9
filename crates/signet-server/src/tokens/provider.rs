//! jsonwebtoken's crypto provider: the aws-lc backend, with ES256 signing keys parsed once and
//! reused.
//!
//! Why aws-lc rather than the pure-Rust P-256 crate: measured with perf and criterion on this
//! machine kind, P-256 arithmetic was ~70% of a token request's CPU and ES256 verification
//! took 320 µs; aws-lc verifies in ~65 µs (bench/README.md). It builds from source with `cc`
//! (no cmake, no system library).
//!
//! Why a custom signer: jsonwebtoken builds a signer from the key bytes on every `encode`,
//! which for ECDSA means parsing PKCS#8 and validating the key each time. Keeping the parsed key
//! pair removes that from the hot path. aws-lc cleanses key memory when the key pair is freed.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock, RwLock};

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{EcdsaKeyPair, ECDSA_P256_SHA256_FIXED_SIGNING};
use jsonwebtoken::crypto::{aws_lc, CryptoProvider, JwtSigner};
use jsonwebtoken::signature::{self, Signer};
use jsonwebtoken::{Algorithm, EncodingKey};
use sha2::{Digest, Sha256};

/// Parsed ES256 key pairs by SHA-256 of their PKCS#8 bytes. Only current keys sign, so this
/// stays small; it is cleared if it ever grows past a few entries.
fn cache() -> &'static RwLock<HashMap<[u8; 32], Arc<EcdsaKeyPair>>> {
    static CACHE: OnceLock<RwLock<HashMap<[u8; 32], Arc<EcdsaKeyPair>>>> = OnceLock::new();
    CACHE.get_or_init(|| RwLock::new(HashMap::new()))
}

struct CachedEs256(Arc<EcdsaKeyPair>);

impl Signer<Vec<u8>> for CachedEs256 {
    fn try_sign(&self, msg: &[u8]) -> Result<Vec<u8>, signature::Error> {
        // JWS ES256 (RFC 7518 §3.4): SHA-256, signature as the 64-byte R ‖ S ("fixed" encoding).
        let sig = self.0.sign(&SystemRandom::new(), msg).map_err(|_| signature::Error::new())?;
        Ok(sig.as_ref().to_vec())
    }
}

impl JwtSigner for CachedEs256 {
    fn algorithm(&self) -> Algorithm {
        Algorithm::ES256
    }
}

fn signer_factory(alg: &Algorithm, key: &EncodingKey) -> jsonwebtoken::errors::Result<Box<dyn JwtSigner>> {
    if *alg != Algorithm::ES256 {
        return (aws_lc::DEFAULT_PROVIDER.signer_factory)(alg, key);
    }
    let id: [u8; 32] = Sha256::digest(key.as_bytes()).into();
    if let Some(k) = cache().read().unwrap_or_else(|p| p.into_inner()).get(&id) {
        return Ok(Box::new(CachedEs256(k.clone())));
    }
    let parsed = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, key.as_bytes())
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
    let p = PROVIDER.get_or_init(|| CryptoProvider { signer_factory, ..aws_lc::DEFAULT_PROVIDER.clone() });
    // Err means a provider is already installed: ours, from an earlier call.
    let _ = p.install_default();
}
