//! The organization and roles behind a user token, resolved from current state every time a
//! token is issued, refreshed or introspected — so a removed role or membership never outlives
//! its removal at introspection, and the next refresh drops it (issue 19; ZITADEL's stale role
//! claims are the trap avoided).
//!
//! - The organization travels in the consented scope as `organization:<org id>` (the server
//!   adds it once the membership is checked, `flows::authorize`); the token shows it as
//!   `org_id` and `org_slug`.
//! - For a registered API audience, permission scopes are narrowed to what the user's roles
//!   (global, and in that organization) hold now: issued scope = requested ∩ assigned. The
//!   response's `scope` says what was granted (RFC 6749 §5.1).
//! - Nothing here runs for a token with neither an organization nor a registered API audience.

use signet_core::authorize::ORG_SCOPE_PREFIX;
use signet_core::Scope;
use signet_store::Client;

use crate::state::AppState;

pub use super::access::Tenant;

/// Role names a token carries at most; beyond, the claim holds the first ones (sorted) and
/// introspection has them all.
pub const MAX_ROLES: usize = 50;

/// Why a user's grant no longer stands.
#[derive(Debug, thiserror::Error)]
pub enum Lost {
    #[error("the organization no longer exists")]
    NoOrganization,
    #[error("the user is no longer a member of the organization")]
    NotMember,
    #[error(transparent)]
    Store(#[from] signet_store::StoreError),
}

impl From<Lost> for crate::oauth::OAuthError {
    fn from(e: Lost) -> Self {
        match e {
            Lost::Store(e) => e.into(),
            // RFC 6749 §5.2: the grant is no longer valid.
            other => crate::oauth::OAuthError::InvalidGrant(other.to_string()),
        }
    }
}

/// The organization a scope names, if any.
pub fn org_of(scope: &Scope) -> Option<&str> {
    scope.iter().find_map(|t| t.strip_prefix(ORG_SCOPE_PREFIX))
}

/// The organization (if the scope names one) and what the user holds there now.
struct Standing {
    org: Option<signet_store::Org>,
    access: std::sync::Arc<signet_store::Access>,
}

async fn standing(state: &AppState, user_id: i64, org_ref: Option<&str>) -> Result<Standing, Lost> {
    let resolved = state.access.resolve(state.store.as_ref(), user_id, org_ref).await?;
    let (org, access) = (resolved.org, resolved.access);
    if org_ref.is_some() && org.is_none() {
        return Err(Lost::NoOrganization);
    }
    if org.is_some() && access.org_role.is_none() {
        return Err(Lost::NotMember);
    }
    Ok(Standing { org, access })
}

impl Standing {
    fn tenant(self) -> Option<Tenant> {
        let roles: Vec<String> = self.access.roles.iter().take(MAX_ROLES).cloned().collect();
        (self.org.is_some() || !roles.is_empty()).then(|| Tenant {
            org_id: self.org.as_ref().map(|o| o.public_id.clone()),
            org_slug: self.org.map(|o| o.slug),
            roles,
        })
    }
}

/// What `user_id` may have in a token for `aud` now: the scope narrowed to the permissions
/// their roles hold on that API (issued = requested ∩ held for the API's own permissions; other
/// scope tokens pass), and the tenant claims. `Err(Lost)` when the organization is gone or the
/// user left it.
pub async fn resolve(
    state: &AppState,
    client: &Client,
    user_id: i64,
    scope: &Scope,
    aud: &str,
) -> Result<(Scope, Option<Tenant>), Lost> {
    let org_ref = org_of(scope);
    let api = client.apis.get(aud);
    if org_ref.is_none() && api.is_none() {
        return Ok((scope.clone(), None));
    }
    let st = standing(state, user_id, org_ref).await?;
    let scope = match api {
        Some(api) => signet_core::rbac::narrow_scope(scope, &api.permissions, st.access.on(aud)),
        None => scope.clone(),
    };
    Ok((scope, st.tenant()))
}

/// [`resolve`] for a token's own scope string (space-separated, as a token carries it), without
/// building sets: introspection runs it on every call.
pub async fn resolve_str(
    state: &AppState,
    client: &Client,
    user_id: i64,
    scope: &str,
    aud: &str,
) -> Result<(String, Option<Tenant>), Lost> {
    let org_ref = scope.split(' ').find_map(|t| t.strip_prefix(ORG_SCOPE_PREFIX));
    let api = client.apis.get(aud);
    if org_ref.is_none() && api.is_none() {
        return Ok((scope.to_owned(), None));
    }
    let st = standing(state, user_id, org_ref).await?;
    let scope = match api {
        Some(api) => signet_core::rbac::narrow_scope_str(scope, &api.permissions, st.access.on(aud)),
        None => scope.to_owned(),
    };
    Ok((scope, st.tenant()))
}
