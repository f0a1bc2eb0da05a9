//! `[branding]`: what the pages call the service and how they look. Files (logo, favicon, a
//! replacement stylesheet) come from `static_dir`, so pages never load anything from a third
//! party (no tracking of who signs in, and the page CSP stays `'self'`).

use std::path::PathBuf;

use serde::Deserialize;

use super::ConfigError;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BrandingConfig {
    /// The name in the header, page titles and copy ("Sign out of …?").
    pub product_name: String,
    /// A file in `static_dir` shown in the header beside the name (SVG, PNG, WebP, JPEG).
    pub logo: Option<String>,
    /// A file in `static_dir` used as the favicon (default: a built-in icon).
    pub favicon: Option<String>,
    /// The accent colour, `#rrggbb`. Buttons get white or near-black text, whichever meets
    /// WCAG AA on it; links are darkened (light mode) or lightened (dark mode) until they do.
    pub accent_color: Option<String>,
    /// Linked in every page's footer when set.
    pub support_url: Option<String>,
    pub terms_url: Option<String>,
    pub privacy_url: Option<String>,
    /// Templates here replace the built-in ones of the same name (`login.html`, `base.html`, …;
    /// see the README for the list and the variables each receives).
    pub templates_dir: Option<PathBuf>,
    /// Files here are served under `/static/NAME`; `signet.css` or `passkey.js` here replace
    /// the built-in ones.
    pub static_dir: Option<PathBuf>,
}

impl Default for BrandingConfig {
    fn default() -> Self {
        Self {
            product_name: "Signet".into(),
            logo: None,
            favicon: None,
            accent_color: None,
            support_url: None,
            terms_url: None,
            privacy_url: None,
            templates_dir: None,
            static_dir: None,
        }
    }
}

/// `#rrggbb` as three bytes.
pub fn parse_hex_colour(s: &str) -> Option<[u8; 3]> {
    let h = s.strip_prefix('#')?;
    if h.len() != 6 || !h.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let byte = |i: usize| u8::from_str_radix(&h[i..i + 2], 16).ok();
    Some([byte(0)?, byte(2)?, byte(4)?])
}

/// A file name served under `/static/`: letters, digits, `.`, `-`, `_`; no leading dot.
pub fn is_static_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && !s.starts_with('.')
        && s.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
}

impl BrandingConfig {
    pub(super) fn validate(&self) -> Result<(), ConfigError> {
        let name = self.product_name.trim();
        if name.is_empty() || name.chars().count() > 64 || name.chars().any(char::is_control) {
            return Err(ConfigError::new("branding.product_name", "must be 1 to 64 characters, no control characters"));
        }
        if let Some(c) = &self.accent_color {
            parse_hex_colour(c).ok_or_else(|| {
                ConfigError::new("branding.accent_color", format!("{c:?} is not a colour like #2454d6"))
            })?;
        }
        for (key, v) in [("branding.logo", &self.logo), ("branding.favicon", &self.favicon)] {
            let Some(v) = v else { continue };
            if !is_static_name(v) {
                return Err(ConfigError::new(key, format!("{v:?}: a file name in branding.static_dir, like logo.svg")));
            }
            if self.static_dir.is_none() {
                return Err(ConfigError::new(key, "needs branding.static_dir, the directory the file is in"));
            }
        }
        for (key, v) in [
            ("branding.support_url", &self.support_url),
            ("branding.terms_url", &self.terms_url),
            ("branding.privacy_url", &self.privacy_url),
        ] {
            let Some(v) = v else { continue };
            let ok = url::Url::parse(v).is_ok_and(|u| matches!(u.scheme(), "https" | "http" | "mailto"));
            if !ok {
                return Err(ConfigError::new(key, format!("{v:?} is not an https:, http: or mailto: URL")));
            }
        }
        for (key, dir) in [("branding.templates_dir", &self.templates_dir), ("branding.static_dir", &self.static_dir)] {
            if let Some(d) = dir {
                if !d.is_dir() {
                    return Err(ConfigError::new(key, format!("{} is not a directory", d.display())));
                }
            }
        }
        Ok(())
    }
}
