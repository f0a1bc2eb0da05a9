//! A real Redis for the tests that need one.

/// A real redis-server from the Debian package, on a free loopback port, for this test only.
pub struct RedisServer {
    pub url: String,
    port: u16,
    child: Option<std::process::Child>,
}

impl RedisServer {
    pub fn start() -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port();
        let mut r = Self { url: format!("redis://127.0.0.1:{port}/0"), port, child: None };
        r.spawn();
        r
    }

    fn spawn(&mut self) {
        let child = std::process::Command::new("redis-server")
            .args(["--port", &self.port.to_string(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("redis-server must be installed (apt-get install redis-server); scripts/test-all installs it");
        self.child = Some(child);
        for _ in 0..200 {
            if std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        panic_free_fail("redis-server did not start");
    }

    /// Stops Redis (to test failure behaviour).
    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.stop();
    }
}

fn panic_free_fail(msg: &str) {
    assert!(msg.is_empty(), "{msg}");
}
