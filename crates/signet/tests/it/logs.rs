//! What the server writes to its logs.

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Stdio};

use reqwest::StatusCode;

use crate::harness::{signet_cmd, Browser};

/// `signet serve` as a separate process with trace-level logs. Its output is drained by
/// background threads from the start (a full pipe would block the server's logging and so its
/// requests); [`Logged::finish`] stops it and returns everything it wrote.
struct Logged {
    child: Child,
    readers: Vec<std::thread::JoinHandle<String>>,
}

fn serve_with_trace_logs(dir: &std::path::Path) -> (Logged, String) {
    let mut child = signet_cmd(dir)
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
    let mut stderr = child.stderr.take().expect("stderr");
    let readers = vec![
        std::thread::spawn(move || {
            let mut s = String::new();
            let _ = stdout.read_to_string(&mut s);
            s
        }),
        std::thread::spawn(move || {
            let mut s = String::new();
            let _ = stderr.read_to_string(&mut s);
            s
        }),
    ];
    (Logged { child, readers }, addr)
}

impl Logged {
    fn finish(mut self) -> String {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let logs: String = self.readers.into_iter().map(|r| r.join().unwrap_or_default()).collect();
        assert!(logs.lines().count() > 10, "trace logging produced output");
        logs
    }
}

/// Signs up through the page (which answers the same for every address and creates the account
/// just after) and signs in once the account exists.
async fn signup_then_login(addr: &str, email: &str, password: &str) -> Browser {
    assert_eq!(Browser::new(addr).signup(email, password).await.status, StatusCode::OK);
    for _ in 0..30 {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        let mut c = Browser::new(addr);
        if c.login(email, password).await.status == StatusCode::SEE_OTHER {
            return c;
        }
    }
    unreachable!("the account was never created");
}

#[tokio::test]
async fn password_never_logged() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (server, addr) = serve_with_trace_logs(dir.path());

    let secret_pw = "Zebra-Quokka-Marmalade-7319";
    let new_pw = "Otter-Lantern-Fig-2846";
    let b = signup_then_login(&addr, "logcheck@example.com", secret_pw).await;
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

    let logs = server.finish();
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

#[tokio::test]
async fn totp_secret_never_logged() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (server, addr) = serve_with_trace_logs(dir.path());
    let mut b = signup_then_login(&addr, "totp-log@example.com", "Heron-Velvet-Compass-4471").await;
    let csrf = b.get("/account/security").await.csrf();
    b.post_form("/account/security/totp", &[("csrf", &csrf), ("return_to", "")]).await;
    let page = b.get("/account/security/totp").await;
    let shown =
        page.body.split("<code id=\"totp-secret\">").nth(1).and_then(|r| r.split("</code>").next()).expect("key");
    let secret = signet_core::totp::TotpSecret::from_base32(shown).expect("secret");
    let base32 = shown.replace(' ', "");
    let step = time::OffsetDateTime::now_utc().unix_timestamp().div_euclid(30);
    let enrol_code = secret.code_at_step(step).expect("code");
    let r = b
        .post_form(
            "/account/security/totp/confirm",
            &[("csrf", &page.csrf()), ("code", &enrol_code), ("return_to", "")],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let backup: Vec<String> =
        r.body.split("<li><code>").skip(1).filter_map(|c| c.split("</code>").next()).map(str::to_owned).collect();
    assert_eq!(backup.len(), 10);
    // A wrong code, a right one (the next step: within the drift window), a backup code.
    let login_code = secret.code_at_step(step + 1).expect("code");
    for (code, want) in [("314159", StatusCode::BAD_REQUEST), (login_code.as_str(), StatusCode::SEE_OTHER)] {
        let mut c = Browser::new(&addr);
        let r = c.login("totp-log@example.com", "Heron-Velvet-Compass-4471").await;
        assert_eq!(r.location(), "/login/second-factor", "the password step passed");
        let p = c.get("/login/second-factor").await;
        assert_eq!(p.status, StatusCode::OK);
        let r = c.post_form("/login/second-factor", &[("csrf", &p.csrf()), ("method", "totp"), ("code", code)]).await;
        assert_eq!(r.status, want, "the code step ran as intended");
        assert_eq!(c.session_cookie().is_some(), want == StatusCode::SEE_OTHER);
    }
    let mut c = Browser::new(&addr);
    c.login("totp-log@example.com", "Heron-Velvet-Compass-4471").await;
    let p = c.get("/login/second-factor").await;
    let r =
        c.post_form("/login/second-factor", &[("csrf", &p.csrf()), ("method", "backup"), ("code", &backup[0])]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let logs = server.finish();
    assert!(logs.contains("\"path\":\"/login/second-factor\""), "requests are logged");
    let mut secrets = vec![base32, hex::encode(secret.expose_bytes()), enrol_code, login_code, "314159".to_owned()];
    secrets.extend(backup.iter().flat_map(|c| [c.clone(), c.replace('-', "")]));
    for s in &secrets {
        assert!(!logs.contains(s.as_str()), "secret {}… found in logs", &s[..3]);
    }
    // At rest the secret is sealed: not in the database file in any readable form either.
    let db = std::fs::read(dir.path().join("signet.db")).expect("db");
    let db = String::from_utf8_lossy(&db);
    assert!(!db.contains(&secrets[0]) && !db.contains(&secrets[1]));
}

/// A recovery link's token is in its path: the request log shows the path with the token
/// replaced, and the link itself (in the `.eml` file) never reaches the logs.
#[tokio::test]
async fn recovery_token_never_logged() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (server, addr) = serve_with_trace_logs(dir.path());
    signup_then_login(&addr, "lost@example.com", "Quince-Harbour-Lamp-5521").await;
    let mut c = Browser::new(&addr);
    let page = c.get("/recover").await;
    assert_eq!(
        c.post_form("/recover", &[("csrf", &page.csrf()), ("email", "lost@example.com")]).await.status,
        StatusCode::OK
    );
    // The link arrives as an .eml file under data_dir/mail.
    let mut token = String::new();
    for _ in 0..100 {
        let mail_dir = dir.path().join("mail");
        for e in std::fs::read_dir(&mail_dir).into_iter().flatten().flatten() {
            let text = std::fs::read_to_string(e.path()).unwrap_or_default().replace("=\r\n", "");
            if let Some(at) = text.find("sgn_rc_") {
                token = text[at..].chars().take_while(|c| c.is_ascii_alphanumeric() || "_-".contains(*c)).collect();
            }
        }
        if !token.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(token.len() > 40, "a token: {token:?}");
    assert_eq!(c.get(&format!("/recover/{token}")).await.status, StatusCode::OK);
    let logs = server.finish();
    assert!(logs.contains("\"path\":\"/recover/[redacted]\""), "the request is logged, redacted");
    assert!(!logs.contains(&token), "the token is never logged");
    assert!(!logs.contains(&token[..20]));
}
