//! What the SQL backends share: embedded migrations, time encoding and error mapping. The
//! queries themselves live once in `sql/*.rs`, written in the SQL both SQLite and PostgreSQL
//! accept (`$N` placeholders, `RETURNING`, `IS DISTINCT FROM`), and are compiled into each
//! backend module with `include!` against that module's `DbStore`/`DbRow`/`DbConn`.

use std::borrow::Cow;

use signet_core::OffsetDateTime;
use sqlx::error::BoxDynError;
use sqlx::migrate::{Migration, MigrationSource, MigrationType};

use crate::StoreError;

/// Compiles the shared queries into the calling backend module (`src/<backend>/mod.rs`; the
/// paths are relative to it), one submodule per concept.
macro_rules! shared_queries {
    () => {
        mod admin {
            include!("../sql/admin.rs");
        }
        mod audit {
            include!("../sql/audit.rs");
        }
        mod authz {
            include!("../sql/authz.rs");
        }
        mod authorize {
            include!("../sql/authorize.rs");
        }
        mod clients {
            include!("../sql/clients.rs");
        }
        mod device {
            include!("../sql/device.rs");
        }
        mod federation {
            include!("../sql/federation.rs");
        }
        mod mfa {
            include!("../sql/mfa.rs");
        }
        mod groups {
            include!("../sql/groups.rs");
        }
        mod keys {
            include!("../sql/keys.rs");
        }
        mod mail {
            include!("../sql/mail.rs");
        }
        mod orgs {
            include!("../sql/orgs.rs");
        }
        mod purge {
            include!("../sql/purge.rs");
        }
        mod refresh {
            include!("../sql/refresh.rs");
        }
        mod sessions {
            include!("../sql/sessions.rs");
        }
        mod store {
            include!("../sql/store.rs");
        }
        mod users {
            include!("../sql/users.rs");
        }
    };
}
pub(crate) use shared_queries;

/// Migrations compiled into the binary, so `signet serve` needs no files beside it.
#[derive(Debug)]
pub(crate) struct Embedded(pub &'static [(i64, &'static str, &'static str)]);

type BoxFuture<'a, T> = std::pin::Pin<Box<dyn std::future::Future<Output = T> + Send + 'a>>;

impl MigrationSource<'static> for Embedded {
    fn resolve(self) -> BoxFuture<'static, std::result::Result<Vec<Migration>, BoxDynError>> {
        Box::pin(async move {
            Ok(self
                .0
                .iter()
                .map(|(v, d, sql)| {
                    Migration::new(*v, Cow::Borrowed(d), MigrationType::Simple, Cow::Borrowed(sql), false)
                })
                .collect())
        })
    }
}

/// Sorts driver errors into what callers act on: `Unavailable` (answer 503 and retry) for a
/// database that cannot be reached, is shutting down, is locked or overloaded.
pub(crate) fn map_err(e: sqlx::Error) -> StoreError {
    match &e {
        sqlx::Error::Database(d) if d.is_unique_violation() => StoreError::Conflict,
        sqlx::Error::RowNotFound => StoreError::NotFound,
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) | sqlx::Error::Tls(_) => {
            StoreError::Unavailable(e.to_string())
        }
        // SQLite: another process holds the write lock beyond the busy timeout.
        sqlx::Error::Database(d) if d.message().contains("database is locked") => {
            StoreError::Unavailable(e.to_string())
        }
        // PostgreSQL SQLSTATE classes 08 (connection exception), 53 (insufficient resources),
        // 57 (operator intervention: shutdown, cancel) and 40001/40P01 (serialization, deadlock).
        sqlx::Error::Database(d)
            if d.code().is_some_and(|c| {
                c.starts_with("08") || c.starts_with("53") || c.starts_with("57") || c == "40001" || c == "40P01"
            }) =>
        {
            StoreError::Unavailable(e.to_string())
        }
        _ => StoreError::Other(e.into()),
    }
}

/// Times are stored as Unix seconds (UTC) on every backend.
pub(crate) fn ts(t: OffsetDateTime) -> i64 {
    t.unix_timestamp()
}

pub(crate) fn from_ts(s: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(s).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}
