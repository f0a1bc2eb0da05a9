//! Config loading: defaults, the environment overlay, errors that name the key.
use super::*;

fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

#[test]
fn defaults_and_default_file_agree() {
    let a = Config::load("", "x", &[]).expect("defaults valid");
    let b = Config::load(DEFAULT_CONFIG_TOML, "x", &[]).expect("file valid");
    assert_eq!(format!("{a:?}"), format!("{b:?}"));
}

#[test]
fn env_overlay() {
    let c = Config::load(
        "",
        "x",
        &env(&[
            ("SIGNET_LISTEN", "127.0.0.1:0"),
            ("SIGNET_PASSWORD__MIN_LENGTH", "12"),
            ("SIGNET_SESSION__IDLE_TIMEOUT", "5m"),
        ]),
    )
    .expect("valid");
    assert_eq!(c.listen, "127.0.0.1:0");
    assert_eq!(c.password.min_length, 12);
    assert_eq!(c.session.idle_timeout, Duration::minutes(5));
    // URLs, lists (bare or quoted), booleans and day durations from the environment.
    let c = Config::load(
        "",
        "x",
        &env(&[
            ("SIGNET_ISSUER", "http://localhost:8080"),
            ("SIGNET_DATABASE_URL", "postgres://signet:pw@127.0.0.1:5432/signet"),
            ("SIGNET_TRUSTED_PROXIES", "[10.0.0.0/8, 192.168.0.0/16]"),
            ("SIGNET_TOKENS__EXTRA_ALGS", "[\"EdDSA\"]"),
            ("SIGNET_SIGNUP_ENABLED", "false"),
            ("SIGNET_TOKENS__REFRESH_ABSOLUTE_TTL", "14d"),
            ("SIGNET_LOG", "debug"),
            ("SIGNET_TEST_DATABASE_URL", "postgres://elsewhere"),
        ]),
    )
    .expect("valid");
    assert_eq!(c.issuer, "http://localhost:8080");
    assert_eq!(c.database_url.as_deref(), Some("postgres://signet:pw@127.0.0.1:5432/signet"));
    assert_eq!(c.trusted_proxies, ["10.0.0.0/8", "192.168.0.0/16"]);
    assert_eq!(c.tokens.extra_algs, [SigningAlg::EdDsa]);
    assert!(!c.signup_enabled);
    assert_eq!(c.tokens.refresh_absolute_ttl, Duration::days(14));
}

#[test]
fn errors_name_the_key() {
    let e = Config::load("[session]\nidle_timeot = \"5m\"\n", "f", &[]).expect_err("unknown");
    assert!(e.to_string().contains("idle_timeot"), "{e}");
    let e = Config::load("[session]\nidle_timeout = \"soon\"\n", "f", &[]).expect_err("bad value");
    assert!(e.to_string().starts_with("session.idle_timeout"), "{e}");
    assert!(e.to_string().contains("soon"), "{e}");
    let e = Config::load("", "f", &env(&[("SIGNET_BOGUS", "1")])).expect_err("unknown env");
    assert!(e.to_string().contains("SIGNET_BOGUS") && e.to_string().contains("unknown field"), "{e}");
    let e = Config::load("issuer = \"http://example.com\"", "f", &[]).expect_err("http issuer");
    assert!(e.to_string().starts_with("issuer"), "{e}");
    let e = Config::load("trusted_proxies = [\"10.0.0.0/33\"]", "f", &[]).expect_err("bad cidr");
    assert!(e.to_string().starts_with("trusted_proxies[0]"), "{e}");
    let e = Config::load("[tokens]\nsigning_alg = \"HS256\"", "f", &[]).expect_err("hs256");
    assert!(e.to_string().starts_with("tokens.signing_alg") && e.to_string().contains("HS256"), "{e}");
    let e = Config::load("[tokens]\nextra_algs = [\"RS256\", \"none\"]", "f", &[]).expect_err("none");
    assert!(e.to_string().starts_with("tokens.extra_algs[1]"), "{e}");
    let e = Config::load("[password]\nmemory_kib = 1024", "f", &[]).expect_err("weak");
    assert!(e.to_string().starts_with("password.memory_kib"), "{e}");
}

#[test]
fn mail_smtp_url_needs_tls_off_loopback() {
    let load = |url: &str| Config::load(&format!("[mail]\nsmtp_url = {url:?}\n"), "t", &[]);
    for ok in [
        "smtps://u:p@smtp.example.com:465",
        "smtp://u:p@smtp.example.com:587?tls=required",
        "smtp://127.0.0.1:2525",
        "smtp://localhost:25",
        "smtp://[::1]:2525",
    ] {
        assert!(load(ok).is_ok(), "{ok}");
    }
    for bad in ["smtp://smtp.example.com:25", "smtp://10.0.0.1:25", "http://smtp.example.com", "smtp://"] {
        let err = load(bad).expect_err(bad);
        assert_eq!(err.key, "mail.smtp_url", "{bad}");
        assert!(!err.message.contains("u:p"), "the password is never shown");
    }
    // The password is redacted from errors and Debug.
    let err = load("smtp://user:hunter2@smtp.example.com:25").expect_err("plain");
    assert!(!err.message.contains("hunter2"), "{}", err.message);
    let c = load("smtps://user:hunter2@smtp.example.com:465").expect("ok");
    assert!(!format!("{c:?}").contains("hunter2"));
}
