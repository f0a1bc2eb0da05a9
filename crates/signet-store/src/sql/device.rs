use async_trait::async_trait;
use signet_core::device::DeviceStatus;
use signet_core::{OffsetDateTime, TokenHash};
use sqlx::Row;

use super::{from_ts, map_err, ts, DbRow, DbStore};
use crate::{DeviceRecord, DeviceStore, Result, StoreError};

const COLS: &str =
    "id, user_code, client_id, scope, expires_at, interval_secs, last_poll_at, status, user_id, auth_time, amr";

fn row_to_device(r: &DbRow) -> Result<DeviceRecord> {
    let get = |e: sqlx::Error| StoreError::Other(e.into());
    let status: String = r.try_get("status").map_err(get)?;
    Ok(DeviceRecord {
        id: r.try_get("id").map_err(get)?,
        user_code: r.try_get("user_code").map_err(get)?,
        client_id: r.try_get("client_id").map_err(get)?,
        scope: r.try_get("scope").map_err(get)?,
        expires_at: from_ts(r.try_get("expires_at").map_err(get)?),
        interval_secs: r.try_get("interval_secs").map_err(get)?,
        last_poll_at: r.try_get::<Option<i64>, _>("last_poll_at").map_err(get)?.map(from_ts),
        status: DeviceStatus::parse(&status)
            .ok_or_else(|| StoreError::Other(anyhow::anyhow!("bad device status {status:?}")))?,
        user_id: r.try_get("user_id").map_err(get)?,
        auth_time: r.try_get::<Option<i64>, _>("auth_time").map_err(get)?.map(from_ts),
        amr: r.try_get("amr").map_err(get)?,
    })
}

#[async_trait]
impl DeviceStore for DbStore {
    async fn create_device(
        &self,
        device_hash: &TokenHash,
        user_code: &str,
        client_id: &str,
        scope: &str,
        interval_secs: i64,
        now: OffsetDateTime,
        expires_at: OffsetDateTime,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO device_codes (device_hash, user_code, client_id, scope, created_at, expires_at, interval_secs, status)
             VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending')",
        )
        .bind(device_hash.as_str())
        .bind(user_code)
        .bind(client_id)
        .bind(scope)
        .bind(ts(now))
        .bind(ts(expires_at))
        .bind(interval_secs)
        .execute(&self.writer)
        .await
        .map_err(map_err)?;
        Ok(())
    }

    async fn device_by_hash(&self, device_hash: &TokenHash) -> Result<Option<DeviceRecord>> {
        let row = sqlx::query(&format!("SELECT {COLS} FROM device_codes WHERE device_hash = $1"))
            .bind(device_hash.as_str())
            .fetch_optional(&self.pool)
            .await
            .map_err(map_err)?;
        row.as_ref().map(row_to_device).transpose()
    }

    async fn device_by_user_code(&self, user_code: &str, now: OffsetDateTime) -> Result<Option<DeviceRecord>> {
        let row = sqlx::query(&format!(
            "SELECT {COLS} FROM device_codes WHERE user_code = $1 AND status = 'pending' AND expires_at > $2"
        ))
        .bind(user_code)
        .bind(ts(now))
        .fetch_optional(&self.pool)
        .await
        .map_err(map_err)?;
        row.as_ref().map(row_to_device).transpose()
    }

    async fn decide_device(
        &self,
        id: i64,
        approve: bool,
        user_id: i64,
        auth_time: OffsetDateTime,
        amr: &str,
    ) -> Result<bool> {
        let res = sqlx::query(
            "UPDATE device_codes SET status = $1, user_id = $2, auth_time = $3, amr = $5 WHERE id = $4 AND status = 'pending'",
        )
        .bind(if approve { "approved" } else { "denied" })
        .bind(user_id)
        .bind(ts(auth_time))
        .bind(id)
        .bind(amr)
        .execute(&self.writer)
        .await
        .map_err(map_err)?;
        Ok(res.rows_affected() == 1)
    }

    async fn record_poll(&self, id: i64, now: OffsetDateTime, interval_secs: i64) -> Result<()> {
        sqlx::query("UPDATE device_codes SET last_poll_at = $1, interval_secs = $2 WHERE id = $3")
            .bind(ts(now))
            .bind(interval_secs)
            .bind(id)
            .execute(&self.writer)
            .await
            .map_err(map_err)?;
        Ok(())
    }

    async fn redeem_device(&self, id: i64) -> Result<bool> {
        let res = sqlx::query("UPDATE device_codes SET status = 'redeemed' WHERE id = $1 AND status = 'approved'")
            .bind(id)
            .execute(&self.writer)
            .await
            .map_err(map_err)?;
        Ok(res.rows_affected() == 1)
    }
}
