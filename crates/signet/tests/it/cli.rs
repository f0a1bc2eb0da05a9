//! The `signet` command line: config validation, user administration, import, audit.

use reqwest::StatusCode;

use crate::harness::{run_cli, TestServer, PASSWORD};

#[tokio::test]
async fn config_unknown_key_fails_with_clear_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("signet.toml");
    std::fs::write(&file, "listen = \"127.0.0.1:9000\"\n[session]\nidle_timout = \"5m\"\n").expect("write");
    let (code, _, err) = run_cli(dir.path(), &["config", "check", file.to_str().expect("utf8")], "");
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("idle_timout") && err.contains("unknown field"), "{err}");
    assert!(!err.contains("panicked"));

    std::fs::write(&file, "[session]\nidle_timeout = \"soon\"\n").expect("write");
    let (code, _, err) = run_cli(dir.path(), &["config", "check", file.to_str().expect("utf8")], "");
    assert_eq!(code, 2);
    assert!(err.contains("session.idle_timeout") && err.contains("soon"), "{err}");

    // The server refuses to start on a bad value from the environment, naming it.
    std::fs::remove_file(&file).expect("rm");
    let out =
        crate::harness::signet_cmd(dir.path()).env("SIGNET_LISTEN", "nonsense").arg("serve").output().expect("run");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("listen") && err.contains("nonsense"), "{err}");

    std::fs::write(&file, "listen = \"127.0.0.1:9000\"\n").expect("write");
    let (code, out, _) = run_cli(dir.path(), &["config", "check", file.to_str().expect("utf8")], "");
    assert_eq!(code, 0);
    assert!(out.contains("OK"));
}

#[tokio::test]
async fn bcrypt_import_upgrades_to_argon2id() {
    let s = TestServer::start().await;
    let long = "a long legacy password that is well over seventy-two bytes in length, truly!!";
    assert!(long.len() > 72);
    let lines = [
        serde_json::json!({"email": "legacy@example.com", "password_hash": bcrypt::hash(PASSWORD, 4).expect("bcrypt")}),
        serde_json::json!({"email": "old2y@example.com", "password_hash": bcrypt::hash(PASSWORD, 4).expect("bcrypt").replacen("$2b$", "$2y$", 1)}),
        // Legacy systems hashed only the first 72 bytes.
        serde_json::json!({"email": "long@example.com", "password_hash": bcrypt::hash(&long[..72], 4).expect("bcrypt")}),
    ];
    let file = s.dir.path().join("users.jsonl");
    std::fs::write(&file, lines.iter().map(|l| l.to_string()).collect::<Vec<_>>().join("\n")).expect("write");
    let (code, out, err) = run_cli(s.dir.path(), &["user", "import", file.to_str().expect("utf8")], "");
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("imported 3"));

    for (email, pw) in [("legacy@example.com", PASSWORD), ("old2y@example.com", PASSWORD), ("long@example.com", long)] {
        let before = s.user(email).await.password.expect("password");
        assert!(before.hash.starts_with("$2"));
        assert_eq!(s.browser().login(email, "wrong password").await.status, StatusCode::OK);
        assert_eq!(s.browser().login(email, pw).await.status, StatusCode::SEE_OTHER, "{email}");
        let after = s.user(email).await.password.expect("password");
        assert!(after.hash.starts_with("$argon2id$"), "{email}: {}", after.hash);
        assert_eq!(after.pepper_id.as_deref(), Some("p1"));
        assert_eq!(s.browser().login(email, pw).await.status, StatusCode::SEE_OTHER, "still works after upgrade");
    }
}

#[tokio::test]
async fn import_reports_bad_lines_and_keeps_good_ones() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("users.jsonl");
    let good =
        serde_json::json!({"email": "ok@example.com", "password_hash": bcrypt::hash(PASSWORD, 4).expect("bcrypt")});
    std::fs::write(
        &file,
        format!("{good}\n{{\"email\": \"x@example.com\", \"password_hash\": \"plaintext\"}}\nnot json\n"),
    )
    .expect("write");
    let (code, out, err) = run_cli(dir.path(), &["user", "import", file.to_str().expect("utf8")], "");
    assert_eq!(code, 1);
    assert!(err.contains("line 2") && err.contains("bcrypt"), "{err}");
    assert!(err.contains("line 3"), "{err}");
    assert!(out.contains("imported 1 account(s), 2 failed"));
}

#[tokio::test]
async fn cli_user_create_list_disable_audit() {
    let s = TestServer::start().await;
    let d = s.dir.path();
    let (code, out, err) = run_cli(
        d,
        &["user", "create", "--email", "Admin@Example.com", "--password-stdin", "--admin"],
        &format!("{PASSWORD}\n"),
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("admin@example.com [admin]"));
    let (code, _, err) =
        run_cli(d, &["user", "create", "--email", "admin@example.com", "--password-stdin"], &format!("{PASSWORD}\n"));
    assert_eq!(code, 1);
    assert!(err.contains("already exists"));
    let (code, _, err) =
        run_cli(d, &["user", "create", "--email", "weak@example.com", "--password-stdin"], "password1\n");
    assert_eq!(code, 1);
    assert!(err.contains("too common"));

    let (_, out, _) = run_cli(d, &["user", "list", "--json"], "");
    let users: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(users[0]["email"], "admin@example.com");
    assert_eq!(users[0]["is_admin"], true);

    let mut b = s.browser();
    assert_eq!(b.login("admin@example.com", PASSWORD).await.status, StatusCode::SEE_OTHER);
    assert_eq!(b.get("/api/v1/admin/users").await.status, StatusCode::OK);
    let (code, _, _) = run_cli(d, &["user", "disable", "admin@example.com"], "");
    assert_eq!(code, 0);
    assert_eq!(b.get("/account").await.status, StatusCode::SEE_OTHER, "disabling ends sessions");
    assert_eq!(s.browser().login("admin@example.com", PASSWORD).await.status, StatusCode::OK, "cannot sign in");
    run_cli(d, &["user", "enable", "admin@example.com"], "");
    let (code, _, _) =
        run_cli(d, &["user", "set-password", "admin@example.com", "--password-stdin"], "brand new passphrase\n");
    assert_eq!(code, 0);
    assert_eq!(s.browser().login("admin@example.com", "brand new passphrase").await.status, StatusCode::SEE_OTHER);

    let (code, out, _) = run_cli(d, &["audit", "list", "--json", "--user", "admin@example.com"], "");
    assert_eq!(code, 0);
    let events: serde_json::Value = serde_json::from_str(&out).expect("json");
    let kinds: Vec<&str> = events.as_array().expect("array").iter().filter_map(|e| e["kind"].as_str()).collect();
    for k in ["user_create", "login_success", "login_failure", "user_disable", "user_enable", "password_change"] {
        assert!(kinds.contains(&k), "{k} missing from {kinds:?}");
    }
    let (code, _, err) = run_cli(d, &["user", "disable", "nobody@example.com"], "");
    assert_eq!(code, 1);
    assert!(err.contains("no account"));
}
