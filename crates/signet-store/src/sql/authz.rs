use async_trait::async_trait;
use signet_core::OffsetDateTime;
use sqlx::Row;

use super::{map_err, ts, DbRow, DbStore};
use crate::{AuthzChange, AuthzHead, AuthzStore, ChangeOp, OrgSubject, Result, StoreError, TupleFilter, TupleRow};

const TUPLE_COLS: &str = "object_type, object_id, relation, subject_type, subject_id, subject_relation, condition";

fn col<T>(r: &DbRow, name: &str) -> Result<T>
where
    T: for<'r> sqlx::Decode<'r, <DbRow as Row>::Database> + sqlx::Type<<DbRow as Row>::Database>,
{
    r.try_get(name).map_err(|e| StoreError::Other(e.into()))
}

fn row_to_tuple(r: &DbRow) -> Result<TupleRow> {
    Ok(TupleRow {
        object_type: col(r, "object_type")?,
        object_id: col(r, "object_id")?,
        relation: col(r, "relation")?,
        subject_type: col(r, "subject_type")?,
        subject_id: col(r, "subject_id")?,
        subject_relation: col(r, "subject_relation")?,
        condition: col(r, "condition")?,
    })
}

fn row_to_subject(r: &DbRow) -> Result<OrgSubject> {
    Ok(OrgSubject { user_id: col(r, "user_id")?, subject: col(r, "subject")?, org_role: col(r, "org_role")? })
}

/// Takes the next revision: the row's write lock orders every change (PostgreSQL), as the one
/// writer does on SQLite.
async fn next_rev(tx: &mut sqlx::Transaction<'_, <DbRow as Row>::Database>) -> Result<i64> {
    let r = sqlx::query("UPDATE authz_revision SET rev = rev + 1 WHERE id = 1 RETURNING rev")
        .fetch_one(&mut **tx)
        .await
        .map_err(map_err)?;
    col(&r, "rev")
}

#[async_trait]
impl AuthzStore for DbStore {
    async fn authz_head(&self) -> Result<AuthzHead> {
        let r = sqlx::query(
            "SELECT rev, pruned, (SELECT COALESCE(MAX(seq), 0) FROM authz_changes) AS seq
             FROM authz_revision WHERE id = 1",
        )
        .fetch_one(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(AuthzHead { rev: col(&r, "rev")?, pruned: col(&r, "pruned")?, seq: col(&r, "seq")? })
    }

    async fn authz_changes(&self, after_seq: i64, limit: i64) -> Result<Vec<AuthzChange>> {
        let rows = sqlx::query(&format!(
            "SELECT seq, rev, org_id, op, user_id, {TUPLE_COLS} FROM authz_changes WHERE seq > $1 ORDER BY seq LIMIT $2"
        ))
        .bind(after_seq)
        .bind(limit)
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        rows.iter()
            .map(|r| {
                let op: String = col(r, "op")?;
                let op = match op.as_str() {
                    "w" => ChangeOp::Write(row_to_tuple(r)?),
                    "d" => ChangeOp::Delete(row_to_tuple(r)?),
                    "s" => ChangeOp::Schema,
                    "m" => ChangeOp::Member(col(r, "user_id")?),
                    "c" => ChangeOp::Client(col(r, "subject_id")?),
                    "x" => ChangeOp::OrgDeleted,
                    other => return Err(StoreError::Other(anyhow::anyhow!("unknown authz change {other:?}"))),
                };
                Ok(AuthzChange { seq: col(r, "seq")?, rev: col(r, "rev")?, org_id: col(r, "org_id")?, op })
            })
            .collect()
    }

    async fn authz_schema(&self, org_id: i64) -> Result<Option<(String, i64)>> {
        let r = sqlx::query("SELECT source, rev FROM authz_schemas WHERE org_id = $1")
            .bind(org_id)
            .fetch_optional(&self.pool)
            .await
            .map_err(map_err)?;
        r.map(|r| Ok((col(&r, "source")?, col(&r, "rev")?))).transpose()
    }

    async fn set_authz_schema(&self, org_id: i64, source: &str, seen: i64, now: OffsetDateTime) -> Result<i64> {
        let mut tx = self.writer.begin().await.map_err(map_err)?;
        let rev = next_rev(&mut tx).await?;
        let pruned: i64 = col(
            &sqlx::query("SELECT pruned FROM authz_revision WHERE id = 1")
                .fetch_one(&mut *tx)
                .await
                .map_err(map_err)?,
            "pruned",
        )?;
        let changed = sqlx::query("SELECT 1 FROM authz_changes WHERE org_id = $1 AND rev > $2 AND op <> 'm' LIMIT 1")
            .bind(org_id)
            .bind(seen)
            .fetch_optional(&mut *tx)
            .await
            .map_err(map_err)?;
        if changed.is_some() || pruned > seen {
            return Err(StoreError::Conflict);
        }
        sqlx::query(
            "INSERT INTO authz_schemas (org_id, source, rev, updated_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (org_id) DO UPDATE SET source = excluded.source, rev = excluded.rev,
             updated_at = excluded.updated_at",
        )
        .bind(org_id)
        .bind(source)
        .bind(rev)
        .bind(ts(now))
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        sqlx::query("INSERT INTO authz_changes (rev, org_id, op, at) VALUES ($1, $2, 's', $3)")
            .bind(rev)
            .bind(org_id)
            .bind(ts(now))
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        tx.commit().await.map_err(map_err)?;
        Ok(rev)
    }

    async fn write_tuples(
        &self,
        org_id: i64,
        schema_rev: i64,
        ops: &[(bool, TupleRow)],
        now: OffsetDateTime,
    ) -> Result<i64> {
        let mut tx = self.writer.begin().await.map_err(map_err)?;
        let rev = next_rev(&mut tx).await?;
        let current = sqlx::query("SELECT rev FROM authz_schemas WHERE org_id = $1")
            .bind(org_id)
            .fetch_optional(&mut *tx)
            .await
            .map_err(map_err)?;
        if current.map(|r| col::<i64>(&r, "rev")).transpose()?.unwrap_or(0) != schema_rev {
            return Err(StoreError::Conflict);
        }
        let mut changed = false;
        for (write, t) in ops {
            let q = if *write {
                "INSERT INTO authz_tuples (org_id, object_type, object_id, relation, subject_type, subject_id,
                 subject_relation, condition, rev) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                 ON CONFLICT (org_id, object_type, object_id, relation, subject_type, subject_id, subject_relation)
                 DO UPDATE SET condition = excluded.condition, rev = excluded.rev
                 WHERE authz_tuples.condition <> excluded.condition"
            } else {
                "DELETE FROM authz_tuples WHERE org_id = $1 AND object_type = $2 AND object_id = $3
                 AND relation = $4 AND subject_type = $5 AND subject_id = $6 AND subject_relation = $7
                 AND $8 = $8 AND $9 = $9"
            };
            let n = sqlx::query(q)
                .bind(org_id)
                .bind(&t.object_type)
                .bind(&t.object_id)
                .bind(&t.relation)
                .bind(&t.subject_type)
                .bind(&t.subject_id)
                .bind(&t.subject_relation)
                .bind(&t.condition)
                .bind(rev)
                .execute(&mut *tx)
                .await
                .map_err(map_err)?
                .rows_affected();
            if n == 0 {
                continue;
            }
            changed = true;
            sqlx::query(&format!(
                "INSERT INTO authz_changes (rev, org_id, op, {TUPLE_COLS}, at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
            ))
            .bind(rev)
            .bind(org_id)
            .bind(if *write { "w" } else { "d" })
            .bind(&t.object_type)
            .bind(&t.object_id)
            .bind(&t.relation)
            .bind(&t.subject_type)
            .bind(&t.subject_id)
            .bind(&t.subject_relation)
            .bind(&t.condition)
            .bind(ts(now))
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        }
        if !changed {
            // Nothing to record: the state as of the revision before this one already holds.
            tx.rollback().await.map_err(map_err)?;
            return Ok(rev - 1);
        }
        tx.commit().await.map_err(map_err)?;
        Ok(rev)
    }

    async fn read_tuples(
        &self,
        org_id: i64,
        filter: &TupleFilter,
        after: Option<&TupleRow>,
        limit: i64,
    ) -> Result<Vec<TupleRow>> {
        let a = after.cloned().unwrap_or_default();
        let rows = sqlx::query(&format!(
            "SELECT {TUPLE_COLS} FROM authz_tuples WHERE org_id = $1
             AND ($2 IS NULL OR object_type = $2) AND ($3 IS NULL OR object_id = $3)
             AND ($4 IS NULL OR relation = $4) AND ($5 IS NULL OR subject_type = $5)
             AND ($6 IS NULL OR subject_id = $6) AND ($7 IS NULL OR subject_relation = $7)
             AND ($8 = 0 OR (object_type, object_id, relation, subject_type, subject_id, subject_relation)
                  > ($9, $10, $11, $12, $13, $14))
             ORDER BY object_type, object_id, relation, subject_type, subject_id, subject_relation
             LIMIT $15"
        ))
        .bind(org_id)
        .bind(&filter.object_type)
        .bind(&filter.object_id)
        .bind(&filter.relation)
        .bind(&filter.subject_type)
        .bind(&filter.subject_id)
        .bind(&filter.subject_relation)
        .bind(i64::from(after.is_some()))
        .bind(&a.object_type)
        .bind(&a.object_id)
        .bind(&a.relation)
        .bind(&a.subject_type)
        .bind(&a.subject_id)
        .bind(&a.subject_relation)
        .bind(limit)
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        rows.iter().map(row_to_tuple).collect()
    }

    async fn tuples_text(&self, org_id: Option<i64>) -> Result<Vec<(i64, String)>> {
        // string_agg: PostgreSQL, and SQLite since 3.44.
        let rows = sqlx::query(
            "SELECT org_id, string_agg(object_type || ':' || object_id || '#' || relation || '@' || subject_type
                 || ':' || subject_id
                 || CASE WHEN subject_relation = '' THEN '' ELSE '#' || subject_relation END
                 || CASE WHEN condition = '' THEN '' ELSE $2 || condition END, $1) AS tuples
             FROM authz_tuples WHERE $3 = 0 OR org_id = $4 GROUP BY org_id ORDER BY org_id",
        )
        .bind("\n")
        .bind("\t")
        .bind(i64::from(org_id.is_some()))
        .bind(org_id.unwrap_or(0))
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        rows.iter().map(|r| Ok((col(r, "org_id")?, col(r, "tuples")?))).collect()
    }

    async fn all_authz_schemas(&self) -> Result<Vec<(i64, String, i64)>> {
        let rows = sqlx::query("SELECT org_id, source, rev FROM authz_schemas ORDER BY org_id")
            .fetch_all(&self.pool)
            .await
            .map_err(map_err)?;
        rows.iter().map(|r| Ok((col(r, "org_id")?, col(r, "source")?, col(r, "rev")?))).collect()
    }

    async fn all_org_clients(&self) -> Result<Vec<(i64, String)>> {
        let rows = sqlx::query("SELECT org_id, client_id FROM org_clients")
            .fetch_all(&self.pool)
            .await
            .map_err(map_err)?;
        rows.iter().map(|r| Ok((col(r, "org_id")?, col(r, "client_id")?))).collect()
    }

    async fn org_subjects(&self, org_id: i64) -> Result<Vec<OrgSubject>> {
        let rows = sqlx::query(
            "SELECT m.user_id, u.subject, m.org_role FROM org_members m JOIN users u ON u.id = m.user_id
             WHERE m.org_id = $1",
        )
        .bind(org_id)
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        rows.iter().map(row_to_subject).collect()
    }

    async fn org_subject(&self, org_id: i64, user_id: i64) -> Result<Option<OrgSubject>> {
        let r = sqlx::query(
            "SELECT m.user_id, u.subject, m.org_role FROM org_members m JOIN users u ON u.id = m.user_id
             WHERE m.org_id = $1 AND m.user_id = $2",
        )
        .bind(org_id)
        .bind(user_id)
        .fetch_optional(&self.pool)
        .await
        .map_err(map_err)?;
        r.as_ref().map(row_to_subject).transpose()
    }

    async fn prune_authz_changes(&self, before: OffsetDateTime) -> Result<u64> {
        let mut tx = self.writer.begin().await.map_err(map_err)?;
        let last = sqlx::query("SELECT MAX(rev) AS r FROM authz_changes WHERE at < $1")
            .bind(ts(before))
            .fetch_one(&mut *tx)
            .await
            .map_err(map_err)?;
        let Some(last) = col::<Option<i64>>(&last, "r")? else {
            return Ok(0);
        };
        sqlx::query("UPDATE authz_revision SET pruned = $1 WHERE id = 1 AND pruned < $1")
            .bind(last)
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        let n = sqlx::query("DELETE FROM authz_changes WHERE rev <= $1")
            .bind(last)
            .execute(&mut *tx)
            .await
            .map_err(map_err)?
            .rows_affected();
        tx.commit().await.map_err(map_err)?;
        Ok(n)
    }

    async fn install_client(&self, org_id: i64, client_id: &str, installed: bool, now: OffsetDateTime) -> Result<bool> {
        let q = if installed {
            "INSERT INTO org_clients (org_id, client_id, created_at) VALUES ($1, $2, $3)
             ON CONFLICT (org_id, client_id) DO NOTHING"
        } else {
            "DELETE FROM org_clients WHERE org_id = $1 AND client_id = $2 AND $3 = $3"
        };
        let n = sqlx::query(q)
            .bind(org_id)
            .bind(client_id)
            .bind(ts(now))
            .execute(&self.writer)
            .await
            .map_err(map_err)?
            .rows_affected();
        Ok(n == 1)
    }

    async fn client_installed(&self, org_id: i64, client_id: &str) -> Result<bool> {
        let r = sqlx::query("SELECT 1 FROM org_clients WHERE org_id = $1 AND client_id = $2")
            .bind(org_id)
            .bind(client_id)
            .fetch_optional(&self.pool)
            .await
            .map_err(map_err)?;
        Ok(r.is_some())
    }

    async fn org_clients(&self, org_id: i64) -> Result<Vec<String>> {
        let rows = sqlx::query("SELECT client_id FROM org_clients WHERE org_id = $1 ORDER BY client_id")
            .bind(org_id)
            .fetch_all(&self.pool)
            .await
            .map_err(map_err)?;
        rows.iter().map(|r| col(r, "client_id")).collect()
    }
}
