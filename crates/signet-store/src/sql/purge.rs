use async_trait::async_trait;

use super::{map_err, ts, DbStore};
use crate::{PurgeCutoffs, PurgeStore, Result};

#[async_trait]
impl PurgeStore for DbStore {
    async fn purge_batch(&self, c: PurgeCutoffs, batch: i64) -> Result<u64> {
        let now = ts(c.now);
        let spent = ts(c.now - c.keep_spent);
        // (statement, cutoff): each deletes at most `batch` rows ($2) older than the cutoff ($1).
        let statements: [(&str, i64); 8] = [
            (
                "DELETE FROM authorization_requests WHERE id_hash IN
                   (SELECT id_hash FROM authorization_requests WHERE expires_at < $1 LIMIT $2)",
                now,
            ),
            (
                "DELETE FROM authorization_codes WHERE id IN
                   (SELECT id FROM authorization_codes WHERE expires_at < $1 LIMIT $2)",
                spent,
            ),
            (
                "DELETE FROM device_codes WHERE id IN (SELECT id FROM device_codes WHERE expires_at < $1 LIMIT $2)",
                spent,
            ),
            (
                "DELETE FROM challenges WHERE id_hash IN (SELECT id_hash FROM challenges WHERE expires_at <= $1 LIMIT $2)",
                now,
            ),
            // A family past its absolute lifetime can never be used again, revoked or not; its
            // tokens go with it.
            (
                "DELETE FROM refresh_tokens WHERE id IN
                   (SELECT t.id FROM refresh_tokens t JOIN refresh_families f ON f.id = t.family_id
                     WHERE f.absolute_expires_at < $1 LIMIT $2)",
                now,
            ),
            (
                "DELETE FROM refresh_families WHERE id IN
                   (SELECT f.id FROM refresh_families f WHERE f.absolute_expires_at < $1
                      AND NOT EXISTS (SELECT 1 FROM refresh_tokens t WHERE t.family_id = f.id) LIMIT $2)",
                now,
            ),
            (
                "DELETE FROM sessions WHERE id IN (SELECT id FROM sessions WHERE last_seen_at < $1 LIMIT $2)",
                ts(c.session_idle_before),
            ),
            (
                "DELETE FROM sessions WHERE id IN (SELECT id FROM sessions WHERE created_at < $1 LIMIT $2)",
                ts(c.session_created_before),
            ),
        ];
        let mut total = 0;
        for (sql, cutoff) in statements {
            total += sqlx::query(sql).bind(cutoff).bind(batch).execute(&self.writer).await.map_err(map_err)?.rows_affected();
        }
        Ok(total)
    }
}
