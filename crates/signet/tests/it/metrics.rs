//! `/metrics`: Prometheus text with label values from fixed sets only.

use std::collections::BTreeSet;

use reqwest::StatusCode;

use crate::harness::{TestServer, PASSWORD};

/// The series of an exposition (name and labels), without their values.
fn series(text: &str) -> BTreeSet<String> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .filter_map(|l| l.rsplit_once(' ').map(|(s, _)| s.to_owned()))
        .collect()
}

async fn scrape(base: &str) -> String {
    let r = reqwest::get(format!("{base}/metrics")).await.expect("scrape");
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()["content-type"].to_str().expect("ct").starts_with("text/plain; version=0.0.4"));
    r.text().await.expect("body")
}

fn count(text: &str, series: &str) -> u64 {
    text.lines().find_map(|l| l.strip_prefix(series)?.trim().parse().ok()).unwrap_or(0)
}

/// One round of hostile requests, each carrying `tag` wherever a request can put text: paths,
/// methods, grant types, client ids, tokens, form fields.
async fn hostile(s: &TestServer, tag: &str) {
    let http = reqwest::Client::new();
    let b = &s.base;
    let _ = http.get(format!("{b}/{tag}/x")).send().await;
    let _ = http.get(format!("{b}/api/v1/{tag}")).send().await;
    let _ = http.get(format!("{b}/api/v1/admin/users/{tag}")).bearer_auth(tag).send().await;
    let _ = http
        .request(reqwest::Method::from_bytes(format!("X{tag}").as_bytes()).expect("m"), format!("{b}/login"))
        .send()
        .await;
    let form = [("grant_type", tag), ("client_id", tag), ("client_secret", tag)];
    let _ = http.post(format!("{b}/oauth2/token")).form(&form).send().await;
    let _ = http
        .post(format!("{b}/oauth2/token"))
        .form(&[("grant_type", "client_credentials"), ("client_id", tag)])
        .send()
        .await;
    let _ = http.get(format!("{b}/static/{tag}.css")).send().await;
    let _ = http.get(format!("{b}/.well-known/{tag}")).send().await;
}

#[tokio::test]
async fn metrics_labels_fixed_under_fuzzed_errors() {
    let s = TestServer::with(|c| c.metrics.enabled = true).await;
    s.create_user("ann@example.com", PASSWORD).await;
    let mut b = s.browser();
    assert_eq!(b.login("ann@example.com", "wrong password").await.status, StatusCode::OK);
    assert_eq!(b.login("ann@example.com", PASSWORD).await.status, StatusCode::SEE_OTHER);
    hostile(&s, "warmup").await;
    scrape(&s.base).await; // (the scrape counts itself from the second one on)
    let before = scrape(&s.base).await;
    assert!(before.contains("signet_audit_total{kind=\"login_failure\"} 1"), "{before}");
    assert!(before.contains("signet_audit_total{kind=\"login_success\"} 1"));
    assert!(before.contains("signet_token_error_total{error=\"invalid_client\"}"));
    assert!(before.contains("signet_http_requests_total{route=\"/login\",method=\"POST\",status=\"3xx\"} 1"));
    assert!(before.contains("signet_signing_key_age_seconds{alg=\"ES256\"}"));
    assert!(before.contains("signet_password_hash_queue 0"));
    assert!(before.contains("signet_db_connections{pool="), "{before}");
    let unmatched = "signet_http_requests_total{route=\"unmatched\",method=\"GET\",status=\"4xx\"}";
    let seen_before = count(&before, unmatched);

    for i in 0..60 {
        hostile(&s, &format!("evil{i}zz")).await;
    }
    let after = scrape(&s.base).await;
    let new: Vec<_> = series(&after).difference(&series(&before)).cloned().collect();
    assert!(new.is_empty(), "hostile requests added series: {new:?}");
    assert!(!after.contains("evil") && !after.contains("warmup"), "request text in a label");
    // Positive control: the requests were counted, under fixed labels.
    assert!(count(&after, unmatched) >= seen_before + 120, "{after}");
}

#[tokio::test]
async fn metrics_off_by_default_and_on_their_own_listener() {
    let s = TestServer::start().await;
    assert_eq!(reqwest::get(format!("{}/metrics", s.base)).await.expect("get").status(), StatusCode::NOT_FOUND);
    let port = std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port();
    let s = TestServer::with(|c| {
        c.metrics.enabled = true;
        c.metrics.listen = format!("127.0.0.1:{port}");
    })
    .await;
    assert_eq!(reqwest::get(format!("{}/metrics", s.base)).await.expect("get").status(), StatusCode::NOT_FOUND);
    let text = scrape(&format!("http://127.0.0.1:{port}")).await;
    assert!(text.contains("signet_database_up 1"), "{text}");
}

/// `[otlp] endpoint`: one span per request reaches a collector over OTLP/HTTP, continuing the
/// caller's W3C trace, named by the route template (the query, with its codes, never sent).
#[tokio::test]
async fn otlp_traces_exported_when_enabled() {
    let (tx, mut rx) = tokio::sync::mpsc::channel::<(String, String)>(16);
    let collector = axum::Router::new().route(
        "/v1/traces",
        axum::routing::post(move |headers: axum::http::HeaderMap, body: String| {
            let tx = tx.clone();
            async move {
                let ct = headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
                let _ = tx.send((ct, body)).await;
                "{}"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, collector).await });
    let s = TestServer::with(|c| c.otlp.endpoint = format!("http://{addr}")).await;
    let trace = "4bf92f3577b34da6a3ce929d0e0e4736";
    let r = reqwest::Client::new()
        .get(format!("{}/oauth2/authorize?client_id=x&code_challenge=SECRETVALUE", s.base))
        .header("traceparent", format!("00-{trace}-00f067aa0ba902b7-01"))
        .send()
        .await
        .expect("send");
    assert!(r.status().is_client_error());
    let (ct, body) = tokio::time::timeout(std::time::Duration::from_secs(10), rx.recv())
        .await
        .expect("a batch within 10 s")
        .expect("batch");
    assert!(ct.starts_with("application/json"), "{ct}");
    let v: serde_json::Value = serde_json::from_str(&body).expect("OTLP/JSON");
    let spans = v["resourceSpans"][0]["scopeSpans"][0]["spans"].as_array().expect("spans");
    let span = spans.iter().find(|s| s["traceId"] == trace).expect("the caller's trace continued");
    assert_eq!(span["parentSpanId"], "00f067aa0ba902b7");
    assert_eq!(span["name"], "GET /oauth2/authorize");
    assert!(span["attributes"].to_string().contains("\"http.route\""));
    assert!(!body.contains("SECRETVALUE"), "the query is never exported");
    // Off by default: no exporter at all.
    assert!(TestServer::start().await.state.tracer.is_none());
}
