//! Writing audit events from handlers. A failure to audit is logged, never shown to the user,
//! and never stops the action (the action already happened).

use signet_core::audit::AuditKind;
use signet_store::NewAudit;

use crate::http::ClientInfo;
use crate::state::AppState;

/// Who did it, and the account it concerned. The stored `actor` is `user:ID`, `anonymous`,
/// `client:ID`, `cli` or `system`.
#[derive(Debug, Clone, Copy)]
pub enum Actor<'a> {
    /// A signed-in user, or one completing a sign-in, acting on their own account.
    User { id: i64, email: Option<&'a str> },
    /// Someone not signed in; the attempt may name an account (the typed email, the user id).
    Anonymous { user_id: Option<i64>, email: Option<&'a str> },
    /// A client with its own credentials, acting on a user's tokens or its own.
    Client { client_id: &'a str, user_id: Option<i64> },
    /// The operator at the command line.
    Cli,
    /// Signet itself (scheduled work such as key rotation).
    System,
}

impl<'a> Actor<'a> {
    pub fn user(u: &'a signet_store::User) -> Self {
        Actor::User { id: u.id, email: Some(&u.email) }
    }

    /// The stored `actor` column.
    pub fn label(&self) -> String {
        match self {
            Actor::User { id, .. } => format!("user:{id}"),
            Actor::Anonymous { .. } => "anonymous".into(),
            Actor::Client { client_id, .. } => format!("client:{client_id}"),
            Actor::Cli => "cli".into(),
            Actor::System => "system".into(),
        }
    }

    /// The account the event concerns.
    pub fn user_id(&self) -> Option<i64> {
        match self {
            Actor::User { id, .. } => Some(*id),
            Actor::Anonymous { user_id, .. } | Actor::Client { user_id, .. } => *user_id,
            Actor::Cli | Actor::System => None,
        }
    }

    fn email(&self) -> Option<&'a str> {
        match self {
            Actor::User { email, .. } | Actor::Anonymous { email, .. } => *email,
            _ => None,
        }
    }
}

pub async fn record(state: &AppState, kind: AuditKind, who: Actor<'_>, client: &ClientInfo, detail: &str) {
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
