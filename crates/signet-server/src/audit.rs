//! Writing audit events from handlers. A failure to audit is logged, never shown to the user,
//! and never stops the action (the action already happened).

use signet_core::audit::AuditKind;
use signet_store::NewAudit;

use crate::http::ClientInfo;
use crate::state::AppState;

/// Who did it and to whom.
pub struct Actor<'a> {
    pub user_id: Option<i64>,
    pub email: Option<&'a str>,
}

pub async fn record(state: &AppState, kind: AuditKind, who: Actor<'_>, client: &ClientInfo, detail: &str) {
    let actor = match who.user_id {
        Some(id) => format!("user:{id}"),
        None => "anonymous".to_owned(),
    };
    record_as(state, kind, &actor, who, client, detail).await
}

/// [`record`] with an actor that is not the user: `client:ID` for a client's request.
pub async fn record_as(
    state: &AppState,
    kind: AuditKind,
    actor: &str,
    who: Actor<'_>,
    client: &ClientInfo,
    detail: &str,
) {
    // The email as typed at a login can hold anything (escape sequences, newlines that forge
    // log lines): only a parsed, normalised address is stored.
    let email = who.email.and_then(|e| signet_core::Email::parse(e).ok());
    let res = state
        .store
        .audit(NewAudit {
            kind,
            at: state.now(),
            user_id: who.user_id,
            email: email.as_ref().map(|e| e.as_str()),
            actor,
            ip: &client.ip,
            user_agent: &client.user_agent,
            detail,
        })
        .await;
    if let Err(e) = res {
        tracing::error!(error = %e, kind = kind.as_str(), "could not write audit event");
    }
}
