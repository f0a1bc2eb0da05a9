//! Device authorization grant rules (RFC 8628).

use time::{Duration, OffsetDateTime};

use crate::secret::random_bytes;

/// RFC 8628 §6.1: consonants only (no vowels, so no words; no 0/O or 1/I confusion). 20
/// letters, 8 of them: ~34.5 bits, with guessing rate-limited per user.
pub const USER_CODE_ALPHABET: &[u8] = b"BCDFGHJKLMNPQRSTVWXZ";

/// A fresh user code, 8 letters, unbiased (rejection sampling).
pub fn new_user_code() -> String {
    let mut out = String::with_capacity(8);
    while out.len() < 8 {
        for b in random_bytes::<16>() {
            // 240 = 12 × 20: bytes at or above it would bias the first letters.
            if b < 240 && out.len() < 8 {
                out.push(USER_CODE_ALPHABET[(b % 20) as usize] as char);
            }
        }
    }
    out
}

/// `WDJB-MJHT` for display.
pub fn display_user_code(code: &str) -> String {
    if code.len() == 8 {
        format!("{}-{}", &code[..4], &code[4..])
    } else {
        code.to_owned()
    }
}

/// What the user typed, normalised: case and separators do not matter (RFC 8628 §6.1).
pub fn normalize_user_code(input: &str) -> String {
    input.chars().filter(|c| c.is_ascii_alphabetic()).map(|c| c.to_ascii_uppercase()).take(16).collect()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeviceStatus {
    Pending,
    Approved,
    Denied,
    Redeemed,
}

impl DeviceStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Approved => "approved",
            Self::Denied => "denied",
            Self::Redeemed => "redeemed",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "pending" => Self::Pending,
            "approved" => Self::Approved,
            "denied" => Self::Denied,
            "redeemed" => Self::Redeemed,
            _ => return None,
        })
    }
}

/// The answer to one poll of the token endpoint (RFC 8628 §3.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Poll {
    /// `authorization_pending`
    Pending,
    /// `slow_down`: polled faster than the interval; the interval grows by 5 s.
    SlowDown { new_interval: i64 },
    /// Issue tokens.
    Approved,
    /// `access_denied`
    Denied,
    /// `expired_token`
    Expired,
    /// Already redeemed: `invalid_grant`.
    Used,
}

pub fn poll(
    status: DeviceStatus,
    expires_at: OffsetDateTime,
    last_poll: Option<OffsetDateTime>,
    interval: i64,
    now: OffsetDateTime,
) -> Poll {
    match status {
        DeviceStatus::Redeemed => return Poll::Used,
        DeviceStatus::Denied => return Poll::Denied,
        _ if now >= expires_at => return Poll::Expired,
        DeviceStatus::Approved => return Poll::Approved,
        DeviceStatus::Pending => {}
    }
    match last_poll {
        Some(t) if now - t < Duration::seconds(interval) => Poll::SlowDown { new_interval: interval + 5 },
        _ => Poll::Pending,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn status_names_round_trip() {
        for (status, name) in [
            (DeviceStatus::Pending, "pending"),
            (DeviceStatus::Approved, "approved"),
            (DeviceStatus::Denied, "denied"),
            (DeviceStatus::Redeemed, "redeemed"),
        ] {
            assert_eq!(status.as_str(), name);
            assert_eq!(DeviceStatus::parse(name), Some(status));
        }
        assert_eq!(DeviceStatus::parse("Pending"), None);
        assert_eq!(DeviceStatus::parse(""), None);
    }

    #[test]
    fn user_codes() {
        let c = new_user_code();
        assert_eq!(c.len(), 8);
        assert!(c.bytes().all(|b| USER_CODE_ALPHABET.contains(&b)));
        assert_eq!(normalize_user_code(" wdjb-mjht "), "WDJBMJHT");
        assert_eq!(display_user_code("WDJBMJHT"), "WDJB-MJHT");
    }

    /// Every letter appears about equally often: rejection sampling keeps the first letters
    /// from being favoured (a byte of 240 or more is dropped; 240 = 12 × 20).
    #[test]
    fn user_codes_are_unbiased() {
        let mut counts = [0u32; 20];
        let n = 20_000;
        for _ in 0..n {
            let code = new_user_code();
            assert_eq!(code.len(), 8);
            for c in code.bytes() {
                let i = USER_CODE_ALPHABET.iter().position(|&a| a == c).expect("alphabet letter");
                counts[i] += 1;
            }
        }
        let expected = n * 8 / 20; // 8000, standard deviation ~87
        for (i, &c) in counts.iter().enumerate() {
            assert!(c.abs_diff(expected) < 600, "letter {i}: {c} of ~{expected}");
        }
        // Keeping byte 240 would give the first letter 13/241 instead of 12/240 of the draws
        // (~8630 instead of 8000): more than 4 standard deviations.
        assert!(counts[0].abs_diff(expected) < 350, "first letter: {}", counts[0]);
    }

    #[test]
    fn polling() {
        let t = datetime!(2026-01-01 0:00 UTC);
        let exp = t + Duration::minutes(10);
        assert_eq!(poll(DeviceStatus::Pending, exp, None, 5, t), Poll::Pending);
        assert_eq!(
            poll(DeviceStatus::Pending, exp, Some(t), 5, t + Duration::seconds(2)),
            Poll::SlowDown { new_interval: 10 }
        );
        assert_eq!(poll(DeviceStatus::Pending, exp, Some(t), 5, t + Duration::seconds(5)), Poll::Pending);
        assert_eq!(poll(DeviceStatus::Approved, exp, Some(t), 5, t + Duration::seconds(1)), Poll::Approved);
        assert_eq!(poll(DeviceStatus::Denied, exp, None, 5, t), Poll::Denied);
        assert_eq!(poll(DeviceStatus::Pending, exp, None, 5, exp), Poll::Expired);
        assert_eq!(poll(DeviceStatus::Redeemed, exp, None, 5, t), Poll::Used);
    }
}
