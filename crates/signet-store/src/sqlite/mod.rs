//! The default backend: one SQLite file in WAL mode, safe to share between the server and the
//! CLI (busy timeout instead of "database is locked" errors).

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};

pub(crate) use crate::common::{from_ts, map_err, ts};
use crate::{Result, StoreError};

const MIGRATIONS: &[(i64, &str, &str)] = &[
    (1, "init", include_str!("../../migrations/sqlite/0001_init.sql")),
    (2, "tokens", include_str!("../../migrations/sqlite/0002_tokens.sql")),
    (3, "authorize", include_str!("../../migrations/sqlite/0003_authorize.sql")),
    (4, "device", include_str!("../../migrations/sqlite/0004_device.sql")),
    (5, "mfa", include_str!("../../migrations/sqlite/0005_mfa.sql")),
];

// The shared queries (`sql/*.rs`) are written against these names.
pub(crate) type DbStore = SqliteStore;
pub(crate) type DbRow = sqlx::sqlite::SqliteRow;
pub(crate) type DbConn = sqlx::SqliteConnection;
pub(crate) type DbPool = SqlitePool;
/// Taken first in key transactions. A write as the first statement makes SQLite take its
/// database write lock there, so concurrent key changes serialise.
pub(crate) const KEY_LOCK_SQL: &str = "UPDATE signing_keys SET kid = kid WHERE 0";

crate::common::shared_queries!();

#[derive(Debug, Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
}

impl SqliteStore {
    /// Opens (creating if missing) the database at `path` and applies migrations.
    pub async fn open(path: &Path) -> Result<Self> {
        let opts = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(5));
        Self::connect(opts).await
    }

    /// Opens a `sqlite://…` URL.
    pub async fn open_url(url: &str) -> Result<Self> {
        let opts = SqliteConnectOptions::from_str(url)
            .map_err(|e| StoreError::Other(anyhow::anyhow!("invalid database URL: {e}")))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(5));
        Self::connect(opts).await
    }

    async fn connect(opts: SqliteConnectOptions) -> Result<Self> {
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .min_connections(1)
            .acquire_timeout(Duration::from_secs(5))
            .connect_with(opts)
            .await
            .map_err(map_err)?;
        store::migrate(&pool, MIGRATIONS).await?;
        Ok(Self { pool })
    }

    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{NewSession, NewUser, SessionStore, Store, UserStore};
    use signet_core::{Email, OffsetDateTime, PasswordRecord, PlainToken};

    #[tokio::test]
    async fn users_and_sessions_round_trip() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = SqliteStore::open(&dir.path().join("t.db")).await.expect("open");
        let now = OffsetDateTime::from_unix_timestamp(1_700_000_000).expect("ts");
        let email = Email::parse("a@example.com").expect("email");
        let rec = PasswordRecord { hash: "$argon2id$x".into(), pepper_id: Some("p1".into()) };
        let u = store
            .create_user(NewUser { email: &email, password: Some(&rec), is_admin: true, now })
            .await
            .expect("create");
        assert!(matches!(
            store.create_user(NewUser { email: &email, password: None, is_admin: false, now }).await,
            Err(StoreError::Conflict)
        ));
        let got = store.user_by_email(&email).await.expect("get").expect("some");
        assert_eq!(got.password, Some(rec));
        assert!(got.is_admin);
        let tok = PlainToken::generate("");
        let s = store
            .create_session(NewSession {
                token_hash: &tok.hash(),
                user_id: u.id,
                now,
                auth_time: now,
                user_agent: "ua",
                ip: "127.0.0.1",
                amr: "pwd",
            })
            .await
            .expect("session");
        assert_eq!(store.session_by_token(&tok.hash()).await.expect("get").map(|s| s.id), Some(s.id));
        assert_eq!(store.delete_user_sessions(u.id, Some(s.id)).await.expect("del"), 0);
        assert_eq!(store.delete_user_sessions(u.id, None).await.expect("del"), 1);
        store.ping().await.expect("ping");
    }
}
