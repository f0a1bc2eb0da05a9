//! `GET|POST /login`.

use std::sync::atomic::Ordering;

use reqwest::StatusCode;
use signet_core::{HashParams, Password, PasswordHasher};

use crate::harness::{audit_kinds, db_strings, urlencode, TestServer, PASSWORD};

#[tokio::test]
async fn login_success_redirects_and_sets_session() {
    let s = TestServer::start().await;
    s.create_user("ann@example.com", PASSWORD).await;
    let mut b = s.browser();
    let r = b.login("ann@example.com", PASSWORD).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location(), "/account");
    assert!(b.session_cookie().is_some());
    let page = b.get("/account").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("ann@example.com"));
}

#[tokio::test]
async fn login_unknown_user_same_response_as_wrong_password() {
    let s = TestServer::start().await;
    s.create_user("ann@example.com", PASSWORD).await;
    let mut b = s.browser();
    let wrong = b.login("ann@example.com", "not the password").await;
    let unknown = b.login("bob@example.com", "not the password").await;
    assert_eq!(wrong.status, unknown.status);
    assert_eq!(wrong.status, StatusCode::OK);
    assert!(wrong.body.contains("Incorrect email or password."));
    // Same page, byte for byte, apart from the echoed email address; one failure shows no
    // countdown for either.
    assert!(!wrong.body.contains("attempts left") && !unknown.body.contains("attempts left"));
    assert_eq!(wrong.body.replace("ann@example.com", "X"), unknown.body.replace("bob@example.com", "X"));
    assert!(b.session_cookie().is_none());
    // A disabled account with the right password gets the same answer too.
    let id = s.user("ann@example.com").await.id;
    s.state.store.set_disabled(id, true, s.state.now()).await.expect("disable");
    let disabled = b.login("ann@example.com", PASSWORD).await;
    // (The second failure for that email: the countdown starts, counted alike.)
    assert!(disabled.body.contains("Incorrect email or password. 3 attempts left"), "{}", disabled.body);
    assert_eq!(disabled.body.replace(" 3 attempts left before sign-in is paused.", ""), wrong.body);
    assert!(b.session_cookie().is_none());
}

#[tokio::test]
async fn login_unknown_user_runs_dummy_hash() {
    let s = TestServer::start().await;
    let stats = s.state.hash_pool.stats.clone();
    let before = stats.dummy_verifications.load(Ordering::SeqCst);
    let mut b = s.browser();
    let r = b.login("nobody@example.com", "whatever password").await;
    assert!(r.body.contains("Incorrect email or password."));
    b.login("not-an-email", "whatever password").await;
    // Counted by the hashing worker after the verification ran (the cost itself is pinned by
    // signet-core's `dummy_hash_work_really_done` at production parameters).
    assert_eq!(stats.dummy_verifications.load(Ordering::SeqCst), before + 2);
    assert_eq!(stats.verifications.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn session_cookie_has_secure_flags() {
    let s = TestServer::start().await; // issuer https://signet.test
    s.create_user("ann@example.com", PASSWORD).await;
    let mut b = s.browser();
    let r = b.login("ann@example.com", PASSWORD).await;
    let cookie = r.set_cookies().into_iter().find(|c| c.starts_with("__Host-signet_session=")).expect("session cookie");
    for attr in ["; HttpOnly", "; Secure", "; SameSite=Lax", "; Path=/"] {
        assert!(cookie.contains(attr), "{attr} missing in {cookie}");
    }
    assert!(!cookie.contains("Domain="), "__Host- cookies must not set Domain");
    let value = cookie.split(';').next().and_then(|p| p.split_once('=')).map(|(_, v)| v.to_owned()).expect("value");
    assert_eq!(value.len(), 43, "256-bit id, base64url");
    // Only the hash is stored.
    let stored = db_strings(&s, "SELECT token_hash || user_agent || ip FROM sessions").await;
    assert_eq!(stored.len(), 1);
    assert!(!stored[0].contains(&value), "the cookie value itself is never stored");
}

#[tokio::test]
async fn dev_loopback_issuer_uses_plain_cookie_names() {
    let s = TestServer::with(|c| c.issuer = "http://localhost:8080".into()).await;
    s.create_user("ann@example.com", PASSWORD).await;
    let mut b = s.browser();
    let r = b.login("ann@example.com", PASSWORD).await;
    let cookie = r.set_cookies().into_iter().find(|c| c.starts_with("signet_session=")).expect("dev cookie");
    assert!(cookie.contains("HttpOnly") && !cookie.contains("Secure"));
}

#[tokio::test]
async fn session_id_rotates_on_login() {
    let s = TestServer::start().await;
    s.create_user("ann@example.com", PASSWORD).await;
    let mut b = s.browser();
    // An attacker-planted id is never adopted.
    b.cookies.insert("__Host-signet_session".into(), "A".repeat(43));
    b.login("ann@example.com", PASSWORD).await;
    let first = b.session_cookie().expect("first session");
    assert_ne!(first, "A".repeat(43));
    // Signing in again while signed in replaces the id and ends the old server session.
    let csrf = crate::harness::hidden_field(&b.get("/signup").await.body, "csrf").expect("csrf");
    let r = b.post_form("/login", &[("email", "ann@example.com"), ("password", PASSWORD), ("csrf", &csrf)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let second = b.session_cookie().expect("second session");
    assert_ne!(first, second);
    let mut old = s.browser();
    old.cookies.insert("__Host-signet_session".into(), first);
    assert_eq!(old.get("/account").await.status, StatusCode::SEE_OTHER, "old id must be dead");
}

#[tokio::test]
async fn form_post_without_csrf_token_rejected() {
    let s = TestServer::start().await;
    s.create_user("ann@example.com", PASSWORD).await;
    let mut b = s.browser();
    b.get("/login").await; // has the pre-session cookie, but sends no token
    let r = b.post_form("/login", &[("email", "ann@example.com"), ("password", PASSWORD)]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.body.contains("not sent from this site"));
    assert!(b.session_cookie().is_none());
    // A token from another browser does not work either.
    let mut other = s.browser();
    let foreign = other.get("/login").await.csrf();
    let r = b.post_form("/login", &[("email", "ann@example.com"), ("password", PASSWORD), ("csrf", &foreign)]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // Signed-in forms: logout without the token is refused and the session survives.
    b.login("ann@example.com", PASSWORD).await;
    let r = b.post_form("/logout", &[("csrf", "forged")]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(b.get("/account").await.status, StatusCode::OK);
}

#[tokio::test]
async fn sixth_failed_login_in_window_is_429() {
    let s = TestServer::start().await;
    s.create_user("ann@example.com", PASSWORD).await;
    let mut b = s.browser();
    for _ in 0..5 {
        assert_eq!(b.login("ann@example.com", "wrong password").await.status, StatusCode::OK);
    }
    let r = b.login("ann@example.com", PASSWORD).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "even the right password waits");
    let retry: u64 = r.header("retry-after").expect("Retry-After").parse().expect("seconds");
    assert!(retry > 0 && retry <= 15 * 60);
    assert!(b.session_cookie().is_none());
    // After the window the account works again, and success resets the counter.
    s.clock.advance(time::Duration::minutes(15));
    assert_eq!(b.login("ann@example.com", PASSWORD).await.status, StatusCode::SEE_OTHER);
    let kinds = audit_kinds(&s).await;
    assert!(kinds.contains(&"lockout".to_string()));
}

#[tokio::test]
async fn lockout_response_same_for_unknown_account() {
    let s = TestServer::with(|c| c.rate_limit.login_failures_per_ip = 100).await;
    s.create_user("ann@example.com", PASSWORD).await;
    let mut b = s.browser();
    for _ in 0..5 {
        b.login("ann@example.com", "wrong password").await;
        b.login("ghost@example.com", "wrong password").await;
    }
    let known = b.login("ann@example.com", "wrong password").await;
    let unknown = b.login("ghost@example.com", "wrong password").await;
    assert_eq!(known.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(unknown.status, known.status);
    assert_eq!(unknown.body, known.body);
    assert_eq!(unknown.header("retry-after"), known.header("retry-after"));
}

#[tokio::test]
async fn per_ip_failure_limit_applies_across_accounts() {
    let s = TestServer::start().await;
    let mut b = s.browser();
    for i in 0..5 {
        let r = b.login(&format!("user{i}@example.com"), "wrong password").await;
        assert_eq!(r.status, StatusCode::OK, "attempt {i} is checked");
        assert!(r.body.contains("Incorrect email or password."));
    }
    assert_eq!(b.login("fresh@example.com", "wrong password").await.status, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn rehash_on_login_when_params_change() {
    let s = TestServer::start().await;
    // A hash made with older (different) parameters but the same pepper.
    let old = PasswordHasher::new(
        HashParams { memory_kib: 128, iterations: 1, parallelism: 1 },
        s.state.secrets.peppers.clone(),
    )
    .expect("hasher");
    let record = old.hash(&Password::new(PASSWORD)).expect("hash");
    assert!(record.hash.contains("m=128"));
    let email = signet_core::Email::parse("ann@example.com").expect("email");
    let now = s.state.now();
    s.state
        .store
        .create_user(signet_store::NewUser { email: &email, password: Some(&record), is_admin: false, now })
        .await
        .expect("create");
    let mut b = s.browser();
    assert_eq!(b.login("ann@example.com", PASSWORD).await.status, StatusCode::SEE_OTHER);
    let after = s.user("ann@example.com").await.password.expect("password");
    assert!(after.hash.starts_with("$argon2id$v=19$m=256,t=1,p=1$"), "{}", after.hash);
    // The upgraded hash still verifies, and no longer asks for a rehash.
    let again = s.state.hash_pool.hasher().verify(&after, &Password::new(PASSWORD)).expect("verify").expect("match");
    assert!(!again.needs_rehash);
    assert!(audit_kinds(&s).await.contains(&"password_rehash".to_string()));
}

#[tokio::test]
async fn login_with_default_argon2_params() {
    // The one test on production parameters (OWASP m=19456 KiB, t=2, p=1).
    let s = TestServer::with(|c| {
        c.password.memory_kib = 19456;
        c.password.iterations = 2;
        c.password.allow_weak_params = false;
    })
    .await;
    s.create_user("ann@example.com", PASSWORD).await;
    let stored = s.user("ann@example.com").await.password.expect("password");
    assert!(stored.hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
    assert_eq!(s.browser().login("ann@example.com", PASSWORD).await.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn return_to_rejects_absolute_urls() {
    let s = TestServer::start().await;
    s.create_user("ann@example.com", PASSWORD).await;
    for evil in
        ["https://evil.example/", "//evil.example", "/\\evil.example", "javascript:alert(1)", "/%0d%0aSet-Cookie:x"]
    {
        let mut b = s.browser();
        let page = b.get(&format!("/login?return_to={}", urlencode(evil))).await;
        let csrf = page.csrf();
        let r = b
            .post_form(
                "/login",
                &[("email", "ann@example.com"), ("password", PASSWORD), ("csrf", &csrf), ("return_to", evil)],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        if evil.starts_with("/%") {
            // Percent-encoded text is an ordinary local path; it stays on this origin.
            assert!(r.location().starts_with('/') && !r.location().starts_with("//"));
        } else {
            assert_eq!(r.location(), "/account", "for {evil}");
        }
    }
    // Local paths are honoured, and the login page carries them through.
    let mut b = s.browser();
    let page = b.get("/login?return_to=%2Faccount%2Fpassword").await;
    assert_eq!(crate::harness::hidden_field(&page.body, "return_to").as_deref(), Some("/account/password"));
    let csrf = page.csrf();
    let r = b
        .post_form(
            "/login",
            &[
                ("email", "ann@example.com"),
                ("password", PASSWORD),
                ("csrf", &csrf),
                ("return_to", "/account/password"),
            ],
        )
        .await;
    assert_eq!(r.location(), "/account/password");
}

#[tokio::test]
async fn oversized_body_413() {
    let s = TestServer::start().await;
    let mut b = s.browser();
    let csrf = b.get("/login").await.csrf();
    let huge = "x".repeat(200 * 1024);
    let r = b.post_form("/login", &[("email", "a@example.com"), ("password", &huge), ("csrf", &csrf)]).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(r.body.contains("too large"));
    // The server is fine afterwards.
    assert_eq!(b.get("/login").await.status, StatusCode::OK);
}

#[tokio::test]
async fn malformed_form_400_not_500() {
    let s = TestServer::start().await;
    let mut b = s.browser();
    b.get("/login").await;
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("application/x-www-form-urlencoded", b"email=%ZZ&password=%".to_vec()),
        ("application/x-www-form-urlencoded", vec![0xff, 0xfe, b'=', 0x80]),
        ("application/json", br#"{"email":"a@example.com"}"#.to_vec()),
        ("text/plain", b"hello".to_vec()),
        ("application/x-www-form-urlencoded", b"email=a&email=b&password[]=x".to_vec()),
    ];
    for path in ["/login", "/signup", "/logout", "/account/password"] {
        for (ct, body) in &cases {
            let r = b.post_raw(path, ct, body.clone()).await;
            assert!(!r.status.is_server_error(), "{path} {ct} {:?} gave {}", String::from_utf8_lossy(body), r.status);
            if r.status.is_client_error() {
                assert!(r.body.contains("<!doctype html>"), "a readable page");
            }
        }
    }
    // A body that is not a form at all is a 400 with a readable message, not 415/422/500.
    for ct in ["application/json", "text/plain"] {
        let r = b.post_raw("/login", ct, b"{}".to_vec()).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{ct}");
        assert!(r.body.contains("The form could not be read"));
    }
}

#[tokio::test]
async fn hash_pool_saturation_returns_503_with_retry_after() {
    let s = TestServer::with(|c| {
        c.password.memory_kib = 19456;
        c.password.iterations = 4;
        c.password.hash_workers = 1;
        c.password.hash_queue = 1;
        c.rate_limit.login_failures_per_ip = 1000;
        c.rate_limit.login_failures_per_account = 1000;
    })
    .await;
    let mut b = s.browser();
    let csrf = b.get("/login").await.csrf();
    let cookie = b.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ");
    let client = reqwest::Client::new();
    let mut tasks = Vec::new();
    for i in 0..12 {
        let (client, cookie, csrf, base) = (client.clone(), cookie.clone(), csrf.clone(), s.base.clone());
        tasks.push(tokio::spawn(async move {
            let email = format!("u{i}@example.com");
            let r = client
                .post(format!("{base}/login"))
                .header("cookie", cookie)
                .form(&[("email", email.as_str()), ("password", "some password"), ("csrf", csrf.as_str())])
                .send()
                .await
                .expect("send");
            (r.status(), r.headers().get("retry-after").cloned())
        }));
    }
    let mut busy = 0;
    for t in tasks {
        let (status, retry) = t.await.expect("task");
        if status == StatusCode::SERVICE_UNAVAILABLE {
            busy += 1;
            assert!(retry.is_some(), "503 must carry Retry-After");
        } else {
            assert_eq!(status, StatusCode::OK);
        }
    }
    assert!(busy >= 1, "12 concurrent hashes with 1 worker + 1 queue slot must shed load");
    assert!(s.state.hash_pool.stats.rejected_busy.load(Ordering::SeqCst) >= 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_guesses_cannot_exceed_attempt_limit() {
    // Attempts are reserved before the (slow) hash check, so a burst cannot slip past the limit.
    let s = TestServer::with(|c| c.rate_limit.login_failures_per_ip = 1000).await;
    s.create_user("ann@example.com", PASSWORD).await;
    let mut b = s.browser();
    let csrf = b.get("/login").await.csrf();
    let cookie = b.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ");
    let client = reqwest::Client::new();
    let tasks: Vec<_> = (0..20)
        .map(|i| {
            let (client, cookie, csrf, base) = (client.clone(), cookie.clone(), csrf.clone(), s.base.clone());
            tokio::spawn(async move {
                let guess = format!("guess number {i}");
                client
                    .post(format!("{base}/login"))
                    .header("cookie", cookie)
                    .form(&[("email", "ann@example.com"), ("password", guess.as_str()), ("csrf", csrf.as_str())])
                    .send()
                    .await
                    .expect("send")
                    .status()
            })
        })
        .collect();
    let mut checked = 0;
    for t in tasks {
        let status = t.await.expect("task");
        assert!(status == StatusCode::OK || status == StatusCode::TOO_MANY_REQUESTS, "unexpected {status}");
        checked += usize::from(status == StatusCode::OK);
    }
    assert_eq!(checked, 5, "exactly the 5 allowed guesses were checked");
    assert_eq!(s.state.hash_pool.stats.verifications.load(Ordering::SeqCst), 5);
}

#[tokio::test]
async fn per_ip_limit_uses_client_address_behind_trusted_proxy() {
    let s = TestServer::with(|c| c.trusted_proxies = vec!["127.0.0.1/32".into()]).await;
    let mut alice = s.browser();
    alice.headers.push(("x-forwarded-for".into(), "203.0.113.1".into()));
    for i in 0..5 {
        assert_eq!(
            alice.login(&format!("nobody{i}@example.com"), "wrong password").await.status,
            StatusCode::OK,
            "{i}"
        );
    }
    assert_eq!(alice.login("more@example.com", "wrong password").await.status, StatusCode::TOO_MANY_REQUESTS);
    // Another client behind the same balancer is not locked out with her.
    let mut bob = s.browser();
    bob.headers.push(("x-forwarded-for".into(), "203.0.113.2".into()));
    assert_eq!(bob.login("bob@example.com", "wrong password").await.status, StatusCode::OK);
    // The audit log records the client's address, not the balancer's.
    let events = s.state.store.list_audit(None, 100).await.expect("audit");
    assert!(events.iter().any(|e| e.ip == "203.0.113.2"));
}

#[tokio::test]
async fn x_forwarded_for_ignored_without_trusted_proxy() {
    let s = TestServer::start().await;
    // A client that rotates a forged header still shares one per-IP budget.
    for i in 0..5 {
        let mut b = s.browser();
        b.headers.push(("x-forwarded-for".into(), format!("198.51.100.{i}")));
        assert_eq!(b.login(&format!("nobody{i}@example.com"), "wrong password").await.status, StatusCode::OK, "{i}");
    }
    let mut b = s.browser();
    b.headers.push(("x-forwarded-for".into(), "198.51.100.99".into()));
    assert_eq!(b.login("another@example.com", "wrong password").await.status, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn known_device_not_locked_out_by_others() {
    // Different client addresses (through a trusted proxy), so only the account limit is in play.
    let s = TestServer::with(|c| c.trusted_proxies = vec!["127.0.0.1/32".into()]).await;
    s.create_user("ann@example.com", PASSWORD).await;
    let mut owner = s.browser();
    owner.headers.push(("x-forwarded-for".into(), "203.0.113.1".into()));
    assert_eq!(owner.login("ann@example.com", PASSWORD).await.status, StatusCode::SEE_OTHER);
    let device = owner.cookies.iter().find(|(k, _)| k.ends_with("signet_device")).map(|(k, v)| (k.clone(), v.clone()));
    let (device_name, device_value) = device.expect("a device cookie after sign-in");
    let csrf = owner.account_csrf().await;
    owner.post_form("/logout", &[("csrf", &csrf)]).await;
    assert!(owner.session_cookie().is_none());

    // Someone else guesses five times; the page counts down.
    let mut attacker = s.browser();
    attacker.headers.push(("x-forwarded-for".into(), "198.51.100.7".into()));
    attacker.login("ann@example.com", "wrong password").await;
    let second = attacker.login("ann@example.com", "wrong password").await;
    assert!(second.body.contains("3 attempts left"), "{}", second.body);
    for _ in 0..3 {
        assert_eq!(attacker.login("ann@example.com", "wrong password").await.status, StatusCode::OK);
    }
    let locked = attacker.login("ann@example.com", PASSWORD).await;
    assert_eq!(locked.status, StatusCode::TOO_MANY_REQUESTS, "unknown browsers are locked out");
    assert!(locked.body.contains("sign in with a passkey"), "{}", locked.body);
    assert!(attacker.session_cookie().is_none());
    // So is any other browser without the cookie, or with a forged or another account's one.
    for cookie in [None, Some(format!("{}x", device_value)), Some("AAAA.BBBB".to_owned())] {
        let mut b = s.browser();
        b.headers.push(("x-forwarded-for".into(), "192.0.2.9".into()));
        if let Some(v) = cookie {
            b.cookies.insert(device_name.clone(), v);
        }
        assert_eq!(b.login("ann@example.com", PASSWORD).await.status, StatusCode::TOO_MANY_REQUESTS);
    }
    // The owner's browser signs in.
    let r = owner.login("ann@example.com", PASSWORD).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert!(owner.session_cookie().is_some());
    // Its cookie names Ann's account only: Bob's lockout applies to it as to anyone.
    s.create_user("bob@example.com", PASSWORD).await;
    for _ in 0..5 {
        attacker.login("bob@example.com", "wrong password").await;
    }
    let mut owner2 = s.browser();
    owner2.headers.push(("x-forwarded-for".into(), "203.0.113.1".into()));
    owner2.cookies.insert(device_name, device_value);
    assert_eq!(owner2.login("bob@example.com", PASSWORD).await.status, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn device_cookie_lives_a_year() {
    // OWASP device cookies: a browser stays known for a year, renewed at each sign-in.
    let s = TestServer::start().await;
    s.create_user("ann@example.com", PASSWORD).await;
    let r = s.browser().login("ann@example.com", PASSWORD).await;
    let cookie = r.set_cookies().into_iter().find(|c| c.contains("signet_device=")).expect("device cookie");
    assert!(cookie.contains("Max-Age=31536000"), "{cookie}");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
}

#[tokio::test]
async fn lockout_retry_after_counts_down_to_window_end() {
    // The window starts at the first failure: ten minutes later, five are left to wait.
    let s = TestServer::start().await;
    s.create_user("ann@example.com", PASSWORD).await;
    let mut b = s.browser();
    for _ in 0..5 {
        assert_eq!(b.login("ann@example.com", "wrong password").await.status, StatusCode::OK);
    }
    s.clock.advance(time::Duration::minutes(10));
    let r = b.login("ann@example.com", PASSWORD).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    // 300 s (a second less on Redis, whose window runs on its own clock).
    let wait: u64 = r.header("retry-after").and_then(|v| v.parse().ok()).expect("Retry-After");
    assert!((295..=300).contains(&wait), "{wait}");
}

/// The per-IP ceiling on every authentication endpoint (login, sign-up, second factor, passkey
/// sign-in, password change): past it, 429 before any password is checked; other addresses and
/// the next minute are unaffected.
#[tokio::test]
async fn auth_ceiling_limits_every_auth_endpoint() {
    let s = TestServer::with(|c| {
        c.rate_limit.auth_requests_per_ip_per_minute = 3;
        c.trusted_proxies = vec!["127.0.0.1/32".into()];
    })
    .await;
    s.create_user("ann@example.com", PASSWORD).await;
    let mut b = s.browser();
    b.headers.push(("x-forwarded-for".into(), "198.51.100.1".into()));
    // Three requests are within the ceiling (wrong passwords: 200 with the form again).
    for _ in 0..3 {
        assert_eq!(b.login("ann@example.com", "wrong password").await.status, StatusCode::OK);
    }
    let r = b.login("ann@example.com", PASSWORD).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "the fourth, even with the right password");
    let wait: u64 = r.header("retry-after").and_then(|v| v.parse().ok()).expect("Retry-After");
    assert!((1..=60).contains(&wait), "{wait}");
    assert!(b.session_cookie().is_none());
    let csrf = b.get("/signup").await.csrf();
    let r = b.post_form("/signup", &[("email", "new@example.com"), ("password", PASSWORD), ("csrf", &csrf)]).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "sign-up shares the ceiling");
    // Another address signs in; so does this one a minute later.
    let mut other = s.browser();
    other.headers.push(("x-forwarded-for".into(), "198.51.100.2".into()));
    assert_eq!(other.login("ann@example.com", PASSWORD).await.status, StatusCode::SEE_OTHER);
    s.clock.advance(time::Duration::minutes(1));
    assert_eq!(b.login("ann@example.com", PASSWORD).await.status, StatusCode::SEE_OTHER);
}

/// A single typo gets a plain answer; from the second failure the page counts the tries left;
/// the lockout says how long in words and offers a passkey and the "Can't sign in?" page.
#[tokio::test]
async fn remaining_tries_shown_then_lockout_offers_passkey() {
    let s = TestServer::start().await; // https issuer: passkeys on
    s.create_user("ann@example.com", PASSWORD).await;
    let mut b = s.browser();
    let first = b.login("ann@example.com", "wrong").await;
    assert!(first.body.contains("Incorrect email or password.</p>"), "{}", first.body);
    assert!(!first.body.contains("attempts left"));
    for left in ["3 attempts left", "2 attempts left", "1 attempt left"] {
        let r = b.login("ann@example.com", "wrong").await;
        assert!(r.body.contains(left), "{left}: {}", r.body);
    }
    let fifth = b.login("ann@example.com", "wrong").await;
    assert!(fifth.body.contains("now paused"), "{}", fifth.body);
    let locked = b.login("ann@example.com", PASSWORD).await;
    assert_eq!(locked.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(locked.body.contains("Try again in 15 minutes."), "{}", locked.body);
    assert!(locked.body.contains("You can still sign in with a passkey."));
    assert!(locked.body.contains("id=\"passkey-login\""), "the passkey button is on the page");
    assert!(locked.body.contains("<a href=\"/help/sign-in\">Can’t sign in?</a>"));
    assert!(b.session_cookie().is_none());
    let help = b.get("/help/sign-in").await;
    assert_eq!(help.status, StatusCode::OK);
    assert!(help.body.contains("up to 15 minutes") && help.body.contains("A passkey still works"), "{}", help.body);
    // Without passkeys (an issuer on an IP address), the lockout does not offer one.
    let ip = TestServer::with(|c| c.issuer = "auto".into()).await;
    ip.create_user("ann@example.com", PASSWORD).await;
    let mut b = ip.browser();
    for _ in 0..5 {
        b.login("ann@example.com", "wrong").await;
    }
    let locked = b.login("ann@example.com", PASSWORD).await;
    assert_eq!(locked.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(!locked.body.contains("passkey"), "{}", locked.body);
    assert!(locked.body.contains("/help/sign-in"));
}
