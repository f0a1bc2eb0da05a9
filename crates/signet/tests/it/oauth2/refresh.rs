//! `POST /oauth2/token` with `grant_type=refresh_token`: rotation, reuse detection, lifetimes.

use reqwest::StatusCode;
use time::Duration;

use crate::harness::{audit_kinds, TestServer, PASSWORD};

async fn server_and_client(grace_secs: i64) -> (TestServer, crate::harness::TestClient) {
    let s = TestServer::with(|c| c.tokens.refresh_grace = Duration::seconds(grace_secs)).await;
    let c = s.client(&["refresh_token"], "read write", &[], false).await;
    (s, c)
}

#[tokio::test]
async fn refresh_rotates_on_every_use() {
    let (s, c) = server_and_client(5).await;
    let uid = s.create_user("ann@example.com", PASSWORD).await;
    let mut token = s.refresh_family(&c, Some(uid), "read write").await;
    assert!(token.starts_with("sgn_rt_"), "recognisable prefix for secret scanners");
    let mut seen = vec![token.clone()];
    for _ in 0..3 {
        let (status, body) = s.refresh(&c, &token, None).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let next = body["refresh_token"].as_str().expect("new refresh token").to_owned();
        assert!(!seen.contains(&next));
        let (_, claims) = crate::harness::jwt_parts(body["access_token"].as_str().expect("at"));
        assert_eq!(claims["sub"], s.user("ann@example.com").await.subject);
        assert_eq!(claims["aud"], "https://api.example.com");
        assert!(claims["auth_time"].is_i64());
        seen.push(next.clone());
        token = next;
    }
    // Only hashes are stored.
    let stored = crate::harness::db_strings(&s, "SELECT token_hash FROM refresh_tokens").await;
    assert!(seen.iter().all(|t| !stored.iter().any(|h| h.contains(&t[7..]))));
}

#[tokio::test]
async fn refresh_reuse_revokes_family() {
    let (s, c) = server_and_client(5).await;
    let t0 = s.refresh_family(&c, None, "read").await;
    let (_, body) = s.refresh(&c, &t0, None).await;
    let t1 = body["refresh_token"].as_str().expect("t1").to_owned();
    let (_, body) = s.refresh(&c, &t1, None).await;
    let t2 = body["refresh_token"].as_str().expect("t2").to_owned();
    // An attacker replays t0 after the grace window.
    s.clock.advance(Duration::seconds(6));
    let (status, body) = s.refresh(&c, &t0, None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "invalid_grant");
    // The whole family is dead, including the legitimate latest token.
    let (status, body) = s.refresh(&c, &t2, None).await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_grant")));
    assert!(audit_kinds(&s).await.contains(&"refresh_token_reuse_detected".to_string()));
}

#[tokio::test]
async fn refresh_retry_within_grace_keeps_family() {
    let (s, c) = server_and_client(5).await;
    let t0 = s.refresh_family(&c, None, "read").await;
    let (_, lost) = s.refresh(&c, &t0, None).await; // the response is "lost"
    let lost = lost["refresh_token"].as_str().expect("lost").to_owned();
    s.clock.advance(Duration::seconds(2));
    let (status, body) = s.refresh(&c, &t0, None).await; // the client retries
    assert_eq!(status, StatusCode::OK, "{body}");
    let t1 = body["refresh_token"].as_str().expect("t1").to_owned();
    assert_ne!(t1, lost);
    // The family lives on through the retry's token; the unseen one was replaced.
    let (status, _) = s.refresh(&c, &t1, None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!audit_kinds(&s).await.contains(&"refresh_token_reuse_detected".to_string()));
    // With grace disabled, the same retry kills the family.
    let (s, c) = server_and_client(0).await;
    let t0 = s.refresh_family(&c, None, "read").await;
    let (_, body) = s.refresh(&c, &t0, None).await;
    let t1 = body["refresh_token"].as_str().expect("t1").to_owned();
    assert_eq!(s.refresh(&c, &t0, None).await.0, StatusCode::BAD_REQUEST);
    assert_eq!(s.refresh(&c, &t1, None).await.0, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn concurrent_refresh_single_winner() {
    let (s, c) = server_and_client(0).await;
    let t0 = s.refresh_family(&c, None, "read").await;
    let s = std::sync::Arc::new(s);
    let c = std::sync::Arc::new(c);
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let (s, c, t0) = (s.clone(), c.clone(), t0.clone());
            tokio::spawn(async move { s.refresh(&c, &t0, None).await.0 })
        })
        .collect();
    let mut ok = 0;
    for t in tasks {
        let status = t.await.expect("task");
        assert!(status == StatusCode::OK || status == StatusCode::BAD_REQUEST, "{status}");
        ok += usize::from(status == StatusCode::OK);
    }
    assert_eq!(ok, 1, "exactly one concurrent rotation wins");
    let successors = crate::harness::db_strings(&s, "SELECT token_hash FROM refresh_tokens").await;
    assert_eq!(successors.len(), 2, "one token and one successor: never forked");
}

#[tokio::test]
async fn refresh_cannot_widen_scope() {
    let (s, c) = server_and_client(5).await;
    let t0 = s.refresh_family(&c, None, "read").await;
    let (status, body) = s.refresh(&c, &t0, Some("read write")).await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_scope")));
    // Narrowing is fine, and the refresh token keeps the original grant.
    let (s, c) = server_and_client(5).await;
    let t0 = s.refresh_family(&c, None, "read write").await;
    let (status, body) = s.refresh(&c, &t0, Some("read")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["scope"], "read");
    let t1 = body["refresh_token"].as_str().expect("t1").to_owned();
    let (_, body) = s.refresh(&c, &t1, None).await;
    assert_eq!(body["scope"], "read write");
}

#[tokio::test]
async fn refresh_family_absolute_lifetime() {
    let (s, c) = server_and_client(5).await;
    let mut token = s.refresh_family(&c, None, "read").await;
    // Used every 10 days (inside the 14-day idle limit), the family still ends at 30 days.
    for _ in 0..2 {
        s.clock.advance(Duration::days(10));
        let (status, body) = s.refresh(&c, &token, None).await;
        assert_eq!(status, StatusCode::OK);
        token = body["refresh_token"].as_str().expect("next").to_owned();
    }
    s.clock.advance(Duration::days(10)); // day 30
    let (status, body) = s.refresh(&c, &token, None).await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_grant")));
}

#[tokio::test]
async fn refresh_idle_lifetime() {
    let (s, c) = server_and_client(5).await;
    let token = s.refresh_family(&c, None, "read").await;
    s.clock.advance(Duration::days(14));
    assert_eq!(s.refresh(&c, &token, None).await.0, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn refresh_token_bound_to_its_client() {
    let (s, c) = server_and_client(5).await;
    let other = s.client(&["refresh_token"], "read", &[], false).await;
    let t0 = s.refresh_family(&c, None, "read").await;
    let (status, body) = s.refresh(&other, &t0, None).await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_grant")));
    // The rightful client is unaffected.
    assert_eq!(s.refresh(&c, &t0, None).await.0, StatusCode::OK);
}
