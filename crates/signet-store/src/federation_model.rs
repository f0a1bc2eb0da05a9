//! Rows of upstream identity providers (issue 21): stored providers, linked identities, the
//! token vault.

use signet_core::OffsetDateTime;

/// A provider added by `signet idp add`: its settings as JSON (no secret), and the secret
/// encrypted under the key-encryption key.
#[derive(Clone)]
pub struct StoredProvider {
    pub slug: String,
    pub config: String,
    pub secret: Option<Vec<u8>>,
    pub created_at: OffsetDateTime,
}

impl std::fmt::Debug for StoredProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoredProvider").field("slug", &self.slug).field("config", &self.config).finish_non_exhaustive()
    }
}

/// A person at an upstream identity provider, linked to a local account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExternalIdentity {
    pub id: i64,
    pub user_id: i64,
    pub provider: String,
    pub issuer: String,
    pub subject: String,
    pub email: Option<String>,
    pub name: Option<String>,
    pub created_at: OffsetDateTime,
    pub last_used_at: OffsetDateTime,
}

/// An identity to link: (provider, issuer, subject) and what the upstream said of it.
#[derive(Debug, Clone, Copy)]
pub struct NewIdentity<'a> {
    pub provider: &'a str,
    pub issuer: &'a str,
    pub subject: &'a str,
    pub email: Option<&'a str>,
    pub name: Option<&'a str>,
    pub now: OffsetDateTime,
}

/// An identity's upstream tokens, encrypted (the vault).
#[derive(Clone)]
pub struct SealedUpstreamTokens {
    pub access: Vec<u8>,
    pub refresh: Option<Vec<u8>>,
    pub expires_at: Option<OffsetDateTime>,
    pub scope: String,
}

impl std::fmt::Debug for SealedUpstreamTokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SealedUpstreamTokens").field("expires_at", &self.expires_at).finish_non_exhaustive()
    }
}
