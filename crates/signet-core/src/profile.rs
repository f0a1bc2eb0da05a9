//! A user's profile: the OpenID Connect standard claims of the `profile` scope (OIDC Core §5.1,
//! §5.4) that a user edits on `/account/profile` and an operator sets from the CLI.
//!
//! Every field is optional; an empty input clears it. Values are checked here so that what
//! reaches a token or a page is well-formed: no control characters, bounded lengths, `picture`
//! an `https` URL (OIDC Core §5.1: a URL of an image), `locale` a BCP 47 tag (RFC 5646),
//! `zoneinfo` a zoneinfo name such as `Europe/Paris`.

use serde::{Deserialize, Serialize};

/// The longest value of a name-like field, in characters.
pub const MAX_NAME: usize = 100;
/// The longest `picture` URL.
pub const MAX_URL: usize = 2000;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub given_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nickname: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub picture: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zoneinfo: Option<String>,
}

/// The fields, in the order pages and the CLI list them.
pub const FIELDS: [&str; 7] = ["name", "given_name", "family_name", "nickname", "picture", "locale", "zoneinfo"];

/// Which field is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid {field}")]
pub struct InvalidProfile {
    pub field: &'static str,
}

impl Profile {
    /// The field called `name`, for reading and writing by name.
    pub fn field_mut(&mut self, name: &str) -> Option<&mut Option<String>> {
        Some(match name {
            "name" => &mut self.name,
            "given_name" => &mut self.given_name,
            "family_name" => &mut self.family_name,
            "nickname" => &mut self.nickname,
            "picture" => &mut self.picture,
            "locale" => &mut self.locale,
            "zoneinfo" => &mut self.zoneinfo,
            _ => return None,
        })
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        match name {
            "name" => self.name.as_deref(),
            "given_name" => self.given_name.as_deref(),
            "family_name" => self.family_name.as_deref(),
            "nickname" => self.nickname.as_deref(),
            "picture" => self.picture.as_deref(),
            "locale" => self.locale.as_deref(),
            "zoneinfo" => self.zoneinfo.as_deref(),
            _ => None,
        }
    }

    /// Sets a field from user input: trimmed, empty clears, checked.
    pub fn set(&mut self, name: &str, input: &str) -> Result<(), InvalidProfile> {
        let field = FIELDS.into_iter().find(|f| *f == name).ok_or(InvalidProfile { field: "field" })?;
        let value = input.trim();
        let slot = self.field_mut(field).ok_or(InvalidProfile { field })?;
        if value.is_empty() {
            *slot = None;
            return Ok(());
        }
        if !valid(field, value) {
            return Err(InvalidProfile { field });
        }
        *slot = Some(value.to_owned());
        Ok(())
    }

    pub fn is_empty(&self) -> bool {
        FIELDS.iter().all(|f| self.get(f).is_none())
    }

    /// The fields that are set, as claim name and value.
    pub fn claims(&self) -> impl Iterator<Item = (&'static str, &str)> {
        FIELDS.into_iter().filter_map(|f| self.get(f).map(|v| (f, v)))
    }
}

fn valid(field: &str, v: &str) -> bool {
    if v.chars().any(char::is_control) {
        return false;
    }
    match field {
        "picture" => {
            v.len() <= MAX_URL
                && url::Url::parse(v)
                    .is_ok_and(|u| u.scheme() == "https" && u.host_str().is_some() && u.password().is_none())
        }
        "locale" => valid_locale(v),
        "zoneinfo" => {
            v.len() <= 64
                && v.split('/')
                    .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric() || "_+-".contains(c)))
        }
        _ => v.chars().count() <= MAX_NAME,
    }
}

/// A BCP 47 language tag's shape (RFC 5646 §2.1): a 2–3 letter language, then subtags of 1–8
/// letters or digits, separated by hyphens (`en`, `de-CH`, `zh-Hant-TW`).
fn valid_locale(v: &str) -> bool {
    let mut parts = v.split('-');
    let lang_ok =
        parts.next().is_some_and(|l| (2..=3).contains(&l.len()) && l.chars().all(|c| c.is_ascii_alphabetic()));
    lang_ok
        && v.len() <= 35
        && parts.all(|p| (1..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_ordinary_values_and_clears_on_empty() {
        let mut p = Profile::default();
        p.set("name", "  Ann Example ").expect("valid");
        p.set("given_name", "Ann").expect("valid");
        p.set("picture", "https://img.example/ann.png").expect("valid");
        p.set("locale", "de-CH").expect("valid");
        p.set("zoneinfo", "America/Argentina/Buenos_Aires").expect("valid");
        assert_eq!(p.name.as_deref(), Some("Ann Example"));
        assert_eq!(p.claims().count(), 5);
        p.set("name", "").expect("valid");
        assert_eq!(p.name, None);
    }

    #[test]
    fn refuses_malformed_values() {
        let mut p = Profile::default();
        for (field, bad) in [
            ("name", "Ann\nBcc: x@evil.example"),
            ("name", &"x".repeat(MAX_NAME + 1)),
            ("picture", "http://img.example/a.png"),
            ("picture", "javascript:alert(1)"),
            ("picture", "https://user:pw@img.example/a.png"),
            ("locale", "english"),
            ("locale", "en_US"),
            ("zoneinfo", "Europe//Paris"),
            ("zoneinfo", "../etc/passwd"),
            ("email", "a@b.example"),
        ] {
            assert!(p.set(field, bad).is_err(), "{field}={bad:?} was accepted");
        }
        assert!(p.is_empty());
    }
}
