//! The scale-out backend: PostgreSQL, shared by any number of Signet instances (and the CLI).
//!
//! Atomic rules hold across instances because they are single statements or transactions in
//! the database: refresh rotation and code redemption are `UPDATE … WHERE used_at IS NULL`
//! compare-and-sets (under READ COMMITTED a concurrent second UPDATE waits for the first and
//! then re-checks the condition, so it matches nothing), and key changes take a table lock.

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};

pub(crate) use crate::common::{from_ts, map_err, ts};
use crate::{Result, StoreError};

const MIGRATIONS: &[(i64, &str, &str)] = &[
    (1, "init", include_str!("../../migrations/postgres/0001_init.sql")),
    (2, "mfa", include_str!("../../migrations/postgres/0002_mfa.sql")),
    (3, "subjects", include_str!("../../migrations/postgres/0003_subjects.sql")),
    (4, "client_display", include_str!("../../migrations/postgres/0004_client_display.sql")),
    (5, "mail_outbox", include_str!("../../migrations/postgres/0005_mail_outbox.sql")),
    (6, "account_lifecycle", include_str!("../../migrations/postgres/0006_account_lifecycle.sql")),
    (7, "organizations", include_str!("../../migrations/postgres/0007_organizations.sql")),
    (8, "groups_access_gen", include_str!("../../migrations/postgres/0008_groups_access_gen.sql")),
    (9, "authz", include_str!("../../migrations/postgres/0009_authz.sql")),
    (10, "federation", include_str!("../../migrations/postgres/0010_federation.sql")),
    (11, "admin", include_str!("../../migrations/postgres/0011_admin.sql")),
];

// The shared queries (`sql/*.rs`) are written against these names.
pub(crate) type DbStore = PgStore;
pub(crate) const POOLS_SHARED: bool = true;
pub(crate) type DbRow = sqlx::postgres::PgRow;
pub(crate) type DbConn = sqlx::PgConnection;
pub(crate) type DbPool = PgPool;
/// Taken first in key transactions: conflicts with itself and with every write to the table,
/// so concurrent key changes by several instances serialise; reads (JWKS) are not blocked.
pub(crate) const KEY_LOCK_SQL: &str = "LOCK TABLE signing_keys IN SHARE ROW EXCLUSIVE MODE";

/// Taken first when a write may take away an administrator: locks every enabled
/// administrator's row, so two such writes run one after the other and the second sees the
/// first (the last administrator stays).
pub(crate) const ADMIN_LOCK_SQL: &str = "SELECT id FROM users WHERE is_admin AND NOT disabled ORDER BY id FOR UPDATE";

crate::common::shared_queries!();

#[derive(Debug, Clone)]
pub struct PgStore {
    pool: PgPool,
    /// The shared queries write through `writer` and read through `pool`; on PostgreSQL both
    /// are the one pool (SQLite gives writes a connection of their own).
    writer: PgPool,
}

impl PgStore {
    /// Connects to a `postgres://…` URL with a pool of at most `max_connections`, and applies
    /// migrations. sqlx's migrator holds a PostgreSQL advisory lock while it runs, so instances
    /// starting together do not race.
    pub async fn open_url(url: &str, max_connections: u32) -> Result<Self> {
        let opts = PgConnectOptions::from_str(url)
            .map_err(|e| StoreError::Other(anyhow::anyhow!("invalid database URL: {e}")))?
            .application_name("signet")
            // Server notices ("relation … already exists, skipping") are not news to operators.
            .options([("client_min_messages", "warning")]);
        let pool = PgPoolOptions::new()
            .max_connections(max_connections.max(1))
            .min_connections(1)
            // Fail fast while the database is down: requests answer 503 + Retry-After instead
            // of queueing, and the pool reconnects by itself when it is back.
            .acquire_timeout(Duration::from_secs(3))
            .idle_timeout(Duration::from_secs(300))
            .connect_with(opts)
            .await
            .map_err(map_err)?;
        store::migrate(&pool, MIGRATIONS).await?;
        Ok(Self { writer: pool.clone(), pool })
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }
}
