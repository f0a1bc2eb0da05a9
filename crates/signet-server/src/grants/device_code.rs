//! `grant_type=urn:ietf:params:oauth:grant-type:device_code`: the device polls (RFC 8628
//! §3.4–3.5) until the user approved or denied on `/device`.

use signet_core::client::GrantType;
use signet_core::device::{self, Poll};
use signet_core::{PlainToken, Scope};
use signet_store::Client;

use super::{audience, require_grant};
use crate::oauth::OAuthError;
use crate::state::AppState;
use crate::tokens::{self, TokenResponse};

/// The polling grant (RFC 8628 §3.4–3.5).
pub async fn grant(state: &AppState, client: &Client, device_code: Option<&str>) -> Result<TokenResponse, OAuthError> {
    require_grant(client, GrantType::DeviceCode)?;
    let code = device_code.ok_or_else(|| OAuthError::InvalidRequest("device_code is required".into()))?;
    let rec = state
        .store
        .device_by_hash(&PlainToken::from_client(code).hash())
        .await?
        .filter(|r| r.client_id == client.client_id)
        .ok_or_else(|| OAuthError::InvalidGrant("invalid device code".into()))?;
    let now = state.now();
    match device::poll(rec.status, rec.expires_at, rec.last_poll_at, rec.interval_secs, now) {
        Poll::Pending => {
            state.store.record_poll(rec.id, now, rec.interval_secs).await?;
            Err(OAuthError::AuthorizationPending)
        }
        Poll::SlowDown { new_interval } => {
            state.store.record_poll(rec.id, now, new_interval).await?;
            Err(OAuthError::SlowDown)
        }
        Poll::Denied => Err(OAuthError::AccessDenied),
        Poll::Expired => Err(OAuthError::ExpiredToken),
        Poll::Used => Err(OAuthError::InvalidGrant("device code already used".into())),
        Poll::Approved => {
            if !state.store.redeem_device(rec.id).await? {
                return Err(OAuthError::InvalidGrant("device code already used".into()));
            }
            let user_id = rec.user_id.ok_or_else(|| OAuthError::InvalidGrant("device code has no user".into()))?;
            let user = match state.store.user_by_id(user_id).await? {
                Some(u) if !u.disabled => u,
                _ => return Err(OAuthError::InvalidGrant("the user is no longer active".into())),
            };
            let scope = Scope::parse(&rec.scope).unwrap_or_default();
            let aud = audience(state, client, None)?;
            let auth_time = rec.auth_time.unwrap_or(now);
            let auth = tokens::UserAuth::from_stored(auth_time, &rec.amr);
            let grant = tokens::issue_for_user(state, client, &user, &aud, &scope, &auth, now).await?;
            let at = grant.access;
            let scope = grant.scope;
            let refresh_token = grant.refresh.map(|(_, t)| t.expose().to_owned());
            Ok(TokenResponse::new(at, &scope, refresh_token, None))
        }
    }
}
