//! Email addresses as account identifiers.

/// An email address, trimmed and lower-cased so that `Ann@Example.com` and `ann@example.com`
/// are one account. Deliberately permissive in the local part (RFC 5321 §4.1.2 allows much);
/// strict where it matters for safety: no whitespace or control characters, one `@`, a dotted
/// domain, length ≤ 254 (RFC 5321 §4.5.3.1).
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
pub struct Email(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Enter a valid email address, like name@example.com.")]
pub struct InvalidEmail;

impl Email {
    pub fn parse(input: &str) -> Result<Self, InvalidEmail> {
        let s = input.trim().to_lowercase();
        if s.is_empty() || s.len() > 254 || s.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(InvalidEmail);
        }
        let (local, domain) = s.split_once('@').ok_or(InvalidEmail)?;
        if local.is_empty() || local.len() > 64 || domain.contains('@') {
            return Err(InvalidEmail);
        }
        let labels_ok = domain
            .split('.')
            .all(|l| !l.is_empty() && !l.starts_with('-') && !l.ends_with('-') && !l.contains(['<', '>', '"', '\'']));
        if !labels_ok || !domain.contains('.') {
            return Err(InvalidEmail);
        }
        Ok(Self(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Email {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 5321 §4.5.3.1: at most 64 octets of local part and 254 in all, both inclusive.
    #[test]
    fn length_limits_are_exact() {
        let domain = format!("{}.{}.{}.{}", "b".repeat(60), "c".repeat(60), "d".repeat(60), "e".repeat(6));
        let longest = format!("{}@{domain}", "a".repeat(64));
        assert_eq!(longest.len(), 254);
        assert!(Email::parse(&longest).is_ok());
        assert!(Email::parse(&format!("{}@{domain}x", "a".repeat(64))).is_err(), "255 in all");
        assert!(Email::parse(&format!("{}@ex.com", "a".repeat(65))).is_err(), "65 in the local part");
        assert!(Email::parse(&format!("{}@{}.com", "a".repeat(10), "b".repeat(300))).is_err(), "long domain");
        assert!(Email::parse("").is_err() && Email::parse("   ").is_err());
    }

    #[test]
    fn parses_and_normalises() {
        assert_eq!(Email::parse("  Ann@Example.COM ").map(|e| e.0), Ok("ann@example.com".into()));
        assert_eq!(Email::parse("a+tag@sub.example.org").map(|e| e.0), Ok("a+tag@sub.example.org".into()));
        for bad in ["", "ann", "ann@", "@example.com", "a@b", "a b@example.com", "a@b@c.com", "a@-x.com", "a@x..com"] {
            assert_eq!(Email::parse(bad), Err(InvalidEmail), "{bad}");
        }
    }
}
