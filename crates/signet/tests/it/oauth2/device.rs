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
