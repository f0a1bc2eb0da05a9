//! The default backend: one SQLite file in WAL mode, safe to share between the server and the
//! CLI (busy timeout instead of "database is locked" errors).
//!
//! Checkpoints run in the background, not in the commit that crosses SQLite's 1000-page
//! threshold: under steady load some connection is always reading, a passive checkpoint can then
//! never reset the log, and every later commit re-scanned an ever longer WAL (measured: a 170 MB
//! log after a minute of authorization-code flows, 15% of the CPU in `walCheckpoint`). The
//! checkpointer below runs once a second instead, and makes the log start over when it has to.
//!
//! Writes go through one connection of their own and queue for it in the pool (first come,
//! first served), reads through the others. SQLite allows one writer at a time anyway; with
//! several writing connections the losers of the write lock sleep in SQLite's busy handler
//! (1, 2, 5, 10… ms), which was most of the tail latency under load.

use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};
use tokio::task::JoinHandle;

pub(crate) use crate::common::{from_ts, map_err, ts};
use crate::{Result, StoreError};

const MIGRATIONS: &[(i64, &str, &str)] = &[
    (1, "init", include_str!("../../migrations/sqlite/0001_init.sql")),
    (2, "tokens", include_str!("../../migrations/sqlite/0002_tokens.sql")),
    (3, "authorize", include_str!("../../migrations/sqlite/0003_authorize.sql")),
    (4, "device", include_str!("../../migrations/sqlite/0004_device.sql")),
    (5, "mfa", include_str!("../../migrations/sqlite/0005_mfa.sql")),
    (6, "subjects", include_str!("../../migrations/sqlite/0006_subjects.sql")),
    (7, "parity", include_str!("../../migrations/sqlite/0007_parity.sql")),
    (8, "client_display", include_str!("../../migrations/sqlite/0008_client_display.sql")),
    (9, "mail_outbox", include_str!("../../migrations/sqlite/0009_mail_outbox.sql")),
    (10, "account_lifecycle", include_str!("../../migrations/sqlite/0010_account_lifecycle.sql")),
    (11, "organizations", include_str!("../../migrations/sqlite/0011_organizations.sql")),
    (12, "groups_access_gen", include_str!("../../migrations/sqlite/0012_groups_access_gen.sql")),
    (13, "authz", include_str!("../../migrations/sqlite/0013_authz.sql")),
    (14, "federation", include_str!("../../migrations/sqlite/0014_federation.sql")),
    (15, "admin", include_str!("../../migrations/sqlite/0015_admin.sql")),
];

// The shared queries (`sql/*.rs`) are written against these names.
pub(crate) type DbStore = SqliteStore;
pub(crate) const POOLS_SHARED: bool = false;
pub(crate) type DbRow = sqlx::sqlite::SqliteRow;
pub(crate) type DbConn = sqlx::SqliteConnection;
pub(crate) type DbPool = SqlitePool;
/// Taken first in key transactions. A write as the first statement makes SQLite take its
/// database write lock there, so concurrent key changes serialise.
pub(crate) const KEY_LOCK_SQL: &str = "UPDATE signing_keys SET kid = kid WHERE 0";

/// Taken first when a write may take away an administrator (SQLite: its write lock, as above).
pub(crate) const ADMIN_LOCK_SQL: &str = "UPDATE users SET id = id WHERE 0";

crate::common::shared_queries!();

#[derive(Debug, Clone)]
pub struct SqliteStore {
    /// Readers.
    pool: SqlitePool,
    /// The one connection that writes (see the module comment).
    writer: SqlitePool,
    _checkpointer: Arc<Checkpointer>,
}

/// How often the background checkpointer copies the WAL into the database. With
/// `synchronous=NORMAL` this is also how much of the latest work a power cut (not a crash of
/// the process) can take back.
const CHECKPOINT_EVERY: Duration = Duration::from_secs(1);
/// A WAL that grew in a burst is cut back to this size when it restarts.
const WAL_SIZE_LIMIT: &str = "67108864";
/// A log longer than this (frames: pages written) is restarted even if that means waiting.
const RESTART_FRAMES: i64 = 16_384;
/// Reading connections (each is a thread in sqlx); more than the cores is enough to overlap
/// reads with the thread hand-offs.
const READERS: u32 = 6;

/// The checkpoint task; it stops when the last handle to the store is dropped.
#[derive(Debug)]
struct Checkpointer(Option<JoinHandle<()>>);

impl Drop for Checkpointer {
    fn drop(&mut self) {
        if let Some(h) = &self.0 {
            h.abort();
        }
    }
}

impl Checkpointer {
    fn spawn(pool: &SqlitePool) -> Self {
        // Outside a runtime (never in Signet itself) SQLite's own checkpoint on close remains.
        let Ok(rt) = tokio::runtime::Handle::try_current() else { return Self(None) };
        let pool = pool.clone();
        Self(Some(rt.spawn(async move {
            let mut tick = tokio::time::interval(CHECKPOINT_EVERY);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            tick.tick().await;
            while !pool.is_closed() {
                tick.tick().await;
                checkpoint(&pool).await;
            }
        })))
    }
}

/// A passive checkpoint (never blocks anyone); if the log has grown past [`RESTART_FRAMES`]
/// anyway (a reader kept it from starting over), a RESTART, which waits (busy timeout) for the
/// readers still on the old log so that the next commit writes from its start.
async fn checkpoint(pool: &SqlitePool) {
    let run = |mode: &'static str| async move {
        sqlx::query_as::<_, (i64, i64, i64)>(mode).fetch_one(pool).await.map(|(_busy, log, _done)| log)
    };
    match run("PRAGMA wal_checkpoint(PASSIVE)").await {
        Ok(frames) if frames > RESTART_FRAMES => {
            if let Err(e) = run("PRAGMA wal_checkpoint(RESTART)").await {
                tracing::debug!(error = %e, "WAL restart deferred");
            }
        }
        Ok(_) => {}
        Err(e) => tracing::debug!(error = %e, "WAL checkpoint deferred"),
    }
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
        // Checkpoints are the background task's job (see the module comment).
        let opts = opts.pragma("wal_autocheckpoint", "0").pragma("journal_size_limit", WAL_SIZE_LIMIT);
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .acquire_timeout(Duration::from_secs(5))
            .connect_with(opts.clone())
            .await
            .map_err(map_err)?;
        store::migrate(&writer, MIGRATIONS).await?;
        let pool = SqlitePoolOptions::new()
            .max_connections(READERS)
            .min_connections(1)
            .acquire_timeout(Duration::from_secs(5))
            .connect_with(opts.clone().read_only(true))
            .await
            .map_err(map_err)?;
        // A connection of its own: a passive checkpoint then runs beside the writer (SQLite's
        // checkpoint lock is not its write lock) instead of holding up every write behind the
        // copy and the fsync (measured: ~100 ms stalls at p99).
        let checkpoint_conn = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .connect_with(opts.clone())
            .await
            .map_err(map_err)?;
        let checkpointer = Arc::new(Checkpointer::spawn(&checkpoint_conn));
        Ok(Self { pool, writer, _checkpointer: checkpointer })
    }

    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }
}

/// Online backup: a consistent copy of the database at `url` written to `to`, while servers
/// keep running. SQLite's `VACUUM INTO` reads in one transaction, so the copy is a snapshot of
/// one moment even with writers active (WAL mode lets them go on meanwhile); the copy is
/// compact and has no `-wal` file of its own. `to` must not exist.
pub async fn backup(url: &str, to: &Path) -> Result<()> {
    use sqlx::ConnectOptions;
    if to.exists() {
        return Err(StoreError::Conflict);
    }
    let opts =
        SqliteConnectOptions::from_str(url).map_err(map_err)?.read_only(true).busy_timeout(Duration::from_secs(30));
    let mut conn = opts.connect().await.map_err(map_err)?;
    let target = to.to_str().ok_or_else(|| StoreError::Other(anyhow::anyhow!("the backup path is not UTF-8")))?;
    sqlx::query("VACUUM INTO $1").bind(target).execute(&mut conn).await.map_err(map_err)?;
    Ok(())
}

/// Checks that `from` is a Signet database (it opens, and has the migrations table), for a
/// restore: the number of migrations it has.
pub async fn check_backup(from: &Path) -> Result<i64> {
    use sqlx::ConnectOptions;
    let opts = SqliteConnectOptions::new().filename(from).read_only(true);
    let mut conn = opts.connect().await.map_err(map_err)?;
    let n: (i64,) = sqlx::query_as("SELECT COUNT(*) FROM _sqlx_migrations")
        .fetch_one(&mut conn)
        .await
        .map_err(|_| StoreError::Other(anyhow::anyhow!("not a Signet database (no migrations table)")))?;
    let users: std::result::Result<(i64,), _> = sqlx::query_as("SELECT COUNT(*) FROM users").fetch_one(&mut conn).await;
    users.map_err(|_| StoreError::Other(anyhow::anyhow!("not a Signet database (no users table)")))?;
    Ok(n.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{NewSession, NewUser, SessionStore, Store, UserStore};
    use signet_core::{Email, OffsetDateTime, PasswordRecord, PlainToken};

    /// Users from before opaque subjects keep their row number as `sub` (relying parties may
    /// have stored it); users created after get a random one, never a row number.
    #[tokio::test]
    async fn existing_users_keep_their_subject_after_migration() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("old.db");
        {
            let opts = SqliteConnectOptions::new().filename(&path).create_if_missing(true);
            let pool = SqlitePoolOptions::new().max_connections(1).connect_with(opts).await.expect("open");
            store::migrate(&pool, &MIGRATIONS[..5]).await.expect("old schema");
            sqlx::query("INSERT INTO users (id, email, created_at, updated_at) VALUES (7, 'old@example.com', 0, 0)")
                .execute(&pool)
                .await
                .expect("old user");
            pool.close().await;
        }
        let store = SqliteStore::open(&path).await.expect("migrate");
        let old = store.user_by_id(7).await.expect("get").expect("old user");
        assert_eq!(old.subject, "7");
        assert_eq!(store.user_by_subject("7").await.expect("get").map(|u| u.id), Some(7));
        let email = Email::parse("new@example.com").expect("email");
        let now = OffsetDateTime::from_unix_timestamp(1_700_000_000).expect("ts");
        let new =
            store.create_user(NewUser { email: &email, password: None, is_admin: false, now }).await.expect("new");
        assert_eq!(new.subject.len(), 32);
        assert!(new.subject.parse::<u128>().is_err() || new.subject != new.id.to_string());
        assert_ne!(new.subject, new.id.to_string());
    }

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
