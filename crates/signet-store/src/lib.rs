//! Signet persistence behind traits.
//!
//! Durable state (users, sessions, tokens, keys, audit log) lives behind [`Store`]; SQLite is
//! the default backend, PostgreSQL the one for several instances. Short-lived counters (rate limits, lockouts) live behind [`Ephemeral`]; in-process
//! by default. Handlers only ever see the traits, so new backends add no branches to them.

mod admin_model;
mod common;
pub mod ephemeral;
mod federation_model;
pub mod model;
pub mod postgres;
pub mod redis_ephemeral;
pub mod sqlite;

use async_trait::async_trait;
use signet_core::{Email, OffsetDateTime, PasswordRecord, TokenHash};

pub use admin_model::*;
pub use ephemeral::{Counter, Ephemeral, MemoryEphemeral};
pub use federation_model::*;
pub use model::*;
pub use postgres::PgStore;
pub use redis_ephemeral::{FallbackEphemeral, RedisEphemeral};
pub use sqlite::SqliteStore;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("already exists")]
    Conflict,
    #[error("not found")]
    NotFound,
    /// The backend cannot be reached or is overloaded: callers answer 503 and retry later.
    #[error("store unavailable: {0}")]
    Unavailable(String),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

#[async_trait]
pub trait UserStore: Send + Sync {
    /// Fails with [`StoreError::Conflict`] when the email is taken.
    async fn create_user(&self, new: NewUser<'_>) -> Result<User>;
    async fn user_by_email(&self, email: &Email) -> Result<Option<User>>;
    async fn user_by_id(&self, id: i64) -> Result<Option<User>>;
    async fn user_by_subject(&self, subject: &str) -> Result<Option<User>>;
    async fn list_users(&self) -> Result<Vec<User>>;
    /// Replaces the password hash. `changed` is false for a transparent rehash, which must not
    /// count as a password change.
    async fn set_password(
        &self,
        user_id: i64,
        record: &PasswordRecord,
        changed: bool,
        now: OffsetDateTime,
    ) -> Result<()>;
    async fn set_disabled(&self, user_id: i64, disabled: bool, now: OffsetDateTime) -> Result<()>;
    /// Makes every token issued to the user before `now` inactive.
    async fn revoke_tokens_before(&self, user_id: i64, now: OffsetDateTime) -> Result<()>;
    /// Marks `email` verified if it is still the account's address (a link mailed to an old
    /// address verifies nothing). `false` when it is not.
    async fn set_email_verified(&self, user_id: i64, email: &str, now: OffsetDateTime) -> Result<bool>;
    async fn set_profile(&self, user_id: i64, profile: &signet_core::Profile, now: OffsetDateTime) -> Result<()>;
    /// Moves the account from address `from` (only while it is still current) to `to`:
    /// `Ok(false)` when `from` is no longer current, `Err(Conflict)` when `to` has an account.
    async fn change_email(
        &self,
        user_id: i64,
        from: &str,
        to: &Email,
        verified: bool,
        now: OffsetDateTime,
    ) -> Result<bool>;
    /// Schedules (`Some`) or cancels (`None`) the account's erasure.
    async fn schedule_deletion(&self, user_id: i64, at: Option<OffsetDateTime>, now: OffsetDateTime) -> Result<()>;
    /// Accounts whose deletion grace period ended before `now`.
    async fn due_deletions(&self, now: OffsetDateTime, limit: i64) -> Result<Vec<i64>>;
    /// Erases the account and everything that hangs off it (sessions, tokens, factors,
    /// consents, queued mail to it); audit events keep the user id only. `false` if it was gone.
    async fn erase_user(&self, user_id: i64) -> Result<bool>;
    /// Records a sign-in from network `prefix`; says whether it was new, and whether the user
    /// had others before. Atomic: of two sign-ins racing from a new network, one sees it new.
    async fn note_network(&self, user_id: i64, prefix: &str, now: OffsetDateTime) -> Result<NetworkSeen>;
    /// The networks a user signed in from: prefix, first and last seen.
    async fn list_networks(&self, user_id: i64) -> Result<Vec<(String, OffsetDateTime, OffsetDateTime)>>;
}

#[async_trait]
pub trait SessionStore: Send + Sync {
    async fn create_session(&self, new: NewSession<'_>) -> Result<Session>;
    async fn session_by_token(&self, hash: &TokenHash) -> Result<Option<Session>>;
    async fn touch_session(&self, id: i64, now: OffsetDateTime) -> Result<()>;
    async fn delete_session(&self, id: i64) -> Result<()>;
    /// Deletes one of the user's sessions; `false` if it is not theirs or already gone.
    async fn delete_user_session(&self, user_id: i64, session_id: i64) -> Result<bool>;
    /// Deletes all the user's sessions except `keep`; returns how many went.
    async fn delete_user_sessions(&self, user_id: i64, keep: Option<i64>) -> Result<u64>;
    async fn list_user_sessions(&self, user_id: i64) -> Result<Vec<Session>>;
    /// A completed step-up: the session's methods and authentication time change.
    async fn set_session_auth(&self, id: i64, amr: &str, auth_time: OffsetDateTime) -> Result<()>;
}

#[async_trait]
pub trait AuditStore: Send + Sync {
    async fn audit(&self, event: NewAudit<'_>) -> Result<()>;
    async fn list_audit(&self, user_id: Option<i64>, limit: u32) -> Result<Vec<AuditEvent>>;
}

#[async_trait]
pub trait ClientStore: Send + Sync {
    /// Fails with [`StoreError::Conflict`] when the client id is taken.
    async fn create_client(&self, new: NewClient<'_>) -> Result<Client>;
    async fn client(&self, client_id: &str) -> Result<Option<Client>>;
    async fn list_clients(&self) -> Result<Vec<Client>>;
    async fn set_client_secret(&self, client_id: &str, secret_hash: &str, now: OffsetDateTime) -> Result<()>;
    /// Deletes the client and revokes its refresh-token families. `false` if it did not exist.
    async fn delete_client(&self, client_id: &str, now: OffsetDateTime) -> Result<bool>;
}

#[async_trait]
pub trait KeyStore: Send + Sync {
    async fn list_keys(&self) -> Result<Vec<StoredKey>>;
    /// Inserts the first `current` and `next` keys if there are no keys yet; `false` if another
    /// process already did.
    async fn insert_initial_keys(&self, current: &StoredKey, next: &StoredKey) -> Result<bool>;
    /// Atomically: `current` → `retired` (published until `drop_after`), `next` → `current`,
    /// and `new_next` becomes the new `next`. With `due_before` (a scheduled rotation) this only
    /// happens if the current key was activated at or before it, so instances racing to rotate
    /// on schedule rotate once; `false` when skipped.
    async fn rotate_keys(
        &self,
        new_next: &StoredKey,
        now: OffsetDateTime,
        drop_after: OffsetDateTime,
        due_before: Option<OffsetDateTime>,
    ) -> Result<bool>;
    /// Marks a key revoked; `false` if there is no such key.
    async fn revoke_key(&self, kid: &str, now: OffsetDateTime) -> Result<bool>;
    /// Deletes retired keys whose tokens have all expired.
    async fn purge_keys(&self, now: OffsetDateTime) -> Result<u64>;
}

#[async_trait]
pub trait RefreshStore: Send + Sync {
    /// Starts a family with its first token; returns the family id.
    async fn create_family(&self, family: NewFamily<'_>, first: NewRefresh<'_>) -> Result<i64>;
    async fn refresh_by_token(&self, hash: &TokenHash) -> Result<Option<RefreshRecord>>;
    /// Compare-and-set: marks `token_id` used only if it is unused, and adds the successor,
    /// in one transaction. Two concurrent calls can never both rotate one token.
    async fn rotate_refresh(&self, token_id: i64, family_id: i64, successor: NewRefresh<'_>) -> Result<RotateOutcome>;
    /// Grace-window retry: invalidates `token_id`'s successor if that is still unused and puts
    /// a new successor in its place, atomically. `AlreadyUsed` if the successor was used.
    async fn replace_successor(
        &self,
        token_id: i64,
        family_id: i64,
        successor: NewRefresh<'_>,
    ) -> Result<RotateOutcome>;
    async fn revoke_family(&self, family_id: i64, reason: &str, now: OffsetDateTime) -> Result<()>;
    async fn revoke_user_families(&self, user_id: i64, reason: &str, now: OffsetDateTime) -> Result<u64>;
    async fn revoke_user_client_families(
        &self,
        user_id: i64,
        client_id: &str,
        reason: &str,
        now: OffsetDateTime,
    ) -> Result<u64>;
}

#[async_trait]
pub trait AuthorizeStore: Send + Sync {
    async fn put_request(
        &self,
        id_hash: &TokenHash,
        client_id: &str,
        params: &str,
        now: OffsetDateTime,
        expires_at: OffsetDateTime,
    ) -> Result<()>;
    /// The request's JSON if it exists and has not expired.
    async fn get_request(&self, id_hash: &TokenHash, now: OffsetDateTime) -> Result<Option<String>>;
    async fn delete_request(&self, id_hash: &TokenHash) -> Result<()>;
    /// Replaces the JSON of an unexpired pending request; `false` if it is gone.
    async fn update_request(&self, id_hash: &TokenHash, params: &str, now: OffsetDateTime) -> Result<bool>;
    async fn put_code(&self, code: NewCode<'_>) -> Result<()>;
    async fn code_by_hash(&self, code_hash: &TokenHash) -> Result<Option<CodeRecord>>;
    /// Compare-and-set: marks the code used, recording in the same write what the redemption
    /// issued (for revocation on replay), if it is unused; `false` if it was used already.
    async fn redeem_code(&self, id: i64, now: OffsetDateTime, issued: CodeTokens<'_>) -> Result<bool>;
    async fn consent(&self, user_id: i64, client_id: &str) -> Result<Option<String>>;
    async fn put_consent(&self, user_id: i64, client_id: &str, scope: &str, now: OffsetDateTime) -> Result<()>;
    async fn delete_consent(&self, user_id: i64, client_id: &str) -> Result<bool>;
    /// (client_id, scope, granted_at) of every remembered consent of the user.
    async fn list_consents(&self, user_id: i64) -> Result<Vec<(String, String, OffsetDateTime)>>;
}

#[async_trait]
pub trait DeviceStore: Send + Sync {
    #[allow(clippy::too_many_arguments)]
    async fn create_device(
        &self,
        device_hash: &TokenHash,
        user_code: &str,
        client_id: &str,
        scope: &str,
        interval_secs: i64,
        now: OffsetDateTime,
        expires_at: OffsetDateTime,
    ) -> Result<()>;
    async fn device_by_hash(&self, device_hash: &TokenHash) -> Result<Option<DeviceRecord>>;
    /// A pending, unexpired request by its (normalised) user code.
    async fn device_by_user_code(&self, user_code: &str, now: OffsetDateTime) -> Result<Option<DeviceRecord>>;
    /// Approves or denies a pending request; `false` if it is no longer pending.
    async fn decide_device(
        &self,
        id: i64,
        approve: bool,
        user_id: i64,
        auth_time: OffsetDateTime,
        amr: &str,
    ) -> Result<bool>;
    async fn record_poll(&self, id: i64, now: OffsetDateTime, interval_secs: i64) -> Result<()>;
    /// Compare-and-set approved → redeemed; `false` if someone redeemed it first.
    async fn redeem_device(&self, id: i64) -> Result<bool>;
}

/// Authenticator apps (TOTP, RFC 6238): one per user.
#[async_trait]
pub trait TotpStore: Send + Sync {
    async fn totp(&self, user_id: i64) -> Result<Option<TotpFactor>>;
    /// Starts (or restarts) enrolment with a new, unconfirmed secret. [`StoreError::Conflict`]
    /// if the user already has a confirmed authenticator.
    async fn put_pending_totp(&self, user_id: i64, secret_enc: &[u8], now: OffsetDateTime) -> Result<()>;
    /// Activates the pending authenticator, recording `step` as used; `false` if none pending.
    async fn confirm_totp(&self, user_id: i64, step: i64, now: OffsetDateTime) -> Result<bool>;
    /// Compare-and-set on the replay guard: records `step` only if it is later than every step
    /// accepted before, so of two concurrent uses of one code exactly one succeeds.
    async fn use_totp_step(&self, user_id: i64, step: i64, now: OffsetDateTime) -> Result<bool>;
    async fn delete_totp(&self, user_id: i64) -> Result<bool>;
}

/// Single-use backup codes, stored hashed.
#[async_trait]
pub trait BackupCodeStore: Send + Sync {
    /// Replaces the user's backup codes with a new set (the old ones stop working).
    async fn replace_backup_codes(&self, user_id: i64, hashes: &[String], now: OffsetDateTime) -> Result<()>;
    /// Marks an unused code as used; `false` if it is unknown, someone else's, or spent.
    async fn use_backup_code(&self, user_id: i64, hash: &str, now: OffsetDateTime) -> Result<bool>;
    async fn backup_codes_remaining(&self, user_id: i64) -> Result<i64>;
    async fn delete_backup_codes(&self, user_id: i64) -> Result<()>;
}

/// Passkeys (WebAuthn credentials).
#[async_trait]
pub trait PasskeyStore: Send + Sync {
    /// [`StoreError::Conflict`] if the credential id is already registered.
    async fn add_passkey(&self, new: NewPasskey<'_>) -> Result<PasskeyRecord>;
    async fn list_passkeys(&self, user_id: i64) -> Result<Vec<PasskeyRecord>>;
    async fn passkey_by_credential_id(&self, credential_id: &str) -> Result<Option<PasskeyRecord>>;
    /// Records a successful assertion. Compare-and-set on the sign count, so two concurrent
    /// assertions cannot both move it; `false` if it changed meanwhile.
    async fn record_passkey_use(&self, used: PasskeyUse<'_>, previous_count: i64) -> Result<bool>;
    async fn rename_passkey(&self, user_id: i64, id: i64, name: &str) -> Result<bool>;
    async fn delete_passkey(&self, user_id: i64, id: i64) -> Result<bool>;
}

/// Single-use challenges of multi-step ceremonies (WebAuthn, the pending second factor), kept
/// server-side so any instance can finish what another started.
#[async_trait]
pub trait ChallengeStore: Send + Sync {
    async fn put_challenge(
        &self,
        id_hash: &TokenHash,
        kind: &str,
        user_id: Option<i64>,
        data: &str,
        expires_at: OffsetDateTime,
    ) -> Result<()>;
    /// Deletes and returns an unexpired challenge of `kind`: single use by construction.
    async fn take_challenge(
        &self,
        id_hash: &TokenHash,
        kind: &str,
        now: OffsetDateTime,
    ) -> Result<Option<(Option<i64>, String)>>;
    /// Reads without using it up (to render a page about it).
    async fn peek_challenge(&self, id_hash: &TokenHash, kind: &str, now: OffsetDateTime) -> Result<Option<String>>;
}

/// What has expired, by kind: everything before these times can go.
#[derive(Debug, Clone, Copy)]
pub struct PurgeCutoffs {
    pub now: OffsetDateTime,
    /// Sessions last seen before this (the idle timeout) …
    pub session_idle_before: OffsetDateTime,
    /// … or created before this (the absolute timeout).
    pub session_created_before: OffsetDateTime,
    /// Used codes and device codes are kept until this long after expiry, so a late replay is
    /// still recognised as one.
    pub keep_spent: time::Duration,
}

/// The mail outbox: requests enqueue, the delivery worker claims, sends and marks.
#[async_trait]
pub trait MailStore: Send + Sync {
    async fn enqueue_mail(&self, m: NewMail<'_>) -> Result<i64>;
    /// Claims up to `limit` due messages until `lease_until` (attempts + 1 each): a message is
    /// due when unsent, not given up, its next attempt is at or before `now`, and no unexpired
    /// lease holds it. Two workers never claim the same message while a lease lasts.
    async fn claim_mail(&self, now: OffsetDateTime, lease_until: OffsetDateTime, limit: i64)
        -> Result<Vec<QueuedMail>>;
    async fn mail_sent(&self, id: i64, now: OffsetDateTime) -> Result<()>;
    /// A failed attempt: retry at `retry_at`, or give up (`None`).
    async fn mail_failed(
        &self,
        id: i64,
        error: &str,
        retry_at: Option<OffsetDateTime>,
        now: OffsetDateTime,
    ) -> Result<()>;
    async fn outbox_counts(&self) -> Result<OutboxCounts>;
}

/// Organizations, APIs, roles and grants (issue 19). Ids here are row ids; the server maps
/// the public ones (`org_…`, slugs, API identifiers) to them.
#[async_trait]
pub trait OrgStore: Send + Sync {
    async fn create_org(&self, public_id: &str, slug: &str, name: &str, now: OffsetDateTime) -> Result<Org>;
    /// By public id (`org_…`) or slug.
    async fn org(&self, id_or_slug: &str) -> Result<Option<Org>>;
    async fn org_by_row(&self, id: i64) -> Result<Option<Org>>;
    /// Sets the organization's verified e-mail domains (lower case; home-realm discovery).
    /// [`StoreError::Conflict`] when another organization holds one of them.
    async fn set_org_domains(&self, org_id: i64, domains: &[String]) -> Result<()>;
    /// The organization holding e-mail domain `domain` (lower case), if any.
    async fn org_by_domain(&self, domain: &str) -> Result<Option<Org>>;
    async fn list_orgs(&self, after: i64, limit: i64) -> Result<Vec<Org>>;
    /// Deletes the organization, its memberships, its own roles and every assignment in it.
    async fn delete_org(&self, id: i64) -> Result<bool>;
    /// Adds a member, or changes their built-in role.
    async fn set_member(&self, org_id: i64, user_id: i64, org_role: &str, now: OffsetDateTime) -> Result<()>;
    /// Removes a member and every role they held in the organization.
    async fn remove_member(&self, org_id: i64, user_id: i64) -> Result<bool>;
    async fn member_role(&self, org_id: i64, user_id: i64) -> Result<Option<String>>;
    async fn list_members(&self, org_id: i64) -> Result<Vec<Member>>;
    async fn count_owners(&self, org_id: i64) -> Result<i64>;
    /// The organizations a user belongs to, with their built-in role in each.
    async fn user_orgs(&self, user_id: i64) -> Result<Vec<(Org, String)>>;
    async fn create_api(&self, identifier: &str, name: &str, now: OffsetDateTime) -> Result<Api>;
    async fn api(&self, identifier: &str) -> Result<Option<Api>>;
    async fn list_apis(&self) -> Result<Vec<Api>>;
    async fn add_api_permission(&self, api_id: i64, name: &str, description: &str) -> Result<()>;
    async fn create_role(&self, org_id: i64, name: &str, description: &str, now: OffsetDateTime) -> Result<Role>;
    /// A role usable in `org_id`: the organization's own of that name, else the global one.
    async fn role(&self, org_id: i64, name: &str) -> Result<Option<Role>>;
    /// The roles defined in `org_id` (0: the global ones).
    async fn list_roles(&self, org_id: i64) -> Result<Vec<Role>>;
    async fn add_role_permission(&self, role_id: i64, api_id: i64, permission: &str) -> Result<()>;
    /// Deletes a role with its permissions, its assignments and its place in groups (whoever
    /// held it no longer does; triggers move the access generations on).
    async fn delete_role(&self, role_id: i64) -> Result<bool>;
    /// Gives `user_id` the role in `org_id` (0: everywhere).
    async fn assign_role(&self, user_id: i64, org_id: i64, role_id: i64, now: OffsetDateTime) -> Result<()>;
    async fn unassign_role(&self, user_id: i64, org_id: i64, role_id: i64) -> Result<bool>;
    /// Everything `user_id` holds in `org_id` (or outside organizations: `None`), in one query.
    async fn access(&self, user_id: i64, org_id: Option<i64>) -> Result<Access>;
    /// The organization named by public id or slug (if any, and if it exists) and the access
    /// generations a cached [`Access`] is valid under, in one indexed query.
    async fn access_stamp(&self, org: Option<&str>) -> Result<(Option<Org>, AccessStamp)>;
    async fn grant_client(&self, client_id: &str, api_id: i64, permission: &str) -> Result<()>;
    /// A client's grants: (API identifier, permission).
    async fn client_grants(&self, client_id: &str) -> Result<Vec<(String, String)>>;
}

/// Groups within an organization: members of a group hold the group's roles there.
#[async_trait]
pub trait GroupStore: Send + Sync {
    async fn create_group(&self, org_id: i64, name: &str, description: &str, now: OffsetDateTime) -> Result<Group>;
    /// The group of that name in `org_id` (never another organization's).
    async fn group(&self, org_id: i64, name: &str) -> Result<Option<Group>>;
    /// The organization's groups, with their roles and member counts.
    async fn list_groups(&self, org_id: i64) -> Result<Vec<Group>>;
    async fn delete_group(&self, group_id: i64) -> Result<bool>;
    /// Adds (`true`) or removes a member; whether anything changed.
    async fn set_group_member(&self, group_id: i64, user_id: i64, member: bool) -> Result<bool>;
    async fn group_members(&self, group_id: i64) -> Result<Vec<GroupMember>>;
    /// Gives (`true`) or takes the role from the group; whether anything changed.
    async fn set_group_role(&self, group_id: i64, role_id: i64, held: bool) -> Result<bool>;
}

/// The relationship engine's data (issue 20): schemas and tuples per organization, and the
/// change log every instance follows. Each change takes the next global revision; a write's
/// revision is its consistency token.
#[async_trait]
pub trait AuthzStore: Send + Sync {
    async fn authz_head(&self) -> Result<AuthzHead>;
    /// Log entries after position `after_seq`, in order, at most `limit`.
    async fn authz_changes(&self, after_seq: i64, limit: i64) -> Result<Vec<AuthzChange>>;
    /// The organization's schema source and the revision that set it.
    async fn authz_schema(&self, org_id: i64) -> Result<Option<(String, i64)>>;
    /// Sets the schema, checked by the caller against the organization's tuples as of revision
    /// `seen`: [`StoreError::Conflict`] when they changed since (check again). The new revision.
    async fn set_authz_schema(&self, org_id: i64, source: &str, seen: i64, now: OffsetDateTime) -> Result<i64>;
    /// Writes (`true`) and deletes tuples in one transaction under one new revision, checked by
    /// the caller against the schema set at `schema_rev` (0: none): [`StoreError::Conflict`]
    /// when it changed since. The revision the state is at afterwards.
    async fn write_tuples(
        &self,
        org_id: i64,
        schema_rev: i64,
        ops: &[(bool, TupleRow)],
        now: OffsetDateTime,
    ) -> Result<i64>;
    /// Tuples matching `filter`, in key order, after `after`, at most `limit`.
    async fn read_tuples(
        &self,
        org_id: i64,
        filter: &TupleFilter,
        after: Option<&TupleRow>,
        limit: i64,
    ) -> Result<Vec<TupleRow>>;
    /// Every organization's tuples (or one's), as text: one line per tuple,
    /// `type:id#relation@subject`, then a tab and the condition's JSON if it has one. One row
    /// per organization: loading graphs reads a few rows, not one per tuple.
    async fn tuples_text(&self, org_id: Option<i64>) -> Result<Vec<(i64, String)>>;
    /// Every organization's schema: (organization, source, revision).
    async fn all_authz_schemas(&self) -> Result<Vec<(i64, String, i64)>>;
    /// Every installed client: (organization, client id).
    async fn all_org_clients(&self) -> Result<Vec<(i64, String)>>;
    /// The organization's members, as the engine sees them.
    async fn org_subjects(&self, org_id: i64) -> Result<Vec<OrgSubject>>;
    async fn org_subject(&self, org_id: i64, user_id: i64) -> Result<Option<OrgSubject>>;
    /// Deletes log entries older than `before`; how many went.
    async fn prune_authz_changes(&self, before: OffsetDateTime) -> Result<u64>;
    /// Installs (`true`) or removes a client in an organization; whether anything changed.
    async fn install_client(&self, org_id: i64, client_id: &str, installed: bool, now: OffsetDateTime) -> Result<bool>;
    async fn client_installed(&self, org_id: i64, client_id: &str) -> Result<bool>;
    async fn org_clients(&self, org_id: i64) -> Result<Vec<String>>;
}

/// Upstream identity providers (issue 21): providers added by the CLI, the identities linked
/// to accounts, and the token vault.
#[async_trait]
pub trait FederationStore: Send + Sync {
    async fn providers(&self) -> Result<Vec<StoredProvider>>;
    async fn provider(&self, slug: &str) -> Result<Option<StoredProvider>>;
    /// Adds a provider; [`StoreError::Conflict`] when the slug is taken.
    async fn add_provider(&self, slug: &str, config: &str, secret: Option<&[u8]>, now: OffsetDateTime) -> Result<()>;
    /// Removes the provider; the identities linked through it stay (re-adding it brings them back).
    async fn remove_provider(&self, slug: &str) -> Result<bool>;
    async fn identity(&self, provider: &str, issuer: &str, subject: &str) -> Result<Option<ExternalIdentity>>;
    async fn identities_of(&self, user_id: i64) -> Result<Vec<ExternalIdentity>>;
    /// Links an identity to the account; [`StoreError::Conflict`] when it is linked already.
    async fn link_identity(&self, user_id: i64, new: NewIdentity<'_>) -> Result<ExternalIdentity>;
    /// A new account (no password) with its first identity, in one transaction: the address
    /// verified at `now` when `email_verified`. Conflict when the address or the identity is taken.
    async fn create_federated_user(
        &self,
        email: &Email,
        email_verified: bool,
        new: NewIdentity<'_>,
    ) -> Result<(User, ExternalIdentity)>;
    /// A sign-in through the identity: what the upstream says now, and when.
    async fn touch_identity(&self, id: i64, email: Option<&str>, name: Option<&str>, now: OffsetDateTime)
        -> Result<()>;
    /// Unlinks the identity (and forgets its tokens) unless it is the account's last way to sign
    /// in: no password, no passkey, no other identity. `Ok(false)`: nothing unlinked (not the
    /// account's, or the last way in). Atomic against a concurrent unlink.
    async fn unlink_identity(&self, user_id: i64, identity_id: i64) -> Result<bool>;
    async fn put_upstream_tokens(
        &self,
        identity_id: i64,
        tokens: &SealedUpstreamTokens,
        now: OffsetDateTime,
    ) -> Result<()>;
    async fn upstream_tokens(&self, identity_id: i64) -> Result<Option<SealedUpstreamTokens>>;
}

/// The admin API's reads and conditional writes (`admin_model`).
#[async_trait]
pub trait AdminStore: Send + Sync {
    async fn search_users(&self, filter: UserFilter<'_>) -> Result<Vec<User>>;
    /// Changes an account's flags if its revision is still `expected` (any, when `None`).
    async fn patch_user(
        &self,
        user_id: i64,
        expected: Option<i64>,
        patch: &UserPatch,
        now: OffsetDateTime,
    ) -> Result<Written<User>>;
    /// Changes a client's registration if its revision is still `expected` (any, when `None`).
    async fn patch_client(
        &self,
        client_id: &str,
        expected: Option<i64>,
        patch: &ClientPatch,
        now: OffsetDateTime,
    ) -> Result<Written<Client>>;
    /// A confidential client's new secret; the old one keeps working until `keep_old_until`
    /// (none: it stops at once). `Missing` for an unknown or public client.
    async fn rotate_client_secret(
        &self,
        client_id: &str,
        expected: Option<i64>,
        secret_hash: &str,
        keep_old_until: Option<OffsetDateTime>,
        now: OffsetDateTime,
    ) -> Result<Written<Client>>;
    /// Forgets replaced secrets whose overlap ended; the clients they belonged to.
    async fn expire_previous_secrets(&self, now: OffsetDateTime) -> Result<Vec<String>>;
    async fn audit_page(&self, filter: AuditFilter<'_>) -> Result<Vec<AuditEvent>>;
    /// Audit retention: deletes at most `batch` events older than `before`, oldest first.
    async fn prune_audit(&self, before: OffsetDateTime, batch: i64) -> Result<u64>;
    /// (accounts, disabled accounts, sessions seen since `active_since`) for the dashboard.
    async fn admin_counts(&self, active_since: OffsetDateTime) -> Result<(i64, i64, i64)>;
}

/// Housekeeping: deletes expired rows of every kind, at most `batch` rows per statement, so
/// a large backlog never holds the database's write lock for long.
#[async_trait]
pub trait PurgeStore: Send + Sync {
    /// Deletes one batch of each kind; returns how many rows went. Call again while it
    /// returns `batch` or more.
    async fn purge_batch(&self, cutoffs: PurgeCutoffs, batch: i64) -> Result<u64>;
}

/// Everything durable. One object per backend.
#[async_trait]
pub trait Store:
    UserStore
    + SessionStore
    + AuditStore
    + ClientStore
    + KeyStore
    + RefreshStore
    + AuthorizeStore
    + DeviceStore
    + TotpStore
    + BackupCodeStore
    + PasskeyStore
    + ChallengeStore
    + PurgeStore
    + MailStore
    + OrgStore
    + GroupStore
    + AuthzStore
    + FederationStore
    + AdminStore
    + 'static
{
    /// Is the database reachable? For `/readyz`.
    async fn ping(&self) -> Result<()>;
    /// The connection pools now, for metrics: (pool, open connections, idle ones), the pool
    /// being `read` and `write` on SQLite, `all` on PostgreSQL.
    fn pool_stats(&self) -> Vec<(&'static str, u32, usize)>;
}
