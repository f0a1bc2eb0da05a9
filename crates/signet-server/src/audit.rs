//! Writing audit events from handlers. A failure to audit is logged, never shown to the user,
//! and never stops the action (the action already happened).

use signet_core::audit::AuditKind;
use signet_store::NewAudit;

use crate::http::ClientInfo;
use crate::state::AppState;

pub use signet_core::audit::Actor;

/// The actor for a signed-in user (or one completing a sign-in) acting on their own account.
pub fn user(u: &signet_store::User) -> Actor<'_> {
    Actor::User { id: u.id, email: Some(&u.email) }
}

pub async fn record(state: &AppState, kind: AuditKind, who: Actor<'_>, client: &ClientInfo, detail: &str) {
    state.metrics.count("audit", kind.as_str());
    // The email as typed at a login can hold anything (escape sequences, newlines that forge
    // log lines): only a parsed, normalised address is stored.
    let email = who.email().and_then(|e| signet_core::Email::parse(e).ok());
    let res = state
        .store
        .audit(NewAudit {
            kind,
            at: state.now(),
            user_id: who.user_id(),
            email: email.as_ref().map(|e| e.as_str()),
            actor: &who.label(),
            ip: &client.ip,
            user_agent: &client.user_agent,
            detail,
        })
        .await;
    if let Err(e) = res {
        tracing::error!(error = %e, kind = kind.as_str(), "could not write audit event");
    }
}
