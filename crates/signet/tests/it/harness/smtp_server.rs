//! A real SMTP server for the mail tests: Python's aiosmtpd (from PyPI, in the interop venv
//! that scripts/test-all creates) on a free loopback port, keeping every message in a Maildir.

use std::path::PathBuf;

pub struct SmtpServer {
    pub port: u16,
    pub maildir: PathBuf,
    _dir: tempfile::TempDir,
    child: Option<std::process::Child>,
}

/// The Python that has aiosmtpd: `SIGNET_TEST_PYTHON`, else the interop venv.
fn python() -> PathBuf {
    if let Ok(p) = std::env::var("SIGNET_TEST_PYTHON") {
        return PathBuf::from(p);
    }
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../interop/.venv/bin/python"))
}

impl SmtpServer {
    pub fn start() -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port();
        Self::start_on(port)
    }

    /// On a given port (to bring a server back where an instance expects it).
    pub fn start_on(port: u16) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let maildir = dir.path().join("maildir");
        let py = python();
        let child = std::process::Command::new(&py)
            .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}"), "-c", "aiosmtpd.handlers.Mailbox"])
            .arg(&maildir)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                unreachable!(
                    "{}: {e}; run `bash scripts/test-all --deps-only` (it creates interop/.venv with aiosmtpd)",
                    py.display()
                )
            });
        // Held (and killed on drop) from here on, whether or not it comes up.
        let server = Self { port, maildir, _dir: dir, child: Some(child) };
        for _ in 0..500 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return server;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        unreachable!("aiosmtpd did not start on port {port}");
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Every message received so far, raw.
    pub fn messages(&self) -> Vec<String> {
        let mut out = Vec::new();
        for sub in ["new", "cur"] {
            if let Ok(entries) = std::fs::read_dir(self.maildir.join(sub)) {
                for e in entries.flatten() {
                    out.push(std::fs::read_to_string(e.path()).unwrap_or_default());
                }
            }
        }
        out
    }

    /// Waits until `n` messages arrived (the outbox worker runs every 2 s).
    pub async fn wait_for(&self, n: usize) -> Vec<String> {
        for _ in 0..150 {
            let m = self.messages();
            if m.len() >= n {
                return m;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        self.messages()
    }

    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        self.stop();
    }
}
