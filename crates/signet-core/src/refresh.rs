//! Refresh-token rotation rules (OAuth 2.1 §4.3.1, RFC 9700 §4.14.2): every use rotates; a
//! used token presented again means it was stolen or replayed, so the whole family is revoked —
//! unless it is a retry by the same client within a short grace window (a lost response).

use time::{Duration, OffsetDateTime};

/// Lifetimes of a refresh-token family.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RefreshPolicy {
    /// A token unused for this long expires (default 14 days).
    pub idle: Duration,
    /// No token of the family outlives this, counted from the family's start (default 30 days).
    pub absolute: Duration,
    /// A repeat of a just-used token by the same client within this window is a retry, not an
    /// attack (default 5 s; zero disables).
    pub grace: Duration,
}

impl Default for RefreshPolicy {
    fn default() -> Self {
        Self { idle: Duration::days(14), absolute: Duration::days(30), grace: Duration::seconds(5) }
    }
}

/// What the store knows about a presented refresh token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PresentedToken {
    pub used_at: Option<OffsetDateTime>,
    /// Whether this token's successor has itself been used already.
    pub successor_used: bool,
    pub idle_expires_at: OffsetDateTime,
    pub family_expires_at: OffsetDateTime,
    pub family_revoked: bool,
    pub client_matches: bool,
}

/// The decision for a refresh request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rotation {
    /// Issue a successor and mark this token used.
    Rotate,
    /// A retry within the grace window: replace the unseen successor with a new one.
    RetryWithinGrace,
    /// Reuse of a used token: revoke the family.
    ReuseDetected,
    /// Expired, revoked, or another client's token: `invalid_grant`, family untouched.
    Reject,
}

impl RefreshPolicy {
    pub fn decide(&self, t: &PresentedToken, now: OffsetDateTime) -> Rotation {
        // RFC 6749 §6: the refresh token must have been issued to the authenticated client.
        // Another client holding it is refused without touching the family.
        if !t.client_matches || t.family_revoked {
            return Rotation::Reject;
        }
        match t.used_at {
            None if now >= t.idle_expires_at || now >= t.family_expires_at => Rotation::Reject,
            None => Rotation::Rotate,
            Some(used) => {
                let within = self.grace.is_positive() && now - used <= self.grace;
                if within && !t.successor_used && now < t.family_expires_at {
                    Rotation::RetryWithinGrace
                } else {
                    Rotation::ReuseDetected
                }
            }
        }
    }

    /// When a token issued now expires from disuse: never past the family's absolute end, so
    /// rotation can never extend a family's life.
    pub fn idle_expiry(&self, now: OffsetDateTime, family_expires_at: OffsetDateTime) -> OffsetDateTime {
        (now + self.idle).min(family_expires_at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn fresh(now: OffsetDateTime) -> PresentedToken {
        PresentedToken {
            used_at: None,
            successor_used: false,
            idle_expires_at: now + Duration::days(14),
            family_expires_at: now + Duration::days(30),
            family_revoked: false,
            client_matches: true,
        }
    }

    #[test]
    fn decisions() {
        let p = RefreshPolicy::default();
        let now = datetime!(2026-01-01 0:00 UTC);
        assert_eq!(p.decide(&fresh(now), now), Rotation::Rotate);
        let used = PresentedToken { used_at: Some(now), ..fresh(now) };
        assert_eq!(p.decide(&used, now + Duration::seconds(3)), Rotation::RetryWithinGrace);
        assert_eq!(p.decide(&used, now + Duration::seconds(6)), Rotation::ReuseDetected);
        let successor_used = PresentedToken { successor_used: true, ..used.clone() };
        assert_eq!(p.decide(&successor_used, now + Duration::seconds(1)), Rotation::ReuseDetected);
        let strict = RefreshPolicy { grace: Duration::ZERO, ..p };
        assert_eq!(strict.decide(&used, now), Rotation::ReuseDetected);
        let other = PresentedToken { client_matches: false, ..used };
        assert_eq!(p.decide(&other, now), Rotation::Reject);
        assert_eq!(p.decide(&fresh(now), now + Duration::days(14)), Rotation::Reject);
        let revoked = PresentedToken { family_revoked: true, ..fresh(now) };
        assert_eq!(p.decide(&revoked, now), Rotation::Reject);
    }

    /// The edges: a retry exactly at the end of the grace window is still one; nothing is
    /// rotated or retried once the family's absolute lifetime is over, to the second.
    #[test]
    fn boundaries_are_exact() {
        let p = RefreshPolicy::default();
        let now = datetime!(2026-01-01 0:00 UTC);
        let used = PresentedToken { used_at: Some(now), ..fresh(now) };
        assert_eq!(p.decide(&used, now + p.grace), Rotation::RetryWithinGrace);
        assert_eq!(p.decide(&used, now + p.grace + Duration::seconds(1)), Rotation::ReuseDetected);
        let ending = PresentedToken { family_expires_at: now + Duration::seconds(2), ..used };
        assert_eq!(p.decide(&ending, now + Duration::seconds(1)), Rotation::RetryWithinGrace);
        assert_eq!(p.decide(&ending, now + Duration::seconds(2)), Rotation::ReuseDetected);
        let last_second = PresentedToken { family_expires_at: now + Duration::seconds(1), ..fresh(now) };
        assert_eq!(p.decide(&last_second, now), Rotation::Rotate);
        assert_eq!(p.decide(&last_second, now + Duration::seconds(1)), Rotation::Reject);
    }

    #[test]
    fn rotation_never_extends_family() {
        let p = RefreshPolicy::default();
        let start = datetime!(2026-01-01 0:00 UTC);
        let end = start + p.absolute;
        assert_eq!(p.idle_expiry(start + Duration::days(25), end), end);
        assert_eq!(p.idle_expiry(start, end), start + p.idle);
    }
}
