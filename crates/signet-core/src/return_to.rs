//! Where to send the browser after login: only paths on this origin.

/// A same-origin path such as `/account?tab=x`. Built only by [`ReturnTo::parse`], which refuses
/// anything a browser could resolve to another origin (open redirect, CWE-601): absolute URLs,
/// scheme-relative `//host`, backslash tricks `/\host` (browsers treat `\` as `/`), and control
/// characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReturnTo(String);

impl ReturnTo {
    pub fn parse(input: &str) -> Option<Self> {
        let ok = input.starts_with('/')
            && !input.starts_with("//")
            && !input.starts_with("/\\")
            && !input.contains('\\')
            && input.len() <= 2048
            && !input.chars().any(|c| c.is_control() || c.is_whitespace());
        ok.then(|| Self(input.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Default for ReturnTo {
    fn default() -> Self {
        Self("/account".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whitespace_and_control_characters_refused_each() {
        assert_eq!(ReturnTo::parse("/account?x=1").map(|r| r.as_str().to_owned()), Some("/account?x=1".into()));
        assert!(ReturnTo::parse("/a b").is_none(), "whitespace");
        assert!(ReturnTo::parse("/a\u{7}b").is_none(), "a control character");
    }

    #[test]
    fn only_local_paths() {
        assert!(ReturnTo::parse("/account").is_some());
        assert!(ReturnTo::parse("/oauth2/authorize?req=abc").is_some());
        for bad in [
            "https://evil.example",
            "//evil.example",
            "/\\evil.example",
            "\\\\evil.example",
            "/\t/evil.example",
            "javascript:alert(1)",
            "account",
            "/a\nb",
            "",
        ] {
            assert_eq!(ReturnTo::parse(bad), None, "{bad:?}");
        }
    }
}
