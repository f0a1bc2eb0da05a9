//! Sign-up without account enumeration, and proving an address with a mailed link or code,
//! over a real SMTP server (aiosmtpd).

use reqwest::StatusCode;

use crate::harness::inbox::{code_in, link_in, with_smtp};
use crate::harness::{db_strings, jwt_parts, Browser, TestServer, PASSWORD};

/// The page's text without what differs between any two answers (the CSRF token, the address).
fn normalised(body: &str, email: &str) -> String {
    let csrf = crate::harness::hidden_field(body, "csrf").unwrap_or_default();
    body.replace(&csrf, "CSRF").replace(email, "EMAIL")
}

async fn verified(s: &TestServer, email: &str) -> bool {
    s.user(email).await.email_verified()
}

/// Types `code` for `email` on the verification page from `b`.
async fn enter_code(b: &mut Browser, email: &str, code: &str) -> crate::harness::Resp {
    let page = b.get("/verify-email").await;
    b.post_form("/verify-email", &[("csrf", &page.csrf()), ("email", email), ("code", code)]).await
}

/// Asks for a new link and code for `email` from `b`.
async fn resend(b: &mut Browser, email: &str) -> crate::harness::Resp {
    let page = b.get("/verify-email").await;
    b.post_form("/verify-email/resend", &[("csrf", &page.csrf()), ("email", email)]).await
}

#[tokio::test]
async fn signup_same_response_new_and_existing_email() {
    let (s, smtp) = with_smtp(|_| {}).await;
    s.create_user("ann@example.com", PASSWORD).await;
    let attacker_pw = "an attacker's chosen passphrase";
    let existing = Browser::new(&s.base).signup("ann@example.com", attacker_pw).await;
    let new = Browser::new(&s.base).signup("bob@example.com", attacker_pw).await;
    // The same status, the same page (but for the address typed and the CSRF token), no cookie
    // that only one of them gets.
    assert_eq!((existing.status, new.status), (StatusCode::OK, StatusCode::OK));
    assert_eq!(normalised(&existing.body, "ann@example.com"), normalised(&new.body, "bob@example.com"));
    let names = |r: &crate::harness::Resp| -> Vec<String> {
        let mut v: Vec<String> = r.set_cookies().iter().map(|c| c.split('=').next().unwrap_or("").to_owned()).collect();
        v.sort();
        v
    };
    assert_eq!(names(&existing), names(&new));
    // The owner is told; the new address gets its link and code.
    let told = smtp.wait_mail("ann@example.com", "Someone tried to sign up").await;
    assert!(told.contains("/recover"), "{told}");
    assert!(!told.contains("sgn_ev_"), "no verification link for an address that has an account");
    let welcome = smtp.wait_mail("bob@example.com", "Verify your").await;
    assert!(welcome.contains("/verify-email/sgn_ev_") && code_in(&welcome).len() == 6);
    // The owner's account is untouched: their password works, the attacker's does not.
    assert_eq!(s.browser().login("ann@example.com", attacker_pw).await.status, StatusCode::OK);
    assert_eq!(s.browser().login("ann@example.com", PASSWORD).await.status, StatusCode::SEE_OTHER);
    assert_eq!(s.state.store.list_users().await.expect("users").len(), 2);
}

#[tokio::test]
async fn verification_link_and_code_single_use() {
    let (s, smtp) = with_smtp(|_| {}).await;
    let mut b = s.browser();
    assert_eq!(b.signup("bob@example.com", PASSWORD).await.status, StatusCode::OK);
    let mail = smtp.wait_mail("bob@example.com", "Verify your").await;
    let (link, code) = (link_in(&mail, "/verify-email/sgn_ev_"), code_in(&mail));
    assert!(!mail.contains("bob%40example") && !link.contains("bob"), "no address in the link");
    // Opening the link (a mail scanner would) changes nothing.
    let mut other = s.browser();
    let page = other.get(&link).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("bob@example.com"));
    assert!(!verified(&s, "bob@example.com").await);
    // Its button, in another browser than the one that signed up, verifies.
    let r = other.post_form(&link, &[("csrf", &page.csrf())]).await;
    assert_eq!((r.status, r.location()), (StatusCode::SEE_OTHER, "/login?notice=email_verified"));
    assert!(verified(&s, "bob@example.com").await);
    // Once: the link again, and the code that came with it, are spent.
    let again = other.post_form(&link, &[("csrf", &page.csrf())]).await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST);
    assert!(again.body.contains("expired or was already used"));
    assert_eq!(enter_code(&mut b, "bob@example.com", &code).await.status, StatusCode::BAD_REQUEST);

    // The code path, for an account made by the CLI (unverified) asking on demand.
    s.create_user("carol@example.com", PASSWORD).await;
    assert_eq!(resend(&mut b, "carol@example.com").await.status, StatusCode::OK);
    let mail = smtp.wait_mail("carol@example.com", "Verify your").await;
    let code = code_in(&mail);
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let r = enter_code(&mut b, "carol@example.com", wrong).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("not correct") && !verified(&s, "carol@example.com").await);
    // The right code works once, in a form with spaces as people type them.
    let spaced = format!("{} {}", &code[..3], &code[3..]);
    let r = enter_code(&mut b, "carol@example.com", &spaced).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert!(verified(&s, "carol@example.com").await);
    assert_eq!(enter_code(&mut b, "carol@example.com", &code).await.status, StatusCode::BAD_REQUEST);
    // … and the link of that mail is spent with it.
    let link = link_in(&mail, "/verify-email/sgn_ev_");
    assert_eq!(b.get(&link).await.status, StatusCode::BAD_REQUEST);
    // Delivered mail keeps no body in the outbox: the database is not a second inbox.
    let mut bodies = Vec::new();
    for _ in 0..50 {
        bodies = db_strings(&s, "SELECT text_body || COALESCE(html_body, '') FROM mail_outbox").await;
        if bodies.iter().all(String::is_empty) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(bodies.len(), 2);
    assert!(bodies.iter().all(|b| !b.contains("sgn_ev_") && !b.contains(&code)), "{bodies:?}");
}

#[tokio::test]
async fn verification_code_guessing_limited() {
    let (s, smtp) = with_smtp(|c| c.rate_limit.login_failures_per_account = 5).await;
    s.create_user("dan@example.com", PASSWORD).await;
    let mut b = s.browser();
    resend(&mut b, "dan@example.com").await;
    let code = code_in(&smtp.wait_mail("dan@example.com", "Verify your").await);
    let wrong = if code == "000000" { "111111" } else { "000000" };
    for _ in 0..5 {
        assert_eq!(enter_code(&mut b, "dan@example.com", wrong).await.status, StatusCode::BAD_REQUEST);
    }
    // The budget is spent: even the right code is not looked at now.
    assert_eq!(enter_code(&mut b, "dan@example.com", &code).await.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(!verified(&s, "dan@example.com").await);
}

#[tokio::test]
async fn verification_resend_rate_limited() {
    let (s, smtp) = with_smtp(|_| {}).await;
    s.create_user("erin@example.com", PASSWORD).await;
    let mut b = s.browser();
    for _ in 0..3 {
        assert_eq!(resend(&mut b, "erin@example.com").await.status, StatusCode::OK);
    }
    let r = resend(&mut b, "erin@example.com").await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(r.headers.get("retry-after").is_some());
    // Three mails went out, not four; another address is not held back by erin's limit.
    smtp.wait_mail("erin@example.com", "Verify your").await;
    s.create_user("fay@example.com", PASSWORD).await;
    assert_eq!(resend(&mut b, "fay@example.com").await.status, StatusCode::OK);
    smtp.wait_mail("fay@example.com", "Verify your").await;
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    assert_eq!(smtp.to("erin@example.com").len(), 3);
    // An unknown address gets the same answer and no mail.
    assert_eq!(resend(&mut b, "nobody@example.com").await.status, StatusCode::OK);
}

#[tokio::test]
async fn email_verified_claim_after_verification_only() {
    let (s, smtp) = with_smtp(|_| {}).await;
    let client = s.code_client("openid email", false, true).await;
    s.create_user("gus@example.com", PASSWORD).await;
    let tokens = |body: &serde_json::Value| {
        (
            jwt_parts(body["id_token"].as_str().expect("id_token")).1,
            body["access_token"].as_str().expect("at").to_owned(),
        )
    };
    let userinfo = |at: String| {
        let base = s.base.clone();
        async move {
            let r =
                reqwest::Client::new().get(format!("{base}/oauth2/userinfo")).bearer_auth(at).send().await.expect("ui");
            r.json::<serde_json::Value>().await.expect("json")
        }
    };
    let (code, p) = s.code_for(&client, "gus@example.com", "openid email").await;
    let (status, body) = s.exchange(&client, &code, &p.verifier).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (id, at) = tokens(&body);
    assert_eq!((id["email"].as_str(), id["email_verified"].as_bool()), (Some("gus@example.com"), Some(false)));
    assert_eq!(userinfo(at).await["email_verified"], false);

    let mut b = s.browser();
    resend(&mut b, "gus@example.com").await;
    let code_digits = code_in(&smtp.wait_mail("gus@example.com", "Verify your").await);
    assert_eq!(enter_code(&mut b, "gus@example.com", &code_digits).await.status, StatusCode::SEE_OTHER);

    let (code, p) = s.code_for(&client, "gus@example.com", "openid email").await;
    let (_, body) = s.exchange(&client, &code, &p.verifier).await;
    let (id, at) = tokens(&body);
    assert_eq!(id["email_verified"], true);
    let info = userinfo(at).await;
    assert_eq!((info["email"].as_str(), info["email_verified"].as_bool()), (Some("gus@example.com"), Some(true)));
}

#[tokio::test]
async fn require_verified_email_refuses_sign_in_until_verified() {
    let (s, smtp) = with_smtp(|c| c.accounts.require_verified_email = true).await;
    s.create_user("hal@example.com", PASSWORD).await;
    let mut b = s.browser();
    let r = b.login("hal@example.com", PASSWORD).await;
    assert_eq!((r.status, r.location()), (StatusCode::SEE_OTHER, "/verify-email?why=login"));
    assert!(b.session_cookie().is_none(), "no session before the address is proven");
    // A code went out by itself; typing it lets the next sign-in through.
    let code = code_in(&smtp.wait_mail("hal@example.com", "Verify your").await);
    assert!(b.get("/verify-email?why=login").await.body.contains("Before you can sign in"));
    assert_eq!(enter_code(&mut b, "hal@example.com", &code).await.status, StatusCode::SEE_OTHER);
    assert_eq!(b.login("hal@example.com", PASSWORD).await.location(), "/account");
    assert!(b.session_cookie().is_some());
}
