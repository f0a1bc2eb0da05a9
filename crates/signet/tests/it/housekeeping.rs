//! Background upkeep: expired rows of every kind are deleted, in batches, on both backends.

use time::Duration;

use crate::harness::{authz_query, db_strings, pkce, TestServer};

async fn count(s: &TestServer, table: &str) -> i64 {
    db_strings(s, &format!("SELECT CAST(COUNT(*) AS TEXT) FROM {table}")).await[0].parse().expect("count")
}

const TABLES: [&str; 7] = [
    "authorization_requests",
    "authorization_codes",
    "device_codes",
    "challenges",
    "refresh_families",
    "refresh_tokens",
    "sessions",
];

/// One row (at least) of every kind that expires.
async fn make_rows(s: &TestServer) {
    let c = s.code_client("openid offline_access", false, true).await;
    let p = pkce();
    // A pending request (anonymous), a session, a code and a refresh family.
    s.browser().get(&format!("/oauth2/authorize?{}", authz_query(&c.id, &p.challenge, &[]))).await;
    let (code, p) = s.code_for(&c, "ann@example.com", "openid offline_access").await;
    s.exchange(&c, &code, &p.verifier).await;
    // A device code.
    let dc = s.client(&["urn:ietf:params:oauth:grant-type:device_code"], "tv", &[], true).await;
    reqwest::Client::new()
        .post(format!("{}/oauth2/device_authorization", s.base))
        .form(&[("client_id", dc.id.as_str())])
        .send()
        .await
        .expect("send");
    // A challenge (a passkey sign-in that was started and never finished).
    let mut b = s.browser();
    let csrf = b.get("/login").await.csrf();
    b.post_json("/login/passkey/start", &csrf, &serde_json::json!({})).await;
}

#[tokio::test]
async fn expired_rows_purged() {
    let s = TestServer::start().await;
    make_rows(&s).await;
    for t in TABLES {
        assert!(count(&s, t).await > 0, "{t} has a row to purge");
    }
    // Control: nothing is due yet, so nothing goes.
    assert_eq!(signet_server::purge_expired(&s.state).await.expect("purge"), 0);
    for t in TABLES {
        assert!(count(&s, t).await > 0, "{t} kept its live rows");
    }
    // Past every lifetime (refresh families live 30 days), everything goes.
    s.clock.advance(Duration::days(31));
    assert!(signet_server::purge_expired(&s.state).await.expect("purge") > 0);
    for t in TABLES {
        assert_eq!(count(&s, t).await, 0, "{t}");
    }
}

#[tokio::test]
async fn purge_works_in_batches() {
    // More expired rows than one batch: all go, over several rounds.
    let s = TestServer::with(|c| c.rate_limit.pending_authorizations_per_ip_per_minute = 10_000).await;
    let c = s.code_client("openid", false, false).await;
    let p = pkce();
    let q = authz_query(&c.id, &p.challenge, &[]);
    for _ in 0..520 {
        s.browser().get(&format!("/oauth2/authorize?{q}")).await;
    }
    assert_eq!(count(&s, "authorization_requests").await, 520);
    s.clock.advance(Duration::minutes(16));
    assert_eq!(signet_server::purge_expired(&s.state).await.expect("purge"), 520);
    assert_eq!(count(&s, "authorization_requests").await, 0);
}

/// Audit retention (`[audit] retention`): events older than the period go, in batches of at
/// most a batch per statement, oldest first; newer ones stay.
#[tokio::test]
async fn audit_retention_batches() {
    use signet_core::audit::AuditKind;
    use signet_store::NewAudit;
    // The server's own upkeep keeps 10 years here, so only this test deletes.
    let s = TestServer::with(|c| c.audit.retention = Duration::days(3650)).await;
    let now = s.state.now();
    let retention = Duration::days(365);
    let ev = |at, detail| NewAudit {
        kind: AuditKind::LoginSuccess,
        at,
        user_id: None,
        email: None,
        actor: "anonymous",
        ip: "",
        user_agent: "",
        detail,
    };
    for i in 0..1203 {
        s.state.store.audit(ev(now - retention - Duration::seconds(1 + i), "old")).await.expect("audit");
    }
    // Just inside the period: kept.
    s.state.store.audit(ev(now - retention + Duration::minutes(1), "edge")).await.expect("audit");
    s.state.store.audit(ev(now, "new")).await.expect("audit");
    // One statement deletes at most a batch, oldest first.
    let before = now - retention;
    assert_eq!(s.state.store.prune_audit(before, 500).await.expect("prune"), 500);
    let logins = "audit_log WHERE kind = 'login_success'";
    assert_eq!(count(&s, logins).await, 1203 + 2 - 500);
    let oldest_left =
        db_strings(&s, "SELECT CAST(MIN(at) AS TEXT) FROM audit_log").await[0].parse::<i64>().expect("at");
    assert_eq!(oldest_left, (before - Duration::seconds(703)).unix_timestamp(), "the oldest went first");
    // The upkeep's loop finishes the rest and leaves the newer events.
    assert_eq!(signet_server::prune_audit(&s.state, before).await.expect("prune"), 703);
    let left = db_strings(&s, "SELECT detail FROM audit_log WHERE kind = 'login_success' ORDER BY id").await;
    assert_eq!(left, ["edge", "new"]);
    assert_eq!(signet_server::prune_audit(&s.state, before).await.expect("prune"), 0);
}
