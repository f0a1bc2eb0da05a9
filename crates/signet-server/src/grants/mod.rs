//! The token endpoint's grants (RFC 6749 §4–6, RFC 8628 §3.4): each takes an authenticated
//! client and the grant's parameters and returns a token response or a protocol error.
//! `routes::token` parses the request and dispatches on `GrantType`.

pub mod authorization_code;
pub mod client_credentials;
pub mod device_code;
pub mod refresh_token;
pub mod token_exchange;

use signet_core::client::GrantType;
use signet_core::Scope;
use signet_store::Client;

use crate::oauth::OAuthError;
use crate::state::AppState;

/// RFC 6749 §5.2 `unauthorized_client`: the client is not registered for this grant.
pub fn require_grant(client: &Client, grant: GrantType) -> Result<(), OAuthError> {
    if grant.allowed_in(&client.grant_types) {
        Ok(())
    } else {
        Err(OAuthError::UnauthorizedClient(format!("this client may not use the {grant} grant")))
    }
}

fn parse_scope(s: Option<&str>) -> Result<Option<Scope>, OAuthError> {
    s.map(|s| Scope::parse(s).map_err(|_| OAuthError::InvalidScope("scope contains invalid characters".into())))
        .transpose()
}

/// The audience for a new access token: the requested resource if the client may use it, else
/// the client's first audience, else this issuer.
pub fn audience(state: &AppState, client: &Client, resource: Option<&str>) -> Result<String, OAuthError> {
    match resource {
        Some(r) if client.audiences.iter().any(|a| a == r) => Ok(r.to_owned()),
        // RFC 8707 §2: invalid_target for resources the client may not address.
        Some(_) => Err(OAuthError::InvalidTarget("this client may not request tokens for that resource".into())),
        None => Ok(client.audiences.first().cloned().unwrap_or_else(|| state.config.issuer_base().to_owned())),
    }
}
