//! Administration: one implementation of each admin rule, used by the admin API
//! (`routes::admin_users`, `admin_api`, `admin_orgs`, `admin_rbac`, `admin_groups`), the console
//! and the CLI alike (`users`, `orgs`, `rbac`, `clients`, `keys`).
//!
//! - Who acts is an [`Operator`] (an admin API token's client or user, an administrator's
//!   session, the CLI); every change is audited with the operator, the target and a
//!   before/after diff of the target's representation, secrets never included ([`diff`]).
//! - Updates may be conditioned on the target's `revision` (the API's `ETag`, RFC 9110
//!   §13.1.1): a stale one is refused ([`AdminError::Stale`], 412) and nothing is written.

pub mod api;
pub mod caller;
pub mod clients;
pub mod console;
pub mod keys;
pub mod orgs;
pub mod rbac;
pub mod users;

use serde_json::{json, Map, Value};
use signet_core::audit::AuditKind;
use signet_store::{NewAudit, StoreError};

use crate::error::ApiError;
use crate::state::AppState;

/// Who performs an administrative action, as the audit log names them.
#[derive(Debug, Clone)]
pub struct Operator {
    /// The audit `actor`: `client:<id>`, `user:<id>` (an administrator), `cli`.
    pub label: String,
    pub ip: String,
    pub user_agent: String,
    /// The administrator's own account, when a person acts through their session or token.
    pub user_id: Option<i64>,
}

impl Operator {
    pub fn cli() -> Self {
        Operator { label: "cli".into(), ip: String::new(), user_agent: "signet-cli".into(), user_id: None }
    }
}

/// A refused or failed administrative action.
#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    #[error("no such {0}")]
    NotFound(&'static str),
    /// The target changed since the revision the caller read.
    #[error("the {0} changed since it was read: read it again")]
    Stale(&'static str),
    /// A field's value breaks a rule (the field as the API names it).
    #[error("{field}: {message}")]
    Invalid { field: &'static str, message: String },
    #[error("{0}")]
    Conflict(String),
    /// A rule forbids the action whatever the input: `code` names the rule (`last_admin`,
    /// `self`, `public_client`) for pages that say it in the reader's language.
    #[error("{message}")]
    Refused { code: &'static str, message: String },
    /// Password hashing is at capacity: try again shortly (503).
    #[error("busy: try again shortly")]
    Busy,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<crate::hash_pool::PoolError> for AdminError {
    fn from(e: crate::hash_pool::PoolError) -> Self {
        match e {
            crate::hash_pool::PoolError::Hash(h) => AdminError::Store(StoreError::Other(h.into())),
            _ => AdminError::Busy,
        }
    }
}

impl AdminError {
    pub fn refused(code: &'static str, message: &str) -> Self {
        AdminError::Refused { code, message: message.to_owned() }
    }

    pub fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        AdminError::Invalid { field, message: message.into() }
    }
}

impl From<AdminError> for ApiError {
    fn from(e: AdminError) -> Self {
        match e {
            AdminError::NotFound(_) => ApiError::not_found(),
            AdminError::Stale(_) => ApiError::precondition_failed(e.to_string()),
            AdminError::Invalid { .. } => ApiError::bad_request(e.to_string()),
            AdminError::Conflict(m) => ApiError::conflict(m),
            AdminError::Refused { message, .. } => ApiError::forbidden(message),
            AdminError::Busy => ApiError::unavailable(1),
            AdminError::Store(e) => e.into(),
        }
    }
}

impl From<AdminError> for crate::oauth::bearer::Refused {
    fn from(e: AdminError) -> Self {
        crate::oauth::bearer::Refused::Api(e.into())
    }
}

/// Field names whose values are never written to the audit log.
fn secret_field(name: &str) -> bool {
    ["secret", "password", "hash", "token", "seed", "key_material"].iter().any(|s| name.contains(s))
}

/// The fields of two representations that differ, as `{"field": {"from": …, "to": …}}`;
/// secret fields show as `"[redacted]"` on both sides (only that they changed is recorded).
pub fn diff(before: &Value, after: &Value) -> Value {
    let empty = Map::new();
    let (b, a) = (before.as_object().unwrap_or(&empty), after.as_object().unwrap_or(&empty));
    let mut out = Map::new();
    let keys: std::collections::BTreeSet<&String> = b.keys().chain(a.keys()).collect();
    for k in keys {
        let (x, y) = (b.get(k).unwrap_or(&Value::Null), a.get(k).unwrap_or(&Value::Null));
        if x != y {
            let change = if secret_field(k) {
                json!({ "from": "[redacted]", "to": "[redacted]" })
            } else {
                json!({ "from": x, "to": y })
            };
            out.insert(k.clone(), change);
        }
    }
    Value::Object(out)
}

/// Writes the audit event of an administrative action: who, what kind, the account it
/// concerns (if any), and `{"target", "changes"}` as its detail.
pub async fn audit(
    state: &AppState,
    op: &Operator,
    kind: AuditKind,
    user: Option<(i64, &str)>,
    target: &str,
    changes: Value,
) {
    state.metrics.count("audit", kind.as_str());
    let detail = json!({ "target": target, "changes": changes }).to_string();
    let res = state
        .store
        .audit(NewAudit {
            kind,
            at: state.now(),
            user_id: user.map(|u| u.0),
            email: user.map(|u| u.1),
            actor: &op.label,
            ip: &op.ip,
            user_agent: &op.user_agent,
            detail: &detail,
        })
        .await;
    if let Err(e) = res {
        tracing::error!(error = %e, kind = kind.as_str(), "could not write audit event");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diff_redacts_secrets_and_keeps_changes() {
        let d = diff(
            &json!({ "name": "a", "client_secret_hash": "x", "same": 1 }),
            &json!({ "name": "b", "client_secret_hash": "y", "same": 1 }),
        );
        assert_eq!(
            d,
            json!({ "name": { "from": "a", "to": "b" }, "client_secret_hash": { "from": "[redacted]", "to": "[redacted]" } })
        );
        assert!(!d.to_string().contains("\"x\"") && !d.to_string().contains("\"y\""));
    }
}
