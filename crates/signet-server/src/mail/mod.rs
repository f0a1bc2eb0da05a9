//! Mail through an outbox. A request only adds a row (`send`); the delivery worker
//! (`deliver_due`, run by the server's upkeep loop every 2 s) claims due messages under a lease,
//! so with several instances one delivers each, and retries with backoff. A slow or failing
//! SMTP server never blocks or fails a request, and nothing is lost across restarts.

pub mod transport;

use signet_store::NewMail;
use time::Duration;

use crate::state::AppState;
use transport::Outcome;

/// How long a claimed message is held by one worker: longer than a delivery can take.
const LEASE: Duration = Duration::minutes(5);
/// Messages per worker round.
const BATCH: i64 = 20;

/// A message to queue. The recipient must be a plain address (no display name, nothing that
/// could be read as another header); subject and bodies come from templates.
#[derive(Debug, Clone)]
pub struct Mail<'a> {
    pub kind: &'a str,
    pub to: &'a str,
    pub subject: &'a str,
    pub text: &'a str,
    pub html: Option<&'a str>,
}

/// Why a message was not queued.
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("not a deliverable address")]
    BadAddress,
    #[error("the subject has a line break or control character")]
    BadSubject,
    #[error("rendering the message: {0}")]
    Render(String),
    #[error(transparent)]
    Store(#[from] signet_store::StoreError),
}

/// Renders message `kind` (templates `mail_KIND.txt`/`.html`, subject `mail-KIND-subject`) in
/// the current language and the operator's brand, and queues it.
pub async fn compose(state: &AppState, kind: &str, to: &str, ctx: impl serde::Serialize) -> Result<i64, MailError> {
    let m = state.pages.render_mail(kind, ctx).map_err(|e| MailError::Render(format!("{e:#}")))?;
    send(state, Mail { kind, to, subject: &m.subject, text: &m.text, html: Some(&m.html) }).await
}

/// A message in the generic layout (`mail_notice.*`): translated paragraphs, an optional code
/// and button, and small print. The subject is the catalog's `mail-KIND-subject`.
#[derive(Debug, Default, serde::Serialize)]
pub struct Notice {
    pub paragraphs: Vec<String>,
    pub code_label: Option<String>,
    pub code: Option<String>,
    pub button: Option<Button>,
    pub notes: Vec<String>,
}

#[derive(Debug, serde::Serialize)]
pub struct Button {
    pub label: String,
    pub link: String,
}

impl Notice {
    pub fn button(mut self, label: String, link: String) -> Self {
        self.button = Some(Button { label, link });
        self
    }
}

/// A plain address both our account rules (no whitespace or control characters) and lettre's
/// address grammar accept; a CR/LF in either would otherwise be a header-injection attempt.
pub fn is_deliverable(to: &str) -> bool {
    signet_core::Email::parse(to).is_ok() && to.parse::<lettre::Address>().is_ok()
}

/// Queues a message (one row; delivery happens in the background).
pub async fn send(state: &AppState, m: Mail<'_>) -> Result<i64, MailError> {
    if !is_deliverable(m.to) {
        return Err(MailError::BadAddress);
    }
    if m.subject.chars().any(char::is_control) {
        return Err(MailError::BadSubject);
    }
    let id = state
        .store
        .enqueue_mail(NewMail {
            kind: m.kind,
            to: m.to,
            subject: m.subject,
            text_body: m.text,
            html_body: m.html,
            now: state.now(),
        })
        .await?;
    Ok(id)
}

/// The wait before attempt `n + 1` after `n` failed: 30 s, 1 min, 2 min, … up to an hour.
pub fn backoff(attempts: i64) -> Duration {
    let shift = attempts.clamp(1, 8) - 1;
    Duration::seconds((30_i64 << shift).min(3600))
}

/// One worker round: claims up to a batch of due messages and tries each once. Returns
/// (claimed, sent); a full batch means more may be waiting.
pub async fn deliver_due(state: &AppState) -> anyhow::Result<(usize, usize)> {
    let now = state.now();
    let due = state.store.claim_mail(now, now + LEASE, BATCH).await?;
    let claimed = due.len();
    let mut sent = 0;
    for m in due {
        let outcome = state.mailer.send(&m).await;
        let now = state.now();
        match outcome {
            Outcome::Sent => {
                state.store.mail_sent(m.id, now).await?;
                sent += 1;
                match &state.mailer.files {
                    Some(dir) => {
                        tracing::info!(id = m.id, kind = %m.kind, dir = %dir.display(), "mail written as .eml")
                    }
                    None => tracing::info!(id = m.id, kind = %m.kind, "mail sent"),
                }
            }
            Outcome::Retry(e) if m.attempts < state.mailer.max_attempts => {
                tracing::warn!(id = m.id, kind = %m.kind, attempts = m.attempts, error = %e, "mail delivery failed; will retry");
                state.store.mail_failed(m.id, &e, Some(now + backoff(m.attempts)), now).await?;
            }
            Outcome::Retry(e) | Outcome::GiveUp(e) => {
                tracing::error!(id = m.id, kind = %m.kind, attempts = m.attempts, error = %e, "mail given up");
                state.store.mail_failed(m.id, &e, None, now).await?;
            }
        }
    }
    Ok((claimed, sent))
}

/// Whether a round claimed a full batch (the worker then goes again at once).
pub fn more_waiting(claimed: usize) -> bool {
    claimed as i64 >= BATCH
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_to_an_hour() {
        let secs: Vec<i64> = (1..=10).map(|n| backoff(n).whole_seconds()).collect();
        assert_eq!(secs, [30, 60, 120, 240, 480, 960, 1920, 3600, 3600, 3600]);
    }
}
