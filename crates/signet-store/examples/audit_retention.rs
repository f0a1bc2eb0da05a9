//! Audit retention with a large backlog (issue 22): `cargo run --release -p signet-store
//! --example audit_retention [ROWS]` (default 1,000,000) fills a fresh SQLite database with
//! expired audit events, then deletes them in batches of 200 (`BATCH=`) as the server's upkeep does
//! (`signet_server::prune_audit`: a batch, 20 ms pause, the next) while a writer adds a fresh
//! event every 5 ms, as sign-ins do. It prints how long the writer's inserts waited (the
//! bar: never more than 100 ms) and how long each batch held the write lock.

use std::time::{Duration, Instant};

use signet_core::audit::AuditKind;
use signet_store::{AdminStore, AuditStore, NewAudit, SqliteStore};
use time::OffsetDateTime;

fn event(at: OffsetDateTime) -> NewAudit<'static> {
    NewAudit {
        kind: AuditKind::LoginSuccess,
        at,
        user_id: Some(1),
        email: Some("someone@example.com"),
        actor: "user:1",
        ip: "203.0.113.7",
        user_agent: "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0",
        detail: "",
    }
}

fn pct(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> anyhow::Result<()> {
    let rows: u64 = std::env::args().nth(1).map(|a| a.parse()).transpose()?.unwrap_or(1_000_000);
    let batch: i64 = std::env::var("BATCH").ok().map(|b| b.parse()).transpose()?.unwrap_or(200);
    let dir = tempfile::tempdir()?;
    let store = std::sync::Arc::new(SqliteStore::open(&dir.path().join("signet.db")).await?);
    let now = OffsetDateTime::now_utc();
    let old = now - time::Duration::days(400);
    let fill = Instant::now();
    for i in 0..rows {
        store.audit(event(old + time::Duration::seconds(i as i64))).await?;
    }
    println!("filled {rows} expired events in {:.1} s", fill.elapsed().as_secs_f64());

    // The control: the same writer alone for 10 s, so the disk's own pauses (WAL checkpoints,
    // fsync) are told apart from what deleting adds.
    let mut alone = Vec::new();
    let until = Instant::now() + Duration::from_secs(10);
    while Instant::now() < until {
        let t = Instant::now();
        store.audit(event(OffsetDateTime::now_utc())).await?;
        alone.push(t.elapsed());
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    alone.sort();
    println!(
        "inserts alone: {} — median {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        alone.len(),
        pct(&alone, 0.5).as_secs_f64() * 1e3,
        pct(&alone, 0.99).as_secs_f64() * 1e3,
        alone.last().map_or(0.0, |d| d.as_secs_f64() * 1e3)
    );
    let writer = {
        let store = store.clone();
        tokio::spawn(async move {
            let mut waits = Vec::new();
            while !STOP.load(std::sync::atomic::Ordering::Relaxed) {
                let t = Instant::now();
                if store.audit(event(OffsetDateTime::now_utc())).await.is_err() {
                    break;
                }
                waits.push(t.elapsed());
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            waits
        })
    };
    let cutoff = now - time::Duration::days(365);
    let started = Instant::now();
    let mut batches = Vec::new();
    let mut deleted = 0;
    loop {
        let t = Instant::now();
        let n = store.prune_audit(cutoff, batch).await?;
        batches.push(t.elapsed());
        deleted += n;
        if n < batch as u64 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let took = started.elapsed();
    STOP.store(true, std::sync::atomic::Ordering::Relaxed);
    let mut waits = writer.await?;
    waits.sort();
    let slowest: Vec<String> = {
        let mut b: Vec<(usize, Duration)> = batches.iter().copied().enumerate().collect();
        b.sort_by_key(|(_, d)| std::cmp::Reverse(*d));
        b.iter().take(5).map(|(i, d)| format!("#{i}: {:.1} ms", d.as_secs_f64() * 1e3)).collect()
    };
    println!("slowest batches: {}", slowest.join(", "));
    batches.sort();
    println!("deleted {deleted} in {} batches, {:.1} s", batches.len(), took.as_secs_f64());
    println!(
        "batch: median {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        pct(&batches, 0.5).as_secs_f64() * 1e3,
        pct(&batches, 0.99).as_secs_f64() * 1e3,
        batches.last().map_or(0.0, |d| d.as_secs_f64() * 1e3)
    );
    println!(
        "concurrent inserts: {} — median {:.2} ms, p99 {:.2} ms, max {:.2} ms (bar: 100 ms)",
        waits.len(),
        pct(&waits, 0.5).as_secs_f64() * 1e3,
        pct(&waits, 0.99).as_secs_f64() * 1e3,
        waits.last().map_or(0.0, |d| d.as_secs_f64() * 1e3)
    );
    let left = store.audit_page(signet_store::AuditFilter { limit: 10, ..Default::default() }).await?;
    assert!(left.iter().all(|e| e.at > cutoff), "only fresh events remain");
    Ok(())
}

static STOP: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
