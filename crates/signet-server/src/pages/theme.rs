//! The operator's theme: colours that keep WCAG AA contrast whatever accent is configured, and
//! the static files (`/static/NAME`) with the operator's replacements.

use std::collections::HashMap;
use std::sync::Arc;

use crate::config::{is_static_name, parse_hex_colour, BrandingConfig};

/// Built-in static files: (name, content type, bytes).
const BUILTIN: &[(&str, &str, &[u8])] = &[
    ("signet.css", "text/css; charset=utf-8", include_bytes!("templates/signet.css")),
    ("passkey.js", "text/javascript; charset=utf-8", include_bytes!("templates/passkey.js")),
    ("signet.js", "text/javascript; charset=utf-8", include_bytes!("templates/signet.js")),
    ("favicon.svg", "image/svg+xml", include_bytes!("templates/favicon.svg")),
];

/// The default accent (light mode); dark mode derives its own from it.
pub const DEFAULT_ACCENT: [u8; 3] = [0x24, 0x54, 0xd6];
/// Page and card backgrounds of the light and dark palettes (signet.css).
const LIGHT_BACKGROUNDS: [[u8; 3]; 2] = [[0xff, 0xff, 0xff], [0xf6, 0xf7, 0xf9]];
const DARK_BACKGROUNDS: [[u8; 3]; 2] = [[0x1b, 0x1f, 0x24], [0x11, 0x14, 0x18]];
const NEAR_BLACK: [u8; 3] = [0x11, 0x14, 0x18];
const WHITE: [u8; 3] = [0xff, 0xff, 0xff];
/// WCAG 2.x AA for normal text (SC 1.4.3).
pub const AA: f64 = 4.5;

/// A static file as served.
#[derive(Debug, Clone)]
pub struct StaticFile {
    pub content_type: &'static str,
    pub bytes: Arc<[u8]>,
}

/// WCAG 2.x relative luminance.
pub fn luminance(c: [u8; 3]) -> f64 {
    let ch = |v: u8| {
        let s = f64::from(v) / 255.0;
        if s <= 0.04045 {
            s / 12.92
        } else {
            ((s + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * ch(c[0]) + 0.7152 * ch(c[1]) + 0.0722 * ch(c[2])
}

/// WCAG 2.x contrast ratio, 1 to 21.
pub fn contrast(a: [u8; 3], b: [u8; 3]) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

fn mix(c: [u8; 3], toward: [u8; 3], t: f64) -> [u8; 3] {
    let m = |a: u8, b: u8| (f64::from(a) + (f64::from(b) - f64::from(a)) * t).round().clamp(0.0, 255.0) as u8;
    [m(c[0], toward[0]), m(c[1], toward[1]), m(c[2], toward[2])]
}

/// `c`, moved toward `toward` in small steps until it reaches AA against every background.
fn until_readable(c: [u8; 3], toward: [u8; 3], backgrounds: &[[u8; 3]]) -> [u8; 3] {
    (0..=50)
        .map(|i| mix(c, toward, f64::from(i) / 50.0))
        .find(|m| backgrounds.iter().all(|bg| contrast(*m, *bg) >= AA))
        .unwrap_or(toward)
}

/// Text on a filled accent: white or near-black, whichever contrasts more (one of them always
/// reaches 4.5:1).
fn text_on(c: [u8; 3]) -> [u8; 3] {
    if contrast(WHITE, c) >= contrast(NEAR_BLACK, c) {
        WHITE
    } else {
        NEAR_BLACK
    }
}

pub fn hex(c: [u8; 3]) -> String {
    format!("#{:02x}{:02x}{:02x}", c[0], c[1], c[2])
}

/// The accent palette for an operator's colour, as CSS custom properties for light and dark mode.
pub struct Palette {
    pub light_accent: [u8; 3],
    pub light_on_accent: [u8; 3],
    pub dark_accent: [u8; 3],
    pub dark_on_accent: [u8; 3],
}

impl Palette {
    pub fn for_accent(accent: [u8; 3]) -> Self {
        let light = until_readable(accent, NEAR_BLACK, &LIGHT_BACKGROUNDS);
        let dark = until_readable(accent, WHITE, &DARK_BACKGROUNDS);
        Self { light_accent: light, light_on_accent: text_on(light), dark_accent: dark, dark_on_accent: text_on(dark) }
    }

    pub fn css(&self) -> String {
        format!(
            "\n/* accent (generated from branding.accent_color; every pair meets WCAG AA) */\n\
             :root {{ --accent: {}; --on-accent: {}; }}\n\
             @media (prefers-color-scheme: dark) {{ :root {{ --accent: {}; --on-accent: {}; }} }}\n",
            hex(self.light_accent),
            hex(self.light_on_accent),
            hex(self.dark_accent),
            hex(self.dark_on_accent)
        )
    }
}

fn content_type(name: &str) -> Option<&'static str> {
    let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase())?;
    Some(match ext.as_str() {
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "txt" => "text/plain; charset=utf-8",
        _ => return None,
    })
}

/// Largest file and most files taken from `static_dir` (everything is held in memory).
const MAX_STATIC_BYTES: u64 = 1024 * 1024;
const MAX_STATIC_FILES: usize = 64;

/// The files under `/static/`: built-ins, the operator's replacements and additions, and the
/// accent palette appended to the built-in stylesheet (an operator's own stylesheet is used
/// as it is).
pub fn static_files(b: &BrandingConfig) -> anyhow::Result<HashMap<String, StaticFile>> {
    let mut files: HashMap<String, StaticFile> = BUILTIN
        .iter()
        .map(|(n, t, bytes)| ((*n).to_owned(), StaticFile { content_type: t, bytes: Arc::from(*bytes) }))
        .collect();
    let accent = b.accent_color.as_deref().and_then(parse_hex_colour).unwrap_or(DEFAULT_ACCENT);
    let css = format!("{}{}", include_str!("templates/signet.css"), Palette::for_accent(accent).css());
    files.insert(
        "signet.css".into(),
        StaticFile { content_type: "text/css; charset=utf-8", bytes: Arc::from(css.into_bytes()) },
    );
    let Some(dir) = &b.static_dir else { return Ok(files) };
    let entries = std::fs::read_dir(dir).map_err(|e| anyhow::anyhow!("branding.static_dir {}: {e}", dir.display()))?;
    let mut count = 0;
    for entry in entries {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if !entry.file_type()?.is_file() || name.starts_with('.') {
            continue;
        }
        let (true, Some(ct)) = (is_static_name(&name), content_type(&name)) else {
            anyhow::bail!(
                "branding.static_dir: {name:?} is not served (names: letters, digits, . - _; types: css js svg png jpg webp ico woff2 txt)"
            );
        };
        if entry.metadata()?.len() > MAX_STATIC_BYTES {
            anyhow::bail!("branding.static_dir: {name} is larger than 1 MiB");
        }
        count += 1;
        if count > MAX_STATIC_FILES {
            anyhow::bail!("branding.static_dir: more than {MAX_STATIC_FILES} files");
        }
        let bytes = std::fs::read(entry.path())?;
        files.insert(name, StaticFile { content_type: ct, bytes: Arc::from(bytes) });
    }
    for (key, name) in [("branding.logo", &b.logo), ("branding.favicon", &b.favicon)] {
        if let Some(n) = name {
            if !files.contains_key(n) {
                anyhow::bail!("{key}: {n} is not in branding.static_dir ({})", dir.display());
            }
        }
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_accent_keeps_aa_contrast() {
        // Operator colours from pale to dark, including the failing dark-mode blue of old.
        for accent in [
            [0xff, 0xff, 0x00],
            [0xff, 0xff, 0xff],
            [0x00, 0x00, 0x00],
            [0x7a, 0xa2, 0xff],
            [0x24, 0x54, 0xd6],
            [0xe9, 0x1e, 0x63],
            [0x00, 0x96, 0x88],
            [0x80, 0x80, 0x80],
        ] {
            let p = Palette::for_accent(accent);
            for bg in LIGHT_BACKGROUNDS {
                assert!(contrast(p.light_accent, bg) >= AA, "{accent:?} light link");
            }
            for bg in DARK_BACKGROUNDS {
                assert!(contrast(p.dark_accent, bg) >= AA, "{accent:?} dark link");
            }
            assert!(contrast(p.light_on_accent, p.light_accent) >= AA, "{accent:?} light button");
            assert!(contrast(p.dark_on_accent, p.dark_accent) >= AA, "{accent:?} dark button");
        }
        // A colour that already passes is kept as it is.
        assert_eq!(Palette::for_accent(DEFAULT_ACCENT).light_accent, DEFAULT_ACCENT);
    }

    #[test]
    fn wcag_reference_values() {
        assert!((contrast(WHITE, [0, 0, 0]) - 21.0).abs() < 1e-9);
        assert!((contrast(WHITE, WHITE) - 1.0).abs() < 1e-9);
        // The old dark-mode pair axe flagged: white on #7aa2ff is about 2.5:1.
        assert!((contrast(WHITE, [0x7a, 0xa2, 0xff]) - 2.5).abs() < 0.1);
    }
}
