//! Signing keys, as administrators rotate and revoke them (the API, the console, `signet keys`).

use serde::Serialize;
use signet_core::audit::AuditKind;
use signet_store::{KeyState, StoredKey};
use utoipa::ToSchema;

use super::{audit, AdminError, Operator};
use crate::state::AppState;

/// A signing key's public facts (never its private part).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct KeyView {
    pub kid: String,
    pub alg: String,
    /// `next`, `current`, `retired` or `revoked`.
    pub state: String,
    /// Unix seconds.
    pub created_at: i64,
    pub activated_at: Option<i64>,
    pub retired_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

pub fn view(k: &StoredKey) -> KeyView {
    KeyView {
        kid: k.kid.clone(),
        alg: k.alg.clone(),
        state: k.state.as_str().to_owned(),
        created_at: k.created_at.unix_timestamp(),
        activated_at: k.activated_at.map(|t| t.unix_timestamp()),
        retired_at: k.retired_at.map(|t| t.unix_timestamp()),
        revoked_at: k.revoked_at.map(|t| t.unix_timestamp()),
    }
}

/// Rotates `alg` (every configured algorithm when `None`): `next` becomes `current`, the old
/// `current` stays published until the tokens it signed have expired.
pub async fn rotate(state: &AppState, op: &Operator, alg: Option<&str>) -> Result<Vec<String>, AdminError> {
    let algs = match alg {
        Some(a) if state.keys.algs().iter().any(|x| x == a) => vec![a.to_owned()],
        Some(_) => return Err(AdminError::invalid("alg", "not a configured signing algorithm")),
        None => state.keys.algs().to_vec(),
    };
    let publish = crate::key_publish_time(&state.config);
    for a in &algs {
        state.keys.rotate(state.store.as_ref(), a, state.now(), publish).await.map_err(other)?;
        audit(state, op, AuditKind::KeyRotate, None, &format!("key:{a}"), serde_json::json!({})).await;
    }
    Ok(algs)
}

fn other(e: anyhow::Error) -> AdminError {
    AdminError::Store(signet_store::StoreError::Other(e))
}

/// Removes a compromised key from JWKS at once: the tokens it signed stop verifying. A current
/// key is rotated out first, so there is always one to sign with.
pub async fn revoke(state: &AppState, op: &Operator, kid: &str) -> Result<(), AdminError> {
    let key = state.store.list_keys().await?.into_iter().find(|k| k.kid == kid);
    let Some(key) = key else { return Err(AdminError::NotFound("key")) };
    if key.state == KeyState::Revoked {
        return Ok(());
    }
    if key.state == KeyState::Current {
        let publish = crate::key_publish_time(&state.config);
        state.keys.rotate(state.store.as_ref(), &key.alg, state.now(), publish).await.map_err(other)?;
    }
    state.store.revoke_key(kid, state.now()).await?;
    state.keys.reload(state.store.as_ref()).await.map_err(other)?;
    let changes = serde_json::json!({ "state": { "from": key.state.as_str(), "to": "revoked" } });
    audit(state, op, AuditKind::KeyRevoke, None, &format!("key:{kid}"), changes).await;
    Ok(())
}
