//! Two-step verification: `/account/security` (TOTP enrolment, backup codes), the
//! `/login/second-factor` step, step-up through `acr_values`, and recent re-authentication.

use reqwest::StatusCode;
use signet_core::totp::TotpSecret;
use time::Duration;

use crate::harness::{authz_query, jwt_parts, location_params, pkce, Browser, Resp, TestServer, PASSWORD};

fn step(s: &TestServer) -> i64 {
    s.state.now().unix_timestamp().div_euclid(30)
}

fn code(s: &TestServer, secret: &TotpSecret, offset: i64) -> String {
    secret.code_at_step(step(s) + offset).expect("code")
}

fn between<'a>(body: &'a str, start: &str, end: &str) -> &'a str {
    let i = body.find(start).map(|i| i + start.len()).unwrap_or(body.len());
    let j = body[i..].find(end).map(|j| i + j).unwrap_or(body.len());
    &body[i..j]
}

/// The page as a browser reads it (minijinja escapes `/` and `&` in text and attributes).
fn unescaped(page: &Resp) -> String {
    page.body.replace("&#x2f;", "/").replace("&amp;", "&")
}

fn backup_codes_on(page: &Resp) -> Vec<String> {
    let list = between(&page.body, "<ul class=\"codes\" id=\"backup-codes\">", "</ul>");
    list.split("<code>").skip(1).map(|c| c.split("</code>").next().unwrap_or("").to_owned()).collect()
}

/// Turns on TOTP for a signed-in browser through the pages; returns the secret (read from the
/// setup page, as a user would type it into an app) and the backup codes shown once.
pub async fn enrol_totp(s: &TestServer, b: &mut Browser) -> (TotpSecret, Vec<String>) {
    let csrf = b.get("/account/security").await.csrf();
    let r = b.post_form("/account/security/totp", &[("csrf", &csrf), ("return_to", "")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location(), "/account/security/totp");
    let page = b.get("/account/security/totp").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(unescaped(&page).contains("src=\"data:image/svg+xml;base64,"), "a server-rendered QR code");
    let secret = TotpSecret::from_base32(between(&page.body, "<code id=\"totp-secret\">", "</code>")).expect("secret");
    let r = b
        .post_form(
            "/account/security/totp/confirm",
            &[("csrf", &page.csrf()), ("code", &code(s, &secret, 0)), ("return_to", "")],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "backup codes are shown right away");
    let codes = backup_codes_on(&r);
    assert_eq!(codes.len(), 10);
    (secret, codes)
}

/// Password step of a login; returns the second-factor page.
async fn password_step(b: &mut Browser, email: &str, return_to: &str) -> Resp {
    let page = b.get("/login?force=1").await;
    let r = b
        .post_form(
            "/login",
            &[("email", email), ("password", PASSWORD), ("csrf", &page.csrf()), ("return_to", return_to)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location(), "/login/second-factor");
    let page = b.get("/login/second-factor").await;
    assert_eq!(page.status, StatusCode::OK);
    page
}

async fn submit_code(b: &mut Browser, page: &Resp, method: &str, code: &str) -> Resp {
    b.post_form("/login/second-factor", &[("csrf", &page.csrf()), ("method", method), ("code", code)]).await
}

/// A user with TOTP on, signed out; returns the secret and backup codes.
async fn totp_user(s: &TestServer, email: &str) -> (TotpSecret, Vec<String>) {
    let mut b = s.signed_in(email).await;
    let out = enrol_totp(s, &mut b).await;
    // The enrolment used the current step; later logins need later ones (even a slow phone's).
    s.clock.advance(Duration::seconds(60));
    out
}

#[tokio::test]
async fn totp_enrolment_requires_valid_code() {
    let s = TestServer::start().await;
    let mut b = s.signed_in("ann@example.com").await;
    let csrf = b.get("/account/security").await.csrf();
    b.post_form("/account/security/totp", &[("csrf", &csrf), ("return_to", "")]).await;
    let page = b.get("/account/security/totp").await;
    let secret = TotpSecret::from_base32(between(&page.body, "<code id=\"totp-secret\">", "</code>")).expect("secret");
    assert!(unescaped(&page).contains("otpauth://totp/signet.test:ann%40example.com?"), "otpauth URI offered");
    for wrong in ["000000", "12345", "abcdef", &code(&s, &secret, 5)] {
        let r = b
            .post_form("/account/security/totp/confirm", &[("csrf", &page.csrf()), ("code", wrong), ("return_to", "")])
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{wrong}");
        assert!(r.body.contains("That code is not correct"));
    }
    // Not active: signing in still takes the password alone.
    let mut other = s.browser();
    assert_eq!(other.login("ann@example.com", PASSWORD).await.location(), "/account");
    let sec = b.get("/account/security").await;
    assert!(sec.body.contains("id=\"totp-status\">Off."));
    // The right code turns it on, shows backup codes once, and from then on the password
    // alone is not enough.
    let r = b
        .post_form(
            "/account/security/totp/confirm",
            &[("csrf", &page.csrf()), ("code", &code(&s, &secret, 0)), ("return_to", "")],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(backup_codes_on(&r).len(), 10);
    let sec = b.get("/account/security").await;
    assert!(sec.body.contains("id=\"totp-status\">On since"), "{}", sec.body);
    assert!(sec.body.contains("10 of 10 backup codes left"));
    assert!(!sec.body.contains("totp-secret"), "the secret is never shown again");
    assert_eq!(b.get("/account/security/totp").await.location(), "/account/security");
    // The stored secret is sealed, not the raw bytes.
    let stored = crate::harness::db_strings(&s, "SELECT secret_enc FROM totp_factors").await;
    assert!(!stored[0].contains(&hex::encode(secret.expose_bytes())));
    s.clock.advance(Duration::seconds(30));
    let mut c = s.browser();
    password_step(&mut c, "ann@example.com", "").await;
    assert!(crate::harness::audit_kinds(&s).await.contains(&"mfa_enroll".to_owned()));
}

#[tokio::test]
async fn totp_accepts_adjacent_step() {
    let s = TestServer::start().await;
    let (secret, _) = totp_user(&s, "ann@example.com").await;
    // A phone 30 s slow: the previous step's code.
    let mut b = s.browser();
    let page = password_step(&mut b, "ann@example.com", "").await;
    let r = submit_code(&mut b, &page, "totp", &code(&s, &secret, -1)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location(), "/account");
    assert!(b.session_cookie().is_some());
    assert!(!b.cookies.keys().any(|k| k.ends_with("signet_mfa")), "pending-login cookie cleared");
    // A phone 30 s fast, later.
    s.clock.advance(Duration::seconds(30));
    let mut b = s.browser();
    let page = password_step(&mut b, "ann@example.com", "").await;
    let r = submit_code(&mut b, &page, "totp", &format!("{} ", code(&s, &secret, 1))).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(b.get("/account").await.status, StatusCode::OK);
}

#[tokio::test]
async fn totp_rejects_far_step() {
    let s = TestServer::start().await;
    let (secret, _) = totp_user(&s, "ann@example.com").await;
    let mut b = s.browser();
    let page = password_step(&mut b, "ann@example.com", "").await;
    for offset in [-3, -2, 2, 3] {
        let r = submit_code(&mut b, &page, "totp", &code(&s, &secret, offset)).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "step {offset}");
        assert!(b.session_cookie().is_none());
    }
}

#[tokio::test]
async fn totp_rejects_reused_code() {
    let s = TestServer::start().await;
    let (secret, _) = totp_user(&s, "ann@example.com").await;
    let used = code(&s, &secret, 0);
    let mut b = s.browser();
    let page = password_step(&mut b, "ann@example.com", "").await;
    assert_eq!(submit_code(&mut b, &page, "totp", &used).await.status, StatusCode::SEE_OTHER);
    // Someone who saw the code (shoulder surfing, a phishing proxy) replays it within its
    // 90-second window: refused, and audited.
    s.clock.advance(Duration::seconds(20));
    let mut thief = s.browser();
    let page = password_step(&mut thief, "ann@example.com", "").await;
    let r = submit_code(&mut thief, &page, "totp", &used).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("already used"));
    assert!(thief.session_cookie().is_none());
    // An earlier step than the one used is refused too (the guard is "later than the last").
    let r = submit_code(&mut thief, &page, "totp", &code(&s, &secret, -1)).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let events = s.state.store.list_audit(None, 100).await.expect("audit");
    assert!(events.iter().any(|e| e.kind == "login_failure" && e.detail == "replayed_second_factor"));
    // The next step's code works.
    s.clock.advance(Duration::seconds(30));
    assert_eq!(submit_code(&mut thief, &page, "totp", &code(&s, &secret, 0)).await.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn totp_attempts_rate_limited() {
    let s = TestServer::start().await;
    let (secret, _) = totp_user(&s, "ann@example.com").await;
    let mut b = s.browser();
    let page = password_step(&mut b, "ann@example.com", "").await;
    assert!(b.session_cookie().is_none(), "the password alone made no session");
    // The password attempt and the code attempts share one budget of 5 per 15 minutes.
    let mut limited_after = None;
    for i in 1..=10 {
        let r = submit_code(&mut b, &page, "totp", "000000").await;
        if r.status == StatusCode::TOO_MANY_REQUESTS {
            assert!(r.header("retry-after").is_some());
            limited_after = Some(i);
            break;
        }
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
    }
    // The password used the first of the 5 attempts: 4 codes are checked, the 5th is refused.
    assert_eq!(limited_after, Some(5), "limited after {limited_after:?} wrong codes");
    // Even the right code is refused while limited, so guessing cannot continue.
    let r = submit_code(&mut b, &page, "totp", &code(&s, &secret, 0)).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(b.session_cookie().is_none());
    // A correct password does not reset the budget (that would allow unlimited code guesses).
    let mut again = s.browser();
    let p = again.get("/login").await;
    let r = again
        .post_form(
            "/login",
            &[("email", "ann@example.com"), ("password", PASSWORD), ("csrf", &p.csrf()), ("return_to", "")],
        )
        .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    // After the window, the right code works.
    s.clock.advance(Duration::minutes(16));
    let mut b = s.browser();
    let page = password_step(&mut b, "ann@example.com", "").await;
    assert_eq!(submit_code(&mut b, &page, "totp", &code(&s, &secret, 0)).await.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn backup_code_single_use() {
    let s = TestServer::start().await;
    let (_, codes) = totp_user(&s, "ann@example.com").await;
    let mut b = s.browser();
    let page = password_step(&mut b, "ann@example.com", "").await;
    // Typed loosely: upper case, spaces instead of dashes.
    let typed = codes[3].to_uppercase().replace('-', " ");
    let r = submit_code(&mut b, &page, "backup", &typed).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let sec = b.get("/account/security").await;
    assert!(sec.body.contains("9 of 10 backup codes left"));
    assert!(sec.body.contains("id=\"backup-used\""), "the use is shown on the security page");
    assert!(b.get("/account").await.body.contains("A backup code was used to sign in"));
    let events = s.state.store.list_audit(None, 100).await.expect("audit");
    assert!(events.iter().any(|e| e.kind == "backup_code_used" && e.detail == "remaining:9"));
    // Used once; never again.
    let mut c = s.browser();
    let page = password_step(&mut c, "ann@example.com", "").await;
    let r = submit_code(&mut c, &page, "backup", &codes[3]).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(c.session_cookie().is_none());
    // A code of another user's set does not work for this one.
    let (_, bobs) = totp_user(&s, "bob@example.com").await;
    let r = submit_code(&mut c, &page, "backup", &bobs[0]).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(submit_code(&mut c, &page, "backup", &codes[4]).await.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn backup_codes_regenerate_invalidates_old() {
    let s = TestServer::start().await;
    let mut b = s.signed_in("ann@example.com").await;
    let (_, old) = enrol_totp(&s, &mut b).await;
    let csrf = b.get("/account/security").await.csrf();
    let r = b.post_form("/account/security/backup-codes", &[("csrf", &csrf)]).await;
    assert_eq!(r.status, StatusCode::OK);
    let new = backup_codes_on(&r);
    assert_eq!(new.len(), 10);
    assert!(old.iter().all(|c| !new.contains(c)));
    // Stored hashed, never as typed.
    let stored = crate::harness::db_strings(&s, "SELECT code_hash FROM backup_codes").await;
    assert_eq!(stored.len(), 10);
    assert!(stored.iter().all(|h| new.iter().all(|c| !h.contains(&c.replace('-', "")))));
    let mut c = s.browser();
    let page = password_step(&mut c, "ann@example.com", "").await;
    assert_eq!(submit_code(&mut c, &page, "backup", &old[0]).await.status, StatusCode::BAD_REQUEST);
    assert_eq!(submit_code(&mut c, &page, "backup", &new[0]).await.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn mfa_user_cannot_skip_second_factor() {
    let s = TestServer::start().await;
    totp_user(&s, "ann@example.com").await;
    let c = s.code_client("openid", false, true).await;
    let p = pkce();
    let mut b = s.browser();
    password_step(&mut b, "ann@example.com", "").await;
    // A correct password alone yields no session: not for the account pages, not for the API,
    // not for an authorization request.
    assert!(b.session_cookie().is_none());
    assert!(b.get("/account").await.location().starts_with("/login"));
    assert_eq!(b.get("/api/v1/me").await.status, StatusCode::UNAUTHORIZED);
    let r = b.get(&format!("/oauth2/authorize?{}", authz_query(&c.id, &p.challenge, &[]))).await;
    assert!(r.location().starts_with("/login?"), "{}", r.location());
    // The pending-login cookie is not a session cookie, even if presented as one.
    let pending = b.cookies.iter().find(|(k, _)| k.ends_with("signet_mfa")).map(|(_, v)| v.clone()).expect("pending");
    let mut forged = s.browser();
    forged.cookies.insert("__Host-signet_session".into(), pending.clone());
    forged.cookies.insert("signet_session".into(), pending);
    assert!(forged.get("/account").await.location().starts_with("/login"));
    // Without the pending login, the second-factor step cannot be reached or posted to.
    let mut stranger = s.browser();
    assert!(stranger.get("/login/second-factor").await.location().starts_with("/login?notice=mfa_expired"));
    let csrf = stranger.get("/login").await.csrf();
    let r =
        stranger.post_form("/login/second-factor", &[("csrf", &csrf), ("method", "totp"), ("code", "123456")]).await;
    assert!(r.location().starts_with("/login?notice=mfa_expired"));
    // The pending login expires.
    s.clock.advance(Duration::minutes(6));
    assert!(b.get("/login/second-factor").await.location().starts_with("/login?notice=mfa_expired"));
}

#[tokio::test]
async fn amr_and_acr_in_id_token() {
    let s = TestServer::start().await;
    let (secret, _) = totp_user(&s, "ann@example.com").await;
    let c = s.code_client("openid offline_access", false, true).await;
    let p = pkce();
    let mut b = s.browser();
    let r = b.get(&format!("/oauth2/authorize?{}", authz_query(&c.id, &p.challenge, &[]))).await;
    let login = b.get(r.location()).await;
    let return_to = crate::harness::hidden_field(&login.body, "return_to").expect("return_to");
    let page = password_step(&mut b, "ann@example.com", &return_to).await;
    let csp = page.header("content-security-policy").expect("csp");
    assert!(csp.contains("https://app.example.com"), "the redirect chain may end at the client: {csp}");
    let r = submit_code(&mut b, &page, "totp", &code(&s, &secret, 0)).await;
    let r = b.follow(r).await;
    let q = location_params(r.location());
    let (status, body) = s.exchange(&c, &q["code"], &p.verifier).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, id) = jwt_parts(body["id_token"].as_str().expect("id_token"));
    assert_eq!(id["amr"], serde_json::json!(["pwd", "otp"]));
    assert_eq!(id["acr"], "urn:signet:acr:mfa");
    assert_eq!(id["auth_time"].as_i64(), Some(s.state.now().unix_timestamp()));
    // The access token and introspection say the same (RFC 9068 §2.2.1), and so do tokens
    // from a refresh.
    let (_, at) = jwt_parts(body["access_token"].as_str().expect("at"));
    assert_eq!(at["acr"], "urn:signet:acr:mfa");
    let info = s.introspect(&c, body["access_token"].as_str().expect("at")).await;
    assert_eq!(info["amr"], serde_json::json!(["pwd", "otp"]));
    assert_eq!(info["acr"], "urn:signet:acr:mfa");
    let (_, _, refreshed) = s
        .oauth_post(
            "/oauth2/token",
            &c,
            &[("grant_type", "refresh_token"), ("refresh_token", body["refresh_token"].as_str().expect("rt"))],
        )
        .await;
    let (_, at2) = jwt_parts(refreshed["access_token"].as_str().expect("at"));
    assert_eq!(at2["amr"], serde_json::json!(["pwd", "otp"]));
    assert_eq!(at2["auth_time"], id["auth_time"]);
    // A password-only user gets exactly that.
    let mut plain = s.signed_in("bob@example.com").await;
    let r = plain.authorize(&authz_query(&c.id, &p.challenge, &[])).await;
    let (_, body) = s.exchange(&c, &location_params(r.location())["code"], &p.verifier).await;
    let (_, id) = jwt_parts(body["id_token"].as_str().expect("id_token"));
    assert_eq!(id["amr"], serde_json::json!(["pwd"]));
    assert_eq!(id["acr"], "urn:signet:acr:pwd");
    // Discovery lists the classes.
    let meta: serde_json::Value = reqwest::get(format!("{}/.well-known/openid-configuration", s.base))
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    assert_eq!(meta["acr_values_supported"], serde_json::json!(["urn:signet:acr:pwd", "urn:signet:acr:mfa"]));
}

#[tokio::test]
async fn acr_values_forces_step_up() {
    let s = TestServer::start().await;
    let c = s.code_client("openid", false, true).await;
    let p = pkce();
    let mut b = s.signed_in("ann@example.com").await;
    // Another browser signed in with the password alone, before Ann had a second factor.
    let mut earlier = s.signed_in("ann@example.com").await;
    let mfa = [("acr_values", "urn:signet:acr:mfa")];
    // prompt=none cannot step up.
    let r =
        b.get(&format!("/oauth2/authorize?{}", authz_query(&c.id, &p.challenge, &[mfa[0], ("prompt", "none")]))).await;
    assert_eq!(location_params(r.location())["error"], "interaction_required");
    // A password session does not satisfy acr mfa: the user without a second factor is sent to
    // set one up, then the request continues and the code carries the stronger login.
    let r = b.get(&format!("/oauth2/authorize?{}", authz_query(&c.id, &p.challenge, &mfa))).await;
    assert!(
        r.location().starts_with("/account/security?return_to=%2Foauth2%2Fauthorize%2Fcontinue"),
        "{}",
        r.location()
    );
    let page = b.get(r.location()).await;
    assert!(page.body.contains("requires two-step verification"));
    let return_to = crate::harness::hidden_field(&page.body, "return_to").expect("return_to");
    let r = b.post_form("/account/security/totp", &[("csrf", &page.csrf()), ("return_to", &return_to)]).await;
    let setup = b.get(r.location()).await;
    let secret = TotpSecret::from_base32(between(&setup.body, "<code id=\"totp-secret\">", "</code>")).expect("secret");
    let r = b
        .post_form(
            "/account/security/totp/confirm",
            &[("csrf", &setup.csrf()), ("code", &code(&s, &secret, 0)), ("return_to", &return_to)],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "backup codes first");
    let done = crate::harness::hidden_field(&r.body, "return_to");
    assert!(done.is_none());
    let body = unescaped(&r);
    let next = between(&body, "id=\"backup-codes-done\" href=\"", "\"").to_owned();
    assert!(next.starts_with("/oauth2/authorize/continue"), "{next}");
    let r = b.get_follow(&next).await;
    let (_, body) = s.exchange(&c, &location_params(r.location())["code"], &p.verifier).await;
    let (_, id) = jwt_parts(body["id_token"].as_str().expect("id_token"));
    assert_eq!(id["acr"], "urn:signet:acr:mfa");
    // Once the user has a factor, a password-only session steps up by signing in again, which
    // now includes the second factor (not by setting one up; with prompt=none: login_required).
    let r = earlier.get(&format!("/oauth2/authorize?{}", authz_query(&c.id, &p.challenge, &mfa))).await;
    assert!(r.location().starts_with("/login?return_to=%2Foauth2%2Fauthorize%2Fcontinue"), "{}", r.location());
    assert!(r.location().contains("force=1"), "{}", r.location());
    let r = earlier
        .get(&format!("/oauth2/authorize?{}", authz_query(&c.id, &p.challenge, &[mfa[0], ("prompt", "none")])))
        .await;
    assert_eq!(location_params(r.location())["error"], "login_required");
    s.clock.advance(Duration::seconds(30));
    let mut pw_only = s.browser();
    let page = password_step(&mut pw_only, "ann@example.com", "").await;
    let r = submit_code(&mut pw_only, &page, "totp", &code(&s, &secret, 0)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    // The per-client "MFA required" policy acts like acr_values=mfa.
    let strict = s.code_client_with("openid", false, true, true).await;
    let mut bob = s.signed_in("bob@example.com").await;
    let r = bob.get(&format!("/oauth2/authorize?{}", authz_query(&strict.id, &p.challenge, &[]))).await;
    assert!(r.location().starts_with("/account/security?"), "{}", r.location());
    // A value we do not know is voluntary: served at the level we have.
    let r = bob.authorize(&authz_query(&c.id, &p.challenge, &[("acr_values", "urn:example:gold")])).await;
    assert!(location_params(r.location()).contains_key("code"));
}

#[tokio::test]
async fn sensitive_action_requires_recent_auth() {
    let s = TestServer::start().await;
    let mut b = s.signed_in("ann@example.com").await;
    let (secret, _) = enrol_totp(&s, &mut b).await;
    // Past the re-authentication window (10 minutes by default), but within the session.
    s.clock.advance(Duration::minutes(11));
    let csrf = b.get("/account/security").await.csrf();
    for path in ["/account/security/totp/remove", "/account/security/backup-codes", "/account/security/totp"] {
        let r = b.post_form(path, &[("csrf", &csrf)]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{path}");
        assert!(r.location().starts_with("/login?") && r.location().contains("force=1"), "{path}: {}", r.location());
        assert!(r.location().contains("notice=reauth"));
    }
    let r = b.get("/account/password").await;
    assert!(r.location().contains("force=1"), "change password asks again too");
    assert!(s.state.store.totp(s.user("ann@example.com").await.id).await.expect("store").is_some_and(|t| t.confirmed));
    // Signing in again (both factors) allows it.
    let page = password_step(&mut b, "ann@example.com", "/account/security").await;
    let r = submit_code(&mut b, &page, "totp", &code(&s, &secret, 0)).await;
    assert_eq!(r.location(), "/account/security");
    let csrf = b.get("/account/security").await.csrf();
    let r = b.post_form("/account/security/totp/remove", &[("csrf", &csrf)]).await;
    assert_eq!(r.location(), "/account/security?notice=totp_off");
    assert_eq!(crate::harness::db_strings(&s, "SELECT user_id FROM backup_codes").await.len(), 0, "codes go too");
    let mut c = s.browser();
    assert_eq!(c.login("ann@example.com", PASSWORD).await.location(), "/account", "password alone again");
}

#[tokio::test]
async fn device_approval_honours_require_mfa() {
    let s = TestServer::start().await;
    let grant = "urn:ietf:params:oauth:grant-type:device_code";
    let c = s.client_mfa(&[grant], "tv", &[], true, true).await;
    let start: serde_json::Value = reqwest::Client::new()
        .post(format!("{}/oauth2/device_authorization", s.base))
        .form(&[("client_id", c.id.as_str()), ("scope", "tv")])
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    let user_code = start["user_code"].as_str().expect("user_code");
    // A password-only session cannot approve for this client: set up a factor first.
    let mut b = s.signed_in("ann@example.com").await;
    let page = b.get(&format!("/device?user_code={user_code}")).await;
    let r = b.post_form("/device", &[("csrf", &page.csrf()), ("user_code", user_code), ("decision", "allow")]).await;
    assert!(r.location().starts_with("/account/security?return_to=%2Fdevice%3Fuser_code%3D"), "{}", r.location());
    // With TOTP set up in this session (a two-factor session now), approval goes through.
    enrol_totp(&s, &mut b).await;
    let page = b.get(&format!("/device?user_code={user_code}")).await;
    let r = b.post_form("/device", &[("csrf", &page.csrf()), ("user_code", user_code), ("decision", "allow")]).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("is now connected"), "{}", r.body);
}

#[tokio::test]
async fn admin_reset_mfa_removes_factors() {
    let s = TestServer::start().await;
    let (_, _) = totp_user(&s, "ann@example.com").await;
    let mut b = s.browser();
    password_step(&mut b, "ann@example.com", "").await;
    let (code, out, err) = crate::harness::run_cli(s.dir.path(), &["user", "reset-mfa", "ann@example.com"], "");
    assert_eq!(code, 0, "{out}{err}");
    assert!(s.state.store.totp(s.user("ann@example.com").await.id).await.expect("store").is_none());
    assert_eq!(crate::harness::db_strings(&s, "SELECT user_id FROM backup_codes").await.len(), 0);
    let mut c = s.browser();
    assert_eq!(c.login("ann@example.com", PASSWORD).await.location(), "/account", "password alone again");
    assert!(crate::harness::audit_kinds(&s).await.contains(&"mfa_remove".to_owned()));
}

/// The pending second-factor step is single use: once it completed, its cookie (say, copied
/// from the browser before it finished) cannot complete it again with another valid code.
#[tokio::test]
async fn pending_login_used_once() {
    let s = TestServer::start().await;
    let (_, codes) = totp_user(&s, "ann@example.com").await;
    let mut b = s.browser();
    let page = password_step(&mut b, "ann@example.com", "").await;
    let mut copy = s.browser();
    copy.cookies = b.cookies.clone();
    let r = submit_code(&mut b, &page, "backup", &codes[0]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert!(b.session_cookie().is_some());
    let sessions = s.state.store.list_user_sessions(s.user("ann@example.com").await.id).await.expect("sessions").len();
    // The copy presents the spent pending login with a fresh, valid backup code.
    let r = submit_code(&mut copy, &page, "backup", &codes[1]).await;
    assert!(r.location().starts_with("/login"), "{} {}", r.status, r.location());
    assert!(copy.session_cookie().is_none());
    let after = s.state.store.list_user_sessions(s.user("ann@example.com").await.id).await.expect("sessions").len();
    assert_eq!(after, sessions, "no second session");
    assert!(s.state.store.backup_codes_remaining(s.user("ann@example.com").await.id).await.expect("codes") >= 9);
}
