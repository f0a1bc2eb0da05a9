//! The mail outbox over a real SMTP server (aiosmtpd): a request only queues; delivery
//! survives an SMTP outage and a restart; several instances deliver each message once; nothing
//! in an address or subject can add a header.

use reqwest::StatusCode;
use signet_server::mail::{self, Mail, MailError};
use time::Duration;

use crate::harness::{SmtpServer, TestServer};

fn msg<'a>(to: &'a str, subject: &'a str) -> Mail<'a> {
    Mail { kind: "test", to, subject, text: "Hello.\nA second line.", html: Some("<p>Hello.</p>") }
}

async fn counts(s: &TestServer) -> signet_store::OutboxCounts {
    s.state.store.outbox_counts().await.expect("counts")
}

/// The ids of the messages delivered so far, read from the database itself.
async fn sent_ids(s: &TestServer) -> Vec<i64> {
    let q = "SELECT id FROM mail_outbox WHERE sent_at IS NOT NULL";
    match &s.state.config.database_url {
        Some(u) if u.starts_with("postgres") => {
            let pool = sqlx::PgPool::connect(u).await.expect("db");
            sqlx::query_scalar(q).fetch_all(&pool).await.expect("sent")
        }
        _ => {
            let url = format!("sqlite://{}", s.dir.path().join("signet.db").display());
            let pool = sqlx::SqlitePool::connect(&url).await.expect("db");
            sqlx::query_scalar(q).fetch_all(&pool).await.expect("sent")
        }
    }
}

async fn readyz(s: &TestServer) -> (StatusCode, serde_json::Value) {
    let r = reqwest::get(format!("{}/readyz", s.base)).await.expect("readyz");
    (r.status(), r.json().await.expect("json"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn outbox_survives_restart_and_smtp_outage() {
    // The SMTP server is down: nothing listens on its port yet.
    let port = std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port();
    let url = format!("smtp://127.0.0.1:{port}");
    let first = TestServer::with(|c| c.mail.smtp_url = Some(url.clone())).await;
    // The request side only queues, so it succeeds while SMTP is down.
    mail::send(&first.state, msg("ann@example.com", "Through the outage")).await.expect("queued");
    let mut failing = false;
    for _ in 0..60 {
        let (status, body) = readyz(&first).await;
        if body["mail"] == "failing" {
            assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
            assert_eq!(body["status"], "degraded");
            failing = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(failing, "readyz reports the failing SMTP server");
    assert_eq!(counts(&first).await, signet_store::OutboxCounts { pending: 1, sent: 0, failed: 0 });

    // A restart: a new instance on the same database; the old one stops.
    let second = first.another_instance(|c| c.mail.smtp_url = Some(url.clone())).await;
    drop(first);
    let smtp = SmtpServer::start_on(port);
    // The retry waits for its backoff (30 s after the first attempt): two worker rounds with
    // the server up deliver nothing yet.
    tokio::time::sleep(std::time::Duration::from_secs(5)).await;
    assert!(smtp.messages().is_empty(), "retried before its backoff");
    second.clock.advance(Duration::seconds(61));
    let got = smtp.wait_for(1).await;
    assert_eq!(got.len(), 1, "delivered once after the outage");
    assert!(got[0].contains("Subject: Through the outage"), "{}", got[0]);
    assert!(got[0].contains("To: ann@example.com"));
    assert!(got[0].contains("multipart/alternative"), "text and HTML");
    // (The worker marks it sent once the server has answered.)
    let mut after = counts(&second).await;
    for _ in 0..50 {
        if after.sent == 1 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        after = counts(&second).await;
    }
    assert_eq!(after, signet_store::OutboxCounts { pending: 0, sent: 1, failed: 0 });
    let (status, body) = readyz(&second).await;
    assert_eq!((status, body["mail"].as_str()), (StatusCode::OK, Some("ok")), "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn outbox_delivered_once_across_instances() {
    let smtp = SmtpServer::start();
    let a = TestServer::with(|c| c.mail.smtp_url = Some(smtp.url())).await;
    let b = a.another_instance(|c| c.mail.smtp_url = Some(smtp.url())).await;
    let subjects: Vec<String> = (0..40).map(|i| format!("Message {i:02}")).collect();
    for (i, subject) in subjects.iter().enumerate() {
        let on = if i % 2 == 0 { &a } else { &b };
        mail::send(&on.state, msg("bob@example.com", subject)).await.expect("queued");
    }
    let got = smtp.wait_for(40).await;
    // Two more worker rounds on each instance: nothing arrives twice.
    tokio::time::sleep(std::time::Duration::from_secs(5)).await;
    let got_after = smtp.messages();
    assert_eq!(got.len(), 40);
    assert_eq!(got_after.len(), 40, "no message delivered twice");
    let mut seen: Vec<&str> = got_after.iter().filter_map(|m| m.lines().find(|l| l.starts_with("Subject: "))).collect();
    seen.sort_unstable();
    seen.dedup();
    assert_eq!(seen.len(), 40, "every message once");
    assert_eq!(counts(&a).await, signet_store::OutboxCounts { pending: 0, sent: 40, failed: 0 });
}

#[tokio::test]
async fn mail_header_injection_refused() {
    let s = TestServer::start().await; // no SMTP: .eml files under data_dir/mail
    for to in [
        "ann@example.com\r\nBcc: eve@evil.example",
        "ann@example.com\nBcc: eve@evil.example",
        "Ann <ann@example.com>",
        "ann@example.com, eve@evil.example",
        "",
    ] {
        assert!(matches!(mail::send(&s.state, msg(to, "Hello")).await, Err(MailError::BadAddress)), "{to:?}");
    }
    for subject in ["Hello\r\nBcc: eve@evil.example", "Hello\n", "Hello\u{0}"] {
        let r = mail::send(&s.state, msg("ann@example.com", subject)).await;
        assert!(matches!(r, Err(MailError::BadSubject)), "{subject:?}");
    }
    assert_eq!(counts(&s).await, signet_store::OutboxCounts::default(), "nothing queued");
    // A sender name that would break the From header stops the start.
    let err =
        signet_server::Config::load("[mail]\nfrom = \"Signet\\r\\nBcc: eve@evil.example <a@b.example>\"\n", "t", &[])
            .expect_err("refused");
    assert_eq!(err.key, "mail.from");

    // Control: a good message is written as one .eml with one recipient and an encoded subject.
    mail::send(&s.state, msg("ann@example.com", "Grüße von Signet")).await.expect("queued");
    let dir = s.state.config.data_dir.join("mail");
    let mut eml = String::new();
    for _ in 0..60 {
        if let Some(e) = std::fs::read_dir(&dir)
            .expect("mail dir")
            .flatten()
            .find(|e| e.path().extension().is_some_and(|x| x == "eml"))
        {
            eml = std::fs::read_to_string(e.path()).expect("eml");
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(eml.contains("To: ann@example.com\r\n"), "{eml}");
    assert_eq!(eml.matches("\nTo: ").count() + usize::from(eml.starts_with("To: ")), 1);
    assert!(!eml.contains("Bcc") && !eml.contains("Grüße"), "the subject is encoded (RFC 2047): {eml}");
    let mut after = counts(&s).await;
    for _ in 0..50 {
        if after.sent == 1 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        after = counts(&s).await;
    }
    assert_eq!(after, signet_store::OutboxCounts { pending: 0, sent: 1, failed: 0 });
}

/// The claim itself, raced: many workers on two instances claim at once; every message is
/// handed to exactly one of them while its lease lasts.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn outbox_claims_are_disjoint() {
    let a = TestServer::start().await;
    let b = a.another_instance(|_| {}).await;
    for i in 0..60 {
        mail::send(&a.state, msg("bob@example.com", &format!("Claim {i}"))).await.expect("queued");
    }
    // Far in the future for the worker loops of both instances (they claim at "now"), so only
    // the racing claims below see the messages.
    let at = a.state.now() + Duration::days(365);
    let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(8));
    let mut tasks = Vec::new();
    for w in 0..8 {
        let store = if w % 2 == 0 { a.state.store.clone() } else { b.state.store.clone() };
        let barrier = barrier.clone();
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            let mut mine = Vec::new();
            loop {
                let got = store.claim_mail(at, at + Duration::minutes(5), 7).await.expect("claim");
                if got.is_empty() {
                    return mine;
                }
                mine.extend(got.into_iter().map(|m| m.id));
            }
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.expect("task"));
    }
    let n = all.len();
    all.sort_unstable();
    all.dedup();
    assert_eq!(n, all.len(), "a message was claimed twice");
    // Every message was claimed, unless a worker loop of the instances got one first (those
    // are claimed at the real "now" and sent to .eml files). A worker's lease runs at the real
    // clock, so a racing claim a year ahead may also take a message a worker is sending: those
    // count once.
    let c = counts(&a).await;
    let sent = sent_ids(&a).await;
    let both = all.iter().filter(|id| sent.contains(id)).count();
    assert_eq!(all.len() as i64 + c.sent - both as i64, 60, "{c:?}");
    // A lease that has expired makes a message claimable again (a worker that died mid-send).
    let again =
        a.state.store.claim_mail(at + Duration::minutes(6), at + Duration::minutes(11), 100).await.expect("claim");
    assert_eq!(again.len(), all.len() - both);
    assert!(again.iter().all(|m| m.attempts == 2));
}

/// `signet mail test` sends a branded message in the chosen language through the configured
/// SMTP server and says so; with the server down it says why, and exits non-zero.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mail_test_command_sends_branded_translated_mail() {
    let smtp = SmtpServer::start();
    let s = TestServer::start().await;
    let run = |url: &str, lang: &str| {
        crate::harness::signet_cmd(s.dir.path())
            .env("SIGNET_MAIL__SMTP_URL", url)
            .env("SIGNET_MAIL__FROM", "Acme ID <no-reply@acme.example>")
            .env("SIGNET_BRANDING__PRODUCT_NAME", "Acme ID")
            .args(["mail", "test", "--to", "ops@acme.example", "--lang", lang])
            .output()
            .expect("run signet")
    };
    let out = run(&smtp.url(), "de");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "sent to ops@acme.example");
    let got = smtp.wait_for(1).await;
    assert_eq!(got.len(), 1);
    let m = &got[0];
    assert!(m.contains("Subject: Testnachricht von Acme ID"), "{m}");
    assert!(m.contains("From: \"Acme ID\" <no-reply@acme.example>"), "{m}");
    assert!(m.contains("lang=3D\"de\""), "the HTML part is German: {m}");
    assert!(!m.contains("Signet"), "the product is Acme ID: {m}");
    // The server down: a clear failure, not a hang or a panic.
    drop(smtp);
    let down = std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port();
    let out = run(&format!("smtp://127.0.0.1:{down}"), "en");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("temporary failure"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
