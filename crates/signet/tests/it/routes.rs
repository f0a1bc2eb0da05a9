//! Properties of the whole route table (`signet_server::routes::table`).

use reqwest::StatusCode;
use signet_server::routes::{table, Guard};

use crate::harness::{TestServer, PASSWORD};

fn concrete(path: &str) -> String {
    path.replace("{id}", "1")
        .replace("{client_id}", "app")
        .replace("{org}", "acme")
        .replace("{sub}", "s")
        .replace("{role}", "r")
        .replace("{group}", "g")
        .replace("{slug}", "nope")
        .replace("{kid}", "k")
        .replace("{api}", "x")
        .replace("{format}", "export.csv")
}

/// Every route that changes state for a browser is guarded: a cross-site POST that carries the
/// victim's cookies but no token is refused with 403 and changes nothing (the session still
/// works afterwards). Routes without a token are either read-only (POST is 405), authenticated
/// by the request's own credentials (cookies alone get 400/401), or protocol requests that
/// change nothing by themselves.
#[tokio::test]
async fn every_state_changing_route_requires_csrf() {
    let s = TestServer::start().await;
    s.create_user("ann@example.com", PASSWORD).await;
    let mut b = s.browser();
    assert_eq!(b.login("ann@example.com", PASSWORD).await.status, StatusCode::SEE_OTHER);
    let routes = table();
    let mut seen = std::collections::HashSet::new();
    let mut guarded = 0;
    for r in &routes {
        assert!(seen.insert(r.path), "{} listed twice", r.path);
        let path = concrete(r.path);
        let res = b.post_form(&path, &[("name", "x"), ("decision", "allow"), ("user_code", "ABCD-EFGH")]).await;
        match r.guard {
            Guard::Session | Guard::PreSession => {
                // Every state-changing method the route has is refused; the others are 405.
                let mut refused = 0;
                for (method, r) in [
                    ("POST", res),
                    ("PUT", b.method(reqwest::Method::PUT, &path).await),
                    ("PATCH", b.method(reqwest::Method::PATCH, &path).await),
                    ("DELETE", b.method(reqwest::Method::DELETE, &path).await),
                ] {
                    match r.status {
                        StatusCode::FORBIDDEN => refused += 1,
                        StatusCode::METHOD_NOT_ALLOWED => {}
                        other => unreachable!("{method} {path} without a token: {other} {}", r.body),
                    }
                }
                assert!(refused > 0, "{path}: no state-changing method refused");
                guarded += 1;
            }
            Guard::ReadOnly => assert_eq!(res.status, StatusCode::METHOD_NOT_ALLOWED, "POST {path}"),
            Guard::Credentials => {
                // Cookies alone authenticate nothing here: every state-changing method the
                // route has answers 400 or 401; the others are 405.
                let mut refused = 0;
                for (method, r) in [
                    ("POST", res),
                    ("PUT", b.method(reqwest::Method::PUT, &path).await),
                    ("DELETE", b.method(reqwest::Method::DELETE, &path).await),
                ] {
                    match r.status {
                        StatusCode::BAD_REQUEST | StatusCode::UNAUTHORIZED => refused += 1,
                        StatusCode::METHOD_NOT_ALLOWED => {}
                        other => unreachable!("{method} {path} with cookies only: {other} {}", r.body),
                    }
                }
                assert!(refused > 0, "{path}: no state-changing method refused");
            }
            Guard::ProtocolRequest => {
                assert!(!res.status.is_server_error() && res.status != StatusCode::SEE_OTHER, "POST {path}")
            }
        }
        // Nothing happened: still signed in, with the same session.
        assert_eq!(b.get("/account").await.status, StatusCode::OK, "after POST {path}");
    }
    assert!(guarded >= 20, "only {guarded} guarded routes");
    // Control: with the token, the same kind of request acts.
    let csrf = b.account_csrf().await;
    let r = b.post_form("/logout", &[("csrf", &csrf)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_ne!(b.get("/account").await.status, StatusCode::OK);
}
