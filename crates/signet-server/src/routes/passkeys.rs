//! Passkey ceremonies (JSON, called by `/static/passkey.js`) and passkey management forms.
//!
//! - `POST /account/security/passkeys/register/{start,finish}`: add a passkey (signed in,
//!   recent sign-in, session CSRF token in `X-CSRF-Token`).
//! - `POST /login/passkey/{start,finish}`: sign in with a passkey alone (`mode=login`,
//!   discoverable credential, no username) or as the second factor after a password
//!   (`mode=second`, needs the pending login). Pre-session CSRF token in `X-CSRF-Token`.
//! - `POST /account/security/passkeys/{id}/rename|delete`: forms.
//!
//! Every failure of a sign-in ceremony gets the same answer, so an unknown credential and a bad
//! signature look alike.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::json;
use signet_core::audit::AuditKind;
use signet_core::mfa::{Amr, Method};
use signet_store::{NewPasskey, PasskeyUse, StoreError};
use webauthn_rs::prelude::{
    DiscoverableAuthentication, PasskeyAuthentication, PasskeyRegistration, PublicKeyCredential,
    RegisterPublicKeyCredential, WebauthnError,
};
use webauthn_rs_proto::ResidentKeyRequirement;

use crate::audit::{self, Actor};
use crate::csrf::SessionForm;
use crate::error::{ApiError, PageError};
use crate::flows::recovery;
use crate::flows::sign_in;
use crate::http::ClientInfo;
use crate::pages::tr;
use crate::passkey::{self, KIND_DISCOVERABLE, KIND_RECOVER, KIND_REGISTER, KIND_SECOND};
use crate::session::{require_recent_auth, ApiSession, MaybeSession};
use crate::state::AppState;
use crate::{csrf, mfa, ratelimit};

const SECURITY: &str = "/account/security";

fn csrf_header(headers: &HeaderMap) -> String {
    headers.get("x-csrf-token").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned()
}

fn failed() -> ApiError {
    ApiError::bad_request(tr("passkey-sign-in-failed"))
}

/// Turns a page redirect (with its cookies) into `{"redirect": …}` for the script.
fn as_json(r: Response) -> Response {
    let to = r.headers().get(header::LOCATION).and_then(|v| v.to_str().ok()).unwrap_or("/account").to_owned();
    let cookies: Vec<_> = r.headers().get_all(header::SET_COOKIE).iter().cloned().collect();
    let mut out = Json(json!({ "redirect": to })).into_response();
    for c in cookies {
        out.headers_mut().append(header::SET_COOKIE, c);
    }
    out
}

#[derive(Deserialize)]
pub struct RegisterFinish {
    id: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    return_to: String,
    credential: RegisterPublicKeyCredential,
}

pub async fn register_start(
    State(state): State<AppState>,
    ApiSession(auth): ApiSession,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    csrf::check_session(&state, &auth.token_hash, &csrf_header(&headers))?;
    require_recent_auth(&state, &auth, SECURITY)?;
    let existing = state.store.list_passkeys(auth.user.id).await?;
    let exclude: Vec<_> = existing.iter().filter_map(|r| passkey::parse(r).ok()).map(|p| p.cred_id().clone()).collect();
    let handle = passkey::user_handle(&state, auth.user.id);
    let (mut options, reg) = passkey::rp(&state)?
        .start_passkey_registration(handle, &auth.user.email, &auth.user.email, Some(exclude))
        .map_err(|e| ApiError::unexpected(anyhow::anyhow!("passkey registration start: {e}")))?;
    // Resident (discoverable) keys preferred, so the passkey can sign in without a username.
    if let Some(sel) = options.public_key.authenticator_selection.as_mut() {
        sel.resident_key = Some(ResidentKeyRequirement::Preferred);
        sel.require_resident_key = false;
    }
    let id = passkey::put_state(&state, KIND_REGISTER, Some(auth.user.id), &reg).await?;
    Ok(Json(json!({ "id": id, "options": options })).into_response())
}

pub async fn register_finish(
    State(state): State<AppState>,
    ApiSession(auth): ApiSession,
    client: ClientInfo,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    csrf::check_session(&state, &auth.token_hash, &csrf_header(&headers))?;
    let req: RegisterFinish = crate::forms::json_body(&headers, &body)?;
    let now = state.now();
    let Some((owner, reg)) = passkey::take_state::<PasskeyRegistration>(&state, KIND_REGISTER, &req.id, now).await?
    else {
        return Err(ApiError::bad_request(tr("passkey-expired")));
    };
    if owner != Some(auth.user.id) {
        return Err(ApiError::bad_request(tr("passkey-expired")));
    }
    let pk = passkey::rp(&state)?.finish_passkey_registration(&req.credential, &reg).map_err(|e| {
        tracing::info!(error = %e, "passkey registration refused");
        ApiError::bad_request(tr("passkey-not-registered"))
    })?;
    let serialized = serde_json::to_string(&pk).map_err(|e| ApiError::unexpected(e.into()))?;
    let d = passkey::details(&serialized);
    // Named after the authenticator when its AAGUID is a known one, else "Passkey"; the user
    // can rename it.
    let aaguid = passkey::aaguid(req.credential.response.attestation_object.as_ref());
    let name = clean_name(&req.name)
        .or_else(|| passkey::authenticator_name(&aaguid).map(str::to_owned))
        .unwrap_or_else(|| tr("passkey-default-name"));
    let added = state
        .store
        .add_passkey(NewPasskey {
            user_id: auth.user.id,
            credential_id: &passkey::credential_key(pk.cred_id()),
            name: &name,
            credential: &serialized,
            sign_count: d.sign_count,
            backup_eligible: d.backup_eligible,
            backup_state: d.backup_state,
            transports: &d.transports,
            aaguid: &aaguid,
            now,
        })
        .await;
    match added {
        Ok(_) => {}
        Err(StoreError::Conflict) => return Err(ApiError::bad_request(tr("passkey-already-registered"))),
        Err(e) => return Err(e.into()),
    }
    // The registration verified the user on the authenticator: this session now has two factors.
    let amr = Amr::parse(&auth.session.amr).with(Method::Hwk).with(Method::User);
    state.store.set_session_auth(auth.session.id, &amr.to_stored(), now).await?;
    let who = audit::user(&auth.user);
    audit::record(&state, AuditKind::PasskeyRegister, who, &client, &name).await;
    let to = signet_core::ReturnTo::parse(&req.return_to)
        .map(|r| r.as_str().to_owned())
        .filter(|r| !r.is_empty() && r != "/account")
        .unwrap_or_else(|| format!("{SECURITY}?notice=passkey_added"));
    Ok(Json(json!({ "redirect": to })).into_response())
}

/// A display name: trimmed, 1–64 characters, no control characters.
fn clean_name(s: &str) -> Option<String> {
    let n: String = s.trim().chars().filter(|c| !c.is_control()).take(64).collect();
    (!n.is_empty()).then_some(n)
}

#[derive(Deserialize)]
pub struct LoginStart {
    #[serde(default)]
    mode: String,
    /// `recover` mode: the recovery link's token (the account whose passkey proves it).
    #[serde(default)]
    token: String,
}

pub async fn login_start(
    State(state): State<AppState>,
    client: ClientInfo,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    csrf::check_presession(&state, &headers, &csrf_header(&headers))?;
    ratelimit::auth_ceiling(&state, &client.ip, state.now()).await?;
    let req: LoginStart = crate::forms::json_body(&headers, &body)?;
    let unexpected = |e: WebauthnError| ApiError::unexpected(anyhow::anyhow!("passkey sign-in start: {e}"));
    // The second factor after a password, or the factor a recovery link asks for: this
    // account's passkeys only.
    let (kind, user_id) = match req.mode.as_str() {
        "second" => match mfa::load_pending(&state, &headers).await? {
            Some((_, pending)) => (KIND_SECOND, Some(pending.user_id)),
            None => return Err(ApiError::bad_request(tr("passkey-password-first"))),
        },
        "recover" => match recovery::peek(&state, &req.token).await.map_err(ApiError::unexpected)? {
            Some(user) => (KIND_RECOVER, Some(user.id)),
            None => return Err(ApiError::bad_request(tr("recover-invalid"))),
        },
        _ => ("", None),
    };
    if let Some(user_id) = user_id {
        let keys: Vec<_> =
            state.store.list_passkeys(user_id).await?.iter().filter_map(|r| passkey::parse(r).ok()).collect();
        if keys.is_empty() {
            return Err(ApiError::bad_request(tr("passkey-none-on-account")));
        }
        let (options, st) = passkey::rp(&state)?.start_passkey_authentication(&keys).map_err(unexpected)?;
        let id = passkey::put_state(&state, kind, Some(user_id), &st).await?;
        return Ok(Json(json!({ "id": id, "options": options })).into_response());
    }
    let (options, st) = passkey::rp(&state)?.start_discoverable_authentication().map_err(unexpected)?;
    let id = passkey::put_state(&state, KIND_DISCOVERABLE, None, &st).await?;
    Ok(Json(json!({ "id": id, "options": options })).into_response())
}

#[derive(Deserialize)]
pub struct LoginFinish {
    id: String,
    #[serde(default)]
    mode: String,
    #[serde(default)]
    return_to: String,
    #[serde(default)]
    token: String,
    credential: PublicKeyCredential,
}

/// Which ceremony an assertion finishes.
enum Ceremony {
    Discoverable,
    Second(signet_core::TokenHash, mfa::PendingLogin),
    /// The second factor of a password recovery: proven, nobody signed in.
    Recover,
}

/// The audit reason when the challenge was used already or expired (WebAuthn §13.4.3:
/// challenges are single use), checked before any signature or counter.
const CHALLENGE_GONE: &str = "passkey_challenge_spent_or_expired";

pub async fn login_finish(
    State(state): State<AppState>,
    MaybeSession(existing): MaybeSession,
    client: ClientInfo,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    csrf::check_presession(&state, &headers, &csrf_header(&headers))?;
    let now = state.now();
    ratelimit::auth_ceiling(&state, &client.ip, now).await?;
    let req: LoginFinish = crate::forms::json_body(&headers, &body)?;
    // The record of the credential the browser used; unknown ids fail like bad signatures.
    let cred_key = passkey::credential_key(req.credential.raw_id.as_ref());
    let Some(record) = state.store.passkey_by_credential_id(&cred_key).await? else {
        audit::record(
            &state,
            AuditKind::LoginFailure,
            Actor::Anonymous { user_id: None, email: None },
            &client,
            "passkey_unknown_credential",
        )
        .await;
        return Err(failed());
    };
    let Some(user) = state.store.user_by_id(record.user_id).await?.filter(|u| u.can_sign_in(state.now())) else {
        return Err(failed());
    };
    let mut pk = passkey::parse(&record).map_err(ApiError::unexpected)?;
    let who = audit::user(&user);

    let (result, ceremony) = if req.mode == "second" {
        let Some((hash, pending)) = mfa::load_pending(&state, &headers).await? else {
            return Err(ApiError::bad_request(tr("passkey-password-first")));
        };
        let Some((owner, st)) = passkey::take_state::<PasskeyAuthentication>(&state, KIND_SECOND, &req.id, now).await?
        else {
            audit::record(&state, AuditKind::LoginFailure, who, &client, CHALLENGE_GONE).await;
            return Err(failed());
        };
        // The passkey must belong to the account whose password was just entered.
        if owner != Some(pending.user_id) || record.user_id != pending.user_id {
            audit::record(&state, AuditKind::LoginFailure, who, &client, "passkey_wrong_account").await;
            return Err(failed());
        }
        (passkey::rp(&state)?.finish_passkey_authentication(&req.credential, &st), Ceremony::Second(hash, pending))
    } else if req.mode == "recover" {
        let Some(target) = recovery::peek(&state, &req.token).await.map_err(ApiError::unexpected)? else {
            return Err(failed());
        };
        let Some((owner, st)) =
            passkey::take_state::<PasskeyAuthentication>(&state, KIND_RECOVER, &req.id, now).await?
        else {
            audit::record(&state, AuditKind::LoginFailure, who, &client, CHALLENGE_GONE).await;
            return Err(failed());
        };
        // The passkey must belong to the account the recovery link is for.
        if owner != Some(target.id) || record.user_id != target.id {
            audit::record(&state, AuditKind::LoginFailure, who, &client, "passkey_wrong_account").await;
            return Err(failed());
        }
        (passkey::rp(&state)?.finish_passkey_authentication(&req.credential, &st), Ceremony::Recover)
    } else {
        let Some((_, st)) =
            passkey::take_state::<DiscoverableAuthentication>(&state, KIND_DISCOVERABLE, &req.id, now).await?
        else {
            audit::record(&state, AuditKind::LoginFailure, who, &client, CHALLENGE_GONE).await;
            return Err(failed());
        };
        // The user handle the authenticator returned must be this account's.
        match passkey::rp(&state)?.identify_discoverable_authentication(&req.credential) {
            Ok((handle, _)) if handle == passkey::user_handle(&state, user.id) => {}
            _ => {
                audit::record(&state, AuditKind::LoginFailure, who, &client, "passkey_user_handle_mismatch").await;
                return Err(failed());
            }
        }
        let key: webauthn_rs::prelude::DiscoverableKey = (&pk).into();
        (passkey::rp(&state)?.finish_discoverable_authentication(&req.credential, st, &[key]), Ceremony::Discoverable)
    };
    let result = match result {
        Ok(r) => r,
        Err(WebauthnError::CredentialPossibleCompromise) => {
            // WebAuthn §7.2 step 21: the signature counter did not increase. Possibly a cloned
            // authenticator; refuse and leave a trace for the user and the operator.
            tracing::warn!(user_id = user.id, "passkey sign count regression; possible cloned authenticator");
            audit::record(&state, AuditKind::PasskeyCounterRegression, who, &client, &record.name).await;
            return Err(failed());
        }
        Err(e) => {
            tracing::info!(error = %e, "passkey assertion refused");
            audit::record(&state, AuditKind::LoginFailure, who, &client, "passkey_failed").await;
            return Err(failed());
        }
    };
    pk.update_credential(&result);
    let serialized = serde_json::to_string(&pk).map_err(|e| ApiError::unexpected(e.into()))?;
    let used = PasskeyUse {
        id: record.id,
        credential: &serialized,
        sign_count: i64::from(result.counter()),
        backup_state: result.backup_state(),
        now,
    };
    if !state.store.record_passkey_use(used, record.sign_count).await? {
        // Another assertion with this passkey finished at the same moment.
        return Err(failed());
    }
    let mut methods = vec![Method::Hwk];
    if result.user_verified() {
        methods.push(Method::User);
    }
    let r = match ceremony {
        Ceremony::Second(hash, p) => {
            sign_in::second_factor_done(&state, existing, &hash, &p, &user, &methods, &client).await?
        }
        Ceremony::Recover => {
            recovery::passkey_proven(&state, &req.token, user.id).await?;
            return Ok(Json(json!({ "proven": true })).into_response());
        }
        Ceremony::Discoverable => {
            let return_to = signet_core::ReturnTo::parse(&req.return_to).unwrap_or_default();
            sign_in::complete(&state, existing, &user, &Amr::new(methods), &client, return_to.as_str(), []).await?
        }
    };
    Ok(as_json(r))
}

#[derive(Deserialize)]
pub struct RenameForm {
    #[serde(default)]
    name: String,
}

pub async fn rename(
    State(state): State<AppState>,
    client: ClientInfo,
    Path(id): Path<i64>,
    SessionForm { session: auth, form }: SessionForm<RenameForm>,
) -> Result<Response, PageError> {
    let Some(name) = clean_name(&form.name) else {
        return Err(PageError::BadRequest("A passkey needs a name.".into()));
    };
    if !state.store.rename_passkey(auth.user.id, id, &name).await? {
        return Err(PageError::NotFound);
    }
    let who = audit::user(&auth.user);
    audit::record(&state, AuditKind::PasskeyRename, who, &client, &name).await;
    Ok(super::see_other(&format!("{SECURITY}?notice=passkey_renamed"), []))
}

pub async fn delete(
    State(state): State<AppState>,
    client: ClientInfo,
    Path(id): Path<i64>,
    SessionForm { session: auth, .. }: SessionForm<csrf::Nothing>,
) -> Result<Response, PageError> {
    require_recent_auth(&state, &auth, SECURITY)?;
    if !state.store.delete_passkey(auth.user.id, id).await? {
        return Err(PageError::NotFound);
    }
    mfa::after_factor_removed(&state, &auth, &client, AuditKind::PasskeyRemove, &format!("passkey:{id}")).await?;
    Ok((StatusCode::SEE_OTHER, [(header::LOCATION, format!("{SECURITY}?notice=passkey_removed"))]).into_response())
}
