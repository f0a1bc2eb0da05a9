//! Browser-session lifetime rules (OWASP Session Management Cheat Sheet: idle and absolute
//! timeouts enforced server-side).

use time::{Duration, OffsetDateTime};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionTimeouts {
    pub idle: Duration,
    pub absolute: Duration,
}

impl Default for SessionTimeouts {
    fn default() -> Self {
        Self { idle: Duration::minutes(30), absolute: Duration::hours(24) }
    }
}

/// Why a session is no longer valid, if it is not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expiry {
    Valid,
    Idle,
    Absolute,
}

impl SessionTimeouts {
    pub fn check(&self, created_at: OffsetDateTime, last_seen_at: OffsetDateTime, now: OffsetDateTime) -> Expiry {
        if now >= created_at + self.absolute {
            Expiry::Absolute
        } else if now >= last_seen_at + self.idle {
            Expiry::Idle
        } else {
            Expiry::Valid
        }
    }

    /// `last_seen_at` is written at most this often, so a busy page does not write on every
    /// request; the idle timeout stays exact to within this granularity.
    pub fn touch_interval(&self) -> Duration {
        let d: Duration = self.idle / 30;
        d.clamp(Duration::seconds(1), Duration::seconds(60))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn touch_interval_is_a_thirtieth_of_idle_within_bounds() {
        let t = |idle| SessionTimeouts { idle, absolute: Duration::hours(24) }.touch_interval();
        assert_eq!(t(Duration::minutes(15)), Duration::seconds(30));
        assert_eq!(t(Duration::hours(2)), Duration::seconds(60));
        assert_eq!(t(Duration::seconds(10)), Duration::seconds(1));
    }
    use time::macros::datetime;

    #[test]
    fn idle_and_absolute() {
        let t = SessionTimeouts::default();
        let start = datetime!(2026-01-01 0:00 UTC);
        assert_eq!(t.check(start, start, start + Duration::minutes(29)), Expiry::Valid);
        assert_eq!(t.check(start, start, start + Duration::minutes(30)), Expiry::Idle);
        let busy = start + Duration::hours(23) + Duration::minutes(59);
        assert_eq!(t.check(start, busy, busy), Expiry::Valid);
        assert_eq!(t.check(start, busy, start + Duration::hours(24)), Expiry::Absolute);
    }
}
