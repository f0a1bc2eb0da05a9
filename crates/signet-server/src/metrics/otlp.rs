//! OpenTelemetry traces over OTLP/HTTP (JSON encoding, OTLP 1.x `/v1/traces`), off unless
//! `[otlp] endpoint` is set — and then free of cost for the request but a `try_send`.
//!
//! One server span per request, named `METHOD route-template`, with the semantic-convention
//! attributes `http.request.method`, `http.route` and `http.response.status_code` (never the
//! path, query or headers: they carry codes and tokens). A W3C `traceparent` header
//! (Trace Context §3.2) continues the caller's trace. Spans are batched (up to 512 or every
//! second) and a full queue drops spans rather than waiting: tracing never slows a request.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{json, Value};
use tokio::sync::mpsc;

/// How many finished spans may wait for the exporter.
const QUEUE: usize = 4096;
const BATCH: usize = 512;

/// A finished request span.
#[derive(Debug)]
pub struct Span {
    pub trace_id: [u8; 16],
    pub span_id: [u8; 8],
    pub parent: Option<[u8; 8]>,
    pub method: &'static str,
    pub route: &'static str,
    pub status: u16,
    pub start: SystemTime,
    pub end: SystemTime,
}

/// The sending half kept in the state; `None` when OTLP is off.
#[derive(Debug)]
pub struct Tracer {
    tx: mpsc::Sender<Span>,
}

impl Tracer {
    /// A tracer and the exporter task's receiver (spawned by `run`).
    pub fn new() -> (Self, mpsc::Receiver<Span>) {
        let (tx, rx) = mpsc::channel(QUEUE);
        (Tracer { tx }, rx)
    }

    /// Queues a span; a full queue drops it.
    pub fn record(&self, span: Span) {
        let _ = self.tx.try_send(span);
    }
}

/// The trace and parent span of a `traceparent` header (version 00), if well-formed and not
/// all zeros; otherwise a new trace.
pub fn parent(header: Option<&str>) -> ([u8; 16], Option<[u8; 8]>) {
    let parsed = header.and_then(|h| {
        let mut parts = h.trim().split('-');
        let (version, trace, span, flags) = (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
        if version != "00" || flags.len() != 2 || parts.next().is_some() {
            return None;
        }
        let mut t = [0u8; 16];
        let mut s = [0u8; 8];
        hex::decode_to_slice(trace, &mut t).ok()?;
        hex::decode_to_slice(span, &mut s).ok()?;
        (t != [0; 16] && s != [0; 8]).then_some((t, Some(s)))
    });
    parsed.unwrap_or_else(|| (signet_core::secret::random_bytes::<16>(), None))
}

fn nanos(t: SystemTime) -> String {
    t.duration_since(UNIX_EPOCH).unwrap_or_default().as_nanos().to_string()
}

/// The OTLP/JSON body of a batch (ids in hex, times as decimal strings, as OTLP/JSON encodes
/// them).
pub fn body(service: &str, spans: &[Span]) -> Value {
    let spans: Vec<Value> = spans
        .iter()
        .map(|s| {
            let mut v = json!({
                "traceId": hex::encode(s.trace_id),
                "spanId": hex::encode(s.span_id),
                "name": format!("{} {}", s.method, s.route),
                "kind": 2, // SPAN_KIND_SERVER
                "startTimeUnixNano": nanos(s.start),
                "endTimeUnixNano": nanos(s.end),
                "attributes": [
                    { "key": "http.request.method", "value": { "stringValue": s.method } },
                    { "key": "http.route", "value": { "stringValue": s.route } },
                    { "key": "http.response.status_code", "value": { "intValue": s.status.to_string() } },
                ],
                // STATUS_CODE_ERROR for server errors only (OTel HTTP semantic conventions).
                "status": { "code": if s.status >= 500 { 2 } else { 0 } },
            });
            if let Some(p) = s.parent {
                v["parentSpanId"] = json!(hex::encode(p));
            }
            v
        })
        .collect();
    json!({ "resourceSpans": [{
        "resource": { "attributes": [
            { "key": "service.name", "value": { "stringValue": service } },
            { "key": "service.version", "value": { "stringValue": env!("CARGO_PKG_VERSION") } },
        ]},
        "scopeSpans": [{ "scope": { "name": "signet" }, "spans": spans }],
    }]})
}

/// The exporter: batches spans and POSTs them to `<endpoint>/v1/traces` until the sending
/// side is gone. A collector that fails is logged (once per failure streak), not retried.
pub async fn export(endpoint: String, service: String, mut rx: mpsc::Receiver<Span>) {
    let url = format!("{}/v1/traces", endpoint.trim_end_matches('/'));
    let http = match reqwest::Client::builder().timeout(Duration::from_secs(10)).build() {
        Ok(h) => h,
        Err(e) => return tracing::warn!(error = %e, "OTLP exporter could not start"),
    };
    let mut failing = false;
    let mut batch = Vec::with_capacity(BATCH);
    loop {
        let first = match rx.recv().await {
            Some(s) => s,
            None => return,
        };
        batch.push(first);
        let deadline = tokio::time::Instant::now() + Duration::from_secs(1);
        while batch.len() < BATCH {
            match tokio::time::timeout_at(deadline, rx.recv()).await {
                Ok(Some(s)) => batch.push(s),
                Ok(None) | Err(_) => break,
            }
        }
        let res = http.post(&url).json(&body(&service, &batch)).send().await;
        match res.map(|r| r.status()) {
            Ok(s) if s.is_success() => failing = false,
            other => {
                if !failing {
                    tracing::warn!(url = %url, outcome = ?other.map_err(|e| e.to_string()), "OTLP export failed");
                }
                failing = true;
            }
        }
        batch.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traceparent_continues_or_starts_a_trace() {
        let (t, p) = parent(Some("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"));
        assert_eq!(hex::encode(t), "4bf92f3577b34da6a3ce929d0e0e4736");
        assert_eq!(p.map(hex::encode).as_deref(), Some("00f067aa0ba902b7"));
        for bad in
            ["01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "00-0000-00f067aa0ba902b7-01", "garbage", ""]
        {
            assert_eq!(parent(Some(bad)).1, None, "{bad}");
        }
        let zeros = "00-00000000000000000000000000000000-00f067aa0ba902b7-01";
        assert_eq!(parent(Some(zeros)).1, None);
    }
}
