//! Property tests for the parsers that guard security decisions (DESIGN.md point 13): whatever
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
    /// everything else equal (RFC 8252 §7.3).
    #[test]
    fn redirect_uri_matches_only_exactly(s in prop_oneof![url_ish(), any::<String>()]) {
        let registered = vec!["https://app.example.com/cb".to_string(), "http://127.0.0.1/cb".to_string()];
        if redirect_uri::matches(&registered, &s) && s != registered[0] && s != registered[1] {
            {
                let u = url::Url::parse(&s).expect("a loopback match parses");
                prop_assert_eq!(u.scheme(), "http");
                prop_assert_eq!(u.host_str(), Some("127.0.0.1"));
                prop_assert_eq!(u.path(), "/cb");
                prop_assert!(u.query().is_none() && u.fragment().is_none() && u.username().is_empty());
            }
        }
    }

    /// Registration rules never panic and never accept dangerous schemes.
    #[test]
    fn redirect_uri_registration_total(s in prop_oneof![url_ish(), any::<String>()]) {
        if redirect_uri::validate_registration(&s).is_ok() {
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
