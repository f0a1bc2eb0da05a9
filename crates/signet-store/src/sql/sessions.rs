use async_trait::async_trait;
use signet_core::{OffsetDateTime, TokenHash};
use sqlx::Row;

use super::{from_ts, map_err, ts, DbRow, DbStore};
use crate::{NewSession, Result, Session, SessionStore, StoreError};

const COLS: &str = "id, user_id, created_at, last_seen_at, auth_time, user_agent, ip, amr";

fn row_to_session(r: &DbRow) -> Result<Session> {
    let get = |e: sqlx::Error| StoreError::Other(e.into());
    Ok(Session {
        id: r.try_get("id").map_err(get)?,
        user_id: r.try_get("user_id").map_err(get)?,
        created_at: from_ts(r.try_get("created_at").map_err(get)?),
        last_seen_at: from_ts(r.try_get("last_seen_at").map_err(get)?),
        auth_time: from_ts(r.try_get("auth_time").map_err(get)?),
        user_agent: r.try_get("user_agent").map_err(get)?,
        ip: r.try_get("ip").map_err(get)?,
        amr: r.try_get("amr").map_err(get)?,
    })
}

#[async_trait]
impl SessionStore for DbStore {
    async fn create_session(&self, new: NewSession<'_>) -> Result<Session> {
        let row = sqlx::query(&format!(
            "INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at, auth_time, user_agent, ip, amr)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING {COLS}"
        ))
        .bind(new.token_hash.as_str())
        .bind(new.user_id)
        .bind(ts(new.now))
        .bind(ts(new.now))
        .bind(ts(new.auth_time))
        .bind(truncate(new.user_agent, 512))
        .bind(truncate(new.ip, 64))
        .bind(new.amr)
        .fetch_one(&self.writer)
        .await
        .map_err(map_err)?;
        row_to_session(&row)
    }

    async fn session_by_token(&self, hash: &TokenHash) -> Result<Option<Session>> {
        let row = sqlx::query(&format!("SELECT {COLS} FROM sessions WHERE token_hash = $1"))
            .bind(hash.as_str())
            .fetch_optional(&self.pool)
            .await
            .map_err(map_err)?;
        row.as_ref().map(row_to_session).transpose()
    }

    async fn touch_session(&self, id: i64, now: OffsetDateTime) -> Result<()> {
        sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id = $2")
            .bind(ts(now))
            .bind(id)
            .execute(&self.writer)
            .await
            .map_err(map_err)?;
        Ok(())
    }

    async fn delete_session(&self, id: i64) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE id = $1").bind(id).execute(&self.writer).await.map_err(map_err)?;
        Ok(())
    }

    async fn delete_user_session(&self, user_id: i64, session_id: i64) -> Result<bool> {
        let res = sqlx::query("DELETE FROM sessions WHERE id = $1 AND user_id = $2")
            .bind(session_id)
            .bind(user_id)
            .execute(&self.writer)
            .await
            .map_err(map_err)?;
        Ok(res.rows_affected() > 0)
    }

    async fn delete_user_sessions(&self, user_id: i64, keep: Option<i64>) -> Result<u64> {
        let res = sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND id IS DISTINCT FROM $2")
            .bind(user_id)
            .bind(keep)
            .execute(&self.writer)
            .await
            .map_err(map_err)?;
        Ok(res.rows_affected())
    }

    async fn list_user_sessions(&self, user_id: i64) -> Result<Vec<Session>> {
        let rows = sqlx::query(&format!("SELECT {COLS} FROM sessions WHERE user_id = $1 ORDER BY last_seen_at DESC"))
            .bind(user_id)
            .fetch_all(&self.pool)
            .await
            .map_err(map_err)?;
        rows.iter().map(row_to_session).collect()
    }

    async fn set_session_auth(&self, id: i64, amr: &str, auth_time: OffsetDateTime) -> Result<()> {
        sqlx::query("UPDATE sessions SET amr = $2, auth_time = $3 WHERE id = $1")
            .bind(id)
            .bind(amr)
            .bind(ts(auth_time))
            .execute(&self.writer)
            .await
            .map_err(map_err)?;
        Ok(())
    }
}

/// Cuts client-supplied strings (user agent) to a bound, on a character boundary.
fn truncate(s: &str, max: usize) -> &str {
    match s.char_indices().nth(max) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}
