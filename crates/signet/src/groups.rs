//! `signet org group …`: groups of an organization, as the global administrator manages them.
//! Members of a group hold the group's roles in its organization.

use anyhow::{bail, Context};
use clap::Subcommand;
use serde_json::json;
use signet_core::audit::AuditKind;
use signet_core::rbac;
use signet_server::AppState;
use signet_store::{Group, Org, StoreError};

use crate::admin::{find, printable, table, write_audit};

#[derive(Subcommand)]
pub enum GroupCmd {
    /// Create a group in an organization.
    Create {
        org: String,
        name: String,
        #[arg(long, default_value = "")]
        description: String,
    },
    /// List an organization's groups with their roles and member counts.
    List {
        org: String,
        #[arg(long)]
        json: bool,
    },
    /// Delete a group (its members lose the roles it gave them).
    Delete { org: String, name: String },
    /// Add a member of the organization to a group.
    Add { org: String, name: String, email: String },
    /// Remove someone from a group.
    Remove { org: String, name: String, email: String },
    /// Give a group a role (the organization's own or a global one).
    Grant { org: String, name: String, role: String },
    /// Take a role from a group.
    Revoke { org: String, name: String, role: String },
}

async fn find_group(state: &AppState, org: &Org, name: &str) -> anyhow::Result<Group> {
    state.store.group(org.id, name).await?.with_context(|| format!("no group {name:?} in {}", org.slug))
}

pub async fn group(state: &AppState, cmd: GroupCmd) -> anyhow::Result<()> {
    let org_ref = match &cmd {
        GroupCmd::Create { org, .. }
        | GroupCmd::List { org, .. }
        | GroupCmd::Delete { org, .. }
        | GroupCmd::Add { org, .. }
        | GroupCmd::Remove { org, .. }
        | GroupCmd::Grant { org, .. }
        | GroupCmd::Revoke { org, .. } => org.clone(),
    };
    let o = state.store.org(&org_ref).await?.ok_or_else(|| anyhow::anyhow!("no organization {org_ref:?}"))?;
    let scope = format!("org:{}", o.public_id);
    let (add, held) = (matches!(cmd, GroupCmd::Add { .. }), matches!(cmd, GroupCmd::Grant { .. }));
    match cmd {
        GroupCmd::Create { name, description, .. } => {
            if !rbac::valid_role_name(&name) {
                bail!("{name:?}: 1-64 of letters, digits, - _ . :");
            }
            match state.store.create_group(o.id, &name, &description, state.now()).await {
                Ok(_) => {}
                Err(StoreError::Conflict) => bail!("a group {name} already exists in {}", o.slug),
                Err(e) => return Err(e.into()),
            }
            write_audit(state, AuditKind::GroupCreate, None, &format!("{scope} group:{name}")).await;
            println!("created group {name} in {}", o.slug);
        }
        GroupCmd::List { json, .. } => {
            let groups = state.store.list_groups(o.id).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&json!({ "groups": groups }))?);
            } else {
                let rows: Vec<[String; 4]> = groups
                    .iter()
                    .map(|g| {
                        [
                            g.name.clone(),
                            g.roles.join(" "),
                            g.members.to_string(),
                            printable(&g.description).into_owned(),
                        ]
                    })
                    .collect();
                print!("{}", table(["GROUP", "ROLES", "MEMBERS", "DESCRIPTION"], &rows));
            }
        }
        GroupCmd::Delete { name, .. } => {
            let g = find_group(state, &o, &name).await?;
            state.store.delete_group(g.id).await?;
            write_audit(state, AuditKind::GroupDelete, None, &format!("{scope} group:{name}")).await;
            println!("deleted group {name} of {}", o.slug);
        }
        GroupCmd::Add { name, email, .. } | GroupCmd::Remove { name, email, .. } => {
            let g = find_group(state, &o, &name).await?;
            let u = find(state, &email).await?;
            if state.store.member_role(o.id, u.id).await?.is_none() {
                bail!("{} is not a member of {} (add them with `signet org member add`)", u.email, o.slug);
            }
            if !state.store.set_group_member(g.id, u.id, add).await? && !add {
                bail!("{} is not in group {name}", u.email);
            }
            let what = if add { "add" } else { "remove" };
            write_audit(state, AuditKind::GroupMemberSet, Some(&u), &format!("{scope} group:{name} {what}")).await;
            println!("{} {} group {name}", u.email, if add { "is in" } else { "left" });
        }
        GroupCmd::Grant { name, role, .. } | GroupCmd::Revoke { name, role, .. } => {
            let g = find_group(state, &o, &name).await?;
            let r = state.store.role(o.id, &role).await?.with_context(|| format!("no role {role:?} in {}", o.slug))?;
            if !state.store.set_group_role(g.id, r.id, held).await? && !held {
                bail!("group {name} does not have {role}");
            }
            let what = if held { "grant" } else { "revoke" };
            write_audit(state, AuditKind::GroupRoleSet, None, &format!("{scope} group:{name} role:{role} {what}"))
                .await;
            println!("group {name} {} {role}", if held { "gives" } else { "no longer gives" });
        }
    }
    Ok(())
}
