use async_trait::async_trait;
use signet_core::{OffsetDateTime, TokenHash};
use sqlx::Row;

use super::{from_ts, map_err, ts, DbStore};
use crate::{AuthorizeStore, CodeRecord, CodeTokens, NewCode, Result, StoreError};

#[async_trait]
impl AuthorizeStore for DbStore {
    async fn put_request(
        &self,
        id_hash: &TokenHash,
        client_id: &str,
        params: &str,
        now: OffsetDateTime,
        expires_at: OffsetDateTime,
    ) -> Result<()> {
        sqlx::query("INSERT INTO authorization_requests (id_hash, client_id, params, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(id_hash.as_str())
            .bind(client_id)
            .bind(params)
            .bind(ts(now))
            .bind(ts(expires_at))
            .execute(&self.writer)
            .await
            .map_err(map_err)?;
        Ok(())
    }

    async fn get_request(&self, id_hash: &TokenHash, now: OffsetDateTime) -> Result<Option<String>> {
        sqlx::query_scalar("SELECT params FROM authorization_requests WHERE id_hash = $1 AND expires_at > $2")
            .bind(id_hash.as_str())
            .bind(ts(now))
            .fetch_optional(&self.pool)
            .await
            .map_err(map_err)
    }

    async fn delete_request(&self, id_hash: &TokenHash) -> Result<()> {
        sqlx::query("DELETE FROM authorization_requests WHERE id_hash = $1")
            .bind(id_hash.as_str())
            .execute(&self.writer)
            .await
            .map_err(map_err)?;
        Ok(())
    }

    async fn update_request(&self, id_hash: &TokenHash, params: &str, now: OffsetDateTime) -> Result<bool> {
        let res = sqlx::query("UPDATE authorization_requests SET params = $1 WHERE id_hash = $2 AND expires_at > $3")
            .bind(params)
            .bind(id_hash.as_str())
            .bind(ts(now))
            .execute(&self.writer)
            .await
            .map_err(map_err)?;
        Ok(res.rows_affected() == 1)
    }

    async fn put_code(&self, c: NewCode<'_>) -> Result<()> {
        sqlx::query(
            "INSERT INTO authorization_codes (code_hash, client_id, user_id, session_id, redirect_uri, code_challenge, nonce, scope,
                                              auth_time, created_at, expires_at, amr)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(c.code_hash.as_str())
        .bind(c.client_id)
        .bind(c.user_id)
        .bind(c.session_id)
        .bind(c.redirect_uri)
        .bind(c.code_challenge)
        .bind(c.nonce)
        .bind(c.scope)
        .bind(ts(c.auth_time))
        .bind(ts(c.now))
        .bind(ts(c.expires_at))
        .bind(c.amr)
        .execute(&self.writer)
        .await
        .map_err(map_err)?;
        Ok(())
    }

    async fn code_by_hash(&self, code_hash: &TokenHash) -> Result<Option<CodeRecord>> {
        let row = sqlx::query(
            "SELECT id, client_id, user_id, session_id, redirect_uri, code_challenge, nonce, scope, auth_time, amr, expires_at, used_at,
                    family_id, access_jti, access_exp
             FROM authorization_codes WHERE code_hash = $1",
        )
        .bind(code_hash.as_str())
        .fetch_optional(&self.pool)
        .await
        .map_err(map_err)?;
        let Some(r) = row else { return Ok(None) };
        let get = |e: sqlx::Error| StoreError::Other(e.into());
        let opt = |name: &str| -> Result<Option<OffsetDateTime>> {
            Ok(r.try_get::<Option<i64>, _>(name).map_err(get)?.map(from_ts))
        };
        Ok(Some(CodeRecord {
            id: r.try_get("id").map_err(get)?,
            client_id: r.try_get("client_id").map_err(get)?,
            user_id: r.try_get("user_id").map_err(get)?,
            session_id: r.try_get("session_id").map_err(get)?,
            redirect_uri: r.try_get("redirect_uri").map_err(get)?,
            code_challenge: r.try_get("code_challenge").map_err(get)?,
            nonce: r.try_get("nonce").map_err(get)?,
            scope: r.try_get("scope").map_err(get)?,
            auth_time: from_ts(r.try_get("auth_time").map_err(get)?),
            amr: r.try_get("amr").map_err(get)?,
            expires_at: from_ts(r.try_get("expires_at").map_err(get)?),
            used_at: opt("used_at")?,
            family_id: r.try_get("family_id").map_err(get)?,
            access_jti: r.try_get("access_jti").map_err(get)?,
            access_exp: opt("access_exp")?,
        }))
    }

    async fn redeem_code(&self, id: i64, now: OffsetDateTime, issued: CodeTokens<'_>) -> Result<bool> {
        let res = sqlx::query(
            "UPDATE authorization_codes SET used_at = $1, family_id = $2, access_jti = $3, access_exp = $4
             WHERE id = $5 AND used_at IS NULL",
        )
        .bind(ts(now))
        .bind(issued.family_id)
        .bind(issued.access_jti)
        .bind(ts(issued.access_exp))
        .bind(id)
        .execute(&self.writer)
        .await
        .map_err(map_err)?;
        Ok(res.rows_affected() == 1)
    }

    async fn consent(&self, user_id: i64, client_id: &str) -> Result<Option<String>> {
        sqlx::query_scalar("SELECT scope FROM consents WHERE user_id = $1 AND client_id = $2")
            .bind(user_id)
            .bind(client_id)
            .fetch_optional(&self.pool)
            .await
            .map_err(map_err)
    }

    async fn put_consent(&self, user_id: i64, client_id: &str, scope: &str, now: OffsetDateTime) -> Result<()> {
        sqlx::query(
            "INSERT INTO consents (user_id, client_id, scope, granted_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (user_id, client_id) DO UPDATE SET scope = excluded.scope, granted_at = excluded.granted_at",
        )
        .bind(user_id)
        .bind(client_id)
        .bind(scope)
        .bind(ts(now))
        .execute(&self.writer)
        .await
        .map_err(map_err)?;
        Ok(())
    }

    async fn delete_consent(&self, user_id: i64, client_id: &str) -> Result<bool> {
        let res = sqlx::query("DELETE FROM consents WHERE user_id = $1 AND client_id = $2")
            .bind(user_id)
            .bind(client_id)
            .execute(&self.writer)
            .await
            .map_err(map_err)?;
        Ok(res.rows_affected() > 0)
    }

    async fn list_consents(&self, user_id: i64) -> Result<Vec<(String, String, OffsetDateTime)>> {
        let rows =
            sqlx::query("SELECT client_id, scope, granted_at FROM consents WHERE user_id = $1 ORDER BY granted_at DESC")
                .bind(user_id)
                .fetch_all(&self.pool)
                .await
                .map_err(map_err)?;
        let get = |e: sqlx::Error| StoreError::Other(e.into());
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get("client_id").map_err(get)?,
                    r.try_get("scope").map_err(get)?,
                    from_ts(r.try_get("granted_at").map_err(get)?),
                ))
            })
            .collect()
    }
}
