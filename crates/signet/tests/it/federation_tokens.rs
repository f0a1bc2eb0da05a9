//! The token endpoint's side of upstream sign-in (issue 21): the token vault (RFC 8693
//! exchange, refresh, forgetting), Sign in with Apple's signed client secret, and
//! `private_key_jwt`, against the real upstream of `harness::upstream`.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::federation::{identities, person, signed_in, SLUG};
use crate::harness::upstream::{add_provider, Upstream};
use crate::harness::{run_cli, Browser, TestServer, PASSWORD};

/// A confidential client registered for token exchange, by the CLI.
fn exchange_client(s: &TestServer) -> crate::harness::TestClient {
    let args = [
        "client",
        "create",
        "--name",
        "Calendar",
        "--grant",
        "authorization_code",
        "--grant",
        "token_exchange",
        "--redirect-uri",
        crate::harness::REDIRECT,
        "--scope",
        "openid email",
        "--skip-consent",
        "--json",
    ];
    let (code, out, err) = run_cli(s.dir.path(), &args, "");
    assert_eq!(code, 0, "{out}{err}");
    let v: Value = serde_json::from_str(&out).expect("json");
    crate::harness::TestClient {
        id: v["client_id"].as_str().expect("id").to_owned(),
        secret: v["client_secret"].as_str().map(str::to_owned),
    }
}

/// The vault's setup: an upstream keeping tokens for `client`, a user signed in through it,
/// and that user's Signet access token issued to `client`.
async fn vault_setup() -> (TestServer, Upstream, crate::harness::TestClient, Browser, String) {
    let s = TestServer::start().await;
    let up = Upstream::start(&s, &[SLUG]);
    let c = exchange_client(&s);
    let extra =
        json!({"store_tokens": true, "token_exchange_clients": [c.id], "scopes": "openid email offline_access"});
    add_provider(&s, SLUG, &up.provider("oidc", extra)).await;
    up.next("cal-1", person("cal@example.com", true), None).await;
    let mut b = s.browser();
    assert_eq!(b.upstream_login(&s, SLUG).await.status, StatusCode::SEE_OTHER);
    let p = crate::harness::pkce();
    let r = b.authorize(&crate::harness::authz_query(&c.id, &p.challenge, &[("scope", "openid")])).await;
    let code = crate::harness::location_params(r.location())["code"].clone();
    let (status, tokens) = s.exchange(&c, &code, &p.verifier).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    let at = tokens["access_token"].as_str().expect("access token").to_owned();
    (s, up, c, b, at)
}

async fn trade(s: &TestServer, c: &crate::harness::TestClient, subject: &str, slug: &str) -> (StatusCode, Value) {
    let requested = format!("urn:signet:token-type:upstream:{slug}");
    let form = [
        ("grant_type", "urn:ietf:params:oauth:grant-type:token-exchange"),
        ("subject_token", subject),
        ("subject_token_type", "urn:ietf:params:oauth:token-type:access_token"),
        ("requested_token_type", requested.as_str()),
    ];
    let (status, _, body) = s.oauth_post("/oauth2/token", c, &form).await;
    (status, body)
}

/// The upstream's own userinfo endpoint accepts the token: it is a real upstream token.
async fn upstream_accepts(up: &Upstream, token: &str) -> bool {
    let r = reqwest::Client::new().get(format!("{}/me", up.issuer)).bearer_auth(token).send().await.expect("send");
    r.status() == StatusCode::OK && r.json::<Value>().await.expect("json")["sub"] == "cal-1"
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vault_token_exchange_returns_fresh_upstream_token() {
    let (s, up, c, _b, at) = vault_setup().await;
    let (status, body) = trade(&s, &c, &at, SLUG).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["issued_token_type"], "urn:ietf:params:oauth:token-type:access_token");
    assert_eq!(body["token_type"], "Bearer");
    let first = body["access_token"].as_str().expect("token").to_owned();
    assert!(upstream_accepts(&up, &first).await);
    // Stored encrypted: the database never holds the token in the clear.
    let user = s.user("cal@example.com").await;
    let identity = s.state.store.identities_of(user.id).await.expect("s")[0].id;
    let mut stored = s.state.store.upstream_tokens(identity).await.expect("s").expect("stored");
    assert!(!stored.access.windows(first.len().min(16)).any(|w| w == &first.as_bytes()[..first.len().min(16)]));
    assert!(stored.refresh.is_some(), "a refresh token is kept");
    // Expired: the next exchange refreshes at the upstream and hands out the new token.
    stored.expires_at = Some(s.state.now() - time::Duration::minutes(5));
    s.state.store.put_upstream_tokens(identity, &stored, s.state.now()).await.expect("s");
    let (status, body) = trade(&s, &c, &at, SLUG).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let second = body["access_token"].as_str().expect("token").to_owned();
    assert_ne!(first, second, "refreshed");
    assert!(upstream_accepts(&up, &second).await);
    assert!(body["expires_in"].as_i64().expect("expires_in") > 60);
    assert!(crate::harness::audit_kinds(&s).await.contains(&"upstream_token_exchange".to_owned()));
    // Refusals, each with its RFC 8693 §2.2.2 / RFC 6749 §5.2 code.
    let (status, body) = trade(&s, &c, "not-a-token", SLUG).await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_request")));
    let (status, body) = trade(&s, &c, &at, "nope").await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_target")));
    // Another client, even one registered for the grant, is not on the provider's list.
    let other = exchange_client(&s);
    let (status, body) = trade(&s, &other, &at, SLUG).await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_request")), "not its token");
    let p = crate::harness::pkce();
    let mut b = s.browser();
    up.next("cal-1", person("cal@example.com", true), None).await;
    b.upstream_login(&s, SLUG).await;
    let r = b.authorize(&crate::harness::authz_query(&other.id, &p.challenge, &[("scope", "openid")])).await;
    let code = crate::harness::location_params(r.location())["code"].clone();
    let (_, tokens) = s.exchange(&other, &code, &p.verifier).await;
    let others = tokens["access_token"].as_str().expect("token");
    let (status, body) = trade(&s, &other, others, SLUG).await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("unauthorized_client")));
    assert!(body.get("access_token").is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vault_forgotten_on_unlink() {
    let (s, _up, c, mut b, at) = vault_setup().await;
    assert_eq!(trade(&s, &c, &at, SLUG).await.0, StatusCode::OK);
    let user = s.user("cal@example.com").await;
    let identity = s.state.store.identities_of(user.id).await.expect("s")[0].id;
    assert!(s.state.store.upstream_tokens(identity).await.expect("s").is_some());
    // A password first (the identity is the account's only way in), then unlink.
    let record = s.state.hash_pool.hash(signet_core::Password::new(PASSWORD)).await.expect("hash");
    s.state.store.set_password(user.id, &record, true, s.state.now()).await.expect("password");
    let csrf = b.account_csrf().await;
    let r = b.post_form(&format!("/account/identities/{identity}/unlink"), &[("csrf", &csrf)]).await;
    assert_eq!(r.location(), "/account/identities?notice=identity_unlinked");
    assert!(s.state.store.upstream_tokens(identity).await.expect("s").is_none(), "forgotten");
    let (status, body) = trade(&s, &c, &at, SLUG).await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_grant")));
    assert!(body.get("access_token").is_none());
}

/// Sign in with Apple posts the name once, with the first authorization; Signet keeps it.
/// (Also: `response_mode=form_post`, the ES256 client secret Signet signs, and Apple's string
/// `email_verified: "true"` for a private-relay address, which is a real address.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apple_name_only_on_first_authorization_kept() {
    let s = TestServer::start().await;
    let up = Upstream::start(&s, &["apple"]);
    let extra = json!({
        "issuer": format!("{}/apple", up.issuer), "apple_team_id": "TEAM123", "apple_key_id": "KEY123",
    });
    let pem = up.apple_key().await;
    crate::harness::upstream::add_provider_with_secret(&s, "apple", &up.provider("apple", extra), &pem).await;
    let relay = "x7gq2@privaterelay.appleid.com";
    up.apple_next("001234.abcd", relay, "Ada", "Lovelace").await;
    let mut b = s.browser();
    let r = b.upstream_login(&s, "apple").await;
    let why = crate::harness::db_strings(&s, "SELECT detail FROM audit_log WHERE kind = 'upstream_refused'").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{why:?}");
    assert!(signed_in(&mut b).await);
    let user = s.user(relay).await;
    assert!(user.email_verified(), "the string \"true\" counts");
    assert_eq!(user.profile.name.as_deref(), Some("Ada Lovelace"));
    let apple_issuer = format!("{}/apple", up.issuer);
    let identity = s.state.store.identity("apple", &apple_issuer, "001234.abcd").await.expect("s").expect("linked");
    assert_eq!(identity.name.as_deref(), Some("Ada Lovelace"));
    // The second authorization carries no name: the one kept stays.
    up.apple_next("001234.abcd", relay, "", "").await;
    let mut b = s.browser();
    assert_eq!(b.upstream_login(&s, "apple").await.status, StatusCode::SEE_OTHER);
    assert!(signed_in(&mut b).await);
    let identity = s.state.store.identity("apple", &apple_issuer, "001234.abcd").await.expect("s").expect("linked");
    assert_eq!(identity.name.as_deref(), Some("Ada Lovelace"));
    assert_eq!(s.user(relay).await.profile.name.as_deref(), Some("Ada Lovelace"));
    assert_eq!(crate::harness::db_strings(&s, "SELECT email FROM users").await.len(), 1, "one account");
}

/// `private_key_jwt` (RFC 7523, OIDC Core §9): no secret is shared; Signet signs a client
/// assertion with its own key, which the upstream reads from Signet's JWKS.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn private_key_jwt_client_authentication() {
    let s = TestServer::start().await;
    let extra = json!({"pkjwt_client_id": "signet-pkjwt", "jwks_uri": format!("{}/jwks", s.base)});
    let up = Upstream::start_with(&s, &[SLUG, "wrong"], extra);
    let config = up.provider("oidc", json!({"client_id": "signet-pkjwt", "client_auth": "private_key_jwt"}));
    s.state.store.add_provider(SLUG, &config.to_string(), None, s.state.now()).await.expect("add");
    up.next("pk-1", person("pk@example.com", true), None).await;
    let mut b = s.browser();
    let r = b.upstream_login(&s, SLUG).await;
    let why = crate::harness::db_strings(&s, "SELECT detail FROM audit_log WHERE kind = 'upstream_refused'").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{why:?}");
    assert!(signed_in(&mut b).await);
    assert!(identities(&s, &up, "pk-1").await.is_some());
    // Control: the same client sending a secret instead is refused by the upstream.
    let wrong = up.provider("oidc", json!({"client_id": "signet-pkjwt", "client_auth": "client_secret_basic"}));
    add_provider(&s, "wrong", &wrong).await;
    up.next("pk-2", person("pk2@example.com", true), None).await;
    let mut b = s.browser();
    assert_eq!(b.upstream_login(&s, "wrong").await.status, StatusCode::BAD_GATEWAY);
    assert!(!signed_in(&mut b).await);
}
