//! `POST /oauth2/revoke` (RFC 7009). A refresh token revokes its whole family; an access token
//! has its `jti` denylisted until it would expire anyway.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use serde::Deserialize;
use signet_core::PlainToken;

use signet_core::audit::AuditKind;

use crate::audit::{self, Actor};
use crate::http::ClientInfo;
use crate::oauth::{authenticate_client, OAuthError, OAuthForm};
use crate::state::AppState;
use crate::tokens::{access, refresh};

#[derive(Debug, Deserialize)]
pub struct RevokeForm {
    token: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
}

fn not_yours() -> OAuthError {
    // RFC 7009 §2.1: the server verifies the token was issued to the requesting client and
    // refuses the request otherwise.
    OAuthError::UnauthorizedClient("the token was not issued to this client".into())
}

pub async fn revoke(
    State(state): State<AppState>,
    headers: HeaderMap,
    info: ClientInfo,
    OAuthForm(form): OAuthForm<RevokeForm>,
) -> Result<StatusCode, OAuthError> {
    let client =
        authenticate_client(&state, &headers, form.client_id.as_deref(), form.client_secret.as_deref()).await?;
    let token = form
        .token
        .as_deref()
        .filter(|t| !t.is_empty())
        .ok_or_else(|| OAuthError::InvalidRequest("token is required".into()))?;
    // token_type_hint is ignored (RFC 7009 §2.1 allows it): the `sgn_rt_` prefix tells the
    // token types apart.
    let now = state.now();
    if token.starts_with(refresh::PREFIX) {
        if let Some(rec) = state.store.refresh_by_token(&PlainToken::from_client(token).hash()).await? {
            if rec.client_id != client.client_id {
                return Err(not_yours());
            }
            state.store.revoke_family(rec.family_id, "revoked_by_client", now).await?;
            let who = Actor::Client { client_id: &client.client_id, user_id: rec.user_id };
            let detail = format!("refresh_family:{}", rec.family_id);
            audit::record(&state, AuditKind::TokenRevoke, who, &info, &detail).await;
        }
        return Ok(StatusCode::OK);
    }
    let issuer = state.config.issuer_base();
    if let Ok(claims) = access::verify(&state.keys.snapshot(), token, issuer, now) {
        if claims.client_id != client.client_id {
            return Err(not_yours());
        }
        let until = time::OffsetDateTime::from_unix_timestamp(claims.exp).unwrap_or(now);
        state.ephemeral.set_flag(&access::denylist_key(&claims.jti), until, now).await?;
        let user_id = match claims.sub != claims.client_id {
            true => state.store.user_by_subject(&claims.sub).await?.map(|u| u.id),
            false => None,
        };
        let who = Actor::Client { client_id: &client.client_id, user_id };
        let detail = format!("access_token:{}", claims.jti);
        audit::record(&state, AuditKind::TokenRevoke, who, &info, &detail).await;
    }
    // RFC 7009 §2.2: invalid or unknown tokens also get 200; there is nothing left to revoke.
    Ok(StatusCode::OK)
}
