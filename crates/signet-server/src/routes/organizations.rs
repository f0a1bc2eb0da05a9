//! `GET /account/organizations` (the user's organizations, their role in each) and
//! `POST /account/organizations/{org}/leave` (the rules of `flows::orgs`: anyone but the last
//! owner may leave).

use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::csrf::{self, SessionForm};
use crate::error::PageError;
use crate::flows::orgs::{self, OrgError};
use crate::http::{query_param, ClientInfo};
use crate::pages::tr;
use crate::session::RequireSession;
use crate::state::AppState;

#[derive(Serialize)]
struct Row {
    id: String,
    name: String,
    slug: String,
    role: String,
}

pub async fn show(
    State(state): State<AppState>,
    RequireSession(auth): RequireSession,
    uri: Uri,
) -> Result<Response, PageError> {
    let rows: Vec<Row> = state
        .store
        .user_orgs(auth.user.id)
        .await?
        .into_iter()
        .map(|(o, role)| Row {
            role: signet_core::rbac::OrgRole::parse(&role).map(super::invite::org_role_name).unwrap_or(role),
            id: o.public_id,
            name: o.name,
            slug: o.slug,
        })
        .collect();
    let notice = query_param(&uri, "notice").and_then(|n| crate::pages::notice_text(&n));
    let error = query_param(&uri, "error").filter(|e| e == "last_owner").map(|_| tr("orgs-last-owner"));
    let html = state.pages.render(
        "organizations.html",
        minijinja::context! {
            title => tr("orgs-title"), signed_in => true,
            csrf => csrf::session_token(&state, &auth.token_hash),
            orgs => rows, notice, error,
        },
    )?;
    Ok(html.into_response())
}

pub async fn leave(
    State(state): State<AppState>,
    client: ClientInfo,
    Path(org): Path<String>,
    SessionForm { session: auth, .. }: SessionForm<csrf::Nothing>,
) -> Result<Response, PageError> {
    let ctx = match orgs::enter(&state, &auth.user, &org).await {
        Ok(c) => c,
        Err(OrgError::NotFound) => return Err(PageError::NotFound),
        Err(e) => return Err(PageError::Unexpected(e.into())),
    };
    match orgs::remove(&state, &ctx, &client, &auth.user, ctx.role).await {
        Ok(()) => Ok(super::see_other("/account/organizations?notice=org_left", [])),
        Err(OrgError::Refused(_)) => Ok(super::see_other("/account/organizations?error=last_owner", [])),
        Err(OrgError::NotFound) => Err(PageError::NotFound),
        Err(e) => Err(PageError::Unexpected(e.into())),
    }
}
