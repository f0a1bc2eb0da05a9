//! `POST /oauth2/revoke` (RFC 7009).

use reqwest::StatusCode;

use crate::harness::{db_strings, TestServer};

/// A family of `n` members: the first token and each successor, oldest first.
async fn chain(s: &TestServer, c: &crate::harness::TestClient, n: usize) -> Vec<String> {
    let mut tokens = vec![s.refresh_family(c, None, "read").await];
    for _ in 1..n {
        let (status, body) = s.refresh(c, tokens.last().expect("token"), None).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        tokens.push(body["refresh_token"].as_str().expect("rt").to_owned());
    }
    tokens
}

async fn family_revocations(s: &TestServer) -> Vec<String> {
    db_strings(s, "SELECT COALESCE(revoked_reason, 'live') FROM refresh_families ORDER BY id").await
}

/// Every member refused and inactive, the newest first (so reuse detection, which presenting
/// an old member would trigger, cannot be what killed the family).
async fn assert_all_dead(s: &TestServer, c: &crate::harness::TestClient, tokens: &[String]) {
    for t in tokens.iter().rev() {
        let (status, body) = s.refresh(c, t, None).await;
        assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_grant")), "{body}");
        assert_eq!(s.introspect(c, t).await, serde_json::json!({"active": false}));
    }
}

#[tokio::test]
async fn revoke_refresh_revokes_family() {
    let s = TestServer::start().await;
    let c = s.client(&["refresh_token"], "read", &[], false).await;
    let tokens = chain(&s, &c, 3).await;
    // Revoke the middle member (already used): the whole family goes, newest included.
    let (status, _, _) =
        s.oauth_post("/oauth2/revoke", &c, &[("token", &tokens[1]), ("token_type_hint", "refresh_token")]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(family_revocations(&s).await, ["revoked_by_client"]);
    assert_all_dead(&s, &c, &tokens).await;
}

#[tokio::test]
async fn revoke_older_member_kills_whole_family() {
    let s = TestServer::start().await;
    let c = s.client(&["refresh_token"], "read", &[], false).await;
    let tokens = chain(&s, &c, 4).await;
    let other = chain(&s, &c, 2).await;
    assert_eq!(s.introspect(&c, &tokens[3]).await["active"], true, "the newest member is live before");
    let (status, _, _) = s.oauth_post("/oauth2/revoke", &c, &[("token", &tokens[0])]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(family_revocations(&s).await, ["revoked_by_client", "live"]);
    assert_all_dead(&s, &c, &tokens).await;
    // Control: the client's other family is untouched.
    assert_eq!(s.introspect(&c, &other[1]).await["active"], true);
    assert_eq!(s.refresh(&c, &other[1], None).await.0, StatusCode::OK);
}

#[tokio::test]
async fn client_cannot_revoke_other_clients_token() {
    let s = TestServer::start().await;
    let a = s.client(&["refresh_token", "client_credentials"], "read", &[], false).await;
    let b = s.client(&["client_credentials"], "read", &[], false).await;
    let rt = s.refresh_family(&a, None, "read").await;
    let at = s.client_credentials(&a, None).await["access_token"].as_str().expect("at").to_owned();
    for token in [&rt, &at] {
        let (status, _, body) = s.oauth_post("/oauth2/revoke", &b, &[("token", token)]).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(body["error"], "unauthorized_client");
    }
    assert_eq!(s.introspect(&a, &at).await["active"], true);
    assert_eq!(s.refresh(&a, &rt, None).await.0, StatusCode::OK);
}

#[tokio::test]
async fn revoke_unknown_or_garbage_token_is_200() {
    let s = TestServer::start().await;
    let c = s.client(&["client_credentials"], "read", &[], false).await;
    for token in ["sgn_rt_unknown", "not-a-jwt", "a.b.c"] {
        let (status, _, _) = s.oauth_post("/oauth2/revoke", &c, &[("token", token)]).await;
        assert_eq!(status, StatusCode::OK, "{token}");
    }
    let (status, _, body) = s.oauth_post("/oauth2/revoke", &c, &[]).await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_request")));
}
