//! A real upstream identity provider for the federation tests: node-oidc-provider (npm, in
//! interop/upstream, installed by scripts/test-all) on a free loopback port, with a fixture of
//! GitHub's OAuth 2 endpoints under `/gh/`. The test names who signs in there next, and can
//! make the next ID token lie (`interop/upstream/server.mjs`).

use std::io::BufRead;
use std::path::PathBuf;

use reqwest::StatusCode;
use serde_json::{json, Value};

use super::{Browser, Resp, TestServer};

pub const CLIENT_ID: &str = "signet-at-upstream";
pub const CLIENT_SECRET: &str = "upstream-secret-0123456789abcdef0123456789abcdef";

pub struct Upstream {
    pub issuer: String,
    child: std::process::Child,
    http: reqwest::Client,
}

impl Drop for Upstream {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn node() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../interop/upstream/node_modules/.bin/node"))
}

impl Upstream {
    /// Starts the upstream with a client for Signet's callbacks of `slugs`.
    pub fn start(s: &TestServer, slugs: &[&str]) -> Self {
        Self::start_with(s, slugs, json!({}))
    }

    /// [`Upstream::start`] with more settings (`interop/upstream/server.mjs`).
    pub fn start_with(s: &TestServer, slugs: &[&str], extra: Value) -> Self {
        let redirect_uris: Vec<String> =
            slugs.iter().map(|slug| format!("{}/login/idp/{slug}/callback", s.state.config.issuer_base())).collect();
        let mut config =
            json!({"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "redirect_uris": redirect_uris});
        for (k, v) in extra.as_object().into_iter().flatten() {
            config[k] = v.clone();
        }
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../../interop/upstream/server.mjs");
        let mut child = std::process::Command::new(node())
            .arg(script)
            .env("UPSTREAM", config.to_string())
            .stdout(std::process::Stdio::piped())
            .stderr(if std::env::var("UPSTREAM_DEBUG").is_ok() {
                std::process::Stdio::inherit()
            } else {
                std::process::Stdio::null()
            })
            .spawn()
            .unwrap_or_else(|e| {
                unreachable!(
                    "{}: {e}; run `bash scripts/test-all --deps-only` (it installs interop/upstream)",
                    node().display()
                )
            });
        let stdout = child.stdout.take().expect("stdout");
        let mut reader = std::io::BufReader::new(stdout);
        let mut line = String::new();
        reader.read_line(&mut line).expect("upstream output");
        // Whatever it prints later is read and dropped: a closed pipe would kill it (EPIPE).
        std::thread::spawn(move || std::io::copy(&mut reader, &mut std::io::sink()));
        let issuer = serde_json::from_str::<Value>(&line)
            .ok()
            .and_then(|v| v["issuer"].as_str().map(str::to_owned))
            .unwrap_or_else(|| unreachable!("the upstream did not start: {line:?}"));
        Self { issuer, child, http: reqwest::Client::new() }
    }

    async fn control(&self, path: &str, body: Value) {
        let r = self.http.post(format!("{}/_test/{path}", self.issuer)).json(&body).send().await.expect("control");
        assert_eq!(r.status(), StatusCode::OK);
    }

    /// The next sign-in at the upstream is `sub` with these ID-token claims (and these
    /// userinfo claims over them, if given).
    pub async fn next(&self, sub: &str, claims: Value, userinfo: Option<Value>) {
        self.control("next", json!({"sub": sub, "claims": claims, "userinfo": userinfo})).await;
    }

    /// The next ID token is re-signed with `claims` changed, or with a key not in the JWKS.
    pub async fn tamper(&self, claims: Value, other_key: bool) {
        self.control("tamper", json!({"claims": claims, "other_key": other_key})).await;
    }

    pub async fn github_next(&self, user: Value, emails: Value) {
        self.control("github-next", json!({"user": user, "emails": emails})).await;
    }

    /// The next sign-in at the Sign in with Apple fixture (`/apple/`).
    pub async fn apple_next(&self, sub: &str, email: &str, first: &str, last: &str) {
        let name = json!({"firstName": first, "lastName": last});
        self.control("apple-next", json!({"sub": sub, "email": email, "name": name})).await;
    }

    /// The Apple developer key (PKCS#8 PEM) the fixture checks client secrets against.
    pub async fn apple_key(&self) -> String {
        let r = self.http.get(format!("{}/_test/apple-key", self.issuer)).send().await.expect("key");
        r.json::<Value>().await.expect("json")["pem"].as_str().expect("pem").to_owned()
    }

    pub async fn set_down(&self, down: bool) {
        self.control("down", json!({"down": down})).await;
    }

    /// A provider's settings for this upstream, as `signet idp add` stores them.
    pub fn provider(&self, preset: &str, extra: Value) -> Value {
        let mut c = json!({"preset": preset, "client_id": CLIENT_ID, "display_name": "Upstream"});
        if preset == "github" {
            c["authorization_endpoint"] = json!(format!("{}/gh/login/oauth/authorize", self.issuer));
            c["token_endpoint"] = json!(format!("{}/gh/login/oauth/access_token", self.issuer));
            c["api_base"] = json!(format!("{}/gh/api", self.issuer));
        } else {
            c["issuer"] = json!(self.issuer);
        }
        for (k, v) in extra.as_object().into_iter().flatten() {
            c[k] = v.clone();
        }
        c
    }
}

/// Adds a provider through the store, its secret sealed as the CLI seals it.
pub async fn add_provider(s: &TestServer, slug: &str, config: &Value) {
    add_provider_with_secret(s, slug, config, CLIENT_SECRET).await;
}

pub async fn add_provider_with_secret(s: &TestServer, slug: &str, config: &Value, secret: &str) {
    let secret =
        signet_server::kek::seal(&s.state.secrets.kek, &signet_server::upstream::secret_aad(slug), secret.as_bytes())
            .expect("seal");
    s.state.store.add_provider(slug, &config.to_string(), Some(&secret), s.state.now()).await.expect("add provider");
}

impl Browser {
    /// Clicks the provider's button on the login page, goes through the upstream (its own
    /// cookies), and returns Signet's answer to the callback.
    pub async fn upstream_login(&mut self, s: &TestServer, slug: &str) -> Resp {
        let page = self.get("/login").await;
        let csrf = page.csrf();
        let r = self.post_form(&format!("/login/idp/{slug}"), &[("csrf", &csrf), ("return_to", "")]).await;
        self.through_upstream(s, r).await
    }

    /// From Signet's redirect to the upstream, through the upstream, back to Signet.
    pub async fn through_upstream(&mut self, s: &TestServer, r: Resp) -> Resp {
        assert_eq!(r.status, StatusCode::SEE_OTHER, "to the upstream: {}", r.body);
        let signet = s.state.config.issuer_base().to_owned();
        let to = r.location().to_owned();
        let origin = url::Url::parse(&to).expect("upstream url").origin().ascii_serialization();
        let mut up = Browser::new(&origin);
        let mut next = to.strip_prefix(&origin).expect("upstream path").to_owned();
        for _ in 0..10 {
            let r = up.get(&next).await;
            let loc = r.location().to_owned();
            if r.status.is_redirection() && loc.starts_with(&signet) {
                return self.get(loc.strip_prefix(&signet).expect("signet path")).await;
            }
            if r.status.is_redirection() {
                next = loc.strip_prefix(&origin).map(str::to_owned).unwrap_or(loc);
                continue;
            }
            // `response_mode=form_post`: a page that posts the answer back to Signet.
            if let Some(action) = form_action(&r.body).filter(|a| a.starts_with(&signet)) {
                let fields = hidden_inputs(&r.body);
                let form: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
                return self.post_form(action.strip_prefix(&signet).expect("signet path"), &form).await;
            }
            return r;
        }
        unreachable!("the upstream kept redirecting")
    }
}

fn unescape(v: &str) -> String {
    v.replace("&quot;", "\"").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
}

fn form_action(body: &str) -> Option<String> {
    let at = body.find("<form")?;
    let rest = &body[at..];
    let start = rest.find("action=\"")? + 8;
    let end = rest[start..].find('"')?;
    Some(unescape(&rest[start..start + end]))
}

fn hidden_inputs(body: &str) -> Vec<(String, String)> {
    body.split("<input")
        .skip(1)
        .filter_map(|i| {
            let attr = |name: &str| {
                let start = i.find(&format!("{name}=\""))? + name.len() + 2;
                let end = i[start..].find('"')?;
                Some(unescape(&i[start..start + end]))
            };
            Some((attr("name")?, attr("value")?))
        })
        .collect()
}
