use async_trait::async_trait;
use signet_core::OffsetDateTime;
use sqlx::Row;

use super::audit::{row_to_audit, AUDIT_COLS};
use super::clients::{row_to_client, COLS as CLIENT_COLS};
use super::users::{row_to_user, COLS as USER_COLS};
use super::{map_err, ts, DbStore};
use crate::{
    AdminStore, AuditEvent, AuditFilter, Client, ClientPatch, Result, StoreError, User, UserFilter, UserPatch, Written,
};

/// `LIKE` pattern for "contains", with the pattern characters of the query escaped.
fn contains(q: &str) -> String {
    let mut s = String::with_capacity(q.len() + 2);
    s.push('%');
    for c in q.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            s.push('\\');
        }
        s.push(c);
    }
    s.push('%');
    s
}

impl DbStore {
    /// After a conditional update of a client touched nothing: was it gone, or its revision
    /// moved on?
    async fn client_stale_or_missing<T>(&self, client_id: &str) -> Result<Written<T>> {
        let row = sqlx::query("SELECT 1 AS one FROM clients WHERE client_id = $1")
            .bind(client_id)
            .fetch_optional(&self.writer)
            .await
            .map_err(map_err)?;
        Ok(if row.is_some() { Written::Stale } else { Written::Missing })
    }
}

#[async_trait]
impl AdminStore for DbStore {
    async fn search_users(&self, f: UserFilter<'_>) -> Result<Vec<User>> {
        let rows = sqlx::query(&format!(
            "SELECT {USER_COLS} FROM users
             WHERE id > $1 AND ($2 IS NULL OR LOWER(email) LIKE $2 ESCAPE '\\')
               AND ($3 IS NULL OR disabled = $3) AND ($4 IS NULL OR is_admin = $4)
             ORDER BY id LIMIT $5"
        ))
        .bind(f.after_id)
        .bind(f.query.filter(|q| !q.is_empty()).map(contains))
        .bind(f.disabled)
        .bind(f.admin)
        .bind(f.limit)
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        rows.iter().map(row_to_user).collect()
    }

    async fn patch_user(
        &self,
        user_id: i64,
        expected: Option<i64>,
        patch: &UserPatch,
        now: OffsetDateTime,
    ) -> Result<Written<User>> {
        // Whether the write may take an administrator away: then it runs under the lock of
        // every enabled administrator and only if another one stays (checked in the statement).
        let demotes = patch.is_admin == Some(false) || patch.disabled == Some(true);
        let mut tx = self.writer.begin().await.map_err(map_err)?;
        if demotes {
            sqlx::query(super::ADMIN_LOCK_SQL).execute(&mut *tx).await.map_err(map_err)?;
        }
        let row = sqlx::query(&format!(
            "UPDATE users SET disabled = COALESCE($1, disabled), is_admin = COALESCE($2, is_admin),
                              updated_at = $3, revision = revision + 1
             WHERE id = $4 AND ($5 IS NULL OR revision = $5)
               AND NOT ($6 AND is_admin AND NOT disabled AND NOT EXISTS (
                   SELECT 1 FROM users o WHERE o.is_admin AND NOT o.disabled AND o.id <> $4))
             RETURNING {USER_COLS}"
        ))
        .bind(patch.disabled)
        .bind(patch.is_admin)
        .bind(ts(now))
        .bind(user_id)
        .bind(expected)
        .bind(demotes)
        .fetch_optional(&mut *tx)
        .await
        .map_err(map_err)?;
        let out = match row {
            Some(r) => Written::Done(row_to_user(&r)?),
            None => {
                let now_at = sqlx::query("SELECT revision FROM users WHERE id = $1")
                    .bind(user_id)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(map_err)?;
                match now_at.map(|r| r.try_get::<i64, _>("revision")).transpose().map_err(map_err)? {
                    None => Written::Missing,
                    Some(rev) if expected.is_some_and(|e| e != rev) => Written::Stale,
                    Some(_) => Written::Refused,
                }
            }
        };
        tx.commit().await.map_err(map_err)?;
        Ok(out)
    }

    async fn patch_client(
        &self,
        client_id: &str,
        expected: Option<i64>,
        p: &ClientPatch,
        now: OffsetDateTime,
    ) -> Result<Written<Client>> {
        let row = sqlx::query(&format!(
            "UPDATE clients SET name = COALESCE($1, name), redirect_uris = COALESCE($2, redirect_uris),
                 post_logout_redirect_uris = COALESCE($3, post_logout_redirect_uris), scopes = COALESCE($4, scopes),
                 skip_consent = COALESCE($5, skip_consent), require_mfa = COALESCE($6, require_mfa),
                 access_token_ttl = CASE WHEN $7 THEN $8 ELSE access_token_ttl END,
                 updated_at = $9, revision = revision + 1
             WHERE client_id = $10 AND ($11 IS NULL OR revision = $11) RETURNING {CLIENT_COLS}"
        ))
        .bind(p.name.as_deref())
        .bind(p.redirect_uris.as_ref().map(|u| u.join("\n")))
        .bind(p.post_logout_redirect_uris.as_ref().map(|u| u.join("\n")))
        .bind(p.scopes.as_deref())
        .bind(p.skip_consent)
        .bind(p.require_mfa)
        .bind(p.access_token_ttl.is_some())
        .bind(p.access_token_ttl.flatten())
        .bind(ts(now))
        .bind(client_id)
        .bind(expected)
        .fetch_optional(&self.writer)
        .await
        .map_err(map_err)?;
        match row {
            Some(r) => Ok(Written::Done(row_to_client(&r)?)),
            None => self.client_stale_or_missing(client_id).await,
        }
    }

    async fn rotate_client_secret(
        &self,
        client_id: &str,
        expected: Option<i64>,
        secret_hash: &str,
        keep_old_until: Option<OffsetDateTime>,
        now: OffsetDateTime,
    ) -> Result<Written<Client>> {
        let row = sqlx::query(&format!(
            "UPDATE clients SET previous_secret_hash = CASE WHEN $1 IS NULL THEN NULL ELSE secret_hash END,
                 previous_secret_expires_at = $1, secret_hash = $2, updated_at = $3, revision = revision + 1
             WHERE client_id = $4 AND NOT is_public AND ($5 IS NULL OR revision = $5) RETURNING {CLIENT_COLS}"
        ))
        .bind(keep_old_until.map(ts))
        .bind(secret_hash)
        .bind(ts(now))
        .bind(client_id)
        .bind(expected)
        .fetch_optional(&self.writer)
        .await
        .map_err(map_err)?;
        match row {
            Some(r) => Ok(Written::Done(row_to_client(&r)?)),
            None if expected.is_none() => Ok(Written::Missing),
            None => self.client_stale_or_missing(client_id).await,
        }
    }

    async fn expire_previous_secrets(&self, now: OffsetDateTime) -> Result<Vec<String>> {
        let rows = sqlx::query(
            "UPDATE clients SET previous_secret_hash = NULL, previous_secret_expires_at = NULL
             WHERE previous_secret_expires_at IS NOT NULL AND previous_secret_expires_at <= $1 RETURNING client_id",
        )
        .bind(ts(now))
        .fetch_all(&self.writer)
        .await
        .map_err(map_err)?;
        rows.iter().map(|r| r.try_get("client_id").map_err(|e| StoreError::Other(e.into()))).collect()
    }

    async fn audit_page(&self, f: AuditFilter<'_>) -> Result<Vec<AuditEvent>> {
        let rows = sqlx::query(&format!(
            "SELECT {AUDIT_COLS} FROM audit_log
             WHERE ($1 IS NULL OR user_id = $1) AND ($2 IS NULL OR kind = $2) AND ($3 IS NULL OR actor = $3)
               AND ($4 IS NULL OR at >= $4) AND ($5 IS NULL OR at < $5) AND ($6 IS NULL OR id < $6)
             ORDER BY id DESC LIMIT $7"
        ))
        .bind(f.user_id)
        .bind(f.kind)
        .bind(f.actor)
        .bind(f.since.map(ts))
        .bind(f.until.map(ts))
        .bind(f.before_id)
        .bind(f.limit)
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        rows.iter().map(row_to_audit).collect()
    }

    async fn prune_audit(&self, before: OffsetDateTime, batch: i64) -> Result<u64> {
        let res = sqlx::query(
            "DELETE FROM audit_log WHERE id IN (SELECT id FROM audit_log WHERE at < $1 ORDER BY at LIMIT $2)",
        )
        .bind(ts(before))
        .bind(batch)
        .execute(&self.writer)
        .await
        .map_err(map_err)?;
        Ok(res.rows_affected())
    }

    async fn admin_counts(&self, active_since: OffsetDateTime) -> Result<(i64, i64, i64)> {
        let r = sqlx::query(
            "SELECT (SELECT COUNT(*) FROM users) AS users, (SELECT COUNT(*) FROM users WHERE disabled) AS disabled,
                    (SELECT COUNT(*) FROM sessions WHERE last_seen_at >= $1) AS sessions",
        )
        .bind(ts(active_since))
        .fetch_one(&self.pool)
        .await
        .map_err(map_err)?;
        let get = |c: &str| r.try_get::<i64, _>(c).map_err(|e| StoreError::Other(e.into()));
        Ok((get("users")?, get("disabled")?, get("sessions")?))
    }
}
