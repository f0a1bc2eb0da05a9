use async_trait::async_trait;
use signet_core::OffsetDateTime;
use sqlx::Row;

use super::{from_ts, map_err, ts, DbRow, DbStore};
use crate::{Client, ClientStore, NewClient, Result, StoreError};

pub(crate) const COLS: &str = "id, client_id, name, secret_hash, is_public, grant_types, scopes, audiences, redirect_uris, \
                    access_token_ttl, signing_alg, created_at, skip_consent, post_logout_redirect_uris, require_mfa, \
                    subject_type, id_token_alg, logo_uri, client_uri, require_organization, revision, \
                    previous_secret_hash, previous_secret_expires_at";

fn words(s: &str) -> Vec<String> {
    s.split_whitespace().map(str::to_owned).collect()
}

pub(crate) fn row_to_client(r: &DbRow) -> Result<Client> {
    let get = |e: sqlx::Error| StoreError::Other(e.into());
    let grants: String = r.try_get("grant_types").map_err(get)?;
    let auds: String = r.try_get("audiences").map_err(get)?;
    let uris: String = r.try_get("redirect_uris").map_err(get)?;
    Ok(Client {
        id: r.try_get("id").map_err(get)?,
        client_id: r.try_get("client_id").map_err(get)?,
        name: r.try_get("name").map_err(get)?,
        secret_hash: r.try_get("secret_hash").map_err(get)?,
        is_public: r.try_get("is_public").map_err(get)?,
        grant_types: words(&grants),
        scopes: r.try_get("scopes").map_err(get)?,
        audiences: words(&auds),
        redirect_uris: uris.lines().filter(|l| !l.is_empty()).map(str::to_owned).collect(),
        access_token_ttl: r.try_get("access_token_ttl").map_err(get)?,
        signing_alg: r.try_get("signing_alg").map_err(get)?,
        created_at: from_ts(r.try_get("created_at").map_err(get)?),
        skip_consent: r.try_get("skip_consent").map_err(get)?,
        post_logout_redirect_uris: r
            .try_get::<String, _>("post_logout_redirect_uris")
            .map_err(get)?
            .lines()
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect(),
        require_mfa: r.try_get("require_mfa").map_err(get)?,
        pairwise_subjects: r.try_get::<String, _>("subject_type").map_err(get)? == "pairwise",
        id_token_alg: r.try_get("id_token_alg").map_err(get)?,
        logo_uri: r.try_get("logo_uri").map_err(get)?,
        client_uri: r.try_get("client_uri").map_err(get)?,
        require_organization: r.try_get("require_organization").map_err(get)?,
        revision: r.try_get("revision").map_err(get)?,
        previous_secret: match (
            r.try_get::<Option<String>, _>("previous_secret_hash").map_err(get)?,
            r.try_get::<Option<i64>, _>("previous_secret_expires_at").map_err(get)?,
        ) {
            (Some(h), Some(t)) => Some((h, from_ts(t))),
            _ => None,
        },
        apis: Default::default(),
    })
}

impl DbStore {
    /// The registered APIs among a client's audiences, with their permissions and the client's
    /// grants, in one query (an audience is matched as a whole word of the stored list, then
    /// exactly in Rust).
    async fn client_apis(&self, c: &mut Client) -> Result<()> {
        let rows = sqlx::query(
            "SELECT a.identifier, p.name AS permission,
                    EXISTS (SELECT 1 FROM client_grants g
                            WHERE g.client_id = c.client_id AND g.api_id = a.id AND g.permission = p.name) AS granted
             FROM clients c JOIN apis a ON (' ' || c.audiences || ' ') LIKE ('% ' || a.identifier || ' %')
             LEFT JOIN api_permissions p ON p.api_id = a.id
             WHERE c.client_id = $1",
        )
        .bind(&c.client_id)
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        let get = |e: sqlx::Error| StoreError::Other(e.into());
        for r in &rows {
            let identifier: String = r.try_get("identifier").map_err(get)?;
            if !c.audiences.contains(&identifier) {
                continue;
            }
            let entry = c.apis.entry(identifier).or_default();
            if let Some(p) = r.try_get::<Option<String>, _>("permission").map_err(get)? {
                if r.try_get::<bool, _>("granted").map_err(get)? {
                    entry.granted.insert(p.clone());
                }
                entry.permissions.insert(p);
            }
        }
        Ok(())
    }
}

#[async_trait]
impl ClientStore for DbStore {
    async fn create_client(&self, c: NewClient<'_>) -> Result<Client> {
        let row = sqlx::query(&format!(
            "INSERT INTO clients (client_id, name, secret_hash, is_public, grant_types, scopes, audiences, redirect_uris,
                                  access_token_ttl, signing_alg, created_at, updated_at, skip_consent, post_logout_redirect_uris,
                                  require_mfa, subject_type, id_token_alg, logo_uri, client_uri, require_organization)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)
             RETURNING {COLS}"
        ))
        .bind(c.client_id)
        .bind(c.name)
        .bind(c.secret_hash)
        .bind(c.is_public)
        .bind(c.grant_types.join(" "))
        .bind(c.scopes)
        .bind(c.audiences.join(" "))
        .bind(c.redirect_uris.join("\n"))
        .bind(c.access_token_ttl)
        .bind(c.signing_alg)
        .bind(ts(c.now))
        .bind(ts(c.now))
        .bind(c.skip_consent)
        .bind(c.post_logout_redirect_uris.join("\n"))
        .bind(c.require_mfa)
        .bind(if c.pairwise_subjects { "pairwise" } else { "public" })
        .bind(c.id_token_alg)
        .bind(c.logo_uri)
        .bind(c.client_uri)
        .bind(c.require_organization)
        .fetch_one(&self.writer)
        .await
        .map_err(map_err)?;
        row_to_client(&row)
    }

    async fn client(&self, client_id: &str) -> Result<Option<Client>> {
        let row = sqlx::query(&format!("SELECT {COLS} FROM clients WHERE client_id = $1"))
            .bind(client_id)
            .fetch_optional(&self.pool)
            .await
            .map_err(map_err)?;
        let Some(mut client) = row.as_ref().map(row_to_client).transpose()? else { return Ok(None) };
        self.client_apis(&mut client).await?;
        Ok(Some(client))
    }

    async fn list_clients(&self) -> Result<Vec<Client>> {
        let rows = sqlx::query(&format!("SELECT {COLS} FROM clients ORDER BY id"))
            .fetch_all(&self.pool)
            .await
            .map_err(map_err)?;
        rows.iter().map(row_to_client).collect()
    }

    async fn set_client_secret(&self, client_id: &str, secret_hash: &str, now: OffsetDateTime) -> Result<()> {
        let res =
            sqlx::query("UPDATE clients SET secret_hash = $1, updated_at = $2 WHERE client_id = $3 AND NOT is_public")
                .bind(secret_hash)
                .bind(ts(now))
                .bind(client_id)
                .execute(&self.writer)
                .await
                .map_err(map_err)?;
        if res.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    async fn delete_client(&self, client_id: &str, now: OffsetDateTime) -> Result<bool> {
        let mut tx = self.writer.begin().await.map_err(map_err)?;
        let res = sqlx::query("DELETE FROM clients WHERE client_id = $1")
            .bind(client_id)
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        sqlx::query(
            "UPDATE refresh_families SET revoked_at = $1, revoked_reason = 'client_deleted' WHERE client_id = $2 AND revoked_at IS NULL",
        )
        .bind(ts(now))
        .bind(client_id)
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        tx.commit().await.map_err(map_err)?;
        Ok(res.rows_affected() > 0)
    }
}
