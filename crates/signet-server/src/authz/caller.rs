//! Who is asking the authorization API, and about which organization.
//!
//! - The caller presents an access token (RFC 6750 §2.1, header only) whose audience is the
//!   authorization API, [`AUTHZ_API`] (RFC 8707 `resource=urn:signet:authz`); anything else is
//!   401 `invalid_token` (RFC 6750 §3.1).
//! - The organization is the token's (`org_id`), never the request body's: a user token issued
//!   in an organization, or a client's own token asked for with `organization=` (the client
//!   must be installed there).
//! - **Confused deputy guard**: the token's client must be installed in that organization
//!   (`signet org client add`), so an application installed in one organization cannot be used
//!   to ask about another's, even with a user who belongs to both.
//! - What the caller may do is the token's scope on the API (`authz:check`, `authz:read`,
//!   `authz:write`, `authz:explain`), for user tokens narrowed to their current roles; an owner
//!   or admin of the organization may also see explanations.

use axum::http::HeaderMap;
use signet_store::Org;

use crate::error::ApiError;
use crate::oauth::api_token;
use crate::oauth::BearerError;
use crate::state::AppState;

/// The authorization API's identifier: the `aud` its callers' tokens carry.
pub const AUTHZ_API: &str = "urn:signet:authz";

/// What a request needs of the token's scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    Check,
    Read,
    Write,
    Explain,
}

impl Need {
    pub fn scope(self) -> &'static str {
        match self {
            Need::Check => "authz:check",
            Need::Read => "authz:read",
            Need::Write => "authz:write",
            Need::Explain => "authz:explain",
        }
    }
}

pub use crate::oauth::bearer::Refused;

/// An authenticated caller of the authorization API.
#[derive(Debug, Clone)]
pub struct Caller {
    pub org: Org,
    pub client_id: String,
    /// The user behind a user token (their public subject); `None` for a client's own token.
    pub user: Option<String>,
    /// The token's scope, as it stands now.
    pub scope: String,
    /// An owner or admin of the organization.
    pub org_admin: bool,
}

impl Caller {
    pub fn has(&self, need: Need) -> bool {
        self.scope.split(' ').any(|s| s == need.scope())
    }

    /// Refuses (403 `insufficient_scope`, RFC 6750 §3.1) unless the token carries `need`.
    pub fn require(&self, need: Need) -> Result<(), Refused> {
        if self.has(need) {
            Ok(())
        } else {
            Err(BearerError::InsufficientScope(need.scope()).into())
        }
    }

    /// Explanations are for the organization's owners and admins, and callers granted
    /// `authz:explain`: they show the organization's tuples.
    pub fn require_explain(&self) -> Result<(), Refused> {
        if self.org_admin || self.has(Need::Explain) {
            Ok(())
        } else {
            Err(BearerError::InsufficientScope(Need::Explain.scope()).into())
        }
    }
}

/// Authenticates the caller and finds its organization; see the module comment.
pub async fn authenticate(state: &AppState, headers: &HeaderMap) -> Result<Caller, Refused> {
    let (claims, client) =
        api_token::verified_for(state, headers, AUTHZ_API, "the access token is not for the authorization API").await?;
    let Some(org_ref) = claims.tenant.org_id.as_deref() else {
        return Err(
            ApiError::forbidden("The access token names no organization: ask for it in one (organization=…).").into()
        );
    };
    let (user, scope, org, org_admin) = if claims.sub == claims.client_id {
        let org = state.authz.find_org(state.store.as_ref(), org_ref).await?;
        (None, claims.scope.clone(), org, false)
    } else {
        let user = api_token::token_user(state, &claims).await?;
        // The scope as the user's roles stand now; a member who left is refused.
        let (scope, _) = crate::tokens::tenant::resolve_str(state, &client, user.id, &claims.scope, &claims.aud)
            .await
            .map_err(|e| match e {
                crate::tokens::tenant::Lost::Store(e) => Refused::from(e),
                _ => BearerError::InvalidToken("the access token is no longer valid").into(),
            })?;
        let resolved = state.access.resolve(state.store.as_ref(), user.id, Some(org_ref)).await?;
        let admin = matches!(resolved.access.org_role.as_deref(), Some("owner" | "admin"));
        (Some(user.subject), scope, resolved.org, admin)
    };
    let Some(org) = org else {
        return Err(BearerError::InvalidToken("the token's organization no longer exists").into());
    };
    let installed =
        |g: &std::sync::RwLock<super::Graph>| g.read().map(|g| g.installed(&client.client_id)).unwrap_or(false);
    let mut graph = state.authz.graph(state.store.as_ref(), &org).await?;
    if !installed(&graph) {
        // Installed a moment ago (by the CLI, on another instance)? Read the log before refusing.
        state.authz.follow(state.store.as_ref()).await?;
        graph = state.authz.graph(state.store.as_ref(), &org).await?;
    }
    if !installed(&graph) {
        return Err(ApiError::forbidden(format!(
            "The client {} is not installed in this organization: it may not ask about it.",
            client.client_id
        ))
        .into());
    }
    Ok(Caller { org, client_id: client.client_id.clone(), user, scope, org_admin })
}
