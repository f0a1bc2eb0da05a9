use async_trait::async_trait;
use signet_core::{Email, OffsetDateTime, PasswordRecord};
use sqlx::Row;

use super::{from_ts, map_err, ts, DbRow, DbStore};
use crate::{NewUser, Result, StoreError, User, UserStore};

const COLS: &str =
    "id, subject, email, password_hash, pepper_id, is_admin, disabled, created_at, password_changed_at, revoked_before";

fn row_to_user(r: &DbRow) -> Result<User> {
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
}
