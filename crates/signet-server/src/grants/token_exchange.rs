//! `grant_type=urn:ietf:params:oauth:grant-type:token-exchange` (RFC 8693) for the upstream
//! token vault: a client trades a user's Signet access token for a fresh access token of the
//! user's linked account at an upstream provider ("link Google Calendar").
//!
//! - `subject_token`: a Signet access token (`subject_token_type` …`:access_token`) issued to
//!   *this* client, for a user, still valid, not revoked (RFC 8693 §2.1 leaves the policy to the
//!   server; a token another client holds is not this client's to trade).
//! - `requested_token_type`: `urn:signet:token-type:upstream:<provider>` names the provider.
//! - The client must be registered for the grant and listed in the provider's
//!   `token_exchange_clients`; the provider must keep tokens (`store_tokens`).
//! - Errors (RFC 8693 §2.2.2): an unusable subject token is `invalid_request`; a provider the
//!   client may not ask for, `unauthorized_client`; no linked account or a dead upstream
//!   authorization, `invalid_grant`.

use signet_core::audit::AuditKind;
use signet_core::client::GrantType;
use signet_store::Client;

use super::require_grant;
use crate::flows::vault::{self, VaultError};
use crate::http::ClientInfo;
use crate::oauth::OAuthError;
use crate::state::AppState;
use crate::tokens::{access, TokenResponse};

pub const ACCESS_TOKEN_TYPE: &str = "urn:ietf:params:oauth:token-type:access_token";
pub const UPSTREAM_TOKEN_TYPE: &str = "urn:signet:token-type:upstream:";

pub struct ExchangeRequest<'a> {
    pub subject_token: Option<&'a str>,
    pub subject_token_type: Option<&'a str>,
    pub requested_token_type: Option<&'a str>,
}

pub async fn grant(
    state: &AppState,
    client: &Client,
    req: ExchangeRequest<'_>,
    client_info: &ClientInfo,
) -> Result<TokenResponse, OAuthError> {
    require_grant(client, GrantType::TokenExchange)?;
    let invalid = |m: &str| OAuthError::InvalidRequest(m.to_owned());
    let subject = req.subject_token.filter(|t| !t.is_empty()).ok_or_else(|| invalid("subject_token is required"))?;
    if req.subject_token_type != Some(ACCESS_TOKEN_TYPE) {
        return Err(invalid("subject_token_type must be urn:ietf:params:oauth:token-type:access_token"));
    }
    let slug = req
        .requested_token_type
        .and_then(|t| t.strip_prefix(UPSTREAM_TOKEN_TYPE))
        .filter(|s| !s.is_empty())
        .ok_or_else(|| {
            invalid("requested_token_type must name a provider: urn:signet:token-type:upstream:<provider>")
        })?;
    let now = state.now();
    let claims = state
        .verified
        .verify(&state.keys.snapshot(), subject, state.config.issuer_base(), now)
        .map_err(|_| invalid("the subject_token is invalid or expired"))?;
    if claims.client_id != client.client_id {
        return Err(invalid("the subject_token was issued to another client"));
    }
    if claims.sub == claims.client_id {
        return Err(invalid("the subject_token is a client's own, not a user's"));
    }
    let revoked = state.ephemeral.has_flag(&access::denylist_key(&claims.jti), now).await;
    if revoked.map_err(|_| OAuthError::TemporarilyUnavailable)? {
        return Err(invalid("the subject_token was revoked"));
    }
    let user = state.store.user_by_subject(&claims.sub).await?;
    let user = match user {
        Some(u) if u.can_sign_in(now) && u.revoked_before.is_none_or(|t| t.unix_timestamp() < claims.iat) => u,
        _ => return Err(invalid("the subject_token is no longer valid")),
    };
    let p = crate::upstream::registry::get(state, slug)
        .await?
        .ok_or_else(|| OAuthError::InvalidTarget(format!("no provider {slug:?}")))?;
    if !p.config.store_tokens || !p.config.token_exchange_clients.contains(&client.client_id) {
        return Err(OAuthError::UnauthorizedClient(format!("this client may not obtain {} tokens", p.display_name())));
    }
    // The user's account at the provider: the one used last, if several are linked.
    let identity = state
        .store
        .identities_of(user.id)
        .await?
        .into_iter()
        .filter(|i| i.provider == p.slug)
        .max_by_key(|i| i.last_used_at)
        .ok_or_else(|| OAuthError::InvalidGrant(format!("the user has no {} account linked", p.display_name())))?;
    let fresh = match vault::fresh(state, &p, identity.id).await {
        Ok(f) => f,
        Err(VaultError::Gone) => {
            return Err(OAuthError::InvalidGrant(format!(
                "no usable {} authorization is stored: the user must sign in with it again",
                p.display_name()
            )))
        }
        Err(VaultError::Upstream(e)) => {
            tracing::warn!(error = %e, "upstream token refresh failed");
            return Err(OAuthError::TemporarilyUnavailable);
        }
        Err(VaultError::Store(e)) => return Err(e.into()),
        Err(VaultError::Other(e)) => return Err(OAuthError::ServerError(e)),
    };
    let who = crate::audit::user(&user);
    let detail = format!("{} for client {}", p.slug, client.client_id);
    crate::audit::record(state, AuditKind::UpstreamTokenExchange, who, client_info, &detail).await;
    Ok(TokenResponse {
        access_token: fresh.access_token.to_string(),
        token_type: "Bearer",
        expires_in: fresh.expires_at.map(|t| (t - now).whole_seconds().max(0)).unwrap_or(0),
        scope: String::new(),
        refresh_token: None,
        id_token: None,
        issued_token_type: Some(ACCESS_TOKEN_TYPE),
    })
}
