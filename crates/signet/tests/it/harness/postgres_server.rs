//! A real PostgreSQL for the tests that stop and start one.

use std::path::PathBuf;
use std::process::Command;

/// A PostgreSQL server from the Debian package, with its own cluster on a free loopback port,
/// for this test only (`scripts/pg-start` does the work: as root it runs as `postgres`).
pub struct PostgresServer {
    pub url: String,
    port: u16,
    dir: PathBuf,
    _tmp: tempfile::TempDir,
}

fn script() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../scripts/pg-start")
}

impl PostgresServer {
    pub fn start() -> Self {
        let tmp = tempfile::Builder::new().prefix("signet-pg-").tempdir_in("/tmp").expect("tempdir");
        // The cluster directory must be creatable by the postgres user.
        let dir = tmp.path().join("data");
        let port = std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port();
        let s = Self { url: format!("postgres://signet@127.0.0.1:{port}/postgres"), port, dir, _tmp: tmp };
        let _ = Command::new("chmod").args(["755", &s._tmp.path().to_string_lossy()]).status();
        s.run_start();
        s
    }

    fn run_start(&self) {
        let out = Command::new("bash")
            .arg(script())
            .args([&self.port.to_string(), &self.dir.to_string_lossy().to_string()])
            .output()
            .expect("run scripts/pg-start");
        assert!(out.status.success(), "postgres did not start: {}", String::from_utf8_lossy(&out.stderr));
    }

    /// Stops the server at once (`immediate`: like a crash, open connections are cut).
    pub fn stop(&self) {
        let _ = Command::new("bash").arg(script()).args(["--stop", &self.dir.to_string_lossy()]).output();
    }

    /// Starts it again on the same port and data.
    pub fn restart(&self) {
        self.run_start();
    }
}

impl Drop for PostgresServer {
    fn drop(&mut self) {
        self.stop();
    }
}
