use async_trait::async_trait;
use signet_core::{OffsetDateTime, TokenHash};
use sqlx::Row;

use super::{from_ts, map_err, ts, DbRow, DbStore};
use crate::{BackupCodeStore, ChallengeStore, NewPasskey, PasskeyRecord, PasskeyStore, PasskeyUse, Result, StoreError, TotpFactor, TotpStore};

fn get(e: sqlx::Error) -> StoreError {
    StoreError::Other(e.into())
}

fn row_to_totp(r: &DbRow) -> Result<TotpFactor> {
    Ok(TotpFactor {
        user_id: r.try_get("user_id").map_err(get)?,
        secret_enc: r.try_get("secret_enc").map_err(get)?,
        confirmed: r.try_get("confirmed").map_err(get)?,
        last_step: r.try_get("last_step").map_err(get)?,
        created_at: from_ts(r.try_get("created_at").map_err(get)?),
        last_used_at: r.try_get::<Option<i64>, _>("last_used_at").map_err(get)?.map(from_ts),
    })
}

const PASSKEY_COLS: &str = "id, user_id, credential_id, name, credential, sign_count, backup_eligible, backup_state,
                            transports, aaguid, created_at, last_used_at";

fn row_to_passkey(r: &DbRow) -> Result<PasskeyRecord> {
    Ok(PasskeyRecord {
        id: r.try_get("id").map_err(get)?,
        user_id: r.try_get("user_id").map_err(get)?,
        credential_id: r.try_get("credential_id").map_err(get)?,
        name: r.try_get("name").map_err(get)?,
        credential: r.try_get("credential").map_err(get)?,
        sign_count: r.try_get("sign_count").map_err(get)?,
        backup_eligible: r.try_get("backup_eligible").map_err(get)?,
        backup_state: r.try_get("backup_state").map_err(get)?,
        transports: r.try_get("transports").map_err(get)?,
        aaguid: r.try_get("aaguid").map_err(get)?,
        created_at: from_ts(r.try_get("created_at").map_err(get)?),
        last_used_at: r.try_get::<Option<i64>, _>("last_used_at").map_err(get)?.map(from_ts),
    })
}

#[async_trait]
impl TotpStore for DbStore {
    async fn totp(&self, user_id: i64) -> Result<Option<TotpFactor>> {
        let row = sqlx::query(
            "SELECT user_id, secret_enc, confirmed, last_step, created_at, last_used_at FROM totp_factors WHERE user_id = $1",
        )
        .bind(user_id)
        .fetch_optional(&self.pool)
        .await
        .map_err(map_err)?;
        row.as_ref().map(row_to_totp).transpose()
    }

    async fn put_pending_totp(&self, user_id: i64, secret_enc: &[u8], now: OffsetDateTime) -> Result<()> {
        // Replaces an unconfirmed secret; leaves a confirmed one alone.
        let res = sqlx::query(
            "INSERT INTO totp_factors (user_id, secret_enc, confirmed, last_step, created_at) VALUES ($1, $2, FALSE, -1, $3)
             ON CONFLICT (user_id) DO UPDATE SET secret_enc = excluded.secret_enc, created_at = excluded.created_at,
                                                 last_step = -1
             WHERE totp_factors.confirmed = FALSE",
        )
        .bind(user_id)
        .bind(secret_enc)
        .bind(ts(now))
        .execute(&self.writer)
        .await
        .map_err(map_err)?;
        if res.rows_affected() == 0 {
            return Err(StoreError::Conflict);
        }
        Ok(())
    }

    async fn confirm_totp(&self, user_id: i64, step: i64, now: OffsetDateTime) -> Result<bool> {
        let res = sqlx::query(
            "UPDATE totp_factors SET confirmed = TRUE, last_step = $2, last_used_at = $3, created_at = $3
             WHERE user_id = $1 AND confirmed = FALSE",
        )
        .bind(user_id)
        .bind(step)
        .bind(ts(now))
        .execute(&self.writer)
        .await
        .map_err(map_err)?;
        Ok(res.rows_affected() > 0)
    }

    async fn use_totp_step(&self, user_id: i64, step: i64, now: OffsetDateTime) -> Result<bool> {
        let res = sqlx::query(
            "UPDATE totp_factors SET last_step = $2, last_used_at = $3
             WHERE user_id = $1 AND confirmed = TRUE AND last_step < $2",
        )
        .bind(user_id)
        .bind(step)
        .bind(ts(now))
        .execute(&self.writer)
        .await
        .map_err(map_err)?;
        Ok(res.rows_affected() > 0)
    }

    async fn delete_totp(&self, user_id: i64) -> Result<bool> {
        let res = sqlx::query("DELETE FROM totp_factors WHERE user_id = $1")
            .bind(user_id)
            .execute(&self.writer)
            .await
            .map_err(map_err)?;
        Ok(res.rows_affected() > 0)
    }
}

#[async_trait]
impl BackupCodeStore for DbStore {
    async fn replace_backup_codes(&self, user_id: i64, hashes: &[String], now: OffsetDateTime) -> Result<()> {
        let mut tx = self.writer.begin().await.map_err(map_err)?;
        sqlx::query("DELETE FROM backup_codes WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        for h in hashes {
            sqlx::query("INSERT INTO backup_codes (user_id, code_hash, created_at) VALUES ($1, $2, $3)")
                .bind(user_id)
                .bind(h)
                .bind(ts(now))
                .execute(&mut *tx)
                .await
                .map_err(map_err)?;
        }
        tx.commit().await.map_err(map_err)?;
        Ok(())
    }

    async fn use_backup_code(&self, user_id: i64, hash: &str, now: OffsetDateTime) -> Result<bool> {
        let res = sqlx::query(
            "UPDATE backup_codes SET used_at = $3 WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL",
        )
        .bind(user_id)
        .bind(hash)
        .bind(ts(now))
        .execute(&self.writer)
        .await
        .map_err(map_err)?;
        Ok(res.rows_affected() > 0)
    }

    async fn backup_codes_remaining(&self, user_id: i64) -> Result<i64> {
        sqlx::query_scalar("SELECT COUNT(*) FROM backup_codes WHERE user_id = $1 AND used_at IS NULL")
            .bind(user_id)
            .fetch_one(&self.pool)
            .await
            .map_err(map_err)
    }

    async fn delete_backup_codes(&self, user_id: i64) -> Result<()> {
        sqlx::query("DELETE FROM backup_codes WHERE user_id = $1")
            .bind(user_id)
            .execute(&self.writer)
            .await
            .map_err(map_err)?;
        Ok(())
    }
}

#[async_trait]
impl PasskeyStore for DbStore {
    async fn add_passkey(&self, p: NewPasskey<'_>) -> Result<PasskeyRecord> {
        let row = sqlx::query(&format!(
            "INSERT INTO passkeys (user_id, credential_id, name, credential, sign_count, backup_eligible, backup_state,
                                   transports, aaguid, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING {PASSKEY_COLS}"
        ))
        .bind(p.user_id)
        .bind(p.credential_id)
        .bind(p.name)
        .bind(p.credential)
        .bind(p.sign_count)
        .bind(p.backup_eligible)
        .bind(p.backup_state)
        .bind(p.transports)
        .bind(p.aaguid)
        .bind(ts(p.now))
        .fetch_one(&self.writer)
        .await
        .map_err(map_err)?;
        row_to_passkey(&row)
    }

    async fn list_passkeys(&self, user_id: i64) -> Result<Vec<PasskeyRecord>> {
        let rows = sqlx::query(&format!("SELECT {PASSKEY_COLS} FROM passkeys WHERE user_id = $1 ORDER BY id"))
            .bind(user_id)
            .fetch_all(&self.pool)
            .await
            .map_err(map_err)?;
        rows.iter().map(row_to_passkey).collect()
    }

    async fn passkey_by_credential_id(&self, credential_id: &str) -> Result<Option<PasskeyRecord>> {
        let row = sqlx::query(&format!("SELECT {PASSKEY_COLS} FROM passkeys WHERE credential_id = $1"))
            .bind(credential_id)
            .fetch_optional(&self.pool)
            .await
            .map_err(map_err)?;
        row.as_ref().map(row_to_passkey).transpose()
    }

    async fn record_passkey_use(&self, u: PasskeyUse<'_>, previous_count: i64) -> Result<bool> {
        let res = sqlx::query(
            "UPDATE passkeys SET credential = $2, sign_count = $3, backup_state = $4, last_used_at = $5
             WHERE id = $1 AND sign_count = $6",
        )
        .bind(u.id)
        .bind(u.credential)
        .bind(u.sign_count)
        .bind(u.backup_state)
        .bind(ts(u.now))
        .bind(previous_count)
        .execute(&self.writer)
        .await
        .map_err(map_err)?;
        Ok(res.rows_affected() > 0)
    }

    async fn rename_passkey(&self, user_id: i64, id: i64, name: &str) -> Result<bool> {
        let res = sqlx::query("UPDATE passkeys SET name = $3 WHERE id = $2 AND user_id = $1")
            .bind(user_id)
            .bind(id)
            .bind(name)
            .execute(&self.writer)
            .await
            .map_err(map_err)?;
        Ok(res.rows_affected() > 0)
    }

    async fn delete_passkey(&self, user_id: i64, id: i64) -> Result<bool> {
        let res = sqlx::query("DELETE FROM passkeys WHERE id = $2 AND user_id = $1")
            .bind(user_id)
            .bind(id)
            .execute(&self.writer)
            .await
            .map_err(map_err)?;
        Ok(res.rows_affected() > 0)
    }
}

#[async_trait]
impl ChallengeStore for DbStore {
    async fn put_challenge(
        &self,
        id_hash: &TokenHash,
        kind: &str,
        user_id: Option<i64>,
        data: &str,
        expires_at: OffsetDateTime,
    ) -> Result<()> {
        sqlx::query("INSERT INTO challenges (id_hash, kind, user_id, data, expires_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(id_hash.as_str())
            .bind(kind)
            .bind(user_id)
            .bind(data)
            .bind(ts(expires_at))
            .execute(&self.writer)
            .await
            .map_err(map_err)?;
        Ok(())
    }

    async fn take_challenge(
        &self,
        id_hash: &TokenHash,
        kind: &str,
        now: OffsetDateTime,
    ) -> Result<Option<(Option<i64>, String)>> {
        // DELETE … RETURNING: of two concurrent uses of one challenge exactly one gets it.
        let row = sqlx::query("DELETE FROM challenges WHERE id_hash = $1 AND kind = $2 RETURNING user_id, data, expires_at")
            .bind(id_hash.as_str())
            .bind(kind)
            .fetch_optional(&self.writer)
            .await
            .map_err(map_err)?;
        let Some(r) = row else { return Ok(None) };
        if from_ts(r.try_get("expires_at").map_err(get)?) <= now {
            return Ok(None);
        }
        Ok(Some((r.try_get("user_id").map_err(get)?, r.try_get("data").map_err(get)?)))
    }

    async fn peek_challenge(&self, id_hash: &TokenHash, kind: &str, now: OffsetDateTime) -> Result<Option<String>> {
        sqlx::query_scalar("SELECT data FROM challenges WHERE id_hash = $1 AND kind = $2 AND expires_at > $3")
            .bind(id_hash.as_str())
            .bind(kind)
            .bind(ts(now))
            .fetch_optional(&self.pool)
            .await
            .map_err(map_err)
    }
}
