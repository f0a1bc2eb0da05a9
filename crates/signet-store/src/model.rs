//! Rows as the rest of Signet sees them.

use signet_core::audit::AuditKind;
use signet_core::{Email, OffsetDateTime, PasswordRecord, TokenHash};

#[derive(Debug, Clone)]
pub struct User {
    pub id: i64,
    pub email: String,
    pub password: Option<PasswordRecord>,
    pub is_admin: bool,
    pub disabled: bool,
    pub created_at: OffsetDateTime,
    pub password_changed_at: Option<OffsetDateTime>,
    pub revoked_before: Option<OffsetDateTime>,
}

#[derive(Debug)]
pub struct NewUser<'a> {
    pub email: &'a Email,
    pub password: Option<&'a PasswordRecord>,
    pub is_admin: bool,
    pub now: OffsetDateTime,
}

#[derive(Debug, Clone)]
pub struct Session {
    pub id: i64,
    pub user_id: i64,
    pub created_at: OffsetDateTime,
    pub last_seen_at: OffsetDateTime,
    pub auth_time: OffsetDateTime,
    pub user_agent: String,
    pub ip: String,
}

#[derive(Debug)]
pub struct NewSession<'a> {
    pub token_hash: &'a TokenHash,
    pub user_id: i64,
    pub now: OffsetDateTime,
    pub auth_time: OffsetDateTime,
    pub user_agent: &'a str,
    pub ip: &'a str,
}

#[derive(Debug)]
pub struct NewAudit<'a> {
    pub kind: AuditKind,
    pub at: OffsetDateTime,
    pub user_id: Option<i64>,
    pub email: Option<&'a str>,
    /// Who did it: `user:ID`, `cli`, `anonymous`.
    pub actor: &'a str,
    pub ip: &'a str,
    pub user_agent: &'a str,
    /// A short, secret-free detail such as a failure reason class.
    pub detail: &'a str,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct AuditEvent {
    pub id: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    pub kind: String,
    pub user_id: Option<i64>,
    pub email: Option<String>,
    pub actor: String,
    pub ip: String,
    pub user_agent: String,
    pub detail: String,
}
