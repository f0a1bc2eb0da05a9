//! Device authorization grant (RFC 8628): `/oauth2/device_authorization`, `/device`, polling.

use reqwest::StatusCode;
use time::Duration;

use crate::harness::{TestClient, TestServer};

const GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";

async fn device_client(s: &TestServer) -> TestClient {
    s.client(&[GRANT, "refresh_token"], "openid offline_access tv", &[], true).await
}

async fn start(s: &TestServer, c: &TestClient) -> serde_json::Value {
    let r = reqwest::Client::new()
        .post(format!("{}/oauth2/device_authorization", s.base))
        .form(&[("client_id", c.id.as_str()), ("scope", "tv offline_access")])
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), StatusCode::OK);
    r.json().await.expect("json")
}

async fn poll(s: &TestServer, c: &TestClient, device_code: &str) -> (StatusCode, serde_json::Value) {
    let r = reqwest::Client::new()
        .post(format!("{}/oauth2/token", s.base))
        .form(&[("grant_type", GRANT), ("device_code", device_code), ("client_id", c.id.as_str())])
        .send()
        .await
        .expect("send");
    (r.status(), r.json().await.expect("json"))
}

async fn answer(s: &TestServer, user_code: &str, decision: &str) -> crate::harness::Resp {
    let mut b = s.signed_in("ann@example.com").await;
    let page = b.get(&format!("/device?user_code={user_code}")).await;
    assert_eq!(page.status, StatusCode::OK);
    let confirm = b.post_form("/device", &[("csrf", &page.csrf()), ("user_code", user_code)]).await;
    assert!(confirm.body.contains("Connect test client?"), "{}", confirm.body);
    b.post_form(
        "/device",
        &[("csrf", &confirm.csrf()), ("user_code", &user_code.to_lowercase()), ("decision", decision)],
    )
    .await
}

#[tokio::test]
async fn device_flow_pending_slow_down_approve() {
    let s = TestServer::start().await;
    let c = device_client(&s).await;
    let d = start(&s, &c).await;
    let user_code = d["user_code"].as_str().expect("user_code").to_owned();
    assert_eq!(user_code.len(), 9, "XXXX-XXXX");
    assert_eq!(d["verification_uri"], "https://signet.test/device");
    assert_eq!(d["interval"], 5);
    let dc = d["device_code"].as_str().expect("device_code").to_owned();

    let (status, body) = poll(&s, &c, &dc).await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("authorization_pending")));
    // Polling again at once: slow_down, and the interval grows.
    let (_, body) = poll(&s, &c, &dc).await;
    assert_eq!(body["error"], "slow_down");
    s.clock.advance(Duration::seconds(6));
    let (_, body) = poll(&s, &c, &dc).await;
    assert_eq!(body["error"], "slow_down", "the interval is now 10 s");
    s.clock.advance(Duration::seconds(16));
    assert_eq!(poll(&s, &c, &dc).await.1["error"], "authorization_pending");

    let done = answer(&s, &user_code, "allow").await;
    assert!(done.body.contains("is now connected"));
    s.clock.advance(Duration::seconds(16));
    let (status, body) = poll(&s, &c, &dc).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body["access_token"].is_string() && body["refresh_token"].is_string());
    let sub = s.user("ann@example.com").await.subject;
    assert_eq!(crate::harness::jwt_parts(body["access_token"].as_str().expect("at")).1["sub"], sub);
    // The device code works once.
    s.clock.advance(Duration::seconds(16));
    assert_eq!(poll(&s, &c, &dc).await.1["error"], "invalid_grant");
}

#[tokio::test]
async fn device_flow_denied() {
    let s = TestServer::start().await;
    let c = device_client(&s).await;
    let d = start(&s, &c).await;
    let dc = d["device_code"].as_str().expect("dc").to_owned();
    let r = answer(&s, d["user_code"].as_str().expect("uc"), "deny").await;
    assert!(r.body.contains("was not given access"));
    assert_eq!(poll(&s, &c, &dc).await.1["error"], "access_denied");
}

#[tokio::test]
async fn device_flow_expires() {
    let s = TestServer::start().await;
    let c = device_client(&s).await;
    let d = start(&s, &c).await;
    s.clock.advance(Duration::minutes(10));
    assert_eq!(poll(&s, &c, d["device_code"].as_str().expect("dc")).await.1["error"], "expired_token");
    // Another client cannot poll someone else's code.
    let other = device_client(&s).await;
    let d = start(&s, &c).await;
    assert_eq!(poll(&s, &other, d["device_code"].as_str().expect("dc")).await.1["error"], "invalid_grant");
}

#[tokio::test]
async fn device_user_code_guessing_rate_limited() {
    let s = TestServer::start().await;
    let mut b = s.signed_in("ann@example.com").await;
    let csrf = b.get("/device").await.csrf();
    for _ in 0..10 {
        let r = b.post_form("/device", &[("csrf", &csrf), ("user_code", "BCDF-GHJK")]).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(r.body.contains("not valid"));
    }
    let r = b.post_form("/device", &[("csrf", &csrf), ("user_code", "BCDF-GHJK")]).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(r.header("retry-after").is_some());
}

#[tokio::test]
async fn no_refresh_token_without_refresh_grant() {
    // `offline_access` in scope, but the client may not use the refresh grant: a refresh token
    // would be useless to it (RFC 6749 §6), so none is issued.
    let s = TestServer::start().await;
    let c = s.client(&[GRANT], "openid offline_access tv", &[], true).await;
    let d = start(&s, &c).await;
    let user_code = d["user_code"].as_str().expect("user_code").to_owned();
    assert!(answer(&s, &user_code, "allow").await.body.contains("is now connected"));
    let (status, body) = poll(&s, &c, d["device_code"].as_str().expect("device_code")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body["access_token"].is_string());
    assert!(body.get("refresh_token").is_none(), "{body}");
}

async fn device_status(s: &TestServer) -> Vec<String> {
    crate::harness::db_strings(s, "SELECT status FROM device_codes").await
}

#[tokio::test]
async fn device_correct_code_after_limit_refused() {
    let s = TestServer::start().await;
    let c = device_client(&s).await;
    let d = start(&s, &c).await;
    let user_code = d["user_code"].as_str().expect("user_code").to_owned();
    let mut b = s.signed_in("ann@example.com").await;
    let csrf = b.get("/device").await.csrf();
    for _ in 0..10 {
        let r = b.post_form("/device", &[("csrf", &csrf), ("user_code", "BCDF-GHJK")]).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
    }
    // The limit is checked before the lookup: now even the right code is refused, and the
    // request stays pending.
    for decision in ["", "allow"] {
        let r = b.post_form("/device", &[("csrf", &csrf), ("user_code", &user_code), ("decision", decision)]).await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.body);
        assert!(!r.body.contains("Connect test client?"));
    }
    assert_eq!(device_status(&s).await, ["pending"]);
    // Control: after the window a right code works again (the first one has expired by then).
    s.clock.advance(Duration::minutes(15));
    let d = start(&s, &c).await;
    let r = b.post_form("/device", &[("csrf", &csrf), ("user_code", d["user_code"].as_str().expect("uc"))]).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("Connect test client?"));
}

#[tokio::test]
async fn device_guesses_limited_per_ip() {
    // Each user stays under their own limit (10); together, from one address, they reach the
    // per-address limit (30) and the next lookup is refused, whoever makes it.
    let s = TestServer::start().await;
    let c = device_client(&s).await;
    let d = start(&s, &c).await;
    let user_code = d["user_code"].as_str().expect("user_code").to_owned();
    for i in 0..3 {
        let mut b = s.signed_in(&format!("guesser{i}@example.com")).await;
        let csrf = b.get("/device").await.csrf();
        for _ in 0..10 {
            let r = b.post_form("/device", &[("csrf", &csrf), ("user_code", "BCDF-GHJK")]).await;
            assert_eq!(r.status, StatusCode::BAD_REQUEST, "under both limits");
        }
    }
    let mut fresh = s.signed_in("fresh@example.com").await;
    let csrf = fresh.get("/device").await.csrf();
    let r = fresh.post_form("/device", &[("csrf", &csrf), ("user_code", &user_code)]).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(device_status(&s).await, ["pending"]);
    // Control: the same user from another address (through a trusted proxy) is not limited.
    let s2 = TestServer::with(|c| c.trusted_proxies = vec!["127.0.0.1/32".into()]).await;
    let c2 = device_client(&s2).await;
    let d2 = start(&s2, &c2).await;
    for (i, ip) in ["203.0.113.1", "203.0.113.1", "203.0.113.1", "203.0.113.2"].iter().enumerate() {
        let mut b = s2.signed_in(&format!("g{i}@example.com")).await;
        b.headers.push(("x-forwarded-for".into(), (*ip).into()));
        let csrf = b.get("/device").await.csrf();
        let code = if i == 3 { d2["user_code"].as_str().expect("uc") } else { "BCDF-GHJK" };
        let n = if i == 3 { 1 } else { 10 };
        for _ in 0..n {
            let r = b.post_form("/device", &[("csrf", &csrf), ("user_code", code)]).await;
            let want = if i == 3 { StatusCode::OK } else { StatusCode::BAD_REQUEST };
            assert_eq!(r.status, want, "{ip}");
        }
    }
}

#[tokio::test]
async fn device_authorization_rate_limited() {
    let s = TestServer::start().await;
    let c = device_client(&s).await;
    let send = || async {
        reqwest::Client::new()
            .post(format!("{}/oauth2/device_authorization", s.base))
            .form(&[("client_id", c.id.as_str()), ("scope", "tv")])
            .send()
            .await
            .expect("send")
    };
    for _ in 0..10 {
        assert_eq!(send().await.status(), StatusCode::OK);
    }
    let r = send().await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(r.headers().get("retry-after").is_some());
    let body: serde_json::Value = r.json().await.expect("json");
    assert_eq!(body["error"], "slow_down");
    assert_eq!(device_status(&s).await.len(), 10, "the refused request stored nothing");
    // Control: the next minute is a new window.
    s.clock.advance(Duration::seconds(61));
    assert_eq!(send().await.status(), StatusCode::OK);
}
