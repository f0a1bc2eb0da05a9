//! A bearer token presented to one of Signet's own APIs (the authorization API, the admin
//! API): RFC 6750 §2.1 (header only), verified as an RFC 9068 access token for that API's
//! audience, not revoked, from a client still registered; and the user behind a user token.

use std::sync::Arc;

use axum::http::HeaderMap;
use signet_store::{Client, User};

use super::bearer::{bearer_token, BearerError, Refused};
use crate::state::AppState;
use crate::tokens::access::{self, AccessClaims};

/// The token's claims and client, or the RFC 6750 §3.1 refusal. `not_for` names the API in
/// the `invalid_token` answer to a token for another audience (RFC 9068 §4).
pub async fn verified_for(
    state: &AppState,
    headers: &HeaderMap,
    audience: &str,
    not_for: &'static str,
) -> Result<(AccessClaims, Arc<Client>), Refused> {
    let token = bearer_token(headers)?;
    let now = state.now();
    let claims = state
        .verified
        .verify(&state.keys.snapshot(), token, state.config.issuer_base(), now)
        .map_err(|_| BearerError::InvalidToken("the access token is invalid or expired"))?;
    if claims.aud != audience {
        return Err(BearerError::InvalidToken(not_for).into());
    }
    if state.ephemeral.has_flag(&access::denylist_key(&claims.jti), now).await.map_err(|_| BearerError::Unavailable)? {
        return Err(BearerError::InvalidToken("the access token was revoked").into());
    }
    let Some(client) =
        state.clients.get(state.store.as_ref(), &claims.client_id).await.map_err(|_| BearerError::Unavailable)?
    else {
        return Err(BearerError::InvalidToken("the access token is no longer valid").into());
    };
    Ok((claims, client))
}

/// The user a user token speaks for, while it still does: the account exists, is not
/// disabled, and revoked no tokens since this one was issued ("sign out everywhere").
pub async fn token_user(state: &AppState, claims: &AccessClaims) -> Result<User, Refused> {
    match state.store.user_by_subject(&claims.sub).await? {
        Some(u) if !u.disabled && u.revoked_before.is_none_or(|t| t.unix_timestamp() < claims.iat) => Ok(u),
        _ => Err(BearerError::InvalidToken("the access token is no longer valid").into()),
    }
}
