//! `/api/v1/*`: JSON errors, 401 vs 403.

use reqwest::StatusCode;

use crate::harness::{TestServer, PASSWORD};

#[tokio::test]
async fn api_unauthenticated_is_401_with_challenge() {
    let s = TestServer::start().await;
    let r = s.browser().get("/api/v1/me").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.header("www-authenticate").expect("challenge").starts_with("Bearer"));
    let v: serde_json::Value = serde_json::from_str(&r.body).expect("json");
    assert_eq!(v["error"], "unauthorized");
    assert!(v["error_description"].is_string());
}

#[tokio::test]
async fn api_authenticated_but_not_admin_is_403() {
    let s = TestServer::start().await;
    s.create_user("ann@example.com", PASSWORD).await;
    let mut b = s.browser();
    b.login("ann@example.com", PASSWORD).await;
    let me = b.get("/api/v1/me").await;
    assert_eq!(me.status, StatusCode::OK);
    let v: serde_json::Value = serde_json::from_str(&me.body).expect("json");
    assert_eq!(v["email"], "ann@example.com");
    assert!(v.get("password").is_none() && !me.body.contains("argon2"));
    let r = b.get("/api/v1/admin/users").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.header("www-authenticate").is_none());
    let v: serde_json::Value = serde_json::from_str(&r.body).expect("json");
    assert_eq!(v["error"], "forbidden");
}

#[tokio::test]
async fn api_unknown_path_and_method_are_json() {
    let s = TestServer::start().await;
    let mut b = s.browser();
    let r = b.get("/api/v1/nope").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(serde_json::from_str::<serde_json::Value>(&r.body).expect("json")["error"], "not_found");
    let r = b.post_raw("/api/v1/me", "application/json", b"{}".to_vec()).await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(serde_json::from_str::<serde_json::Value>(&r.body).expect("json")["error"], "method_not_allowed");
}
