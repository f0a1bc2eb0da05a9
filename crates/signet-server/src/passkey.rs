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
/// A passkey as the second factor of a password recovery.
pub const KIND_RECOVER: &str = "passkey_recover";

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

/// Common passkey providers by AAGUID, for naming a new passkey after its authenticator
/// (names from the community list github.com/passkeydeveloper/passkey-authenticator-aaguids).
/// Display only: an AAGUID is what the authenticator claims, not proof of anything.
const AUTHENTICATORS: &[(&str, &str)] = &[
    ("ea9b8d66-4d01-1d21-3ce4-b6b48cb575d4", "Google Password Manager"),
    ("adce0002-35bc-c60a-648b-0b25f1f05503", "Chrome on Mac"),
    ("b5397666-4885-aa6b-cebf-e52262a439a2", "Chromium Browser"),
    ("771b48fd-d3d4-4f74-9232-fc157ab0507a", "Edge on Mac"),
    ("08987058-cadc-4b81-b6e1-30de50dcbe96", "Windows Hello"),
    ("9ddd1817-af5a-4672-a2b9-3e3dd95000a9", "Windows Hello"),
    ("6028b017-b1d4-4c02-b4b3-afcdafc96bb2", "Windows Hello"),
    ("fbfc3007-154e-4ecc-8c0b-6e020557d7bd", "Apple Passwords"),
    ("dd4ec289-e01d-41c9-bb89-70fa845d4bf2", "iCloud Keychain (Managed)"),
    ("53414d53-554e-4700-0000-000000000000", "Samsung Pass"),
    ("d3452668-01fd-4c12-926c-83a4204853aa", "Microsoft Password Manager"),
    ("bada5566-a7aa-401f-bd96-45619a55120d", "1Password"),
    ("d548826e-79b4-db40-a3d8-11116f7e8349", "Bitwarden"),
    ("531126d6-e717-415c-9320-3d9aa6981239", "Dashlane"),
    ("b84e4048-15dc-4dd0-8640-f4f60813c8af", "NordPass"),
    ("0ea242b4-43c4-4a1b-8b17-dd6d0b6baec6", "Keeper"),
    ("f3809540-7f14-49c1-a8b3-8f813b225541", "Enpass"),
    ("b78a0a55-6ef8-d246-a042-ba0f6d55050c", "LastPass"),
    ("50726f74-6f6e-5061-7373-50726f746f6e", "Proton Pass"),
    ("fdb141b2-5d84-443e-8a35-4698c205a502", "KeePassXC"),
    ("eaecdef2-1c31-5634-8639-f1cbd9c00a08", "KeePassDX"),
];

/// The name of the authenticator with this AAGUID, if it is a common one.
pub fn authenticator_name(aaguid: &str) -> Option<&'static str> {
    AUTHENTICATORS.iter().find(|(id, _)| id.eq_ignore_ascii_case(aaguid)).map(|(_, n)| *n)
}

/// base64url of a credential id, as stored and looked up.
pub fn credential_key(id: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(id)
}
