//! `GET|POST /oauth2/logout` (OIDC RP-Initiated Logout 1.0).

use reqwest::StatusCode;

use crate::harness::{authz_query, location_params, pkce, TestServer};

async fn id_token(s: &TestServer, c: &crate::harness::TestClient, b: &mut crate::harness::Browser) -> String {
    let p = pkce();
    let r = b.authorize(&authz_query(&c.id, &p.challenge, &[])).await;
    let code = location_params(r.location())["code"].clone();
    s.exchange(c, &code, &p.verifier).await.1["id_token"].as_str().expect("id_token").to_owned()
}

#[tokio::test]
async fn end_session_requires_registered_post_logout_uri() {
    let s = TestServer::start().await;
    let c = s.code_client("openid", false, true).await;
    let mut b = s.signed_in("ann@example.com").await;
    let hint = id_token(&s, &c, &mut b).await;
    for (uri, who) in [
        ("https://evil.example/bye", "client_id"),
        ("https://app.example.com/bye/x", "client_id"),
        ("https://app.example.com/bye", "nobody"),
    ] {
        let mut q = url::form_urlencoded::Serializer::new(String::new());
        q.append_pair("post_logout_redirect_uri", uri);
        if who == "client_id" {
            q.append_pair("client_id", &c.id);
        }
        let r = b.get(&format!("/oauth2/logout?{}", q.finish())).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{uri}");
        assert!(r.location().is_empty(), "never redirect to an unregistered URI");
    }
    assert_eq!(b.get("/account").await.status, StatusCode::OK, "still signed in after refused requests");
    // Registered URI and a valid hint: signed out and sent back with state.
    let mut q = url::form_urlencoded::Serializer::new(String::new());
    q.append_pair("id_token_hint", &hint)
        .append_pair("post_logout_redirect_uri", "https://app.example.com/bye")
        .append_pair("state", "s1");
    let r = b.get(&format!("/oauth2/logout?{}", q.finish())).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location(), "https://app.example.com/bye?state=s1");
    assert_eq!(b.get("/account").await.status, StatusCode::SEE_OTHER, "session ended");
}

#[tokio::test]
async fn end_session_without_hint_asks_first() {
    let s = TestServer::start().await;
    let c = s.code_client("openid", false, true).await;
    let mut b = s.signed_in("ann@example.com").await;
    let r = b
        .get(&format!("/oauth2/logout?client_id={}&post_logout_redirect_uri=https%3A%2F%2Fapp.example.com%2Fbye", c.id))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("Sign out of Signet?"));
    assert_eq!(b.get("/account").await.status, StatusCode::OK, "nothing happened without confirmation");
    // A forged confirmation is refused.
    let bad = b.post_form("/oauth2/logout/confirm", &[("csrf", "forged")]).await;
    assert_eq!(bad.status, StatusCode::FORBIDDEN);
    assert!(bad.set_cookies().is_empty(), "no cookie cleared: {:?}", bad.set_cookies());
    assert_eq!(b.get("/account").await.status, StatusCode::OK, "a refused confirmation signs nobody out");
    assert!(!crate::harness::audit_kinds(&s).await.contains(&"logout".to_string()));
    let page = b
        .get(&format!("/oauth2/logout?client_id={}&post_logout_redirect_uri=https%3A%2F%2Fapp.example.com%2Fbye", c.id))
        .await;
    let uri = crate::harness::hidden_field(&page.body, "post_logout_redirect_uri").expect("uri");
    let r = b
        .post_form(
            "/oauth2/logout/confirm",
            &[("csrf", &page.csrf()), ("client_id", &c.id), ("post_logout_redirect_uri", &uri)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location(), "https://app.example.com/bye");
    assert_eq!(b.get("/account").await.status, StatusCode::SEE_OTHER);
    // A hint of another user does not silently sign this one out.
    let mut other = s.signed_in("bob@example.com").await;
    let hint = id_token(&s, &c, &mut b_fresh(&s).await).await;
    let r = other.get(&format!("/oauth2/logout?id_token_hint={hint}")).await;
    assert!(r.body.contains("Sign out of Signet?"));
}

async fn b_fresh(s: &TestServer) -> crate::harness::Browser {
    s.signed_in("carol@example.com").await
}
