//! `signet-loadgen`: drives one workload against an OAuth server at fixed concurrency for a
//! fixed time, after a warm-up that is not measured, and prints one JSON line of results.
//! Endpoints come from the server's discovery document, so Signet and the peer are driven
//! the same way.
//!
//! The single-request workloads (cc, introspect, jwks, refresh) go through [`Conn`]: one
//! keep-alive HTTP/1.1 connection per worker on hyper directly. Through reqwest the load
//! generator needed more CPU than Signet (1.05 cores against 0.83 for JWKS on 2 cores), so it
//! measured itself; the browser-like workloads (cookies, redirects) keep reqwest.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use clap::Parser;
use rand_core::{OsRng, RngCore};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

#[derive(Parser, Clone)]
struct Args {
    /// cc | introspect | jwks | refresh | authcode | login | seed-refresh | json
    #[arg(long)]
    workload: String,
    #[arg(long)]
    base: String,
    #[arg(long, default_value_t = 32)]
    concurrency: usize,
    #[arg(long, default_value_t = 10)]
    duration: u64,
    #[arg(long, default_value_t = 2)]
    warmup: u64,
    #[arg(long, default_value = "")]
    client_id: String,
    #[arg(long, default_value = "")]
    client_secret: String,
    /// Introspecting client (resource server).
    #[arg(long, default_value = "")]
    rs_id: String,
    #[arg(long, default_value = "")]
    rs_secret: String,
    #[arg(long)]
    resource: Option<String>,
    /// json: the path POSTed to, with `Authorization: Bearer <token>`.
    #[arg(long, default_value = "")]
    path: String,
    /// json: a file of request bodies, one JSON document per line, taken in turn.
    #[arg(long, default_value = "")]
    bodies_file: String,
    /// The token to introspect.
    #[arg(long, default_value = "")]
    token: String,
    /// refresh: a file of refresh tokens, one chain per line. seed-refresh: where to write them.
    #[arg(long, default_value = "")]
    tokens_file: String,
    #[arg(long, default_value = "")]
    email: String,
    #[arg(long, default_value = "")]
    password: String,
    #[arg(long, default_value = "https://app.example.com/cb")]
    redirect_uri: String,
    /// The server is the peer: no Signet login form; its session comes from the first
    /// authorization request, whose interaction the peer finishes at once (bench/peer).
    #[arg(long)]
    peer: bool,
    /// seed-refresh: a `prompt` for the authorization requests (the peer grants
    /// `offline_access` only with `prompt=consent`, OpenID Connect Core §11).
    #[arg(long)]
    seed_prompt: Option<String>,
}

struct Endpoints {
    token: String,
    introspect: String,
    jwks: String,
    discovery: String,
    authorize: String,
}

/// The path and query of an absolute URL (requests on a [`Conn`] name only those).
fn path_of(u: &str) -> String {
    url::Url::parse(u).map(|u| u[url::Position::BeforePath..].to_owned()).unwrap_or_else(|_| "/".into())
}

/// One keep-alive HTTP/1.1 connection, driven by hyper's low-level client.
struct Conn {
    tx: hyper::client::conn::http1::SendRequest<http_body_util::Full<hyper::body::Bytes>>,
    host: String,
}

impl Conn {
    async fn open(base: &str) -> anyhow::Result<Self> {
        let u = url::Url::parse(base)?;
        let host = format!("{}:{}", u.host_str().context("host")?, u.port_or_known_default().context("port")?);
        let stream = tokio::net::TcpStream::connect(&host).await?;
        stream.set_nodelay(true)?;
        let (tx, conn) = hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream)).await?;
        tokio::spawn(conn);
        Ok(Self { tx, host })
    }

    /// Sends one request and reads the whole answer: (status, body).
    async fn send(
        &mut self,
        path: &str,
        auth: Option<&str>,
        form: Option<String>,
    ) -> anyhow::Result<(u16, hyper::body::Bytes)> {
        self.send_as(path, auth, form, "application/x-www-form-urlencoded").await
    }

    /// [`Conn::send`] with another body type.
    async fn send_as(
        &mut self,
        path: &str,
        auth: Option<&str>,
        form: Option<String>,
        content_type: &str,
    ) -> anyhow::Result<(u16, hyper::body::Bytes)> {
        use http_body_util::BodyExt;
        use hyper::header;
        self.tx.ready().await?;
        let mut req = hyper::Request::builder().uri(path).header(header::HOST, &self.host);
        if let Some(a) = auth {
            req = req.header(header::AUTHORIZATION, a);
        }
        let body = match form {
            Some(f) => {
                req = req.method("POST").header(header::CONTENT_TYPE, content_type);
                hyper::body::Bytes::from(f)
            }
            None => hyper::body::Bytes::new(),
        };
        let res = self.tx.send_request(req.body(http_body_util::Full::new(body))?).await?;
        let status = res.status().as_u16();
        Ok((status, res.into_body().collect().await?.to_bytes()))
    }
}

fn form(pairs: &[(&str, &str)]) -> String {
    let mut s = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        s.append_pair(k, v);
    }
    s.finish()
}

fn basic(id: &str, secret: &str) -> String {
    format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}")))
}

/// A minimal cookie jar: enough for a login session and CSRF cookie.
#[derive(Default, Clone)]
struct Jar(Vec<(String, String)>);

impl Jar {
    fn absorb(&mut self, r: &reqwest::Response) {
        for v in r.headers().get_all("set-cookie") {
            let Some((k, rest)) = v.to_str().ok().and_then(|s| s.split(';').next()).and_then(|kv| kv.split_once('='))
            else {
                continue;
            };
            self.0.retain(|(n, _)| n != k);
            if !rest.is_empty() {
                self.0.push((k.to_owned(), rest.to_owned()));
            }
        }
    }
    fn header(&self) -> String {
        self.0.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ")
    }
}

fn hidden(html: &str, name: &str) -> Option<String> {
    let needle = format!("name=\"{name}\" value=\"");
    let start = html.find(&needle)? + needle.len();
    let end = html[start..].find('"')?;
    Some(html[start..start + end].replace("&#x2f;", "/").replace("&amp;", "&"))
}

fn query_param(location: &str, name: &str) -> Option<String> {
    url::Url::parse(location).ok()?.query_pairs().find(|(k, _)| k == name).map(|(_, v)| v.into_owned())
}

/// A signed-in browser session (Signet's login form).
async fn login(http: &reqwest::Client, base: &str, email: &str, password: &str) -> anyhow::Result<Jar> {
    let mut jar = Jar::default();
    let r = http.get(format!("{base}/login")).send().await?;
    jar.absorb(&r);
    let csrf = hidden(&r.text().await?, "csrf").context("no csrf on login page")?;
    let r = http
        .post(format!("{base}/login"))
        .header("cookie", jar.header())
        .form(&[("email", email), ("password", password), ("csrf", csrf.as_str())])
        .send()
        .await?;
    if r.status() != 303 {
        bail!("login failed: {}", r.status());
    }
    jar.absorb(&r);
    Ok(jar)
}

/// One authorization code + PKCE round trip for a signed-in session (consent skipped). Redirects
/// other than the one to the client are followed with the jar (the peer's interaction, once).
async fn code_round_trip(
    http: &reqwest::Client,
    a: &Args,
    e: &Endpoints,
    jar: &mut Jar,
    scope: &str,
    prompt: Option<&str>,
) -> anyhow::Result<Value> {
    let mut v = [0u8; 32];
    OsRng.fill_bytes(&mut v);
    let verifier = URL_SAFE_NO_PAD.encode(v);
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    let mut url = url::Url::parse(&e.authorize)?;
    url.query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", &a.client_id)
        .append_pair("redirect_uri", &a.redirect_uri)
        .append_pair("scope", scope)
        .append_pair("state", "s")
        .append_pair("code_challenge", &challenge)
        .append_pair("code_challenge_method", "S256");
    if let Some(p) = prompt {
        url.query_pairs_mut().append_pair("prompt", p);
    }
    let mut hops = 0;
    let (r, loc) = loop {
        let r = http.get(url.clone()).header("cookie", jar.header()).send().await?;
        jar.absorb(&r);
        let loc = r.headers().get("location").and_then(|l| l.to_str().ok()).unwrap_or("").to_owned();
        hops += 1;
        if loc.is_empty() || loc.starts_with(&a.redirect_uri) || hops > 8 {
            break (r, loc);
        }
        url = url.join(&loc)?;
    };
    let code = query_param(&loc, "code").with_context(|| format!("no code in {loc:?} ({})", r.status()))?;
    let r = http
        .post(&e.token)
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", a.redirect_uri.as_str()),
            ("code_verifier", verifier.as_str()),
            ("client_id", a.client_id.as_str()),
        ])
        .send()
        .await?;
    if !r.status().is_success() {
        bail!("token: {}", r.status());
    }
    Ok(r.json().await?)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let a = Args::parse();
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(a.concurrency * 2)
        .build()?;
    let base = a.base.trim_end_matches('/').to_owned();
    let discovery = format!("{base}/.well-known/openid-configuration");
    let meta: Value = http.get(&discovery).send().await?.json().await.context("discovery")?;
    let s = |k: &str| meta[k].as_str().unwrap_or("").to_owned();
    let e = Arc::new(Endpoints {
        token: s("token_endpoint"),
        introspect: s("introspection_endpoint"),
        jwks: s("jwks_uri"),
        discovery,
        authorize: s("authorization_endpoint"),
    });

    if a.workload == "seed-refresh" {
        // One refresh chain per worker, each from a real authorization code flow.
        let mut jar = if a.peer { Jar::default() } else { login(&http, &base, &a.email, &a.password).await? };
        let mut out = String::new();
        // No `openid`: the peer would sign an ID token on every refresh, Signet does not (OpenID
        // Connect Core §12.2 allows either), so the chains are plain OAuth grants on both.
        for _ in 0..a.concurrency {
            let t = code_round_trip(&http, &a, &e, &mut jar, "offline_access", a.seed_prompt.as_deref()).await?;
            out.push_str(t["refresh_token"].as_str().context("no refresh token")?);
            out.push('\n');
        }
        std::fs::write(&a.tokens_file, out)?;
        return Ok(());
    }

    let bodies: Arc<Vec<String>> = Arc::new(if a.workload == "json" {
        std::fs::read_to_string(&a.bodies_file)?.lines().filter(|l| !l.is_empty()).map(str::to_owned).collect()
    } else {
        Vec::new()
    });
    let chains: Vec<String> = if a.workload == "refresh" {
        std::fs::read_to_string(&a.tokens_file)?.lines().map(str::to_owned).collect()
    } else {
        Vec::new()
    };
    let jar = match a.workload.as_str() {
        "authcode" if a.peer => {
            // The first round trip signs in and records the grant; later ones skip both.
            let mut jar = Jar::default();
            code_round_trip(&http, &a, &e, &mut jar, "openid", None).await.context("peer sign-in")?;
            Some(jar)
        }
        "authcode" => Some(login(&http, &base, &a.email, &a.password).await?),
        _ => None,
    };

    let start = Instant::now();
    let warm_end = start + Duration::from_secs(a.warmup);
    let end = warm_end + Duration::from_secs(a.duration);
    let mut tasks = Vec::new();
    for w in 0..a.concurrency {
        let (http, a, e, mut jar, bodies) = (http.clone(), a.clone(), e.clone(), jar.clone(), bodies.clone());
        let mut chain = chains.get(w).cloned();
        let base = base.clone();
        tasks.push(tokio::spawn(async move {
            let mut conn: Option<Conn> = None;
            let (token_path, introspect_path) = (path_of(&e.token), path_of(&e.introspect));
            let (jwks_path, discovery_path) = (path_of(&e.jwks), path_of(&e.discovery));
            let cc_auth = basic(&a.client_id, &a.client_secret);
            let rs_auth = basic(&a.rs_id, &a.rs_secret);
            let mut lat: Vec<u32> = Vec::new();
            let (mut ok, mut err) = (0u64, 0u64);
            let mut login_jar: Option<(Jar, String)> = None;
            let mut i = 0u64;
            loop {
                let t0 = Instant::now();
                if t0 >= end {
                    break;
                }
                i += 1;
                if conn.is_none() && matches!(a.workload.as_str(), "cc" | "introspect" | "jwks" | "refresh" | "json") {
                    conn = Conn::open(&base).await.ok();
                }
                let result: anyhow::Result<bool> = async {
                    Ok(match a.workload.as_str() {
                        "cc" => {
                            let c = conn.as_mut().context("no connection")?;
                            let mut f = vec![("grant_type", "client_credentials"), ("scope", "read")];
                            if let Some(r) = &a.resource {
                                f.push(("resource", r.as_str()));
                            }
                            c.send(&token_path, Some(&cc_auth), Some(form(&f))).await?.0 == 200
                        }
                        "introspect" => {
                            let c = conn.as_mut().context("no connection")?;
                            let (status, body) =
                                c.send(&introspect_path, Some(&rs_auth), Some(form(&[("token", &a.token)]))).await?;
                            status == 200 && serde_json::from_slice::<Value>(&body)?["active"] == true
                        }
                        "json" => {
                            let c = conn.as_mut().context("no connection")?;
                            let body =
                                bodies.get((w * 7919 + i as usize) % bodies.len().max(1)).context("no bodies")?;
                            let auth = format!("Bearer {}", a.token);
                            let (status, _) =
                                c.send_as(&a.path, Some(&auth), Some(body.clone()), "application/json").await?;
                            status == 200
                        }
                        "jwks" => {
                            let c = conn.as_mut().context("no connection")?;
                            let path = if i.is_multiple_of(2) { &jwks_path } else { &discovery_path };
                            c.send(path, None, None).await?.0 == 200
                        }
                        "refresh" => {
                            let c = conn.as_mut().context("no connection")?;
                            let Some(token) = chain.clone() else { bail!("no chain") };
                            let f = form(&[
                                ("grant_type", "refresh_token"),
                                ("refresh_token", token.as_str()),
                                ("client_id", a.client_id.as_str()),
                            ]);
                            let (status, body) = c.send(&token_path, None, Some(f)).await?;
                            if status != 200 {
                                false
                            } else {
                                let v: Value = serde_json::from_slice(&body)?;
                                chain = v["refresh_token"].as_str().map(str::to_owned);
                                true
                            }
                        }
                        "authcode" => {
                            let jar = jar.as_mut().context("no session")?;
                            code_round_trip(&http, &a, &e, jar, "openid", None).await.is_ok()
                        }
                        "login" => {
                            if login_jar.is_none() {
                                let mut j = Jar::default();
                                let r = http.get(format!("{}/login", a.base)).send().await?;
                                j.absorb(&r);
                                let csrf = hidden(&r.text().await?, "csrf").context("csrf")?;
                                login_jar = Some((j, csrf));
                            }
                            let (j, csrf) = login_jar.as_ref().context("jar")?;
                            let r = http
                                .post(format!("{}/login", a.base))
                                .header("cookie", j.header())
                                .form(&[
                                    ("email", a.email.as_str()),
                                    ("password", a.password.as_str()),
                                    ("csrf", csrf.as_str()),
                                ])
                                .send()
                                .await?;
                            r.status() == 303
                        }
                        other => bail!("unknown workload {other}"),
                    })
                }
                .await;
                if result.is_err() {
                    // A broken connection is replaced before the next request.
                    conn = None;
                }
                let t1 = Instant::now();
                if t0 >= warm_end {
                    match result {
                        Ok(true) => {
                            ok += 1;
                            lat.push((t1 - t0).as_micros().min(u32::MAX as u128) as u32);
                        }
                        _ => err += 1,
                    }
                }
            }
            (lat, ok, err)
        }));
    }
    let (mut lat, mut ok, mut err) = (Vec::new(), 0u64, 0u64);
    for t in tasks {
        let (l, o, e) = t.await?;
        lat.extend(l);
        ok += o;
        err += e;
    }
    lat.sort_unstable();
    let pct = |p: f64| {
        lat.get(((lat.len() as f64 * p) as usize).min(lat.len().saturating_sub(1)))
            .map(|u| *u as f64 / 1000.0)
            .unwrap_or(0.0)
    };
    let secs = a.duration as f64;
    println!(
        "{}",
        json!({
            "workload": a.workload, "concurrency": a.concurrency, "duration_s": a.duration,
            "ok": ok, "errors": err, "rps": (ok as f64 / secs * 10.0).round() / 10.0,
            "p50_ms": pct(0.50), "p99_ms": pct(0.99),
        })
    );
    Ok(())
}
