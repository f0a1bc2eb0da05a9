//! `grant_type=client_credentials` (RFC 6749 §4.4).

use signet_core::client::GrantType;
use signet_core::Scope;
use signet_store::Client;

use super::{audience, parse_scope, require_grant};
use crate::oauth::OAuthError;
use crate::state::AppState;
use crate::tokens::{self, TokenResponse};

/// RFC 6749 §4.4: confidential clients only; no refresh token (§4.4.3).
pub fn grant(
    state: &AppState,
    client: &Client,
    scope: Option<&str>,
    resource: Option<&str>,
) -> Result<TokenResponse, OAuthError> {
    if client.is_public {
        return Err(OAuthError::UnauthorizedClient("public clients cannot use client_credentials".into()));
    }
    require_grant(client, GrantType::ClientCredentials)?;
    let allowed = Scope::parse(&client.scopes).unwrap_or_default();
    let scope = match parse_scope(scope)? {
        Some(s) if !s.is_empty() => {
            if !s.is_subset_of(&allowed) {
                return Err(OAuthError::InvalidScope("requested scope exceeds what this client may ask for".into()));
            }
            s
        }
        // RFC 6749 §3.3: without a scope, the pre-defined default applies: all the client's scopes.
        _ => allowed,
    };
    let aud = audience(state, client, resource)?;
    let now = state.now();
    let at = tokens::issue_access(state, client, &client.client_id, &aud, &scope, None, now)?;
    Ok(TokenResponse::new(at, &scope, None, None))
}
