//! The organization pages for its members, owners and admins: `/org/{org}/members` (members,
//! their built-in and assigned roles, invitations), `/org/{org}/roles` (the roles usable there,
//! defining the organization's own) and `/org/{org}/groups`. Everyone in the organization may
//! look; owners and admins get the forms. The rules are those of the JSON API (`flows::orgs`,
//! `flows::groups`): an organization the caller is not in is a 404 page, an object of another
//! organization is "not found" here, a refused change names the rule. Every form is a
//! `SessionForm` (CSRF) and answers with a redirect back to its page (no resubmission).

use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use signet_core::rbac::{OrgRole, Refused};

use super::invite::org_role_name;
use crate::csrf::{self, SessionForm};
use crate::error::PageError;
use crate::flows::orgs::{self, Ctx, OrgError};
use crate::flows::{groups, invite};
use crate::http::{query_param, ClientInfo};
use crate::pages::tr;
use crate::session::{AuthSession, RequireSession};
use crate::state::AppState;

/// The caller's standing in `org`; an organization they are not in does not exist for them.
async fn enter(state: &AppState, auth: &AuthSession, org: &str) -> Result<Ctx, PageError> {
    match orgs::enter(state, &auth.user, org).await {
        Ok(c) => Ok(c),
        Err(OrgError::NotFound) => Err(PageError::NotFound),
        Err(e) => Err(PageError::Unexpected(e.into())),
    }
}

/// Where a form's outcome goes: back to its page, with a notice or the refusal's code.
fn back(ctx: &Ctx, section: &str, outcome: Result<&str, OrgError>) -> Result<Response, PageError> {
    let q = match outcome {
        Ok(notice) => format!("notice={notice}"),
        Err(OrgError::Store(e)) => return Err(PageError::Unexpected(e.into())),
        Err(e) => format!("error={}", error_code(&e)),
    };
    Ok(super::see_other(&format!("/org/{}/{section}?{q}", ctx.org.slug), []))
}

fn error_code(e: &OrgError) -> &'static str {
    match e {
        OrgError::Refused(Refused::NotAManager) => "not_manager",
        OrgError::Refused(Refused::OwnStanding) => "own_roles",
        OrgError::Refused(Refused::Escalation) => "escalation",
        OrgError::Refused(Refused::LastOwner) => "last_owner",
        OrgError::Refused(Refused::PermissionNotHeld) => "permission",
        OrgError::Invalid(_) => "invalid",
        OrgError::Conflict(_) => "exists",
        OrgError::NotFound | OrgError::Store(_) => "not_found",
    }
}

/// The page's message for a refusal code (unknown codes show nothing).
fn error_text(code: &str) -> Option<String> {
    let id = match code {
        "not_manager" => "org-error-not-manager",
        "own_roles" => "org-error-own-roles",
        "escalation" => "org-error-escalation",
        "last_owner" => "org-error-last-owner",
        "permission" => "org-error-permission",
        "invalid" => "org-error-invalid",
        "exists" => "org-error-exists",
        "not_found" => "org-error-not-found",
        _ => return None,
    };
    Some(tr(id))
}

#[derive(Serialize)]
struct Choice {
    value: String,
    label: String,
}

fn org_role_choices() -> Vec<Choice> {
    [OrgRole::Owner, OrgRole::Admin, OrgRole::Member]
        .into_iter()
        .map(|r| Choice { value: r.as_str().into(), label: org_role_name(r) })
        .collect()
}

/// The roles usable in the organization: its own, then the global ones.
async fn usable_roles(state: &AppState, ctx: &Ctx) -> Result<Vec<signet_store::Role>, PageError> {
    let mut all = state.store.list_roles(ctx.org.id).await?;
    all.extend(state.store.list_roles(0).await?);
    Ok(all)
}

async fn render(
    state: &AppState,
    auth: &AuthSession,
    ctx: &Ctx,
    uri: &Uri,
    section: &str,
    data: minijinja::Value,
) -> Result<Response, PageError> {
    let notice = query_param(uri, "notice").and_then(|n| crate::pages::notice_text(&n));
    let error = query_param(uri, "error").and_then(|e| error_text(&e));
    let html = state.pages.render(
        "org_admin.html",
        minijinja::context! {
            title => ctx.org.name.clone(), signed_in => true,
            csrf => csrf::session_token(state, &auth.token_hash),
            org_name => ctx.org.name.clone(), org_slug => ctx.org.slug.clone(),
            your_role => org_role_name(ctx.role), manager => ctx.role.manages(),
            section, notice, error, ..data
        },
    )?;
    Ok(html.into_response())
}

pub async fn home(
    State(state): State<AppState>,
    RequireSession(auth): RequireSession,
    Path(org): Path<String>,
) -> Result<Response, PageError> {
    let ctx = enter(&state, &auth, &org).await?;
    Ok(super::see_other(&format!("/org/{}/members", ctx.org.slug), []))
}

#[derive(Serialize)]
struct MemberRow {
    sub: String,
    email: String,
    org_role: String,
    org_role_name: String,
    roles: Vec<String>,
    me: bool,
}

pub async fn members(
    State(state): State<AppState>,
    RequireSession(auth): RequireSession,
    Path(org): Path<String>,
    uri: Uri,
) -> Result<Response, PageError> {
    let ctx = enter(&state, &auth, &org).await?;
    let rows: Vec<MemberRow> = state
        .store
        .list_members(ctx.org.id)
        .await?
        .into_iter()
        .map(|m| MemberRow {
            org_role_name: OrgRole::parse(&m.org_role).map(org_role_name).unwrap_or_else(|| m.org_role.clone()),
            me: m.user_id == auth.user.id,
            sub: m.sub,
            email: m.email,
            org_role: m.org_role,
            roles: m.roles,
        })
        .collect();
    let roles: Vec<String> = usable_roles(&state, &ctx).await?.into_iter().map(|r| r.name).collect();
    let me = auth.user.subject.clone();
    let data = minijinja::context! { members => rows, roles, org_roles => org_role_choices(), me };
    render(&state, &auth, &ctx, &uri, "members", data).await
}

#[derive(Deserialize)]
pub struct MemberForm {
    action: String,
    #[serde(default)]
    org_role: String,
    #[serde(default)]
    role: String,
}

/// `POST /org/{org}/members/{sub}`: `action` = `set_role` (with `org_role`), `remove`,
/// `grant` or `revoke` (with `role`).
pub async fn member(
    State(state): State<AppState>,
    client: ClientInfo,
    Path((org, sub)): Path<(String, String)>,
    SessionForm { session: auth, form }: SessionForm<MemberForm>,
) -> Result<Response, PageError> {
    let ctx = enter(&state, &auth, &org).await?;
    let outcome = async {
        let (target, from) = orgs::member(&state, &ctx, &sub).await?;
        match form.action.as_str() {
            "set_role" => {
                let to = OrgRole::parse(&form.org_role).ok_or_else(|| OrgError::Invalid("org_role".into()))?;
                orgs::set_org_role(&state, &ctx, &client, &target, Some(from), to).await
            }
            "remove" => orgs::remove(&state, &ctx, &client, &target, from).await,
            "grant" | "revoke" => {
                let role = orgs::role(&state, &ctx, &form.role).await?;
                orgs::assign(&state, &ctx, &client, &target, &role, form.action == "grant").await
            }
            _ => Err(OrgError::Invalid("action".into())),
        }
    }
    .await;
    back(&ctx, "members", outcome.map(|()| "org_saved"))
}

#[derive(Deserialize)]
pub struct InviteForm {
    email: String,
    #[serde(default)]
    org_role: String,
}

/// `POST /org/{org}/invitations`: a single-use link by mail (`flows::invite`).
pub async fn invite(
    State(state): State<AppState>,
    client: ClientInfo,
    Path(org): Path<String>,
    SessionForm { session: auth, form }: SessionForm<InviteForm>,
) -> Result<Response, PageError> {
    let ctx = enter(&state, &auth, &org).await?;
    let outcome = match OrgRole::parse(&form.org_role) {
        Some(role) => invite::invite(&state, &ctx, &client, &form.email, role, &[]).await.map(|_| "org_invited"),
        None => Err(OrgError::Invalid("org_role".into())),
    };
    back(&ctx, "members", outcome)
}

#[derive(Serialize)]
struct RoleRow {
    name: String,
    own: bool,
    permissions: Vec<String>,
}

#[derive(Serialize)]
struct ApiRow {
    identifier: String,
    name: String,
    permissions: Vec<String>,
}

pub async fn roles(
    State(state): State<AppState>,
    RequireSession(auth): RequireSession,
    Path(org): Path<String>,
    uri: Uri,
) -> Result<Response, PageError> {
    let ctx = enter(&state, &auth, &org).await?;
    let rows: Vec<RoleRow> = usable_roles(&state, &ctx)
        .await?
        .into_iter()
        .map(|r| RoleRow {
            own: r.org_id != 0,
            permissions: r.permissions.iter().map(|(a, p)| format!("{p} ({a})")).collect(),
            name: r.name,
        })
        .collect();
    let apis: Vec<ApiRow> = state
        .store
        .list_apis()
        .await?
        .into_iter()
        .map(|a| ApiRow { identifier: a.identifier, name: a.name, permissions: a.permissions })
        .collect();
    render(&state, &auth, &ctx, &uri, "roles", minijinja::context! { roles => rows, apis }).await
}

#[derive(Deserialize)]
pub struct RoleForm {
    name: String,
    api: String,
    /// Space- or comma-separated permission names of that API.
    #[serde(default)]
    permissions: String,
}

/// `POST /org/{org}/roles`: defines one of the organization's own roles.
pub async fn define_role(
    State(state): State<AppState>,
    client: ClientInfo,
    Path(org): Path<String>,
    SessionForm { session: auth, form }: SessionForm<RoleForm>,
) -> Result<Response, PageError> {
    let ctx = enter(&state, &auth, &org).await?;
    let perms: Vec<String> = form
        .permissions
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|p| !p.is_empty())
        .map(str::to_owned)
        .collect();
    let outcome = orgs::define_role(&state, &ctx, &client, form.name.trim(), &form.api, &perms).await;
    back(&ctx, "roles", outcome.map(|_| "org_saved"))
}

#[derive(Serialize)]
struct GroupRow {
    name: String,
    description: String,
    roles: Vec<String>,
    members: Vec<signet_store::GroupMember>,
}

pub async fn groups_page(
    State(state): State<AppState>,
    RequireSession(auth): RequireSession,
    Path(org): Path<String>,
    uri: Uri,
) -> Result<Response, PageError> {
    let ctx = enter(&state, &auth, &org).await?;
    let mut rows = Vec::new();
    for g in state.store.list_groups(ctx.org.id).await? {
        let members = state.store.group_members(g.id).await?;
        rows.push(GroupRow { name: g.name, description: g.description, roles: g.roles, members });
    }
    let members: Vec<Choice> = state
        .store
        .list_members(ctx.org.id)
        .await?
        .into_iter()
        .map(|m| Choice { value: m.sub, label: m.email })
        .collect();
    let roles: Vec<String> = usable_roles(&state, &ctx).await?.into_iter().map(|r| r.name).collect();
    render(&state, &auth, &ctx, &uri, "groups", minijinja::context! { groups => rows, members, roles }).await
}

#[derive(Deserialize)]
pub struct NewGroupForm {
    name: String,
    #[serde(default)]
    description: String,
}

/// `POST /org/{org}/groups`: creates a group.
pub async fn create_group(
    State(state): State<AppState>,
    client: ClientInfo,
    Path(org): Path<String>,
    SessionForm { session: auth, form }: SessionForm<NewGroupForm>,
) -> Result<Response, PageError> {
    let ctx = enter(&state, &auth, &org).await?;
    let outcome = groups::create(&state, &ctx, &client, form.name.trim(), form.description.trim()).await;
    back(&ctx, "groups", outcome.map(|_| "org_saved"))
}

#[derive(Deserialize)]
pub struct GroupForm {
    action: String,
    #[serde(default)]
    sub: String,
    #[serde(default)]
    role: String,
}

/// `POST /org/{org}/groups/{group}`: `action` = `add` or `remove` (with `sub`), `grant` or
/// `revoke` (with `role`), or `delete`.
pub async fn group(
    State(state): State<AppState>,
    client: ClientInfo,
    Path((org, name)): Path<(String, String)>,
    SessionForm { session: auth, form }: SessionForm<GroupForm>,
) -> Result<Response, PageError> {
    let ctx = enter(&state, &auth, &org).await?;
    let outcome = async {
        let g = groups::group(&state, &ctx, &name).await?;
        match form.action.as_str() {
            "add" | "remove" => {
                let (target, _) = orgs::member(&state, &ctx, &form.sub).await?;
                groups::set_member(&state, &ctx, &client, &g, &target, form.action == "add").await
            }
            "grant" | "revoke" => {
                let role = orgs::role(&state, &ctx, &form.role).await?;
                groups::set_role(&state, &ctx, &client, &g, &role, form.action == "grant").await
            }
            "delete" => groups::delete(&state, &ctx, &client, &g).await,
            _ => Err(OrgError::Invalid("action".into())),
        }
    }
    .await;
    back(&ctx, "groups", outcome.map(|()| "org_saved"))
}
