//! The admin console's organizations and roles: `/admin/organizations` (every organization,
//! create, delete; each managed on its own pages `/org/{slug}`, where an administrator acts as
//! an owner) and `/admin/roles` (APIs with their permissions, global roles). Forms go through
//! the admin service layer (`admin::orgs`, `admin::rbac`): the API's and the CLI's rules.
//! Deleting an organization needs a recent sign-in.

use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::Response;
use serde::{Deserialize, Serialize};

use crate::admin::console::{back, enter, render, when};
use crate::admin::{orgs, rbac, AdminError};
use crate::csrf::SessionForm;
use crate::error::PageError;
use crate::http::ClientInfo;
use crate::session::{require_recent_auth, RequireSession};
use crate::state::AppState;

#[derive(Serialize)]
struct OrgRow {
    id: String,
    slug: String,
    name: String,
    domains: String,
    created: String,
}

/// `GET /admin/organizations`
pub async fn orgs_page(
    State(state): State<AppState>,
    RequireSession(auth): RequireSession,
    client: ClientInfo,
    uri: Uri,
) -> Result<Response, PageError> {
    enter(&auth, &client)?;
    let rows: Vec<OrgRow> = state
        .store
        .list_orgs(0, i64::MAX)
        .await?
        .into_iter()
        .map(|o| OrgRow {
            domains: o.domains.join(" "),
            created: when(o.created_at),
            id: o.public_id,
            slug: o.slug,
            name: o.name,
        })
        .collect();
    render(&state, &auth, "orgs", &uri, minijinja::context! { rows })
}

#[derive(Deserialize)]
pub struct NewOrgForm {
    slug: String,
    name: String,
}

/// `POST /admin/organizations`: creates one (the administrator then staffs it on its pages).
pub async fn create_org(
    State(state): State<AppState>,
    client: ClientInfo,
    SessionForm { session: auth, form }: SessionForm<NewOrgForm>,
) -> Result<Response, PageError> {
    let op = enter(&auth, &client)?;
    let slug = form.slug.trim().to_ascii_lowercase();
    let outcome = orgs::create(&state, &op, &slug, &form.name).await.map(|_| "org_created");
    back("/admin/organizations", outcome)
}

#[derive(Deserialize)]
pub struct OrgAction {
    action: String,
}

/// `POST /admin/organizations/{org}`: `delete` (with its memberships, roles and groups).
pub async fn org_action(
    State(state): State<AppState>,
    client: ClientInfo,
    Path(org): Path<String>,
    SessionForm { session: auth, form }: SessionForm<OrgAction>,
) -> Result<Response, PageError> {
    let op = enter(&auth, &client)?;
    if form.action != "delete" {
        return Err(PageError::BadRequest(crate::pages::tr("admin-error-invalid")));
    }
    require_recent_auth(&state, &auth, "/admin/organizations")?;
    let outcome = match orgs::find(&state, &org).await {
        Ok(o) => orgs::delete(&state, &op, &o).await.map(|_| "org_deleted"),
        Err(e) => Err(e),
    };
    back("/admin/organizations", outcome)
}

#[derive(Serialize)]
struct RoleRow {
    name: String,
    permissions: String,
}

/// `GET /admin/roles`
pub async fn roles_page(
    State(state): State<AppState>,
    RequireSession(auth): RequireSession,
    client: ClientInfo,
    uri: Uri,
) -> Result<Response, PageError> {
    enter(&auth, &client)?;
    let apis: Vec<rbac::ApiView> = state.store.list_apis().await?.iter().map(rbac::api_view).collect();
    let roles: Vec<RoleRow> = rbac::roles(&state, None)
        .await?
        .into_iter()
        .map(|r| RoleRow {
            permissions: r.permissions.iter().map(|(a, p)| format!("{p} ({a})")).collect::<Vec<_>>().join(", "),
            name: r.name,
        })
        .collect();
    render(&state, &auth, "roles", &uri, minijinja::context! { apis, roles })
}

#[derive(Deserialize)]
pub struct RolesForm {
    /// `api` (register one) or `role` (define a global role).
    action: String,
    #[serde(default)]
    identifier: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    api: String,
    /// Space-separated.
    #[serde(default)]
    permissions: String,
}

/// `POST /admin/roles`: registers an API or defines a global role.
pub async fn roles_action(
    State(state): State<AppState>,
    client: ClientInfo,
    SessionForm { session: auth, form }: SessionForm<RolesForm>,
) -> Result<Response, PageError> {
    let op = enter(&auth, &client)?;
    let permissions: Vec<String> = form.permissions.split_whitespace().map(str::to_owned).collect();
    let outcome = match form.action.as_str() {
        "api" => {
            let name = Some(form.name.as_str()).filter(|n| !n.trim().is_empty());
            rbac::create_api(&state, &op, form.identifier.trim(), name, &permissions).await.map(|_| "api_created")
        }
        "role" => rbac::create_role(&state, &op, None, form.name.trim(), &form.api, &permissions, "")
            .await
            .map(|_| "role_created")
            .map_err(|e| match e {
                // The role's name has its own rule (the console's "name" error is "required").
                AdminError::Invalid { field: "name", message } => AdminError::Invalid { field: "role_name", message },
                e => e,
            }),
        _ => return Err(PageError::BadRequest(crate::pages::tr("admin-error-invalid"))),
    };
    back("/admin/roles", outcome)
}
