//! Choosing the language of a page: the OIDC `ui_locales` parameter (OIDC Core §3.1.2.1), then
//! the language the user picked (a cookie), then `Accept-Language` (RFC 9110 §12.5.4). Tags
//! are matched by RFC 4647 §3.4 lookup: `de-CH-1996` tries `de-ch-1996`, `de-ch`, then `de`.

/// The first of `supported` (lower-case tags such as `en`, `de`) the request asks for, in the
/// order above; `None` when none matches (the caller's default applies).
pub fn negotiate<'a>(
    supported: &[&'a str],
    ui_locales: Option<&str>,
    cookie: Option<&str>,
    accept_language: Option<&str>,
) -> Option<&'a str> {
    // ui_locales: space-separated tags, most preferred first.
    let from_ui = ui_locales.and_then(|v| v.split(' ').find_map(|t| lookup(supported, t)));
    from_ui
        .or_else(|| cookie.and_then(|c| lookup(supported, c)))
        .or_else(|| accept_language.and_then(|h| by_quality(h).into_iter().find_map(|t| lookup(supported, t))))
}

/// RFC 4647 §3.4 lookup of one tag: the tag, then shorter and shorter prefixes.
pub fn lookup<'a>(supported: &[&'a str], tag: &str) -> Option<&'a str> {
    let tag = tag.trim();
    if tag.is_empty() || tag.len() > 35 || !tag.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return None;
    }
    let tag = tag.to_ascii_lowercase();
    let mut t = tag.as_str();
    loop {
        if let Some(s) = supported.iter().find(|s| s.eq_ignore_ascii_case(t)) {
            return Some(s);
        }
        // Drop the last subtag, and a single-letter one left before it (RFC 4647 §3.4 step 2).
        let cut = t.rfind('-')?;
        t = &t[..cut];
        if t.len() >= 2 && t.as_bytes()[t.len() - 2] == b'-' {
            t = &t[..t.len() - 2];
        }
    }
}

/// The tags of an `Accept-Language` value, highest quality first (ties keep their order);
/// `q=0` means "not this one" and `*` matches nothing in particular.
fn by_quality(header: &str) -> Vec<&str> {
    let mut tags: Vec<(u16, &str)> = header
        .split(',')
        .take(32)
        .filter_map(|item| {
            let mut parts = item.split(';');
            let tag = parts.next()?.trim();
            let q = parts
                .find_map(|p| p.trim().strip_prefix("q=").or_else(|| p.trim().strip_prefix("Q=")))
                .map_or(Some(1000), quality)?;
            (q > 0 && tag != "*").then_some((q, tag))
        })
        .collect();
    tags.sort_by_key(|t| std::cmp::Reverse(t.0));
    tags.into_iter().map(|(_, t)| t).collect()
}

/// A qvalue (RFC 9110 §12.4.2) in thousandths; `None` if malformed.
fn quality(s: &str) -> Option<u16> {
    let v: f32 = s.trim().parse().ok()?;
    (0.0..=1.0).contains(&v).then(|| (v * 1000.0).round() as u16)
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: &[&str] = &["en", "de", "fr"];

    #[test]
    fn order_ui_locales_then_cookie_then_header() {
        assert_eq!(negotiate(S, Some("fr-CA de"), Some("de"), Some("de")), Some("fr"));
        assert_eq!(negotiate(S, Some("ja"), Some("de"), Some("fr")), Some("de"));
        assert_eq!(negotiate(S, None, Some("xx"), Some("fr")), Some("fr"));
        assert_eq!(negotiate(S, None, None, None), None);
        assert_eq!(negotiate(S, Some(""), None, Some("ja, zh")), None);
    }

    #[test]
    fn accept_language_by_quality() {
        assert_eq!(negotiate(S, None, None, Some("ja;q=0.9, de;q=0.5, fr;q=0.8")), Some("fr"));
        assert_eq!(negotiate(S, None, None, Some("de-AT,de;q=0.9,en;q=0.8")), Some("de"));
        assert_eq!(negotiate(S, None, None, Some("fr;q=0, de;q=0.1")), Some("de"));
        assert_eq!(negotiate(S, None, None, Some("*, fr;q=0.5")), Some("fr"));
        assert_eq!(negotiate(S, None, None, Some("de;q=2, fr")), Some("fr"), "a bad qvalue drops that tag");
        assert_eq!(negotiate(S, None, None, Some("EN-gb")), Some("en"));
    }

    #[test]
    fn rfc4647_lookup() {
        assert_eq!(lookup(S, "de-CH-1996"), Some("de"));
        assert_eq!(lookup(&["zh-hant", "en"], "zh-Hant-CN-x-private1"), Some("zh-hant"));
        assert_eq!(lookup(S, "d"), None);
        assert_eq!(lookup(S, "de\u{0}"), None);
        assert_eq!(lookup(S, "<script>"), None);
        assert_eq!(lookup(S, ""), None);
    }
}
