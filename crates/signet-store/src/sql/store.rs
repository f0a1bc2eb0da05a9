use async_trait::async_trait;
use sqlx::migrate::Migrator;

use super::{map_err, DbPool, DbStore, POOLS_SHARED};
use crate::common::Embedded;
use crate::{Result, Store, StoreError};

/// Applies the backend's embedded migrations (on PostgreSQL under sqlx's advisory lock).
pub(crate) async fn migrate(pool: &DbPool, migrations: &'static [(i64, &'static str, &'static str)]) -> Result<()> {
    let migrator = Migrator::new(Embedded(migrations)).await.map_err(|e| StoreError::Other(e.into()))?;
    migrator.run(pool).await.map_err(|e| StoreError::Other(e.into()))?;
    Ok(())
}

#[async_trait]
impl Store for DbStore {
    async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await.map_err(map_err)?;
        Ok(())
    }

    fn pool_stats(&self) -> Vec<(&'static str, u32, usize)> {
        // On PostgreSQL `writer` is the same pool as `pool`.
        if POOLS_SHARED {
            vec![("all", self.pool.size(), self.pool.num_idle())]
        } else {
            vec![("read", self.pool.size(), self.pool.num_idle()), ("write", self.writer.size(), self.writer.num_idle())]
        }
    }
}
