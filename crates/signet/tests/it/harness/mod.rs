//! Test harness: a real Signet on 127.0.0.1:0 with a fresh SQLite file per test (or, with
//! `SIGNET_TEST_DATABASE_URL`, a fresh PostgreSQL schema per test), a clock the test can move,
//! and a minimal browser (cookie jar, no automatic redirects).

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

/// Cheap Argon2 for tests that are not about hashing; one test keeps the default.
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

/// With `SIGNET_TEST_DATABASE_URL` (a PostgreSQL server), a new schema for one test, so tests
/// stay parallel; its URL is also left in `dir` for the CLI ([`signet_cmd`]). `None` (SQLite
/// in `dir`) otherwise.
pub async fn test_database(dir: &std::path::Path) -> Option<String> {
    let base = std::env::var("SIGNET_TEST_DATABASE_URL").ok()?;
    let url = new_pg_schema(&base).await;
    std::fs::write(dir.join(DB_URL_FILE), &url).expect("write database url");
    Some(url)
}

const DB_URL_FILE: &str = "test-database-url";

/// Creates a fresh schema on the PostgreSQL server at `base` and returns a URL whose
/// connections use it.
pub async fn new_pg_schema(base: &str) -> String {
    use sqlx::Connection;
    let schema = format!("t_{}", hex::encode(signet_core::secret::random_bytes::<8>()));
    let mut conn = sqlx::PgConnection::connect(base).await.expect("connect to SIGNET_TEST_DATABASE_URL");
    sqlx::query(&format!("CREATE SCHEMA {schema}")).execute(&mut conn).await.expect("create schema");
    let _ = conn.close().await;
    let sep = if base.contains('?') { '&' } else { '?' };
    format!("{base}{sep}options=-c%20search_path%3D{schema}")
}

impl TestServer {
    pub async fn start() -> Self {
        Self::with(|_| {}).await
    }

    pub async fn with(tweak: impl FnOnce(&mut Config)) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut config = test_config(dir.path());
        config.database_url = test_database(dir.path()).await;
        tweak(&mut config);
        Self::start_in(Arc::new(dir), config).await
    }

    /// A second Signet instance on the same database and secrets (several instances behind one
    /// load balancer). It shares this instance's clock, as NTP-synced hosts would: with clocks
    /// frozen at different start times, one instance's fresh token would be "not yet valid" at
    /// another started a second earlier.
    pub async fn another_instance(&self, tweak: impl FnOnce(&mut Config)) -> Self {
        let mut config = test_config(self.dir.path());
        // Same deployment: same database and Redis key namespace.
        config.database_url = self.state.config.database_url.clone();
        config.redis_prefix = self.state.config.redis_prefix.clone();
        tweak(&mut config);
        Self::start_with_clock(self.dir.clone(), config, self.clock.clone()).await
    }

    pub async fn start_in(dir: Arc<TempDir>, config: Config) -> Self {
        Self::start_with_clock(dir, config, Arc::new(TestClock(Mutex::new(OffsetDateTime::now_utc())))).await
    }

    async fn start_with_clock(dir: Arc<TempDir>, config: Config, clock: Arc<TestClock>) -> Self {
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

    /// A script's call to the JSON API: `method`, JSON body, CSRF token in `X-CSRF-Token`.
    pub async fn call(
        &mut self,
        method: reqwest::Method,
        path: &str,
        csrf: &str,
        body: Option<&serde_json::Value>,
    ) -> (StatusCode, serde_json::Value) {
        let mut req = self.client.request(method, format!("{}{path}", self.base)).header("x-csrf-token", csrf);
        if let Some(b) = body {
            req = req.header("content-type", "application/json").body(b.to_string());
        }
        let r = self.send(req).await;
        (r.status, serde_json::from_str(&r.body).unwrap_or(serde_json::Value::Null))
    }

    /// `method` with an empty body (PUT and DELETE of the JSON API).
    pub async fn method(&mut self, method: reqwest::Method, path: &str) -> Resp {
        let req = self.client.request(method, format!("{}{path}", self.base));
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

    /// A `fetch` from a page script: JSON body, CSRF token in `X-CSRF-Token`.
    pub async fn post_json(
        &mut self,
        path: &str,
        csrf: &str,
        body: &serde_json::Value,
    ) -> (StatusCode, serde_json::Value) {
        self.headers.push(("x-csrf-token".into(), csrf.to_owned()));
        let r = self.post_raw(path, "application/json", body.to_string().into_bytes()).await;
        self.headers.pop();
        (r.status, serde_json::from_str(&r.body).unwrap_or(serde_json::Value::Null))
    }

    pub fn session_cookie(&self) -> Option<String> {
        self.cookies.iter().find(|(k, _)| k.ends_with("signet_session")).map(|(_, v)| v.clone())
    }
}

pub const PASSWORD: &str = "correct horse battery staple";

pub async fn audit_kinds(s: &TestServer) -> Vec<String> {
    s.state.store.list_audit(None, 1000).await.expect("audit").into_iter().map(|e| e.kind).collect()
}

/// Reads one column straight from the test server's database (SQLite file or PostgreSQL
/// schema): text as it is, binary as hex.
pub async fn db_strings(s: &TestServer, sql: &str) -> Vec<String> {
    fn col<R: sqlx::Row>(r: &R) -> String
    where
        usize: sqlx::ColumnIndex<R>,
        for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
        for<'a> Vec<u8>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    {
        r.try_get::<String, _>(0).unwrap_or_else(|_| hex::encode(r.try_get::<Vec<u8>, _>(0).expect("text or blob")))
    }
    match &s.state.config.database_url {
        Some(url) if url.starts_with("postgres") => {
            let pool = sqlx::PgPool::connect(url).await.expect("open db");
            sqlx::query(sql).fetch_all(&pool).await.expect("query").iter().map(col).collect()
        }
        _ => {
            let url = format!("sqlite://{}", s.dir.path().join("signet.db").display());
            let pool = sqlx::SqlitePool::connect(&url).await.expect("open db");
            sqlx::query(sql).fetch_all(&pool).await.expect("query").iter().map(col).collect()
        }
    }
}

pub fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// The `signet` binary under test, with a cheap Argon2 config and `data_dir`.
pub fn signet_cmd(data_dir: &std::path::Path) -> std::process::Command {
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_signet"));
    // The same database as the test's servers (see `test_database`).
    match std::fs::read_to_string(data_dir.join(DB_URL_FILE)) {
        Ok(url) => c.env("SIGNET_DATABASE_URL", url),
        Err(_) => c.env_remove("SIGNET_DATABASE_URL"),
    };
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

pub mod authenticator;
pub mod inbox;
mod oauth;
mod postgres_server;
mod redis_server;
mod smtp_server;
pub mod upstream;

pub use oauth::*;
pub use postgres_server::*;
pub use redis_server::*;
pub use smtp_server::*;
