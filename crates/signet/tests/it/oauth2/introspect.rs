//! `POST /oauth2/introspect` (RFC 7662).

use reqwest::StatusCode;
use time::Duration;

use crate::harness::{TestClient, TestServer, PASSWORD};

#[tokio::test]
async fn introspection_requires_client_auth() {
    let s = TestServer::start().await;
    let c = s.client(&["client_credentials"], "read", &[], false).await;
    let at = s.client_credentials(&c, None).await["access_token"].as_str().expect("at").to_owned();
    let r = reqwest::Client::new()
        .post(format!("{}/oauth2/introspect", s.base))
        .form(&[("token", at.as_str())])
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let wrong = TestClient { id: c.id.clone(), secret: Some("nope".into()) };
    let (status, _, body) = s.oauth_post("/oauth2/introspect", &wrong, &[("token", &at)]).await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::UNAUTHORIZED, Some("invalid_client")));
}

#[tokio::test]
async fn introspection_describes_active_token() {
    let s = TestServer::start().await;
    let c = s.client(&["client_credentials"], "read write", &["https://api.example.com"], false).await;
    let rs = s.client(&["client_credentials"], "", &[], false).await; // a resource server
    let at = s.client_credentials(&c, Some("read")).await["access_token"].as_str().expect("at").to_owned();
    let v = s.introspect(&rs, &at).await;
    assert_eq!(v["active"], true);
    assert_eq!(v["scope"], "read");
    assert_eq!(v["client_id"], c.id);
    assert_eq!(v["sub"], c.id);
    assert_eq!(v["aud"], "https://api.example.com");
    assert_eq!(v["iss"], "https://signet.test");
    assert_eq!(v["token_type"], "Bearer");
    assert!(v["exp"].is_i64() && v["iat"].is_i64());
    // Expired is inactive.
    s.clock.advance(Duration::minutes(10));
    assert_eq!(s.introspect(&rs, &at).await, serde_json::json!({"active": false}));
    for garbage in ["", "x", "a.b.c", "eyJhbGciOiJub25lIn0.e30."] {
        assert_eq!(s.introspect(&rs, garbage).await["active"], false);
    }
}

#[tokio::test]
async fn revoked_access_token_inactive_at_introspection() {
    let s = TestServer::start().await;
    let c = s.client(&["client_credentials"], "read", &[], false).await;
    let at = s.client_credentials(&c, None).await["access_token"].as_str().expect("at").to_owned();
    assert_eq!(s.introspect(&c, &at).await["active"], true);
    let (status, _, _) = s.oauth_post("/oauth2/revoke", &c, &[("token", &at)]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(s.introspect(&c, &at).await, serde_json::json!({"active": false}));
    // Other tokens of the client are unaffected.
    let other = s.client_credentials(&c, None).await["access_token"].as_str().expect("at").to_owned();
    assert_eq!(s.introspect(&c, &other).await["active"], true);
}

#[tokio::test]
async fn password_change_makes_tokens_inactive() {
    let s = TestServer::start().await;
    let uid = s.create_user("ann@example.com", PASSWORD).await;
    let c = s.client(&["refresh_token"], "read", &[], false).await;
    let rt = s.refresh_family(&c, Some(uid), "read").await;
    let (_, body) = s.refresh(&c, &rt, None).await;
    let at = body["access_token"].as_str().expect("at").to_owned();
    let rt1 = body["refresh_token"].as_str().expect("rt1").to_owned();
    assert_eq!(s.introspect(&c, &at).await["active"], true);

    s.clock.advance(Duration::seconds(1));
    let mut b = s.browser();
    b.login("ann@example.com", PASSWORD).await;
    let csrf = b.get("/account/password").await.csrf();
    let r = b
        .post_form(
            "/account/password",
            &[("csrf", &csrf), ("current_password", PASSWORD), ("new_password", "another long passphrase")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(s.introspect(&c, &at).await["active"], false, "access token issued before the change");
    assert_eq!(s.introspect(&c, &rt1).await["active"], false, "refresh family revoked");
    assert_eq!(s.refresh(&c, &rt1, None).await.0, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn revoked_key_tokens_inactive() {
    let s = TestServer::start().await;
    let c = s.client(&["client_credentials"], "read", &[], false).await;
    let at = s.client_credentials(&c, None).await["access_token"].as_str().expect("at").to_owned();
    let (header, _) = crate::harness::jwt_parts(&at);
    let kid = header["kid"].as_str().expect("kid").to_owned();
    // Introspected once: its signature check is now remembered, which must not outlive the key.
    assert_eq!(s.introspect(&c, &at).await["active"], true);
    // The CLI revokes the key (rotating first, since it is the current one).
    let (code, out, err) = crate::harness::run_cli(s.dir.path(), &["keys", "revoke", &kid], "");
    assert_eq!(code, 0, "{out}{err}");
    s.state.keys.reload(s.state.store.as_ref()).await.expect("reload"); // what housekeeping does within 10 s
    assert_eq!(s.introspect(&c, &at).await["active"], false);
    let jwks = reqwest::get(format!("{}/jwks", s.base)).await.expect("jwks").text().await.expect("text");
    assert!(!jwks.contains(&kid), "revoked key dropped from JWKS");
    // New tokens come from the new current key and are active.
    let fresh = s.client_credentials(&c, None).await["access_token"].as_str().expect("at").to_owned();
    assert_ne!(crate::harness::jwt_parts(&fresh).0["kid"], kid.as_str());
    assert_eq!(s.introspect(&c, &fresh).await["active"], true);
}

#[tokio::test]
async fn introspection_cache_keeps_expiry_and_revocation() {
    let s = TestServer::start().await;
    let c = s.client(&["client_credentials"], "read", &[], false).await;
    let at = s.client_credentials(&c, None).await["access_token"].as_str().expect("at").to_owned();
    assert_eq!(s.introspect(&c, &at).await["active"], true);
    assert_eq!(s.introspect(&c, &at).await["active"], true, "a repeat (signature check remembered)");
    // A token that differs in one byte is not the remembered one.
    let mut tampered = at.clone();
    let last = tampered.pop().expect("char");
    tampered.push(if last == 'A' { 'B' } else { 'A' });
    assert_eq!(s.introspect(&c, &tampered).await["active"], false);
    // Revocation is checked on every request, remembered or not.
    let (status, _, _) = s.oauth_post("/oauth2/revoke", &c, &[("token", at.as_str())]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(s.introspect(&c, &at).await["active"], false);
    // Expiry too.
    let at2 = s.client_credentials(&c, None).await["access_token"].as_str().expect("at").to_owned();
    assert_eq!(s.introspect(&c, &at2).await["active"], true);
    s.clock.advance(Duration::hours(2));
    assert_eq!(s.introspect(&c, &at2).await["active"], false);
}

#[tokio::test]
async fn rotated_client_secret_stops_working_within_seconds() {
    let s = TestServer::start().await;
    let c = s.client(&["client_credentials"], "read", &[], false).await;
    assert!(s.client_credentials(&c, None).await["access_token"].is_string());
    // Rotated by the CLI, another process: the server's brief client cache (2 s) lets the old
    // secret work at most that long.
    let (code, out, err) = crate::harness::run_cli(s.dir.path(), &["client", "rotate-secret", &c.id, "--json"], "");
    assert_eq!(code, 0, "{out}{err}");
    let started = std::time::Instant::now();
    loop {
        let (status, _, _) = s.oauth_post("/oauth2/token", &c, &[("grant_type", "client_credentials")]).await;
        if status == StatusCode::UNAUTHORIZED {
            break;
        }
        assert!(started.elapsed() < std::time::Duration::from_secs(3), "old secret still accepted after 3 s");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let new_secret = serde_json::from_str::<serde_json::Value>(&out).expect("json")["client_secret"]
        .as_str()
        .expect("secret")
        .to_owned();
    let rotated = TestClient { id: c.id.clone(), secret: Some(new_secret) };
    assert!(s.client_credentials(&rotated, None).await["access_token"].is_string());
}

#[tokio::test]
async fn public_client_cannot_introspect() {
    // RFC 7662 §2.1: a public client id (visible in every authorization URL) must not turn
    // introspection into a token oracle.
    let s = TestServer::start().await;
    let issuer = s.client(&["client_credentials"], "read", &[], false).await;
    let at = s.client_credentials(&issuer, None).await["access_token"].as_str().expect("at").to_owned();
    let public = s.code_client("openid", true, true).await;
    let r = reqwest::Client::new()
        .post(format!("{}/oauth2/introspect", s.base))
        .form(&[("token", at.as_str()), ("client_id", public.id.as_str())])
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert!(r.headers().get("www-authenticate").is_some());
    let body: serde_json::Value = r.json().await.expect("json");
    assert_eq!(body["error"], "invalid_client");
    assert!(body.get("active").is_none() && body.get("sub").is_none(), "{body}");
    // Control: a confidential client introspects the same token.
    assert_eq!(s.introspect(&issuer, &at).await["active"], true);
    // Discovery does not offer "none" for introspection.
    let meta = s.metadata().await;
    let methods = meta["introspection_endpoint_auth_methods_supported"].as_array().expect("methods");
    assert!(!methods.iter().any(|m| m == "none"), "{methods:?}");
}

#[tokio::test]
async fn deleted_client_tokens_inactive() {
    let s = TestServer::start().await;
    let rs = s.client(&["client_credentials"], "", &[], false).await;
    let doomed = s.code_client("openid email", false, true).await;
    let survivor = s.code_client("openid email", false, true).await;
    let mut tokens = Vec::new();
    for c in [&doomed, &survivor] {
        let (code, p) = s.code_for(c, "ann@example.com", "openid email").await;
        let (_, body) = s.exchange(c, &code, &p.verifier).await;
        tokens.push(body["access_token"].as_str().expect("at").to_owned());
    }
    assert_eq!(s.introspect(&rs, &tokens[0]).await["active"], true, "cached while the client exists");
    let (code, _, err) = crate::harness::run_cli(s.dir.path(), &["client", "delete", &doomed.id], "");
    assert_eq!(code, 0, "{err}");
    // Every instance's client cache forgets it within 2 s.
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    assert_eq!(s.introspect(&rs, &tokens[0]).await, serde_json::json!({ "active": false }));
    let userinfo = |t: String| {
        let url = format!("{}/oauth2/userinfo", s.base);
        async move { reqwest::Client::new().get(url).bearer_auth(t).send().await.expect("send").status() }
    };
    assert_eq!(userinfo(tokens[0].clone()).await, StatusCode::UNAUTHORIZED);
    // Control: the other client's token is untouched.
    assert_eq!(s.introspect(&rs, &tokens[1]).await["active"], true);
    assert_eq!(userinfo(tokens[1].clone()).await, StatusCode::OK);
}
