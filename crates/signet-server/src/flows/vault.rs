//! The upstream token vault's reading side (issue 21, "link Google Calendar"): a fresh upstream
//! access token for an identity — the stored one while it has a minute left, else one refreshed
//! at the upstream with the stored refresh token (and stored again) — and revocation at the
//! upstream when an identity is unlinked. Writing is `upstream_account::keep_tokens`.

use signet_core::federation::Preset;
use signet_core::OffsetDateTime;
use zeroize::Zeroizing;

use super::upstream_account::{keep_tokens, vault_aad};
use crate::kek;
use crate::state::AppState;
use crate::upstream::oidc::{self, ClientAuth, Tokens};
use crate::upstream::{apple, github, json, Provider, UpstreamError};

/// Why no token came out of the vault.
#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    /// Nothing stored, or the upstream refused the refresh token (revoked, expired): the person
    /// must sign in with the upstream again.
    #[error("no usable upstream authorization is stored")]
    Gone,
    #[error(transparent)]
    Upstream(#[from] UpstreamError),
    #[error(transparent)]
    Store(#[from] signet_store::StoreError),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

/// An upstream access token and when it expires (if the upstream said).
pub struct Fresh {
    pub access_token: Zeroizing<String>,
    pub expires_at: Option<OffsetDateTime>,
}

fn open(state: &AppState, identity_id: i64, which: &str, blob: &[u8]) -> Result<Zeroizing<String>, VaultError> {
    let plain = kek::open(&state.secrets.kek, &vault_aad(identity_id, which), blob)?;
    Ok(Zeroizing::new(String::from_utf8(plain.to_vec()).map_err(anyhow::Error::from)?))
}

/// The token endpoint and client authentication of a provider.
async fn token_endpoint(state: &AppState, p: &Provider) -> Result<(String, ClientAuth, Zeroizing<String>), VaultError> {
    Ok(match p.preset() {
        Preset::Github => (github::token_endpoint(p), ClientAuth::Post, p.secret.0.clone()),
        Preset::Apple => {
            let d = oidc::discovery(&state.upstream, p).await?;
            (d.token_endpoint.clone(), ClientAuth::Post, apple::client_secret(p, state.now())?)
        }
        _ => {
            let d = oidc::discovery(&state.upstream, p).await?;
            (d.token_endpoint.clone(), super::upstream_account::client_auth(state, p, &d)?, p.secret.0.clone())
        }
    })
}

/// A fresh upstream access token for the identity.
pub async fn fresh(state: &AppState, p: &Provider, identity_id: i64) -> Result<Fresh, VaultError> {
    let stored = state.store.upstream_tokens(identity_id).await?.ok_or(VaultError::Gone)?;
    let now = state.now();
    // A minute's margin: the caller is about to use it.
    if stored.expires_at.is_none_or(|t| t > now + time::Duration::minutes(1)) {
        return Ok(Fresh {
            access_token: open(state, identity_id, "access", &stored.access)?,
            expires_at: stored.expires_at,
        });
    }
    let Some(refresh_blob) = &stored.refresh else { return Err(VaultError::Gone) };
    let refresh = open(state, identity_id, "refresh", refresh_blob)?;
    let (endpoint, auth, secret) = token_endpoint(state, p).await?;
    let grant = [("grant_type", "refresh_token"), ("refresh_token", refresh.as_str())];
    let tokens: Tokens = match oidc::token_request(&state.upstream, p, &endpoint, auth, &secret, &grant).await {
        Ok(t) => t,
        Err(UpstreamError::Protocol(..)) => {
            // Refreshed meanwhile by another request (a rotating refresh token is single use)?
            let again = state.store.upstream_tokens(identity_id).await?.ok_or(VaultError::Gone)?;
            if again.expires_at.is_some_and(|t| t > now + time::Duration::minutes(1)) {
                let access_token = open(state, identity_id, "access", &again.access)?;
                return Ok(Fresh { access_token, expires_at: again.expires_at });
            }
            return Err(VaultError::Gone);
        }
        Err(e) => return Err(e.into()),
    };
    keep_tokens(state, p, identity_id, &tokens).await;
    let expires_at = tokens.expires_in.map(|s| now + time::Duration::seconds(s.clamp(0, 86_400 * 366)));
    Ok(Fresh { access_token: tokens.access_token, expires_at })
}

/// Revokes the identity's stored tokens at the upstream (RFC 7009), best effort: the caller
/// forgets them whatever the upstream says.
pub async fn revoke(state: &AppState, p: &Provider, identity_id: i64) {
    let Ok(Some(stored)) = state.store.upstream_tokens(identity_id).await else { return };
    if !p.preset().is_oidc() {
        return;
    }
    let Ok(d) = oidc::discovery(&state.upstream, p).await else { return };
    let Some(endpoint) = d.revocation_endpoint.clone().filter(|e| crate::config::federation::check_url(e).is_ok())
    else {
        return;
    };
    let token = match &stored.refresh {
        Some(r) => open(state, identity_id, "refresh", r),
        None => open(state, identity_id, "access", &stored.access),
    };
    let Ok(token) = token else { return };
    let post = state.upstream.http().post(endpoint);
    let id = p.config.client_id.as_str();
    let req = match super::upstream_account::client_auth(state, p, &d) {
        Ok(ClientAuth::PrivateKeyJwt(a)) => post.form(&[
            ("token", token.as_str()),
            ("client_id", id),
            ("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"),
            ("client_assertion", a.as_str()),
        ]),
        Ok(ClientAuth::Post) => {
            post.form(&[("token", token.as_str()), ("client_id", id), ("client_secret", &p.secret.0)])
        }
        _ => post.basic_auth(id, Some(p.secret.0.as_str())).form(&[("token", token.as_str())]),
    };
    if let Err(e) = json(&p.display_name(), req).await {
        tracing::info!(error = %e, provider = %p.slug, "upstream token revocation failed; the tokens are forgotten anyway");
    }
}

/// [`revoke`] for every identity of the account (before it is erased).
pub async fn revoke_all(state: &AppState, user_id: i64) {
    let Ok(identities) = state.store.identities_of(user_id).await else { return };
    for i in identities {
        if let Ok(Some(p)) = crate::upstream::registry::get(state, &i.provider).await {
            revoke(state, &p, i.id).await;
        }
    }
}
