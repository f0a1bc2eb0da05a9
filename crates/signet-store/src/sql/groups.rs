use async_trait::async_trait;
use signet_core::OffsetDateTime;
use sqlx::Row;

use super::{map_err, ts, DbRow, DbStore};
use crate::{Group, GroupMember, GroupStore, Result, StoreError};

fn get(e: sqlx::Error) -> StoreError {
    StoreError::Other(e.into())
}

fn row_to_group(r: &DbRow) -> Result<Group> {
    Ok(Group {
        id: r.try_get("id").map_err(get)?,
        org_id: r.try_get("org_id").map_err(get)?,
        name: r.try_get("name").map_err(get)?,
        description: r.try_get("description").map_err(get)?,
        roles: Vec::new(),
        members: 0,
    })
}

impl DbStore {
    /// Fills in the groups' roles and member counts: two queries for any number of groups.
    async fn group_details(&self, org_id: i64, mut groups: Vec<Group>) -> Result<Vec<Group>> {
        let roles = sqlx::query(
            "SELECT gr.group_id, r.name FROM group_roles gr JOIN org_groups g ON g.id = gr.group_id
             JOIN roles r ON r.id = gr.role_id WHERE g.org_id = $1 ORDER BY r.name",
        )
        .bind(org_id)
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        let counts = sqlx::query(
            "SELECT gm.group_id, COUNT(*) AS n FROM group_members gm JOIN org_groups g ON g.id = gm.group_id
             WHERE g.org_id = $1 GROUP BY gm.group_id",
        )
        .bind(org_id)
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        for g in &mut groups {
            for r in &roles {
                if r.try_get::<i64, _>("group_id").map_err(get)? == g.id {
                    g.roles.push(r.try_get("name").map_err(get)?);
                }
            }
            for c in &counts {
                if c.try_get::<i64, _>("group_id").map_err(get)? == g.id {
                    g.members = c.try_get("n").map_err(get)?;
                }
            }
        }
        Ok(groups)
    }
}

#[async_trait]
impl GroupStore for DbStore {
    async fn create_group(&self, org_id: i64, name: &str, description: &str, now: OffsetDateTime) -> Result<Group> {
        let row = sqlx::query(
            "INSERT INTO org_groups (org_id, name, description, created_at) VALUES ($1, $2, $3, $4)
             RETURNING id, org_id, name, description",
        )
        .bind(org_id)
        .bind(name)
        .bind(description)
        .bind(ts(now))
        .fetch_one(&self.writer)
        .await
        .map_err(map_err)?;
        row_to_group(&row)
    }

    async fn group(&self, org_id: i64, name: &str) -> Result<Option<Group>> {
        let row = sqlx::query("SELECT id, org_id, name, description FROM org_groups WHERE org_id = $1 AND name = $2")
            .bind(org_id)
            .bind(name)
            .fetch_optional(&self.pool)
            .await
            .map_err(map_err)?;
        match row {
            Some(r) => Ok(self.group_details(org_id, vec![row_to_group(&r)?]).await?.pop()),
            None => Ok(None),
        }
    }

    async fn list_groups(&self, org_id: i64) -> Result<Vec<Group>> {
        let rows = sqlx::query("SELECT id, org_id, name, description FROM org_groups WHERE org_id = $1 ORDER BY name")
            .bind(org_id)
            .fetch_all(&self.pool)
            .await
            .map_err(map_err)?;
        let groups = rows.iter().map(row_to_group).collect::<Result<Vec<_>>>()?;
        self.group_details(org_id, groups).await
    }

    async fn delete_group(&self, group_id: i64) -> Result<bool> {
        let n = sqlx::query("DELETE FROM org_groups WHERE id = $1")
            .bind(group_id)
            .execute(&self.writer)
            .await
            .map_err(map_err)?
            .rows_affected();
        Ok(n == 1)
    }

    async fn set_group_member(&self, group_id: i64, user_id: i64, member: bool) -> Result<bool> {
        let q = if member {
            "INSERT INTO group_members (group_id, user_id) VALUES ($1, $2) ON CONFLICT (group_id, user_id) DO NOTHING"
        } else {
            "DELETE FROM group_members WHERE group_id = $1 AND user_id = $2"
        };
        let n = sqlx::query(q).bind(group_id).bind(user_id).execute(&self.writer).await.map_err(map_err)?;
        Ok(n.rows_affected() == 1)
    }

    async fn group_members(&self, group_id: i64) -> Result<Vec<GroupMember>> {
        let rows = sqlx::query(
            "SELECT u.id, u.subject, u.email FROM group_members gm JOIN users u ON u.id = gm.user_id
             WHERE gm.group_id = $1 ORDER BY u.email",
        )
        .bind(group_id)
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        rows.iter()
            .map(|r| {
                Ok(GroupMember {
                    user_id: r.try_get("id").map_err(get)?,
                    sub: r.try_get("subject").map_err(get)?,
                    email: r.try_get("email").map_err(get)?,
                })
            })
            .collect()
    }

    async fn set_group_role(&self, group_id: i64, role_id: i64, held: bool) -> Result<bool> {
        let q = if held {
            "INSERT INTO group_roles (group_id, role_id) VALUES ($1, $2) ON CONFLICT (group_id, role_id) DO NOTHING"
        } else {
            "DELETE FROM group_roles WHERE group_id = $1 AND role_id = $2"
        };
        let n = sqlx::query(q).bind(group_id).bind(role_id).execute(&self.writer).await.map_err(map_err)?;
        Ok(n.rows_affected() == 1)
    }
}
