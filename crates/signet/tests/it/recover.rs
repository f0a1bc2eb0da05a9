//! Password recovery by e-mail (`/recover`): the same answer for every address, a single-use
//! link bound to the current password, the second factor still required, every session and
//! refresh family ended, and no sign-in by the link itself. Mail is read from the `.eml` files
//! Signet writes when no SMTP server is configured.

use reqwest::StatusCode;
use time::Duration;

use crate::harness::{audit_kinds, Browser, TestServer, PASSWORD};

const NEW_PASSWORD: &str = "a brand new recovered passphrase";

/// The messages written so far, decoded enough to read (quoted-printable soft breaks and `=3D`).
fn mails(s: &TestServer) -> Vec<String> {
    let dir = s.state.config.data_dir.join("mail");
    let mut out: Vec<(std::time::SystemTime, String)> = std::fs::read_dir(&dir)
        .map(|d| {
            d.flatten()
                .filter(|e| e.path().extension().is_some_and(|x| x == "eml"))
                .map(|e| {
                    let when = e.metadata().and_then(|m| m.modified()).unwrap_or(std::time::UNIX_EPOCH);
                    let text = std::fs::read_to_string(e.path()).unwrap_or_default();
                    (when, text.replace("=\r\n", "").replace("=3D", "="))
                })
                .collect()
        })
        .unwrap_or_default();
    out.sort_by_key(|(t, _)| *t);
    out.into_iter().map(|(_, m)| m).collect()
}

/// Waits (the request's task, then the outbox worker) until `n` messages exist.
async fn wait_for_mails(s: &TestServer, n: usize) -> Vec<String> {
    for _ in 0..80 {
        let m = mails(s);
        if m.len() >= n {
            return m;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    mails(s)
}

/// Asks for a recovery link for `email` from a fresh browser; returns the page.
async fn ask(s: &TestServer, email: &str) -> crate::harness::Resp {
    let mut b = s.browser();
    let page = b.get("/recover").await;
    assert_eq!(page.status, StatusCode::OK);
    b.post_form("/recover", &[("csrf", &page.csrf()), ("email", email)]).await
}

/// The path of the recovery link in a mail.
fn link_in(mail: &str) -> String {
    let at = mail.find("/recover/sgn_rc_").expect("a recovery link");
    let rest = &mail[at..];
    let end = rest.find(|c: char| !(c.is_ascii_alphanumeric() || "/_-".contains(c))).unwrap_or(rest.len());
    rest[..end].to_owned()
}

/// Asks for a link for `email` and returns the new one (mail order on disk is not reliable).
pub(crate) async fn link_for(s: &TestServer, email: &str) -> String {
    let links = |s: &TestServer| -> Vec<String> {
        mails(s).iter().filter(|m| m.contains("/recover/sgn_rc_")).map(|m| link_in(m)).collect()
    };
    let before = links(s);
    let r = ask(s, email).await;
    assert_eq!(r.status, StatusCode::OK);
    for _ in 0..80 {
        if let Some(new) = links(s).into_iter().find(|l| !before.contains(l)) {
            return new;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    unreachable!("no new recovery link for {email}");
}

/// Submits the new-password form of `link` (with `code` when given).
async fn reset(b: &mut Browser, link: &str, password: &str, code: Option<&str>) -> crate::harness::Resp {
    let page = b.get(link).await;
    let csrf = page.csrf();
    let mut form = vec![("csrf", csrf.as_str()), ("new_password", password)];
    if let Some(c) = code {
        form.push(("code", c));
    }
    b.post_form(link, &form).await
}

async fn can_log_in(s: &TestServer, email: &str, password: &str) -> bool {
    s.browser().login(email, password).await.status == StatusCode::SEE_OTHER
}

#[tokio::test]
async fn recovery_same_response_known_unknown_email() {
    let s = TestServer::start().await;
    s.create_user("ann@example.com", PASSWORD).await;
    let known = ask(&s, "ann@example.com").await;
    let unknown = ask(&s, "bob@example.com").await;
    assert_eq!((known.status, unknown.status), (StatusCode::OK, StatusCode::OK));
    let strip = |b: &str, e: &str| {
        b.replace(e, "X")
            .split("name=\"csrf\" value=\"")
            .map(|p| p.split_once('"').map_or(p, |(_, r)| r).to_owned())
            .collect::<String>()
    };
    assert_eq!(strip(&known.body, "ann@example.com"), strip(&unknown.body, "bob@example.com"), "the same page");
    assert!(known.body.contains("If an account exists for ann@example.com"));
    let m = wait_for_mails(&s, 1).await;
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    assert_eq!(mails(&s).len(), 1, "a mail for the account only");
    assert!(m[0].contains("To: ann@example.com"));
    assert!(!link_in(&m[0]).contains("ann"), "the link carries no address");
    assert_eq!(audit_kinds(&s).await.iter().filter(|k| *k == "password_reset_request").count(), 1);
    // Asking again and again is limited per address (3 per window), for known and unknown alike.
    for who in ["ann@example.com", "bob@example.com"] {
        ask(&s, who).await;
        ask(&s, who).await;
        assert_eq!(ask(&s, who).await.status, StatusCode::TOO_MANY_REQUESTS, "{who}");
    }
}

#[tokio::test]
async fn recovery_token_single_use() {
    let s = TestServer::start().await;
    s.create_user("ann@example.com", PASSWORD).await;
    let link = link_for(&s, "ann@example.com").await;
    let mut b = s.browser();
    // Opening it (a mail scanner does too) uses nothing up.
    assert_eq!(b.get(&link).await.status, StatusCode::OK);
    assert_eq!(b.get(&link).await.status, StatusCode::OK);
    let r = reset(&mut b, &link, NEW_PASSWORD, None).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location(), "/login?notice=password_reset");
    // Used: the page and the form refuse it, and the password stays the one just set.
    assert_eq!(b.get(&link).await.status, StatusCode::BAD_REQUEST);
    // (A replayed form, with a CSRF token this browser holds.)
    let csrf = b.get("/recover").await.csrf();
    let again = b.post_form(&link, &[("csrf", &csrf), ("new_password", "yet another passphrase here")]).await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST);
    assert!(again.body.contains("This link does not work"));
    assert!(can_log_in(&s, "ann@example.com", NEW_PASSWORD).await);
    assert!(!can_log_in(&s, "ann@example.com", "yet another passphrase here").await);
    // A made-up token is refused the same way.
    assert_eq!(b.get("/recover/sgn_rc_madeup").await.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn recovery_token_expires() {
    let s = TestServer::start().await;
    s.create_user("ann@example.com", PASSWORD).await;
    let link = link_for(&s, "ann@example.com").await;
    s.clock.advance(Duration::minutes(14));
    let mut b = s.browser();
    assert_eq!(b.get(&link).await.status, StatusCode::OK, "still valid at 14 minutes");
    s.clock.advance(Duration::minutes(2));
    assert_eq!(b.get(&link).await.status, StatusCode::BAD_REQUEST, "expired at 16");
    let csrf = b.get("/recover").await.csrf();
    let r = b.post_form(&link, &[("csrf", &csrf), ("new_password", NEW_PASSWORD)]).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(can_log_in(&s, "ann@example.com", PASSWORD).await, "the password did not change");
}

#[tokio::test]
async fn recovery_token_invalid_after_password_change() {
    let s = TestServer::start().await;
    s.create_user("ann@example.com", PASSWORD).await;
    let first = link_for(&s, "ann@example.com").await;
    let second = link_for(&s, "ann@example.com").await;
    assert_ne!(first, second);
    // Using one link changes the password: the other stops working.
    let mut b = s.browser();
    assert_eq!(reset(&mut b, &second, NEW_PASSWORD, None).await.status, StatusCode::SEE_OTHER);
    assert_eq!(b.get(&first).await.status, StatusCode::BAD_REQUEST);
    // So does a change made any other way (here the operator's `set-password`).
    let third = link_for(&s, "ann@example.com").await;
    let (code, _, err) = crate::harness::run_cli(
        s.dir.path(),
        &["user", "set-password", "ann@example.com", "--password-stdin"],
        "an operator-set passphrase\n",
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(b.get(&third).await.status, StatusCode::BAD_REQUEST);
    assert!(can_log_in(&s, "ann@example.com", "an operator-set passphrase").await);
}

#[tokio::test]
async fn recovery_revokes_all_sessions_and_tokens() {
    let s = TestServer::start().await;
    let mut signed_in = s.signed_in("ann@example.com").await;
    let user_id = s.user("ann@example.com").await.id;
    let c = s.code_client("openid offline_access", false, true).await;
    let rt = s.refresh_family(&c, Some(user_id), "openid offline_access").await;
    let link = link_for(&s, "ann@example.com").await;
    assert_eq!(reset(&mut s.browser(), &link, NEW_PASSWORD, None).await.status, StatusCode::SEE_OTHER);
    assert_eq!(signed_in.get("/account").await.status, StatusCode::SEE_OTHER, "the old session is gone");
    let (status, body) = s.refresh(&c, &rt, None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "invalid_grant");
    // The owner is told, at the account's address.
    let m = wait_for_mails(&s, 2).await;
    let notice = m.iter().find(|m| m.contains("password was changed")).expect("a notice");
    assert!(notice.contains("To: ann@example.com"), "{notice}");
    assert!(audit_kinds(&s).await.contains(&"password_reset".to_string()));
}

#[tokio::test]
async fn recovery_requires_second_factor_when_enrolled() {
    let s = TestServer::start().await;
    let mut b = s.signed_in("ann@example.com").await;
    let (secret, backup) = crate::mfa::enrol_totp(&s, &mut b).await;
    s.clock.advance(Duration::seconds(60));
    let link = link_for(&s, "ann@example.com").await;
    let mut r = s.browser();
    let page = r.get(&link).await;
    assert!(page.body.contains("id=\"code\""), "the form asks for the second factor");
    for code in [None, Some("000000"), Some("not-a-code")] {
        let out = reset(&mut r, &link, NEW_PASSWORD, code).await;
        assert_eq!(out.status, StatusCode::BAD_REQUEST, "{code:?}");
        assert!(out.body.contains("That code is not correct."));
    }
    assert!(can_log_in_first_step(&s, PASSWORD).await, "the password did not change");
    // A backup code works (and is used up); so would the app's current code.
    let out = reset(&mut r, &link, NEW_PASSWORD, Some(&backup[0])).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER, "{}", out.body);
    assert!(can_log_in_first_step(&s, NEW_PASSWORD).await);
    let step = s.state.now().unix_timestamp().div_euclid(30);
    assert!(secret.code_at_step(step).is_some());
}

/// The password step of a login succeeds (a TOTP user then goes on to the second factor).
async fn can_log_in_first_step(s: &TestServer, password: &str) -> bool {
    let r = s.browser().login("ann@example.com", password).await;
    r.status == StatusCode::SEE_OTHER && r.location() == "/login/second-factor"
}

#[tokio::test]
async fn recovery_does_not_sign_in() {
    let s = TestServer::start().await;
    s.create_user("ann@example.com", PASSWORD).await;
    let link = link_for(&s, "ann@example.com").await;
    let mut b = s.browser();
    let r = reset(&mut b, &link, NEW_PASSWORD, None).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(b.session_cookie().is_none(), "no session from the link");
    assert_eq!(b.get("/account").await.status, StatusCode::SEE_OTHER);
    let login = b.get(r.location()).await;
    assert!(login.body.contains("Sign in with the new password."), "{}", login.body);
    assert!(b.login("ann@example.com", NEW_PASSWORD).await.status == StatusCode::SEE_OTHER);
}
