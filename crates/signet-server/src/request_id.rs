//! A random id for every request: returned in `X-Request-Id`, attached to log lines, shown on
//! error pages so a user's report can be matched to the server log.

use axum::extract::Request;
use axum::http::HeaderValue;
use axum::response::Response;
use std::hash::BuildHasher;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::LazyLock;

tokio::task_local! {
    static REQUEST_ID: String;
}

/// Request ids are not secrets, only unique and unguessable enough not to collide across
/// instances: a counter, and the counter under a keyed hash (SipHash with a random key), instead
/// of a getrandom system call per request.
static KEY: LazyLock<std::collections::hash_map::RandomState> = LazyLock::new(Default::default);
static COUNTER: AtomicU64 = AtomicU64::new(0);

fn next_id() -> String {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!("{:016x}{:08x}", KEY.hash_one(n), n as u32)
}

/// The current request's id, or `-` outside a request.
pub fn current() -> String {
    REQUEST_ID.try_with(Clone::clone).unwrap_or_else(|_| "-".into())
}

/// The path as logged: a secret in it (the token of a recovery link, `sgn_…`) is replaced.
pub fn logged_path(path: &str) -> std::borrow::Cow<'_, str> {
    if !path.contains("/sgn_") {
        return std::borrow::Cow::Borrowed(path);
    }
    let parts: Vec<&str> = path.split('/').map(|p| if p.starts_with("sgn_") { "[redacted]" } else { p }).collect();
    std::borrow::Cow::Owned(parts.join("/"))
}

/// A request's id, assigned before anything else runs (ignoring any the client sent, which it
/// could forge); [`Assigned::run`] runs the rest of the request inside a span that carries it,
/// logs the answer and returns the id in `X-Request-Id`. The router's edge layer (`crate::edge`)
/// does both.
pub struct Assigned {
    id: String,
    echo: Option<HeaderValue>,
    span: tracing::Span,
}

impl Assigned {
    pub fn of(req: &Request) -> Self {
        let id = next_id();
        // The AuthZEN API echoes the caller's `X-Request-ID` (its certification scenario §C.5);
        // it is logged beside ours, never instead of it.
        let echo = req
            .uri()
            .path()
            .starts_with("/access/v1/")
            .then(|| req.headers().get("x-request-id").cloned())
            .flatten()
            .filter(|v| v.len() <= 200 && v.as_bytes().iter().all(|b| b.is_ascii_graphic()));
        let path = logged_path(req.uri().path());
        let span = tracing::info_span!("request", request_id = %id, method = %req.method(), path = %path);
        Assigned { id, echo, span }
    }

    pub async fn run(self, inner: impl std::future::Future<Output = Response>) -> Response {
        let started = std::time::Instant::now();
        let mut res =
            tracing::Instrument::instrument(REQUEST_ID.scope(self.id.clone(), inner), self.span.clone()).await;
        // Only method, path (never the query, which may carry codes) and status are logged.
        self.span.in_scope(|| {
            tracing::info!(
                status = res.status().as_u16(),
                latency_ms = started.elapsed().as_millis() as u64,
                "request"
            );
        });
        match self.echo {
            Some(v) => {
                res.headers_mut().insert("x-request-id", v);
            }
            None => {
                if let Ok(v) = HeaderValue::from_str(&self.id) {
                    res.headers_mut().insert("x-request-id", v);
                }
            }
        }
        res
    }
}
