//! Rows as the rest of Signet sees them.

use signet_core::audit::AuditKind;
use signet_core::{Email, OffsetDateTime, PasswordRecord, TokenHash};

#[derive(Debug, Clone)]
pub struct User {
    pub id: i64,
    /// The public `sub` (OIDC Core §2): opaque, never reused.
    pub subject: String,
    pub email: String,
    pub password: Option<PasswordRecord>,
    pub is_admin: bool,
    pub disabled: bool,
    pub created_at: OffsetDateTime,
    pub password_changed_at: Option<OffsetDateTime>,
    pub revoked_before: Option<OffsetDateTime>,
    /// When the current address was last proven (a verification link or code, or an e-mail
    /// change confirmed at the new address); `None` until then.
    pub email_verified_at: Option<OffsetDateTime>,
    /// OIDC Core §5.1 profile claims.
    pub profile: signet_core::Profile,
    /// Last change to the account (the OIDC `updated_at` claim).
    pub updated_at: OffsetDateTime,
    /// A self-service deletion waiting out its grace period: erased after this time.
    pub delete_after: Option<OffsetDateTime>,
    /// The row's version: bumped by every change (the admin API's `ETag`).
    pub revision: i64,
}

impl User {
    pub fn email_verified(&self) -> bool {
        self.email_verified_at.is_some()
    }

    /// Not disabled, and not past a deletion's grace period (erasure may lag a little).
    pub fn can_sign_in(&self, now: OffsetDateTime) -> bool {
        !self.disabled && self.delete_after.is_none_or(|t| t > now)
    }
}

/// What signing in from a network told about it (for the new-device notice).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NetworkSeen {
    /// The prefix had not been seen for this user before.
    pub new_prefix: bool,
    /// The user had signed in from some other network before (so a new one is news).
    pub had_others: bool,
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
    /// How the user authenticated (RFC 8176 values, space-separated).
    pub amr: String,
}

#[derive(Debug)]
pub struct NewSession<'a> {
    pub token_hash: &'a TokenHash,
    pub user_id: i64,
    pub now: OffsetDateTime,
    pub auth_time: OffsetDateTime,
    pub user_agent: &'a str,
    pub ip: &'a str,
    pub amr: &'a str,
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

/// A registered OAuth client.
#[derive(Debug, Clone)]
pub struct Client {
    pub id: i64,
    pub client_id: String,
    pub name: String,
    /// SHA-256 (hex) of the secret; `None` for public clients.
    pub secret_hash: Option<String>,
    pub is_public: bool,
    pub grant_types: Vec<String>,
    pub scopes: String,
    pub audiences: Vec<String>,
    pub redirect_uris: Vec<String>,
    pub access_token_ttl: Option<i64>,
    pub signing_alg: Option<String>,
    pub created_at: OffsetDateTime,
    /// First-party clients may skip the consent page.
    pub skip_consent: bool,
    pub post_logout_redirect_uris: Vec<String>,
    /// Users must have completed a second factor before this client gets a code.
    pub require_mfa: bool,
    /// OIDC Core §8.1: this client sees pairwise subjects (per sector), not public ones.
    pub pairwise_subjects: bool,
    /// The ID-token algorithm the client registered (`None`: the server default, RS256).
    pub id_token_alg: Option<String>,
    /// RFC 7591 §2: the client's logo and home page, shown on the consent page.
    pub logo_uri: Option<String>,
    pub client_uri: Option<String>,
    /// Every authorization happens in an organization (`organization=`, or the user picks one).
    pub require_organization: bool,
    /// The row's version: bumped by every change (the admin API's `ETag`).
    pub revision: i64,
    /// A replaced secret's hash that still authenticates until the time given (rotation with
    /// overlap); past it, ignored and cleared by the upkeep loop.
    pub previous_secret: Option<(String, OffsetDateTime)>,
    /// The registered APIs among the client's audiences, by identifier: their permissions and
    /// which of them this client was granted (client credentials). Loaded by `client()` only.
    pub apis: std::collections::BTreeMap<String, ApiAccess>,
}

/// An API as one client sees it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ApiAccess {
    pub permissions: std::collections::BTreeSet<String>,
    pub granted: std::collections::BTreeSet<String>,
}

#[derive(Debug)]
pub struct NewClient<'a> {
    pub client_id: &'a str,
    pub name: &'a str,
    pub secret_hash: Option<&'a str>,
    pub is_public: bool,
    pub grant_types: &'a [String],
    pub scopes: &'a str,
    pub audiences: &'a [String],
    pub redirect_uris: &'a [String],
    pub access_token_ttl: Option<i64>,
    pub signing_alg: Option<&'a str>,
    pub skip_consent: bool,
    pub post_logout_redirect_uris: &'a [String],
    pub require_mfa: bool,
    pub pairwise_subjects: bool,
    pub id_token_alg: Option<&'a str>,
    pub logo_uri: Option<&'a str>,
    pub client_uri: Option<&'a str>,
    pub require_organization: bool,
    pub now: OffsetDateTime,
}

/// Signing-key lifecycle: `next` (published, not yet signing) → `current` (signing) →
/// `retired` (published until its tokens expire) → deleted; `revoked` is dropped from JWKS at
/// once and its tokens are inactive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyState {
    Next,
    Current,
    Retired,
    Revoked,
}

impl KeyState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Next => "next",
            Self::Current => "current",
            Self::Retired => "retired",
            Self::Revoked => "revoked",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "next" => Self::Next,
            "current" => Self::Current,
            "retired" => Self::Retired,
            "revoked" => Self::Revoked,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone)]
pub struct StoredKey {
    pub kid: String,
    pub alg: String,
    pub state: KeyState,
    /// nonce ‖ AES-256-GCM ciphertext of the PKCS#8 DER private key.
    pub private_enc: Vec<u8>,
    pub public_jwk: String,
    pub created_at: OffsetDateTime,
    pub activated_at: Option<OffsetDateTime>,
    pub retired_at: Option<OffsetDateTime>,
    pub drop_after: Option<OffsetDateTime>,
    pub revoked_at: Option<OffsetDateTime>,
}

/// A refresh token as found by its hash, with its family.
#[derive(Debug, Clone)]
pub struct RefreshRecord {
    pub token_id: i64,
    pub family_id: i64,
    pub client_id: String,
    pub user_id: Option<i64>,
    pub scope: String,
    pub family_scope: String,
    pub audience: String,
    pub auth_time: Option<OffsetDateTime>,
    /// The login's `amr` (empty for client-only families).
    pub amr: String,
    pub created_at: OffsetDateTime,
    pub idle_expires_at: OffsetDateTime,
    pub used_at: Option<OffsetDateTime>,
    pub successor_id: Option<i64>,
    pub successor_used: bool,
    pub family_expires_at: OffsetDateTime,
    pub family_revoked: bool,
    /// The family's user still exists and is not disabled (read in the same query).
    pub user_active: bool,
    /// The family's user's public `sub`, if the family has a user that still exists.
    pub user_subject: Option<String>,
}

#[derive(Debug)]
pub struct NewFamily<'a> {
    pub client_id: &'a str,
    pub user_id: Option<i64>,
    pub scope: &'a str,
    pub audience: &'a str,
    pub auth_time: Option<OffsetDateTime>,
    pub amr: &'a str,
    pub now: OffsetDateTime,
    pub absolute_expires_at: OffsetDateTime,
}

/// A new token in a family.
#[derive(Debug)]
pub struct NewRefresh<'a> {
    pub token_hash: &'a TokenHash,
    pub scope: &'a str,
    pub now: OffsetDateTime,
    pub idle_expires_at: OffsetDateTime,
}

/// Outcome of an atomic rotation attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RotateOutcome {
    /// This request won: the old token is now used and the successor exists.
    Rotated,
    /// Another request used the token first.
    AlreadyUsed,
}

/// What redeeming an authorization code issued, kept with the code so a replay can revoke it.
#[derive(Debug, Clone, Copy)]
pub struct CodeTokens<'a> {
    pub family_id: Option<i64>,
    pub access_jti: &'a str,
    pub access_exp: OffsetDateTime,
}

/// A new authorization code.
#[derive(Debug)]
pub struct NewCode<'a> {
    pub code_hash: &'a TokenHash,
    pub client_id: &'a str,
    pub user_id: i64,
    pub session_id: Option<i64>,
    pub redirect_uri: &'a str,
    pub code_challenge: &'a str,
    pub nonce: Option<&'a str>,
    pub scope: &'a str,
    pub auth_time: OffsetDateTime,
    pub amr: &'a str,
    pub now: OffsetDateTime,
    pub expires_at: OffsetDateTime,
}

#[derive(Debug, Clone)]
pub struct CodeRecord {
    pub id: i64,
    pub client_id: String,
    pub user_id: i64,
    pub session_id: Option<i64>,
    pub redirect_uri: String,
    pub code_challenge: String,
    pub nonce: Option<String>,
    pub scope: String,
    pub auth_time: OffsetDateTime,
    pub amr: String,
    pub expires_at: OffsetDateTime,
    pub used_at: Option<OffsetDateTime>,
    pub family_id: Option<i64>,
    pub access_jti: Option<String>,
    pub access_exp: Option<OffsetDateTime>,
}

#[derive(Debug, Clone)]
pub struct DeviceRecord {
    pub id: i64,
    pub user_code: String,
    pub client_id: String,
    pub scope: String,
    pub expires_at: OffsetDateTime,
    pub interval_secs: i64,
    pub last_poll_at: Option<OffsetDateTime>,
    pub status: signet_core::device::DeviceStatus,
    pub user_id: Option<i64>,
    pub auth_time: Option<OffsetDateTime>,
    pub amr: String,
}

/// A user's TOTP authenticator (RFC 6238).
#[derive(Debug, Clone)]
pub struct TotpFactor {
    pub user_id: i64,
    /// Nonce ‖ AES-256-GCM ciphertext of the secret under the key-encryption key.
    pub secret_enc: Vec<u8>,
    /// `false` while enrolment waits for the first valid code.
    pub confirmed: bool,
    /// The last accepted time step (RFC 6238 §5.2 replay guard); -1 before any.
    pub last_step: i64,
    pub created_at: OffsetDateTime,
    pub last_used_at: Option<OffsetDateTime>,
}

/// A registered WebAuthn credential.
#[derive(Debug, Clone)]
pub struct PasskeyRecord {
    pub id: i64,
    pub user_id: i64,
    /// base64url of the credential id.
    pub credential_id: String,
    pub name: String,
    /// The RP library's serialized credential (public key, counter, flags).
    pub credential: String,
    pub sign_count: i64,
    pub backup_eligible: bool,
    pub backup_state: bool,
    pub transports: String,
    pub aaguid: String,
    pub created_at: OffsetDateTime,
    pub last_used_at: Option<OffsetDateTime>,
}

#[derive(Debug)]
pub struct NewPasskey<'a> {
    pub user_id: i64,
    pub credential_id: &'a str,
    pub name: &'a str,
    pub credential: &'a str,
    pub sign_count: i64,
    pub backup_eligible: bool,
    pub backup_state: bool,
    pub transports: &'a str,
    pub aaguid: &'a str,
    pub now: OffsetDateTime,
}

/// What changes on a passkey after a successful assertion.
#[derive(Debug)]
pub struct PasskeyUse<'a> {
    pub id: i64,
    pub credential: &'a str,
    pub sign_count: i64,
    pub backup_state: bool,
    pub now: OffsetDateTime,
}

/// A message to put in the outbox.
#[derive(Debug, Clone)]
pub struct NewMail<'a> {
    /// What it is (`verify_email`, `password_reset`, …), for logs and tests; never its content.
    pub kind: &'a str,
    pub to: &'a str,
    pub subject: &'a str,
    pub text_body: &'a str,
    pub html_body: Option<&'a str>,
    pub now: OffsetDateTime,
}

/// A message claimed for delivery.
#[derive(Debug, Clone)]
pub struct QueuedMail {
    pub id: i64,
    pub kind: String,
    pub to: String,
    pub subject: String,
    pub text_body: String,
    pub html_body: Option<String>,
    /// Attempts so far, this one included.
    pub attempts: i64,
}

/// Counts of the outbox, for `/readyz` and tests.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OutboxCounts {
    pub pending: i64,
    pub sent: i64,
    pub failed: i64,
}

/// An organization (tenant).
#[derive(Debug, Clone, serde::Serialize)]
pub struct Org {
    #[serde(skip)]
    pub id: i64,
    /// `org_…`: the id APIs and tokens show.
    #[serde(rename = "id")]
    pub public_id: String,
    pub slug: String,
    pub name: String,
    pub domains: Vec<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

/// A resource server: `identifier` is its tokens' `aud`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Api {
    #[serde(skip)]
    pub id: i64,
    pub identifier: String,
    pub name: String,
    pub permissions: Vec<String>,
}

/// A role: global (`org_id` 0) or an organization's; its permissions as (API identifier, name).
#[derive(Debug, Clone, serde::Serialize)]
pub struct Role {
    #[serde(skip)]
    pub id: i64,
    #[serde(skip)]
    pub org_id: i64,
    pub name: String,
    pub description: String,
    pub permissions: Vec<(String, String)>,
}

/// A member as an organization's pages and APIs list them.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Member {
    #[serde(skip)]
    pub user_id: i64,
    /// The user's public subject: how APIs name a member (row ids are never exposed).
    pub sub: String,
    pub email: String,
    pub org_role: String,
    pub roles: Vec<String>,
}

/// What a user holds, resolved in one query: the built-in role in the organization (when one
/// was asked about and they are a member), role names, and the permissions per API identifier.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Access {
    pub org_role: Option<String>,
    pub roles: std::collections::BTreeSet<String>,
    pub permissions: std::collections::BTreeMap<String, std::collections::BTreeSet<String>>,
}

/// The generations an [`Access`] was resolved under: the organization's (0 outside one) and
/// the global one. Database triggers bump them with every change to memberships, role
/// assignments, role definitions and groups, so an `Access` cached with an equal stamp is
/// still true.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct AccessStamp {
    pub org: i64,
    pub global: i64,
}

impl Access {
    /// The permissions held on the API `identifier`.
    pub fn on(&self, identifier: &str) -> Option<&std::collections::BTreeSet<String>> {
        self.permissions.get(identifier)
    }

    /// How many permissions, over every API.
    pub fn permission_count(&self) -> usize {
        self.permissions.values().map(|p| p.len()).sum()
    }
}

/// A group in an organization: its members hold its roles there.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Group {
    #[serde(skip)]
    pub id: i64,
    #[serde(skip)]
    pub org_id: i64,
    pub name: String,
    pub description: String,
    pub roles: Vec<String>,
    pub members: i64,
}

/// A member of a group, named by public subject.
#[derive(Debug, Clone, serde::Serialize)]
pub struct GroupMember {
    #[serde(skip)]
    pub user_id: i64,
    pub sub: String,
    pub email: String,
}

/// A relationship tuple as stored (issue 20):
/// `object_type:object_id#relation@subject_type:subject_id[#subject_relation]`.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct TupleRow {
    pub object_type: String,
    pub object_id: String,
    pub relation: String,
    pub subject_type: String,
    pub subject_id: String,
    /// `""` for a plain subject.
    pub subject_relation: String,
    /// The condition as JSON, `""` for none.
    pub condition: String,
}

/// Which tuples a read wants: every part given must match.
#[derive(Debug, Clone, Default)]
pub struct TupleFilter {
    pub object_type: Option<String>,
    pub object_id: Option<String>,
    pub relation: Option<String>,
    pub subject_type: Option<String>,
    pub subject_id: Option<String>,
    pub subject_relation: Option<String>,
}

/// One entry of the change log the instances follow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthzChange {
    /// The entry's place in the log.
    pub seq: i64,
    pub rev: i64,
    pub org_id: i64,
    pub op: ChangeOp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChangeOp {
    Write(TupleRow),
    Delete(TupleRow),
    /// The organization's schema was set.
    Schema,
    /// This user's membership changed (joined, role changed, left).
    Member(i64),
    /// This client was installed in the organization or removed from it.
    Client(String),
    /// The organization was deleted.
    OrgDeleted,
}

/// The newest revision, the newest whose changes were pruned from the log, and the log's last
/// entry, read together.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AuthzHead {
    pub rev: i64,
    pub pruned: i64,
    pub seq: i64,
}

/// A member as the engine sees one: `user:<subject>` holding the built-in role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgSubject {
    pub user_id: i64,
    pub subject: String,
    pub org_role: String,
}
