//! jsonwebtoken's crypto provider: the aws-lc backend, with ES256 and RS256 signing keys parsed
//! once and reused.
//!
//! Why aws-lc rather than the pure-Rust P-256 crate: measured with perf and criterion on this
//! machine kind, P-256 arithmetic was ~70% of a token request's CPU and ES256 verification
//! took 320 µs; aws-lc verifies in ~65 µs (bench/README.md). It builds from source with `cc`
//! (no cmake, no system library).
//!
//! Why a custom signer: jsonwebtoken builds a signer from the key bytes on every `encode`,
//! which for ECDSA means parsing PKCS#8 and validating the key each time, and for RSA parsing
//! and checking the whole private key. Keeping the parsed key
//! pair removes that from the hot path. aws-lc cleanses key memory when the key pair is freed.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock, RwLock};

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{EcdsaKeyPair, RsaKeyPair, ECDSA_P256_SHA256_FIXED_SIGNING, RSA_PKCS1_SHA256};
use jsonwebtoken::crypto::{aws_lc, CryptoProvider, JwtSigner};
use jsonwebtoken::signature::{self, Signer};
use jsonwebtoken::{Algorithm, EncodingKey};
use sha2::{Digest, Sha256};

/// A parsed signing key pair.
enum Parsed {
    Es256(EcdsaKeyPair),
    Rs256(RsaKeyPair),
}

/// Parsed key pairs by (algorithm, SHA-256 of their DER bytes). Only current keys sign, so this
/// stays small; it is cleared if it ever grows past a few entries.
type Cache = RwLock<HashMap<(Algorithm, [u8; 32]), Arc<Parsed>>>;

fn cache() -> &'static Cache {
    static CACHE: OnceLock<Cache> = OnceLock::new();
    CACHE.get_or_init(|| RwLock::new(HashMap::new()))
}

struct Cached(Arc<Parsed>);

impl Signer<Vec<u8>> for Cached {
    fn try_sign(&self, msg: &[u8]) -> Result<Vec<u8>, signature::Error> {
        let rng = SystemRandom::new();
        match self.0.as_ref() {
            // JWS ES256 (RFC 7518 §3.4): SHA-256, signature as the 64-byte R ‖ S ("fixed" encoding).
            Parsed::Es256(k) => Ok(k.sign(&rng, msg).map_err(|_| signature::Error::new())?.as_ref().to_vec()),
            // JWS RS256 (RFC 7518 §3.3): RSASSA-PKCS1-v1_5 with SHA-256.
            Parsed::Rs256(k) => {
                let mut sig = vec![0; k.public_modulus_len()];
                k.sign(&RSA_PKCS1_SHA256, &rng, msg, &mut sig).map_err(|_| signature::Error::new())?;
                Ok(sig)
            }
        }
    }
}

impl JwtSigner for Cached {
    fn algorithm(&self) -> Algorithm {
        match self.0.as_ref() {
            Parsed::Es256(_) => Algorithm::ES256,
            Parsed::Rs256(_) => Algorithm::RS256,
        }
    }
}

fn parse(alg: Algorithm, der: &[u8]) -> jsonwebtoken::errors::Result<Parsed> {
    use jsonwebtoken::errors::{Error, ErrorKind};
    match alg {
        Algorithm::ES256 => EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, der)
            .map(Parsed::Es256)
            .map_err(|_| Error::from(ErrorKind::InvalidEcdsaKey)),
        _ => RsaKeyPair::from_der(der)
            .map(Parsed::Rs256)
            .map_err(|_| Error::from(ErrorKind::InvalidRsaKey(String::new()))),
    }
}

fn signer_factory(alg: &Algorithm, key: &EncodingKey) -> jsonwebtoken::errors::Result<Box<dyn JwtSigner>> {
    // RSA key parsing checks the key, which costs more than the signature itself (measured:
    // RS256 ID tokens held the code flow to a fifth of its ES256 throughput).
    if !matches!(alg, Algorithm::ES256 | Algorithm::RS256) {
        return (aws_lc::DEFAULT_PROVIDER.signer_factory)(alg, key);
    }
    let id = (*alg, <[u8; 32]>::from(Sha256::digest(key.as_bytes())));
    if let Some(k) = cache().read().unwrap_or_else(|p| p.into_inner()).get(&id) {
        return Ok(Box::new(Cached(k.clone())));
    }
    let parsed = Arc::new(parse(*alg, key.as_bytes())?);
    let mut w = cache().write().unwrap_or_else(|p| p.into_inner());
    if w.len() >= 16 {
        w.clear();
    }
    w.insert(id, parsed.clone());
    Ok(Box::new(Cached(parsed)))
}

/// Installs the provider for this process (idempotent). Must run before the first JWT is
/// signed or verified; `build_state` calls it.
pub fn install() {
    static PROVIDER: OnceLock<CryptoProvider> = OnceLock::new();
    let p = PROVIDER.get_or_init(|| CryptoProvider { signer_factory, ..aws_lc::DEFAULT_PROVIDER.clone() });
    // Err means a provider is already installed: ours, from an earlier call.
    let _ = p.install_default();
}
