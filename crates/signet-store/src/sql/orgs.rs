use async_trait::async_trait;
use signet_core::OffsetDateTime;
use sqlx::Row;

use super::{from_ts, map_err, ts, DbRow, DbStore};
use crate::{Access, AccessStamp, Api, Member, Org, OrgStore, Result, Role, StoreError};

const ORG_COLS: &str = "id, public_id, slug, name, domains, created_at";

fn get(e: sqlx::Error) -> StoreError {
    StoreError::Other(e.into())
}

fn row_to_org(r: &DbRow) -> Result<Org> {
    let domains: String = r.try_get("domains").map_err(get)?;
    Ok(Org {
        id: r.try_get("id").map_err(get)?,
        public_id: r.try_get("public_id").map_err(get)?,
        slug: r.try_get("slug").map_err(get)?,
        name: r.try_get("name").map_err(get)?,
        domains: domains.split_whitespace().map(str::to_owned).collect(),
        created_at: from_ts(r.try_get("created_at").map_err(get)?),
    })
}

impl DbStore {
    async fn api_permission_names(&self, api_id: i64) -> Result<Vec<String>> {
        sqlx::query_scalar("SELECT name FROM api_permissions WHERE api_id = $1 ORDER BY name")
            .bind(api_id)
            .fetch_all(&self.pool)
            .await
            .map_err(map_err)
    }

    async fn with_permissions(&self, rows: Vec<DbRow>) -> Result<Vec<Role>> {
        let mut roles = Vec::with_capacity(rows.len());
        for r in &rows {
            let id: i64 = r.try_get("id").map_err(get)?;
            let perms = sqlx::query(
                "SELECT a.identifier, rp.permission FROM role_permissions rp JOIN apis a ON a.id = rp.api_id
                 WHERE rp.role_id = $1 ORDER BY a.identifier, rp.permission",
            )
            .bind(id)
            .fetch_all(&self.pool)
            .await
            .map_err(map_err)?;
            roles.push(Role {
                id,
                org_id: r.try_get("org_id").map_err(get)?,
                name: r.try_get("name").map_err(get)?,
                description: r.try_get("description").map_err(get)?,
                permissions: perms
                    .iter()
                    .map(|p| Ok((p.try_get("identifier").map_err(get)?, p.try_get("permission").map_err(get)?)))
                    .collect::<Result<_>>()?,
            });
        }
        Ok(roles)
    }
}

#[async_trait]
impl OrgStore for DbStore {
    async fn create_org(&self, public_id: &str, slug: &str, name: &str, now: OffsetDateTime) -> Result<Org> {
        let row = sqlx::query(&format!(
            "INSERT INTO organizations (public_id, slug, name, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)
             RETURNING {ORG_COLS}"
        ))
        .bind(public_id)
        .bind(slug)
        .bind(name)
        .bind(ts(now))
        .fetch_one(&self.writer)
        .await
        .map_err(map_err)?;
        row_to_org(&row)
    }

    async fn org(&self, id_or_slug: &str) -> Result<Option<Org>> {
        let row = sqlx::query(&format!("SELECT {ORG_COLS} FROM organizations WHERE public_id = $1 OR slug = $1"))
            .bind(id_or_slug)
            .fetch_optional(&self.pool)
            .await
            .map_err(map_err)?;
        row.as_ref().map(row_to_org).transpose()
    }

    async fn set_org_domains(&self, org_id: i64, domains: &[String]) -> Result<()> {
        let mut tx = self.writer.begin().await.map_err(map_err)?;
        for d in domains {
            let taken = sqlx::query(
                "SELECT id FROM organizations WHERE id <> $1 AND ' ' || domains || ' ' LIKE '% ' || $2 || ' %'",
            )
            .bind(org_id)
            .bind(d)
            .fetch_optional(&mut *tx)
            .await
            .map_err(map_err)?;
            if taken.is_some() {
                return Err(StoreError::Conflict);
            }
        }
        sqlx::query("UPDATE organizations SET domains = $2 WHERE id = $1")
            .bind(org_id)
            .bind(domains.join(" "))
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        tx.commit().await.map_err(map_err)?;
        Ok(())
    }

    async fn org_by_domain(&self, domain: &str) -> Result<Option<Org>> {
        // Space-separated in one column: a whole-word match. Only plain host names are looked
        // up, so `LIKE`'s wildcards (`%`, `_`) never reach the pattern.
        if domain.is_empty() || !domain.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-') {
            return Ok(None);
        }
        let row = sqlx::query(&format!(
            "SELECT {ORG_COLS} FROM organizations WHERE ' ' || domains || ' ' LIKE '% ' || $1 || ' %' ORDER BY id LIMIT 1"
        ))
        .bind(domain)
        .fetch_optional(&self.pool)
        .await
        .map_err(map_err)?;
        row.as_ref().map(row_to_org).transpose()
    }

    async fn org_by_row(&self, id: i64) -> Result<Option<Org>> {
        let row = sqlx::query(&format!("SELECT {ORG_COLS} FROM organizations WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await
            .map_err(map_err)?;
        row.as_ref().map(row_to_org).transpose()
    }

    async fn list_orgs(&self, after: i64, limit: i64) -> Result<Vec<Org>> {
        let rows = sqlx::query(&format!("SELECT {ORG_COLS} FROM organizations WHERE id > $1 ORDER BY id LIMIT $2"))
            .bind(after)
            .bind(limit)
            .fetch_all(&self.pool)
            .await
            .map_err(map_err)?;
        rows.iter().map(row_to_org).collect()
    }

    async fn delete_org(&self, id: i64) -> Result<bool> {
        let mut tx = self.writer.begin().await.map_err(map_err)?;
        sqlx::query("DELETE FROM user_roles WHERE org_id = $1").bind(id).execute(&mut *tx).await.map_err(map_err)?;
        sqlx::query("DELETE FROM roles WHERE org_id = $1").bind(id).execute(&mut *tx).await.map_err(map_err)?;
        let n = sqlx::query("DELETE FROM organizations WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(map_err)?
            .rows_affected();
        tx.commit().await.map_err(map_err)?;
        Ok(n == 1)
    }

    async fn set_member(&self, org_id: i64, user_id: i64, org_role: &str, now: OffsetDateTime) -> Result<()> {
        sqlx::query(
            "INSERT INTO org_members (org_id, user_id, org_role, created_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (org_id, user_id) DO UPDATE SET org_role = excluded.org_role",
        )
        .bind(org_id)
        .bind(user_id)
        .bind(org_role)
        .bind(ts(now))
        .execute(&self.writer)
        .await
        .map_err(map_err)?;
        Ok(())
    }

    async fn remove_member(&self, org_id: i64, user_id: i64) -> Result<bool> {
        let mut tx = self.writer.begin().await.map_err(map_err)?;
        sqlx::query("DELETE FROM user_roles WHERE org_id = $1 AND user_id = $2")
            .bind(org_id)
            .bind(user_id)
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        sqlx::query(
            "DELETE FROM group_members WHERE user_id = $2 AND group_id IN (SELECT id FROM org_groups WHERE org_id = $1)",
        )
        .bind(org_id)
        .bind(user_id)
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        let n = sqlx::query("DELETE FROM org_members WHERE org_id = $1 AND user_id = $2")
            .bind(org_id)
            .bind(user_id)
            .execute(&mut *tx)
            .await
            .map_err(map_err)?
            .rows_affected();
        tx.commit().await.map_err(map_err)?;
        Ok(n == 1)
    }

    async fn member_role(&self, org_id: i64, user_id: i64) -> Result<Option<String>> {
        sqlx::query_scalar("SELECT org_role FROM org_members WHERE org_id = $1 AND user_id = $2")
            .bind(org_id)
            .bind(user_id)
            .fetch_optional(&self.pool)
            .await
            .map_err(map_err)
    }

    async fn list_members(&self, org_id: i64) -> Result<Vec<Member>> {
        let rows = sqlx::query(
            "SELECT m.user_id, u.subject, u.email, m.org_role FROM org_members m JOIN users u ON u.id = m.user_id
             WHERE m.org_id = $1 ORDER BY u.email",
        )
        .bind(org_id)
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        // Every member's roles in one more query (not one per member).
        let assigned = sqlx::query(
            "SELECT ur.user_id, r.name FROM user_roles ur JOIN roles r ON r.id = ur.role_id
             WHERE ur.org_id = $1 ORDER BY r.name",
        )
        .bind(org_id)
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        let mut roles: std::collections::HashMap<i64, Vec<String>> = std::collections::HashMap::new();
        for r in &assigned {
            roles.entry(r.try_get("user_id").map_err(get)?).or_default().push(r.try_get("name").map_err(get)?);
        }
        rows.iter()
            .map(|r| {
                let user_id: i64 = r.try_get("user_id").map_err(get)?;
                Ok(Member {
                    user_id,
                    sub: r.try_get("subject").map_err(get)?,
                    email: r.try_get("email").map_err(get)?,
                    org_role: r.try_get("org_role").map_err(get)?,
                    roles: roles.remove(&user_id).unwrap_or_default(),
                })
            })
            .collect()
    }

    async fn count_owners(&self, org_id: i64) -> Result<i64> {
        sqlx::query_scalar("SELECT COUNT(*) FROM org_members WHERE org_id = $1 AND org_role = 'owner'")
            .bind(org_id)
            .fetch_one(&self.writer)
            .await
            .map_err(map_err)
    }

    async fn user_orgs(&self, user_id: i64) -> Result<Vec<(Org, String)>> {
        let rows = sqlx::query(
            "SELECT o.id, o.public_id, o.slug, o.name, o.domains, o.created_at, m.org_role
             FROM org_members m JOIN organizations o ON o.id = m.org_id WHERE m.user_id = $1 ORDER BY o.name",
        )
        .bind(user_id)
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        rows.iter().map(|r| Ok((row_to_org(r)?, r.try_get("org_role").map_err(get)?))).collect()
    }

    async fn create_api(&self, identifier: &str, name: &str, now: OffsetDateTime) -> Result<Api> {
        let id: i64 =
            sqlx::query_scalar("INSERT INTO apis (identifier, name, created_at) VALUES ($1, $2, $3) RETURNING id")
                .bind(identifier)
                .bind(name)
                .bind(ts(now))
                .fetch_one(&self.writer)
                .await
                .map_err(map_err)?;
        Ok(Api { id, identifier: identifier.to_owned(), name: name.to_owned(), permissions: Vec::new() })
    }

    async fn api(&self, identifier: &str) -> Result<Option<Api>> {
        let row = sqlx::query("SELECT id, identifier, name FROM apis WHERE identifier = $1")
            .bind(identifier)
            .fetch_optional(&self.pool)
            .await
            .map_err(map_err)?;
        let Some(r) = row else { return Ok(None) };
        let id: i64 = r.try_get("id").map_err(get)?;
        Ok(Some(Api {
            id,
            identifier: r.try_get("identifier").map_err(get)?,
            name: r.try_get("name").map_err(get)?,
            permissions: self.api_permission_names(id).await?,
        }))
    }

    async fn list_apis(&self) -> Result<Vec<Api>> {
        let rows = sqlx::query("SELECT identifier FROM apis ORDER BY identifier")
            .fetch_all(&self.pool)
            .await
            .map_err(map_err)?;
        let mut out = Vec::new();
        for r in &rows {
            let identifier: String = r.try_get("identifier").map_err(get)?;
            out.extend(self.api(&identifier).await?);
        }
        Ok(out)
    }

    async fn add_api_permission(&self, api_id: i64, name: &str, description: &str) -> Result<()> {
        sqlx::query("INSERT INTO api_permissions (api_id, name, description) VALUES ($1, $2, $3)")
            .bind(api_id)
            .bind(name)
            .bind(description)
            .execute(&self.writer)
            .await
            .map_err(map_err)?;
        Ok(())
    }

    async fn create_role(&self, org_id: i64, name: &str, description: &str, now: OffsetDateTime) -> Result<Role> {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO roles (org_id, name, description, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(org_id)
        .bind(name)
        .bind(description)
        .bind(ts(now))
        .fetch_one(&self.writer)
        .await
        .map_err(map_err)?;
        Ok(Role { id, org_id, name: name.to_owned(), description: description.to_owned(), permissions: Vec::new() })
    }

    async fn role(&self, org_id: i64, name: &str) -> Result<Option<Role>> {
        // The organization's own role of that name wins over a global one.
        let rows = sqlx::query(
            "SELECT id, org_id, name, description FROM roles WHERE name = $1 AND (org_id = $2 OR org_id = 0)
             ORDER BY org_id DESC LIMIT 1",
        )
        .bind(name)
        .bind(org_id)
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(self.with_permissions(rows).await?.into_iter().next())
    }

    async fn list_roles(&self, org_id: i64) -> Result<Vec<Role>> {
        let rows = sqlx::query("SELECT id, org_id, name, description FROM roles WHERE org_id = $1 ORDER BY name")
            .bind(org_id)
            .fetch_all(&self.pool)
            .await
            .map_err(map_err)?;
        self.with_permissions(rows).await
    }

    async fn add_role_permission(&self, role_id: i64, api_id: i64, permission: &str) -> Result<()> {
        sqlx::query(
            "INSERT INTO role_permissions (role_id, api_id, permission) VALUES ($1, $2, $3)
             ON CONFLICT (role_id, api_id, permission) DO NOTHING",
        )
        .bind(role_id)
        .bind(api_id)
        .bind(permission)
        .execute(&self.writer)
        .await
        .map_err(map_err)?;
        Ok(())
    }

    async fn assign_role(&self, user_id: i64, org_id: i64, role_id: i64, now: OffsetDateTime) -> Result<()> {
        sqlx::query(
            "INSERT INTO user_roles (user_id, org_id, role_id, created_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (user_id, org_id, role_id) DO NOTHING",
        )
        .bind(user_id)
        .bind(org_id)
        .bind(role_id)
        .bind(ts(now))
        .execute(&self.writer)
        .await
        .map_err(map_err)?;
        Ok(())
    }

    async fn delete_role(&self, role_id: i64) -> Result<bool> {
        let n = sqlx::query("DELETE FROM roles WHERE id = $1")
            .bind(role_id)
            .execute(&self.writer)
            .await
            .map_err(map_err)?
            .rows_affected();
        Ok(n == 1)
    }

    async fn unassign_role(&self, user_id: i64, org_id: i64, role_id: i64) -> Result<bool> {
        let n = sqlx::query("DELETE FROM user_roles WHERE user_id = $1 AND org_id = $2 AND role_id = $3")
            .bind(user_id)
            .bind(org_id)
            .bind(role_id)
            .execute(&self.writer)
            .await
            .map_err(map_err)?
            .rows_affected();
        Ok(n == 1)
    }

    async fn access(&self, user_id: i64, org_id: Option<i64>) -> Result<Access> {
        // One round trip: the membership, the role names and the permissions, as tagged rows.
        // Roles come from direct assignments (global or in the organization) and from the
        // organization's groups the user is in.
        let rows = sqlx::query(
            "WITH held AS (
                SELECT role_id FROM user_roles WHERE user_id = $1 AND (org_id = 0 OR org_id = $2)
                UNION
                SELECT gr.role_id FROM group_members gm
                  JOIN org_groups g ON g.id = gm.group_id AND g.org_id = $2
                  JOIN group_roles gr ON gr.group_id = gm.group_id
                 WHERE gm.user_id = $1
             )
             SELECT 'm' AS k, org_role AS a, '' AS b FROM org_members WHERE user_id = $1 AND org_id = $2
             UNION ALL
             SELECT 'r', r.name, '' FROM held JOIN roles r ON r.id = held.role_id
             UNION ALL
             SELECT 'p', a.identifier, rp.permission FROM held
              JOIN role_permissions rp ON rp.role_id = held.role_id JOIN apis a ON a.id = rp.api_id",
        )
        .bind(user_id)
        .bind(org_id.unwrap_or(0))
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        let mut access = Access::default();
        for r in &rows {
            let (k, a, b): (String, String, String) =
                (r.try_get("k").map_err(get)?, r.try_get("a").map_err(get)?, r.try_get("b").map_err(get)?);
            match k.as_str() {
                "m" => access.org_role = Some(a),
                "r" => {
                    access.roles.insert(a);
                }
                _ => {
                    access.permissions.entry(a).or_default().insert(b);
                }
            }
        }
        Ok(access)
    }

    async fn access_stamp(&self, org: Option<&str>) -> Result<(Option<Org>, AccessStamp)> {
        // One indexed lookup: the organization (by public id or slug) with its generation, and
        // the global generation beside it.
        let row = sqlx::query(
            "SELECT g.gen AS global_gen, o.id, o.public_id, o.slug, o.name, o.domains, o.created_at, o.access_gen
             FROM access_generation g
             LEFT JOIN organizations o ON $1 IS NOT NULL AND (o.public_id = $1 OR o.slug = $1)
             WHERE g.id = 1",
        )
        .bind(org)
        .fetch_one(&self.pool)
        .await
        .map_err(map_err)?;
        let global: i64 = row.try_get("global_gen").map_err(get)?;
        let org_gen: Option<i64> = row.try_get("access_gen").map_err(get)?;
        let found = match org_gen {
            Some(_) => Some(row_to_org(&row)?),
            None => None,
        };
        Ok((found, AccessStamp { org: org_gen.unwrap_or(0), global }))
    }

    async fn grant_client(&self, client_id: &str, api_id: i64, permission: &str) -> Result<()> {
        sqlx::query(
            "INSERT INTO client_grants (client_id, api_id, permission) VALUES ($1, $2, $3)
             ON CONFLICT (client_id, api_id, permission) DO NOTHING",
        )
        .bind(client_id)
        .bind(api_id)
        .bind(permission)
        .execute(&self.writer)
        .await
        .map_err(map_err)?;
        Ok(())
    }

    async fn client_grants(&self, client_id: &str) -> Result<Vec<(String, String)>> {
        let rows = sqlx::query(
            "SELECT a.identifier, g.permission FROM client_grants g JOIN apis a ON a.id = g.api_id
             WHERE g.client_id = $1 ORDER BY a.identifier, g.permission",
        )
        .bind(client_id)
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        rows.iter().map(|r| Ok((r.try_get("identifier").map_err(get)?, r.try_get("permission").map_err(get)?))).collect()
    }
}
