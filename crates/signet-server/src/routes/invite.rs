//! `GET|POST /invite/{token}`: an invitation to an organization (`flows::invite`). Opening the
//! link shows what it is; the button accepts it for the signed-in account of the invited
//! address, or creates that account (the link proves the mailbox) and then accepts.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Deserialize;
use signet_core::audit::AuditKind;
use signet_core::{Email, Password};
use signet_store::{NewUser, StoreError};

use crate::csrf::PresessionForm;
use crate::error::PageError;
use crate::flows::invite::{self, Invitation};
use crate::http::ClientInfo;
use crate::link_pages;
use crate::pages::tr;
use crate::session::MaybeSession;
use crate::state::AppState;

#[derive(Deserialize)]
pub struct AcceptForm {
    /// For an address without an account: the password of the account to create.
    #[serde(default)]
    password: Password,
}

fn invalid(state: &AppState, headers: &HeaderMap) -> Result<Response, PageError> {
    link_pages::invalid(state, headers, "invite-invalid", ("/login", "help-back-to-sign-in"))
}

/// A built-in role in the page's language.
pub fn org_role_name(r: signet_core::rbac::OrgRole) -> String {
    match r {
        signet_core::rbac::OrgRole::Owner => tr("org-role-owner"),
        signet_core::rbac::OrgRole::Admin => tr("org-role-admin"),
        signet_core::rbac::OrgRole::Member => tr("org-role-member"),
    }
}

/// What the page offers: `accept` (signed in as the invited address), `other` (signed in as
/// someone else), `signin` (the address has an account), `create` (it has none).
async fn mode(
    state: &AppState,
    inv: &Invitation,
    auth: Option<&crate::session::AuthSession>,
) -> Result<&'static str, PageError> {
    Ok(match auth {
        Some(a) if a.user.email == inv.email => "accept",
        Some(_) => "other",
        None => match Email::parse(&inv.email).ok() {
            Some(e) if state.store.user_by_email(&e).await?.is_some() => "signin",
            _ => "create",
        },
    })
}

async fn page(
    state: &AppState,
    headers: &HeaderMap,
    token: &str,
    inv: &Invitation,
    auth: Option<&crate::session::AuthSession>,
    status: StatusCode,
    error: Option<String>,
) -> Result<Response, PageError> {
    let ctx = minijinja::context! {
        title => tr("invite-title"), mode => mode(state, inv, auth).await?,
        org => inv.org.name.clone(), email => inv.email.clone(), org_role => org_role_name(inv.org_role),
        roles => inv.roles.clone(), here => format!("/invite/{token}"), error,
        min_length => state.policy.min_length(), max_length => state.config.password.max_length,
    };
    link_pages::presession_page(state, headers, status, "invite.html", ctx)
}

pub async fn show(
    State(state): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
    MaybeSession(auth): MaybeSession,
) -> Result<Response, PageError> {
    match invite::peek(&state, &token).await? {
        Some(inv) => page(&state, &headers, &token, &inv, auth.as_ref(), StatusCode::OK, None).await,
        None => invalid(&state, &headers),
    }
}

pub async fn accept(
    State(state): State<AppState>,
    Path(token): Path<String>,
    client: ClientInfo,
    headers: HeaderMap,
    MaybeSession(auth): MaybeSession,
    PresessionForm(form): PresessionForm<AcceptForm>,
) -> Result<Response, PageError> {
    let now = state.now();
    crate::ratelimit::auth_ceiling(&state, &client.ip, now).await?;
    let Some(inv) = invite::peek(&state, &token).await? else { return invalid(&state, &headers) };
    let user = match mode(&state, &inv, auth.as_ref()).await? {
        "accept" => auth.as_ref().map(|a| a.user.clone()),
        "create" => {
            let Ok(email) = Email::parse(&inv.email) else { return invalid(&state, &headers) };
            if let Err(v) = state.policy.check(&form.password, email.as_str()) {
                let msg = crate::pages::policy_message(&v);
                return page(&state, &headers, &token, &inv, None, StatusCode::BAD_REQUEST, Some(msg)).await;
            }
            let record = state.hash_pool.hash(form.password.clone()).await?;
            match state
                .store
                .create_user(NewUser { email: &email, password: Some(&record), is_admin: false, now })
                .await
            {
                Ok(u) => {
                    crate::audit::record(&state, AuditKind::UserCreate, crate::audit::user(&u), &client, "invite")
                        .await;
                    Some(u)
                }
                Err(StoreError::Conflict) => None,
                Err(e) => return Err(e.into()),
            }
        }
        // Someone else's browser, or an account that must sign in first: the page says how.
        _ => None,
    };
    let Some(user) = user else {
        return page(&state, &headers, &token, &inv, auth.as_ref(), StatusCode::BAD_REQUEST, None).await;
    };
    if invite::accept(&state, &token, &user, &client).await?.is_none() {
        return invalid(&state, &headers);
    }
    let to = if auth.is_some() { "/account?notice=org_joined" } else { "/login?notice=org_joined" };
    Ok(super::see_other(to, []))
}
