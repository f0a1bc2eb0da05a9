//! `GET|POST /signup`.

use reqwest::StatusCode;

use crate::harness::{TestServer, PASSWORD};

#[tokio::test]
async fn signup_creates_account_and_signs_in() {
    let s = TestServer::start().await;
    let mut b = s.browser();
    let r = b.signup("New.User@Example.com", PASSWORD).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location(), "/account");
    let page = b.get("/account").await;
    assert!(page.body.contains("new.user@example.com"));
    let u = s.user("new.user@example.com").await;
    assert!(u.password.expect("password").hash.starts_with("$argon2id$"));
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
async fn signup_rejects_bad_email_and_duplicates_clearly() {
    let s = TestServer::start().await;
    let mut b = s.browser();
    let r = b.signup("not an email", PASSWORD).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("valid email address"));
    s.create_user("ann@example.com", PASSWORD).await;
    let r = b.signup("ANN@example.com", "another fine passphrase").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("already exists"));
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
        let users = s.state.store.list_users().await.expect("users").len();
        if open {
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
            assert_eq!(users, 1);
        } else {
            assert_eq!(r.status, StatusCode::FORBIDDEN);
            assert!(r.body.contains("Sign-up is closed"));
            assert_eq!(users, 0);
            assert!(b.session_cookie().is_none());
        }
    }
}
