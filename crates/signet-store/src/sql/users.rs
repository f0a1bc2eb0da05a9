use async_trait::async_trait;
use signet_core::{Email, OffsetDateTime, PasswordRecord};
use sqlx::Row;

use super::{from_ts, map_err, ts, DbRow, DbStore};
use crate::{NetworkSeen, NewUser, Result, StoreError, User, UserStore};

pub(crate) const COLS: &str = "id, subject, email, password_hash, pepper_id, is_admin, disabled, created_at, password_changed_at, \
    revoked_before, email_verified_at, profile, updated_at, delete_after, revision";

pub(crate) fn row_to_user(r: &DbRow) -> Result<User> {
    let get = |e: sqlx::Error| StoreError::Other(e.into());
    let hash: Option<String> = r.try_get("password_hash").map_err(get)?;
    let pepper_id: Option<String> = r.try_get("pepper_id").map_err(get)?;
    Ok(User {
        id: r.try_get("id").map_err(get)?,
        subject: r.try_get("subject").map_err(get)?,
        email: r.try_get("email").map_err(get)?,
        password: hash.map(|hash| PasswordRecord { hash, pepper_id }),
        is_admin: r.try_get("is_admin").map_err(get)?,
        disabled: r.try_get("disabled").map_err(get)?,
        created_at: from_ts(r.try_get("created_at").map_err(get)?),
        password_changed_at: r.try_get::<Option<i64>, _>("password_changed_at").map_err(get)?.map(from_ts),
        revoked_before: r.try_get::<Option<i64>, _>("revoked_before").map_err(get)?.map(from_ts),
        email_verified_at: r.try_get::<Option<i64>, _>("email_verified_at").map_err(get)?.map(from_ts),
        // A profile that no longer parses (hand-edited) reads as empty rather than failing sign-in.
        profile: serde_json::from_str(&r.try_get::<String, _>("profile").map_err(get)?).unwrap_or_default(),
        updated_at: from_ts(r.try_get("updated_at").map_err(get)?),
        delete_after: r.try_get::<Option<i64>, _>("delete_after").map_err(get)?.map(from_ts),
        revision: r.try_get("revision").map_err(get)?,
    })
}

#[async_trait]
impl UserStore for DbStore {
    async fn create_user(&self, new: NewUser<'_>) -> Result<User> {
        let row = sqlx::query(&format!(
            "INSERT INTO users (email, password_hash, pepper_id, is_admin, created_at, updated_at, password_changed_at, subject)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING {COLS}"
        ))
        .bind(new.email.as_str())
        .bind(new.password.map(|p| p.hash.as_str()))
        .bind(new.password.and_then(|p| p.pepper_id.as_deref()))
        .bind(new.is_admin)
        .bind(ts(new.now))
        .bind(ts(new.now))
        .bind(new.password.map(|_| ts(new.now)))
        .bind(signet_core::subject::new_public())
        .fetch_one(&self.writer)
        .await
        .map_err(map_err)?;
        row_to_user(&row)
    }

    async fn user_by_email(&self, email: &Email) -> Result<Option<User>> {
        let row = sqlx::query(&format!("SELECT {COLS} FROM users WHERE email = $1"))
            .bind(email.as_str())
            .fetch_optional(&self.pool)
            .await
            .map_err(map_err)?;
        row.as_ref().map(row_to_user).transpose()
    }

    async fn user_by_subject(&self, subject: &str) -> Result<Option<User>> {
        let row = sqlx::query(&format!("SELECT {COLS} FROM users WHERE subject = $1"))
            .bind(subject)
            .fetch_optional(&self.pool)
            .await
            .map_err(map_err)?;
        row.as_ref().map(row_to_user).transpose()
    }

    async fn user_by_id(&self, id: i64) -> Result<Option<User>> {
        let row = sqlx::query(&format!("SELECT {COLS} FROM users WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await
            .map_err(map_err)?;
        row.as_ref().map(row_to_user).transpose()
    }

    async fn list_users(&self) -> Result<Vec<User>> {
        let rows = sqlx::query(&format!("SELECT {COLS} FROM users ORDER BY id"))
            .fetch_all(&self.pool)
            .await
            .map_err(map_err)?;
        rows.iter().map(row_to_user).collect()
    }

    async fn set_password(
        &self,
        user_id: i64,
        record: &PasswordRecord,
        changed: bool,
        now: OffsetDateTime,
    ) -> Result<()> {
        let q = if changed {
            sqlx::query("UPDATE users SET password_hash = $1, pepper_id = $2, updated_at = $3, password_changed_at = $4 WHERE id = $5")
                .bind(&record.hash)
                .bind(record.pepper_id.as_deref())
                .bind(ts(now))
                .bind(ts(now))
        } else {
            sqlx::query("UPDATE users SET password_hash = $1, pepper_id = $2, updated_at = $3 WHERE id = $4")
                .bind(&record.hash)
                .bind(record.pepper_id.as_deref())
                .bind(ts(now))
        };
        let res = q.bind(user_id).execute(&self.writer).await.map_err(map_err)?;
        if res.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    async fn set_disabled(&self, user_id: i64, disabled: bool, now: OffsetDateTime) -> Result<()> {
        let res = sqlx::query("UPDATE users SET disabled = $1, updated_at = $2 WHERE id = $3")
            .bind(disabled)
            .bind(ts(now))
            .bind(user_id)
            .execute(&self.writer)
            .await
            .map_err(map_err)?;
        if res.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    async fn revoke_tokens_before(&self, user_id: i64, now: OffsetDateTime) -> Result<()> {
        sqlx::query("UPDATE users SET revoked_before = $1, updated_at = $2 WHERE id = $3")
            .bind(ts(now))
            .bind(ts(now))
            .bind(user_id)
            .execute(&self.writer)
            .await
            .map_err(map_err)?;
        Ok(())
    }

    async fn set_email_verified(&self, user_id: i64, email: &str, now: OffsetDateTime) -> Result<bool> {
        let res = sqlx::query("UPDATE users SET email_verified_at = $1, updated_at = $2 WHERE id = $3 AND email = $4")
            .bind(ts(now))
            .bind(ts(now))
            .bind(user_id)
            .bind(email)
            .execute(&self.writer)
            .await
            .map_err(map_err)?;
        Ok(res.rows_affected() == 1)
    }

    async fn set_profile(&self, user_id: i64, profile: &signet_core::Profile, now: OffsetDateTime) -> Result<()> {
        let json = serde_json::to_string(profile).map_err(|e| StoreError::Other(e.into()))?;
        let res = sqlx::query("UPDATE users SET profile = $1, updated_at = $2 WHERE id = $3")
            .bind(json)
            .bind(ts(now))
            .bind(user_id)
            .execute(&self.writer)
            .await
            .map_err(map_err)?;
        if res.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    async fn change_email(
        &self,
        user_id: i64,
        from: &str,
        to: &Email,
        verified: bool,
        now: OffsetDateTime,
    ) -> Result<bool> {
        let res = sqlx::query(
            "UPDATE users SET email = $1, email_verified_at = $2, updated_at = $3 WHERE id = $4 AND email = $5",
        )
        .bind(to.as_str())
        .bind(verified.then(|| ts(now)))
        .bind(ts(now))
        .bind(user_id)
        .bind(from)
        .execute(&self.writer)
        .await
        .map_err(map_err)?;
        Ok(res.rows_affected() == 1)
    }

    async fn schedule_deletion(&self, user_id: i64, at: Option<OffsetDateTime>, now: OffsetDateTime) -> Result<()> {
        sqlx::query("UPDATE users SET delete_after = $1, updated_at = $2 WHERE id = $3")
            .bind(at.map(ts))
            .bind(ts(now))
            .bind(user_id)
            .execute(&self.writer)
            .await
            .map_err(map_err)?;
        Ok(())
    }

    async fn due_deletions(&self, now: OffsetDateTime, limit: i64) -> Result<Vec<i64>> {
        let rows = sqlx::query("SELECT id FROM users WHERE delete_after IS NOT NULL AND delete_after <= $1 ORDER BY id LIMIT $2")
            .bind(ts(now))
            .bind(limit)
            .fetch_all(&self.pool)
            .await
            .map_err(map_err)?;
        rows.iter().map(|r| r.try_get("id").map_err(|e| StoreError::Other(e.into()))).collect()
    }

    async fn erase_user(&self, user_id: i64) -> Result<bool> {
        let mut tx = self.writer.begin().await.map_err(map_err)?;
        let email: Option<String> = sqlx::query_scalar("SELECT email FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_optional(&mut *tx)
            .await
            .map_err(map_err)?;
        let Some(email) = email else { return Ok(false) };
        // The audit trail keeps that something happened to user N, not who N was or where from.
        sqlx::query("UPDATE audit_log SET email = NULL, ip = '', user_agent = '' WHERE user_id = $1 OR email = $2")
            .bind(user_id)
            .bind(&email)
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        sqlx::query("DELETE FROM mail_outbox WHERE to_addr = $1").bind(&email).execute(&mut *tx).await.map_err(map_err)?;
        // Sessions, refresh families, codes, consents, factors, challenges and networks cascade.
        sqlx::query("DELETE FROM users WHERE id = $1").bind(user_id).execute(&mut *tx).await.map_err(map_err)?;
        tx.commit().await.map_err(map_err)?;
        Ok(true)
    }

    async fn note_network(&self, user_id: i64, prefix: &str, now: OffsetDateTime) -> Result<NetworkSeen> {
        let others: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM user_networks WHERE user_id = $1 AND prefix <> $2")
            .bind(user_id)
            .bind(prefix)
            .fetch_one(&self.writer)
            .await
            .map_err(map_err)?;
        let inserted = sqlx::query(
            "INSERT INTO user_networks (user_id, prefix, first_seen_at, last_seen_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (user_id, prefix) DO NOTHING",
        )
        .bind(user_id)
        .bind(prefix)
        .bind(ts(now))
        .bind(ts(now))
        .execute(&self.writer)
        .await
        .map_err(map_err)?
        .rows_affected()
            == 1;
        if !inserted {
            sqlx::query("UPDATE user_networks SET last_seen_at = $1 WHERE user_id = $2 AND prefix = $3")
                .bind(ts(now))
                .bind(user_id)
                .bind(prefix)
                .execute(&self.writer)
                .await
                .map_err(map_err)?;
        }
        Ok(NetworkSeen { new_prefix: inserted, had_others: others > 0 })
    }

    async fn list_networks(&self, user_id: i64) -> Result<Vec<(String, OffsetDateTime, OffsetDateTime)>> {
        let rows = sqlx::query(
            "SELECT prefix, first_seen_at, last_seen_at FROM user_networks WHERE user_id = $1 ORDER BY first_seen_at",
        )
        .bind(user_id)
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        let get = |e: sqlx::Error| StoreError::Other(e.into());
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get("prefix").map_err(get)?,
                    from_ts(r.try_get("first_seen_at").map_err(get)?),
                    from_ts(r.try_get("last_seen_at").map_err(get)?),
                ))
            })
            .collect()
    }
}
