//! Passkeys: registration from `/account/security`, usernameless sign-in, passkey as the
//! second factor, and the ceremony checks (origin, RP id, single-use challenge, sign count),
//! driven by a software authenticator over the same JSON the page script uses.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::harness::authenticator::SoftAuthenticator;
use crate::harness::{authz_query, jwt_parts, location_params, pkce, Browser, TestServer, PASSWORD};

const ORIGIN: &str = "https://signet.test";
const RP_ID: &str = "signet.test";

/// Adds a passkey for a signed-in browser through the JSON endpoints; returns the authenticator.
async fn register(b: &mut Browser) -> SoftAuthenticator {
    let csrf = b.get("/account/security").await.csrf();
    let (status, start) = b.post_json("/account/security/passkeys/register/start", &csrf, &json!({})).await;
    assert_eq!(status, StatusCode::OK, "{start}");
    assert_eq!(start["options"]["publicKey"]["rp"]["id"], RP_ID);
    assert_eq!(start["options"]["publicKey"]["authenticatorSelection"]["residentKey"], "preferred");
    assert_eq!(start["options"]["publicKey"]["authenticatorSelection"]["userVerification"], "required");
    let mut auth = SoftAuthenticator::new(ORIGIN, RP_ID);
    let credential = auth.register(&start["options"]);
    let body = json!({ "id": start["id"], "name": "Test key", "credential": credential });
    let (status, done) = b.post_json("/account/security/passkeys/register/finish", &csrf, &body).await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!(done["redirect"], "/account/security?notice=passkey_added");
    auth
}

/// The passkey button on the login page (`mode=login`) or the second-factor page (`second`).
async fn passkey_login(b: &mut Browser, auth: &mut SoftAuthenticator, mode: &str) -> (StatusCode, Value) {
    let page = if mode == "second" { b.get("/login/second-factor").await } else { b.get("/login").await };
    // The page script reads the token from the passkey block's data-csrf.
    let csrf = page.body.split("data-csrf=\"").nth(1).and_then(|r| r.split('"').next()).expect("data-csrf").to_owned();
    let (status, start) = b.post_json("/login/passkey/start", &csrf, &json!({ "mode": mode })).await;
    assert_eq!(status, StatusCode::OK, "{start}");
    let credential = auth.assert(&start["options"]);
    let body = json!({ "id": start["id"], "mode": mode, "credential": credential, "return_to": "" });
    b.post_json("/login/passkey/finish", &csrf, &body).await
}

async fn user_with_passkey(s: &TestServer, email: &str) -> SoftAuthenticator {
    let mut b = s.signed_in(email).await;
    register(&mut b).await
}

#[tokio::test]
async fn passkey_register_and_login_usernameless() {
    let s = TestServer::start().await;
    let mut auth = user_with_passkey(&s, "ann@example.com").await;
    // A fresh browser, no email typed: the passkey names the account.
    let mut b = s.browser();
    let (status, body) = passkey_login(&mut b, &mut auth, "login").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["redirect"], "/account");
    assert!(b.session_cookie().is_some());
    let account = b.get("/account").await;
    assert!(account.body.contains("ann@example.com"));
    let sec = b.get("/account/security").await;
    assert!(sec.body.contains("Test key") && sec.body.contains("Synced"), "listed with its backup state");
    // The sign-in is a two-factor one (possession + user verification), and says so.
    let c = s.code_client("openid", false, true).await;
    let p = pkce();
    let r = b.authorize(&authz_query(&c.id, &p.challenge, &[("acr_values", "urn:signet:acr:mfa")])).await;
    let (_, tokens) = s.exchange(&c, &location_params(r.location())["code"], &p.verifier).await;
    let (_, id) = jwt_parts(tokens["id_token"].as_str().expect("id_token"));
    assert_eq!(id["amr"], json!(["hwk", "user"]));
    assert_eq!(id["acr"], "urn:signet:acr:mfa");
    // Stored: the public key and counter, never anything secret.
    let counts = crate::harness::db_strings(&s, "SELECT CAST(sign_count AS TEXT) FROM passkeys").await;
    assert_eq!(counts, vec!["2".to_string()]);
    let model = crate::harness::db_strings(&s, "SELECT aaguid FROM passkeys").await;
    assert_eq!(model, vec!["01020304-0506-0708-090a-0b0c0d0e0f10".to_string()], "the authenticator model is kept");
    // Rename and delete (delete needs a recent sign-in, which this is).
    let csrf = sec.csrf();
    let id = crate::harness::db_strings(&s, "SELECT CAST(id AS TEXT) FROM passkeys").await[0].clone();
    let r =
        b.post_form(&format!("/account/security/passkeys/{id}/rename"), &[("csrf", &csrf), ("name", "Laptop")]).await;
    assert_eq!(r.location(), "/account/security?notice=passkey_renamed");
    assert!(b.get("/account/security").await.body.contains("Laptop"));
    let r = b.post_form(&format!("/account/security/passkeys/{id}/delete"), &[("csrf", &csrf)]).await;
    assert_eq!(r.location(), "/account/security?notice=passkey_removed");
    let (status, _) = passkey_login(&mut s.browser(), &mut auth, "login").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "a deleted passkey signs nobody in");
}

#[tokio::test]
async fn passkey_as_second_factor() {
    let s = TestServer::start().await;
    let mut auth = user_with_passkey(&s, "ann@example.com").await;
    let mut b = s.browser();
    let page = b.get("/login").await;
    let r = b
        .post_form(
            "/login",
            &[("email", "ann@example.com"), ("password", PASSWORD), ("csrf", &page.csrf()), ("return_to", "")],
        )
        .await;
    assert_eq!(r.location(), "/login/second-factor", "a passkey is a second factor after the password");
    assert!(b.session_cookie().is_none());
    let page = b.get("/login/second-factor").await;
    assert!(page.body.contains("id=\"passkey-button\""));
    let (status, body) = passkey_login(&mut b, &mut auth, "second").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["redirect"], "/account");
    assert!(b.session_cookie().is_some());
    let sessions = crate::harness::db_strings(&s, "SELECT amr FROM sessions ORDER BY id DESC").await;
    assert_eq!(sessions[0], "pwd hwk user");
    // Someone else's passkey cannot complete this account's login.
    let mut mallory = user_with_passkey(&s, "mallory@example.com").await;
    let mut b = s.browser();
    let page = b.get("/login").await;
    b.post_form(
        "/login",
        &[("email", "ann@example.com"), ("password", PASSWORD), ("csrf", &page.csrf()), ("return_to", "")],
    )
    .await;
    let (status, _) = passkey_login(&mut b, &mut mallory, "second").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(b.session_cookie().is_none());
    // Refused by the account check itself, before any signature is looked at.
    let events = s.state.store.list_audit(None, 100).await.expect("audit");
    assert!(events.iter().any(|e| e.kind == "login_failure" && e.detail == "passkey_wrong_account"));
}

#[tokio::test]
async fn passkey_wrong_origin_rejected() {
    let s = TestServer::start().await;
    let mut auth = user_with_passkey(&s, "ann@example.com").await;
    // A look-alike site relaying the challenge: the browser writes the site's own origin.
    auth.origin = "https://signet-test.evil.example".into();
    let mut b = s.browser();
    let (status, body) = passkey_login(&mut b, &mut auth, "login").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "invalid_request");
    assert!(b.session_cookie().is_none());
    // Registration from the wrong origin is refused too.
    let mut b = s.signed_in("bob@example.com").await;
    let csrf = b.get("/account/security").await.csrf();
    let (_, start) = b.post_json("/account/security/passkeys/register/start", &csrf, &json!({})).await;
    let mut evil = SoftAuthenticator::new("http://signet.test", RP_ID);
    let body = json!({ "id": start["id"], "credential": evil.register(&start["options"]) });
    let (status, _) = b.post_json("/account/security/passkeys/register/finish", &csrf, &body).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(crate::harness::db_strings(&s, "SELECT name FROM passkeys").await.len() == 1);
}

#[tokio::test]
async fn passkey_wrong_rp_id_rejected() {
    let s = TestServer::start().await;
    let mut auth = user_with_passkey(&s, "ann@example.com").await;
    auth.rp_id = "evil.example".into();
    let mut b = s.browser();
    let (status, _) = passkey_login(&mut b, &mut auth, "login").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(b.session_cookie().is_none());
    // Without user verification the passkey policy (UV required) refuses as well.
    auth.rp_id = RP_ID.into();
    auth.user_verified = false;
    let (status, _) = passkey_login(&mut b, &mut auth, "login").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    auth.user_verified = true;
    let (status, _) = passkey_login(&mut b, &mut auth, "login").await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn passkey_challenge_replay_rejected() {
    let s = TestServer::start().await;
    let mut auth = user_with_passkey(&s, "ann@example.com").await;
    let mut b = s.browser();
    let csrf = b.get("/login").await.csrf();
    let (_, start) = b.post_json("/login/passkey/start", &csrf, &json!({ "mode": "login" })).await;
    let body = json!({ "id": start["id"], "mode": "login", "credential": auth.assert(&start["options"]) });
    let (status, _) = b.post_json("/login/passkey/finish", &csrf, &body).await;
    assert_eq!(status, StatusCode::OK);
    // The same response again (a captured request replayed): the challenge is spent.
    let mut attacker = s.browser();
    let csrf2 = attacker.get("/login").await.csrf();
    let (status, err) = attacker.post_json("/login/passkey/finish", &csrf2, &body).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{err}");
    assert!(attacker.session_cookie().is_none());
    // An old assertion presented against a new challenge does not match it either.
    let (_, fresh) = attacker.post_json("/login/passkey/start", &csrf2, &json!({ "mode": "login" })).await;
    let stale = json!({ "id": fresh["id"], "mode": "login", "credential": body["credential"] });
    let (status, _) = attacker.post_json("/login/passkey/finish", &csrf2, &stale).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    // Challenges are short-lived.
    let (_, late) = attacker.post_json("/login/passkey/start", &csrf2, &json!({ "mode": "login" })).await;
    s.clock.advance(time::Duration::minutes(6));
    let body = json!({ "id": late["id"], "mode": "login", "credential": auth.assert(&late["options"]) });
    let (status, _) = attacker.post_json("/login/passkey/finish", &csrf2, &body).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn passkey_fresh_counter_same_challenge_refused() {
    // A second, perfectly valid assertion (new signature, higher counter) over a challenge that
    // was already used: only the single-use challenge can refuse it.
    let s = TestServer::start().await;
    let mut auth = user_with_passkey(&s, "ann@example.com").await;
    let mut b = s.browser();
    let csrf = b.get("/login").await.csrf();
    let (_, start) = b.post_json("/login/passkey/start", &csrf, &json!({ "mode": "login" })).await;
    let first = json!({ "id": start["id"], "mode": "login", "credential": auth.assert(&start["options"]) });
    assert_eq!(b.post_json("/login/passkey/finish", &csrf, &first).await.0, StatusCode::OK);
    let count_after_first = crate::harness::db_strings(&s, "SELECT CAST(sign_count AS TEXT) FROM passkeys").await;
    let mut replayer = s.browser();
    let csrf2 = replayer.get("/login").await.csrf();
    let again = json!({ "id": start["id"], "mode": "login", "credential": auth.assert(&start["options"]) });
    let (status, err) = replayer.post_json("/login/passkey/finish", &csrf2, &again).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{err}");
    assert!(replayer.session_cookie().is_none());
    let events = s.state.store.list_audit(None, 100).await.expect("audit");
    let reasons: Vec<&str> = events.iter().filter(|e| e.kind == "login_failure").map(|e| e.detail.as_str()).collect();
    assert_eq!(reasons, ["passkey_challenge_spent_or_expired"], "refused for the spent challenge, nothing else");
    assert!(!events.iter().any(|e| e.kind == "passkey_counter_regression"));
    assert_eq!(
        crate::harness::db_strings(&s, "SELECT CAST(sign_count AS TEXT) FROM passkeys").await,
        count_after_first,
        "the refused assertion moved nothing"
    );
    // Control: the same authenticator with a fresh challenge signs in.
    let (status, _) = passkey_login(&mut replayer, &mut auth, "login").await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn passkey_sign_count_regression_rejected() {
    let s = TestServer::start().await;
    let mut auth = user_with_passkey(&s, "ann@example.com").await;
    for _ in 0..3 {
        let (status, _) = passkey_login(&mut s.browser(), &mut auth, "login").await;
        assert_eq!(status, StatusCode::OK);
    }
    // A clone of the authenticator, copied before the last sign-ins, has a lower counter.
    auth.counter = 1;
    let mut b = s.browser();
    let (status, body) = passkey_login(&mut b, &mut auth, "login").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(b.session_cookie().is_none());
    let events = s.state.store.list_audit(None, 100).await.expect("audit");
    assert!(events.iter().any(|e| e.kind == "passkey_counter_regression"));
    // An unknown credential gets the same answer as a bad one.
    let mut stranger = SoftAuthenticator::new(ORIGIN, RP_ID);
    stranger.user_handle = auth.user_handle.clone();
    let (status, unknown) = passkey_login(&mut s.browser(), &mut stranger, "login").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(unknown, body);
}

/// After registering, the browser goes back where the flow asked (an OAuth request waiting for
/// a second factor), else to the security page with its notice; never off-site.
#[tokio::test]
async fn passkey_registration_returns_where_asked() {
    let s = TestServer::start().await;
    let mut b = s.signed_in("ann@example.com").await;
    for (return_to, expected) in [
        ("/oauth2/authorize/continue?req=abc", "/oauth2/authorize/continue?req=abc"),
        ("/account", "/account/security?notice=passkey_added"),
        ("https://evil.example/x", "/account/security?notice=passkey_added"),
    ] {
        let csrf = b.get("/account/security").await.csrf();
        let (_, start) = b.post_json("/account/security/passkeys/register/start", &csrf, &json!({})).await;
        let mut auth = SoftAuthenticator::new(ORIGIN, RP_ID);
        let credential = auth.register(&start["options"]);
        let body = json!({ "id": start["id"], "credential": credential, "return_to": return_to });
        let (status, done) = b.post_json("/account/security/passkeys/register/finish", &csrf, &body).await;
        assert_eq!(status, StatusCode::OK, "{done}");
        assert_eq!(done["redirect"], expected, "return_to {return_to}");
    }
}

/// Usernameless sign-in: the user handle the authenticator returns must be the account's that
/// owns the credential; a credential answering with another account's handle is refused.
#[tokio::test]
async fn passkey_user_handle_must_match_account() {
    let s = TestServer::start().await;
    let mut ann = user_with_passkey(&s, "ann@example.com").await;
    let mallory = user_with_passkey(&s, "mallory@example.com").await;
    let own = ann.user_handle.clone();
    ann.user_handle = mallory.user_handle.clone();
    let mut b = s.browser();
    let (status, _) = passkey_login(&mut b, &mut ann, "login").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(b.session_cookie().is_none());
    let events = s.state.store.list_audit(None, 100).await.expect("audit");
    assert!(events.iter().any(|e| e.kind == "login_failure" && e.detail == "passkey_user_handle_mismatch"));
    // Control: with its own handle the same authenticator signs in.
    ann.user_handle = own;
    let mut b = s.browser();
    let (status, body) = passkey_login(&mut b, &mut ann, "login").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(b.session_cookie().is_some());
}

/// A passkey added without a name is named after its authenticator when the AAGUID is a
/// known one ("Google Password Manager"), else "Passkey" (in the page's language); a name the
/// user gives wins.
#[tokio::test]
async fn new_passkey_named_after_authenticator() {
    let s = TestServer::start().await;
    let mut b = s.signed_in("ann@example.com").await;
    let google: [u8; 16] =
        [0xea, 0x9b, 0x8d, 0x66, 0x4d, 0x01, 0x1d, 0x21, 0x3c, 0xe4, 0xb6, 0xb4, 0x8c, 0xb5, 0x75, 0xd4];
    for (aaguid, given, lang) in
        [(google, "", "en"), ([7; 16], "", "en"), ([7; 16], "", "de"), (google, "Work phone", "en")]
    {
        b.headers.retain(|(k, _)| k != "accept-language");
        b.headers.push(("accept-language".into(), lang.into()));
        let csrf = b.get("/account/security").await.csrf();
        let (_, start) = b.post_json("/account/security/passkeys/register/start", &csrf, &json!({})).await;
        let mut auth = SoftAuthenticator::new(ORIGIN, RP_ID);
        auth.aaguid = aaguid;
        let body = json!({ "id": start["id"], "name": given, "credential": auth.register(&start["options"]) });
        let (status, done) = b.post_json("/account/security/passkeys/register/finish", &csrf, &body).await;
        assert_eq!(status, StatusCode::OK, "{done}");
    }
    let names = crate::harness::db_strings(&s, "SELECT name FROM passkeys ORDER BY id").await;
    assert_eq!(names, ["Google Password Manager", "Passkey", "Passkey", "Work phone"]);
    let models = crate::harness::db_strings(&s, "SELECT aaguid FROM passkeys ORDER BY id").await;
    assert_eq!(models[0], "ea9b8d66-4d01-1d21-3ce4-b6b48cb575d4");
}

/// The reset page's form: the new password alone.
async fn submit_reset(b: &mut Browser, link: &str, password: &str) -> crate::harness::Resp {
    let csrf = b.get(link).await.csrf();
    b.post_form(link, &[("csrf", &csrf), ("new_password", password)]).await
}

/// A recovery link's passkey ceremony, as the reset page's script runs it: `(status, body)` of
/// the finish call.
async fn recovery_ceremony(b: &mut Browser, link: &str, auth: &mut SoftAuthenticator) -> (StatusCode, Value) {
    let page = b.get(link).await;
    assert!(page.body.contains("data-mode=\"recover\""), "the page offers the passkey");
    let csrf = page.body.split("data-csrf=\"").nth(1).and_then(|r| r.split('"').next()).expect("data-csrf").to_owned();
    let token = link.trim_start_matches("/recover/");
    let (status, start) =
        b.post_json("/login/passkey/start", &csrf, &json!({ "mode": "recover", "token": token })).await;
    assert_eq!(status, StatusCode::OK, "{start}");
    let credential = auth.assert(&start["options"]);
    let body = json!({ "id": start["id"], "mode": "recover", "token": token, "credential": credential });
    b.post_json("/login/passkey/finish", &csrf, &body).await
}

#[tokio::test]
async fn recovery_with_passkey_as_second_factor() {
    let s = TestServer::start().await;
    let mut ann = user_with_passkey(&s, "ann@example.com").await;
    let mut bob = user_with_passkey(&s, "bob@example.com").await;
    let link = crate::recover::link_for(&s, "ann@example.com").await;
    let new_pw = "recovered with a passkey in hand";
    let mut b = s.browser();
    // The form alone is not enough: the passkey is the second factor.
    let r = submit_reset(&mut b, &link, new_pw).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("Confirm with your passkey first"), "{}", r.body);
    // Another account's passkey proves nothing.
    let (status, body) = recovery_ceremony(&mut b, &link, &mut bob).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let r = submit_reset(&mut b, &link, new_pw).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    // The account's own passkey does; nobody is signed in by it.
    let (status, body) = recovery_ceremony(&mut b, &link, &mut ann).await;
    assert_eq!((status, &body), (StatusCode::OK, &json!({ "proven": true })));
    assert!(b.session_cookie().is_none());
    let r = submit_reset(&mut b, &link, new_pw).await;
    assert_eq!((r.status, r.location()), (StatusCode::SEE_OTHER, "/login?notice=password_reset"), "{}", r.body);
    assert!(b.session_cookie().is_none());
    assert_eq!(s.browser().login("ann@example.com", PASSWORD).await.status, StatusCode::OK, "old password dead");
    assert_eq!(s.browser().login("ann@example.com", new_pw).await.status, StatusCode::SEE_OTHER);
    // Once: the link is spent.
    assert_eq!(b.get(&link).await.status, StatusCode::BAD_REQUEST);
}
