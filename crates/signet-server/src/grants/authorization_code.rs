//! `grant_type=authorization_code` (OAuth 2.1 §4.1.3): code + PKCE verifier + redirect URI.
//! A code works once; presenting a used code revokes every token it produced (RFC 6749 §4.1.2,
//! RFC 9700 §4.5) and is audited.

use signet_core::audit::AuditKind;
use signet_core::{PkceChallenge, PlainToken, Scope};
use signet_store::{Client, CodeRecord, CodeTokens, NewAudit};

use super::{audience, require_grant};
use crate::http::ClientInfo;
use crate::oauth::OAuthError;
use crate::state::AppState;
use crate::tokens::access::denylist_key;
use crate::tokens::{self, id_token, TokenResponse};
use signet_core::client::GrantType;

pub struct CodeRequest<'a> {
    pub code: Option<&'a str>,
    pub redirect_uri: Option<&'a str>,
    pub code_verifier: Option<&'a str>,
}

fn invalid(why: &str) -> OAuthError {
    OAuthError::InvalidGrant(why.into())
}

pub async fn grant(
    state: &AppState,
    client: &Client,
    req: CodeRequest<'_>,
    info: &ClientInfo,
) -> Result<TokenResponse, OAuthError> {
    require_grant(client, GrantType::AuthorizationCode)?;
    let code = req.code.ok_or_else(|| OAuthError::InvalidRequest("code is required".into()))?;
    let redirect_uri = req.redirect_uri.ok_or_else(|| OAuthError::InvalidRequest("redirect_uri is required".into()))?;
    let verifier =
        req.code_verifier.ok_or_else(|| OAuthError::InvalidRequest("code_verifier is required (PKCE)".into()))?;
    let now = state.now();
    let rec = state
        .store
        .code_by_hash(&PlainToken::from_client(code).hash())
        .await?
        .ok_or_else(|| invalid("invalid authorization code"))?;
    if rec.used_at.is_some() {
        return Err(replayed(state, &rec, info).await);
    }
    // The code is bound to the client it was issued to, its redirect URI and its PKCE challenge.
    if rec.client_id != client.client_id {
        return Err(invalid("invalid authorization code"));
    }
    if now >= rec.expires_at {
        return Err(invalid("authorization code expired"));
    }
    if rec.redirect_uri != redirect_uri {
        return Err(invalid("redirect_uri does not match the authorization request"));
    }
    if !PkceChallenge::from_stored(rec.code_challenge.clone()).verify(verifier) {
        return Err(invalid("PKCE verification failed"));
    }
    let user = match state.store.user_by_id(rec.user_id).await? {
        Some(u) if !u.disabled => u,
        _ => return Err(invalid("the user is no longer active")),
    };
    let scope = Scope::parse(&rec.scope).unwrap_or_default();
    let aud = audience(state, client, None)?;
    let auth = tokens::UserAuth::from_stored(rec.auth_time, &rec.amr);
    // The tokens are made first so that marking the code used and recording them is one write.
    let grant = tokens::issue_for_user(state, client, &user, &aud, &scope, &auth, now).await?;
    let at = grant.access;
    let issued_scope = grant.scope;
    let family_id = grant.refresh.as_ref().map(|(id, _)| *id);
    let refresh_token = grant.refresh.map(|(_, t)| t.expose().to_owned());
    // Compare-and-set: of two concurrent redemptions exactly one proceeds; the other is a replay
    // (RFC 6749 §4.1.2): the tokens it just made are dropped, and the winner's are revoked.
    let issued = CodeTokens { family_id, access_jti: &at.jti, access_exp: at.exp };
    if !state.store.redeem_code(rec.id, now, issued).await? {
        if let Some(family) = family_id {
            state.store.revoke_family(family, "code_replay", now).await?;
        }
        let winner = state.store.code_by_hash(&PlainToken::from_client(code).hash()).await?;
        return Err(replayed(state, winner.as_ref().unwrap_or(&rec), info).await);
    }
    let id_token = if scope.contains("openid") {
        let alg = tokens::id_token_alg(state, client);
        let claims = id_token::IdClaims {
            iss: state.config.issuer_base().to_owned(),
            sub: tokens::subject_for(state, client, &user.subject),
            aud: client.client_id.clone(),
            exp: at.exp.unix_timestamp(),
            iat: now.unix_timestamp(),
            auth_time: rec.auth_time.unix_timestamp(),
            nonce: rec.nonce.clone(),
            azp: client.client_id.clone(),
            amr: auth.amr.to_claim(),
            acr: auth.amr.acr().as_str().into(),
            at_hash: id_token::at_hash(
                tokens::keys::parse_alg(alg).unwrap_or(jsonwebtoken::Algorithm::ES256),
                &at.token,
            ),
            user: id_token::scope_claims(&user, &scope),
        };
        Some(id_token::sign(&state.keys.snapshot(), alg, &claims)?)
    } else {
        None
    };
    // RFC 6749 §5.1: the scope granted, which may be narrower than the one consented to.
    Ok(TokenResponse::new(at, &issued_scope, refresh_token, id_token))
}

/// A used code came back: someone has a copy. Revoke what it produced and refuse.
async fn replayed(state: &AppState, rec: &CodeRecord, info: &ClientInfo) -> OAuthError {
    let now = state.now();
    if let Some(family) = rec.family_id {
        if let Err(e) = state.store.revoke_family(family, "code_replay", now).await {
            tracing::error!(error = %e, "could not revoke family after code replay");
        }
    }
    if let (Some(jti), Some(exp)) = (&rec.access_jti, rec.access_exp) {
        if let Err(e) = state.ephemeral.set_flag(&denylist_key(jti), exp, now).await {
            tracing::error!(error = %e, "could not denylist access token after code replay");
        }
    }
    tracing::warn!(client_id = %rec.client_id, "authorization code replay; issued tokens revoked");
    let actor = format!("client:{}", rec.client_id);
    state.metrics.count("audit", AuditKind::AuthorizationCodeReplay.as_str());
    let _ = state
        .store
        .audit(NewAudit {
            kind: AuditKind::AuthorizationCodeReplay,
            at: now,
            user_id: Some(rec.user_id),
            email: None,
            actor: &actor,
            ip: &info.ip,
            user_agent: &info.user_agent,
            detail: "tokens issued from the code were revoked",
        })
        .await;
    invalid("invalid authorization code")
}
