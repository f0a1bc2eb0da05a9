//! The metrics' HTTP side: the layers that count requests, and the exposition.

use std::fmt::Write as _;
use std::sync::atomic::Ordering;
use std::time::Instant;

use axum::extract::{Request, State};
use axum::response::Response;

use super::{BUCKETS, CLASSES, METHODS};
use crate::state::AppState;

/// One request being counted by route template, method and status class, and timed; with
/// OTLP on (`metrics::otlp`), its span recorded too. The router's outermost layer (`crate::edge`)
/// starts it first and finishes it last.
pub struct Timing {
    start: Instant,
    /// The route template the path matches (the router's own matcher), if any.
    route: Option<usize>,
    method: &'static str,
    /// With OTLP on: the trace and parent span it continues, and when it started.
    trace: Option<(TraceParent, std::time::SystemTime)>,
}

/// A W3C trace id and, if the caller sent one, the parent span id.
type TraceParent = ([u8; 16], Option<[u8; 8]>);

impl Timing {
    pub fn start(state: &AppState, req: &Request) -> Self {
        let trace = state.tracer.as_ref().map(|_| {
            let header = req.headers().get("traceparent").and_then(|v| v.to_str().ok());
            (super::otlp::parent(header), std::time::SystemTime::now())
        });
        let route = state.metrics.route_of(req.uri().path());
        Timing { start: Instant::now(), route, method: super::Metrics::method_name(req.method().as_str()), trace }
    }

    pub fn finish(self, state: &AppState, res: &Response) {
        let route = self.route;
        let status = res.status().as_u16();
        state.metrics.observe(route, self.method, status, self.start.elapsed());
        if let (Some(tracer), Some(((trace_id, parent), started))) = (&state.tracer, self.trace) {
            tracer.record(super::otlp::Span {
                trace_id,
                span_id: signet_core::secret::random_bytes::<8>(),
                parent,
                method: self.method,
                route: state.metrics.route_name(route),
                status,
                start: started,
                end: std::time::SystemTime::now(),
            });
        }
    }
}

fn line(out: &mut String, name: &str, labels: &[(&str, &str)], value: impl std::fmt::Display) {
    out.push_str(name);
    if !labels.is_empty() {
        out.push('{');
        for (i, (k, v)) in labels.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            // Label values are route templates and code names: no quote, backslash or newline.
            let _ = write!(out, "{k}=\"{v}\"");
        }
        out.push('}');
    }
    let _ = writeln!(out, " {value}");
}

fn help(out: &mut String, name: &str, kind: &str, text: &str) {
    let _ = writeln!(out, "# HELP {name} {text}\n# TYPE {name} {kind}");
}

/// The exposition: request counts and latency, events, and gauges read now.
pub async fn render(state: &AppState) -> String {
    let m = &state.metrics;
    let mut out = String::with_capacity(16 * 1024);
    let Some(r) = m.routes.get() else { return out };
    let names = &r.names;
    help(
        &mut out,
        "signet_http_requests_total",
        "counter",
        "HTTP requests by route template, method and status class.",
    );
    for (i, route) in names.iter().enumerate() {
        for (mi, method) in METHODS.iter().enumerate() {
            for (ci, class) in CLASSES.iter().enumerate() {
                let v = r.requests[(i * METHODS.len() + mi) * CLASSES.len() + ci].load(Ordering::Relaxed);
                if v > 0 {
                    line(
                        &mut out,
                        "signet_http_requests_total",
                        &[("route", route), ("method", method), ("status", class)],
                        v,
                    );
                }
            }
        }
    }
    help(&mut out, "signet_http_request_duration_seconds", "histogram", "Request latency by route template.");
    for (i, route) in names.iter().enumerate() {
        let counts: Vec<u64> =
            (0..=BUCKETS.len()).map(|b| r.latency[i * (BUCKETS.len() + 1) + b].load(Ordering::Relaxed)).collect();
        let total: u64 = counts.iter().sum();
        if total == 0 {
            continue;
        }
        let mut cumulative = 0;
        for (b, le) in BUCKETS.iter().enumerate() {
            cumulative += counts[b];
            let le = le.to_string();
            line(&mut out, "signet_http_request_duration_seconds_bucket", &[("route", route), ("le", &le)], cumulative);
        }
        line(&mut out, "signet_http_request_duration_seconds_bucket", &[("route", route), ("le", "+Inf")], total);
        let sum = r.latency_micros[i].load(Ordering::Relaxed) as f64 / 1e6;
        line(&mut out, "signet_http_request_duration_seconds_sum", &[("route", route)], sum);
        line(&mut out, "signet_http_request_duration_seconds_count", &[("route", route)], total);
    }
    let counters = m.counters.lock().map(|c| c.clone()).unwrap_or_default();
    for (family, label, text) in [
        (
            "audit",
            "kind",
            "Audit events by kind: sign-ins and their failures, second factors, refresh-token reuse, admin actions.",
        ),
        ("token_grant", "grant", "Tokens issued by the token endpoint, by grant type."),
        ("token_error", "error", "Token-endpoint refusals by OAuth error code."),
    ] {
        let name = format!("signet_{family}_total");
        help(&mut out, &name, "counter", text);
        for ((f, v), n) in counters.iter().filter(|((f, _), _)| *f == family) {
            let _ = f;
            line(&mut out, &name, &[(label, v)], n);
        }
    }
    let stats = &state.hash_pool.stats;
    help(&mut out, "signet_password_hashes_total", "counter", "Argon2id hashes and verifications computed.");
    line(&mut out, "signet_password_hashes_total", &[("op", "hash")], stats.hashes.load(Ordering::Relaxed));
    line(&mut out, "signet_password_hashes_total", &[("op", "verify")], stats.verifications.load(Ordering::Relaxed));
    help(&mut out, "signet_password_hash_busy_total", "counter", "Hashing refused because the pool's queue was full.");
    line(&mut out, "signet_password_hash_busy_total", &[], stats.rejected_busy.load(Ordering::Relaxed));
    help(&mut out, "signet_password_hash_queue", "gauge", "Password hashing jobs waiting for a worker.");
    line(&mut out, "signet_password_hash_queue", &[], stats.queued.load(Ordering::Relaxed));
    help(&mut out, "signet_db_connections", "gauge", "Database pool connections by pool and state.");
    for (pool, open, idle) in state.store.pool_stats() {
        line(&mut out, "signet_db_connections", &[("pool", pool), ("state", "open")], open);
        line(&mut out, "signet_db_connections", &[("pool", pool), ("state", "idle")], idle);
    }
    help(&mut out, "signet_database_up", "gauge", "1 when the database answers.");
    line(&mut out, "signet_database_up", &[], u8::from(state.store.ping().await.is_ok()));
    if state.config.redis_url.is_some() {
        help(&mut out, "signet_redis_up", "gauge", "1 when Redis answers.");
        line(&mut out, "signet_redis_up", &[], u8::from(state.ephemeral.ping().await.is_ok()));
    }
    if let Ok(c) = state.store.outbox_counts().await {
        help(&mut out, "signet_mail_outbox", "gauge", "Mail in the outbox by state.");
        line(&mut out, "signet_mail_outbox", &[("state", "pending")], c.pending);
        line(&mut out, "signet_mail_outbox", &[("state", "failed")], c.failed);
    }
    if let Ok(keys) = state.store.list_keys().await {
        let now = state.now();
        help(&mut out, "signet_signing_key_age_seconds", "gauge", "Age of the current signing key, by algorithm.");
        for k in keys.iter().filter(|k| k.state == signet_store::KeyState::Current) {
            let alg = signet_core::client::SigningAlg::parse(&k.alg).map_or("other", |a| a.as_str());
            let age = (now - k.activated_at.unwrap_or(k.created_at)).whole_seconds();
            line(&mut out, "signet_signing_key_age_seconds", &[("alg", alg)], age);
        }
    }
    help(&mut out, "signet_uptime_seconds", "gauge", "Seconds since this instance started.");
    line(&mut out, "signet_uptime_seconds", &[], m.started.elapsed().as_secs());
    if let Some(rss) = resident_bytes() {
        help(&mut out, "process_resident_memory_bytes", "gauge", "Resident memory of this process.");
        line(&mut out, "process_resident_memory_bytes", &[], rss);
    }
    out
}

/// Resident set size from `/proc/self/statm` (Linux; none elsewhere).
pub fn resident_bytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}

/// `GET /metrics`
pub async fn serve(State(state): State<AppState>) -> Response {
    use axum::response::IntoResponse;
    let body = render(&state).await;
    ([(axum::http::header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], body).into_response()
}
