//! `signet org …`, `signet api …`, `signet role …`: organizations, APIs and roles, as the
//! global administrator manages them (organization admins will use the pages and the API).

use anyhow::{bail, Context};
use clap::Subcommand;
use serde_json::json;
use signet_core::audit::AuditKind;
use signet_core::rbac::OrgRole;
use signet_server::admin::{rbac, AdminError, Operator};
use signet_server::{AppState, Config};
use signet_store::Org;

use crate::admin::{find, printable, rfc3339, state, table, write_audit};

#[derive(Subcommand)]
pub enum OrgCmd {
    /// Create an organization. SLUG goes into URLs and tokens (a-z, 0-9, -).
    Create {
        slug: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        json: bool,
    },
    /// List organizations.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Show an organization (by id or slug) and its members.
    Show {
        org: String,
        #[arg(long)]
        json: bool,
    },
    /// Delete an organization with its memberships and its own roles.
    Delete { org: String },
    /// Set the organization's verified e-mail domains (none: clear them). Addresses at these
    /// domains are sent from the login page to the provider named with `signet idp add
    /// --organization` (home-realm discovery). Only add domains the organization owns.
    Domains { org: String, domains: Vec<String> },
    /// Manage members.
    #[command(subcommand)]
    Member(MemberCmd),
    /// Manage groups (members of a group hold its roles).
    #[command(subcommand)]
    Group(crate::groups::GroupCmd),
    /// Manage the clients installed in an organization (they may ask the authorization API about it).
    #[command(subcommand)]
    Client(crate::authz::OrgClientCmd),
}

#[derive(Subcommand)]
pub enum MemberCmd {
    /// Add a member, or change their built-in role.
    Add {
        org: String,
        email: String,
        /// owner, admin or member.
        #[arg(long, default_value = "member")]
        role: String,
    },
    /// Remove a member (and the roles they held in the organization).
    Remove { org: String, email: String },
    /// List members with their built-in and assigned roles.
    List {
        org: String,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
pub enum ApiCmd {
    /// Register an API (resource server); IDENTIFIER is the `aud` of its tokens.
    Create {
        #[arg(long)]
        identifier: String,
        #[arg(long)]
        name: Option<String>,
        /// A permission clients and roles may be given (repeatable), e.g. read:docs.
        #[arg(long = "permission", value_name = "PERMISSION")]
        permissions: Vec<String>,
        #[arg(long)]
        json: bool,
    },
    /// List APIs and their permissions.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Manage an API's permissions.
    #[command(subcommand)]
    Permission(PermissionCmd),
}

#[derive(Subcommand)]
pub enum PermissionCmd {
    /// Add a permission to an API.
    Add {
        api: String,
        permission: String,
        #[arg(long, default_value = "")]
        description: String,
    },
}

#[derive(Subcommand)]
pub enum RoleCmd {
    /// Define a role: a named set of permissions of one API. Global, or an organization's own.
    Create {
        name: String,
        #[arg(long)]
        api: String,
        #[arg(long = "permission", value_name = "PERMISSION")]
        permissions: Vec<String>,
        /// The organization (id or slug) whose role this is; global without it.
        #[arg(long)]
        org: Option<String>,
        #[arg(long, default_value = "")]
        description: String,
    },
    /// Give a user a role, in one organization (they must be a member) or everywhere.
    Grant {
        role: String,
        #[arg(long)]
        user: String,
        #[arg(long)]
        org: Option<String>,
    },
    /// Take a role away.
    Revoke {
        role: String,
        #[arg(long)]
        user: String,
        #[arg(long)]
        org: Option<String>,
    },
    /// Delete a role (global, or an organization's own): whoever held it no longer does.
    Delete {
        role: String,
        #[arg(long)]
        org: Option<String>,
    },
    /// List roles, global or of one organization.
    List {
        #[arg(long)]
        org: Option<String>,
        #[arg(long)]
        json: bool,
    },
}

async fn find_org(state: &AppState, org: &str) -> anyhow::Result<Org> {
    state.store.org(org).await?.ok_or_else(|| anyhow::anyhow!("no organization {org:?}"))
}

async fn find_opt(state: &AppState, org: Option<&str>) -> anyhow::Result<Option<Org>> {
    Ok(match org {
        Some(o) => Some(find_org(state, o).await?),
        None => None,
    })
}

fn scope(org: Option<&Org>) -> String {
    org.map_or_else(|| "global".to_owned(), |o| format!("org:{}", o.public_id))
}

pub async fn org(config: Config, cmd: OrgCmd) -> anyhow::Result<()> {
    let state = state(config).await?;
    match cmd {
        OrgCmd::Create { slug, name, json } => {
            let o = signet_server::admin::orgs::create(&state, &Operator::cli(), &slug, &name).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&o)?);
            } else {
                println!("created {} ({})", o.slug, o.public_id);
            }
        }
        OrgCmd::List { json } => {
            let orgs = state.store.list_orgs(0, i64::MAX).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&orgs)?);
            } else {
                let rows: Vec<[String; 4]> = orgs
                    .iter()
                    .map(|o| {
                        [o.public_id.clone(), o.slug.clone(), printable(&o.name).into_owned(), rfc3339(o.created_at)]
                    })
                    .collect();
                print!("{}", table(["ID", "SLUG", "NAME", "CREATED"], &rows));
            }
        }
        OrgCmd::Show { org, json } => {
            let o = find_org(&state, &org).await?;
            let members = state.store.list_members(o.id).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&json!({ "organization": o, "members": members }))?);
            } else {
                println!("{} ({}): {}", o.slug, o.public_id, printable(&o.name));
                let rows: Vec<[String; 3]> =
                    members.iter().map(|m| [m.email.clone(), m.org_role.clone(), m.roles.join(" ")]).collect();
                print!("{}", table(["EMAIL", "ORG ROLE", "ROLES"], &rows));
            }
        }
        OrgCmd::Delete { org } => {
            let o = find_org(&state, &org).await?;
            signet_server::admin::orgs::delete(&state, &Operator::cli(), &o).await?;
            println!("deleted {}", o.slug);
        }
        OrgCmd::Domains { org, domains } => {
            let o = find_org(&state, &org).await?;
            let domains: Vec<String> = domains.iter().map(|d| d.trim().to_ascii_lowercase()).collect();
            for d in &domains {
                let ok = d.contains('.')
                    && !d.starts_with(['.', '-'])
                    && d.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-');
                if !ok {
                    anyhow::bail!("{d:?} is not a domain name");
                }
            }
            match state.store.set_org_domains(o.id, &domains).await {
                Err(signet_store::StoreError::Conflict) => {
                    anyhow::bail!("another organization holds one of these domains")
                }
                r => r?,
            }
            write_audit(
                &state,
                AuditKind::OrgUpdate,
                None,
                &format!("org:{} domains: {}", o.public_id, domains.join(" ")),
            )
            .await;
            println!("{}: {}", o.slug, if domains.is_empty() { "no domains".to_owned() } else { domains.join(" ") });
        }
        OrgCmd::Member(cmd) => member(&state, cmd).await?,
        OrgCmd::Group(cmd) => crate::groups::group(&state, cmd).await?,
        OrgCmd::Client(cmd) => crate::authz::org_client(&state, cmd).await?,
    }
    Ok(())
}

async fn member(state: &AppState, cmd: MemberCmd) -> anyhow::Result<()> {
    match cmd {
        MemberCmd::Add { org, email, role } => {
            let o = find_org(state, &org).await?;
            let u = find(state, &email).await?;
            let to = OrgRole::parse(&role).context("--role: owner, admin or member")?;
            signet_server::admin::orgs::set_member(state, &Operator::cli(), &o, &u, to)
                .await
                .map_err(|e| anyhow::anyhow!("{}: {e}", u.email))?;
            println!("{} is {} of {}", u.email, to.as_str(), o.slug);
        }
        MemberCmd::Remove { org, email } => {
            let o = find_org(state, &org).await?;
            let u = find(state, &email).await?;
            match signet_server::admin::orgs::remove_member(state, &Operator::cli(), &o, &u).await {
                Ok(()) => println!("removed {} from {}", u.email, o.slug),
                Err(signet_server::admin::AdminError::NotFound(_)) => {
                    bail!("{} is not a member of {}", u.email, o.slug)
                }
                Err(e) => bail!("{}: {e}", u.email),
            }
        }
        MemberCmd::List { org, json } => {
            let o = find_org(state, &org).await?;
            let members = state.store.list_members(o.id).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&members)?);
            } else {
                let rows: Vec<[String; 3]> =
                    members.iter().map(|m| [m.email.clone(), m.org_role.clone(), m.roles.join(" ")]).collect();
                print!("{}", table(["EMAIL", "ORG ROLE", "ROLES"], &rows));
            }
        }
    }
    Ok(())
}

pub async fn api(config: Config, cmd: ApiCmd) -> anyhow::Result<()> {
    let state = state(config).await?;
    let op = Operator::cli();
    match cmd {
        ApiCmd::Create { identifier, name, permissions, json } => {
            let a = rbac::create_api(&state, &op, &identifier, name.as_deref(), &permissions).await?;
            if json {
                println!("{}", json!({ "identifier": a.identifier, "name": a.name, "permissions": a.permissions }));
            } else {
                println!("registered {identifier} with {} permission(s)", a.permissions.len());
            }
        }
        ApiCmd::List { json } => {
            let apis = state.store.list_apis().await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&apis)?);
            } else {
                let rows: Vec<[String; 3]> = apis
                    .iter()
                    .map(|a| [a.identifier.clone(), printable(&a.name).into_owned(), a.permissions.join(" ")])
                    .collect();
                print!("{}", table(["IDENTIFIER", "NAME", "PERMISSIONS"], &rows));
            }
        }
        ApiCmd::Permission(PermissionCmd::Add { api, permission, description }) => {
            let a = rbac::find_api(&state, &api).await.map_err(|_| anyhow::anyhow!("no API {api:?}"))?;
            rbac::add_permission(&state, &op, &a, &permission, &description).await?;
            println!("{api} now has {permission}");
        }
    }
    Ok(())
}

pub async fn role(config: Config, cmd: RoleCmd) -> anyhow::Result<()> {
    let state = state(config).await?;
    let op = Operator::cli();
    let is_grant = matches!(cmd, RoleCmd::Grant { .. });
    match cmd {
        RoleCmd::Create { name, api, permissions, org, description } => {
            let o = find_opt(&state, org.as_deref()).await?;
            rbac::create_role(&state, &op, o.as_ref(), &name, &api, &permissions, &description).await?;
            println!("role {name} ({}) holds {} permission(s) of {api}", scope(o.as_ref()), permissions.len());
        }
        RoleCmd::Grant { role, user, org } | RoleCmd::Revoke { role, user, org } => {
            let grant = is_grant;
            let o = find_opt(&state, org.as_deref()).await?;
            let u = find(&state, &user).await?;
            let where_ = scope(o.as_ref());
            match rbac::set_user_role(&state, &op, o.as_ref(), &u, &role, grant).await {
                Ok(()) if grant => println!("{} has {role} ({where_})", u.email),
                Ok(()) => println!("{} no longer has {role} ({where_})", u.email),
                Err(AdminError::NotFound("role")) => bail!("no role {role:?} ({where_})"),
                Err(AdminError::NotFound(_)) => bail!("{} does not have {role} ({where_})", u.email),
                Err(e) => return Err(e.into()),
            }
        }
        RoleCmd::Delete { role, org } => {
            let o = find_opt(&state, org.as_deref()).await?;
            match rbac::delete_role(&state, &op, o.as_ref(), &role).await {
                Ok(()) => println!("deleted role {role} ({})", scope(o.as_ref())),
                Err(AdminError::NotFound(_)) => bail!("no role {role:?} ({})", scope(o.as_ref())),
                Err(e) => return Err(e.into()),
            }
        }
        RoleCmd::List { org, json } => {
            let o = find_opt(&state, org.as_deref()).await?;
            let roles = rbac::roles(&state, o.as_ref()).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&roles)?);
            } else {
                let rows: Vec<[String; 2]> = roles
                    .iter()
                    .map(|r| {
                        let perms: Vec<String> = r.permissions.iter().map(|(a, p)| format!("{a} {p}")).collect();
                        [r.name.clone(), perms.join(", ")]
                    })
                    .collect();
                print!("{}", table(["ROLE", "PERMISSIONS"], &rows));
            }
        }
    }
    Ok(())
}
