//! `grant_type=client_credentials` (RFC 6749 §4.4).

use signet_core::client::GrantType;
use signet_core::rbac;
use signet_core::Scope;
use signet_store::{ApiAccess, Client};

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
    let aud = audience(state, client, resource)?;
    let allowed = Scope::parse(&client.scopes).unwrap_or_default();
    let requested = parse_scope(scope)?.filter(|s| !s.is_empty());
    let scope = match client.apis.get(&aud) {
        // A registered API: its permissions are granted per client (`signet client grant`).
        Some(api) => api_scope(&aud, api, &allowed, requested)?,
        None => match requested {
            Some(s) if !s.is_subset_of(&allowed) => {
                return Err(OAuthError::InvalidScope("requested scope exceeds what this client may ask for".into()));
            }
            Some(s) => s,
            // RFC 6749 §3.3: without a scope, the pre-defined default applies: all the client's scopes.
            None => allowed,
        },
    };
    let now = state.now();
    let at = tokens::issue_access(state, client, &client.client_id, &aud, &scope, None, now)?;
    Ok(TokenResponse::new(at, &scope, None, None))
}

/// The scope of a client's own token for a registered API: its permission scopes must have
/// been granted to the client on that API, its other scopes registered for the client. A
/// request for more is refused, naming what was not granted (RFC 6749 §5.2 `invalid_scope`),
/// rather than silently narrowed. Without a scope: every permission granted.
fn api_scope(aud: &str, api: &ApiAccess, allowed: &Scope, requested: Option<Scope>) -> Result<Scope, OAuthError> {
    let Some(requested) = requested else {
        return Ok(Scope::parse(&api.granted.iter().cloned().collect::<Vec<_>>().join(" ")).unwrap_or_default());
    };
    let g = rbac::grant_scope(requested.iter(), &api.permissions, &api.granted);
    if !g.withheld.is_empty() {
        let names = g.withheld.into_iter().collect::<Vec<_>>().join(" ");
        return Err(OAuthError::InvalidScope(format!("not granted to this client on {aud}: {names}")));
    }
    if requested.iter().any(|s| !api.permissions.contains(s) && !allowed.contains(s)) {
        return Err(OAuthError::InvalidScope("requested scope exceeds what this client may ask for".into()));
    }
    Ok(requested)
}
