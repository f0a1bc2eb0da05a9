//! Signing keys: generation, encryption at rest, lifecycle, JWKS.
//!
//! Private keys are stored AES-256-GCM encrypted under the key-encryption key from the secrets
//! file (the key id and algorithm are bound in as associated data), so several instances on one
//! database share them and a database dump alone reveals nothing. Decrypted keys are held in
//! memory (jsonwebtoken's `EncodingKey` zeroizes on drop) so signing never decrypts.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, RwLock};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey};
use rand_core::OsRng;
use serde_json::{json, Value};
use signet_core::secret::random_bytes;
use signet_core::OffsetDateTime;
use signet_store::{KeyState, Store, StoredKey};
use time::Duration;
use zeroize::Zeroizing;

/// A key that signs: only the `current` key of each algorithm.
pub struct SigningKey {
    pub kid: String,
    pub alg: Algorithm,
    pub key: EncodingKey,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SigningKey {{ kid: {:?}, alg: {:?}, key: <redacted> }}", self.kid, self.alg)
    }
}

/// A published public key. Its algorithm is pinned: a token naming another `alg` in its header
/// is rejected, whatever the token says (RFC 8725 §3.1).
pub struct VerifyKey {
    pub kid: String,
    pub alg: Algorithm,
    pub state: KeyState,
    pub key: DecodingKey,
}

/// One consistent view of all keys.
pub struct KeySet {
    signing: HashMap<String, Arc<SigningKey>>,
    verify: HashMap<String, Arc<VerifyKey>>,
    revoked: HashSet<String>,
    /// The serialized JWKS (cheap to clone: one shared buffer).
    jwks: axum::body::Bytes,
    fingerprint: Vec<(String, KeyState)>,
    current_activated: HashMap<String, OffsetDateTime>,
}

pub fn parse_alg(alg: &str) -> Option<Algorithm> {
    match alg {
        "ES256" => Some(Algorithm::ES256),
        "EdDSA" => Some(Algorithm::EdDSA),
        "RS256" => Some(Algorithm::RS256),
        _ => None,
    }
}

pub struct KeyRing {
    kek: Zeroizing<Vec<u8>>,
    algs: Vec<String>,
    set: RwLock<Arc<KeySet>>,
}

impl std::fmt::Debug for KeyRing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyRing").field("algs", &self.algs).finish_non_exhaustive()
    }
}

fn aad(kid: &str, alg: &str) -> Vec<u8> {
    format!("signet-signing-key:{kid}:{alg}").into_bytes()
}

/// Generates a key pair for `alg`; returns (PKCS#8 or PKCS#1 DER private key, public JWK fields).
fn generate_material(alg: &str) -> anyhow::Result<(Zeroizing<Vec<u8>>, Value)> {
    let b64 = |b: &[u8]| URL_SAFE_NO_PAD.encode(b);
    match alg {
        "ES256" => {
            use p256::pkcs8::EncodePrivateKey;
            let sk = p256::ecdsa::SigningKey::random(&mut OsRng);
            let der = sk.to_pkcs8_der().map_err(|e| anyhow::anyhow!("pkcs8: {e}"))?;
            let point = sk.verifying_key().to_encoded_point(false);
            let (x, y) =
                (point.x().ok_or_else(|| anyhow::anyhow!("no x"))?, point.y().ok_or_else(|| anyhow::anyhow!("no y"))?);
            Ok((
                Zeroizing::new(der.as_bytes().to_vec()),
                json!({"kty": "EC", "crv": "P-256", "x": b64(x), "y": b64(y)}),
            ))
        }
        "EdDSA" => {
            use ed25519_dalek::pkcs8::EncodePrivateKey;
            let sk = ed25519_dalek::SigningKey::generate(&mut OsRng);
            let der = sk.to_pkcs8_der().map_err(|e| anyhow::anyhow!("pkcs8: {e}"))?;
            let x = b64(sk.verifying_key().as_bytes());
            Ok((Zeroizing::new(der.as_bytes().to_vec()), json!({"kty": "OKP", "crv": "Ed25519", "x": x})))
        }
        "RS256" => {
            use rsa::pkcs1::EncodeRsaPrivateKey;
            use rsa::traits::PublicKeyParts;
            let sk = rsa::RsaPrivateKey::new(&mut OsRng, 2048)?;
            let der = sk.to_pkcs1_der().map_err(|e| anyhow::anyhow!("pkcs1: {e}"))?;
            let (n, e) = (b64(&sk.n().to_bytes_be()), b64(&sk.e().to_bytes_be()));
            Ok((Zeroizing::new(der.as_bytes().to_vec()), json!({"kty": "RSA", "n": n, "e": e})))
        }
        other => anyhow::bail!("unsupported algorithm {other:?}"),
    }
}

impl KeyRing {
    /// Generates a new key for `alg` in `state`, encrypted for storage.
    pub fn generate(&self, alg: &str, state: KeyState, now: OffsetDateTime) -> anyhow::Result<StoredKey> {
        // Hex: a base64url id can start with "-", which command lines read as an option.
        let kid = hex::encode(random_bytes::<12>());
        let (der, mut jwk) = generate_material(alg)?;
        if let Value::Object(m) = &mut jwk {
            m.insert("kid".into(), json!(kid));
            m.insert("alg".into(), json!(alg));
            m.insert("use".into(), json!("sig"));
        }
        let private_enc = crate::kek::seal(&self.kek, &aad(&kid, alg), &der)?;
        Ok(StoredKey {
            kid,
            alg: alg.to_owned(),
            state,
            private_enc,
            public_jwk: jwk.to_string(),
            created_at: now,
            activated_at: (state == KeyState::Current).then_some(now),
            retired_at: None,
            drop_after: None,
            revoked_at: None,
        })
    }

    fn decrypt(&self, k: &StoredKey) -> anyhow::Result<Zeroizing<Vec<u8>>> {
        crate::kek::open(&self.kek, &aad(&k.kid, &k.alg), &k.private_enc)
            .map_err(|e| anyhow::anyhow!("cannot decrypt key {}: {e}", k.kid))
    }

    /// Loads keys for every configured algorithm, creating the first `current` and `next` keys
    /// where none exist.
    pub async fn load(store: &dyn Store, kek: &[u8], algs: Vec<String>, now: OffsetDateTime) -> anyhow::Result<Self> {
        let ring = Self { kek: Zeroizing::new(kek.to_vec()), algs, set: RwLock::new(Arc::new(KeySet::empty())) };
        // Keys are generated only for algorithms that have none yet (an RSA pair is slow to make).
        let existing = store.list_keys().await?;
        for alg in ring.algs.clone() {
            if existing.iter().any(|k| k.alg == alg && matches!(k.state, KeyState::Current | KeyState::Next)) {
                continue;
            }
            // The pair is made on two threads: an RSA key's prime search is most of a first
            // start's time, and its length varies (measured 0.25–0.55 s each, release build).
            let (current, next) = std::thread::scope(|scope| {
                let next = scope.spawn(|| ring.generate(&alg, KeyState::Next, now));
                let current = ring.generate(&alg, KeyState::Current, now);
                (current, next.join().map_err(|_| anyhow::anyhow!("key generation thread panicked")))
            });
            let (current, next) = (current?, next??);
            store.insert_initial_keys(&current, &next).await?;
        }
        ring.reload(store).await?;
        Ok(ring)
    }

    /// Re-reads keys from the store (rotations by other instances or the CLI). Cheap when
    /// nothing changed: keys are only decrypted again when the set of (kid, state) differs.
    pub async fn reload(&self, store: &dyn Store) -> anyhow::Result<()> {
        let keys = store.list_keys().await?;
        let fingerprint: Vec<(String, KeyState)> = keys.iter().map(|k| (k.kid.clone(), k.state)).collect();
        if self.snapshot().fingerprint == fingerprint && !fingerprint.is_empty() {
            return Ok(());
        }
        let mut set = KeySet::empty();
        let mut published = Vec::new();
        for k in &keys {
            let Some(alg) = parse_alg(&k.alg) else { continue };
            if k.state == KeyState::Revoked {
                set.revoked.insert(k.kid.clone());
                continue;
            }
            let jwk: Value = serde_json::from_str(&k.public_jwk)?;
            let parsed: jsonwebtoken::jwk::Jwk = serde_json::from_value(jwk.clone())?;
            let key = DecodingKey::from_jwk(&parsed)?;
            set.verify.insert(k.kid.clone(), Arc::new(VerifyKey { kid: k.kid.clone(), alg, state: k.state, key }));
            published.push(jwk);
            if k.state == KeyState::Current {
                let der = self.decrypt(k)?;
                let key = match alg {
                    Algorithm::RS256 => EncodingKey::from_rsa_der(&der),
                    Algorithm::EdDSA => EncodingKey::from_ed_der(&der),
                    _ => EncodingKey::from_ec_der(&der),
                };
                set.signing.insert(k.alg.clone(), Arc::new(SigningKey { kid: k.kid.clone(), alg, key }));
                set.current_activated.insert(k.alg.clone(), k.activated_at.unwrap_or(k.created_at));
            }
        }
        set.jwks = json!({ "keys": published }).to_string().into();
        set.fingerprint = fingerprint;
        *self.set.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(set);
        Ok(())
    }

    pub fn snapshot(&self) -> Arc<KeySet> {
        self.set.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Promotes `next` to `current` for `alg`, retires the old `current` (published for
    /// `publish_for` more, so every token it signed can still be verified), and pre-generates a
    /// new `next` so verifiers can cache it before it signs anything.
    pub async fn rotate(
        &self,
        store: &dyn Store,
        alg: &str,
        now: OffsetDateTime,
        publish_for: Duration,
    ) -> anyhow::Result<()> {
        let next = self.generate(alg, KeyState::Next, now)?;
        store.rotate_keys(&next, now, now + publish_for, None).await?;
        self.reload(store).await
    }

    /// Rotates every algorithm whose current key is older than `period`.
    pub async fn rotate_due(
        &self,
        store: &dyn Store,
        now: OffsetDateTime,
        period: Duration,
        publish_for: Duration,
    ) -> anyhow::Result<()> {
        let snap = self.snapshot();
        for alg in &self.algs {
            if snap.current_activated.get(alg).is_some_and(|t| now - *t >= period) {
                let next = self.generate(alg, KeyState::Next, now)?;
                // Every instance runs this; the store lets only one of them rotate.
                if store.rotate_keys(&next, now, now + publish_for, Some(now - period)).await? {
                    tracing::info!(alg = %alg, "rotated signing key on schedule");
                    let actor = signet_core::audit::Actor::System.label();
                    let event = signet_store::NewAudit {
                        kind: signet_core::audit::AuditKind::KeyRotate,
                        at: now,
                        user_id: None,
                        email: None,
                        actor: &actor,
                        ip: "",
                        user_agent: "",
                        detail: &format!("{alg} (scheduled)"),
                    };
                    if let Err(e) = store.audit(event).await {
                        tracing::error!(error = %e, "could not write audit event");
                    }
                }
                self.reload(store).await?;
            }
        }
        Ok(())
    }

    pub fn algs(&self) -> &[String] {
        &self.algs
    }
}

impl KeySet {
    fn empty() -> Self {
        Self {
            signing: HashMap::new(),
            verify: HashMap::new(),
            revoked: HashSet::new(),
            jwks: axum::body::Bytes::from_static(b"{\"keys\":[]}"),
            fingerprint: Vec::new(),
            current_activated: HashMap::new(),
        }
    }

    pub fn signing(&self, alg: &str) -> Option<Arc<SigningKey>> {
        self.signing.get(alg).cloned()
    }

    pub fn verify_key(&self, kid: &str) -> Option<Arc<VerifyKey>> {
        self.verify.get(kid).cloned()
    }

    pub fn is_revoked(&self, kid: &str) -> bool {
        self.revoked.contains(kid)
    }

    /// The JWKS document (RFC 7517 §5): `next`, `current` and `retired` keys; never revoked ones.
    pub fn jwks(&self) -> axum::body::Bytes {
        self.jwks.clone()
    }
}
