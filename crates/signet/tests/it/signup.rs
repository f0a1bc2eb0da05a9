//! `GET|POST /signup`.

use reqwest::StatusCode;

use crate::harness::{TestServer, PASSWORD};

/// Waits for the account sign-up creates just after its answer.
async fn wait_user(s: &TestServer, email: &str) -> signet_store::User {
    let email = signet_core::Email::parse(email).expect("email");
    for _ in 0..50 {
        if let Some(u) = s.state.store.user_by_email(&email).await.expect("store") {
            return u;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    unreachable!("no account for {email}")
}

#[tokio::test]
async fn signup_creates_unverified_account_and_asks_for_the_code() {
    let s = TestServer::start().await;
    let mut b = s.browser();
    let r = b.signup("New.User@Example.com", PASSWORD).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("Check your inbox") && r.body.contains("name=\"code\""), "{}", r.body);
    assert!(b.session_cookie().is_none(), "sign-up does not sign in (it would tell new from taken)");
    let u = wait_user(&s, "new.user@example.com").await;
    assert!(u.password.as_ref().expect("password").hash.starts_with("$argon2id$"));
    assert!(!u.email_verified());
    // The user may sign in before verifying (the default).
    assert_eq!(b.login("new.user@example.com", PASSWORD).await.status, StatusCode::SEE_OTHER);
    assert!(b.get("/account").await.body.contains("new.user@example.com"));
}

#[tokio::test]
async fn common_password_rejected_at_signup() {
    let s = TestServer::start().await;
    let mut b = s.browser();
    for (pw, msg) in [
        ("password1", "too common"),
        ("iloveyou", "too common"),
        ("Qwerty123", "too common"),
        ("short", "at least 8 characters"),
    ] {
        let r = b.signup("ann@example.com", pw).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{pw}");
        assert!(r.body.contains(msg), "{pw}: {msg}");
        assert!(b.session_cookie().is_none());
    }
    assert!(s.state.store.list_users().await.expect("users").is_empty(), "nothing created");
}

#[tokio::test]
async fn signup_rejects_bad_email_clearly() {
    let s = TestServer::start().await;
    let mut b = s.browser();
    let r = b.signup("not an email", PASSWORD).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("valid email address"));
}

#[tokio::test]
async fn signup_escapes_user_input() {
    let s = TestServer::start().await;
    let mut b = s.browser();
    let r = b.signup("<script>alert(1)</script>@x", PASSWORD).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(!r.body.contains("<script>alert(1)"));
    assert!(r.body.contains("&lt;script&gt;"));
}

#[tokio::test]
async fn signup_can_be_closed() {
    let s = TestServer::with(|c| c.signup_enabled = false).await;
    let mut b = s.browser();
    assert_eq!(b.get("/signup").await.status, StatusCode::FORBIDDEN);
    // With a valid CSRF token (the pre-session token the login page hands out), so the 403 can
    // only come from the closed sign-up.
    let csrf = b.get("/login").await.csrf();
    let r = b.post_form("/signup", &[("email", "a@example.com"), ("password", PASSWORD), ("csrf", &csrf)]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.body.contains("Sign-up is closed on this server"), "{}", r.body);
    assert!(s.state.store.list_users().await.expect("users").is_empty(), "no account was created");
}

#[tokio::test]
async fn signup_closed_with_valid_csrf_refused() {
    // The same request, token and all, creates the account when sign-up is open (control), and
    // nothing when it is closed.
    for open in [true, false] {
        let s = TestServer::with(|c| c.signup_enabled = open).await;
        let mut b = s.browser();
        let csrf = b.get("/login").await.csrf();
        let r = b.post_form("/signup", &[("email", "a@example.com"), ("password", PASSWORD), ("csrf", &csrf)]).await;
        if open {
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
            wait_user(&s, "a@example.com").await;
        } else {
            assert_eq!(r.status, StatusCode::FORBIDDEN);
            assert!(r.body.contains("Sign-up is closed"));
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
            assert!(s.state.store.list_users().await.expect("users").is_empty());
            assert!(b.session_cookie().is_none());
        }
    }
}
