//! Several instances sharing one database (and, where named, one Redis): everything behaves as
//! one server. These run on SQLite (instances sharing the file) and, in the PostgreSQL pass of
//! the suite (`SIGNET_TEST_DATABASE_URL`), on PostgreSQL; the fault tests start their own
//! PostgreSQL or Redis.

use std::time::{Duration as StdDuration, Instant};

use reqwest::StatusCode;

use crate::harness::{
    authz_query, db_strings, location_params, new_pg_schema, pkce, run_cli, signet_cmd, PostgresServer, RedisServer,
    TestClient, TestServer, PASSWORD,
};

async fn three_instances(tweak: fn(&mut signet_server::Config)) -> (TestServer, TestServer, TestServer) {
    let a = TestServer::with(tweak).await;
    let b = a.another_instance(tweak).await;
    let c = a.another_instance(tweak).await;
    (a, b, c)
}

#[tokio::test]
async fn refresh_rotated_on_a_reused_on_b_revokes_family() {
    let a = TestServer::with(|c| c.tokens.refresh_grace = time::Duration::ZERO).await;
    let b = a.another_instance(|c| c.tokens.refresh_grace = time::Duration::ZERO).await;
    let c = a.client(&["refresh_token"], "read", &[], false).await;
    let t0 = a.refresh_family(&c, None, "read").await;
    let (status, body) = a.refresh(&c, &t0, None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let t1 = body["refresh_token"].as_str().expect("t1").to_owned();
    // The old token replayed at another instance is reuse: the family dies everywhere.
    let (status, body) = b.refresh(&c, &t0, None).await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_grant")));
    let (status, _) = a.refresh(&c, &t1, None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "the legitimate latest token is revoked with its family");
    assert!(crate::harness::audit_kinds(&b).await.iter().any(|k| k == "refresh_token_reuse_detected"));
}

/// Sends `token` to the token endpoint `n` times at once, spread over `servers`.
async fn concurrent_refreshes(
    servers: &[&TestServer],
    c: &TestClient,
    token: &str,
    n: usize,
) -> Vec<serde_json::Value> {
    let mut tasks = tokio::task::JoinSet::new();
    // All requests are built and connected, then released together: on the multi-thread
    // runtime they really overlap, not just at await points.
    let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(n));
    for i in 0..n {
        let base = servers[i % servers.len()].base.clone();
        let (id, secret, token) = (c.id.clone(), c.secret.clone().unwrap_or_default(), token.to_owned());
        let barrier = barrier.clone();
        tasks.spawn(async move {
            let req = reqwest::Client::new()
                .post(format!("{base}/oauth2/token"))
                .basic_auth(id, Some(secret))
                .form(&[("grant_type", "refresh_token"), ("refresh_token", token.as_str())]);
            barrier.wait().await;
            let r = req.send().await.expect("send");
            let status = r.status();
            let mut body: serde_json::Value = r.json().await.expect("json");
            body["status"] = status.as_u16().into();
            body
        });
    }
    let mut out = Vec::new();
    while let Some(r) = tasks.join_next().await {
        out.push(r.expect("task"));
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_refresh_across_instances_single_winner() {
    // No grace window: exactly one of 50 simultaneous uses may rotate the token.
    let (a, b, c3) = three_instances(|c| c.tokens.refresh_grace = time::Duration::ZERO).await;
    let c = a.client(&["refresh_token"], "read", &[], false).await;
    let t0 = a.refresh_family(&c, None, "read").await;
    let results = concurrent_refreshes(&[&a, &b, &c3], &c, &t0, 50).await;
    let winners = results.iter().filter(|r| r["status"] == 200).count();
    assert_eq!(winners, 1, "exactly one rotation wins: {results:?}");
    for r in results.iter().filter(|r| r["status"] != 200) {
        assert_eq!((r["status"].as_u64(), r["error"].as_str()), (Some(400), Some("invalid_grant")), "{r}");
    }
    // Never forked: the family holds the original and exactly one successor.
    let tokens = db_strings(&a, "SELECT token_hash FROM refresh_tokens").await;
    assert_eq!(tokens.len(), 2, "one successor, never two");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_refresh_retries_leave_one_live_token() {
    // With the grace window (a client retrying a lost response), simultaneous uses are retries:
    // each replaces the unseen successor, and in the end exactly one token of the family lives.
    let (a, b, c3) = three_instances(|_| {}).await;
    let c = a.client(&["refresh_token"], "read", &[], false).await;
    let t0 = a.refresh_family(&c, None, "read").await;
    let results = concurrent_refreshes(&[&a, &b, &c3], &c, &t0, 30).await;
    assert!(results.iter().all(|r| r["status"] == 200), "retries within grace all succeed: {results:?}");
    let live = db_strings(&a, "SELECT token_hash FROM refresh_tokens WHERE used_at IS NULL").await;
    assert_eq!(live.len(), 1, "exactly one live token");
    let revoked = db_strings(&a, "SELECT client_id FROM refresh_families WHERE revoked_at IS NOT NULL").await;
    assert!(revoked.is_empty(), "a retry is not reuse");
    let issued: Vec<String> = results
        .iter()
        .map(|r| {
            signet_core::PlainToken::from_client(r["refresh_token"].as_str().unwrap_or("")).hash().as_str().to_owned()
        })
        .collect();
    assert!(issued.contains(&live[0]), "the live token is one that was handed out");
}

#[tokio::test]
async fn revocation_visible_on_other_instance_within_1s() {
    let redis = RedisServer::start();
    let url = redis.url.clone();
    let a = TestServer::with(|c| c.redis_url = Some(url.clone())).await;
    let b = a.another_instance(|c| c.redis_url = Some(redis.url.clone())).await;
    let c = a.client(&["client_credentials"], "read", &[], false).await;
    let at = a.client_credentials(&c, None).await["access_token"].as_str().expect("at").to_owned();
    assert_eq!(b.introspect(&c, &at).await["active"], true, "same keys, same database");
    let (status, _, _) = a.oauth_post("/oauth2/revoke", &c, &[("token", &at)]).await;
    assert_eq!(status, StatusCode::OK);
    // The denylist is shared: the very next introspection at B already sees it, although B had
    // just checked (and cached the signature of) the same token.
    assert_eq!(b.introspect(&c, &at).await, serde_json::json!({"active": false}));
    // It is in Redis, not in A's memory: B reads the flag itself.
    let jti = crate::harness::jwt_parts(&at).1["jti"].as_str().expect("jti").to_owned();
    let key = signet_server::tokens::access::denylist_key(&jti);
    assert!(b.state.ephemeral.has_flag(&key, b.state.now()).await.expect("redis"));
    // Control: another token of the same client stays active at B.
    let other = a.client_credentials(&c, None).await["access_token"].as_str().expect("at").to_owned();
    assert_eq!(b.introspect(&c, &other).await["active"], true);
}

#[tokio::test]
async fn key_rotation_propagates_to_all_instances() {
    let (a, b, c3) = three_instances(|_| {}).await;
    let jwks = |s: &TestServer| {
        let url = format!("{}/jwks", s.base);
        async move { reqwest::get(url).await.expect("jwks").text().await.expect("body") }
    };
    let before = jwks(&a).await;
    assert_eq!(before, jwks(&b).await);
    // Rotate with the CLI, a separate process: no instance is told.
    let (code, out, err) = run_cli(a.dir.path(), &["keys", "rotate"], "");
    assert_eq!(code, 0, "{out}{err}");
    let started = Instant::now();
    loop {
        let docs = [jwks(&a).await, jwks(&b).await, jwks(&c3).await];
        if docs.iter().all(|d| *d != before) {
            assert!(docs.iter().all(|d| *d == docs[0]), "every instance serves the same JWKS");
            break;
        }
        assert!(started.elapsed() < StdDuration::from_secs(6), "instances picked up the rotation in time");
        tokio::time::sleep(StdDuration::from_millis(200)).await;
    }
    // And every instance signs with the new current key, which the others can verify.
    let client = a.client(&["client_credentials"], "read", &[], false).await;
    let kids: Vec<String> = {
        let mut v = Vec::new();
        for s in [&a, &b, &c3] {
            let at = s.client_credentials(&client, None).await["access_token"].as_str().expect("at").to_owned();
            assert_eq!(a.introspect(&client, &at).await["active"], true);
            v.push(crate::harness::jwt_parts(&at).0["kid"].as_str().expect("kid").to_owned());
        }
        v
    };
    assert!(kids.iter().all(|k| *k == kids[0]), "{kids:?}");
    let before: serde_json::Value = serde_json::from_str(&before).expect("json");
    let old_kids: Vec<&str> =
        before["keys"].as_array().expect("keys").iter().filter_map(|k| k["kid"].as_str()).collect();
    assert!(old_kids.contains(&kids[0].as_str()), "the pre-published `next` key became current");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn scheduled_rotation_by_racing_instances_rotates_once() {
    let (a, b, c3) = three_instances(|_| {}).await;
    let store = a.state.store.as_ref();
    let keys_before = store.list_keys().await.expect("keys").len();
    let period = time::Duration::days(30);
    let publish = signet_server::key_publish_time(&a.state.config);
    let later = a.state.now() + period + time::Duration::hours(1);
    // All three find the key due at once (as their housekeeping would) and race to rotate.
    let (r1, r2, r3) = tokio::join!(
        a.state.keys.rotate_due(a.state.store.as_ref(), later, period, publish),
        b.state.keys.rotate_due(b.state.store.as_ref(), later, period, publish),
        c3.state.keys.rotate_due(c3.state.store.as_ref(), later, period, publish),
    );
    r1.expect("a");
    r2.expect("b");
    r3.expect("c");
    let keys = store.list_keys().await.expect("keys");
    // Two algorithms (ES256 access tokens, RS256 ID tokens), each rotated once.
    assert_eq!(keys.len(), keys_before + 2, "one rotation per algorithm, one new key each");
    let current = keys.iter().filter(|k| k.state == signet_store::KeyState::Current).count();
    assert_eq!(current, 2, "exactly one current key per algorithm");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn code_redeemed_once_across_instances() {
    let (a, b, c3) = three_instances(|_| {}).await;
    let client = a.code_client("openid email", false, true).await;
    a.create_user("ann@example.com", PASSWORD).await;
    let mut browser = a.signed_in("ann@example.com").await;
    let p = pkce();
    let r = browser.authorize(&authz_query(&client.id, &p.challenge, &[])).await;
    let code = location_params(r.location()).get("code").cloned().expect("code");
    let (ra, rb, rc) = tokio::join!(
        a.exchange(&client, &code, &p.verifier),
        b.exchange(&client, &code, &p.verifier),
        c3.exchange(&client, &code, &p.verifier),
    );
    let results = [ra, rb, rc];
    let ok = results.iter().filter(|(s, _)| *s == StatusCode::OK).count();
    assert_eq!(ok, 1, "{results:?}");
    for (s, body) in results.iter().filter(|(s, _)| *s != StatusCode::OK) {
        assert_eq!((*s, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_grant")));
    }
}

#[tokio::test]
async fn postgres_down_returns_503_then_recovers() {
    let pg = PostgresServer::start();
    let url = new_pg_schema(&pg.url).await;
    let s = TestServer::with(|c| c.database_url = Some(url.clone())).await;
    let c = s.client(&["client_credentials"], "read", &[], false).await;
    s.client_credentials(&c, None).await;
    s.create_user("ann@example.com", PASSWORD).await;
    // A client not seen yet (a seen one may be served from the 2-second client cache).
    let unseen = s.client(&["client_credentials"], "read", &[], false).await;

    pg.stop();
    let (status, headers, body) = s.oauth_post("/oauth2/token", &unseen, &[("grant_type", "client_credentials")]).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert_eq!(body["error"], "temporarily_unavailable");
    assert!(headers.get("retry-after").is_some());
    let r = s.browser().login("ann@example.com", PASSWORD).await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(r.header("retry-after").is_some());
    assert!(!r.body.contains("panicked") && !r.body.contains("sqlx"), "no internals shown");
    let r = reqwest::get(format!("{}/readyz", s.base)).await.expect("readyz");
    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
    let v: serde_json::Value = r.json().await.expect("json");
    assert_eq!((v["status"].as_str(), v["database"].as_str()), (Some("unavailable"), Some("unreachable")));

    // Back without a restart of Signet: the pool reconnects by itself.
    pg.restart();
    let started = Instant::now();
    loop {
        let (status, _, _) = s.oauth_post("/oauth2/token", &c, &[("grant_type", "client_credentials")]).await;
        if status == StatusCode::OK {
            break;
        }
        assert!(started.elapsed() < StdDuration::from_secs(15), "recovered in time (last status {status})");
        tokio::time::sleep(StdDuration::from_millis(200)).await;
    }
    assert_eq!(s.browser().login("ann@example.com", PASSWORD).await.status, StatusCode::SEE_OTHER);
    assert_eq!(reqwest::get(format!("{}/readyz", s.base)).await.expect("readyz").status(), StatusCode::OK);
}

/// A `signet serve` process (so it can be killed with SIGKILL) on the test's database.
struct Process(std::process::Child);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn kill_9_during_refresh_loses_no_family() {
    let a = TestServer::start().await;
    let c = a.client(&["refresh_token"], "read", &[], false).await;
    let mut tokens = Vec::new();
    for _ in 0..20 {
        tokens.push(a.refresh_family(&c, None, "read").await);
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port();
    let child = signet_cmd(a.dir.path())
        .args(["serve"])
        .env("SIGNET_LISTEN", format!("127.0.0.1:{port}"))
        .env("SIGNET_LOG", "error")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn signet serve");
    let mut child = Process(child);
    let base = format!("http://127.0.0.1:{port}");
    let started = Instant::now();
    while reqwest::get(format!("{base}/readyz")).await.map(|r| r.status() != StatusCode::OK).unwrap_or(true) {
        assert!(started.elapsed() < StdDuration::from_secs(20), "signet serve came up");
        tokio::time::sleep(StdDuration::from_millis(50)).await;
    }

    // Every family's client refreshes in a loop, keeping the newest token it received.
    let latest = std::sync::Arc::new(std::sync::Mutex::new(tokens));
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..20 {
        let (latest, base, id, secret) = (latest.clone(), base.clone(), c.id.clone(), c.secret.clone());
        tasks.spawn(async move {
            let http = reqwest::Client::new();
            loop {
                let token = latest.lock().expect("lock")[i].clone();
                let r = http
                    .post(format!("{base}/oauth2/token"))
                    .basic_auth(&id, secret.as_deref())
                    .form(&[("grant_type", "refresh_token"), ("refresh_token", token.as_str())])
                    .send()
                    .await;
                let Ok(r) = r else { return };
                let Ok(body) = r.json::<serde_json::Value>().await else { return };
                let Some(next) = body["refresh_token"].as_str() else { return };
                latest.lock().expect("lock")[i] = next.to_owned();
            }
        });
    }
    tokio::time::sleep(StdDuration::from_millis(400)).await;
    let _ = child.0.kill(); // SIGKILL, mid-load
    let _ = child.0.wait();
    while tasks.join_next().await.is_some() {}

    // Every family is intact: exactly one live token each, nothing revoked, nothing forked.
    let forked = db_strings(
        &a,
        "SELECT CAST(family_id AS TEXT) FROM refresh_tokens WHERE used_at IS NULL GROUP BY family_id HAVING COUNT(*) > 1",
    )
    .await;
    assert!(forked.is_empty(), "forked families: {forked:?}");
    let live = db_strings(&a, "SELECT CAST(family_id AS TEXT) FROM refresh_tokens WHERE used_at IS NULL").await;
    assert_eq!(live.len(), 20, "every family has its live token");
    let revoked = db_strings(&a, "SELECT client_id FROM refresh_families WHERE revoked_at IS NOT NULL").await;
    assert!(revoked.is_empty(), "nothing revoked");
    let rotations = db_strings(&a, "SELECT token_hash FROM refresh_tokens").await.len();
    assert!(rotations > 20, "the load did rotate tokens before the kill ({rotations} tokens)");
    // And every client carries on at another instance with the token it holds: current, or
    // the one whose response the kill swallowed (a retry within the grace window).
    let b = a.another_instance(|_| {}).await;
    let held = latest.lock().expect("lock").clone();
    for t in held {
        let (status, body) = b.refresh(&c, &t, None).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
}

#[tokio::test]
async fn nul_bytes_in_input_are_rejected_not_500() {
    // PostgreSQL cannot store U+0000 in text; no input may reach the database with one.
    let s = TestServer::start().await;
    let c = s.code_client("openid email", false, true).await;
    s.create_user("ann@example.com", PASSWORD).await;
    let http = reqwest::Client::new();
    let post = |path: &str, form: Vec<(&str, &str)>| http.post(format!("{}{path}", s.base)).form(&form).send();
    for (path, form) in [
        ("/oauth2/token", vec![("grant_type", "client_credentials"), ("client_id", "a\0b"), ("client_secret", "x")]),
        ("/oauth2/token", vec![("grant_type", "refresh_token"), ("refresh_token", "sgn_rt_\0")]),
        ("/oauth2/introspect", vec![("token", "a\0b"), ("client_id", "a\0b")]),
        ("/oauth2/revoke", vec![("token", "a\0b"), ("client_id", "a\0b")]),
        ("/oauth2/device_authorization", vec![("client_id", "a\0b")]),
    ] {
        let r = post(path, form).await.expect("send");
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{path}");
        let body: serde_json::Value = r.json().await.expect("json");
        assert_eq!(body["error"], "invalid_request", "{path}");
    }
    let mut b = s.browser();
    let r = b.login("ann\0@example.com", PASSWORD).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(b.session_cookie().is_none());
    let r = b.get(&format!("/oauth2/authorize?{}", authz_query("a\0b", &pkce().challenge, &[]))).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let mut b = s.signed_in("ann@example.com").await;
    let r = b.authorize(&authz_query(&c.id, &pkce().challenge, &[("nonce", "n\0"), ("state", "s\0")])).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = b.get("/device?user_code=AB%00CD").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(crate::harness::db_strings(&s, "SELECT code_hash FROM authorization_codes").await.len(), 0);
    // Control: the same requests without the NUL work.
    let r = b.authorize(&authz_query(&c.id, &pkce().challenge, &[("nonce", "n"), ("state", "s")])).await;
    assert!(location_params(r.location()).contains_key("code"), "{}", r.location());
}
