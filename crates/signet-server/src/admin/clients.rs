//! Clients, as administrators register and change them (the API, the console, `signet client`).
//! The registration rules are `signet_core::client::Registration`'s, for a new client and for
//! a changed one alike.

use serde::{Deserialize, Serialize};
use signet_core::audit::AuditKind;
use signet_core::client::{Registration, RegistrationError, SigningAlg};
use signet_core::redirect_uri::Issuer;
use signet_core::secret::random_bytes;
use signet_core::PlainToken;
use signet_store::{Client, ClientPatch, NewClient, Written};
use utoipa::ToSchema;

use super::{audit, diff, AdminError, Operator};
use crate::state::AppState;

/// The longest a replaced secret may keep working (30 days).
pub const MAX_OVERLAP_SECONDS: u64 = 30 * 24 * 3600;

/// A client as the admin API shows it (never its secret).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ClientView {
    pub client_id: String,
    pub name: String,
    pub public: bool,
    pub grant_types: Vec<String>,
    pub scope: String,
    pub audiences: Vec<String>,
    pub redirect_uris: Vec<String>,
    pub post_logout_redirect_uris: Vec<String>,
    pub access_token_ttl: Option<i64>,
    pub signing_alg: Option<String>,
    pub id_token_alg: Option<String>,
    pub skip_consent: bool,
    pub require_mfa: bool,
    pub require_organization: bool,
    /// `public` or `pairwise`.
    pub subject_type: String,
    pub logo_uri: Option<String>,
    pub client_uri: Option<String>,
    /// Unix seconds.
    pub created_at: i64,
    /// Until when the replaced secret still authenticates (unix seconds), after a rotation
    /// with overlap.
    pub previous_secret_expires_at: Option<i64>,
    /// The row's version; the `ETag` is `"<revision>"`.
    pub revision: i64,
}

pub fn view(c: &Client) -> ClientView {
    ClientView {
        client_id: c.client_id.clone(),
        name: c.name.clone(),
        public: c.is_public,
        grant_types: c.grant_types.clone(),
        scope: c.scopes.clone(),
        audiences: c.audiences.clone(),
        redirect_uris: c.redirect_uris.clone(),
        post_logout_redirect_uris: c.post_logout_redirect_uris.clone(),
        access_token_ttl: c.access_token_ttl,
        signing_alg: c.signing_alg.clone(),
        id_token_alg: c.id_token_alg.clone(),
        skip_consent: c.skip_consent,
        require_mfa: c.require_mfa,
        require_organization: c.require_organization,
        subject_type: if c.pairwise_subjects { "pairwise" } else { "public" }.into(),
        logo_uri: c.logo_uri.clone(),
        client_uri: c.client_uri.clone(),
        created_at: c.created_at.unix_timestamp(),
        previous_secret_expires_at: c.previous_secret.as_ref().map(|(_, t)| t.unix_timestamp()),
        revision: c.revision,
    }
}

fn value(c: &Client) -> serde_json::Value {
    let mut v = serde_json::to_value(view(c)).unwrap_or_default();
    if let Some(m) = v.as_object_mut() {
        m.remove("revision");
    }
    v
}

/// A new client's registration (RFC 7591 §2 names where there is one).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClientSpec {
    #[serde(alias = "client_name")]
    pub name: String,
    #[serde(default)]
    pub public: bool,
    /// Default: `["client_credentials"]`.
    #[serde(default)]
    pub grant_types: Vec<String>,
    #[serde(default)]
    pub scope: String,
    #[serde(default)]
    pub audiences: Vec<String>,
    #[serde(default)]
    pub redirect_uris: Vec<String>,
    #[serde(default)]
    pub post_logout_redirect_uris: Vec<String>,
    pub access_token_ttl: Option<i64>,
    pub signing_alg: Option<String>,
    pub id_token_alg: Option<String>,
    /// `public` (default) or `pairwise`.
    pub subject_type: Option<String>,
    pub logo_uri: Option<String>,
    pub client_uri: Option<String>,
    #[serde(default)]
    pub skip_consent: bool,
    #[serde(default)]
    pub require_mfa: bool,
    #[serde(default)]
    pub require_organization: bool,
}

/// A change to a client's registration; absent fields stay as they are.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClientChange {
    pub name: Option<String>,
    pub redirect_uris: Option<Vec<String>>,
    pub post_logout_redirect_uris: Option<Vec<String>>,
    pub scope: Option<String>,
    pub skip_consent: Option<bool>,
    pub require_mfa: Option<bool>,
    /// Seconds; `null` returns to the server's default.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<i64>)]
    pub access_token_ttl: Option<Option<i64>>,
}

/// Absent: `None`; `null`: `Some(None)`; a value: `Some(Some(v))`.
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<i64>>, D::Error> {
    Option::<i64>::deserialize(d).map(Some)
}

fn invalid(e: RegistrationError) -> AdminError {
    AdminError::Invalid { field: e.field, message: e.message }
}

fn validate(state: &AppState, reg: &Registration) -> Result<signet_core::client::ValidRegistration, AdminError> {
    let configured: Vec<SigningAlg> = state.keys.algs().iter().filter_map(|a| SigningAlg::parse(a)).collect();
    // A loopback http issuer (local development) also takes http://localhost redirect URIs.
    let issuer = if state.config.is_insecure_dev() { Issuer::LoopbackDev } else { Issuer::Production };
    reg.validate(&configured, issuer).map_err(invalid)
}

pub fn new_secret() -> PlainToken {
    PlainToken::generate("sgn_cs_")
}

pub async fn find(state: &AppState, client_id: &str) -> Result<Client, AdminError> {
    state.store.client(client_id).await?.ok_or(AdminError::NotFound("client"))
}

/// Registers a client; a confidential one's secret is returned here only.
pub async fn create(
    state: &AppState,
    op: &Operator,
    spec: ClientSpec,
) -> Result<(Client, Option<PlainToken>), AdminError> {
    let grants = if spec.grant_types.is_empty() { vec!["client_credentials".to_owned()] } else { spec.grant_types };
    let reg = Registration {
        name: spec.name.clone(),
        public: spec.public,
        grant_types: grants,
        scope: spec.scope,
        audiences: spec.audiences.clone(),
        redirect_uris: spec.redirect_uris.clone(),
        post_logout_redirect_uris: spec.post_logout_redirect_uris.clone(),
        access_token_ttl: spec.access_token_ttl,
        signing_alg: spec.signing_alg.clone(),
        id_token_alg: spec.id_token_alg.clone(),
        subject_type: spec.subject_type,
        logo_uri: spec.logo_uri.clone(),
        client_uri: spec.client_uri.clone(),
    };
    let valid = validate(state, &reg)?;
    let grant: Vec<String> = valid.grant_types.iter().map(|g| g.as_str().to_owned()).collect();
    // Hex, not base64url: an id starting with "-" would read as an option on command lines.
    let client_id = hex::encode(random_bytes::<16>());
    let secret = (!spec.public).then(new_secret);
    let secret_hash = secret.as_ref().map(|s| s.hash());
    let c = state
        .store
        .create_client(NewClient {
            client_id: &client_id,
            name: spec.name.trim(),
            secret_hash: secret_hash.as_ref().map(|h| h.as_str()),
            is_public: spec.public,
            grant_types: &grant,
            scopes: &valid.scope.to_string(),
            audiences: &spec.audiences,
            redirect_uris: &spec.redirect_uris,
            access_token_ttl: spec.access_token_ttl,
            signing_alg: spec.signing_alg.as_deref(),
            skip_consent: spec.skip_consent,
            post_logout_redirect_uris: &spec.post_logout_redirect_uris,
            require_mfa: spec.require_mfa,
            pairwise_subjects: valid.pairwise_subjects,
            id_token_alg: spec.id_token_alg.as_deref(),
            logo_uri: spec.logo_uri.as_deref(),
            client_uri: spec.client_uri.as_deref(),
            require_organization: spec.require_organization,
            now: state.now(),
        })
        .await?;
    let changes = diff(&serde_json::Value::Null, &value(&c));
    audit(state, op, AuditKind::ClientCreate, None, &format!("client:{}", c.client_id), changes).await;
    Ok((c, secret))
}

/// Changes a client's registration (validated as a whole, as at creation) if its revision is
/// still `expected`.
pub async fn patch(
    state: &AppState,
    op: &Operator,
    client_id: &str,
    expected: Option<i64>,
    change: ClientChange,
) -> Result<Client, AdminError> {
    let before = find(state, client_id).await?;
    if expected.is_some_and(|r| r != before.revision) {
        return Err(AdminError::Stale("client"));
    }
    let reg = Registration {
        name: change.name.clone().unwrap_or_else(|| before.name.clone()),
        public: before.is_public,
        grant_types: before.grant_types.clone(),
        scope: change.scope.clone().unwrap_or_else(|| before.scopes.clone()),
        audiences: before.audiences.clone(),
        redirect_uris: change.redirect_uris.clone().unwrap_or_else(|| before.redirect_uris.clone()),
        post_logout_redirect_uris: change
            .post_logout_redirect_uris
            .clone()
            .unwrap_or_else(|| before.post_logout_redirect_uris.clone()),
        access_token_ttl: change.access_token_ttl.unwrap_or(before.access_token_ttl),
        signing_alg: before.signing_alg.clone(),
        id_token_alg: before.id_token_alg.clone(),
        subject_type: Some(if before.pairwise_subjects { "pairwise" } else { "public" }.into()),
        logo_uri: before.logo_uri.clone(),
        client_uri: before.client_uri.clone(),
    };
    let valid = validate(state, &reg)?;
    let p = ClientPatch {
        name: change.name.map(|n| n.trim().to_owned()),
        redirect_uris: change.redirect_uris,
        post_logout_redirect_uris: change.post_logout_redirect_uris,
        scopes: change.scope.map(|_| valid.scope.to_string()),
        skip_consent: change.skip_consent,
        require_mfa: change.require_mfa,
        access_token_ttl: change.access_token_ttl,
    };
    let after = written(state.store.patch_client(client_id, expected, &p, state.now()).await?)?;
    state.clients.forget(client_id);
    let changes = diff(&value(&before), &value(&after));
    audit(state, op, AuditKind::ClientUpdate, None, &format!("client:{client_id}"), changes).await;
    Ok(after)
}

fn written(w: Written<Client>) -> Result<Client, AdminError> {
    match w {
        Written::Done(c) => Ok(c),
        Written::Stale => Err(AdminError::Stale("client")),
        Written::Missing => Err(AdminError::NotFound("client")),
        Written::Refused => Err(AdminError::Conflict("the client could not be changed".into())),
    }
}

/// A new secret for a confidential client. With `overlap_seconds` > 0 the old secret keeps
/// working that long (as Hydra's rotation does), so the client's deployments can switch over;
/// with 0 it stops at once (a leaked secret). Both the rotation and the end of the overlap are
/// audited.
pub async fn rotate_secret(
    state: &AppState,
    op: &Operator,
    client_id: &str,
    expected: Option<i64>,
    overlap_seconds: u64,
) -> Result<(Client, PlainToken), AdminError> {
    if overlap_seconds > MAX_OVERLAP_SECONDS {
        return Err(AdminError::invalid("overlap_seconds", format!("at most {MAX_OVERLAP_SECONDS} (30 days)")));
    }
    let before = find(state, client_id).await?;
    if before.is_public {
        return Err(AdminError::refused("public_client", "A public client has no secret."));
    }
    let now = state.now();
    let until = (overlap_seconds > 0).then(|| now + time::Duration::seconds(overlap_seconds as i64));
    let secret = new_secret();
    let after =
        written(state.store.rotate_client_secret(client_id, expected, secret.hash().as_str(), until, now).await?)?;
    state.clients.forget(client_id);
    let mut changes = diff(&value(&before), &value(&after));
    if let Some(m) = changes.as_object_mut() {
        m.insert("client_secret".into(), serde_json::json!({ "from": "[redacted]", "to": "[redacted]" }));
    }
    audit(state, op, AuditKind::ClientSecretRotate, None, &format!("client:{client_id}"), changes).await;
    Ok((after, secret))
}

/// Deletes a client and revokes its refresh tokens.
pub async fn delete(state: &AppState, op: &Operator, client_id: &str) -> Result<(), AdminError> {
    let before = find(state, client_id).await?;
    if !state.store.delete_client(client_id, state.now()).await? {
        return Err(AdminError::NotFound("client"));
    }
    state.clients.forget(client_id);
    let changes = diff(&value(&before), &serde_json::Value::Null);
    audit(state, op, AuditKind::ClientDelete, None, &format!("client:{client_id}"), changes).await;
    Ok(())
}

/// The upkeep loop's part: replaced secrets whose overlap ended are forgotten, and audited.
pub async fn expire_previous_secrets(state: &AppState) -> Result<(), AdminError> {
    let op = Operator { label: "system".into(), ip: String::new(), user_agent: String::new(), user_id: None };
    for client_id in state.store.expire_previous_secrets(state.now()).await? {
        let changes = serde_json::json!({ "previous_secret": { "from": "[redacted]", "to": null } });
        audit(state, &op, AuditKind::ClientSecretExpire, None, &format!("client:{client_id}"), changes).await;
    }
    Ok(())
}
