//! A random id for every request: returned in `X-Request-Id`, attached to log lines, shown on
//! error pages so a user's report can be matched to the server log.

use axum::extract::Request;
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use signet_core::secret::random_bytes;

tokio::task_local! {
    static REQUEST_ID: String;
}

/// The current request's id, or `-` outside a request.
pub fn current() -> String {
    REQUEST_ID.try_with(Clone::clone).unwrap_or_else(|_| "-".into())
}

/// Middleware: assigns the id (ignoring any the client sent, which it could forge) and runs
/// the rest of the stack inside a span that carries it.
pub async fn layer(req: Request, next: Next) -> Response {
    let id = hex::encode(random_bytes::<12>());
    let span = tracing::info_span!("request", request_id = %id, method = %req.method(), path = %req.uri().path());
    let started = std::time::Instant::now();
    let mut res = tracing::Instrument::instrument(REQUEST_ID.scope(id.clone(), next.run(req)), span.clone()).await;
    // Only method, path (never the query, which may carry codes) and status are logged.
    span.in_scope(|| {
        tracing::info!(status = res.status().as_u16(), latency_ms = started.elapsed().as_millis() as u64, "request");
    });
    if let Ok(v) = HeaderValue::from_str(&id) {
        res.headers_mut().insert("x-request-id", v);
    }
    res
}
