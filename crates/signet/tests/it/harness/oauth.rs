//! OAuth test helpers: clients, token-endpoint calls, PKCE, and a browser-driven
//! authorization-code flow.

use reqwest::header::HeaderMap;
use reqwest::StatusCode;

use super::{hidden_field, urlencode, Browser, Resp, TestServer, PASSWORD};

/// A registered client: id and (for confidential clients) secret.
pub struct TestClient {
    pub id: String,
    pub secret: Option<String>,
}

impl TestServer {
    /// Registers a client through the store, as `signet client create` does.
    pub async fn client(&self, grants: &[&str], scope: &str, audiences: &[&str], public: bool) -> TestClient {
        self.client_mfa(grants, scope, audiences, public, false).await
    }

    /// [`Self::client`] with the "MFA required" policy set as given.
    pub async fn client_mfa(
        &self,
        grants: &[&str],
        scope: &str,
        audiences: &[&str],
        public: bool,
        require_mfa: bool,
    ) -> TestClient {
        // Hex, as `signet client create` makes them (an id starting with "-" reads as a CLI option).
        let id = hex::encode(signet_core::secret::random_bytes::<16>());
        let secret = (!public).then(|| signet_core::PlainToken::generate("sgn_cs_"));
        let hash = secret.as_ref().map(|s| s.hash());
        let grants: Vec<String> = grants.iter().map(|g| g.to_string()).collect();
        let auds: Vec<String> = audiences.iter().map(|a| a.to_string()).collect();
        self.state
            .store
            .create_client(signet_store::NewClient {
                client_id: &id,
                name: "test client",
                secret_hash: hash.as_ref().map(|h| h.as_str()),
                is_public: public,
                grant_types: &grants,
                scopes: scope,
                audiences: &auds,
                redirect_uris: &[],
                access_token_ttl: None,
                signing_alg: None,
                skip_consent: false,
                post_logout_redirect_uris: &[],
                require_mfa,
                pairwise_subjects: false,
                id_token_alg: None,
                logo_uri: None,
                client_uri: None,
                require_organization: false,
                now: self.state.now(),
            })
            .await
            .expect("create client");
        TestClient { id, secret: secret.map(|s| s.expose().to_owned()) }
    }

    /// POSTs a form to an OAuth endpoint with HTTP Basic client authentication.
    pub async fn oauth_post(
        &self,
        path: &str,
        c: &TestClient,
        form: &[(&str, &str)],
    ) -> (reqwest::StatusCode, HeaderMap, serde_json::Value) {
        let mut req = reqwest::Client::new().post(format!("{}{path}", self.base)).form(form);
        if let Some(secret) = &c.secret {
            req = req.basic_auth(urlencode(&c.id), Some(urlencode(secret)));
        }
        let r = req.send().await.expect("send");
        let status = r.status();
        let headers = r.headers().clone();
        let text = r.text().await.expect("body");
        let json = serde_json::from_str(&text).unwrap_or(serde_json::Value::Null);
        (status, headers, json)
    }

    pub async fn client_credentials(&self, c: &TestClient, scope: Option<&str>) -> serde_json::Value {
        let mut form = vec![("grant_type", "client_credentials")];
        if let Some(s) = scope {
            form.push(("scope", s));
        }
        let (status, _, body) = self.oauth_post("/oauth2/token", c, &form).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body
    }

    /// Starts a refresh-token family through the token service (the grants that create one
    /// arrive with the authorization endpoint).
    pub async fn refresh_family(&self, c: &TestClient, user_id: Option<i64>, scope: &str) -> String {
        let scope = signet_core::Scope::parse(scope).expect("scope");
        let now = self.state.now();
        signet_server::tokens::refresh::start_family(
            &self.state,
            &c.id,
            user_id,
            &scope,
            "https://api.example.com",
            Some(&signet_server::tokens::UserAuth { time: now, amr: signet_core::mfa::Amr::password(), tenant: None }),
            now,
        )
        .await
        .expect("family")
        .1
        .expose()
        .to_owned()
    }

    pub async fn refresh(
        &self,
        c: &TestClient,
        token: &str,
        scope: Option<&str>,
    ) -> (reqwest::StatusCode, serde_json::Value) {
        let mut form = vec![("grant_type", "refresh_token"), ("refresh_token", token)];
        if let Some(s) = scope {
            form.push(("scope", s));
        }
        let (status, _, body) = self.oauth_post("/oauth2/token", c, &form).await;
        (status, body)
    }

    pub async fn introspect(&self, c: &TestClient, token: &str) -> serde_json::Value {
        let (status, _, body) = self.oauth_post("/oauth2/introspect", c, &[("token", token)]).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body
    }
}

/// Decodes a JWT's header and payload without verifying (for inspecting what we issued).
pub fn jwt_parts(token: &str) -> (serde_json::Value, serde_json::Value) {
    use base64::Engine;
    let mut it = token.split('.');
    let mut dec = || {
        let part = it.next().expect("part");
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(part).expect("b64");
        serde_json::from_slice(&bytes).expect("json")
    };
    (dec(), dec())
}

/// A PKCE verifier and its S256 challenge.
pub struct Pkce {
    pub verifier: String,
    pub challenge: String,
}

pub fn pkce() -> Pkce {
    use base64::Engine;
    use sha2::Digest;
    let verifier = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(signet_core::secret::random_bytes::<32>());
    let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(verifier.as_bytes()));
    Pkce { verifier, challenge }
}

pub const REDIRECT: &str = "https://app.example.com/cb";

impl TestServer {
    /// A client for the authorization code flow, redirecting to [`REDIRECT`] (and a native
    /// loopback URI).
    pub async fn code_client(&self, scope: &str, public: bool, skip_consent: bool) -> TestClient {
        self.code_client_with(scope, public, skip_consent, false).await
    }

    /// [`Self::code_client`] with the per-client "MFA required" policy.
    pub async fn code_client_with(
        &self,
        scope: &str,
        public: bool,
        skip_consent: bool,
        require_mfa: bool,
    ) -> TestClient {
        self.code_client_for(scope, public, skip_consent, require_mfa, "https://api.example.com").await
    }

    /// [`Self::code_client_with`] for another audience.
    pub async fn code_client_for(
        &self,
        scope: &str,
        public: bool,
        skip_consent: bool,
        require_mfa: bool,
        audience: &str,
    ) -> TestClient {
        // Hex, as `signet client create` makes them (an id starting with "-" reads as a CLI option).
        let id = hex::encode(signet_core::secret::random_bytes::<16>());
        let secret = (!public).then(|| signet_core::PlainToken::generate("sgn_cs_"));
        let hash = secret.as_ref().map(|s| s.hash());
        let grants = vec!["authorization_code".to_string(), "refresh_token".to_string()];
        let uris = vec![REDIRECT.to_string(), "http://127.0.0.1/native".to_string()];
        self.state
            .store
            .create_client(signet_store::NewClient {
                client_id: &id,
                name: "Example App",
                secret_hash: hash.as_ref().map(|h| h.as_str()),
                is_public: public,
                grant_types: &grants,
                scopes: scope,
                audiences: &[audience.to_string()],
                redirect_uris: &uris,
                access_token_ttl: None,
                signing_alg: None,
                skip_consent,
                post_logout_redirect_uris: &["https://app.example.com/bye".to_string()],
                require_mfa,
                pairwise_subjects: false,
                id_token_alg: None,
                logo_uri: None,
                client_uri: None,
                require_organization: false,
                now: self.state.now(),
            })
            .await
            .expect("create client");
        TestClient { id, secret: secret.map(|s| s.expose().to_owned()) }
    }
}

/// Query string for an authorization request with sensible defaults; `extra` overrides them.
pub fn authz_query(client_id: &str, challenge: &str, extra: &[(&str, &str)]) -> String {
    let mut params: Vec<(String, String)> = vec![
        ("response_type".into(), "code".into()),
        ("client_id".into(), client_id.into()),
        ("redirect_uri".into(), REDIRECT.into()),
        ("scope".into(), "openid email".into()),
        ("state".into(), "st-123".into()),
        ("nonce".into(), "n-456".into()),
        ("code_challenge".into(), challenge.into()),
        ("code_challenge_method".into(), "S256".into()),
    ];
    for (k, v) in extra {
        params.retain(|(pk, _)| pk != k);
        if !v.is_empty() {
            params.push(((*k).into(), (*v).into()));
        }
    }
    let mut s = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in &params {
        s.append_pair(k, v);
    }
    s.finish()
}

/// The query parameters of a redirect `Location`.
pub fn location_params(location: &str) -> std::collections::HashMap<String, String> {
    url::Url::parse(location).map(|u| u.query_pairs().into_owned().collect()).unwrap_or_default()
}

impl Browser {
    /// Follows same-site redirects (login → continue → consent) until the response is a page
    /// or a redirect to the client; returns that response.
    pub async fn follow(&mut self, mut r: Resp) -> Resp {
        for _ in 0..10 {
            if !r.status.is_redirection() || !r.location().starts_with('/') {
                return r;
            }
            let to = r.location().to_owned();
            r = self.get(&to).await;
        }
        r
    }

    /// GET, then [`Browser::follow`].
    pub async fn get_follow(&mut self, path: &str) -> Resp {
        let r = self.get(path).await;
        self.follow(r).await
    }

    /// Runs an authorization request to its end for a signed-in browser, approving consent
    /// if asked. Returns the final redirect to the client.
    pub async fn authorize(&mut self, query: &str) -> Resp {
        let r = self.get(&format!("/oauth2/authorize?{query}")).await;
        let r = self.follow(r).await;
        if r.status == StatusCode::OK && r.body.contains("action=\"/oauth2/consent\"") {
            let csrf = r.csrf();
            let req = hidden_field(&r.body, "req").expect("req");
            return self.post_form("/oauth2/consent", &[("csrf", &csrf), ("req", &req), ("decision", "allow")]).await;
        }
        r
    }
}

impl TestServer {
    /// A code for `scope` from a signed-in browser of `email` (consent given if asked), and the
    /// PKCE pair it was requested with.
    pub async fn code_for(&self, c: &TestClient, email: &str, scope: &str) -> (String, Pkce) {
        let p = pkce();
        let mut b = self.signed_in(email).await;
        let r = b.authorize(&authz_query(&c.id, &p.challenge, &[("scope", scope)])).await;
        (location_params(r.location())["code"].clone(), p)
    }

    /// Exchanges a code at the token endpoint.
    pub async fn exchange(&self, c: &TestClient, code: &str, verifier: &str) -> (StatusCode, serde_json::Value) {
        let form = [
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", verifier),
        ];
        let (status, _, body) = if c.secret.is_some() {
            self.oauth_post("/oauth2/token", c, &form).await
        } else {
            let mut f = form.to_vec();
            f.push(("client_id", &c.id));
            let r =
                reqwest::Client::new().post(format!("{}/oauth2/token", self.base)).form(&f).send().await.expect("send");
            let st = r.status();
            let h = r.headers().clone();
            (st, h, r.json().await.unwrap_or(serde_json::Value::Null))
        };
        (status, body)
    }

    /// A signed-in browser for `email`.
    pub async fn signed_in(&self, email: &str) -> Browser {
        if self
            .state
            .store
            .user_by_email(&signet_core::Email::parse(email).expect("email"))
            .await
            .expect("store")
            .is_none()
        {
            self.create_user(email, PASSWORD).await;
        }
        let mut b = self.browser();
        assert_eq!(b.login(email, PASSWORD).await.status, StatusCode::SEE_OTHER);
        b
    }
}

/// An access and a refresh token a user holds through a code-flow client.
pub struct UserTokens {
    pub client: TestClient,
    pub access: String,
    pub refresh: String,
}

impl TestServer {
    /// The discovery document (`/.well-known/openid-configuration`).
    pub async fn metadata(&self) -> serde_json::Value {
        let url = format!("{}/.well-known/openid-configuration", self.base);
        reqwest::get(url).await.expect("metadata").json().await.expect("json")
    }

    /// Signs `email` in (creating the account if needed), runs a code flow with refresh for a
    /// fresh first-party client, and returns the tokens.
    pub async fn user_tokens(&self, email: &str) -> UserTokens {
        let client = self.code_client("openid offline_access", false, true).await;
        let (code, p) = self.code_for(&client, email, "openid offline_access").await;
        let (status, body) = self.exchange(&client, &code, &p.verifier).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let s = |k: &str| body[k].as_str().expect(k).to_owned();
        UserTokens { access: s("access_token"), refresh: s("refresh_token"), client }
    }

    /// The access token is inactive at introspection and the refresh token is refused.
    pub async fn assert_tokens_dead(&self, t: &UserTokens) {
        assert_eq!(self.introspect(&t.client, &t.access).await, serde_json::json!({"active": false}));
        let (status, body) = self.refresh(&t.client, &t.refresh, None).await;
        assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_grant")), "{body}");
    }

    /// The control: both tokens still work.
    pub async fn assert_tokens_live(&self, t: &UserTokens) {
        assert_eq!(self.introspect(&t.client, &t.access).await["active"], true);
        assert_eq!(self.refresh(&t.client, &t.refresh, None).await.0, StatusCode::OK);
    }
}
