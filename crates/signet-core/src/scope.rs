//! OAuth scopes (RFC 6749 §3.3): a set of space-delimited tokens.

use std::collections::BTreeSet;

/// A set of scope tokens. Order and duplicates in the request do not matter (§3.3: "the
/// order does not matter"); the canonical form is sorted and space-joined.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scope(BTreeSet<String>);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("scope contains an invalid character")]
pub struct InvalidScope;

impl Scope {
    /// Parses `scope = scope-token *( SP scope-token )`, `scope-token = 1*( %x21 / %x23-5B /
    /// %x5D-7E )`. Extra spaces are tolerated; any other character is refused.
    pub fn parse(s: &str) -> Result<Self, InvalidScope> {
        let mut set = BTreeSet::new();
        for tok in s.split(' ').filter(|t| !t.is_empty()) {
            if !tok.bytes().all(|b| b == 0x21 || (0x23..=0x5B).contains(&b) || (0x5D..=0x7E).contains(&b)) {
                return Err(InvalidScope);
            }
            set.insert(tok.to_owned());
        }
        Ok(Self(set))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn is_subset_of(&self, other: &Scope) -> bool {
        self.0.is_subset(&other.0)
    }

    pub fn contains(&self, token: &str) -> bool {
        self.0.contains(token)
    }

    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(String::as_str)
    }

    /// The tokens for which `keep` is true.
    pub fn filter(&self, keep: impl Fn(&str) -> bool) -> Scope {
        Scope(self.0.iter().filter(|t| keep(t)).cloned().collect())
    }

    /// `self` with `token` added (it must be a valid scope token).
    pub fn with(&self, token: &str) -> Scope {
        let mut s = self.0.clone();
        s.insert(token.to_owned());
        Scope(s)
    }

    /// The tokens of `self` that are also in `allowed`.
    pub fn intersect(&self, allowed: &Scope) -> Scope {
        Scope(self.0.intersection(&allowed.0).cloned().collect())
    }
}

impl std::fmt::Display for Scope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut first = true;
        for t in &self.0 {
            if !first {
                f.write_str(" ")?;
            }
            f.write_str(t)?;
            first = false;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contains_iter_and_intersect() {
        let s = Scope::parse("openid email read").expect("scope");
        assert!(s.contains("email") && !s.contains("write") && !s.contains("emai"));
        let mut words: Vec<&str> = s.iter().collect();
        words.sort_unstable();
        assert_eq!(words, ["email", "openid", "read"]);
        let allowed = Scope::parse("openid read write").expect("allowed");
        assert_eq!(s.intersect(&allowed), Scope::parse("openid read").expect("both"));
    }

    #[test]
    fn parse_and_compare() {
        let s = Scope::parse("read  write read").expect("valid");
        assert_eq!(s.to_string(), "read write");
        assert!(Scope::parse("read").expect("valid").is_subset_of(&s));
        assert!(!Scope::parse("admin").expect("valid").is_subset_of(&s));
        assert_eq!(Scope::parse("a\"b"), Err(InvalidScope));
        assert_eq!(Scope::parse("a\\b"), Err(InvalidScope));
        assert_eq!(Scope::parse("é"), Err(InvalidScope));
        assert!(Scope::parse("").expect("empty ok").is_empty());
        assert_eq!(Scope::parse("api:read urn:x").expect("valid").to_string(), "api:read urn:x");
    }
}
