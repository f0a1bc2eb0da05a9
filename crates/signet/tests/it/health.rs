//! `/healthz`, `/readyz`, and headers every response carries.

use reqwest::StatusCode;

use crate::harness::TestServer;

#[tokio::test]
async fn health_and_readiness() {
    let s = TestServer::start().await;
    let mut b = s.browser();
    assert_eq!(b.get("/healthz").await.status, StatusCode::OK);
    let r = b.get("/readyz").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("\"database\":\"ok\""));
}

#[tokio::test]
async fn security_headers_and_request_id_on_pages() {
    let s = TestServer::start().await;
    let r = s.browser().get("/login").await;
    let csp = r.header("content-security-policy").expect("CSP");
    assert!(csp.contains("frame-ancestors 'none'") && csp.contains("default-src 'none'"));
    assert_eq!(r.header("x-frame-options"), Some("DENY"));
    assert_eq!(r.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(r.header("referrer-policy"), Some("no-referrer"));
    assert_eq!(r.header("cache-control"), Some("no-store"));
    assert_eq!(r.header("x-request-id").map(str::len), Some(24));
    let nf = s.browser().get("/no/such/page").await;
    assert_eq!(nf.status, StatusCode::NOT_FOUND);
    assert!(nf.body.contains("There is no page at this address."));
}

#[tokio::test]
async fn hsts_on_https_issuer() {
    // RFC 6797: an https issuer tells browsers never to use plain HTTP for it.
    let s = TestServer::start().await; // issuer https://signet.test
    for path in ["/login", "/jwks", "/healthz", "/no/such/page"] {
        let r = s.browser().get(path).await;
        assert_eq!(r.header("strict-transport-security"), Some("max-age=31536000; includeSubDomains"), "{path}");
    }
    // Control: a plain-HTTP development issuer does not send it (browsers ignore it over HTTP,
    // and it would pin localhost to https).
    let dev = TestServer::with(|c| c.issuer = "auto".into()).await;
    assert!(dev.browser().get("/login").await.header("strict-transport-security").is_none());
}

#[cfg(unix)]
#[tokio::test]
async fn data_files_private() {
    use std::os::unix::fs::PermissionsExt;
    let parent = tempfile::tempdir().expect("tempdir");
    let data = parent.path().join("signet-data");
    let mut config = crate::harness::test_config(&data);
    config.database_url = crate::harness::test_database(parent.path()).await;
    let s = TestServer::start_in(std::sync::Arc::new(tempfile::tempdir().expect("tempdir")), config).await;
    s.create_user("ann@example.com", crate::harness::PASSWORD).await; // a write: WAL and SHM exist
    let mode = |p: &std::path::Path| std::fs::metadata(p).expect("metadata").permissions().mode() & 0o777;
    assert_eq!(mode(&data), 0o700, "the data directory");
    let mut checked = 0;
    for name in ["signet.db", "signet.db-wal", "signet.db-shm", "secrets.toml"] {
        let p = data.join(name);
        if p.exists() {
            assert_eq!(mode(&p), 0o600, "{name}");
            checked += 1;
        }
    }
    let expected = if s.state.config.database_url.is_some() { 1 } else { 4 };
    assert_eq!(checked, expected, "every file was looked at");
}
