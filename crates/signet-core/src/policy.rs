//! Password policy per NIST SP 800-63B §5.1.1.2: length limits, no composition rules, and a
//! check against a list of commonly used or breached passwords.

use std::collections::HashSet;

use crate::secret::Password;

/// The 11,600 most common passwords of 8 or more characters, from the zxcvbn frequency lists
/// (MIT licence, Dropbox). Shorter ones already fail the length rule.
const COMMON_PASSWORDS: &str = include_str!("../data/common-passwords.txt");

/// NIST SP 800-63B §5.1.1.2: memorized secrets SHALL be at least 8 characters.
pub const ABSOLUTE_MIN_LENGTH: usize = 8;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyViolation {
    #[error("Password must be at least {0} characters long.")]
    TooShort(usize),
    #[error("Password must be at most {0} characters long.")]
    TooLong(usize),
    #[error("This password is too common and easy to guess. Choose another.")]
    Common,
    #[error("Password must not be the same as your email address.")]
    SameAsEmail,
}

#[derive(Debug, Clone)]
pub struct PasswordPolicy {
    min_length: usize,
    max_length: usize,
    common: HashSet<&'static str>,
}

impl PasswordPolicy {
    /// Loads the bundled list into a hash set once, at start-up.
    pub fn new(min_length: usize, max_length: usize) -> Self {
        Self {
            min_length: min_length.max(ABSOLUTE_MIN_LENGTH),
            max_length,
            common: COMMON_PASSWORDS.lines().filter(|l| !l.is_empty()).collect(),
        }
    }

    pub fn min_length(&self) -> usize {
        self.min_length
    }

    /// Checks a new password. Length counts Unicode scalar values, not bytes (§5.1.1.2).
    pub fn check(&self, password: &Password, email: &str) -> Result<(), PolicyViolation> {
        let p = password.expose();
        let len = p.chars().count();
        if len < self.min_length {
            return Err(PolicyViolation::TooShort(self.min_length));
        }
        if len > self.max_length {
            return Err(PolicyViolation::TooLong(self.max_length));
        }
        let lowered = p.to_lowercase();
        if self.common.contains(lowered.as_str()) {
            return Err(PolicyViolation::Common);
        }
        // §5.1.1.2: context-specific words, such as the user name, SHOULD be rejected.
        if lowered == email.to_lowercase() {
            return Err(PolicyViolation::SameAsEmail);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_bounds_inclusive() {
        let p = PasswordPolicy::new(8, 128);
        let word =
            |n: usize| Password::new("correct horse battery staple ".repeat(5).chars().take(n).collect::<String>());
        assert!(p.check(&word(128), "a@example.com").is_ok(), "exactly the maximum");
        assert!(matches!(p.check(&word(129), "a@example.com"), Err(PolicyViolation::TooLong(128))));
        assert!(p.check(&Password::new("tq9#vLm2"), "a@example.com").is_ok(), "exactly the minimum");
        assert!(matches!(p.check(&Password::new("tq9#vLm"), "a@example.com"), Err(PolicyViolation::TooShort(8))));
    }

    #[test]
    fn rules() {
        let p = PasswordPolicy::new(8, 128);
        assert_eq!(p.check(&Password::new("short"), "a@b.c"), Err(PolicyViolation::TooShort(8)));
        assert_eq!(p.check(&Password::new("x".repeat(129)), "a@b.c"), Err(PolicyViolation::TooLong(128)));
        assert_eq!(p.check(&Password::new("Password1"), "a@b.c"), Err(PolicyViolation::Common));
        assert_eq!(p.check(&Password::new("iloveyou"), "a@b.c"), Err(PolicyViolation::Common));
        assert_eq!(p.check(&Password::new("me@example.com"), "ME@example.com"), Err(PolicyViolation::SameAsEmail));
        assert_eq!(p.check(&Password::new("tangerine-kayak-42"), "a@b.c"), Ok(()));
        // 8 characters of 2 bytes each is long enough.
        assert_eq!(p.check(&Password::new("ééééßßßß"), "a@b.c"), Ok(()));
    }

    #[test]
    fn minimum_cannot_go_below_nist() {
        assert_eq!(PasswordPolicy::new(4, 128).min_length(), 8);
    }
}
