//! `signet org group …`: groups of an organization, as the global administrator manages them.
//! Members of a group hold the group's roles in its organization.

use anyhow::bail;
use clap::Subcommand;
use serde_json::json;
use signet_server::admin::{rbac, AdminError, Operator};
use signet_server::AppState;

use crate::admin::{find, printable, table};

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
    let op = Operator::cli();
    let (add, held) = (matches!(cmd, GroupCmd::Add { .. }), matches!(cmd, GroupCmd::Grant { .. }));
    let find_group = |name: String| {
        let o = o.clone();
        async move {
            rbac::find_group(state, &o, &name).await.map_err(|_| anyhow::anyhow!("no group {name:?} in {}", o.slug))
        }
    };
    match cmd {
        GroupCmd::Create { name, description, .. } => {
            rbac::create_group(state, &op, &o, &name, &description).await?;
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
            let g = find_group(name.clone()).await?;
            rbac::delete_group(state, &op, &o, &g).await?;
            println!("deleted group {name} of {}", o.slug);
        }
        GroupCmd::Add { name, email, .. } | GroupCmd::Remove { name, email, .. } => {
            let g = find_group(name.clone()).await?;
            let u = find(state, &email).await?;
            match rbac::set_group_member(state, &op, &o, &g, &u, add).await {
                Ok(()) => println!("{} {} group {name}", u.email, if add { "is in" } else { "left" }),
                Err(AdminError::NotFound(_)) => bail!("{} is not in group {name}", u.email),
                Err(e) => return Err(e.into()),
            }
        }
        GroupCmd::Grant { name, role, .. } | GroupCmd::Revoke { name, role, .. } => {
            let g = find_group(name.clone()).await?;
            match rbac::set_group_role(state, &op, &o, &g, &role, held).await {
                Ok(()) => println!("group {name} {} {role}", if held { "gives" } else { "no longer gives" }),
                Err(AdminError::NotFound("role")) => bail!("no role {role:?} in {}", o.slug),
                Err(AdminError::NotFound(_)) => bail!("group {name} does not have {role}"),
                Err(e) => return Err(e.into()),
            }
        }
    }
    Ok(())
}
