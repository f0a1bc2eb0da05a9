//! TOTP second factor (RFC 6238): HMAC-SHA-1, 6 digits, 30-second steps, one step either side
//! accepted for clock drift (RFC 6238 §5.2), and a replay guard: a time step already accepted
//! for a user is never accepted again ("the verifier MUST NOT accept the second attempt of the
//! same OTP", §5.2). The HOTP arithmetic is the `totp-rs` crate's; this module holds the policy.

use time::OffsetDateTime;
use totp_rs::{Algorithm, TOTP};
use zeroize::Zeroizing;

use crate::secret::{ct_eq, random_bytes};

pub const DIGITS: usize = 6;
pub const STEP_SECS: i64 = 30;
/// Steps accepted either side of the current one.
pub const DRIFT_STEPS: i64 = 1;
/// 160 bits, the length RFC 4226 §4 (R6) recommends.
pub const SECRET_BYTES: usize = 20;

/// A TOTP shared secret. Never logged (`Debug` is redacted), zeroized on drop, no `Display`.
pub struct TotpSecret(Zeroizing<Vec<u8>>);

impl std::fmt::Debug for TotpSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TotpSecret(<redacted>)")
    }
}

impl PartialEq for TotpSecret {
    fn eq(&self, other: &Self) -> bool {
        ct_eq(&self.0, &other.0)
    }
}

/// The verdict on a presented code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TotpCheck {
    /// Valid: remember `step` as the user's last accepted step.
    Accepted { step: i64 },
    /// The code was right, but for a step already used: a replay.
    Replayed,
    /// Wrong, malformed, or outside the drift window.
    Invalid,
}

impl TotpSecret {
    pub fn generate() -> Self {
        Self(Zeroizing::new(random_bytes::<SECRET_BYTES>().to_vec()))
    }

    /// A stored secret (after decryption); `None` if shorter than 128 bits (RFC 4226 §4 R6).
    pub fn from_bytes(bytes: Vec<u8>) -> Option<Self> {
        (bytes.len() >= 16).then(|| Self(Zeroizing::new(bytes)))
    }

    /// A secret typed or pasted as base32 (RFC 4648, spaces and case ignored), as authenticator
    /// apps and the setup page show it.
    pub fn from_base32(s: &str) -> Option<Self> {
        let clean: String = s.chars().filter(|c| !c.is_whitespace()).map(|c| c.to_ascii_uppercase()).collect();
        let bytes = totp_rs::Secret::Encoded(clean).to_bytes().ok()?;
        Self::from_bytes(bytes)
    }

    /// The raw secret, to be encrypted at rest.
    pub fn expose_bytes(&self) -> &[u8] {
        &self.0
    }

    fn totp(&self, issuer: Option<String>, account: String) -> Option<TOTP> {
        TOTP::new(Algorithm::SHA1, DIGITS, 0, STEP_SECS as u64, self.0.to_vec(), issuer, account).ok()
    }

    /// The `otpauth://totp/…` URI an authenticator app scans (Key Uri Format). `account` is
    /// what the app displays under `issuer`.
    pub fn otpauth_uri(&self, issuer: &str, account: &str) -> Option<Zeroizing<String>> {
        // The crate refuses ':' in issuer and account (it separates them in the label).
        let clean = |s: &str| s.replace(':', " ");
        self.totp(Some(clean(issuer)), clean(account)).map(|t| Zeroizing::new(t.get_url()))
    }

    /// Base32, for typing the secret in by hand.
    pub fn base32(&self) -> Option<Zeroizing<String>> {
        self.totp(None, String::new()).map(|t| Zeroizing::new(t.get_secret_base32()))
    }

    /// The code for time step `step` (for tests and enrolment checks).
    pub fn code_at_step(&self, step: i64) -> Option<String> {
        let t = u64::try_from(step.checked_mul(STEP_SECS)?).ok()?;
        self.totp(None, String::new()).map(|totp| totp.generate(t))
    }

    /// Checks `code` at `now` against the drift window, refusing any step at or before
    /// `last_step` (the user's last accepted step). Spaces in the code are ignored.
    pub fn verify(&self, code: &str, now: OffsetDateTime, last_step: Option<i64>) -> TotpCheck {
        let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
        if code.len() != DIGITS || !code.bytes().all(|b| b.is_ascii_digit()) {
            return TotpCheck::Invalid;
        }
        let current = now.unix_timestamp().div_euclid(STEP_SECS);
        for step in current - DRIFT_STEPS..=current + DRIFT_STEPS {
            let Some(expected) = self.code_at_step(step) else { continue };
            if ct_eq(expected.as_bytes(), code.as_bytes()) {
                return if last_step.is_some_and(|last| step <= last) {
                    TotpCheck::Replayed
                } else {
                    TotpCheck::Accepted { step }
                };
            }
        }
        TotpCheck::Invalid
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_compare_by_value() {
        let a = TotpSecret::generate();
        assert!(a == TotpSecret::from_base32(&a.base32().expect("base32")).expect("same"));
        assert!(a != TotpSecret::generate());
    }

    fn rfc_secret() -> TotpSecret {
        TotpSecret::from_bytes(b"12345678901234567890".to_vec()).expect("secret")
    }

    fn at(t: i64) -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp(t).expect("time")
    }

    #[test]
    fn rfc6238_appendix_b_vectors_sha1() {
        // Appendix B lists 8-digit codes; 6-digit codes are their last six digits.
        for (t, code8) in
            [(59, "94287082"), (1111111109, "07081804"), (1234567890, "89005924"), (2000000000, "69279037")]
        {
            let step = t / STEP_SECS;
            assert_eq!(rfc_secret().code_at_step(step).as_deref(), Some(&code8[2..]), "t={t}");
            assert_eq!(rfc_secret().verify(&code8[2..], at(t), None), TotpCheck::Accepted { step });
        }
    }

    #[test]
    fn base32_round_trips() {
        let s = TotpSecret::generate();
        let b32 = s.base32().expect("base32");
        let spaced: String =
            b32.as_bytes().chunks(4).map(|c| String::from_utf8_lossy(c).to_lowercase()).collect::<Vec<_>>().join(" ");
        assert!(TotpSecret::from_base32(&spaced).expect("parse") == s);
        assert!(TotpSecret::from_base32("not base32!").is_none());
    }

    #[test]
    fn adjacent_steps_accepted_far_steps_not() {
        let s = TotpSecret::generate();
        let now = at(1_800_000_015);
        let current = 1_800_000_015 / STEP_SECS;
        for d in [-1, 0, 1] {
            let code = s.code_at_step(current + d).expect("code");
            assert_eq!(s.verify(&code, now, None), TotpCheck::Accepted { step: current + d });
        }
        for d in [-3, -2, 2, 3] {
            let code = s.code_at_step(current + d).expect("code");
            assert_eq!(s.verify(&code, now, None), TotpCheck::Invalid, "step {d}");
        }
    }

    #[test]
    fn used_or_earlier_step_is_replay() {
        let s = TotpSecret::generate();
        let now = at(1_800_000_015);
        let current = 1_800_000_015 / STEP_SECS;
        let code = s.code_at_step(current).expect("code");
        assert_eq!(s.verify(&code, now, Some(current)), TotpCheck::Replayed);
        let older = s.code_at_step(current - 1).expect("code");
        assert_eq!(s.verify(&older, now, Some(current)), TotpCheck::Replayed);
        let newer = s.code_at_step(current + 1).expect("code");
        assert_eq!(s.verify(&newer, now, Some(current)), TotpCheck::Accepted { step: current + 1 });
    }

    #[test]
    fn malformed_codes_invalid() {
        let s = TotpSecret::generate();
        for c in ["", "12345", "1234567", "12a456", "１２３４５６", "-12345"] {
            assert_eq!(s.verify(c, at(1_800_000_000), None), TotpCheck::Invalid, "{c:?}");
        }
        let code = s.code_at_step(1_800_000_000 / STEP_SECS).expect("code");
        let spaced = format!("{} {}", &code[..3], &code[3..]);
        assert!(matches!(s.verify(&spaced, at(1_800_000_000), None), TotpCheck::Accepted { .. }));
    }

    #[test]
    fn secret_is_redacted_and_uri_is_standard() {
        let s = TotpSecret::generate();
        assert_eq!(format!("{s:?}"), "TotpSecret(<redacted>)");
        assert_eq!(s.expose_bytes().len(), SECRET_BYTES);
        let b32 = s.base32().expect("base32");
        let uri = s.otpauth_uri("Signet", "ann@example.com").expect("uri");
        assert!(uri.starts_with("otpauth://totp/Signet:ann%40example.com?"), "{}", uri.as_str());
        assert!(uri.contains(&format!("secret={}", b32.as_str())));
        assert!(uri.contains("issuer=Signet"));
        assert!(TotpSecret::from_bytes(vec![0; 15]).is_none());
    }
}
