//! Refresh tokens: opaque, 256-bit, prefixed `sgn_rt_` for secret scanners, stored as SHA-256,
//! rotated on every use within a family (rules in `signet_core::refresh`).

use signet_core::audit::AuditKind;
use signet_core::refresh::{PresentedToken, RefreshPolicy, Rotation};
use signet_core::{OffsetDateTime, PlainToken, Scope};
use signet_store::{Client, NewAudit, NewFamily, NewRefresh, RefreshRecord, RotateOutcome, StoreError};

use crate::oauth::OAuthError;
use crate::state::AppState;

pub const PREFIX: &str = "sgn_rt_";

pub fn policy(state: &AppState) -> RefreshPolicy {
    let t = &state.config.tokens;
    RefreshPolicy { idle: t.refresh_idle_ttl, absolute: t.refresh_absolute_ttl, grace: t.refresh_grace }
}

/// Starts a new family (at a grant: authorization code, device code); returns its id and first token.
pub async fn start_family(
    state: &AppState,
    client_id: &str,
    user_id: Option<i64>,
    scope: &Scope,
    audience: &str,
    auth: Option<&super::UserAuth>,
    now: OffsetDateTime,
) -> Result<(i64, PlainToken), StoreError> {
    let p = policy(state);
    let token = PlainToken::generate(PREFIX);
    let family_end = now + p.absolute;
    let scope = scope.to_string();
    let auth_time = auth.map(|a| a.time);
    let amr = auth.map(|a| a.amr.to_stored()).unwrap_or_default();
    let family_id = state
        .store
        .create_family(
            NewFamily {
                client_id,
                user_id,
                scope: &scope,
                audience,
                auth_time,
                amr: &amr,
                now,
                absolute_expires_at: family_end,
            },
            NewRefresh {
                token_hash: &token.hash(),
                scope: &scope,
                now,
                idle_expires_at: p.idle_expiry(now, family_end),
            },
        )
        .await?;
    Ok((family_id, token))
}

fn presented(rec: &RefreshRecord, client: &Client) -> PresentedToken {
    PresentedToken {
        used_at: rec.used_at,
        successor_used: rec.successor_used,
        idle_expires_at: rec.idle_expires_at,
        family_expires_at: rec.family_expires_at,
        family_revoked: rec.family_revoked,
        client_matches: rec.client_id == client.client_id,
    }
}

fn invalid() -> OAuthError {
    OAuthError::InvalidGrant("refresh token is invalid, expired or revoked".into())
}

/// Exchanges a refresh token: returns the record it belonged to and its successor. Reuse of a
/// used token revokes the whole family and is audited (RFC 9700 §4.14.2).
pub async fn exchange(
    state: &AppState,
    client: &Client,
    presented_token: &str,
    ip: &str,
) -> Result<(RefreshRecord, PlainToken), OAuthError> {
    let hash = PlainToken::from_client(presented_token).hash();
    let p = policy(state);
    // At most two rounds: a lost compare-and-set re-reads the row once and decides again.
    for _ in 0..2 {
        let rec = state.store.refresh_by_token(&hash).await?.ok_or_else(invalid)?;
        let now = state.now();
        let decision = p.decide(&presented(&rec, client), now);
        match decision {
            Rotation::Reject => return Err(invalid()),
            Rotation::ReuseDetected => return Err(reuse_detected(state, &rec, ip, now).await),
            Rotation::Rotate | Rotation::RetryWithinGrace => {}
        }
        // Only now, with a rotation decided, is a successor worth generating.
        let successor = PlainToken::generate(PREFIX);
        let new = NewRefresh {
            token_hash: &successor.hash(),
            scope: &rec.scope,
            now,
            idle_expires_at: p.idle_expiry(now, rec.family_expires_at),
        };
        let outcome = if decision == Rotation::Rotate {
            state.store.rotate_refresh(rec.token_id, rec.family_id, new).await?
        } else {
            match state.store.replace_successor(rec.token_id, rec.family_id, new).await? {
                RotateOutcome::Rotated => RotateOutcome::Rotated,
                // The successor was used meanwhile: this is no retry.
                RotateOutcome::AlreadyUsed => return Err(reuse_detected(state, &rec, ip, now).await),
            }
        };
        if outcome == RotateOutcome::Rotated {
            return Ok((rec, successor));
        }
    }
    Err(invalid())
}

async fn reuse_detected(state: &AppState, rec: &RefreshRecord, ip: &str, now: OffsetDateTime) -> OAuthError {
    if let Err(e) = state.store.revoke_family(rec.family_id, "reuse_detected", now).await {
        tracing::error!(error = %e, "could not revoke refresh family after reuse");
        return OAuthError::TemporarilyUnavailable;
    }
    tracing::warn!(family = rec.family_id, client_id = %rec.client_id, "refresh token reuse detected; family revoked");
    let detail = format!("family:{} client:{}", rec.family_id, rec.client_id);
    let actor = format!("client:{}", rec.client_id);
    state.metrics.count("audit", AuditKind::RefreshTokenReuseDetected.as_str());
    let res = state
        .store
        .audit(NewAudit {
            kind: AuditKind::RefreshTokenReuseDetected,
            at: now,
            user_id: rec.user_id,
            email: None,
            actor: &actor,
            ip,
            user_agent: "",
            detail: &detail,
        })
        .await;
    if let Err(e) = res {
        tracing::error!(error = %e, "could not audit refresh reuse");
    }
    invalid()
}
