use async_trait::async_trait;
use signet_core::{OffsetDateTime, TokenHash};
use sqlx::Row;

use super::{from_ts, map_err, ts, DbConn, DbPool, DbStore};
use crate::{NewFamily, NewRefresh, RefreshRecord, RefreshStore, Result, RotateOutcome, StoreError};

async fn insert_token(conn: &mut DbConn, family_id: i64, t: &NewRefresh<'_>) -> Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO refresh_tokens (token_hash, family_id, scope, created_at, idle_expires_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(t.token_hash.as_str())
    .bind(family_id)
    .bind(t.scope)
    .bind(ts(t.now))
    .bind(ts(t.idle_expires_at))
    .fetch_one(conn)
    .await
    .map_err(map_err)
}

/// A grace retry (the presented token's successor was never used): in one transaction, first
/// lock the presented token's row (a no-op UPDATE; without it a PostgreSQL retry racing another
/// retry would read the successor the other just replaced, lose, and be taken for reuse; on
/// SQLite the write lock is taken there), then compare-and-set on the unseen successor, and if
/// that won insert the new successor and link it. Two requests can never both win.
async fn replace_and_link(
    pool: &DbPool,
    token_id: i64,
    family_id: i64,
    successor: NewRefresh<'_>,
) -> Result<RotateOutcome> {
    let mut tx = pool.begin().await.map_err(map_err)?;
    sqlx::query("UPDATE refresh_tokens SET successor_id = successor_id WHERE id = $1")
        .bind(token_id)
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
    let won = sqlx::query(
        "UPDATE refresh_tokens SET used_at = $1
         WHERE id = (SELECT successor_id FROM refresh_tokens WHERE id = $2) AND used_at IS NULL",
    )
    .bind(ts(successor.now))
    .bind(token_id)
    .execute(&mut *tx)
    .await
    .map_err(map_err)?
    .rows_affected()
        == 1;
    if !won {
        return Ok(RotateOutcome::AlreadyUsed);
    }
    let new_id = insert_token(&mut tx, family_id, &successor).await?;
    sqlx::query("UPDATE refresh_tokens SET successor_id = $1 WHERE id = $2")
        .bind(new_id)
        .bind(token_id)
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
    tx.commit().await.map_err(map_err)?;
    Ok(RotateOutcome::Rotated)
}

#[async_trait]
impl RefreshStore for DbStore {
    async fn create_family(&self, f: NewFamily<'_>, first: NewRefresh<'_>) -> Result<i64> {
        let mut tx = self.writer.begin().await.map_err(map_err)?;
        let family_id: i64 = sqlx::query_scalar(
            "INSERT INTO refresh_families (client_id, user_id, scope, audience, auth_time, created_at, absolute_expires_at, amr)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(f.client_id)
        .bind(f.user_id)
        .bind(f.scope)
        .bind(f.audience)
        .bind(f.auth_time.map(ts))
        .bind(ts(f.now))
        .bind(ts(f.absolute_expires_at))
        .bind(f.amr)
        .fetch_one(&mut *tx)
        .await
        .map_err(map_err)?;
        insert_token(&mut tx, family_id, &first).await?;
        tx.commit().await.map_err(map_err)?;
        Ok(family_id)
    }

    async fn refresh_by_token(&self, hash: &TokenHash) -> Result<Option<RefreshRecord>> {
        let row = sqlx::query(
            "SELECT t.id, t.family_id, t.scope, t.created_at, t.idle_expires_at, t.used_at, t.successor_id,
                    s.used_at AS successor_used_at,
                    f.client_id, f.user_id, f.scope AS family_scope, f.audience, f.auth_time, f.amr,
                    f.absolute_expires_at, f.revoked_at, u.disabled AS user_disabled, u.subject AS user_subject
             FROM refresh_tokens t
             JOIN refresh_families f ON f.id = t.family_id
             LEFT JOIN refresh_tokens s ON s.id = t.successor_id
             LEFT JOIN users u ON u.id = f.user_id
             WHERE t.token_hash = $1",
        )
        .bind(hash.as_str())
        .fetch_optional(&self.pool)
        .await
        .map_err(map_err)?;
        let Some(r) = row else { return Ok(None) };
        let get = |e: sqlx::Error| StoreError::Other(e.into());
        Ok(Some(RefreshRecord {
            token_id: r.try_get("id").map_err(get)?,
            family_id: r.try_get("family_id").map_err(get)?,
            client_id: r.try_get("client_id").map_err(get)?,
            user_id: r.try_get("user_id").map_err(get)?,
            scope: r.try_get("scope").map_err(get)?,
            family_scope: r.try_get("family_scope").map_err(get)?,
            audience: r.try_get("audience").map_err(get)?,
            auth_time: r.try_get::<Option<i64>, _>("auth_time").map_err(get)?.map(from_ts),
            amr: r.try_get("amr").map_err(get)?,
            created_at: from_ts(r.try_get("created_at").map_err(get)?),
            idle_expires_at: from_ts(r.try_get("idle_expires_at").map_err(get)?),
            used_at: r.try_get::<Option<i64>, _>("used_at").map_err(get)?.map(from_ts),
            successor_id: r.try_get("successor_id").map_err(get)?,
            successor_used: r.try_get::<Option<i64>, _>("successor_used_at").map_err(get)?.is_some(),
            family_expires_at: from_ts(r.try_get("absolute_expires_at").map_err(get)?),
            family_revoked: r.try_get::<Option<i64>, _>("revoked_at").map_err(get)?.is_some(),
            user_active: r.try_get::<Option<bool>, _>("user_disabled").map_err(get)? == Some(false),
            user_subject: r.try_get("user_subject").map_err(get)?,
        }))
    }

    async fn rotate_refresh(&self, token_id: i64, family_id: i64, successor: NewRefresh<'_>) -> Result<RotateOutcome> {
        // The hot path, in two statements: insert the successor, then one compare-and-set on the
        // presented token marks it used and links the successor. A lost compare-and-set rolls
        // the insert back. The insert goes first, so SQLite takes its write lock there; on
        // PostgreSQL a concurrent UPDATE of the same row waits and then re-checks `used_at`.
        let mut tx = self.writer.begin().await.map_err(map_err)?;
        let new_id = insert_token(&mut tx, family_id, &successor).await?;
        let won = sqlx::query(
            "UPDATE refresh_tokens SET used_at = $1, successor_id = $2 WHERE id = $3 AND used_at IS NULL",
        )
        .bind(ts(successor.now))
        .bind(new_id)
        .bind(token_id)
        .execute(&mut *tx)
        .await
        .map_err(map_err)?
        .rows_affected()
            == 1;
        if !won {
            tx.rollback().await.map_err(map_err)?;
            return Ok(RotateOutcome::AlreadyUsed);
        }
        tx.commit().await.map_err(map_err)?;
        Ok(RotateOutcome::Rotated)
    }

    async fn replace_successor(
        &self,
        token_id: i64,
        family_id: i64,
        successor: NewRefresh<'_>,
    ) -> Result<RotateOutcome> {
        // Compare-and-set on the presented token's (unseen) successor, which this retry replaces.
        replace_and_link(&self.writer, token_id, family_id, successor).await
    }

    async fn revoke_family(&self, family_id: i64, reason: &str, now: OffsetDateTime) -> Result<()> {
        sqlx::query(
            "UPDATE refresh_families SET revoked_at = $1, revoked_reason = $2 WHERE id = $3 AND revoked_at IS NULL",
        )
        .bind(ts(now))
        .bind(reason)
        .bind(family_id)
        .execute(&self.writer)
        .await
        .map_err(map_err)?;
        Ok(())
    }

    async fn revoke_user_families(&self, user_id: i64, reason: &str, now: OffsetDateTime) -> Result<u64> {
        let res = sqlx::query(
            "UPDATE refresh_families SET revoked_at = $1, revoked_reason = $2 WHERE user_id = $3 AND revoked_at IS NULL",
        )
        .bind(ts(now))
        .bind(reason)
        .bind(user_id)
        .execute(&self.writer)
        .await
        .map_err(map_err)?;
        Ok(res.rows_affected())
    }

    async fn revoke_user_client_families(
        &self,
        user_id: i64,
        client_id: &str,
        reason: &str,
        now: OffsetDateTime,
    ) -> Result<u64> {
        let res = sqlx::query(
            "UPDATE refresh_families SET revoked_at = $1, revoked_reason = $2 WHERE user_id = $3 AND client_id = $4 AND revoked_at IS NULL",
        )
        .bind(ts(now))
        .bind(reason)
        .bind(user_id)
        .bind(client_id)
        .execute(&self.writer)
        .await
        .map_err(map_err)?;
        Ok(res.rows_affected())
    }
}
