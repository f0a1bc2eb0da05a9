use async_trait::async_trait;
use signet_core::{Email, OffsetDateTime};
use sqlx::Row;

use super::users::{row_to_user, COLS as USER_COLS};
use super::{from_ts, map_err, ts, DbRow, DbStore};
use crate::{
    ExternalIdentity, FederationStore, NewIdentity, Result, SealedUpstreamTokens, StoreError, StoredProvider, User,
};

fn get(e: sqlx::Error) -> StoreError {
    StoreError::Other(e.into())
}

const IDENTITY_COLS: &str = "id, user_id, provider, issuer, subject, email, name, created_at, last_used_at";

fn row_to_identity(r: &DbRow) -> Result<ExternalIdentity> {
    Ok(ExternalIdentity {
        id: r.try_get("id").map_err(get)?,
        user_id: r.try_get("user_id").map_err(get)?,
        provider: r.try_get("provider").map_err(get)?,
        issuer: r.try_get("issuer").map_err(get)?,
        subject: r.try_get("subject").map_err(get)?,
        email: r.try_get("email").map_err(get)?,
        name: r.try_get("name").map_err(get)?,
        created_at: from_ts(r.try_get("created_at").map_err(get)?),
        last_used_at: from_ts(r.try_get("last_used_at").map_err(get)?),
    })
}

fn row_to_provider(r: &DbRow) -> Result<StoredProvider> {
    Ok(StoredProvider {
        slug: r.try_get("slug").map_err(get)?,
        config: r.try_get("config").map_err(get)?,
        secret: r.try_get("secret").map_err(get)?,
        created_at: from_ts(r.try_get("created_at").map_err(get)?),
    })
}

async fn insert_identity(conn: &mut super::DbConn, user_id: i64, n: &NewIdentity<'_>) -> Result<ExternalIdentity> {
    let row = sqlx::query(&format!(
        "INSERT INTO external_identities (user_id, provider, issuer, subject, email, name, created_at, last_used_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING {IDENTITY_COLS}"
    ))
    .bind(user_id)
    .bind(n.provider)
    .bind(n.issuer)
    .bind(n.subject)
    .bind(n.email)
    .bind(n.name)
    .bind(ts(n.now))
    .fetch_one(&mut *conn)
    .await
    .map_err(map_err)?;
    row_to_identity(&row)
}

#[async_trait]
impl FederationStore for DbStore {
    async fn providers(&self) -> Result<Vec<StoredProvider>> {
        let rows = sqlx::query("SELECT slug, config, secret, created_at FROM identity_providers ORDER BY slug")
            .fetch_all(&self.pool)
            .await
            .map_err(map_err)?;
        rows.iter().map(row_to_provider).collect()
    }

    async fn provider(&self, slug: &str) -> Result<Option<StoredProvider>> {
        let row = sqlx::query("SELECT slug, config, secret, created_at FROM identity_providers WHERE slug = $1")
            .bind(slug)
            .fetch_optional(&self.pool)
            .await
            .map_err(map_err)?;
        row.as_ref().map(row_to_provider).transpose()
    }

    async fn add_provider(&self, slug: &str, config: &str, secret: Option<&[u8]>, now: OffsetDateTime) -> Result<()> {
        sqlx::query(
            "INSERT INTO identity_providers (slug, config, secret, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)",
        )
        .bind(slug)
        .bind(config)
        .bind(secret)
        .bind(ts(now))
        .execute(&self.writer)
        .await
        .map_err(map_err)?;
        Ok(())
    }

    async fn remove_provider(&self, slug: &str) -> Result<bool> {
        let n = sqlx::query("DELETE FROM identity_providers WHERE slug = $1")
            .bind(slug)
            .execute(&self.writer)
            .await
            .map_err(map_err)?;
        Ok(n.rows_affected() > 0)
    }

    async fn identity(&self, provider: &str, issuer: &str, subject: &str) -> Result<Option<ExternalIdentity>> {
        let row = sqlx::query(&format!(
            "SELECT {IDENTITY_COLS} FROM external_identities WHERE provider = $1 AND issuer = $2 AND subject = $3"
        ))
        .bind(provider)
        .bind(issuer)
        .bind(subject)
        .fetch_optional(&self.writer)
        .await
        .map_err(map_err)?;
        row.as_ref().map(row_to_identity).transpose()
    }

    async fn identities_of(&self, user_id: i64) -> Result<Vec<ExternalIdentity>> {
        let rows =
            sqlx::query(&format!("SELECT {IDENTITY_COLS} FROM external_identities WHERE user_id = $1 ORDER BY id"))
                .bind(user_id)
                .fetch_all(&self.pool)
                .await
                .map_err(map_err)?;
        rows.iter().map(row_to_identity).collect()
    }

    async fn link_identity(&self, user_id: i64, new: NewIdentity<'_>) -> Result<ExternalIdentity> {
        let mut conn = self.writer.acquire().await.map_err(map_err)?;
        insert_identity(&mut conn, user_id, &new).await
    }

    async fn create_federated_user(
        &self,
        email: &Email,
        email_verified: bool,
        new: NewIdentity<'_>,
    ) -> Result<(User, ExternalIdentity)> {
        let mut tx = self.writer.begin().await.map_err(map_err)?;
        let row = sqlx::query(&format!(
            "INSERT INTO users (email, is_admin, created_at, updated_at, subject, email_verified_at)
             VALUES ($1, FALSE, $2, $2, $3, $4) RETURNING {USER_COLS}"
        ))
        .bind(email.as_str())
        .bind(ts(new.now))
        .bind(signet_core::subject::new_public())
        .bind(email_verified.then(|| ts(new.now)))
        .fetch_one(&mut *tx)
        .await
        .map_err(map_err)?;
        let user = row_to_user(&row)?;
        let identity = insert_identity(&mut tx, user.id, &new).await?;
        tx.commit().await.map_err(map_err)?;
        Ok((user, identity))
    }

    async fn touch_identity(&self, id: i64, email: Option<&str>, name: Option<&str>, now: OffsetDateTime) -> Result<()> {
        sqlx::query(
            "UPDATE external_identities SET email = $2, name = COALESCE($3, name), last_used_at = $4 WHERE id = $1",
        )
        .bind(id)
        .bind(email)
        .bind(name)
        .bind(ts(now))
        .execute(&self.writer)
        .await
        .map_err(map_err)?;
        Ok(())
    }

    async fn unlink_identity(&self, user_id: i64, identity_id: i64) -> Result<bool> {
        let mut tx = self.writer.begin().await.map_err(map_err)?;
        // Takes the account's row lock first (PostgreSQL; SQLite has one writer), so two
        // unlinks of an account's last two identities cannot both see the other still there.
        sqlx::query("UPDATE users SET updated_at = updated_at WHERE id = $1")
            .bind(user_id)
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        let n = sqlx::query(
            "DELETE FROM external_identities WHERE id = $1 AND user_id = $2 AND (
                 EXISTS (SELECT 1 FROM users WHERE id = $2 AND password_hash IS NOT NULL)
                 OR EXISTS (SELECT 1 FROM passkeys WHERE user_id = $2)
                 OR EXISTS (SELECT 1 FROM external_identities WHERE user_id = $2 AND id <> $1))",
        )
        .bind(identity_id)
        .bind(user_id)
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        tx.commit().await.map_err(map_err)?;
        Ok(n.rows_affected() > 0)
    }

    async fn put_upstream_tokens(&self, identity_id: i64, t: &SealedUpstreamTokens, now: OffsetDateTime) -> Result<()> {
        sqlx::query(
            "INSERT INTO upstream_tokens (identity_id, access_token, refresh_token, expires_at, scope, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (identity_id) DO UPDATE SET access_token = excluded.access_token,
                 refresh_token = COALESCE(excluded.refresh_token, upstream_tokens.refresh_token),
                 expires_at = excluded.expires_at, scope = excluded.scope, updated_at = excluded.updated_at",
        )
        .bind(identity_id)
        .bind(&t.access)
        .bind(t.refresh.as_deref())
        .bind(t.expires_at.map(ts))
        .bind(&t.scope)
        .bind(ts(now))
        .execute(&self.writer)
        .await
        .map_err(map_err)?;
        Ok(())
    }

    async fn upstream_tokens(&self, identity_id: i64) -> Result<Option<SealedUpstreamTokens>> {
        let row = sqlx::query(
            "SELECT access_token, refresh_token, expires_at, scope FROM upstream_tokens WHERE identity_id = $1",
        )
        .bind(identity_id)
        .fetch_optional(&self.writer)
        .await
        .map_err(map_err)?;
        row.map(|r| {
            Ok(SealedUpstreamTokens {
                access: r.try_get("access_token").map_err(get)?,
                refresh: r.try_get("refresh_token").map_err(get)?,
                expires_at: r.try_get::<Option<i64>, _>("expires_at").map_err(get)?.map(from_ts),
                scope: r.try_get("scope").map_err(get)?,
            })
        })
        .transpose()
    }
}
