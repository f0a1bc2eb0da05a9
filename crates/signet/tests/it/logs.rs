//! What the server writes to its logs.

use std::io::{BufRead, BufReader, Read};
use std::process::Stdio;

use reqwest::StatusCode;

use crate::harness::{signet_cmd, Browser};

#[tokio::test]
async fn password_never_logged() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut child = signet_cmd(dir.path())
        .arg("serve")
        .env("SIGNET_LISTEN", "127.0.0.1:0")
        .env("SIGNET_LOG", "trace")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let mut banner = String::new();
    let mut addr = String::new();
    while addr.is_empty() {
        let mut line = String::new();
        if stdout.read_line(&mut line).expect("read") == 0 {
            break;
        }
        if let Some(rest) = line.trim().strip_prefix("Signet ") {
            addr = rest.split("listening on ").nth(1).unwrap_or("").to_owned();
        }
        banner.push_str(&line);
    }
    assert!(addr.starts_with("http://127.0.0.1:"), "{banner}");

    let secret_pw = "Zebra-Quokka-Marmalade-7319";
    let new_pw = "Otter-Lantern-Fig-2846";
    let mut b = Browser::new(&addr);
    assert_eq!(b.signup("logcheck@example.com", secret_pw).await.status, StatusCode::SEE_OTHER);
    let mut c = Browser::new(&addr);
    c.login("logcheck@example.com", "Wrong-Guess-Password-55").await;
    assert_eq!(c.login("logcheck@example.com", secret_pw).await.status, StatusCode::SEE_OTHER);
    let csrf = c.get("/account/password").await.csrf();
    let r = c
        .post_form("/account/password", &[("csrf", &csrf), ("current_password", secret_pw), ("new_password", new_pw)])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let mut secrets: Vec<String> = vec![secret_pw.into(), new_pw.into(), "Wrong-Guess-Password-55".into(), csrf];
    secrets.extend(b.cookies.values().cloned());
    secrets.extend(c.cookies.values().cloned());

    let _ = child.kill();
    let _ = child.wait();
    let mut logs = String::new();
    child.stderr.take().expect("stderr").read_to_string(&mut logs).expect("logs");
    stdout.read_to_string(&mut logs).expect("rest of stdout");
    assert!(logs.lines().count() > 10, "trace logging produced output");
    assert!(logs.contains("\"path\":\"/login\""), "requests are logged");
    for s in &secrets {
        assert!(!logs.contains(s.as_str()), "secret {}… found in logs", &s[..4]);
    }
    // The secrets file is private.
    let text = std::fs::read_to_string(dir.path().join("secrets.toml")).expect("secrets");
    for line in text.lines().filter(|l| l.contains("key")) {
        let v = line.split('"').nth(1).unwrap_or("");
        assert!(v.is_empty() || !logs.contains(v));
    }
}
