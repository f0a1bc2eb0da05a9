//! `GET|POST /oauth2/authorize`, `/oauth2/authorize/continue`, `POST /oauth2/consent`, and
//! the authorization-code grant at `/oauth2/token`.

use reqwest::StatusCode;
use time::Duration;

use crate::harness::{authz_query, jwt_parts, location_params, pkce, TestServer, PASSWORD, REDIRECT};

#[tokio::test]
async fn full_code_flow_with_login_and_consent() {
    let s = TestServer::start().await;
    s.create_user("ann@example.com", PASSWORD).await;
    let c = s.code_client("openid email offline_access", false, false).await;
    let p = pkce();
    let mut b = s.browser();
    // Not signed in: to the login page, which knows where to come back to.
    let r = b.get(&format!("/oauth2/authorize?{}", authz_query(&c.id, &p.challenge, &[]))).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(r.location().starts_with("/login?return_to=%2Foauth2%2Fauthorize%2Fcontinue%3Freq%3D"), "{}", r.location());
    let page = b.get(r.location()).await;
    let return_to = crate::harness::hidden_field(&page.body, "return_to").expect("return_to");
    let csp = page.header("content-security-policy").expect("csp").to_owned();
    assert!(csp.contains("form-action 'self' https://app.example.com"), "{csp}");
    let r = b
        .post_form(
            "/login",
            &[("email", "ann@example.com"), ("password", PASSWORD), ("csrf", &page.csrf()), ("return_to", &return_to)],
        )
        .await;
    let consent = b.follow(r).await;
    assert_eq!(consent.status, StatusCode::OK);
    assert!(consent.body.contains("Allow Example App to access your account?"));
    assert!(consent.body.contains("See your email address"));
    let req = crate::harness::hidden_field(&consent.body, "req").expect("req");
    let r = b.post_form("/oauth2/consent", &[("csrf", &consent.csrf()), ("req", &req), ("decision", "allow")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(r.location().starts_with(REDIRECT));
    let q = location_params(r.location());
    let (status, body) = s.exchange(&c, &q["code"], &p.verifier).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body["refresh_token"].as_str().expect("rt").starts_with("sgn_rt_"));
    let (h, id) = jwt_parts(body["id_token"].as_str().expect("id_token"));
    assert_eq!(h["typ"], "JWT");
    assert_eq!(id["aud"], c.id);
    assert_eq!(id["azp"], c.id);
    assert_eq!(id["iss"], "https://signet.test");
    assert_eq!(id["email"], "ann@example.com");
    for claim in ["sub", "exp", "iat", "auth_time", "amr", "acr", "at_hash"] {
        assert!(id.get(claim).is_some(), "{claim}");
    }
    // at_hash binds the ID token to this access token (OIDC Core §3.1.3.6).
    use base64::Engine;
    use sha2::Digest;
    let digest = sha2::Sha256::digest(body["access_token"].as_str().expect("at").as_bytes());
    assert_eq!(id["at_hash"], base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&digest[..16]));
}

#[tokio::test]
async fn authorize_rejects_unregistered_redirect_uri_without_redirecting() {
    let s = TestServer::start().await;
    let c = s.code_client("openid", false, false).await;
    let p = pkce();
    let mut b = s.browser();
    for q in [
        authz_query(&c.id, &p.challenge, &[("redirect_uri", "https://evil.example/cb")]),
        authz_query(&c.id, &p.challenge, &[("redirect_uri", "")]),
        authz_query("unknown-client", &p.challenge, &[]),
        authz_query("", &p.challenge, &[]),
    ] {
        let r = b.get(&format!("/oauth2/authorize?{q}")).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{q}");
        assert!(r.location().is_empty(), "never redirect to an unverified URI");
        assert!(r.body.contains("<!doctype html>"));
    }
}

#[tokio::test]
async fn redirect_uri_prefix_path_and_userinfo_tricks_rejected() {
    let s = TestServer::start().await;
    let c = s.code_client("openid", false, false).await;
    let p = pkce();
    let mut b = s.browser();
    for evil in [
        "https://app.example.com/cb/extra",
        "https://app.example.com/cb/../../evil",
        "https://app.example.com/cbx",
        "https://app.example.com/cb?x=1",
        "https://app.example.com.evil.example/cb",
        "https://evil.example@app.example.com/cb",
        "https://app.example.com@evil.example/cb",
        "https://app.example.com/cb#fragment",
        "https://APP.EXAMPLE.COM/cb",
        "http://app.example.com/cb",
        "//app.example.com/cb",
    ] {
        let r =
            b.get(&format!("/oauth2/authorize?{}", authz_query(&c.id, &p.challenge, &[("redirect_uri", evil)]))).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{evil}");
        assert!(r.location().is_empty(), "{evil}");
    }
    // The loopback exception of RFC 8252 §7.3: any port, same everything else.
    let mut b = s.signed_in("ann@example.com").await;
    let r = b
        .get(&format!(
            "/oauth2/authorize?{}",
            authz_query(&c.id, &p.challenge, &[("redirect_uri", "http://127.0.0.1:49152/native")])
        ))
        .await;
    let r = b.follow(r).await;
    assert_eq!(r.status, StatusCode::OK, "consent page for the native redirect");
}

#[tokio::test]
async fn pkce_required_for_confidential_client() {
    let s = TestServer::start().await;
    let c = s.code_client("openid", false, false).await;
    let mut b = s.browser();
    let q = authz_query(&c.id, "", &[("code_challenge_method", "")]);
    let r = b.get(&format!("/oauth2/authorize?{q}")).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let params = location_params(r.location());
    assert_eq!(params["error"], "invalid_request");
    assert!(params["error_description"].contains("code_challenge"));
    assert_eq!(params["state"], "st-123");
}

#[tokio::test]
async fn pkce_plain_rejected() {
    let s = TestServer::start().await;
    let c = s.code_client("openid", true, false).await;
    let p = pkce();
    let mut b = s.browser();
    for method in ["plain", ""] {
        let r = b
            .get(&format!(
                "/oauth2/authorize?{}",
                authz_query(&c.id, &p.verifier, &[("code_challenge_method", method)])
            ))
            .await;
        assert_eq!(location_params(r.location())["error"], "invalid_request", "method {method:?}");
    }
}

#[tokio::test]
async fn pkce_wrong_verifier_invalid_grant() {
    let s = TestServer::start().await;
    let c = s.code_client("openid", true, true).await;
    let p = pkce();
    let mut b = s.signed_in("ann@example.com").await;
    let r = b.authorize(&authz_query(&c.id, &p.challenge, &[])).await;
    let code = location_params(r.location())["code"].clone();
    let other = pkce();
    let (status, body) = s.exchange(&c, &code, &other.verifier).await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_grant")));
    let (status, body) = s.exchange(&c, &code, "").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    // The rightful client, with the right verifier, still succeeds.
    assert_eq!(s.exchange(&c, &code, &p.verifier).await.0, StatusCode::OK);
}

#[tokio::test]
async fn implicit_response_type_refused() {
    let s = TestServer::start().await;
    let c = s.code_client("openid", false, false).await;
    let p = pkce();
    let mut b = s.browser();
    for rt in ["token", "id_token", "code id_token", "code token", "id_token token"] {
        let r =
            b.get(&format!("/oauth2/authorize?{}", authz_query(&c.id, &p.challenge, &[("response_type", rt)]))).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let q = location_params(r.location());
        assert_eq!(q["error"], "unsupported_response_type", "{rt}");
        assert!(!r.location().contains('#'), "nothing in a fragment");
    }
}

#[tokio::test]
async fn code_is_single_use() {
    let s = TestServer::start().await;
    let c = s.code_client("openid", false, true).await;
    let p = pkce();
    let mut b = s.signed_in("ann@example.com").await;
    let r = b.authorize(&authz_query(&c.id, &p.challenge, &[])).await;
    let code = location_params(r.location())["code"].clone();
    assert_eq!(s.exchange(&c, &code, &p.verifier).await.0, StatusCode::OK);
    let (status, body) = s.exchange(&c, &code, &p.verifier).await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_grant")));
}

#[tokio::test]
async fn code_replay_revokes_issued_tokens() {
    let s = TestServer::start().await;
    let c = s.code_client("openid offline_access", false, true).await;
    let (code, p) = s.code_for(&c, "ann@example.com", "openid offline_access").await;
    let (_, tokens) = s.exchange(&c, &code, &p.verifier).await;
    let at = tokens["access_token"].as_str().expect("at").to_owned();
    let rt = tokens["refresh_token"].as_str().expect("rt").to_owned();
    assert_eq!(s.introspect(&c, &at).await["active"], true);
    // The code is replayed (stolen from a log, say): everything it produced dies.
    assert_eq!(s.exchange(&c, &code, &p.verifier).await.0, StatusCode::BAD_REQUEST);
    assert_eq!(s.introspect(&c, &at).await["active"], false);
    assert_eq!(s.refresh(&c, &rt, None).await.0, StatusCode::BAD_REQUEST);
    assert!(crate::harness::audit_kinds(&s).await.contains(&"authorization_code_replay".to_string()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_code_redemption_single_winner() {
    let s = TestServer::start().await;
    let c = s.code_client("openid offline_access", false, true).await;
    let (code, p) = s.code_for(&c, "ann@example.com", "openid offline_access").await;
    let s = std::sync::Arc::new(s);
    let c = std::sync::Arc::new(c);
    let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(12));
    let tasks: Vec<_> = (0..12)
        .map(|_| {
            let (s, c, code, v, barrier) = (s.clone(), c.clone(), code.clone(), p.verifier.clone(), barrier.clone());
            tokio::spawn(async move {
                barrier.wait().await;
                s.exchange(&c, &code, &v).await
            })
        })
        .collect();
    let mut winners = Vec::new();
    for t in tasks {
        let (status, body) = t.await.expect("task");
        if status == StatusCode::OK {
            winners.push(body);
        } else {
            assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_grant")));
        }
    }
    assert_eq!(winners.len(), 1, "exactly one concurrent redemption wins");
    // The others were replays: the winner's tokens are revoked too (RFC 6749 §4.1.2), and no
    // family made by a loser survives.
    let at = winners[0]["access_token"].as_str().expect("at");
    let rt = winners[0]["refresh_token"].as_str().expect("rt");
    assert_eq!(s.introspect(&c, at).await["active"], false);
    assert_eq!(s.refresh(&c, rt, None).await.0, StatusCode::BAD_REQUEST);
    let live = crate::harness::db_strings(&s, "SELECT client_id FROM refresh_families WHERE revoked_at IS NULL").await;
    assert!(live.is_empty(), "{live:?}");
}

#[tokio::test]
async fn code_bound_to_client() {
    let s = TestServer::start().await;
    let c = s.code_client("openid", false, true).await;
    let thief = s.code_client("openid", false, true).await;
    let p = pkce();
    let mut b = s.signed_in("ann@example.com").await;
    let r = b.authorize(&authz_query(&c.id, &p.challenge, &[])).await;
    let code = location_params(r.location())["code"].clone();
    let (status, body) = s.exchange(&thief, &code, &p.verifier).await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_grant")));
    // Wrong redirect_uri is refused too.
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", "http://127.0.0.1/native"),
        ("code_verifier", p.verifier.as_str()),
    ];
    let (status, _, body) = s.oauth_post("/oauth2/token", &c, &form).await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_grant")));
    assert_eq!(s.exchange(&c, &code, &p.verifier).await.0, StatusCode::OK);
}

#[tokio::test]
async fn code_expires_after_60s() {
    let s = TestServer::start().await;
    let c = s.code_client("openid", false, true).await;
    let p = pkce();
    let mut b = s.signed_in("ann@example.com").await;
    let r = b.authorize(&authz_query(&c.id, &p.challenge, &[])).await;
    let code = location_params(r.location())["code"].clone();
    s.clock.advance(Duration::seconds(60));
    let (status, body) = s.exchange(&c, &code, &p.verifier).await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_grant")));
}

#[tokio::test]
async fn state_round_trips() {
    let s = TestServer::start().await;
    let c = s.code_client("openid", false, true).await;
    let p = pkce();
    let mut b = s.signed_in("ann@example.com").await;
    let odd = "a b&c=d/é?#%";
    let r = b.authorize(&authz_query(&c.id, &p.challenge, &[("state", odd)])).await;
    assert_eq!(location_params(r.location())["state"], odd);
    // And on errors.
    let r = b.authorize(&authz_query(&c.id, &p.challenge, &[("state", odd), ("response_type", "token")])).await;
    assert_eq!(location_params(r.location())["state"], odd);
}

#[tokio::test]
async fn iss_in_authorization_response() {
    let s = TestServer::start().await;
    let c = s.code_client("openid", false, true).await;
    let p = pkce();
    let mut b = s.signed_in("ann@example.com").await;
    let ok = b.authorize(&authz_query(&c.id, &p.challenge, &[])).await;
    assert_eq!(location_params(ok.location())["iss"], "https://signet.test");
    let err = b.authorize(&authz_query(&c.id, &p.challenge, &[("response_type", "token")])).await;
    assert_eq!(location_params(err.location())["iss"], "https://signet.test");
    let meta = s.metadata().await;
    assert_eq!(meta["authorization_response_iss_parameter_supported"], true);
    assert_eq!(meta["code_challenge_methods_supported"], serde_json::json!(["S256"]));
    assert_eq!(meta["response_types_supported"], serde_json::json!(["code"]));
}

#[tokio::test]
async fn nonce_in_id_token() {
    let s = TestServer::start().await;
    let c = s.code_client("openid", false, true).await;
    let p = pkce();
    let mut b = s.signed_in("ann@example.com").await;
    let r = b.authorize(&authz_query(&c.id, &p.challenge, &[("nonce", "n-0S6_WzA2Mj")])).await;
    let code = location_params(r.location())["code"].clone();
    let (_, body) = s.exchange(&c, &code, &p.verifier).await;
    let (_, id) = jwt_parts(body["id_token"].as_str().expect("id_token"));
    assert_eq!(id["nonce"], "n-0S6_WzA2Mj");
}

#[tokio::test]
async fn prompt_none_without_session_login_required() {
    let s = TestServer::start().await;
    let c = s.code_client("openid", false, false).await;
    let p = pkce();
    let mut b = s.browser();
    let r = b.get(&format!("/oauth2/authorize?{}", authz_query(&c.id, &p.challenge, &[("prompt", "none")]))).await;
    let q = location_params(r.location());
    assert_eq!(q["error"], "login_required");
    assert_eq!(q["state"], "st-123");
    // Signed in, but consent was never given: consent_required.
    let mut b = s.signed_in("ann@example.com").await;
    let r = b.get(&format!("/oauth2/authorize?{}", authz_query(&c.id, &p.challenge, &[("prompt", "none")]))).await;
    assert_eq!(location_params(r.location())["error"], "consent_required");
}

#[tokio::test]
async fn max_age_forces_reauth() {
    let s = TestServer::start().await;
    let c = s.code_client("openid", false, true).await;
    let p = pkce();
    let mut b = s.signed_in("ann@example.com").await;
    s.clock.advance(Duration::minutes(5));
    let r = b.get(&format!("/oauth2/authorize?{}", authz_query(&c.id, &p.challenge, &[("max_age", "60")]))).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(r.location().starts_with("/login?") && r.location().contains("force=1"), "{}", r.location());
    let page = b.get(r.location()).await;
    assert_eq!(page.status, StatusCode::OK, "the login form is shown to a signed-in user");
    let rt = crate::harness::hidden_field(&page.body, "return_to").expect("return_to");
    let r = b
        .post_form(
            "/login",
            &[("email", "ann@example.com"), ("password", PASSWORD), ("csrf", &page.csrf()), ("return_to", &rt)],
        )
        .await;
    let r = b.follow(r).await;
    let code = location_params(r.location())["code"].clone();
    let (_, body) = s.exchange(&c, &code, &p.verifier).await;
    let (_, id) = jwt_parts(body["id_token"].as_str().expect("id_token"));
    assert_eq!(id["auth_time"].as_i64(), Some(s.state.now().unix_timestamp()), "auth_time is the fresh login");
    // prompt=none with a stale login is login_required.
    s.clock.advance(Duration::minutes(5));
    let r = b
        .get(&format!(
            "/oauth2/authorize?{}",
            authz_query(&c.id, &p.challenge, &[("max_age", "60"), ("prompt", "none")])
        ))
        .await;
    assert_eq!(location_params(r.location())["error"], "login_required");
}

#[tokio::test]
async fn consent_remembered_and_revocable() {
    let s = TestServer::start().await;
    let c = s.code_client("openid email", false, false).await;
    let p = pkce();
    let mut b = s.signed_in("ann@example.com").await;
    let first = b.get(&format!("/oauth2/authorize?{}", authz_query(&c.id, &p.challenge, &[]))).await;
    assert!(b.follow(first).await.body.contains("Allow Example App"));
    let r = b.authorize(&authz_query(&c.id, &p.challenge, &[])).await;
    assert!(location_params(r.location()).contains_key("code"));
    // Second time: no consent page.
    let r = b.get(&format!("/oauth2/authorize?{}", authz_query(&c.id, &p.challenge, &[]))).await;
    assert!(r.location().starts_with(REDIRECT), "consent remembered: {}", r.location());
    // Denying returns access_denied.
    let c2 = s.code_client("openid", false, false).await;
    let page = b.get_follow(&format!("/oauth2/authorize?{}", authz_query(&c2.id, &p.challenge, &[]))).await;
    let req = crate::harness::hidden_field(&page.body, "req").expect("req");
    let r = b.post_form("/oauth2/consent", &[("csrf", &page.csrf()), ("req", &req), ("decision", "deny")]).await;
    assert_eq!(location_params(r.location())["error"], "access_denied");
    // The account page lists the app; removing access brings the consent page back.
    let account = b.get("/account").await;
    assert!(account.body.contains("Connected apps") && account.body.contains("Example App"));
    let r = b.post_form(&format!("/account/apps/{}/revoke", c.id), &[("csrf", &account.csrf())]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let again = b.get_follow(&format!("/oauth2/authorize?{}", authz_query(&c.id, &p.challenge, &[]))).await;
    assert!(again.body.contains("Allow Example App"));
}

#[tokio::test]
async fn login_csrf_on_authorize_round_trip() {
    let s = TestServer::start().await;
    s.create_user("ann@example.com", PASSWORD).await;
    let c = s.code_client("openid", false, true).await;
    let p = pkce();
    let mut b = s.browser();
    let r = b.get(&format!("/oauth2/authorize?{}", authz_query(&c.id, &p.challenge, &[]))).await;
    let page = b.get(r.location()).await;
    let rt = crate::harness::hidden_field(&page.body, "return_to").expect("return_to");
    // Login CSRF: a cross-site form logging the victim into the attacker's account is refused.
    let r = b.post_form("/login", &[("email", "ann@example.com"), ("password", PASSWORD), ("return_to", &rt)]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let mut attacker = s.browser();
    let foreign = attacker.get("/login").await.csrf();
    let r = b
        .post_form(
            "/login",
            &[("email", "ann@example.com"), ("password", PASSWORD), ("csrf", &foreign), ("return_to", &rt)],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // With the page's own token, the round trip completes.
    let r = b
        .post_form(
            "/login",
            &[("email", "ann@example.com"), ("password", PASSWORD), ("csrf", &page.csrf()), ("return_to", &rt)],
        )
        .await;
    let r = b.follow(r).await;
    assert!(location_params(r.location()).contains_key("code"));
    // The consent form is CSRF-protected as well.
    let c2 = s.code_client("openid", false, false).await;
    let page = b.get_follow(&format!("/oauth2/authorize?{}", authz_query(&c2.id, &p.challenge, &[]))).await;
    let req = crate::harness::hidden_field(&page.body, "req").expect("req");
    let r = b.post_form("/oauth2/consent", &[("csrf", "forged"), ("req", &req), ("decision", "allow")]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn forged_consent_post_stores_nothing() {
    let s = TestServer::start().await;
    let c = s.code_client("openid", false, false).await;
    let p = pkce();
    let mut b = s.signed_in("ann@example.com").await;
    let page = b.get_follow(&format!("/oauth2/authorize?{}", authz_query(&c.id, &p.challenge, &[]))).await;
    let req = crate::harness::hidden_field(&page.body, "req").expect("req");
    let count = |table: &'static str| {
        let s = &s;
        async move { crate::harness::db_strings(s, &format!("SELECT CAST(COUNT(*) AS TEXT) FROM {table}")).await[0].clone() }
    };
    for forged in ["forged", "", &page.csrf()[1..]] {
        let r = b.post_form("/oauth2/consent", &[("csrf", forged), ("req", &req), ("decision", "allow")]).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{forged:?}");
        assert!(!r.location().contains("code="));
        assert_eq!(count("consents").await, "0", "no consent stored");
        assert_eq!(count("authorization_codes").await, "0", "no code stored");
        assert_eq!(count("authorization_requests").await, "1", "the pending request is still there");
    }
    assert!(!crate::harness::audit_kinds(&s).await.contains(&"consent_grant".to_string()));
    // Control: the page's own token completes the same request.
    let r = b.post_form("/oauth2/consent", &[("csrf", &page.csrf()), ("req", &req), ("decision", "allow")]).await;
    assert!(location_params(r.location()).contains_key("code"), "{}", r.location());
    assert_eq!(count("consents").await, "1");
}

#[tokio::test]
async fn form_post_response_mode() {
    let s = TestServer::start().await;
    let c = s.code_client("openid", false, true).await;
    let p = pkce();
    let mut b = s.signed_in("ann@example.com").await;
    let r = b.authorize(&authz_query(&c.id, &p.challenge, &[("response_mode", "form_post")])).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains(&format!("action=\"{}\"", REDIRECT.replace('/', "&#x2f;"))) || r.body.contains(REDIRECT));
    assert!(r.body.contains("name=\"code\"") && r.body.contains("name=\"iss\""));
    let csp = r.header("content-security-policy").expect("csp");
    assert!(csp.contains("form-action https://app.example.com") && csp.contains("script-src 'sha256-"), "{csp}");
}

#[tokio::test]
async fn duplicate_and_request_object_parameters_refused() {
    let s = TestServer::start().await;
    let c = s.code_client("openid", false, true).await;
    let p = pkce();
    let mut b = s.browser();
    let q = format!("{}&state=again", authz_query(&c.id, &p.challenge, &[]));
    assert_eq!(b.get(&format!("/oauth2/authorize?{q}")).await.status, StatusCode::BAD_REQUEST);
    let r = b.get(&format!("/oauth2/authorize?{}", authz_query(&c.id, &p.challenge, &[("request", "eyJ...")]))).await;
    assert_eq!(location_params(r.location())["error"], "request_not_supported");
}

#[tokio::test]
async fn authorize_oversized_parameters_rejected() {
    let s = TestServer::start().await;
    let c = s.code_client("openid", false, false).await;
    let p = pkce();
    let big = "x".repeat(1025);
    for param in ["state", "nonce", "login_hint", "acr_values", "scope"] {
        let r =
            s.browser().get(&format!("/oauth2/authorize?{}", authz_query(&c.id, &p.challenge, &[(param, &big)]))).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{param}");
        let q = location_params(r.location());
        assert!(r.location().starts_with(REDIRECT), "{param}: {}", r.location());
        assert_eq!(q["error"], "invalid_request", "{param}");
        assert!(q["error_description"].contains(param), "{param}");
        assert!(!r.location().contains(&big), "an oversized value is not echoed back");
    }
    assert_eq!(
        crate::harness::db_strings(&s, "SELECT id_hash FROM authorization_requests").await.len(),
        0,
        "nothing stored"
    );
    // Control: 1024 bytes is fine, and the (anonymous) request is stored for the login.
    let ok = "y".repeat(1024);
    let r =
        s.browser().get(&format!("/oauth2/authorize?{}", authz_query(&c.id, &p.challenge, &[("state", &ok)]))).await;
    assert!(r.location().starts_with("/login?"), "{}", r.location());
    assert_eq!(crate::harness::db_strings(&s, "SELECT id_hash FROM authorization_requests").await.len(), 1);
}

#[tokio::test]
async fn authorize_pending_requests_rate_limited() {
    let s = TestServer::with(|c| {
        c.rate_limit.pending_authorizations_per_ip_per_minute = 5;
        c.rate_limit.pending_authorizations_per_client_per_minute = 8;
    })
    .await;
    let c = s.code_client("openid", false, false).await;
    let p = pkce();
    let q = authz_query(&c.id, &p.challenge, &[]);
    for _ in 0..5 {
        assert!(s.browser().get(&format!("/oauth2/authorize?{q}")).await.location().starts_with("/login?"));
    }
    let r = s.browser().get(&format!("/oauth2/authorize?{q}")).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "per address");
    assert!(r.header("retry-after").is_some());
    let stored = crate::harness::db_strings(&s, "SELECT id_hash FROM authorization_requests").await.len();
    assert_eq!(stored, 5, "the refused request stored nothing");
    // A signed-in user whose consent is on record needs no stored request: never limited.
    let first_party = s.code_client("openid", false, true).await;
    let mut b = s.signed_in("ann@example.com").await;
    let r = b.get(&format!("/oauth2/authorize?{}", authz_query(&first_party.id, &p.challenge, &[]))).await;
    assert!(location_params(r.location()).contains_key("code"), "{}", r.location());
    // Per client: other addresses (behind a trusted proxy) share the client's budget.
    let s2 = TestServer::with(|c| {
        c.trusted_proxies = vec!["127.0.0.1/32".into()];
        c.rate_limit.pending_authorizations_per_ip_per_minute = 5;
        c.rate_limit.pending_authorizations_per_client_per_minute = 8;
    })
    .await;
    let c2 = s2.code_client("openid", false, false).await;
    let q2 = authz_query(&c2.id, &p.challenge, &[]);
    for i in 0..9 {
        let mut b = s2.browser();
        b.headers.push(("x-forwarded-for".into(), format!("198.51.100.{i}")));
        let r = b.get(&format!("/oauth2/authorize?{q2}")).await;
        let want = if i < 8 { StatusCode::SEE_OTHER } else { StatusCode::TOO_MANY_REQUESTS };
        assert_eq!(r.status, want, "request {i}");
    }
    // Control: the next minute is a new window.
    s.clock.advance(time::Duration::seconds(61));
    assert!(s.browser().get(&format!("/oauth2/authorize?{q}")).await.location().starts_with("/login?"));
}

#[tokio::test]
async fn code_of_disabled_user_refused() {
    // A user disabled between authorization and redemption gets no tokens from the code.
    let s = TestServer::start().await;
    let c = s.code_client("openid", false, true).await;
    let (code, p) = s.code_for(&c, "ann@example.com", "openid").await;
    let id = s.user("ann@example.com").await.id;
    s.state.store.set_disabled(id, true, s.state.now()).await.expect("disable");
    let (status, body) = s.exchange(&c, &code, &p.verifier).await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_grant")), "{body}");
    assert!(body.get("access_token").is_none());
    // Control: an active user's code redeems.
    let (code, p) = s.code_for(&c, "bob@example.com", "openid").await;
    assert_eq!(s.exchange(&c, &code, &p.verifier).await.0, StatusCode::OK);
}
