//! Passkeys (WebAuthn Level 3 relying party). webauthn-rs does the ceremony checks — origin
//! against the issuer, RP id hash, challenge, user verification, signature, sign-count
//! regression (§7.2 step 21: a counter that did not grow means a possibly cloned authenticator) —
//! and Signet keeps the ceremony state server-side as a single-use, short-lived challenge.

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use signet_core::{OffsetDateTime, PlainToken, TokenHash};
use signet_store::{PasskeyRecord, StoreError};
use time::Duration;
use webauthn_rs::prelude::{Passkey, Url, Uuid, Webauthn, WebauthnBuilder};

use crate::config::Config;
use crate::error::ApiError;
use crate::state::AppState;

/// A ceremony must finish within this; each challenge works once.
pub const CHALLENGE_TTL: Duration = Duration::minutes(5);

pub const KIND_REGISTER: &str = "passkey_register";
/// Usernameless sign-in with a discoverable credential (passkey as the only factor).
pub const KIND_DISCOVERABLE: &str = "passkey_login";
/// A passkey as the second factor after a password.
pub const KIND_SECOND: &str = "passkey_second";

/// Builds the relying party from the config: origin = the issuer's origin, RP id = the
/// configured `passkey_rp_id` or the issuer's host. Fails at start-up (naming the key) if the
/// configured RP id is not the host or a parent domain of it. An issuer on an IP address has no
/// valid RP id (WebAuthn §5.1.3 needs a domain): passkeys are then off (`None`), with a warning.
pub fn relying_party(config: &Config) -> anyhow::Result<Option<Webauthn>> {
    let origin = Url::parse(config.issuer_base()).map_err(|e| anyhow::anyhow!("issuer: {e}"))?;
    let host = match origin.host() {
        Some(url::Host::Domain(d)) => d.to_owned(),
        _ if config.passkey_rp_id.is_none() => {
            tracing::warn!(issuer = %origin, "passkeys are off: WebAuthn needs a domain name, not an IP address");
            return Ok(None);
        }
        _ => anyhow::bail!("passkey_rp_id: the issuer {origin} has no domain name"),
    };
    let rp_id = config.passkey_rp_id.clone().unwrap_or(host);
    WebauthnBuilder::new(&rp_id, &origin)
        .and_then(|b| b.rp_name(config.branding.product_name.trim()).build())
        .map(Some)
        .map_err(|e| anyhow::anyhow!("passkey_rp_id {rp_id:?} does not fit the issuer {origin}: {e}"))
}

/// The relying party, or an answer saying passkeys are off on this server.
pub fn rp(state: &AppState) -> Result<&Webauthn, ApiError> {
    state.webauthn.as_ref().ok_or_else(|| ApiError::bad_request(crate::pages::tr("passkey-unavailable")))
}

/// The WebAuthn user handle for a user: stable, opaque (not the database id), 16 bytes.
pub fn user_handle(state: &AppState, user_id: i64) -> Uuid {
    let Ok(mut m) = Hmac::<Sha256>::new_from_slice(&state.secrets.cookie_key) else { return Uuid::nil() };
    m.update(format!("signet webauthn user handle\0{user_id}").as_bytes());
    let out = m.finalize().into_bytes();
    let mut b = [0u8; 16];
    b.copy_from_slice(&out[..16]);
    Uuid::from_bytes(b)
}

/// Stores ceremony state; returns the id the browser sends back.
pub async fn put_state<T: Serialize>(
    state: &AppState,
    kind: &str,
    user_id: Option<i64>,
    value: &T,
) -> Result<String, StoreError> {
    let id = PlainToken::generate("");
    let json = serde_json::to_string(value).map_err(|e| StoreError::Other(e.into()))?;
    state.store.put_challenge(&id.hash(), kind, user_id, &json, state.now() + CHALLENGE_TTL).await?;
    Ok(id.expose().to_owned())
}

/// Takes (uses up) ceremony state. `None` if unknown, expired or already used: a replayed
/// response finds nothing to finish.
pub async fn take_state<T: for<'de> Deserialize<'de>>(
    state: &AppState,
    kind: &str,
    id: &str,
    now: OffsetDateTime,
) -> Result<Option<(Option<i64>, T)>, StoreError> {
    if id.len() != 43 {
        return Ok(None);
    }
    let Some((user_id, json)) = state.store.take_challenge(&TokenHash::of(id.as_bytes()), kind, now).await? else {
        return Ok(None);
    };
    Ok(Some((user_id, serde_json::from_str(&json).map_err(|e| StoreError::Other(e.into()))?)))
}

/// The stored credential of a record.
pub fn parse(record: &PasskeyRecord) -> anyhow::Result<Passkey> {
    Ok(serde_json::from_str(&record.credential)?)
}

/// Display fields webauthn-rs keeps inside its serialized credential.
#[derive(Debug, Default)]
pub struct Details {
    pub sign_count: i64,
    pub backup_eligible: bool,
    pub backup_state: bool,
    pub transports: String,
}

pub fn details(serialized: &str) -> Details {
    let v: serde_json::Value = serde_json::from_str(serialized).unwrap_or_default();
    let c = &v["cred"];
    Details {
        sign_count: c["counter"].as_i64().unwrap_or(0),
        backup_eligible: c["backup_eligible"].as_bool().unwrap_or(false),
        backup_state: c["backup_state"].as_bool().unwrap_or(false),
        transports: c["transports"]
            .as_array()
            .map(|a| a.iter().filter_map(|t| t.as_str()).collect::<Vec<_>>().join(" "))
            .unwrap_or_default(),
    }
}

/// The authenticator model (AAGUID, WebAuthn §6.5.1) from a registration webauthn-rs has
/// already verified, for display: authenticator data is `rpIdHash(32) ‖ flags(1) ‖
/// signCount(4) ‖ aaguid(16) ‖ …` when the AT flag (0x40) is set. Empty when absent or all
/// zero (many passkey providers send zeros under "none" attestation).
pub fn aaguid(attestation_object: &[u8]) -> String {
    let Ok(serde_cbor_2::Value::Map(m)) = serde_cbor_2::from_slice::<serde_cbor_2::Value>(attestation_object) else {
        return String::new();
    };
    let Some(serde_cbor_2::Value::Bytes(auth)) = m.get(&serde_cbor_2::Value::Text("authData".into())) else {
        return String::new();
    };
    match auth.get(37..53) {
        Some(id) if auth[32] & 0x40 != 0 && id.iter().any(|b| *b != 0) => {
            Uuid::from_slice(id).map(|u| u.to_string()).unwrap_or_default()
        }
        _ => String::new(),
    }
}

/// base64url of a credential id, as stored and looked up.
pub fn credential_key(id: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(id)
}
