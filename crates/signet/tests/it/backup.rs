//! `signet backup` / `signet restore` (issue 22): an online SQLite backup taken while the
//! server serves and writes, restored into a fresh data directory and served from there.

use std::sync::Arc;

use reqwest::StatusCode;

use crate::harness::{run_cli, test_config, TestServer, PASSWORD};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backup_restore_roundtrip_while_serving() {
    let s = TestServer::start().await;
    let dir = s.dir.path().to_path_buf();
    if std::env::var("SIGNET_TEST_DATABASE_URL").is_ok() {
        // PostgreSQL has its own tools: said, and nothing written.
        let (code, _, err) = run_cli(&dir, &["backup", dir.join("b.db").to_str().expect("path")], "");
        assert_ne!(code, 0);
        assert!(err.contains("pg_dump"), "{err}");
        assert!(!dir.join("b.db").exists());
        return;
    }
    s.create_user("before@example.com", PASSWORD).await;
    // Writers keep going while the backup runs.
    let record = s.state.hash_pool.hash(signet_core::Password::new(PASSWORD)).await.expect("hash");
    let state = s.state.clone();
    let writer = tokio::spawn(async move {
        for i in 0..150 {
            let email = signet_core::Email::parse(&format!("w{i}@example.com")).expect("email");
            let new =
                signet_store::NewUser { email: &email, password: Some(&record), is_admin: false, now: state.now() };
            state.store.create_user(new).await.expect("create");
        }
    });
    let file = dir.join("backup.db");
    let arg = file.to_str().expect("path").to_owned();
    let d = dir.clone();
    let (code, out, err) = tokio::task::spawn_blocking(move || run_cli(&d, &["backup", &arg], "")).await.expect("cli");
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("secrets"), "the secrets file is named: {out}");
    writer.await.expect("writer");
    // Again to the same file: refused, naming it.
    let (code, _, err) = run_cli(&dir, &["backup", file.to_str().expect("path")], "");
    assert_ne!(code, 0);
    assert!(err.contains("exists"), "{err}");
    // Restoring over the running server's database is refused (its write-ahead log is there).
    let (code, _, err) = run_cli(&dir, &["restore", file.to_str().expect("path")], "");
    assert_ne!(code, 0);
    assert!(err.contains("stop the server"), "{err}");
    // A file that is not a backup is refused.
    std::fs::write(dir.join("junk.db"), b"not a database").expect("write");
    let (code, _, err) = run_cli(&dir, &["restore", dir.join("junk.db").to_str().expect("path")], "");
    assert_ne!(code, 0);
    assert!(err.contains("not a Signet backup"), "{err}");

    // Into a fresh data directory, with the secrets file the backup was made with.
    let fresh = tempfile::tempdir().expect("tempdir");
    std::fs::copy(dir.join("secrets.toml"), fresh.path().join("secrets.toml")).expect("secrets");
    let (code, out, err) = run_cli(fresh.path(), &["restore", file.to_str().expect("path")], "");
    assert_eq!(code, 0, "{out}{err}");
    let mut config = test_config(fresh.path());
    config.database_url = None;
    let restored = TestServer::start_in(Arc::new(fresh), config).await;
    // A consistent snapshot: the account made before is there, and signs in (same pepper).
    let mut b = restored.browser();
    assert_eq!(b.login("before@example.com", PASSWORD).await.status, StatusCode::SEE_OTHER);
    let n = crate::harness::db_strings(&restored, "SELECT email FROM users").await.len();
    assert!((1..=151).contains(&n), "{n} accounts");
}
