//! `POST /oauth2/token`: client authentication and the client_credentials grant.

use reqwest::StatusCode;

use crate::harness::{jwt_parts, TestClient, TestServer};

#[tokio::test]
async fn client_credentials_issues_rfc9068_access_token() {
    let s = TestServer::start().await;
    let c = s.client(&["client_credentials"], "read write", &["https://api.example.com"], false).await;
    let (status, headers, body) =
        s.oauth_post("/oauth2/token", &c, &[("grant_type", "client_credentials"), ("scope", "read")]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers.get("cache-control").and_then(|v| v.to_str().ok()), Some("no-store"));
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 600);
    assert_eq!(body["scope"], "read");
    assert!(body.get("refresh_token").is_none(), "RFC 6749 §4.4.3: no refresh token for client credentials");
    let (header, claims) = jwt_parts(body["access_token"].as_str().expect("token"));
    assert_eq!(header["typ"], "at+jwt");
    assert_eq!(header["alg"], "ES256");
    assert!(header["kid"].is_string());
    assert_eq!(claims["iss"], "https://signet.test");
    assert_eq!(claims["sub"], c.id);
    assert_eq!(claims["client_id"], c.id);
    assert_eq!(claims["aud"], "https://api.example.com");
    assert_eq!(claims["scope"], "read");
    assert_eq!(claims["exp"].as_i64().expect("exp") - claims["iat"].as_i64().expect("iat"), 600);
    assert!(claims["jti"].as_str().expect("jti").len() >= 22);
    assert!(claims.get("nbf").is_some());
    // Without a scope, the client's whole allowed set.
    assert_eq!(s.client_credentials(&c, None).await["scope"], "read write");
}

#[tokio::test]
async fn wrong_client_secret_invalid_client_401() {
    let s = TestServer::start().await;
    let c = s.client(&["client_credentials"], "read", &[], false).await;
    let wrong = TestClient { id: c.id.clone(), secret: Some("sgn_cs_wrong".into()) };
    let unknown = TestClient { id: "no-such-client".into(), secret: c.secret.clone() };
    for who in [&wrong, &unknown] {
        let (status, headers, body) = s.oauth_post("/oauth2/token", who, &[("grant_type", "client_credentials")]).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(body["error"], "invalid_client");
        assert_eq!(body["error_description"], "client authentication failed", "same answer for unknown client");
        assert!(headers.get("www-authenticate").and_then(|v| v.to_str().ok()).expect("challenge").starts_with("Basic"));
    }
    // No credentials at all.
    let r = reqwest::Client::new()
        .post(format!("{}/oauth2/token", s.base))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn client_secret_post_works_and_two_methods_are_refused() {
    let s = TestServer::start().await;
    let c = s.client(&["client_credentials"], "read", &[], false).await;
    let secret = c.secret.clone().expect("secret");
    let http = reqwest::Client::new();
    let url = format!("{}/oauth2/token", s.base);
    let form = [("grant_type", "client_credentials"), ("client_id", c.id.as_str()), ("client_secret", secret.as_str())];
    let r = http.post(&url).form(&form).send().await.expect("send");
    assert_eq!(r.status(), StatusCode::OK);
    // RFC 6749 §2.3: more than one authentication method is an error.
    let r = http.post(&url).basic_auth(&c.id, Some(&secret)).form(&form).send().await.expect("send");
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(r.json::<serde_json::Value>().await.expect("json")["error"], "invalid_request");
}

#[tokio::test]
async fn token_endpoint_errors_use_rfc6749_codes() {
    let s = TestServer::start().await;
    let c = s.client(&["client_credentials"], "read", &["https://api.example.com"], false).await;
    let no_cc = s.client(&["refresh_token"], "read", &[], false).await;
    let public = s.client(&["refresh_token"], "read", &[], true).await;
    type Case<'a> = (&'a TestClient, Vec<(&'a str, &'a str)>, StatusCode, &'a str);
    let cases: Vec<Case> = vec![
        (&c, vec![], StatusCode::BAD_REQUEST, "invalid_request"),
        (
            &c,
            vec![("grant_type", "password"), ("username", "a"), ("password", "b")],
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
        ),
        (&c, vec![("grant_type", "magic")], StatusCode::BAD_REQUEST, "unsupported_grant_type"),
        (&c, vec![("grant_type", "client_credentials"), ("scope", "admin")], StatusCode::BAD_REQUEST, "invalid_scope"),
        (
            &c,
            vec![("grant_type", "client_credentials"), ("scope", "bad\"scope")],
            StatusCode::BAD_REQUEST,
            "invalid_scope",
        ),
        (
            &c,
            vec![("grant_type", "client_credentials"), ("resource", "https://other.example")],
            StatusCode::BAD_REQUEST,
            // RFC 8707 §2.
            "invalid_target",
        ),
        (
            &c,
            vec![("grant_type", "client_credentials"), ("grant_type", "client_credentials")],
            StatusCode::BAD_REQUEST,
            "invalid_request",
        ),
        (&no_cc, vec![("grant_type", "client_credentials")], StatusCode::BAD_REQUEST, "unauthorized_client"),
        (
            &c,
            vec![("grant_type", "refresh_token"), ("refresh_token", "x")],
            StatusCode::BAD_REQUEST,
            "unauthorized_client",
        ),
    ];
    for (who, form, status, error) in cases {
        let (got, _, body) = s.oauth_post("/oauth2/token", who, &form).await;
        assert_eq!((got, body["error"].as_str()), (status, Some(error)), "{form:?}: {body}");
        assert!(body["error_description"].is_string());
    }
    // A public client has no secret and may not use client_credentials.
    let r = reqwest::Client::new()
        .post(format!("{}/oauth2/token", s.base))
        .form(&[("grant_type", "client_credentials"), ("client_id", public.id.as_str())])
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(r.json::<serde_json::Value>().await.expect("json")["error"], "unauthorized_client");
}

#[tokio::test]
async fn token_parameters_in_query_string_rejected() {
    let s = TestServer::start().await;
    let c = s.client(&["client_credentials"], "read", &[], false).await;
    let r = reqwest::Client::new()
        .post(format!("{}/oauth2/token?client_secret=leak", s.base))
        .basic_auth(&c.id, c.secret.as_deref())
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(r.json::<serde_json::Value>().await.expect("json")["error"], "invalid_request");
}

#[tokio::test]
async fn malformed_token_request_is_json_400() {
    let s = TestServer::start().await;
    let c = s.client(&["client_credentials"], "read", &[], false).await;
    for (ct, body) in [("application/json", "{}"), ("application/x-www-form-urlencoded", "%%%")] {
        let r = reqwest::Client::new()
            .post(format!("{}/oauth2/token", s.base))
            .basic_auth(&c.id, c.secret.as_deref())
            .header("content-type", ct)
            .body(body)
            .send()
            .await
            .expect("send");
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{ct}");
        let v: serde_json::Value = r.json().await.expect("json");
        assert_eq!(v["error"], "invalid_request");
    }
}

#[tokio::test]
async fn basic_and_body_client_id_must_agree() {
    // RFC 6749 §2.3: one client, authenticated one way. A body `client_id` naming another
    // client next to Basic credentials is refused, not silently ignored.
    let s = TestServer::start().await;
    let a = s.client(&["client_credentials"], "read", &[], false).await;
    let b = s.client(&["client_credentials"], "read", &[], false).await;
    let form = |id: &str| {
        vec![("grant_type".to_owned(), "client_credentials".to_owned()), ("client_id".to_owned(), id.to_owned())]
    };
    let (status, _, body) = s
        .oauth_post("/oauth2/token", &a, &form(&b.id).iter().map(|(k, v)| (k.as_str(), v.as_str())).collect::<Vec<_>>())
        .await;
    assert_eq!((status, body["error"].as_str()), (reqwest::StatusCode::BAD_REQUEST, Some("invalid_request")), "{body}");
    // Control: the same client named in both places is fine.
    let (status, _, body) = s
        .oauth_post("/oauth2/token", &a, &form(&a.id).iter().map(|(k, v)| (k.as_str(), v.as_str())).collect::<Vec<_>>())
        .await;
    assert_eq!(status, reqwest::StatusCode::OK, "{body}");
    assert_eq!(jwt_parts(body["access_token"].as_str().expect("at")).1["client_id"], a.id);
}

#[tokio::test]
async fn confidential_client_without_stored_secret_never_authenticates() {
    // Only a public client authenticates with its id alone. A confidential client whose row has
    // no secret (damaged data, a half-finished migration) is refused like a wrong secret.
    let s = TestServer::start().await;
    let id = hex::encode(signet_core::secret::random_bytes::<16>());
    s.state
        .store
        .create_client(signet_store::NewClient {
            client_id: &id,
            name: "no secret",
            secret_hash: None,
            is_public: false,
            grant_types: &["client_credentials".to_string()],
            scopes: "read",
            audiences: &[],
            redirect_uris: &[],
            access_token_ttl: None,
            signing_alg: None,
            skip_consent: false,
            post_logout_redirect_uris: &[],
            require_mfa: false,
            pairwise_subjects: false,
            id_token_alg: None,
            logo_uri: None,
            client_uri: None,
            require_organization: false,
            now: s.state.now(),
        })
        .await
        .expect("client");
    let r = reqwest::Client::new()
        .post(format!("{}/oauth2/token", s.base))
        .form(&[("grant_type", "client_credentials"), ("client_id", id.as_str())])
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), reqwest::StatusCode::UNAUTHORIZED);
    let body: serde_json::Value = r.json().await.expect("json");
    assert_eq!(body["error"], "invalid_client");
    // Control: a public client with the same request shape is identified by its id (and then
    // refused the grant it may not use, which proves authentication passed).
    let public = s.client(&["authorization_code"], "read", &[], true).await;
    let r = reqwest::Client::new()
        .post(format!("{}/oauth2/token", s.base))
        .form(&[("grant_type", "client_credentials"), ("client_id", public.id.as_str())])
        .send()
        .await
        .expect("send");
    let body: serde_json::Value = r.json().await.expect("json");
    assert_ne!(body["error"], "invalid_client", "{body}");
}
