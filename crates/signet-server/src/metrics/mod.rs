//! Prometheus metrics (`/metrics`, text format 0.0.4), kept in atomics by this instance.
//!
//! **Every label value comes from a fixed set known at compile time** — route templates from
//! `routes::table` (or `unmatched`), a method from a short list (or `other`), a status class,
//! an audit kind's or grant type's name — never from the request (an unknown path, a method
//! name, a client id), so no request can add a series (Keycloak's CVE-2023-0657-style metrics
//! cardinality DoS; `metrics_labels_fixed_under_fuzzed_errors`).
//!
//! Served on the main listener when `[metrics] enabled` and `listen` is empty, else on its own
//! address only (`[metrics] listen`), which keeps it off the public port.

pub mod expose;
pub mod otlp;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::Instant;

const METHODS: [&str; 8] = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "other"];
const CLASSES: [&str; 5] = ["1xx", "2xx", "3xx", "4xx", "5xx"];
/// Latency buckets (seconds).
const BUCKETS: [f64; 12] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0];

/// The route templates the router serves (`unmatched` last) and their series.
#[derive(Debug)]
struct Routes {
    names: Vec<&'static str>,
    /// The templates as the router matches them, to their index.
    matcher: matchit::Router<usize>,
    /// [route][method][status class]
    requests: Vec<AtomicU64>,
    /// [route][bucket], +Inf in the last slot
    latency: Vec<AtomicU64>,
    latency_micros: Vec<AtomicU64>,
}

#[derive(Debug)]
pub struct Metrics {
    started: Instant,
    routes: OnceLock<Routes>,
    /// (family, label value) → count; both `'static`, so from the code, never from input.
    counters: Mutex<BTreeMap<(&'static str, &'static str), u64>>,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics { started: Instant::now(), routes: OnceLock::new(), counters: Mutex::new(BTreeMap::new()) }
    }
}

impl Metrics {
    /// The route templates to count requests by (the router's table, set once when it is
    /// built); a request matching none counts as `unmatched`.
    pub fn install_routes(&self, paths: Vec<&'static str>) {
        let _ = self.routes.get_or_init(|| {
            let mut names = paths;
            names.push("unmatched");
            let n = names.len();
            let zeros = |k: usize| (0..k).map(|_| AtomicU64::new(0)).collect::<Vec<_>>();
            let mut matcher = matchit::Router::new();
            for (i, n) in names.iter().enumerate().filter(|(_, n)| n.starts_with('/')) {
                // The router accepted these templates, so the same matcher does.
                let _ = matcher.insert(*n, i);
            }
            Routes {
                matcher,
                names,
                requests: zeros(n * METHODS.len() * CLASSES.len()),
                latency: zeros(n * (BUCKETS.len() + 1)),
                latency_micros: zeros(n),
            }
        });
    }

    /// The name of a route (`unmatched` for `None`), as the labels and spans carry it.
    pub fn route_name(&self, route: Option<usize>) -> &'static str {
        match (self.routes.get(), route) {
            (Some(r), Some(i)) => r.names.get(i).copied().unwrap_or("unmatched"),
            _ => "unmatched",
        }
    }

    /// A method's label: one of a fixed list, `other` for the rest.
    pub fn method_name(method: &str) -> &'static str {
        METHODS.iter().copied().find(|m| *m == method).unwrap_or("other")
    }

    /// The index of the route template `path` matches, if it matches one of the router's.
    pub fn route_of(&self, path: &str) -> Option<usize> {
        self.routes.get()?.matcher.at(path).ok().map(|m| *m.value)
    }

    /// Counts one event of a fixed family: `audit` (by kind), `token_grant` (by grant type),
    /// `token_error` (by OAuth error code).
    pub fn count(&self, family: &'static str, label: &'static str) {
        if let Ok(mut m) = self.counters.lock() {
            *m.entry((family, label)).or_insert(0) += 1;
        }
    }

    /// The sum of a family's counters since this instance started (the console's dashboard).
    pub fn total(&self, family: &str) -> u64 {
        self.counters.lock().map(|c| c.iter().filter(|((f, _), _)| *f == family).map(|(_, n)| *n).sum()).unwrap_or(0)
    }

    /// One counter of a family.
    pub fn get(&self, family: &str, label: &str) -> u64 {
        self.counters
            .lock()
            .map(|c| c.iter().find(|((f, l), _)| *f == family && *l == label).map_or(0, |(_, n)| *n))
            .unwrap_or(0)
    }

    pub fn uptime(&self) -> std::time::Duration {
        self.started.elapsed()
    }

    /// Counts a request of route `route` (`None`: unmatched).
    pub fn observe(&self, route: Option<usize>, method: &str, status: u16, elapsed: std::time::Duration) {
        let Some(r) = self.routes.get() else { return };
        let route = route.unwrap_or(r.names.len() - 1);
        let m = METHODS.iter().position(|x| *x == method).unwrap_or(METHODS.len() - 1);
        let c = usize::from((status / 100).clamp(1, 5)) - 1;
        r.requests[(route * METHODS.len() + m) * CLASSES.len() + c].fetch_add(1, Ordering::Relaxed);
        let secs = elapsed.as_secs_f64();
        let b = BUCKETS.iter().position(|le| secs <= *le).unwrap_or(BUCKETS.len());
        r.latency[route * (BUCKETS.len() + 1) + b].fetch_add(1, Ordering::Relaxed);
        r.latency_micros[route].fetch_add(elapsed.as_micros() as u64, Ordering::Relaxed);
    }
}
