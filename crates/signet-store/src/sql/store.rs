use async_trait::async_trait;
use sqlx::migrate::Migrator;

use super::{map_err, DbPool, DbStore};
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
}
