//! Redirect URIs: registration rules and matching (OAuth 2.1 §2.3.1, RFC 8252 §7.3/§8.3,
//! RFC 9700 §4.1.3). Matching is exact string comparison — no prefixes, no wildcards, no
//! normalisation — with one exception: for loopback IP redirect URIs of native apps, the port
//! may differ (RFC 8252 §7.3), because the app picks a free port at run time.

use url::{Host, Url};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct InvalidRedirectUri(pub &'static str);

/// The kind of issuer a redirect URI is registered with. A development issuer
/// (`http://localhost…`, `http://127.0.0.1…`: plain http on loopback) also accepts
/// `http://localhost:PORT/…` redirect URIs, the address every web framework's tutorial uses.
/// An https issuer never does: a name that can resolve anywhere must not receive codes over
/// plain http (RFC 8252 §8.3, RFC 9700 §4.1.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Issuer {
    #[default]
    Production,
    LoopbackDev,
}

/// Whether `uri` is a plain-http `localhost` URI, allowed only under a development issuer.
pub fn is_localhost_http(uri: &str) -> bool {
    Url::parse(uri).is_ok_and(|u| u.scheme() == "http" && u.host() == Some(Host::Domain("localhost")))
}

/// Checks a redirect URI for registration.
pub fn validate_registration(uri: &str, issuer: Issuer) -> Result<(), InvalidRedirectUri> {
    // The URL parser drops tabs and newlines silently, and the store keeps one URI per line:
    // "https://a/cb\nhttp://evil/x" would register a second URI. Refuse them outright.
    if uri.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(InvalidRedirectUri("must not contain whitespace or control characters"));
    }
    let u = Url::parse(uri).map_err(|_| InvalidRedirectUri("not an absolute URL"))?;
    if uri.contains('#') {
        return Err(InvalidRedirectUri("must not contain a fragment (RFC 6749 §3.1.2)"));
    }
    if !u.username().is_empty() || u.password().is_some() {
        return Err(InvalidRedirectUri("must not contain user information"));
    }
    match u.scheme() {
        "https" => Ok(()),
        // RFC 8252 §7.3 / §8.3: plain http only for loopback IP literals ("localhost" is
        // discouraged because it can be resolved elsewhere).
        "http" => match u.host() {
            Some(Host::Ipv4(ip)) if ip.is_loopback() => Ok(()),
            Some(Host::Ipv6(ip)) if ip.is_loopback() => Ok(()),
            Some(Host::Domain("localhost")) if issuer == Issuer::LoopbackDev => Ok(()),
            _ => Err(InvalidRedirectUri("http is allowed only for 127.0.0.1 or [::1] (native apps)")),
        },
        // RFC 8252 §7.1: private-use schemes in reverse-domain form (com.example.app:/cb).
        s if s.contains('.') && !matches!(s, "javascript" | "data" | "file" | "vbscript") => Ok(()),
        _ => Err(InvalidRedirectUri("scheme must be https, loopback http, or a reverse-domain private-use scheme")),
    }
}

/// A loopback IP redirect URI split around its port: (host, everything after the port).
/// Purely textual, so nothing the URL parser would normalise (dot segments, other spellings of
/// the address, case) can make two different strings equal.
fn split_loopback(s: &str) -> Option<(&'static str, &str)> {
    let r = s.strip_prefix("http://")?;
    let (host, r) = ["127.0.0.1", "[::1]"].into_iter().find_map(|h| r.strip_prefix(h).map(|rest| (h, rest)))?;
    let rest = match r.strip_prefix(':') {
        Some(p) => {
            let digits = p.find(|c: char| !c.is_ascii_digit()).unwrap_or(p.len());
            if digits == 0 || p[..digits].parse::<u32>().map_or(true, |port| port > 65535) {
                return None;
            }
            &p[digits..]
        }
        None => r,
    };
    rest.starts_with('/').then_some((host, rest))
}

/// Whether `requested` matches one of `registered`: the same string, or — for a loopback IP
/// URI of a native app — the same string but for the port (RFC 8252 §7.3).
pub fn matches(registered: &[String], requested: &str) -> bool {
    if registered.iter().any(|r| r == requested) {
        return true;
    }
    let Some(req) = split_loopback(requested) else { return false };
    registered.iter().any(|r| split_loopback(r) == Some(req))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registration() {
        for ok in
            ["https://app.example.com/cb", "http://127.0.0.1/cb", "http://[::1]:8080/cb", "com.example.app:/oauth"]
        {
            assert!(validate_registration(ok, Issuer::Production).is_ok(), "{ok}");
            assert!(validate_registration(ok, Issuer::LoopbackDev).is_ok(), "{ok}");
        }
        for bad in [
            "http://app.example.com/cb",
            "http://localhost/cb",
            "https://a.example/cb#x",
            "javascript:alert(1)",
            "/relative",
            "https://u:p@a.example/",
            "myapp:/cb",
            "https://u@a.example/cb",
            "https://:p@a.example/cb",
            "https://a.example/cb\nhttp://evil.example/x",
            "https://a.example/c\tb",
            "https://a.example/cb ",
            "https://a.example/c\u{1b}b",
        ] {
            assert!(validate_registration(bad, Issuer::Production).is_err(), "{bad}");
        }
        // A development issuer adds http://localhost, nothing else.
        for ok in ["http://localhost/cb", "http://localhost:3000/callback"] {
            assert!(validate_registration(ok, Issuer::LoopbackDev).is_ok(), "{ok}");
            assert!(is_localhost_http(ok));
        }
        for bad in ["http://app.example.com/cb", "http://localhost.evil.example/cb", "http://u@localhost/cb"] {
            assert!(validate_registration(bad, Issuer::LoopbackDev).is_err(), "{bad}");
        }
        assert!(!is_localhost_http("https://localhost/cb"));
        assert!(!is_localhost_http("http://127.0.0.1/cb"));
    }

    #[test]
    fn exact_match_with_loopback_port_exception() {
        let reg = vec!["https://app.example.com/cb".to_string(), "http://127.0.0.1/native".to_string()];
        assert!(matches(&reg, "https://app.example.com/cb"));
        for bad in [
            "https://app.example.com/cb/",
            "https://app.example.com/cb/../evil",
            "https://app.example.com/cbx",
            "https://app.example.com/cb?x=1",
            "https://APP.example.com/cb",
            "https://app.example.com:443/cb",
            "https://app.example.com.evil.com/cb",
            "https://evil.com@app.example.com/cb",
            "https://app.example.com/cb#frag",
            "http://127.0.0.1:5000/other",
            "http://127.0.0.2:5000/native",
            // Spellings the URL parser would normalise to the registered URI (found by the
            // property test): the match is textual, so none of them passes.
            "http://127.0.0.1:5000/native/../native",
            "http://127.0.0.1/./native",
            "http://2130706433/native",
            "http://0x7f.0.0.1:5000/native",
            "http://127.1/native",
            "HTTP://127.0.0.1:5000/native",
            "http://127.0.0.1:65536/native",
            "http://127.0.0.1:/native",
        ] {
            assert!(!matches(&reg, bad), "{bad}");
        }
        assert!(matches(&reg, "http://127.0.0.1:51234/native"));
        assert!(matches(&reg, "http://127.0.0.1/native"));
    }
}
