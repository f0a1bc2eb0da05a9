use async_trait::async_trait;
use signet_core::OffsetDateTime;
use sqlx::Row;

use super::{from_ts, map_err, ts, DbConn, DbRow, DbStore};
use crate::{KeyState, KeyStore, Result, StoreError, StoredKey};

const COLS: &str =
    "kid, alg, state, private_enc, public_jwk, created_at, activated_at, retired_at, drop_after, revoked_at";

fn row_to_key(r: &DbRow) -> Result<StoredKey> {
    let get = |e: sqlx::Error| StoreError::Other(e.into());
    let state: String = r.try_get("state").map_err(get)?;
    let opt = |name: &str| -> Result<Option<OffsetDateTime>> {
        Ok(r.try_get::<Option<i64>, _>(name).map_err(get)?.map(from_ts))
    };
    Ok(StoredKey {
        kid: r.try_get("kid").map_err(get)?,
        alg: r.try_get("alg").map_err(get)?,
        state: KeyState::parse(&state).ok_or_else(|| StoreError::Other(anyhow::anyhow!("bad key state {state:?}")))?,
        private_enc: r.try_get("private_enc").map_err(get)?,
        public_jwk: r.try_get("public_jwk").map_err(get)?,
        created_at: from_ts(r.try_get("created_at").map_err(get)?),
        activated_at: opt("activated_at")?,
        retired_at: opt("retired_at")?,
        drop_after: opt("drop_after")?,
        revoked_at: opt("revoked_at")?,
    })
}

async fn insert(conn: &mut DbConn, k: &StoredKey) -> Result<()> {
    sqlx::query(&format!("INSERT INTO signing_keys ({COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"))
        .bind(&k.kid)
        .bind(&k.alg)
        .bind(k.state.as_str())
        .bind(&k.private_enc)
        .bind(&k.public_jwk)
        .bind(ts(k.created_at))
        .bind(k.activated_at.map(ts))
        .bind(k.retired_at.map(ts))
        .bind(k.drop_after.map(ts))
        .bind(k.revoked_at.map(ts))
        .execute(conn)
        .await
        .map_err(map_err)?;
    Ok(())
}

#[async_trait]
impl KeyStore for DbStore {
    async fn list_keys(&self) -> Result<Vec<StoredKey>> {
        let rows = sqlx::query(&format!("SELECT {COLS} FROM signing_keys ORDER BY created_at, kid"))
            .fetch_all(&self.pool)
            .await
            .map_err(map_err)?;
        rows.iter().map(row_to_key).collect()
    }

    async fn insert_initial_keys(&self, current: &StoredKey, next: &StoredKey) -> Result<bool> {
        let mut tx = self.writer.begin().await.map_err(map_err)?;
        // Take the write lock first, so two processes starting at once cannot both see "empty".
        sqlx::query(super::KEY_LOCK_SQL).execute(&mut *tx).await.map_err(map_err)?;
        let n: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM signing_keys WHERE alg = $1 AND state IN ('current', 'next')")
                .bind(&current.alg)
                .fetch_one(&mut *tx)
                .await
                .map_err(map_err)?;
        if n > 0 {
            return Ok(false);
        }
        insert(&mut tx, current).await?;
        insert(&mut tx, next).await?;
        tx.commit().await.map_err(map_err)?;
        Ok(true)
    }

    async fn rotate_keys(
        &self,
        new_next: &StoredKey,
        now: OffsetDateTime,
        drop_after: OffsetDateTime,
        due_before: Option<OffsetDateTime>,
    ) -> Result<bool> {
        let mut tx = self.writer.begin().await.map_err(map_err)?;
        // Serialise rotations: without the lock, two instances rotating at once could leave two
        // `current` keys (each promoting a different `next`).
        sqlx::query(super::KEY_LOCK_SQL).execute(&mut *tx).await.map_err(map_err)?;
        if let Some(due_before) = due_before {
            // A scheduled rotation: skip it if another instance has rotated already.
            let due: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM signing_keys WHERE state = 'current' AND alg = $1
                 AND COALESCE(activated_at, created_at) <= $2",
            )
            .bind(&new_next.alg)
            .bind(ts(due_before))
            .fetch_one(&mut *tx)
            .await
            .map_err(map_err)?;
            if due == 0 {
                return Ok(false);
            }
        }
        sqlx::query("UPDATE signing_keys SET state = 'retired', retired_at = $1, drop_after = $2 WHERE state = 'current' AND alg = $3")
            .bind(ts(now))
            .bind(ts(drop_after))
            .bind(&new_next.alg)
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        let promoted =
            sqlx::query("UPDATE signing_keys SET state = 'current', activated_at = $1 WHERE state = 'next' AND alg = $2")
                .bind(ts(now))
                .bind(&new_next.alg)
                .execute(&mut *tx)
                .await
                .map_err(map_err)?;
        if promoted.rows_affected() == 0 {
            // No `next` to promote (an operator revoked it): the new key signs at once, so the
            // algorithm is never left without a current key.
            let current = StoredKey { state: KeyState::Current, activated_at: Some(now), ..new_next.clone() };
            insert(&mut tx, &current).await?;
        } else {
            insert(&mut tx, new_next).await?;
        }
        tx.commit().await.map_err(map_err)?;
        Ok(true)
    }

    async fn revoke_key(&self, kid: &str, now: OffsetDateTime) -> Result<bool> {
        let res = sqlx::query("UPDATE signing_keys SET state = 'revoked', revoked_at = $1 WHERE kid = $2")
            .bind(ts(now))
            .bind(kid)
            .execute(&self.writer)
            .await
            .map_err(map_err)?;
        Ok(res.rows_affected() > 0)
    }

    async fn purge_keys(&self, now: OffsetDateTime) -> Result<u64> {
        let res = sqlx::query("DELETE FROM signing_keys WHERE state = 'retired' AND drop_after < $1")
            .bind(ts(now))
            .execute(&self.writer)
            .await
            .map_err(map_err)?;
        Ok(res.rows_affected())
    }
}
