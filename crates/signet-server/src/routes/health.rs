//! `/healthz`: the process is up. `/readyz`: the database answers (and Redis and the SMTP
//! server, when configured).

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde_json::{json, Value};

use crate::state::AppState;

pub async fn healthz() -> &'static str {
    "ok"
}

/// Not ready without the database. Without Redis (when configured) Signet still serves —
/// rate limits fall back to this instance, revocation checks fail closed — and reports
/// `degraded`, with 503 so a load balancer prefers healthy instances.
pub async fn readyz(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    let db = state.store.ping().await;
    let redis = match state.config.redis_url {
        Some(_) => Some(state.ephemeral.ping().await),
        None => None,
    };
    if let Err(e) = &db {
        tracing::warn!(error = %e, "readiness: database unreachable");
    }
    if let Some(Err(e)) = &redis {
        tracing::warn!(error = %e, "readiness: redis unreachable");
    }
    let word = |r: &Result<(), signet_store::StoreError>| if r.is_ok() { "ok" } else { "unreachable" };
    // Mail still queues while SMTP fails (nothing is lost), so a failing server degrades
    // readiness without making the instance unavailable.
    let mail_failing = state.mailer.is_failing();
    let status = match (&db, &redis) {
        (Err(_), _) => "unavailable",
        (Ok(()), Some(Err(_))) => "degraded",
        (Ok(()), _) if mail_failing => "degraded",
        (Ok(()), None | Some(Ok(()))) => "ready",
    };
    let mut body = json!({ "status": status, "database": word(&db) });
    if let Some(r) = &redis {
        body["redis"] = json!(word(r));
    }
    if state.mailer.uses_smtp() {
        body["mail"] = json!(if mail_failing { "failing" } else { "ok" });
    }
    let code = if status == "ready" { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    (code, Json(body))
}
