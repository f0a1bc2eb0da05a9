//! Property tests for the parsers that guard security decisions: whatever
//! the input, they never panic, and what they accept keeps the promise they make.

use proptest::prelude::*;
use signet_core::{device, redirect_uri, Email, PkceChallenge, ReturnTo, Scope};

/// Strings that look like URLs and paths, with the characters tricks are made of.
fn url_ish() -> impl Strategy<Value = String> {
    let atoms = prop_oneof![
        Just("/".to_string()),
        Just("//".to_string()),
        Just("\\".to_string()),
        Just("@".to_string()),
        Just(":".to_string()),
        Just("?".to_string()),
        Just("#".to_string()),
        Just("%2f".to_string()),
        Just("..".to_string()),
        Just(".".to_string()),
        Just("evil.example".to_string()),
        Just("app.example.com".to_string()),
        Just("https:".to_string()),
        Just("http:".to_string()),
        Just("127.0.0.1".to_string()),
        Just(":8080".to_string()),
        Just("cb".to_string()),
        Just("\t".to_string()),
        Just("\n".to_string()),
        Just(" ".to_string()),
        Just("javascript:".to_string()),
        "[a-zA-Z0-9]{1,4}",
    ];
    prop::collection::vec(atoms, 0..10).prop_map(|v| v.concat())
}

fn registered() -> Vec<String> {
    vec!["https://app.example.com/cb".to_string(), "http://127.0.0.1/cb".to_string()]
}

/// How a candidate differs from a registered URI in front of the path.
const CHANGES: [&str; 4] = ["none", "upper-scheme", "userinfo", "other-scheme"];
const SUFFIXES: [&str; 8] = ["", "/", "?x=1", "#f", "/../cb", "x", "%2F", "/cb"];

/// A candidate built from registered URI `base` (0: https app, 1: loopback), a port (`None`:
/// none), a change and a suffix after the path; and whether it must match.
fn candidate(base: usize, port: Option<u32>, change: usize, suffix: &str) -> (String, bool) {
    let (scheme, host) = if base == 0 { ("https", "app.example.com") } else { ("http", "127.0.0.1") };
    let scheme = match CHANGES[change] {
        "upper-scheme" => scheme.to_uppercase(),
        "other-scheme" => (if scheme == "https" { "http" } else { "https" }).to_owned(),
        _ => scheme.to_owned(),
    };
    let userinfo = if CHANGES[change] == "userinfo" { "user@" } else { "" };
    let port_s = port.map(|p| format!(":{p}")).unwrap_or_default();
    let s = format!("{scheme}://{userinfo}{host}{port_s}/cb{suffix}");
    let unchanged = change == 0 && suffix.is_empty();
    let expected = unchanged
        && match base {
            0 => port.is_none(),
            _ => port.is_none_or(|p| p <= 65535),
        };
    (s, expected)
}

fn near_miss() -> impl Strategy<Value = (String, bool)> {
    let port = prop_oneof![Just(None), (0u32..70_000).prop_map(Some)];
    (0usize..2, port, prop_oneof![3 => Just(0usize), 1 => 1usize..4], prop_oneof![3 => Just(0usize), 1 => 1usize..8])
        .prop_map(|(base, port, change, suffix)| candidate(base, port, change, SUFFIXES[suffix]))
}

/// Every combination once (with a few ports), so matching and non-matching cases are both
/// known to be exercised.
#[test]
fn redirect_uri_near_misses_exhaustive() {
    let mut matched = 0;
    let mut total = 0;
    for base in 0..2 {
        for port in [None, Some(0), Some(80), Some(443), Some(51234), Some(65535), Some(65536)] {
            for change in 0..CHANGES.len() {
                for suffix in SUFFIXES {
                    let (s, expected) = candidate(base, port, change, suffix);
                    assert_eq!(redirect_uri::matches(&registered(), &s), expected, "{s:?}");
                    matched += usize::from(expected);
                    total += 1;
                }
            }
        }
    }
    assert_eq!(matched, 1 + 6, "the https URI exactly, the loopback one with no port or six valid ones");
    assert_eq!(total, 2 * 7 * 4 * 8);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// An accepted return_to, resolved against our origin, never leaves it (CWE-601).
    #[test]
    fn return_to_never_leaves_the_origin(s in prop_oneof![url_ish(), any::<String>()]) {
        if let Some(r) = ReturnTo::parse(&s) {
            let base = url::Url::parse("https://signet.test/").expect("base");
            let joined = base.join(r.as_str()).expect("a local path always joins");
            prop_assert_eq!(joined.origin(), base.origin(), "{:?}", s);
        }
    }

    /// A redirect URI matches only exactly, or — for loopback IPs — with a different port and
    /// everything else equal (RFC 8252 §7.3). Near misses of the registered URIs, built so that
    /// about one in eight should match, are judged against an independent model; the assertion
    /// is unconditional.
    #[test]
    fn redirect_uri_matches_only_exactly(case in near_miss()) {
        let (s, expected) = case;
        prop_assert_eq!(redirect_uri::matches(&registered(), &s), expected, "{:?}", s);
    }

    /// Any string at all: a match is one of the registered URIs, or the loopback one with a port.
    #[test]
    fn redirect_uri_match_implies_registered_or_loopback_port(s in prop_oneof![url_ish(), any::<String>()]) {
        let m = redirect_uri::matches(&registered(), &s);
        let loopback_port = s
            .strip_prefix("http://127.0.0.1:")
            .and_then(|r| r.strip_suffix("/cb"))
            .is_some_and(|p| p.is_empty() || p.parse::<u16>().is_ok());
        prop_assert!(!m || registered().contains(&s) || loopback_port, "{:?}", s);
    }

    /// Registration rules never panic and never accept dangerous schemes.
    #[test]
    fn redirect_uri_registration_total(s in prop_oneof![url_ish(), any::<String>()]) {
        if redirect_uri::validate_registration(&s, redirect_uri::Issuer::LoopbackDev).is_ok() {
            let scheme = s.split(':').next().unwrap_or("").to_ascii_lowercase();
            prop_assert!(!matches!(scheme.as_str(), "javascript" | "data" | "file" | "vbscript"));
            prop_assert!(!s.contains('#'));
        }
    }

    #[test]
    fn scope_round_trips(s in "[ -~]{0,40}") {
        if let Ok(scope) = Scope::parse(&s) {
            let again = Scope::parse(&scope.to_string()).expect("canonical form parses");
            prop_assert_eq!(again, scope);
        }
    }

    #[test]
    fn email_parse_is_total_and_normalised(s in any::<String>()) {
        if let Ok(e) = Email::parse(&s) {
            prop_assert_eq!(e.as_str().matches('@').count(), 1);
            prop_assert_eq!(e.as_str().to_lowercase(), e.as_str());
            prop_assert!(!e.as_str().chars().any(|c| c.is_whitespace() || c.is_control()));
        }
    }

    #[test]
    fn pkce_is_total(challenge in any::<String>(), verifier in any::<String>(), method in prop::option::of("S256|plain|[a-z]{0,5}")) {
        if let Ok(c) = PkceChallenge::parse(&challenge, method.as_deref()) {
            let _ = c.verify(&verifier);
        }
    }

    #[test]
    fn user_code_normalisation_is_idempotent(s in any::<String>()) {
        let n = device::normalize_user_code(&s);
        prop_assert_eq!(device::normalize_user_code(&n), n.clone());
        prop_assert!(n.chars().all(|c| c.is_ascii_uppercase()));
    }
}
