//! `/account/security`: two-step verification. An authenticator app (TOTP) is enrolled in two
//! steps — a new secret shown as a QR code, then a valid code from the app activates it — and
//! backup codes are shown once. Adding or removing a factor and new backup codes are sensitive:
//! they need a recent sign-in.

use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde::{Deserialize, Serialize};
use signet_core::audit::AuditKind;
use signet_core::mfa::{Amr, Method};
use signet_core::totp::{TotpCheck, TotpSecret};
use signet_core::ReturnTo;

use crate::audit;
use crate::csrf;
use crate::csrf::SessionForm;
use crate::error::PageError;
use crate::http::{query_param, ClientInfo};
use crate::mfa;
use crate::pages::{fmt_relative, fmt_time, tr, tr_args};
use crate::session::{require_recent_auth, AuthSession, RequireSession};
use crate::state::AppState;

const PAGE: &str = "/account/security";
const SETUP_PAGE: &str = "/account/security/totp";

#[derive(Serialize)]
struct PasskeyRow {
    id: i64,
    name: String,
    created_at: String,
    last_used_at: String,
    synced: bool,
}

/// Where to go after a factor is set up: back into a pending sign-in (`return_to`), if any.
fn continue_to(uri: &Uri) -> String {
    query_param(uri, "return_to").and_then(|r| ReturnTo::parse(&r)).map(|r| r.as_str().to_owned()).unwrap_or_default()
}

pub async fn show(
    State(state): State<AppState>,
    RequireSession(auth): RequireSession,
    uri: Uri,
) -> Result<Response, PageError> {
    let user_id = auth.user.id;
    let totp = state.store.totp(user_id).await?.filter(|t| t.confirmed);
    let passkeys: Vec<PasskeyRow> = state
        .store
        .list_passkeys(user_id)
        .await?
        .into_iter()
        .map(|p| PasskeyRow {
            id: p.id,
            name: p.name,
            created_at: fmt_time(p.created_at),
            last_used_at: p.last_used_at.map(|t| fmt_relative(t, state.now())).unwrap_or_else(|| tr("never")),
            synced: p.backup_state,
        })
        .collect();
    let remaining = state.store.backup_codes_remaining(user_id).await?;
    let backup_used = crate::mfa::last_backup_code_use(&state, user_id).await?;
    let return_to = continue_to(&uri);
    let html = state.pages.render(
        "security.html",
        minijinja::context! {
            title => tr("security-title"),
            signed_in => true,
            mode => "overview",
            passkeys_enabled => state.webauthn.is_some(),
            csrf => csrf::session_token(&state, &auth.token_hash),
            notice => query_param(&uri, "notice").and_then(|n| crate::pages::notice_text(&n)),
            totp_on => totp.is_some(),
            totp_since => totp.as_ref().map(|t| fmt_time(t.created_at)),
            totp_last_used => totp.as_ref().and_then(|t| t.last_used_at).map(fmt_time),
            has_factor => totp.is_some() || !passkeys.is_empty(),
            backup_remaining => remaining,
            backup_used,
            return_to,
            passkeys,
        },
    )?;
    Ok(html.into_response())
}

#[derive(Deserialize)]
pub struct StartForm {
    #[serde(default)]
    return_to: String,
}

fn setup_url(return_to: &str) -> String {
    if return_to.is_empty() {
        return SETUP_PAGE.to_owned();
    }
    let q = url::form_urlencoded::Serializer::new(String::new()).append_pair("return_to", return_to).finish();
    format!("{SETUP_PAGE}?{q}")
}

/// `POST /account/security/totp`: a new secret, pending until confirmed with a code.
pub async fn totp_start(
    State(state): State<AppState>,
    SessionForm { session: auth, form }: SessionForm<StartForm>,
) -> Result<Response, PageError> {
    let return_to = ReturnTo::parse(&form.return_to).map(|r| r.as_str().to_owned()).unwrap_or_default();
    // Someone with a stolen session must not be able to bind their own authenticator to the
    // account (and lock its owner out), so adding a factor needs a recent sign-in too.
    require_recent_auth(&state, &auth, PAGE)?;
    let secret = TotpSecret::generate();
    let sealed = mfa::seal_totp(&state, auth.user.id, &secret)?;
    match state.store.put_pending_totp(auth.user.id, &sealed, state.now()).await {
        Ok(()) => Ok(super::see_other(&setup_url(&return_to), [])),
        Err(signet_store::StoreError::Conflict) => Ok(super::see_other(PAGE, [])),
        Err(e) => Err(e.into()),
    }
}

/// `GET /account/security/totp`: the QR code and the secret of the pending authenticator.
pub async fn totp_setup(
    State(state): State<AppState>,
    RequireSession(auth): RequireSession,
    uri: Uri,
) -> Result<Response, PageError> {
    render_setup(&state, &auth, &continue_to(&uri), StatusCode::OK, None).await
}

async fn render_setup(
    state: &AppState,
    auth: &AuthSession,
    return_to: &str,
    status: StatusCode,
    error: Option<&str>,
) -> Result<Response, PageError> {
    let Some(pending) = state.store.totp(auth.user.id).await?.filter(|t| !t.confirmed) else {
        return Ok(super::see_other(PAGE, []));
    };
    let secret = mfa::open_totp(state, auth.user.id, &pending.secret_enc)?;
    let issuer = url::Url::parse(state.config.issuer_base())
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned))
        .unwrap_or_else(|| "Signet".into());
    let uri = secret.otpauth_uri(&issuer, &auth.user.email).ok_or_else(|| anyhow::anyhow!("otpauth URI"))?;
    let qr = qrcode::QrCode::new(uri.as_bytes()).map_err(|e| anyhow::anyhow!("QR code: {e}"))?;
    let svg = qr.render::<qrcode::render::svg::Color>().min_dimensions(220, 220).quiet_zone(true).build();
    let qr_src = format!("data:image/svg+xml;base64,{}", STANDARD.encode(svg.as_bytes()));
    let base32 = secret.base32().ok_or_else(|| anyhow::anyhow!("base32"))?;
    // Groups of four are easier to type.
    let grouped: String =
        base32.as_bytes().chunks(4).map(|c| String::from_utf8_lossy(c).into_owned()).collect::<Vec<_>>().join(" ");
    let html = state.pages.render(
        "security.html",
        minijinja::context! {
            title => tr("totp-setup-title"),
            signed_in => true,
            mode => "totp_setup",
            csrf => csrf::session_token(state, &auth.token_hash),
            qr_src,
            secret => grouped,
            otpauth_uri => uri.as_str(),
            error,
            return_to,
        },
    )?;
    Ok((status, html).into_response())
}

#[derive(Deserialize)]
pub struct ConfirmForm {
    #[serde(default)]
    code: signet_core::Password,
    #[serde(default)]
    return_to: String,
}

/// `POST /account/security/totp/confirm`: the first valid code turns the factor on.
pub async fn totp_confirm(
    State(state): State<AppState>,
    client: ClientInfo,
    SessionForm { session: auth, form }: SessionForm<ConfirmForm>,
) -> Result<Response, PageError> {
    let now = state.now();
    crate::ratelimit::auth_ceiling(&state, &client.ip, now).await?;
    let return_to = ReturnTo::parse(&form.return_to).map(|r| r.as_str().to_owned()).unwrap_or_default();
    let Some(pending) = state.store.totp(auth.user.id).await?.filter(|t| !t.confirmed) else {
        return Ok(super::see_other(PAGE, []));
    };
    let secret = mfa::open_totp(&state, auth.user.id, &pending.secret_enc)?;
    let TotpCheck::Accepted { step } = secret.verify(form.code.expose(), now, None) else {
        let msg = tr("totp-setup-wrong");
        return render_setup(&state, &auth, &return_to, StatusCode::BAD_REQUEST, Some(&msg)).await;
    };
    if !state.store.confirm_totp(auth.user.id, step, now).await? {
        return Ok(super::see_other(PAGE, []));
    }
    let who = audit::user(&auth.user);
    audit::record(&state, AuditKind::MfaEnroll, who, &client, "totp").await;
    // The user just proved possession of the authenticator in this session: it now counts as
    // a two-factor sign-in (and satisfies a client that requires one).
    let amr = Amr::parse(&auth.session.amr).with(Method::Otp);
    state.store.set_session_auth(auth.session.id, &amr.to_stored(), now).await?;
    if state.store.backup_codes_remaining(auth.user.id).await? == 0 {
        return show_backup_codes(&state, &auth, &client, &return_to).await;
    }
    let to = if return_to.is_empty() { format!("{PAGE}?notice=totp_on") } else { return_to };
    Ok(super::see_other(&to, []))
}

/// `POST /account/security/totp/remove`.
pub async fn totp_remove(
    State(state): State<AppState>,
    client: ClientInfo,
    SessionForm { session: auth, .. }: SessionForm<csrf::Nothing>,
) -> Result<Response, PageError> {
    require_recent_auth(&state, &auth, PAGE)?;
    if !state.store.delete_totp(auth.user.id).await? {
        return Err(PageError::NotFound);
    }
    mfa::after_factor_removed(&state, &auth, &client, AuditKind::MfaRemove, "totp").await?;
    Ok(super::see_other(&format!("{PAGE}?notice=totp_off"), []))
}

/// `POST /account/security/backup-codes`: a new set; the old one stops working.
pub async fn backup_regenerate(
    State(state): State<AppState>,
    client: ClientInfo,
    SessionForm { session: auth, .. }: SessionForm<csrf::Nothing>,
) -> Result<Response, PageError> {
    require_recent_auth(&state, &auth, PAGE)?;
    if !mfa::factors(&state, auth.user.id).await?.any() {
        return Err(PageError::BadRequest(tr("factor-needed-first")));
    }
    show_backup_codes(&state, &auth, &client, "").await
}

/// Generates and shows a new set of backup codes. The only time they are ever shown: the page
/// is answered to a POST and marked `no-store`.
pub async fn show_backup_codes(
    state: &AppState,
    auth: &AuthSession,
    client: &ClientInfo,
    return_to: &str,
) -> Result<Response, PageError> {
    let codes = mfa::new_backup_codes(state, auth.user.id, state.now()).await?;
    let who = audit::user(&auth.user);
    audit::record(state, AuditKind::BackupCodesRegenerate, who, client, "").await;
    let shown: Vec<&str> = codes.iter().map(|c| c.as_str()).collect();
    // The .txt download: a data: URL, so the codes never sit on the server for a second request.
    let brand = &state.pages.brand().name;
    let heading = tr_args(
        "backup-codes-file-heading",
        &[("product", brand.clone().into()), ("email", auth.user.email.clone().into())],
    );
    let text = format!("{heading}\n\n{}\n", shown.join("\n"));
    let slug: String = brand.chars().filter(|c| c.is_ascii_alphanumeric()).collect::<String>().to_ascii_lowercase();
    let html = state.pages.render(
        "security.html",
        minijinja::context! {
            title => tr("backup-codes-title"),
            codes_file => format!("base64,{}", STANDARD.encode(text.as_bytes())),
            codes_file_name => format!("{}-backup-codes.txt", if slug.is_empty() { "signet" } else { &slug }),
            signed_in => true,
            mode => "backup_codes",
            csrf => csrf::session_token(state, &auth.token_hash),
            codes => shown,
            continue_to => if return_to.is_empty() { PAGE } else { return_to },
        },
    )?;
    Ok(html.into_response())
}
