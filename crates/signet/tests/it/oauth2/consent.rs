//! `POST /oauth2/consent`: the answer to a consent page. Only the session the page was shown to
//! may answer it, and the answer never skips what `/oauth2/authorize` demanded first (a fresh
//! login, `max_age`, `acr_values`, the client's MFA policy).

use reqwest::StatusCode;
use time::Duration;

use crate::harness::{
    authz_query, db_strings, hidden_field, jwt_parts, location_params, pkce, Browser, Resp, TestServer,
};

/// The pending request id inside a redirect to the login or security page.
fn req_in(location: &str) -> String {
    let url = url::Url::parse(&format!("https://x{location}")).expect("url");
    let return_to = url.query_pairs().find(|(k, _)| k == "return_to").expect("return_to").1.into_owned();
    let inner = url::Url::parse(&format!("https://x{return_to}")).expect("inner");
    let req = inner.query_pairs().find(|(k, _)| k == "req").expect("req").1.into_owned();
    req
}

async fn count(s: &TestServer, table: &str) -> i64 {
    db_strings(s, &format!("SELECT CAST(COUNT(*) AS TEXT) FROM {table}")).await[0].parse().expect("count")
}

/// Starts `query` in `b`, which is sent elsewhere first (login, step-up, set-up), then posts
/// "allow" to the consent endpoint with the pending id from that redirect, as an attacker
/// who skips the step would.
async fn skip_to_consent(b: &mut Browser, query: &str, expect_prefix: &str) -> Resp {
    let r = b.get(&format!("/oauth2/authorize?{query}")).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert!(r.location().starts_with(expect_prefix), "{}", r.location());
    let req = req_in(r.location());
    let csrf = b.account_csrf().await;
    b.post_form("/oauth2/consent", &[("csrf", &csrf), ("req", &req), ("decision", "allow")]).await
}

/// The refusal: 403, no code to the client, no code or consent stored.
async fn assert_refused(s: &TestServer, r: &Resp) {
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.location());
    assert!(!r.location().contains("code="), "{}", r.location());
    assert!(r.body.contains("not started in this browser session"), "{}", r.body);
    assert_eq!(count(s, "authorization_codes").await, 0, "no code was stored");
    assert_eq!(count(s, "consents").await, 0, "no consent was stored");
}

#[tokio::test]
async fn consent_post_cannot_skip_required_mfa() {
    let s = TestServer::start().await;
    let strict = s.code_client_with("openid", false, false, true).await;
    let p = pkce();
    let mut b = s.signed_in("ann@example.com").await;
    // Password only, and the client requires two factors: the flow sends the user to set one
    // up. Answering the consent endpoint instead gets no code.
    let r = skip_to_consent(&mut b, &authz_query(&strict.id, &p.challenge, &[]), "/account/security?").await;
    assert_refused(&s, &r).await;
    // Control: a client without the policy gets its code through the same consent endpoint.
    let c = s.code_client("openid", false, false).await;
    let r = b.authorize(&authz_query(&c.id, &p.challenge, &[])).await;
    assert!(location_params(r.location()).contains_key("code"), "{}", r.location());
}

#[tokio::test]
async fn consent_post_cannot_skip_acr_values() {
    let s = TestServer::start().await;
    let c = s.code_client("openid", false, false).await;
    let p = pkce();
    let mut b = s.signed_in("ann@example.com").await;
    let q = authz_query(&c.id, &p.challenge, &[("acr_values", "urn:signet:acr:mfa")]);
    let r = skip_to_consent(&mut b, &q, "/account/security?").await;
    assert_refused(&s, &r).await;
    // Control: without acr_values the same browser consents and gets a code.
    let r = b.authorize(&authz_query(&c.id, &p.challenge, &[])).await;
    assert!(location_params(r.location()).contains_key("code"), "{}", r.location());
}

#[tokio::test]
async fn consent_post_cannot_skip_prompt_login() {
    let s = TestServer::start().await;
    let c = s.code_client("openid", false, false).await;
    let p = pkce();
    let mut b = s.signed_in("ann@example.com").await;
    s.clock.advance(Duration::minutes(5));
    let q = authz_query(&c.id, &p.challenge, &[("prompt", "login")]);
    let r = skip_to_consent(&mut b, &q, "/login?").await;
    assert_refused(&s, &r).await;
    // Control: signing in again as asked leads to the consent page, and the code's ID token
    // carries the new sign-in's time.
    let r = b.get(&format!("/oauth2/authorize?{q}")).await;
    let login = b.get(r.location()).await;
    let return_to = hidden_field(&login.body, "return_to").expect("return_to");
    let r = b
        .post_form(
            "/login",
            &[
                ("email", "ann@example.com"),
                ("password", crate::harness::PASSWORD),
                ("csrf", &login.csrf()),
                ("return_to", &return_to),
            ],
        )
        .await;
    let r = b.follow(r).await;
    let req = hidden_field(&r.body, "req").expect("consent page");
    let r = b.post_form("/oauth2/consent", &[("csrf", &r.csrf()), ("req", &req), ("decision", "allow")]).await;
    let code = location_params(r.location()).get("code").cloned().expect("code");
    let (_, body) = s.exchange(&c, &code, &p.verifier).await;
    let (_, id) = jwt_parts(body["id_token"].as_str().expect("id_token"));
    assert_eq!(id["auth_time"], s.state.now().unix_timestamp(), "a fresh sign-in");
}

#[tokio::test]
async fn consent_post_cannot_skip_max_age() {
    let s = TestServer::start().await;
    let c = s.code_client("openid", false, false).await;
    let p = pkce();
    let mut b = s.signed_in("ann@example.com").await;
    s.clock.advance(Duration::minutes(10));
    let q = authz_query(&c.id, &p.challenge, &[("max_age", "60")]);
    let r = skip_to_consent(&mut b, &q, "/login?").await;
    assert_refused(&s, &r).await;
    // Control: a max_age the session meets goes straight to the consent page and a code.
    let r = b.authorize(&authz_query(&c.id, &p.challenge, &[("max_age", "3600")])).await;
    assert!(location_params(r.location()).contains_key("code"), "{}", r.location());
}

#[tokio::test]
async fn pending_request_bound_to_session() {
    let s = TestServer::start().await;
    let c = s.code_client("openid", false, false).await;
    let p = pkce();
    let mut ann = s.signed_in("ann@example.com").await;
    let page = ann.get_follow(&format!("/oauth2/authorize?{}", authz_query(&c.id, &p.challenge, &[]))).await;
    let req = hidden_field(&page.body, "req").expect("consent page");
    // Another user, and the same user in another browser, cannot answer Ann's consent page.
    for email in ["mallory@example.com", "ann@example.com"] {
        let mut other = s.signed_in(email).await;
        let csrf = other.account_csrf().await;
        for decision in ["allow", "deny"] {
            let r = other.post_form("/oauth2/consent", &[("csrf", &csrf), ("req", &req), ("decision", decision)]).await;
            assert_refused(&s, &r).await;
        }
    }
    // Control: Ann's own answer still works, once.
    let r = ann.post_form("/oauth2/consent", &[("csrf", &page.csrf()), ("req", &req), ("decision", "allow")]).await;
    assert!(location_params(r.location()).contains_key("code"), "{}", r.location());
    assert_eq!(count(&s, "consents").await, 1);
}
