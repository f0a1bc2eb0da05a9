//! `[metrics]`, `[otlp]` and `[audit]`: what Signet tells its operators (issue 22).

use serde::Deserialize;
use time::Duration;

/// `[metrics]`: Prometheus metrics (issue 22).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MetricsConfig {
    /// Serve `/metrics`.
    pub enabled: bool,
    /// Serve it on this address only (e.g. `127.0.0.1:9464`), not on the public listener.
    pub listen: String,
}

/// `[otlp]`: OpenTelemetry traces over OTLP/HTTP (issue 22); off while `endpoint` is empty.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OtlpConfig {
    /// The collector's base URL, e.g. `http://127.0.0.1:4318` (spans go to `/v1/traces`).
    pub endpoint: String,
    /// The `service.name` resource attribute.
    pub service_name: String,
}

impl Default for OtlpConfig {
    fn default() -> Self {
        Self { endpoint: String::new(), service_name: "signet".into() }
    }
}

/// `[audit]`: how long audit events are kept (issue 22).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AuditConfig {
    /// Events older than this are deleted, in small batches, by the upkeep loop.
    #[serde(deserialize_with = "super::de_duration")]
    pub retention: Duration,
}

impl Default for AuditConfig {
    fn default() -> Self {
        Self { retention: Duration::days(365) }
    }
}
