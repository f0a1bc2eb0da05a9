//! `POST /oauth2/revoke` (RFC 7009).

use reqwest::StatusCode;

use crate::harness::TestServer;

#[tokio::test]
async fn revoke_refresh_revokes_family() {
    let s = TestServer::start().await;
    let c = s.client(&["refresh_token"], "read", &[], false).await;
    let t0 = s.refresh_family(&c, None, "read").await;
    let (_, body) = s.refresh(&c, &t0, None).await;
    let t1 = body["refresh_token"].as_str().expect("t1").to_owned();
    let (status, _, _) =
        s.oauth_post("/oauth2/revoke", &c, &[("token", &t1), ("token_type_hint", "refresh_token")]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(s.refresh(&c, &t1, None).await.0, StatusCode::BAD_REQUEST);
    assert_eq!(s.introspect(&c, &t1).await, serde_json::json!({"active": false}));
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
