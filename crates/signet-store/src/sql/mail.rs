use async_trait::async_trait;
use signet_core::OffsetDateTime;
use sqlx::Row;

use super::{map_err, ts, DbStore};
use crate::{MailStore, NewMail, OutboxCounts, QueuedMail, Result, StoreError};

#[async_trait]
impl MailStore for DbStore {
    async fn enqueue_mail(&self, m: NewMail<'_>) -> Result<i64> {
        let row = sqlx::query(
            "INSERT INTO mail_outbox (kind, to_addr, subject, text_body, html_body, created_at, next_attempt_at)
             VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id",
        )
        .bind(m.kind)
        .bind(m.to)
        .bind(m.subject)
        .bind(m.text_body)
        .bind(m.html_body)
        .bind(ts(m.now))
        .fetch_one(&self.writer)
        .await
        .map_err(map_err)?;
        row.try_get("id").map_err(|e| StoreError::Other(e.into()))
    }

    async fn claim_mail(&self, now: OffsetDateTime, lease_until: OffsetDateTime, limit: i64) -> Result<Vec<QueuedMail>> {
        // The lease test is repeated outside the subquery: on PostgreSQL a second worker that
        // picked the same rows waits for the first one's update and then re-checks the outer
        // condition against the new row, which now holds an unexpired lease.
        let rows = sqlx::query(
            "UPDATE mail_outbox SET claimed_until = $2, attempts = attempts + 1
             WHERE id IN (SELECT id FROM mail_outbox
                          WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= $1
                            AND (claimed_until IS NULL OR claimed_until <= $1)
                          ORDER BY id LIMIT $3)
               AND sent_at IS NULL AND failed_at IS NULL AND (claimed_until IS NULL OR claimed_until <= $1)
             RETURNING id, kind, to_addr, subject, text_body, html_body, attempts",
        )
        .bind(ts(now))
        .bind(ts(lease_until))
        .bind(limit)
        .fetch_all(&self.writer)
        .await
        .map_err(map_err)?;
        let get = |e: sqlx::Error| StoreError::Other(e.into());
        let mut out: Vec<QueuedMail> = rows
            .iter()
            .map(|r| {
                Ok(QueuedMail {
                    id: r.try_get("id").map_err(get)?,
                    kind: r.try_get("kind").map_err(get)?,
                    to: r.try_get("to_addr").map_err(get)?,
                    subject: r.try_get("subject").map_err(get)?,
                    text_body: r.try_get("text_body").map_err(get)?,
                    html_body: r.try_get("html_body").map_err(get)?,
                    attempts: r.try_get("attempts").map_err(get)?,
                })
            })
            .collect::<Result<_>>()?;
        out.sort_by_key(|m| m.id);
        Ok(out)
    }

    async fn mail_sent(&self, id: i64, now: OffsetDateTime) -> Result<()> {
        // The bodies go once delivered: they hold live links and codes (only their hashes are
        // kept elsewhere), and the database should not be a second inbox.
        sqlx::query(
            "UPDATE mail_outbox SET sent_at = $2, claimed_until = NULL, last_error = NULL, text_body = '', html_body = NULL
             WHERE id = $1",
        )
            .bind(id)
            .bind(ts(now))
            .execute(&self.writer)
            .await
            .map_err(map_err)?;
        Ok(())
    }

    async fn mail_failed(&self, id: i64, error: &str, retry_at: Option<OffsetDateTime>, now: OffsetDateTime) -> Result<()> {
        let error: String = error.chars().take(500).collect();
        sqlx::query(
            "UPDATE mail_outbox SET claimed_until = NULL, last_error = $2,
                    next_attempt_at = COALESCE($3, next_attempt_at),
                    failed_at = CASE WHEN $3 IS NULL THEN $4 ELSE NULL END,
                    text_body = CASE WHEN $3 IS NULL THEN '' ELSE text_body END,
                    html_body = CASE WHEN $3 IS NULL THEN NULL ELSE html_body END
             WHERE id = $1",
        )
        .bind(id)
        .bind(error)
        .bind(retry_at.map(ts))
        .bind(ts(now))
        .execute(&self.writer)
        .await
        .map_err(map_err)?;
        Ok(())
    }

    async fn outbox_counts(&self) -> Result<OutboxCounts> {
        let r = sqlx::query(
            "SELECT COALESCE(SUM(CASE WHEN sent_at IS NULL AND failed_at IS NULL THEN 1 ELSE 0 END), 0) AS pending,
                    COALESCE(SUM(CASE WHEN sent_at IS NOT NULL THEN 1 ELSE 0 END), 0) AS sent,
                    COALESCE(SUM(CASE WHEN failed_at IS NOT NULL THEN 1 ELSE 0 END), 0) AS failed
             FROM mail_outbox",
        )
        .fetch_one(&self.pool)
        .await
        .map_err(map_err)?;
        let get = |e: sqlx::Error| StoreError::Other(e.into());
        Ok(OutboxCounts {
            pending: r.try_get("pending").map_err(get)?,
            sent: r.try_get("sent").map_err(get)?,
            failed: r.try_get("failed").map_err(get)?,
        })
    }
}
