//! `grant_type=client_credentials` (RFC 6749 §4.4).

use signet_core::client::GrantType;
use signet_core::rbac;
use signet_core::Scope;
use signet_store::{ApiAccess, Client};

use super::{audience, parse_scope, require_grant};
use crate::oauth::OAuthError;
use crate::state::AppState;
use crate::tokens::{self, TokenResponse};

/// RFC 6749 §4.4: confidential clients only; no refresh token (§4.4.3). With `organization`
/// (an id or slug), the token is for that organization, which the client must be installed in
/// (`signet org client add`): the authorization API answers such a client about it only.
pub async fn grant(
    state: &AppState,
    client: &Client,
    scope: Option<&str>,
    resource: Option<&str>,
    organization: Option<&str>,
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
    let tenant = match organization {
        None => None,
        Some(o) => {
            let (org, _) = state.store.access_stamp(Some(o)).await?;
            let org = org.ok_or_else(|| OAuthError::InvalidRequest("no such organization".into()))?;
            if !state.store.client_installed(org.id, &client.client_id).await? {
                // RFC 6749 §5.2: this client may not have tokens for that organization.
                return Err(OAuthError::UnauthorizedClient("the client is not installed in that organization".into()));
            }
            Some(tokens::tenant::Tenant { org_id: Some(org.public_id), org_slug: Some(org.slug), roles: Vec::new() })
        }
    };
    let now = state.now();
    let at = tokens::issue_client_access(state, client, &aud, &scope, tenant, now)?;
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
