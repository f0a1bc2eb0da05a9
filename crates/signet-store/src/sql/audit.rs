use async_trait::async_trait;
use sqlx::Row;

use super::{from_ts, map_err, ts, DbRow, DbStore};
use crate::{AuditEvent, AuditStore, NewAudit, Result, StoreError};

pub(crate) const AUDIT_COLS: &str = "id, at, kind, user_id, email, actor, ip, user_agent, detail";

pub(crate) fn row_to_audit(r: &DbRow) -> Result<AuditEvent> {
    let get = |e: sqlx::Error| StoreError::Other(e.into());
    Ok(AuditEvent {
        id: r.try_get("id").map_err(get)?,
        at: from_ts(r.try_get("at").map_err(get)?),
        kind: r.try_get("kind").map_err(get)?,
        user_id: r.try_get("user_id").map_err(get)?,
        email: r.try_get("email").map_err(get)?,
        actor: r.try_get("actor").map_err(get)?,
        ip: r.try_get("ip").map_err(get)?,
        user_agent: r.try_get("user_agent").map_err(get)?,
        detail: r.try_get("detail").map_err(get)?,
    })
}

#[async_trait]
impl AuditStore for DbStore {
    async fn audit(&self, e: NewAudit<'_>) -> Result<()> {
        sqlx::query(
            "INSERT INTO audit_log (at, kind, user_id, email, actor, ip, user_agent, detail) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(ts(e.at))
        .bind(e.kind.as_str())
        .bind(e.user_id)
        .bind(e.email)
        .bind(e.actor)
        .bind(e.ip)
        .bind(e.user_agent.chars().take(512).collect::<String>())
        .bind(e.detail)
        .execute(&self.writer)
        .await
        .map_err(map_err)?;
        Ok(())
    }

    async fn list_audit(&self, user_id: Option<i64>, limit: u32) -> Result<Vec<AuditEvent>> {
        let rows = sqlx::query(
            "SELECT id, at, kind, user_id, email, actor, ip, user_agent, detail FROM audit_log
             WHERE $1 IS NULL OR user_id = $1 ORDER BY id DESC LIMIT $2",
        )
        .bind(user_id)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        rows.iter().map(row_to_audit).collect()
    }
}
