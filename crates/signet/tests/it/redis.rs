//! Ephemeral state in Redis: shared between instances, and the decided failure behaviour.

use reqwest::StatusCode;

use crate::harness::{RedisServer, TestServer, PASSWORD};

#[tokio::test]
async fn rate_limit_shared_across_instances() {
    let redis = RedisServer::start();
    let a = TestServer::with(|c| c.redis_url = Some(redis.url.clone())).await;
    let b = a.another_instance(|c| c.redis_url = Some(redis.url.clone())).await;
    a.create_user("ann@example.com", PASSWORD).await;
    for s in [&a, &a, &a, &b, &b] {
        assert_eq!(s.browser().login("ann@example.com", "wrong password").await.status, StatusCode::OK);
    }
    // The sixth attempt is refused on either instance: the counter lives in Redis.
    assert_eq!(a.browser().login("ann@example.com", PASSWORD).await.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(b.browser().login("ann@example.com", PASSWORD).await.status, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn redis_down_introspection_fails_closed() {
    let mut redis = RedisServer::start();
    let s = TestServer::with(|c| c.redis_url = Some(redis.url.clone())).await;
    let c = s.client(&["client_credentials"], "read", &[], false).await;
    let at = s.client_credentials(&c, None).await["access_token"].as_str().expect("at").to_owned();
    assert_eq!(s.introspect(&c, &at).await["active"], true);
    redis.stop();
    // The denylist cannot be read: never "active" for a token that may have been revoked.
    let (status, headers, body) = s.oauth_post("/oauth2/introspect", &c, &[("token", &at)]).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert_eq!(body["error"], "temporarily_unavailable");
    assert!(headers.get("retry-after").is_some());
    // Readiness reports the degraded dependency.
    let r = reqwest::get(format!("{}/readyz", s.base)).await.expect("readyz");
    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
    let v: serde_json::Value = r.json().await.expect("json");
    assert_eq!((v["status"].as_str(), v["redis"].as_str()), (Some("degraded"), Some("unreachable")));
}

#[tokio::test]
async fn redis_down_login_still_rate_limited_locally() {
    let mut redis = RedisServer::start();
    let s = TestServer::with(|c| c.redis_url = Some(redis.url.clone())).await;
    s.create_user("ann@example.com", PASSWORD).await;
    redis.stop();
    for _ in 0..5 {
        assert_eq!(s.browser().login("ann@example.com", "wrong password").await.status, StatusCode::OK);
    }
    assert_eq!(s.browser().login("ann@example.com", PASSWORD).await.status, StatusCode::TOO_MANY_REQUESTS);
}
