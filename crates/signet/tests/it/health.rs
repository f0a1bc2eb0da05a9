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
