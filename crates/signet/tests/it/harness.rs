//! Test harness: a real Signet on 127.0.0.1:0 with a fresh SQLite file per test, a clock the
//! test can move, and a minimal browser (cookie jar, no automatic redirects).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use reqwest::header::{HeaderMap, COOKIE, SET_COOKIE};
use reqwest::StatusCode;
use signet_core::{Clock, OffsetDateTime};
use signet_server::{AppState, Config};
use tempfile::TempDir;
use time::Duration;

/// A clock that only moves when told to.
pub struct TestClock(Mutex<OffsetDateTime>);

impl TestClock {
    pub fn advance(&self, d: Duration) {
        let mut t = self.0.lock().expect("clock lock");
        *t += d;
    }
}

impl Clock for TestClock {
    fn now(&self) -> OffsetDateTime {
        *self.0.lock().expect("clock lock")
    }
}

pub struct TestServer {
    pub base: String,
    pub state: AppState,
    pub clock: Arc<TestClock>,
    pub dir: Arc<TempDir>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

/// Cheap Argon2 for tests that are not about hashing (DESIGN.md); one test keeps the default.
pub fn test_config(dir: &std::path::Path) -> Config {
    let mut c = Config::load("", "test", &[]).expect("default config");
    c.listen = "127.0.0.1:0".into();
    c.issuer = "https://signet.test".into();
    c.data_dir = dir.to_path_buf();
    c.password.memory_kib = 256;
    c.password.iterations = 1;
    c.password.allow_weak_params = true;
    c.rate_limit.auth_requests_per_ip_per_minute = 1000;
    // With SIGNET_TEST_REDIS_URL, every test runs on Redis too, under its own key prefix.
    if let Ok(url) = std::env::var("SIGNET_TEST_REDIS_URL") {
        c.redis_url = Some(url);
        c.redis_prefix = format!("test-{}:", hex::encode(signet_core::secret::random_bytes::<8>()));
    }
    c
}

impl TestServer {
    pub async fn start() -> Self {
        Self::with(|_| {}).await
    }

    pub async fn with(tweak: impl FnOnce(&mut Config)) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut config = test_config(dir.path());
        tweak(&mut config);
        Self::start_in(Arc::new(dir), config).await
    }

    /// A second Signet instance on the same database and secrets (several instances behind one
    /// load balancer), with its own clock.
    pub async fn another_instance(&self, tweak: impl FnOnce(&mut Config)) -> Self {
        let mut config = test_config(self.dir.path());
        // Same deployment: same Redis key namespace.
        config.redis_prefix = self.state.config.redis_prefix.clone();
        tweak(&mut config);
        Self::start_in(self.dir.clone(), config).await
    }

    pub async fn start_in(dir: Arc<TempDir>, config: Config) -> Self {
        let clock = Arc::new(TestClock(Mutex::new(OffsetDateTime::now_utc())));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let mut config = config;
        if config.issuer == "auto" {
            config.issuer = format!("http://127.0.0.1:{}", addr.port());
        }
        let state = signet_server::build_state(config, clock.clone()).await.expect("state");
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let s = state.clone();
        tokio::spawn(async move {
            let _ = signet_server::run(listener, s, async move {
                let _ = rx.await;
            })
            .await;
        });
        Self { base: format!("http://{addr}"), state, clock, dir, stop: Some(tx) }
    }

    pub fn browser(&self) -> Browser {
        Browser::new(&self.base)
    }

    /// Creates an account directly through the store (as `signet user create` does).
    pub async fn create_user(&self, email: &str, password: &str) -> i64 {
        let record = self.state.hash_pool.hash(signet_core::Password::new(password)).await.expect("hash");
        let email = signet_core::Email::parse(email).expect("email");
        let now = self.state.now();
        self.state
            .store
            .create_user(signet_store::NewUser { email: &email, password: Some(&record), is_admin: false, now })
            .await
            .expect("create user")
            .id
    }

    pub async fn user(&self, email: &str) -> signet_store::User {
        let email = signet_core::Email::parse(email).expect("email");
        self.state.store.user_by_email(&email).await.expect("store").expect("user exists")
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
    }
}

/// A response, read whole.
#[derive(Debug)]
pub struct Resp {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
    pub fn location(&self) -> &str {
        self.header("location").unwrap_or("")
    }
    pub fn set_cookies(&self) -> Vec<String> {
        self.headers.get_all(SET_COOKIE).iter().filter_map(|v| v.to_str().ok().map(str::to_owned)).collect()
    }
    /// The hidden CSRF field of the first form on the page.
    pub fn csrf(&self) -> String {
        hidden_field(&self.body, "csrf").unwrap_or_default()
    }
}

pub fn hidden_field(body: &str, name: &str) -> Option<String> {
    let needle = format!("name=\"{name}\" value=\"");
    let start = body.find(&needle)? + needle.len();
    let end = body[start..].find('"')?;
    Some(html_unescape(&body[start..start + end]))
}

/// Undoes the entity escaping a browser would undo when it reads an attribute.
fn html_unescape(s: &str) -> String {
    s.replace("&#x2f;", "/")
        .replace("&#x27;", "'")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// A browser: keeps cookies, follows nothing by itself.
pub struct Browser {
    base: String,
    client: reqwest::Client,
    pub cookies: HashMap<String, String>,
    pub user_agent: String,
    /// Extra headers sent with every request (e.g. `X-Forwarded-For`).
    pub headers: Vec<(String, String)>,
}

impl Browser {
    pub fn new(base: &str) -> Self {
        let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
        Self {
            base: base.to_owned(),
            client,
            cookies: HashMap::new(),
            user_agent: "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0".into(),
            headers: Vec::new(),
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ")
    }

    async fn send(&mut self, req: reqwest::RequestBuilder) -> Resp {
        let mut req = req.header("user-agent", &self.user_agent);
        for (k, v) in &self.headers {
            req = req.header(k.as_str(), v.as_str());
        }
        if !self.cookies.is_empty() {
            req = req.header(COOKIE, self.cookie_header());
        }
        let res = req.send().await.expect("request");
        let status = res.status();
        let headers = res.headers().clone();
        let body = res.text().await.expect("body");
        let resp = Resp { status, headers, body };
        for c in resp.set_cookies() {
            let first = c.split(';').next().unwrap_or("");
            if let Some((k, v)) = first.split_once('=') {
                if v.is_empty() || c.contains("Max-Age=0") {
                    self.cookies.remove(k);
                } else {
                    self.cookies.insert(k.to_owned(), v.to_owned());
                }
            }
        }
        resp
    }

    pub async fn get(&mut self, path: &str) -> Resp {
        let req = self.client.get(format!("{}{path}", self.base));
        self.send(req).await
    }

    pub async fn post_form(&mut self, path: &str, form: &[(&str, &str)]) -> Resp {
        let req = self.client.post(format!("{}{path}", self.base)).form(form);
        self.send(req).await
    }

    pub async fn post_raw(&mut self, path: &str, content_type: &str, body: Vec<u8>) -> Resp {
        let req = self.client.post(format!("{}{path}", self.base)).header("content-type", content_type).body(body);
        self.send(req).await
    }

    /// Loads the login page and submits it.
    pub async fn login(&mut self, email: &str, password: &str) -> Resp {
        let page = self.get("/login").await;
        assert_eq!(page.status, StatusCode::OK);
        let csrf = page.csrf();
        self.post_form("/login", &[("email", email), ("password", password), ("csrf", &csrf), ("return_to", "")]).await
    }

    pub async fn signup(&mut self, email: &str, password: &str) -> Resp {
        let page = self.get("/signup").await;
        let csrf = page.csrf();
        self.post_form("/signup", &[("email", email), ("password", password), ("csrf", &csrf)]).await
    }

    /// The CSRF token of a signed-in page.
    pub async fn account_csrf(&mut self) -> String {
        let page = self.get("/account").await;
        assert_eq!(page.status, StatusCode::OK, "not signed in: {}", page.location());
        page.csrf()
    }

    pub fn session_cookie(&self) -> Option<String> {
        self.cookies.iter().find(|(k, _)| k.ends_with("signet_session")).map(|(_, v)| v.clone())
    }
}

pub const PASSWORD: &str = "correct horse battery staple";

pub async fn audit_kinds(s: &TestServer) -> Vec<String> {
    s.state.store.list_audit(None, 1000).await.expect("audit").into_iter().map(|e| e.kind).collect()
}

/// Reads one text column straight from the test server's SQLite file.
pub async fn db_strings(s: &TestServer, sql: &str) -> Vec<String> {
    use sqlx::Row;
    let url = format!("sqlite://{}", s.dir.path().join("signet.db").display());
    let pool = sqlx::SqlitePool::connect(&url).await.expect("open db");
    let rows = sqlx::query(sql).fetch_all(&pool).await.expect("query");
    rows.iter().map(|r| r.try_get::<String, _>(0).expect("text column")).collect()
}

pub fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// The `signet` binary under test, with a cheap Argon2 config and `data_dir`.
pub fn signet_cmd(data_dir: &std::path::Path) -> std::process::Command {
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_signet"));
    c.env("SIGNET_DATA_DIR", data_dir)
        .env("SIGNET_PASSWORD__MEMORY_KIB", "256")
        .env("SIGNET_PASSWORD__ITERATIONS", "1")
        .env("SIGNET_PASSWORD__ALLOW_WEAK_PARAMS", "true")
        .env_remove("SIGNET_CONFIG")
        .env_remove("SIGNET_LISTEN")
        .env_remove("SIGNET_ISSUER");
    c
}

/// Runs `signet ARGS` with `stdin`, returning (exit code, stdout, stderr).
pub fn run_cli(data_dir: &std::path::Path, args: &[&str], stdin: &str) -> (i32, String, String) {
    use std::io::Write;
    let mut child = signet_cmd(data_dir)
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn signet");
    if let Some(mut i) = child.stdin.take() {
        i.write_all(stdin.as_bytes()).expect("stdin");
    }
    let out = child.wait_with_output().expect("wait");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

/// A registered client: id and (for confidential clients) secret.
pub struct TestClient {
    pub id: String,
    pub secret: Option<String>,
}

impl TestServer {
    /// Registers a client through the store, as `signet client create` does.
    pub async fn client(&self, grants: &[&str], scope: &str, audiences: &[&str], public: bool) -> TestClient {
        use base64::Engine;
        let id = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(signet_core::secret::random_bytes::<16>());
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
            Some(now),
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
        use base64::Engine;
        let id = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(signet_core::secret::random_bytes::<16>());
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
                audiences: &["https://api.example.com".to_string()],
                redirect_uris: &uris,
                access_token_ttl: None,
                signing_alg: None,
                skip_consent,
                post_logout_redirect_uris: &["https://app.example.com/bye".to_string()],
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

/// A real redis-server from the Debian package, on a free loopback port, for this test only.
pub struct RedisServer {
    pub url: String,
    port: u16,
    child: Option<std::process::Child>,
}

impl RedisServer {
    pub fn start() -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port();
        let mut r = Self { url: format!("redis://127.0.0.1:{port}/0"), port, child: None };
        r.spawn();
        r
    }

    fn spawn(&mut self) {
        let child = std::process::Command::new("redis-server")
            .args(["--port", &self.port.to_string(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("redis-server must be installed (apt-get install redis-server); scripts/test-all installs it");
        self.child = Some(child);
        for _ in 0..200 {
            if std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        panic_free_fail("redis-server did not start");
    }

    /// Stops Redis (to test failure behaviour).
    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.stop();
    }
}

fn panic_free_fail(msg: &str) {
    assert!(msg.is_empty(), "{msg}");
}
