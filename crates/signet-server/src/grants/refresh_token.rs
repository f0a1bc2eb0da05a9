//! `grant_type=refresh_token` (RFC 6749 §6).

use signet_core::client::GrantType;
use signet_core::Scope;
use signet_store::Client;

use super::{parse_scope, require_grant};
use crate::http::ClientInfo;
use crate::oauth::OAuthError;
use crate::state::AppState;
use crate::tokens::{self, refresh, TokenResponse};

/// RFC 6749 §6, with rotation and reuse detection (`tokens::refresh`).
pub async fn grant(
    state: &AppState,
    client: &Client,
    refresh_token: Option<&str>,
    scope: Option<&str>,
    info: &ClientInfo,
) -> Result<TokenResponse, OAuthError> {
    require_grant(client, GrantType::RefreshToken)?;
    let presented = refresh_token.ok_or_else(|| OAuthError::InvalidRequest("refresh_token is required".into()))?;
    let requested = parse_scope(scope)?;
    let (rec, successor) = refresh::exchange(state, client, presented, &info.ip).await?;
    let granted = Scope::parse(&rec.scope).unwrap_or_default();
    // RFC 6749 §6: the new access token's scope may only narrow, never widen.
    let scope = match requested {
        Some(s) if !s.is_empty() => {
            if !s.is_subset_of(&granted) {
                return Err(OAuthError::InvalidScope("refresh may only narrow the granted scope".into()));
            }
            s
        }
        _ => granted,
    };
    let now = state.now();
    let sub = match rec.user_id {
        // "Sign out everywhere", password change and disabling revoke the user's families, so
        // `exchange` already refused those; a disabled or deleted user is checked again here.
        Some(_) if rec.user_active => rec.user_subject.clone().unwrap_or_default(),
        Some(_) => return Err(OAuthError::InvalidGrant("the user's grant is no longer valid".into())),
        None => client.client_id.clone(),
    };
    let mut auth = rec.auth_time.map(|t| tokens::UserAuth::from_stored(t, &rec.amr));
    // The organization and roles as they are now: a membership or role removed since the last
    // token is not carried forward (`tokens::tenant`).
    let scope = match rec.user_id {
        Some(user_id) => {
            let (scope, tenant) = tokens::tenant::resolve(state, client, user_id, &scope, &rec.audience).await?;
            if let Some(a) = auth.as_mut() {
                a.tenant = tenant;
            }
            scope
        }
        None => scope,
    };
    let at = tokens::issue_access(state, client, &sub, &rec.audience, &scope, auth.as_ref(), now)?;
    // RFC 6749 §6: the new refresh token keeps the scope of the one presented.
    Ok(TokenResponse::new(at, &scope, Some(successor.expose().to_owned()), None))
}
