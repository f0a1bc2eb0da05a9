//! Device authorization grant (RFC 8628): `POST /oauth2/device_authorization` for the device,
//! `/device` pages where a signed-in user enters the code and approves or denies, and the
//! polling grant at the token endpoint.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::json;
use signet_core::device::{self};
use signet_core::{PlainToken, Scope};
use signet_store::StoreError;
use time::Duration;

use crate::audit;
use crate::csrf::SessionForm;
use crate::error::PageError;
use crate::grants::require_grant;
use crate::http::{query_param, ClientInfo};
use crate::oauth::{authenticate_client, OAuthError, OAuthForm};
use crate::pages::{describe_scope, tr, tr_args};
use crate::session::RequireSession;
use crate::state::AppState;
use crate::{csrf, ratelimit};
use signet_core::audit::AuditKind;
use signet_core::client::GrantType;
use signet_core::mfa::{Acr, Amr};

const DEVICE_TTL: Duration = Duration::minutes(10);
const INTERVAL: i64 = 5;
/// A fresh user code collides with a live one about once in 10^9 requests; retry a few times.
const USER_CODE_TRIES: usize = 3;

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
    info: ClientInfo,
    OAuthForm(form): OAuthForm<DeviceForm>,
) -> Result<Response, OAuthError> {
    let client =
        authenticate_client(&state, &headers, form.client_id.as_deref(), form.client_secret.as_deref()).await?;
    require_grant(&client, GrantType::DeviceCode)?;
    // Every request stores a row until it expires: limit them per address and per client.
    let now = state.now();
    let rl = &state.config.rate_limit;
    let limits = [
        (format!("device-auth-ip:{}", info.ip), rl.device_authorizations_per_ip_per_minute),
        (format!("device-auth-client:{}", client.client_id), rl.device_authorizations_per_client_per_minute),
    ];
    if let Some(retry_after) = ratelimit::hit_all(&state, &limits, Duration::minutes(1), now).await? {
        return Err(OAuthError::RateLimited { retry_after });
    }
    let allowed = Scope::parse(&client.scopes).unwrap_or_default();
    let requested = Scope::parse(form.scope.as_deref().unwrap_or(""))
        .map_err(|_| OAuthError::InvalidScope("invalid scope".into()))?;
    let scope = if requested.is_empty() { allowed.clone() } else { requested.intersect(&allowed) };
    if scope.is_empty() && !requested.is_empty() {
        return Err(OAuthError::InvalidScope("none of the requested scopes is allowed for this client".into()));
    }
    let device_code = PlainToken::generate("sgn_dc_");
    let mut user_code = device::new_user_code();
    let mut tries = 0;
    loop {
        let created = state
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
            .await;
        match created {
            Err(StoreError::Conflict) if tries < USER_CODE_TRIES => {
                tries += 1;
                user_code = device::new_user_code();
            }
            other => break other?,
        }
    }
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
        minijinja::context! { title => tr("device-title"), signed_in => true, csrf => csrf::session_token(state, &s.token_hash), user_code => code, error },
    )?;
    Ok((status, html).into_response())
}

#[derive(Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    user_code: String,
    #[serde(default)]
    decision: String,
}

/// `POST /device`: look up the code; with a decision, approve or deny.
pub async fn submit(
    State(state): State<AppState>,
    info: ClientInfo,
    SessionForm { session: s, form }: SessionForm<CodeForm>,
) -> Result<Response, PageError> {
    let now = state.now();
    // RFC 8628 §5.1: user codes are short, so every lookup counts, right or wrong, per user and
    // per address, and the limit is checked before the code is looked at: once it is reached,
    // a correct code is refused like any other.
    let rl = &state.config.rate_limit;
    let limits = [
        (format!("device-lookup-user:{}", s.user.id), rl.device_lookups_per_user),
        (format!("device-lookup-ip:{}", info.ip), rl.device_lookups_per_ip),
    ];
    if let Some(retry_after) = ratelimit::hit_all(&state, &limits, rl.window, now).await? {
        return Err(PageError::RateLimited { retry_after });
    }
    let code = device::normalize_user_code(&form.user_code);
    let rec = state.store.device_by_user_code(&code, now).await?;
    let Some(rec) = rec else {
        return page(&state, &s, StatusCode::BAD_REQUEST, &form.user_code, Some(&tr("device-bad-code")));
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
                return Err(PageError::BadRequest(tr("device-answered")));
            }
            let kind = if allow { AuditKind::DeviceApprove } else { AuditKind::DeviceDeny };
            let who = audit::user(&s.user);
            let detail = format!("client:{} scope:{}", rec.client_id, rec.scope);
            audit::record(&state, kind, who, &info, &detail).await;
            let app = [("app", client_name.into())];
            let (title, msg) = if allow {
                (tr("device-connected-title"), tr_args("device-connected", &app))
            } else {
                (tr("device-denied-title"), tr_args("device-denied", &app))
            };
            Ok(crate::pages::message_page(&title, &msg).into_response())
        }
        _ => {
            let scopes: Vec<String> = Scope::parse(&rec.scope).unwrap_or_default().iter().map(describe_scope).collect();
            let html = state.pages.render(
                "device_confirm.html",
                minijinja::context! {
                    title => tr("device-title"),
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
