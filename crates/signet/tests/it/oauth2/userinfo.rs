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
