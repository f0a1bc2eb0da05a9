//! The account lifecycle over a real SMTP server (aiosmtpd): changing the address (confirmed at
//! the new one, revertible from the old one), the new-device notice and its "this wasn't me"
//! link, deletion with a grace period, the data export, and the profile claims.

use reqwest::StatusCode;
use time::Duration;

use crate::harness::inbox::{link_in, with_smtp};
use crate::harness::{audit_kinds, jwt_parts, Browser, TestServer, PASSWORD};

/// Posts a signed-in form on `page` (its CSRF token) to `path`.
async fn post_from(b: &mut Browser, page: &str, path: &str, fields: &[(&str, &str)]) -> crate::harness::Resp {
    let csrf = b.get(page).await.csrf();
    let mut form = vec![("csrf", csrf.as_str())];
    form.extend_from_slice(fields);
    b.post_form(path, &form).await
}

/// Opens a mailed link (the page) and presses its button; returns the button's answer.
async fn press(b: &mut Browser, link: &str) -> crate::harness::Resp {
    let page = b.get(link).await;
    assert_eq!(page.status, StatusCode::OK, "{link}: {}", page.body);
    b.post_form(link, &[("csrf", &page.csrf())]).await
}

fn signed_out(r: &crate::harness::Resp) -> bool {
    r.status == StatusCode::SEE_OTHER && r.location().starts_with("/login")
}

#[tokio::test]
async fn email_change_confirms_new_and_notifies_old_with_revert() {
    let (s, smtp) = with_smtp(|_| {}).await;
    s.create_user("ann@example.com", PASSWORD).await;
    s.create_user("zed@example.com", PASSWORD).await;
    let mut b = s.signed_in("ann@example.com").await;
    // An address with an account: the same answer, and nothing is sent to it.
    let r = post_from(&mut b, "/account/profile", "/account/email", &[("new_email", "zed@example.com")]).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("We have sent a confirmation link to zed@example.com"));
    // A free one: a link to it; nothing changes yet.
    let r = post_from(&mut b, "/account/profile", "/account/email", &[("new_email", "Ann.New@example.com")]).await;
    assert_eq!(r.status, StatusCode::OK);
    let mail = smtp.wait_mail("ann.new@example.com", "Confirm your new").await;
    let link = link_in(&mail, "/account/email/confirm/sgn_ec_");
    assert_eq!(s.user("ann@example.com").await.email, "ann@example.com");
    // Confirmed from another browser (the mail app's): the address changes, proven.
    let mut other = s.browser();
    let r = press(&mut other, &link).await;
    assert_eq!((r.status, r.location()), (StatusCode::SEE_OTHER, "/account/profile?notice=email_changed"));
    let u = s.user("ann.new@example.com").await;
    assert!(u.email_verified());
    assert_eq!(other.post_form(&link, &[("csrf", "x")]).await.status, StatusCode::FORBIDDEN, "CSRF still checked");
    let page = other.get("/verify-email").await;
    assert_eq!(other.post_form(&link, &[("csrf", &page.csrf())]).await.status, StatusCode::BAD_REQUEST, "once");
    // The old address is told, with a revert link; the sessions and tokens still work meanwhile.
    let notice = smtp.wait_mail("ann@example.com", "was changed").await;
    assert!(notice.contains("ann.new@example.com"));
    let revert = link_in(&notice, "/account/email/revert/sgn_er_");
    let tokens = s.user_tokens("ann.new@example.com").await;
    assert_eq!(b.get("/account").await.status, StatusCode::OK);
    // Whoever changed it registers the freed old address, to block the revert (unverified: they
    // cannot read that mailbox).
    let squatter = s.create_user("ann@example.com", "the squatter's passphrase").await;
    // Revert: the old address is back, every session and token ends, recovery starts.
    let r = press(&mut s.browser(), &revert).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("Your address is restored"), "{}", r.body);
    let ann = s.user("ann@example.com").await;
    assert_eq!(ann.id, u.id, "the old address is back on the account it was taken from");
    assert!(s.state.store.user_by_id(squatter).await.expect("store").is_none(), "the squatter gave way");
    assert!(signed_out(&b.get("/account").await));
    s.assert_tokens_dead(&tokens).await;
    smtp.wait_mail("ann@example.com", "/recover/sgn_rc_").await;
    assert_eq!(s.browser().get(&revert).await.status, StatusCode::BAD_REQUEST, "the revert link is spent");
    let kinds = audit_kinds(&s).await;
    for k in ["email_change_request", "email_change", "email_change_revert"] {
        assert!(kinds.iter().any(|x| x == k), "{k} audited");
    }
    // No mail to the address that has an account of its own.
    assert!(smtp.to("zed@example.com").is_empty());
}

#[tokio::test]
async fn email_change_needs_recent_sign_in() {
    let (s, smtp) = with_smtp(|_| {}).await;
    let mut b = s.signed_in("ann@example.com").await;
    s.clock.advance(Duration::minutes(11));
    let r = post_from(&mut b, "/account/profile", "/account/email", &[("new_email", "ann2@example.com")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(r.location().starts_with("/login?return_to=%2Faccount%2Fprofile&force=1"), "{}", r.location());
    // Control: after signing in again it goes through.
    let page = b.get(r.location()).await;
    assert_eq!(page.status, StatusCode::OK);
    let form = [("csrf", page.csrf()), ("email", "ann@example.com".into()), ("password", PASSWORD.into())];
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(b.post_form("/login", &form).await.status, StatusCode::SEE_OTHER);
    let r = post_from(&mut b, "/account/profile", "/account/email", &[("new_email", "ann2@example.com")]).await;
    assert_eq!(r.status, StatusCode::OK);
    smtp.wait_mail("ann2@example.com", "Confirm your new").await;
}

/// A browser whose requests come from `ip` (through the trusted proxy on loopback).
fn from(s: &TestServer, ip: &str) -> Browser {
    let mut b = s.browser();
    b.headers.push(("x-forwarded-for".into(), ip.into()));
    b
}

#[tokio::test]
async fn new_device_notice_sent_once() {
    let (s, smtp) = with_smtp(|c| c.trusted_proxies = vec!["127.0.0.1/32".into()]).await;
    s.create_user("ann@example.com", PASSWORD).await;
    // The first sign-in ever: nothing to compare with, no notice.
    let mut home = from(&s, "198.51.100.7");
    assert_eq!(home.login("ann@example.com", PASSWORD).await.status, StatusCode::SEE_OTHER);
    // The known browser (its device cookie; signed out) on a new network (a laptop travelling):
    // no notice.
    home.cookies.retain(|k, _| !k.ends_with("signet_session"));
    home.headers[0].1 = "192.0.2.10".into();
    assert_eq!(home.login("ann@example.com", PASSWORD).await.status, StatusCode::SEE_OTHER);
    // A new browser on a known network (a second browser at home): no notice.
    let mut second = from(&s, "198.51.100.99");
    assert_eq!(second.login("ann@example.com", PASSWORD).await.status, StatusCode::SEE_OTHER);
    // A new browser on a new network: one notice.
    let mut stranger = from(&s, "203.0.113.9");
    assert_eq!(stranger.login("ann@example.com", PASSWORD).await.status, StatusCode::SEE_OTHER);
    let notice = smtp.wait_mail("ann@example.com", "New sign-in").await;
    assert!(notice.contains("203.0.113.0/24") && notice.contains("Firefox"), "{notice}");
    assert!(!notice.contains("203.0.113.9"), "the network, not the address");
    // Another new browser from that network again: no second notice.
    let mut again = from(&s, "203.0.113.50");
    assert_eq!(again.login("ann@example.com", PASSWORD).await.status, StatusCode::SEE_OTHER);
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    assert_eq!(smtp.to("ann@example.com").len(), 1, "one notice");

    // "This wasn't me": opening the link changes nothing; the button ends everything.
    let link = link_in(&notice, "/not-me/sgn_nm_");
    let tokens = s.user_tokens("ann@example.com").await;
    let mut mail_app = s.browser();
    let page = mail_app.get(&link).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(home.get("/account").await.status, StatusCode::OK);
    s.assert_tokens_live(&tokens).await;
    let r = mail_app.post_form(&link, &[("csrf", &page.csrf())]).await;
    assert_eq!(r.status, StatusCode::OK);
    for b in [&mut home, &mut second, &mut stranger, &mut again] {
        assert!(signed_out(&b.get("/account").await));
    }
    s.assert_tokens_dead(&tokens).await;
    smtp.wait_mail("ann@example.com", "/recover/sgn_rc_").await;
    assert_eq!(mail_app.post_form(&link, &[("csrf", &page.csrf())]).await.status, StatusCode::BAD_REQUEST);
    assert!(audit_kinds(&s).await.iter().any(|k| k == "not_me"));
}

#[tokio::test]
async fn deleted_account_cannot_log_in_after_grace() {
    let (s, smtp) = with_smtp(|c| c.accounts.deletion_grace = Duration::days(1)).await;
    s.create_user("bob@example.com", PASSWORD).await;
    let tokens = s.user_tokens("ann@example.com").await;
    let ann_id = s.user("ann@example.com").await.id;
    let mut b = s.signed_in("ann@example.com").await;
    let r = post_from(&mut b, "/account/delete", "/account/delete", &[]).await;
    assert_eq!((r.status, r.location()), (StatusCode::SEE_OTHER, "/login?notice=deletion_scheduled"));
    assert!(signed_out(&b.get("/account").await), "signed out at once");
    s.assert_tokens_dead(&tokens).await;
    smtp.wait_mail("ann@example.com", "will be deleted").await;
    // Within the grace period a sign-in leads to the page that cancels.
    assert_eq!(s.browser().login("ann@example.com", PASSWORD).await.location(), "/account/delete");
    // After it, the password no longer works, exactly as for an unknown account …
    s.clock.advance(Duration::days(1) + Duration::minutes(1));
    let r = s.browser().login("ann@example.com", PASSWORD).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("Incorrect email or password."));
    // … and the upkeep loop erases the account; audit events keep the user id only.
    let email = signet_core::Email::parse("ann@example.com").expect("email");
    // The upkeep loop erases the account, then records it: wait for both (CI once read the
    // audit log between the two).
    let (mut gone, mut events) = (false, Vec::new());
    for _ in 0..50 {
        gone = s.state.store.user_by_email(&email).await.expect("store").is_none();
        events = s.state.store.list_audit(Some(ann_id), 100).await.expect("audit");
        if gone && events.iter().any(|e| e.kind == "user_erase") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(gone, "erased after the grace period");
    assert!(events.iter().any(|e| e.kind == "user_erase"), "{events:?}");
    assert!(events.iter().all(|e| e.email.is_none() && e.ip.is_empty() && e.user_agent.is_empty()), "{events:?}");
    assert!(s.state.store.list_user_sessions(ann_id).await.expect("sessions").is_empty());
    // Control: another account is untouched.
    assert_eq!(s.browser().login("bob@example.com", PASSWORD).await.location(), "/account");
}

#[tokio::test]
async fn deletion_cancelled_within_grace() {
    let (s, _smtp) = with_smtp(|c| c.accounts.deletion_grace = Duration::days(7)).await;
    let mut b = s.signed_in("ann@example.com").await;
    post_from(&mut b, "/account/delete", "/account/delete", &[]).await;
    assert!(s.user("ann@example.com").await.delete_after.is_some());
    s.clock.advance(Duration::days(6));
    let mut b = s.browser();
    assert_eq!(b.login("ann@example.com", PASSWORD).await.location(), "/account/delete");
    let page = b.get("/account/delete").await;
    assert!(page.body.contains("This account will be deleted on"), "{}", page.body);
    let r = b.post_form("/account/delete/cancel", &[("csrf", &page.csrf())]).await;
    assert_eq!((r.status, r.location()), (StatusCode::SEE_OTHER, "/account?notice=deletion_cancelled"));
    assert!(s.user("ann@example.com").await.delete_after.is_none());
    // Past the old deadline the account is still there and signs in normally.
    s.clock.advance(Duration::days(2));
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    assert_eq!(s.browser().login("ann@example.com", PASSWORD).await.location(), "/account");
    assert!(audit_kinds(&s).await.iter().any(|k| k == "deletion_cancel"));
}

#[tokio::test]
async fn export_contains_no_secrets() {
    let s = TestServer::start().await;
    let tokens = s.user_tokens("ann@example.com").await;
    let mut b = s.signed_in("ann@example.com").await;
    // A second factor: TOTP, enrolled through the pages, and its backup codes.
    let (secret, backup) = crate::mfa::enrol_totp(&s, &mut b).await;
    let base32 = secret.base32().expect("base32").to_string();
    let r = b.get("/account/export").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.header("content-disposition").is_some_and(|d| d.starts_with("attachment")));
    assert_eq!(r.header("cache-control"), Some("no-store"));
    let v: serde_json::Value = serde_json::from_str(&r.body).expect("json");
    assert_eq!(v["account"]["email"], "ann@example.com");
    assert_eq!(v["account"]["sub"], s.user("ann@example.com").await.subject);
    assert!(!v["sessions"].as_array().expect("sessions").is_empty());
    assert_eq!(v["consents"].as_array().expect("consents").len(), 0, "first-party client: no consent row");
    assert!(v["second_factors"]["totp"]["created_at"].is_string());
    assert_eq!(v["second_factors"]["backup_codes_remaining"], 10);
    assert!(v["audit_events"].as_array().expect("audit").iter().any(|e| e["event"] == "login_success"));
    // Nothing secret, in any form.
    let user = s.user("ann@example.com").await;
    let mut secrets = vec![
        PASSWORD.to_owned(),
        user.password.expect("password").hash,
        base32,
        hex::encode(secret.expose_bytes()),
        tokens.access.clone(),
        tokens.refresh.clone(),
        b.session_cookie().expect("session"),
    ];
    secrets.extend(backup.iter().flat_map(|c| [c.clone(), c.replace('-', "")]));
    for secret in &secrets {
        assert!(!r.body.contains(secret.as_str()), "{}… in the export", &secret[..6]);
    }
    assert!(!r.body.contains("$argon2") && !r.body.contains("secret_enc") && !r.body.contains("hash"));
    assert!(audit_kinds(&s).await.iter().any(|k| k == "data_export"));
    // A stale session signs in again first.
    s.clock.advance(Duration::minutes(11));
    let r = b.get("/account/export").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(r.location().contains("force=1"));
}

#[tokio::test]
async fn profile_claims_by_scope() {
    let s = TestServer::start().await;
    let mut b = s.signed_in("ann@example.com").await;
    let fields = [
        ("name", "Ann Example"),
        ("given_name", "Ann"),
        ("family_name", "Example"),
        ("nickname", "annie"),
        ("picture", "https://img.example.com/ann.png"),
        ("locale", "de-CH"),
        ("zoneinfo", "Europe/Zurich"),
    ];
    // A bad value: refused, marked, nothing stored.
    let mut bad = fields.to_vec();
    bad[4] = ("picture", "javascript:alert(1)");
    let r = post_from(&mut b, "/account/profile", "/account/profile", &bad).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("id=\"p-picture\"") && r.body.contains("aria-invalid=\"true\""));
    assert!(s.user("ann@example.com").await.profile.is_empty());
    let r = post_from(&mut b, "/account/profile", "/account/profile", &fields).await;
    assert_eq!((r.status, r.location()), (StatusCode::SEE_OTHER, "/account/profile?notice=profile_saved"));

    let client = s.code_client("openid profile email", false, true).await;
    let claims_for = |scope: &'static str| {
        let (s, client) = (&s, &client);
        async move {
            let (code, p) = s.code_for(client, "ann@example.com", scope).await;
            let (status, body) = s.exchange(client, &code, &p.verifier).await;
            assert_eq!(status, StatusCode::OK, "{body}");
            let id = jwt_parts(body["id_token"].as_str().expect("id_token")).1;
            let at = body["access_token"].as_str().expect("at").to_owned();
            let info: serde_json::Value = reqwest::Client::new()
                .get(format!("{}/oauth2/userinfo", s.base))
                .bearer_auth(at)
                .send()
                .await
                .expect("userinfo")
                .json()
                .await
                .expect("json");
            (id, info)
        }
    };
    let (id, info) = claims_for("openid profile").await;
    for claims in [&id, &info] {
        for (k, v) in fields {
            assert_eq!(claims[k], v, "{k} in {claims}");
        }
        assert!(claims["updated_at"].is_i64());
        assert!(claims.get("email").is_none(), "no email without the email scope");
    }
    let (id, info) = claims_for("openid email").await;
    for claims in [&id, &info] {
        assert_eq!(claims["email"], "ann@example.com");
        assert!(claims.get("name").is_none() && claims.get("updated_at").is_none(), "{claims}");
    }
    let (id, info) = claims_for("openid").await;
    assert!(id.get("name").is_none() && id.get("email").is_none());
    assert_eq!(info.as_object().expect("object").keys().collect::<Vec<_>>(), ["sub"]);
    let supported = s.metadata().await["claims_supported"].clone();
    for k in ["name", "given_name", "family_name", "nickname", "picture", "locale", "zoneinfo", "updated_at"] {
        assert!(supported.as_array().expect("array").iter().any(|c| c == k), "{k} in claims_supported");
    }
}
