//! `GET|POST /oauth2/userinfo`.

use reqwest::StatusCode;

use crate::harness::{authz_query, location_params, pkce, TestServer};

async fn tokens(s: &TestServer, scope: &str) -> serde_json::Value {
    let c = s.code_client("openid email", false, true).await;
    let p = pkce();
    let mut b = s.signed_in("ann@example.com").await;
    let r = b.authorize(&authz_query(&c.id, &p.challenge, &[("scope", scope)])).await;
    let code = location_params(r.location())["code"].clone();
    s.exchange(&c, &code, &p.verifier).await.1
}

#[tokio::test]
async fn userinfo_returns_claims_by_scope() {
    let s = TestServer::start().await;
    let t = tokens(&s, "openid email").await;
    let at = t["access_token"].as_str().expect("at");
    let http = reqwest::Client::new();
    let v: serde_json::Value = http
        .get(format!("{}/oauth2/userinfo", s.base))
        .bearer_auth(at)
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    assert_eq!(v["email"], "ann@example.com");
    assert_eq!(v["email_verified"], false);
    // Form body (RFC 6750 §2.2) works too.
    let r = http.post(format!("{}/oauth2/userinfo", s.base)).form(&[("access_token", at)]).send().await.expect("send");
    assert_eq!(r.status(), StatusCode::OK);
    // Without the email scope, no email.
    let t = tokens(&s, "openid").await;
    let v: serde_json::Value = http
        .get(format!("{}/oauth2/userinfo", s.base))
        .bearer_auth(t["access_token"].as_str().expect("at"))
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    assert!(v.get("email").is_none() && v["sub"].is_string());
}

#[tokio::test]
async fn userinfo_rejects_token_in_query() {
    let s = TestServer::start().await;
    let t = tokens(&s, "openid email").await;
    let at = t["access_token"].as_str().expect("at");
    let r = reqwest::get(format!("{}/oauth2/userinfo?access_token={at}", s.base)).await.expect("send");
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.headers()["www-authenticate"].to_str().expect("s").contains("error=\"invalid_request\""));
    let r = reqwest::get(format!("{}/oauth2/userinfo", s.base)).await.expect("send");
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(r.headers()["www-authenticate"], "Bearer realm=\"signet\"");
}

#[tokio::test]
async fn userinfo_rejects_id_token() {
    let s = TestServer::start().await;
    let t = tokens(&s, "openid email").await;
    let id_token = t["id_token"].as_str().expect("id_token");
    let r = reqwest::Client::new()
        .get(format!("{}/oauth2/userinfo", s.base))
        .bearer_auth(id_token)
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert!(r.headers()["www-authenticate"].to_str().expect("s").contains("error=\"invalid_token\""));
    // A client-credentials token (no user) is not accepted either.
    let cc = s.client(&["client_credentials"], "openid", &[], false).await;
    let at = s.client_credentials(&cc, None).await["access_token"].as_str().expect("at").to_owned();
    let r =
        reqwest::Client::new().get(format!("{}/oauth2/userinfo", s.base)).bearer_auth(&at).send().await.expect("send");
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
}

/// A confidential code client redirecting to `https://{host}/cb`, with pairwise or public subjects.
async fn host_client(s: &TestServer, host: &str, pairwise: bool) -> crate::harness::TestClient {
    let id = hex::encode(signet_core::secret::random_bytes::<16>());
    let secret = signet_core::PlainToken::generate("sgn_cs_");
    s.state
        .store
        .create_client(signet_store::NewClient {
            client_id: &id,
            name: host,
            secret_hash: Some(secret.hash().as_str()),
            is_public: false,
            grant_types: &["authorization_code".to_string()],
            scopes: "openid email",
            audiences: &[],
            redirect_uris: &[format!("https://{host}/cb"), format!("https://{host}/other")],
            access_token_ttl: None,
            signing_alg: None,
            skip_consent: true,
            post_logout_redirect_uris: &[],
            require_mfa: false,
            pairwise_subjects: pairwise,
            id_token_alg: None,
            logo_uri: None,
            client_uri: None,
            require_organization: false,
            now: s.state.now(),
        })
        .await
        .expect("client");
    crate::harness::TestClient { id, secret: Some(secret.expose().to_owned()) }
}

/// The `sub` of the ID token and of userinfo for `email` signing in to `c` at `host`.
async fn subs(s: &TestServer, c: &crate::harness::TestClient, host: &str, email: &str) -> (String, String, String) {
    let p = pkce();
    let redirect = format!("https://{host}/cb");
    let mut b = s.signed_in(email).await;
    let r = b.authorize(&authz_query(&c.id, &p.challenge, &[("redirect_uri", &redirect)])).await;
    let code = location_params(r.location())["code"].clone();
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", redirect.as_str()),
        ("code_verifier", p.verifier.as_str()),
    ];
    let (status, _, t) = s.oauth_post("/oauth2/token", c, &form).await;
    assert_eq!(status, StatusCode::OK, "{t}");
    let (_, id) = crate::harness::jwt_parts(t["id_token"].as_str().expect("id_token"));
    let (_, at) = crate::harness::jwt_parts(t["access_token"].as_str().expect("at"));
    let info: serde_json::Value = reqwest::Client::new()
        .get(format!("{}/oauth2/userinfo", s.base))
        .bearer_auth(t["access_token"].as_str().expect("at"))
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    assert_eq!(info["sub"], id["sub"], "OIDC Core §5.3.2: userinfo sub = ID token sub");
    let str_of = |v: &serde_json::Value| v.as_str().expect("sub").to_owned();
    (str_of(&id["sub"]), str_of(&info["sub"]), str_of(&at["sub"]))
}

#[tokio::test]
async fn sub_is_opaque_and_stable() {
    let s = TestServer::start().await;
    let c = host_client(&s, "app.example.com", false).await;
    let (ann, _, ann_at) = subs(&s, &c, "app.example.com", "ann@example.com").await;
    let (bob, _, _) = subs(&s, &c, "app.example.com", "bob@example.com").await;
    let ann_user = s.user("ann@example.com").await;
    // Not a row number: random, 128 bits, and unrelated to the user's id.
    assert_eq!(ann.len(), 32);
    assert!(ann.chars().all(|c| c.is_ascii_hexdigit()), "{ann}");
    assert_ne!(ann, ann_user.id.to_string());
    assert_ne!(ann, bob);
    assert_eq!(ann, ann_user.subject);
    assert_eq!(ann_at, ann, "public clients' access tokens carry the same subject");
    // Stable: a later sign-in, and another public client, see the same value.
    s.clock.advance(time::Duration::hours(1));
    let other = host_client(&s, "other.example.com", false).await;
    assert_eq!(subs(&s, &c, "app.example.com", "ann@example.com").await.0, ann);
    assert_eq!(subs(&s, &other, "other.example.com", "ann@example.com").await.0, ann);
    // Discovery says which subject types there are.
    let meta = s.metadata().await;
    assert_eq!(meta["subject_types_supported"], serde_json::json!(["public", "pairwise"]));
}

#[tokio::test]
async fn pairwise_sub_differs_per_sector() {
    let s = TestServer::start().await;
    let a = host_client(&s, "a.example", true).await;
    let a2 = host_client(&s, "a.example", true).await; // same sector, another client
    let b = host_client(&s, "b.example", true).await;
    let public = host_client(&s, "c.example", false).await;
    let (sub_a, _, at_a) = subs(&s, &a, "a.example", "ann@example.com").await;
    let (sub_a2, _, _) = subs(&s, &a2, "a.example", "ann@example.com").await;
    let (sub_b, _, _) = subs(&s, &b, "b.example", "ann@example.com").await;
    let (sub_pub, _, _) = subs(&s, &public, "c.example", "ann@example.com").await;
    let (bob_a, _, _) = subs(&s, &a, "a.example", "bob@example.com").await;
    assert_eq!(sub_a, sub_a2, "OIDC Core §8.1: one sector, one subject");
    assert_ne!(sub_a, sub_b, "different sectors cannot correlate the user");
    assert_ne!(sub_a, sub_pub);
    assert_ne!(sub_b, sub_pub);
    assert_ne!(sub_a, bob_a);
    assert_eq!(sub_pub, s.user("ann@example.com").await.subject, "control: a public client sees the public subject");
    // Stable across sign-ins and restarts of the same deployment (derived, not random).
    let again = s.another_instance(|_| {}).await;
    assert_eq!(subs(&again, &a, "a.example", "ann@example.com").await.0, sub_a);
    // Resource servers key users by the public subject (the access token's).
    assert_eq!(at_a, sub_pub);
}
