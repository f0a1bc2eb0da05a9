//! Password hashing: Argon2id with a pepper, legacy bcrypt/Argon2 import, transparent rehash.
//!
//! The pepper is passed as Argon2's *secret* input (RFC 9106 §3.1, "K"), so a stolen database
//! without the secrets file cannot be brute-forced. Each stored hash records the id of the pepper
//! it was made with, so peppers can be rotated: old ids keep verifying and the hash is upgraded
//! at the next successful login.

use argon2::password_hash::{Output, ParamsString, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use rand_core::OsRng;
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::secret::Password;

/// Argon2id cost parameters. Defaults are OWASP's minimum: m=19456 KiB, t=2, p=1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct HashParams {
    pub memory_kib: u32,
    pub iterations: u32,
    pub parallelism: u32,
}

impl Default for HashParams {
    fn default() -> Self {
        Self { memory_kib: 19456, iterations: 2, parallelism: 1 }
    }
}

impl HashParams {
    /// OWASP Password Storage Cheat Sheet minimum for Argon2id.
    pub const OWASP_MIN: HashParams = HashParams { memory_kib: 19456, iterations: 2, parallelism: 1 };

    pub fn is_below_owasp_minimum(&self) -> bool {
        // OWASP lists equivalent trade-offs (more memory for fewer passes); the simple rule is
        // "at least the minimum in both".
        self.memory_kib < Self::OWASP_MIN.memory_kib || self.iterations < Self::OWASP_MIN.iterations
    }

    fn argon2_params(&self) -> Result<Params, HashError> {
        Params::new(self.memory_kib, self.iterations, self.parallelism, None)
            .map_err(|e| HashError::Params(e.to_string()))
    }
}

/// Argon2 working memory (`memory_kib` of it), owned by one hashing thread and reused for
/// every hash it computes. Allocating it per hash fragments the allocator's heap: a small
/// allocation lands in the freed block, the next hash needs a fresh one, and resident memory
/// grows by `memory_kib` per login. Reusing one buffer keeps it at exactly `memory_kib` per
/// thread.
#[derive(Default)]
pub struct HashMemory(Vec<Block>);

impl HashMemory {
    pub fn new() -> Self {
        Self(Vec::new())
    }

    fn blocks(&mut self, n: usize) -> &mut [Block] {
        if self.0.len() < n {
            self.0.resize(n, Block::default());
        }
        &mut self.0[..n]
    }

    /// Releases memory beyond `keep` blocks (after verifying an imported hash with a larger
    /// memory cost than ours, say).
    fn trim(&mut self, keep: usize) {
        if self.0.len() > keep {
            self.0 = Vec::new();
        }
    }
}

impl std::fmt::Debug for HashMemory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "HashMemory({} blocks)", self.0.len())
    }
}

/// A pepper: a server-side secret mixed into every hash, never stored in the database.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct Pepper {
    pub id: String,
    key: Vec<u8>,
}

impl Pepper {
    pub fn new(id: impl Into<String>, key: Vec<u8>) -> Self {
        Self { id: id.into(), key }
    }
}

impl std::fmt::Debug for Pepper {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Pepper {{ id: {:?}, key: <redacted> }}", self.id)
    }
}

/// What the store keeps for a password: a PHC string (or a legacy bcrypt string) and the id of
/// the pepper used, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasswordRecord {
    pub hash: String,
    pub pepper_id: Option<String>,
}

/// The result of a successful verification.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verified {
    /// The stored hash uses old parameters, an old pepper, or a legacy algorithm: hash again.
    pub needs_rehash: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum HashError {
    #[error("invalid Argon2 parameters: {0}")]
    Params(String),
    #[error("stored hash is not a supported format")]
    UnsupportedFormat,
    #[error("stored hash names pepper id {0:?}, which is not configured")]
    UnknownPepper(String),
    #[error("hashing failed: {0}")]
    Internal(String),
}

/// Hashes and verifies passwords with the configured parameters and peppers.
#[derive(Clone)]
pub struct PasswordHasher {
    params: HashParams,
    /// The last pepper is the current one; earlier ones still verify.
    peppers: Vec<Pepper>,
    dummy: PasswordRecord,
}

impl std::fmt::Debug for PasswordHasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PasswordHasher").field("params", &self.params).finish_non_exhaustive()
    }
}

impl PasswordHasher {
    /// `peppers` must not be empty; the last one signs new hashes. Makes the dummy hash used
    /// for unknown users here: a PHC string with the current parameters, pepper and a random
    /// salt, whose hash part is random bytes — verifying against it costs a full Argon2 run
    /// like a real one, but making it costs nothing (a real hash was 22 ms of every start-up).
    pub fn new(params: HashParams, peppers: Vec<Pepper>) -> Result<Self, HashError> {
        if peppers.is_empty() {
            return Err(HashError::Params("at least one pepper is required".into()));
        }
        params.argon2_params()?;
        let mut me = Self { params, peppers, dummy: PasswordRecord { hash: String::new(), pepper_id: None } };
        let argon2_params = me.params.argon2_params()?;
        let len = argon2_params.output_len().unwrap_or(Params::DEFAULT_OUTPUT_LEN);
        let random = crate::secret::random_bytes::<64>();
        let internal = |e: argon2::password_hash::Error| HashError::Internal(e.to_string());
        let output = argon2::password_hash::Output::new(random.get(..len).unwrap_or(&random)).map_err(internal)?;
        let salt = SaltString::generate(&mut OsRng);
        me.dummy = me.record(&argon2_params, &salt, output)?;
        Ok(me)
    }

    pub fn params(&self) -> HashParams {
        self.params
    }

    fn current_pepper(&self) -> Result<&Pepper, HashError> {
        self.peppers.last().ok_or_else(|| HashError::Params("no pepper".into()))
    }

    fn argon2_with<'k>(&self, pepper: Option<&'k Pepper>) -> Result<Argon2<'k>, HashError> {
        let params = self.params.argon2_params()?;
        match pepper {
            Some(p) => Argon2::new_with_secret(&p.key, Algorithm::Argon2id, Version::V0x13, params)
                .map_err(|e| HashError::Params(e.to_string())),
            None => Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params)),
        }
    }

    /// Hashes with Argon2id, a fresh 128-bit salt and the current pepper.
    pub fn hash(&self, password: &Password) -> Result<PasswordRecord, HashError> {
        self.hash_with(password, &mut HashMemory::new())
    }

    /// [`PasswordHasher::hash`] with caller-owned working memory.
    pub fn hash_with(&self, password: &Password, mem: &mut HashMemory) -> Result<PasswordRecord, HashError> {
        let pepper = self.current_pepper()?;
        let params = self.params.argon2_params()?;
        let argon2 = self.argon2_with(Some(pepper))?;
        let salt = SaltString::generate(&mut OsRng);
        let mut salt_buf = [0u8; 64];
        let internal = |e: argon2::password_hash::Error| HashError::Internal(e.to_string());
        let salt_bytes = salt.as_salt().decode_b64(&mut salt_buf).map_err(internal)?;
        let output = compute(
            &argon2,
            &params,
            password,
            salt_bytes,
            params.output_len().unwrap_or(Params::DEFAULT_OUTPUT_LEN),
            mem,
        )
        .map_err(internal)?;
        self.record(&params, &salt, output)
    }

    /// The stored form: a PHC string (Argon2id, v=19, `params`, `salt`, `output`) under the
    /// current pepper.
    fn record(
        &self,
        params: &Params,
        salt: &SaltString,
        output: argon2::password_hash::Output,
    ) -> Result<PasswordRecord, HashError> {
        let internal = |e: argon2::password_hash::Error| HashError::Internal(e.to_string());
        let phc = PasswordHash {
            algorithm: Algorithm::Argon2id.ident(),
            version: Some(Version::V0x13.into()),
            params: ParamsString::try_from(params).map_err(internal)?,
            salt: Some(salt.as_salt()),
            hash: Some(output),
        };
        Ok(PasswordRecord { hash: phc.to_string(), pepper_id: Some(self.current_pepper()?.id.clone()) })
    }

    /// Verifies `password` against `record`. `Ok(None)` means "wrong password".
    pub fn verify(&self, record: &PasswordRecord, password: &Password) -> Result<Option<Verified>, HashError> {
        self.verify_with(record, password, &mut HashMemory::new())
    }

    /// [`PasswordHasher::verify`] with caller-owned working memory.
    pub fn verify_with(
        &self,
        record: &PasswordRecord,
        password: &Password,
        mem: &mut HashMemory,
    ) -> Result<Option<Verified>, HashError> {
        // A legacy hash (bcrypt, or Argon2 cheaper than today's parameters) verifies faster than
        // the dummy run an unknown account costs, so timing would tell imported accounts apart:
        // such a verification first does the dummy's full work as well.
        if is_bcrypt(&record.hash) || self.is_cheaper(&record.hash) {
            let _ = self.verify_argon2(&self.dummy, password, mem);
        }
        if is_bcrypt(&record.hash) {
            return verify_bcrypt(&record.hash, password);
        }
        self.verify_argon2(record, password, mem)
    }

    /// Whether `hash` is an Argon2 hash that costs less to verify than the current parameters.
    pub(crate) fn is_cheaper(&self, hash: &str) -> bool {
        let cost = |m: u32, t: u32, p: u32| u64::from(m) * u64::from(t) * u64::from(p);
        let current = cost(self.params.memory_kib, self.params.iterations, self.params.parallelism);
        match PasswordHash::new(hash).ok().and_then(|h| Params::try_from(&h).ok()) {
            Some(p) => cost(p.m_cost(), p.t_cost(), p.p_cost()) < current,
            None => false,
        }
    }

    fn verify_argon2(
        &self,
        record: &PasswordRecord,
        password: &Password,
        mem: &mut HashMemory,
    ) -> Result<Option<Verified>, HashError> {
        let parsed = PasswordHash::new(&record.hash).map_err(|_| HashError::UnsupportedFormat)?;
        let pepper = match &record.pepper_id {
            Some(id) => {
                Some(self.peppers.iter().find(|p| &p.id == id).ok_or_else(|| HashError::UnknownPepper(id.clone()))?)
            }
            None => None,
        };
        // Algorithm, version and cost come from the stored PHC string, so hashes made with
        // older parameters (or imported Argon2i/Argon2d hashes) still verify.
        let bad = |_| HashError::UnsupportedFormat;
        let algorithm = Algorithm::try_from(parsed.algorithm).map_err(bad)?;
        let version = parsed
            .version
            .map(Version::try_from)
            .transpose()
            .map_err(|_| HashError::UnsupportedFormat)?
            .unwrap_or_default();
        let params = Params::try_from(&parsed).map_err(bad)?;
        let argon2 = match pepper {
            Some(p) => Argon2::new_with_secret(&p.key, algorithm, version, params.clone())
                .map_err(|e| HashError::Params(e.to_string()))?,
            None => Argon2::new(algorithm, version, params.clone()),
        };
        let (Some(expected), Some(salt)) = (parsed.hash, parsed.salt) else { return Err(HashError::UnsupportedFormat) };
        let mut salt_buf = [0u8; 64];
        let salt_bytes = salt.decode_b64(&mut salt_buf).map_err(bad)?;
        let computed = compute(&argon2, &params, password, salt_bytes, expected.len(), mem).map_err(bad)?;
        if let Ok(current) = self.params.argon2_params() {
            mem.trim(current.block_count());
        }
        // `Output` compares in constant time.
        if computed == expected {
            Ok(Some(Verified { needs_rehash: self.is_outdated(&parsed, record.pepper_id.as_deref()) }))
        } else {
            Ok(None)
        }
    }

    /// Runs a full verification against a dummy hash with the current parameters, so a login
    /// for an unknown account costs the same time as one for a known account (OWASP
    /// Authentication Cheat Sheet, "Authentication Responses"). Always returns `false`.
    pub fn verify_dummy(&self, password: &Password) -> bool {
        self.verify_dummy_with(password, &mut HashMemory::new())
    }

    pub fn verify_dummy_with(&self, password: &Password, mem: &mut HashMemory) -> bool {
        let _ = self.verify_argon2(&self.dummy, password, mem);
        false
    }

    fn is_outdated(&self, parsed: &PasswordHash<'_>, pepper_id: Option<&str>) -> bool {
        let current_pepper = self.peppers.last().map(|p| p.id.as_str());
        if parsed.algorithm != Algorithm::Argon2id.ident() || pepper_id != current_pepper {
            return true;
        }
        match Params::try_from(parsed) {
            Ok(p) => {
                p.m_cost() != self.params.memory_kib
                    || p.t_cost() != self.params.iterations
                    || p.p_cost() != self.params.parallelism
            }
            Err(_) => true,
        }
    }
}

/// Runs Argon2 in the caller's reused working memory; the one place hashing and verifying both
/// go through, so neither can fall back to allocating per call.
fn compute(
    argon2: &Argon2<'_>,
    params: &Params,
    password: &Password,
    salt: &[u8],
    output_len: usize,
    mem: &mut HashMemory,
) -> argon2::password_hash::Result<Output> {
    Output::init_with(output_len, |out| {
        Ok(argon2.hash_password_into_with_memory(
            password.expose().as_bytes(),
            salt,
            out,
            mem.blocks(params.block_count()),
        )?)
    })
}

/// Whether `hash` is a bcrypt modular-crypt string (`$2a$`, `$2b$`, `$2y$`).
pub fn is_bcrypt(hash: &str) -> bool {
    hash.starts_with("$2a$") || hash.starts_with("$2b$") || hash.starts_with("$2y$")
}

/// Whether `hash` is a string we can import: bcrypt or an Argon2 PHC string.
pub fn is_importable(hash: &str) -> bool {
    if is_bcrypt(hash) {
        return hash.parse::<bcrypt::HashParts>().is_ok();
    }
    PasswordHash::new(hash).is_ok_and(|h| h.algorithm.as_str().starts_with("argon2"))
}

fn verify_bcrypt(hash: &str, password: &Password) -> Result<Option<Verified>, HashError> {
    // bcrypt only ever looked at the first 72 bytes of a password; the systems these hashes
    // come from truncated silently, so we must too or long passwords would never match. The
    // upgrade to Argon2id at this login removes the limit for the future.
    let bytes = password.expose().as_bytes();
    let input = &bytes[..bytes.len().min(72)];
    match bcrypt::verify(input, hash) {
        Ok(true) => Ok(Some(Verified { needs_rehash: true })),
        Ok(false) => Ok(None),
        Err(_) => Err(HashError::UnsupportedFormat),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cheap() -> HashParams {
        HashParams { memory_kib: 64, iterations: 1, parallelism: 1 }
    }

    fn hasher(params: HashParams, peppers: &[&str]) -> PasswordHasher {
        let p = peppers.iter().map(|id| Pepper::new(*id, id.as_bytes().repeat(8))).collect();
        PasswordHasher::new(params, p).expect("valid params")
    }

    #[test]
    fn cheaper_means_less_total_work() {
        let h = hasher(HashParams::default(), &["p1"]);
        let with = |memory_kib, iterations| {
            hasher(HashParams { memory_kib, iterations, parallelism: 1 }, &["p1"])
                .hash(&Password::new("x"))
                .expect("hash")
                .hash
        };
        assert!(h.is_cheaper(&with(64, 1)));
        assert!(h.is_cheaper(&with(19456, 1)));
        assert!(!h.is_cheaper(&with(9728, 4)), "half the memory, twice the passes: the same work");
        let two_lanes = hasher(HashParams { memory_kib: 9728, iterations: 2, parallelism: 2 }, &["p1"]);
        assert!(!h.is_cheaper(&two_lanes.hash(&Password::new("x")).expect("hash").hash), "two lanes: the same work");
        assert!(!h.is_cheaper(&with(38912, 1)));
        assert!(
            !h.is_cheaper("$2b$04$abcdefghijklmnopqrstuu5Rr1g8QbRJ2M5Rr8h9CM0r4rjbn0Ovm"),
            "bcrypt is handled apart"
        );
    }

    #[test]
    fn old_pepper_or_algorithm_needs_rehash() {
        let old = hasher(cheap(), &["p1"]);
        let rec = old.hash(&Password::new("x")).expect("hash");
        let rotated = hasher(cheap(), &["p1", "p2"]);
        assert_eq!(rotated.verify(&rec, &Password::new("x")).expect("v"), Some(Verified { needs_rehash: true }));
        assert_eq!(old.verify(&rec, &Password::new("x")).expect("v"), Some(Verified { needs_rehash: false }));
        // Each parameter on its own makes a hash outdated.
        for params in [
            HashParams { memory_kib: 128, ..cheap() },
            HashParams { iterations: 2, ..cheap() },
            HashParams { parallelism: 2, ..cheap() },
        ] {
            let rec = hasher(params, &["p1"]).hash(&Password::new("x")).expect("hash");
            assert_eq!(
                old.verify(&rec, &Password::new("x")).expect("v"),
                Some(Verified { needs_rehash: true }),
                "{params:?}"
            );
        }
    }

    #[test]
    fn debug_shows_parameters_never_peppers() {
        let h = hasher(cheap(), &["p1"]);
        let shown = format!("{h:?}");
        assert!(shown.starts_with("PasswordHasher { params: HashParams { memory_kib: 64"), "{shown}");
        assert!(!shown.contains("p1p1"), "{shown}");
    }

    #[test]
    fn owasp_minimum_boundaries() {
        let min = HashParams::OWASP_MIN;
        assert!(!min.is_below_owasp_minimum());
        assert!(HashParams { memory_kib: min.memory_kib - 1, ..min }.is_below_owasp_minimum());
        assert!(HashParams { iterations: min.iterations - 1, ..min }.is_below_owasp_minimum());
        assert!(!HashParams { memory_kib: min.memory_kib * 2, iterations: min.iterations + 1, ..min }
            .is_below_owasp_minimum());
        assert!(HashParams { memory_kib: min.memory_kib * 4, iterations: 1, ..min }.is_below_owasp_minimum());
    }

    /// Verifying a hash that needs more memory than ours gives that memory back afterwards.
    #[test]
    fn hash_memory_trimmed_after_a_larger_hash() {
        let big = hasher(HashParams { memory_kib: 1024, iterations: 1, parallelism: 1 }, &["p1"]);
        let rec = big.hash(&Password::new("x")).expect("hash");
        let h = hasher(cheap(), &["p1"]);
        let mut mem = HashMemory::new();
        assert!(h.verify_with(&rec, &Password::new("x"), &mut mem).expect("v").is_some());
        let blocks: usize = format!("{mem:?}")
            .trim_start_matches("HashMemory(")
            .split(' ')
            .next()
            .and_then(|n| n.parse().ok())
            .expect("count");
        assert!(blocks <= 64, "{blocks} blocks kept");
    }

    #[test]
    fn hash_and_verify_round_trip() {
        let h = hasher(cheap(), &["p1"]);
        let rec = h.hash(&Password::new("correct horse")).expect("hash");
        assert!(rec.hash.starts_with("$argon2id$v=19$m=64,t=1,p=1$"));
        assert_eq!(rec.pepper_id.as_deref(), Some("p1"));
        assert_eq!(h.verify(&rec, &Password::new("correct horse")).expect("v"), Some(Verified { needs_rehash: false }));
        assert_eq!(h.verify(&rec, &Password::new("wrong horse")).expect("v"), None);
    }

    #[test]
    fn dummy_hash_looks_like_a_real_one_and_never_matches() {
        let h = hasher(cheap(), &["p1", "p2"]);
        let real = h.hash(&Password::new("x")).expect("hash");
        // Same parameters, pepper and shape as a real hash, so verifying against it costs the same.
        assert_eq!(h.dummy.pepper_id, real.pepper_id);
        let (d, r) = (PasswordHash::new(&h.dummy.hash).expect("phc"), PasswordHash::new(&real.hash).expect("phc"));
        assert_eq!((d.algorithm, d.version, d.params.clone()), (r.algorithm, r.version, r.params.clone()));
        assert_eq!(d.hash.map(|o| o.len()), r.hash.map(|o| o.len()));
        assert_eq!(h.verify(&h.dummy, &Password::new("")).expect("verifies"), None);
        assert!(!h.verify_dummy(&Password::new("x")));
        // Each hasher has its own.
        assert_ne!(hasher(cheap(), &["p1", "p2"]).dummy.hash, h.dummy.hash);
    }

    #[test]
    fn phc_output_matches_the_argon2_crate_both_ways() {
        use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};
        let h = hasher(cheap(), &["p1"]);
        let key = b"p1".repeat(8);
        let reference =
            Argon2::new_with_secret(&key, Algorithm::Argon2id, Version::V0x13, Params::new(64, 1, 1, None).expect("p"))
                .expect("a");
        let ours = h.hash(&Password::new("correct horse")).expect("hash");
        reference
            .verify_password(b"correct horse", &PasswordHash::new(&ours.hash).expect("phc"))
            .expect("theirs verifies ours");
        let salt = SaltString::generate(&mut OsRng);
        let theirs = reference.hash_password(b"correct horse", &salt).expect("hash").to_string();
        let rec = PasswordRecord { hash: theirs, pepper_id: Some("p1".into()) };
        assert!(h.verify(&rec, &Password::new("correct horse")).expect("v").is_some(), "ours verifies theirs");
        let mut mem = HashMemory::new();
        for _ in 0..3 {
            assert!(h.verify_with(&rec, &Password::new("correct horse"), &mut mem).expect("v").is_some());
        }
        assert_eq!(mem.0.len(), 64, "one reused buffer of m_cost blocks");
    }

    #[test]
    fn pepper_is_required_to_verify() {
        let a = hasher(cheap(), &["p1"]);
        let rec = a.hash(&Password::new("correct horse")).expect("hash");
        let other_key = PasswordHasher::new(cheap(), vec![Pepper::new("p1", b"another key here".to_vec())]).expect("h");
        assert_eq!(other_key.verify(&rec, &Password::new("correct horse")).expect("v"), None);
    }

    #[test]
    fn rotated_pepper_still_verifies_and_asks_for_rehash() {
        let old = hasher(cheap(), &["p1"]);
        let rec = old.hash(&Password::new("correct horse")).expect("hash");
        let new = hasher(cheap(), &["p1", "p2"]);
        assert_eq!(
            new.verify(&rec, &Password::new("correct horse")).expect("v"),
            Some(Verified { needs_rehash: true })
        );
    }

    #[test]
    fn changed_params_ask_for_rehash() {
        let old = hasher(cheap(), &["p1"]);
        let rec = old.hash(&Password::new("correct horse")).expect("hash");
        let new = hasher(HashParams { memory_kib: 128, ..cheap() }, &["p1"]);
        assert_eq!(
            new.verify(&rec, &Password::new("correct horse")).expect("v"),
            Some(Verified { needs_rehash: true })
        );
    }

    #[test]
    fn bcrypt_verifies_with_72_byte_truncation() {
        let long = "x".repeat(80);
        let hash = bcrypt::hash(&long[..72], 4).expect("bcrypt");
        assert!(is_importable(&hash));
        let h = hasher(cheap(), &["p1"]);
        let rec = PasswordRecord { hash, pepper_id: None };
        assert_eq!(h.verify(&rec, &Password::new(long)).expect("v"), Some(Verified { needs_rehash: true }));
        assert_eq!(h.verify(&rec, &Password::new("nope")).expect("v"), None);
    }

    #[test]
    fn garbage_is_not_importable() {
        assert!(!is_importable("plaintext"));
        assert!(!is_importable("$2b$99$nonsense"));
        assert!(!is_importable("$pbkdf2-sha256$..."));
    }
}
