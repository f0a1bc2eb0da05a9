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

/// `n` simultaneous uses of one refresh token against one server: every request is ready, then
/// all are released at once (a `Barrier`), on the caller's runtime.
async fn race_refresh(
    s: &TestServer,
    c: &crate::harness::TestClient,
    token: &str,
    n: usize,
) -> Vec<(StatusCode, serde_json::Value)> {
    let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(n));
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..n {
        let req = reqwest::Client::new()
            .post(format!("{}/oauth2/token", s.base))
            .basic_auth(&c.id, c.secret.as_deref())
            .form(&[("grant_type", "refresh_token"), ("refresh_token", token)]);
        let barrier = barrier.clone();
        tasks.spawn(async move {
            barrier.wait().await;
            let r = req.send().await.expect("send");
            (r.status(), r.json::<serde_json::Value>().await.expect("json"))
        });
    }
    let mut out = Vec::new();
    while let Some(r) = tasks.join_next().await {
        out.push(r.expect("task"));
    }
    out
}

/// Exactly one winner; every loser is `invalid_grant`; the family never forks.
async fn assert_single_winner(s: &TestServer, results: &[(StatusCode, serde_json::Value)]) {
    assert_eq!(
        results.iter().filter(|(st, _)| *st == StatusCode::OK).count(),
        1,
        "exactly one rotation wins: {results:?}"
    );
    for (status, body) in results.iter().filter(|(st, _)| *st != StatusCode::OK) {
        assert_eq!((*status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_grant")), "{body}");
    }
    let successors = crate::harness::db_strings(s, "SELECT token_hash FROM refresh_tokens").await;
    assert_eq!(successors.len(), 2, "one token and one successor: never forked");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_refresh_single_winner() {
    let (s, c) = server_and_client(0).await;
    let t0 = s.refresh_family(&c, None, "read").await;
    let results = race_refresh(&s, &c, &t0, 20).await;
    assert_single_winner(&s, &results).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_refresh_single_winner_multi_thread() {
    // Many rounds, each a fresh family raced by 16 requests on 4 runtime threads: a
    // check-then-write rotation would let two through in some round.
    let (s, c) = server_and_client(0).await;
    for _ in 0..5 {
        crate::harness::db_strings(&s, "DELETE FROM refresh_tokens").await;
        let t0 = s.refresh_family(&c, None, "read").await;
        let results = race_refresh(&s, &c, &t0, 16).await;
        assert_single_winner(&s, &results).await;
        // Without a grace window every loser presented a used token: reuse, so the family
        // dies, the winner's new token with it (RFC 9700 §4.14.2).
        let winner = results.iter().find(|(st, _)| *st == StatusCode::OK).expect("winner");
        let (status, body) = s.refresh(&c, winner.1["refresh_token"].as_str().expect("rt"), None).await;
        assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_grant")));
        let live =
            crate::harness::db_strings(&s, "SELECT client_id FROM refresh_families WHERE revoked_at IS NULL").await;
        assert!(live.is_empty(), "{live:?}");
    }
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
