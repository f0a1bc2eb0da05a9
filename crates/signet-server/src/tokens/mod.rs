//! The token service: signing keys, JWT access tokens, rotating refresh tokens.

pub mod access;
pub mod access_cache;
pub mod id_token;
pub mod keys;
pub mod provider;
pub mod refresh;
pub mod tenant;

pub use access::AccessClaims;
pub use keys::KeyRing;

use serde::Serialize;
use signet_core::{OffsetDateTime, Scope};
use signet_store::Client;
use time::Duration;

use crate::state::AppState;

/// A successful token response (RFC 6749 §5.1).
#[derive(Debug, Serialize)]
pub struct TokenResponse {
    pub access_token: String,
    pub token_type: &'static str,
    pub expires_in: i64,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub scope: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id_token: Option<String>,
    /// RFC 8693 §2.2.1: what a token exchange issued.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issued_token_type: Option<&'static str>,
}

impl TokenResponse {
    pub fn new(access: IssuedAccess, scope: &Scope, refresh_token: Option<String>, id_token: Option<String>) -> Self {
        Self {
            access_token: access.token,
            token_type: "Bearer",
            expires_in: access.ttl.whole_seconds(),
            scope: scope.to_string(),
            refresh_token,
            id_token,
            issued_token_type: None,
        }
    }
}

/// The access-token lifetime for `client`: its own setting, capped by the server maximum.
pub fn access_ttl(state: &AppState, client: &Client) -> Duration {
    let t = &state.config.tokens;
    client.access_token_ttl.map(Duration::seconds).unwrap_or(t.access_token_ttl).min(t.max_access_token_ttl)
}

/// The algorithm tokens for `client` are signed with.
pub fn client_alg<'a>(state: &'a AppState, client: &'a Client) -> &'a str {
    registered_alg(state, client.signing_alg.as_deref(), state.config.tokens.signing_alg.as_str())
}

/// The algorithm of `client`'s ID tokens: what it registered, else the server's ID-token
/// default (RS256: OIDC Core §3.1.3.7 and Dynamic Client Registration §2, "the default, if
/// omitted, is RS256", which strict relying parties assume).
pub fn id_token_alg<'a>(state: &'a AppState, client: &'a Client) -> &'a str {
    registered_alg(state, client.id_token_alg.as_deref(), state.config.tokens.id_token_signing_alg.as_str())
}

/// A client's registered algorithm if keys exist for it, else `default`.
fn registered_alg<'a>(state: &AppState, registered: Option<&'a str>, default: &'a str) -> &'a str {
    registered.filter(|a| state.keys.algs().iter().any(|k| k == a)).unwrap_or(default)
}

/// An issued access token.
#[derive(Debug)]
pub struct IssuedAccess {
    pub token: String,
    pub ttl: Duration,
    pub jti: String,
    pub exp: OffsetDateTime,
}

/// How and when the user behind a grant authenticated: `auth_time`, `amr` and the `acr` that
/// follows from it (OIDC Core §2; RFC 9068 §2.2.1).
#[derive(Debug, Clone)]
pub struct UserAuth {
    pub time: OffsetDateTime,
    pub amr: signet_core::mfa::Amr,
    /// The organization and roles, resolved now (`tenant::resolve`).
    pub tenant: Option<tenant::Tenant>,
}

impl UserAuth {
    /// From stored columns; rows written before `amr` existed were password logins.
    pub fn from_stored(time: OffsetDateTime, amr: &str) -> Self {
        let amr = signet_core::mfa::Amr::parse(amr);
        let amr = if amr == Default::default() { signet_core::mfa::Amr::password() } else { amr };
        Self { time, amr, tenant: None }
    }
}

/// The `sub` `client` sees for the user whose public subject is `public` (OIDC Core §8): the
/// public subject itself, or for a pairwise client one derived per sector (the host of its
/// redirect URIs) under a key derived from the key-encryption key, so it is stable across
/// instances and restarts without being stored.
pub fn subject_for(state: &AppState, client: &Client, public: &str) -> String {
    if !client.pairwise_subjects {
        return public.to_owned();
    }
    use hmac::Mac;
    let sector = signet_core::subject::sector_of(client.redirect_uris.iter().map(String::as_str))
        .unwrap_or_else(|| client.client_id.clone());
    let key = match <hmac::Hmac<sha2::Sha256> as Mac>::new_from_slice(&state.secrets.kek) {
        Ok(mut m) => {
            m.update(b"signet pairwise subject key");
            zeroize::Zeroizing::new(m.finalize().into_bytes().to_vec())
        }
        Err(_) => zeroize::Zeroizing::new(Vec::new()),
    };
    signet_core::subject::pairwise(&key, &sector, public)
}

/// Issues an access token. `sub` is the user's public subject for user grants, the client id
/// otherwise. Access tokens carry the public subject even for pairwise clients: resource
/// servers key users by it (pairwise subjects are for relying parties: ID token, userinfo).
pub fn issue_access(
    state: &AppState,
    client: &Client,
    sub: &str,
    aud: &str,
    scope: &Scope,
    auth: Option<&UserAuth>,
    now: OffsetDateTime,
) -> anyhow::Result<IssuedAccess> {
    let tenant = auth.and_then(|a| a.tenant.clone());
    sign_access(state, client, sub, aud, scope, auth, tenant, now)
}

/// A client's own token in an organization it is installed in (client credentials with
/// `organization=`): the token names the organization as a user's does.
pub fn issue_client_access(
    state: &AppState,
    client: &Client,
    aud: &str,
    scope: &Scope,
    tenant: Option<tenant::Tenant>,
    now: OffsetDateTime,
) -> anyhow::Result<IssuedAccess> {
    sign_access(state, client, &client.client_id, aud, scope, None, tenant, now)
}

#[allow(clippy::too_many_arguments)]
fn sign_access(
    state: &AppState,
    client: &Client,
    sub: &str,
    aud: &str,
    scope: &Scope,
    auth: Option<&UserAuth>,
    tenant: Option<tenant::Tenant>,
    now: OffsetDateTime,
) -> anyhow::Result<IssuedAccess> {
    let ttl = access_ttl(state, client);
    let claims = AccessClaims {
        iss: state.config.issuer_base().to_owned(),
        sub: sub.to_owned(),
        aud: aud.to_owned(),
        exp: (now + ttl).unix_timestamp(),
        iat: now.unix_timestamp(),
        nbf: now.unix_timestamp(),
        jti: AccessClaims::new_jti(),
        client_id: client.client_id.clone(),
        scope: scope.to_string(),
        auth_time: auth.map(|a| a.time.unix_timestamp()),
        acr: auth.map(|a| a.amr.acr().as_str().to_owned()),
        amr: auth.map(|a| a.amr.to_claim()),
        tenant: tenant.unwrap_or_default(),
    };
    let token = access::sign(&state.keys.snapshot(), client_alg(state, client), &claims)?;
    Ok(IssuedAccess { token, ttl, jti: claims.jti, exp: now + ttl })
}

/// Ends everything a user has signed in to: browser sessions (except `keep`), every refresh
/// family, and — through `revoked_before` — every access token issued before now, which
/// introspection then reports inactive. Used by "sign out everywhere", password changes and
/// disabling an account.
pub async fn revoke_user(
    state: &AppState,
    user_id: i64,
    keep: Option<i64>,
    reason: &str,
) -> Result<(), signet_store::StoreError> {
    let now = state.now();
    state.store.delete_user_sessions(user_id, keep).await?;
    state.store.revoke_tokens_before(user_id, now).await?;
    state.store.revoke_user_families(user_id, reason, now).await?;
    Ok(())
}

/// What a user grant (authorization code, device code) issues.
pub struct UserGrant {
    pub access: IssuedAccess,
    /// The scope the access token carries (the consented one, narrowed to what the user's roles
    /// hold now for a registered API); the refresh family keeps the consented one.
    pub scope: Scope,
    /// The new refresh family's id and first token, if the grant includes refresh.
    pub refresh: Option<(i64, signet_core::PlainToken)>,
}

/// Issues an access token for `user_id`, and a refresh token when the client is registered for
/// the refresh grant (with or without `offline_access`, which OIDC Core §11 does not make
/// exclusive). A client without that grant could never use one (RFC 6749 §6), so it gets none,
/// whatever the scope.
pub async fn issue_for_user(
    state: &AppState,
    client: &Client,
    user: &signet_store::User,
    aud: &str,
    scope: &Scope,
    auth: &UserAuth,
    now: OffsetDateTime,
) -> Result<UserGrant, crate::oauth::OAuthError> {
    let (effective, tenant) = tenant::resolve(state, client, user.id, scope, aud).await?;
    let auth = UserAuth { tenant, ..auth.clone() };
    let access = issue_access(state, client, &user.subject, aud, &effective, Some(&auth), now)?;
    let wants_refresh = signet_core::client::GrantType::RefreshToken.allowed_in(&client.grant_types);
    let refresh = if wants_refresh {
        Some(refresh::start_family(state, &client.client_id, Some(user.id), scope, aud, Some(&auth), now).await?)
    } else {
        None
    };
    Ok(UserGrant { access, refresh, scope: effective })
}
