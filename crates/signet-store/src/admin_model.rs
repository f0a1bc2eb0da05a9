//! What the admin API asks of the store (issue 22): searches with cursors, conditional updates
//! (the row's `revision` is the API's `ETag`), secret rotation with overlap, the audit browser.

use signet_core::OffsetDateTime;

/// A page of accounts: `query` matches part of the address (case-insensitive), ids after
/// `after_id` ascending.
#[derive(Debug, Clone, Default)]
pub struct UserFilter<'a> {
    pub query: Option<&'a str>,
    pub disabled: Option<bool>,
    pub admin: Option<bool>,
    pub after_id: i64,
    pub limit: i64,
}

/// An administrator's change to an account's flags; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserPatch {
    pub disabled: Option<bool>,
    pub is_admin: Option<bool>,
}

/// An administrator's change to a client's registration, already validated
/// (`signet_core::client`); `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientPatch {
    pub name: Option<String>,
    pub redirect_uris: Option<Vec<String>>,
    pub post_logout_redirect_uris: Option<Vec<String>>,
    pub scopes: Option<String>,
    pub skip_consent: Option<bool>,
    pub require_mfa: Option<bool>,
    pub access_token_ttl: Option<Option<i64>>,
}

/// The outcome of a conditional write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Written<T> {
    Done(T),
    /// The row's revision is not the one the write was conditioned on (RFC 9110 §13.1.1: 412).
    Stale,
    Missing,
    /// A rule the write checks itself refused it: for accounts, the last enabled administrator
    /// stays one.
    Refused,
}

/// The audit browser's filters, newest first: events with ids below `before_id`.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter<'a> {
    pub user_id: Option<i64>,
    pub kind: Option<&'a str>,
    pub actor: Option<&'a str>,
    pub since: Option<OffsetDateTime>,
    pub until: Option<OffsetDateTime>,
    pub before_id: Option<i64>,
    pub limit: i64,
}
