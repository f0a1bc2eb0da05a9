//! Device authorization grant (RFC 8628): `POST /oauth2/device_authorization` for the device,
//! `/device` pages where a signed-in user enters the code and approves or denies, and the
//! polling grant at the token endpoint.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::json;
use signet_core::device::{self, Poll};
use signet_core::{PlainToken, Scope};
use signet_store::Client;
use time::Duration;

use super::token::{audience, require_grant};
use crate::csrf;
use crate::error::PageError;
use crate::http::{query_param, PageForm};
use crate::oauth::{authenticate_client, OAuthError, OAuthForm};
use crate::session::RequireSession;
use crate::state::AppState;
use crate::tokens::{self, TokenResponse};
use signet_core::mfa::{Acr, Amr};

pub const GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";
const DEVICE_TTL: Duration = Duration::minutes(10);
const INTERVAL: i64 = 5;
/// Wrong user codes a user may enter per 15 minutes (RFC 8628 §5.1: rate-limit guessing).
const GUESSES: u32 = 10;

#[derive(Debug, Deserialize)]
pub struct DeviceForm {
    client_id: Option<String>,
    client_secret: Option<String>,
    scope: Option<String>,
}

/// `POST /oauth2/device_authorization` (RFC 8628 §3.1–3.2).
pub async fn authorization(
    State(state): State<AppState>,
    headers: HeaderMap,
    OAuthForm(form): OAuthForm<DeviceForm>,
) -> Result<Response, OAuthError> {
    let client =
        authenticate_client(&state, &headers, form.client_id.as_deref(), form.client_secret.as_deref()).await?;
    require_grant(&client, GRANT)?;
    let allowed = Scope::parse(&client.scopes).unwrap_or_default();
    let requested = Scope::parse(form.scope.as_deref().unwrap_or(""))
        .map_err(|_| OAuthError::InvalidScope("invalid scope".into()))?;
    let scope = if requested.is_empty() { allowed.clone() } else { requested.intersect(&allowed) };
    if scope.is_empty() && !requested.is_empty() {
        return Err(OAuthError::InvalidScope("none of the requested scopes is allowed for this client".into()));
    }
    let device_code = PlainToken::generate("sgn_dc_");
    let user_code = device::new_user_code();
    let now = state.now();
    state
        .store
        .create_device(
            &device_code.hash(),
            &user_code,
            &client.client_id,
            &scope.to_string(),
            INTERVAL,
            now,
            now + DEVICE_TTL,
        )
        .await?;
    let iss = state.config.issuer_base();
    let shown = device::display_user_code(&user_code);
    let mut r = Json(json!({
        "device_code": device_code.expose(),
        "user_code": shown,
        "verification_uri": format!("{iss}/device"),
        "verification_uri_complete": format!("{iss}/device?user_code={shown}"),
        "expires_in": DEVICE_TTL.whole_seconds(),
        "interval": INTERVAL,
    }))
    .into_response();
    r.headers_mut().insert(axum::http::header::CACHE_CONTROL, axum::http::HeaderValue::from_static("no-store"));
    Ok(r)
}

/// The polling grant (RFC 8628 §3.4–3.5).
pub async fn poll(state: &AppState, client: &Client, device_code: Option<&str>) -> Result<TokenResponse, OAuthError> {
    require_grant(client, GRANT)?;
    let code = device_code.ok_or_else(|| OAuthError::InvalidRequest("device_code is required".into()))?;
    let rec = state
        .store
        .device_by_hash(&PlainToken::from_client(code).hash())
        .await?
        .filter(|r| r.client_id == client.client_id)
        .ok_or_else(|| OAuthError::InvalidGrant("invalid device code".into()))?;
    let now = state.now();
    match device::poll(rec.status, rec.expires_at, rec.last_poll_at, rec.interval_secs, now) {
        Poll::Pending => {
            state.store.record_poll(rec.id, now, rec.interval_secs).await?;
            Err(OAuthError::AuthorizationPending)
        }
        Poll::SlowDown { new_interval } => {
            state.store.record_poll(rec.id, now, new_interval).await?;
            Err(OAuthError::SlowDown)
        }
        Poll::Denied => Err(OAuthError::AccessDenied),
        Poll::Expired => Err(OAuthError::ExpiredToken),
        Poll::Used => Err(OAuthError::InvalidGrant("device code already used".into())),
        Poll::Approved => {
            if !state.store.redeem_device(rec.id).await? {
                return Err(OAuthError::InvalidGrant("device code already used".into()));
            }
            let user_id = rec.user_id.ok_or_else(|| OAuthError::InvalidGrant("device code has no user".into()))?;
            match state.store.user_by_id(user_id).await? {
                Some(u) if !u.disabled => {}
                _ => return Err(OAuthError::InvalidGrant("the user is no longer active".into())),
            }
            let scope = Scope::parse(&rec.scope).unwrap_or_default();
            let aud = audience(state, client, None)?;
            let auth_time = rec.auth_time.unwrap_or(now);
            let auth = tokens::UserAuth::from_stored(auth_time, &rec.amr);
            let grant = tokens::issue_for_user(state, client, user_id, &aud, &scope, &auth, now).await?;
            let at = grant.access;
            let refresh_token = grant.refresh.map(|(_, t)| t.expose().to_owned());
            Ok(TokenResponse::new(at, &scope, refresh_token, None))
        }
    }
}

/// `GET /device`: the code entry page.
pub async fn show(
    State(state): State<AppState>,
    RequireSession(s): RequireSession,
    uri: Uri,
) -> Result<Response, PageError> {
    let code = query_param(&uri, "user_code").unwrap_or_default();
    page(&state, &s, StatusCode::OK, &code, None)
}

fn page(
    state: &AppState,
    s: &crate::session::AuthSession,
    status: StatusCode,
    code: &str,
    error: Option<&str>,
) -> Result<Response, PageError> {
    let html = state.pages.render(
        "device.html",
        minijinja::context! { title => "Connect a device", signed_in => true, csrf => csrf::session_token(state, &s.token_hash), user_code => code, error },
    )?;
    Ok((status, html).into_response())
}

#[derive(Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    user_code: String,
    #[serde(default)]
    decision: String,
}

/// `POST /device`: look up the code; with a decision, approve or deny.
pub async fn submit(
    State(state): State<AppState>,
    RequireSession(s): RequireSession,
    PageForm(form): PageForm<CodeForm>,
) -> Result<Response, PageError> {
    csrf::check_session(&state, &s.token_hash, &form.csrf)?;
    let now = state.now();
    let code = device::normalize_user_code(&form.user_code);
    let rec = state.store.device_by_user_code(&code, now).await?;
    let Some(rec) = rec else {
        let c = state.ephemeral.hit(&format!("device-guess:{}", s.user.id), Duration::minutes(15), now).await?;
        if c.count > GUESSES {
            return Err(PageError::RateLimited { retry_after: (c.resets_at - now).whole_seconds().max(1) as u64 });
        }
        return page(
            &state,
            &s,
            StatusCode::BAD_REQUEST,
            &form.user_code,
            Some("That code is not valid or has expired. Check the code on your device."),
        );
    };
    let client = state.store.client(&rec.client_id).await?;
    // The client's "MFA required" policy holds for devices too: approving needs a two-factor
    // sign-in (a fresh one, or setting a factor up first).
    if client.as_ref().is_some_and(|c| c.require_mfa) && Amr::parse(&s.session.amr).acr() < Acr::MultiFactor {
        let back = format!("/device?user_code={}", device::display_user_code(&rec.user_code));
        if crate::mfa::factors(&state, s.user.id).await?.any() {
            return Err(PageError::ReauthRequired(back));
        }
        let q = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("return_to", &back)
            .append_pair("notice", "mfa_required")
            .finish();
        return Ok(super::see_other(&format!("/account/security?{q}"), []));
    }
    let client_name = client.map(|c| c.name).unwrap_or_default();
    match form.decision.as_str() {
        "allow" | "deny" => {
            let allow = form.decision == "allow";
            if !state.store.decide_device(rec.id, allow, s.user.id, s.session.auth_time, &s.session.amr).await? {
                return Err(PageError::BadRequest("This request was already answered.".into()));
            }
            let (title, msg) = if allow {
                ("Device connected", format!("{client_name} is now connected. You can return to your device."))
            } else {
                ("Request denied", format!("{client_name} was not given access."))
            };
            Ok(crate::pages::message_page(title, &msg).into_response())
        }
        _ => {
            let scopes: Vec<String> = Scope::parse(&rec.scope).unwrap_or_default().iter().map(str::to_owned).collect();
            let html = state.pages.render(
                "device_confirm.html",
                minijinja::context! {
                    title => "Connect a device",
                    signed_in => true,
                    csrf => csrf::session_token(&state, &s.token_hash),
                    user_code => device::display_user_code(&rec.user_code),
                    client_name,
                    scopes,
                },
            )?;
            Ok(html.into_response())
        }
    }
}
