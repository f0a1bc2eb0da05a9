//! Delivering one message: lettre builds it (addresses parsed, headers encoded, so nothing in
//! a name or subject can add a header) and sends it over SMTP, or writes it as an `.eml` file
//! when no SMTP server is configured.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};

use lettre::message::header::ContentType;
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use signet_store::QueuedMail;

use crate::config::Config;

enum Transport {
    Files(AsyncFileTransport<Tokio1Executor>),
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
}

/// How a delivery attempt went.
#[derive(Debug)]
pub enum Outcome {
    Sent,
    /// Worth trying again later (connection refused, timeout, 4xx).
    Retry(String),
    /// Never going to work (a 5xx answer, an address that does not parse).
    GiveUp(String),
}

/// The configured transport and sender.
pub struct Mailer {
    transport: Transport,
    from: Mailbox,
    /// Where `.eml` files go when there is no SMTP server.
    pub files: Option<PathBuf>,
    /// The last SMTP attempt failed (for `/readyz`).
    failing: AtomicBool,
    pub max_attempts: i64,
}

/// Never shows the SMTP credentials.
impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer").field("from", &self.from.to_string()).field("files", &self.files).finish()
    }
}

impl Mailer {
    pub fn new(config: &Config) -> anyhow::Result<Self> {
        let m = &config.mail;
        let from: Mailbox = m.from.parse().map_err(|e| anyhow::anyhow!("mail.from: {e}"))?;
        let timeout = std::time::Duration::from_secs(m.timeout.whole_seconds().max(1) as u64);
        let (transport, files) = match &m.smtp_url {
            Some(url) => {
                let t = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map_err(|e| anyhow::anyhow!("mail.smtp_url: {e}"))?
                    .timeout(Some(timeout))
                    .build();
                (Transport::Smtp(t), None)
            }
            None => {
                let dir = config.data_dir.join("mail");
                std::fs::create_dir_all(&dir).map_err(|e| anyhow::anyhow!("{}: {e}", dir.display()))?;
                (Transport::Files(AsyncFileTransport::new(&dir)), Some(dir))
            }
        };
        Ok(Self { transport, from, files, failing: AtomicBool::new(false), max_attempts: i64::from(m.max_attempts) })
    }

    /// Whether SMTP is configured and its last attempt failed.
    pub fn is_failing(&self) -> bool {
        self.failing.load(Ordering::Relaxed)
    }

    pub fn uses_smtp(&self) -> bool {
        matches!(self.transport, Transport::Smtp(_))
    }

    /// Builds the message: text, or text and HTML as alternatives.
    pub fn build(&self, m: &QueuedMail) -> Result<Message, String> {
        let to: Mailbox = m.to.parse().map_err(|e| format!("recipient does not parse: {e}"))?;
        let b = Message::builder().from(self.from.clone()).to(to).subject(m.subject.clone());
        let built = match &m.html_body {
            Some(html) => b.multipart(MultiPart::alternative_plain_html(m.text_body.clone(), html.clone())),
            None => b.singlepart(SinglePart::builder().header(ContentType::TEXT_PLAIN).body(m.text_body.clone())),
        };
        built.map_err(|e| format!("message does not build: {e}"))
    }

    /// One delivery attempt.
    pub async fn send(&self, m: &QueuedMail) -> Outcome {
        let msg = match self.build(m) {
            Ok(msg) => msg,
            Err(e) => return Outcome::GiveUp(e),
        };
        match &self.transport {
            Transport::Files(t) => match t.send(msg).await {
                Ok(_) => Outcome::Sent,
                Err(e) => Outcome::Retry(format!("writing the .eml file: {e}")),
            },
            Transport::Smtp(t) => {
                let res = t.send(msg).await;
                self.failing.store(res.as_ref().is_err_and(|e| !e.is_permanent()), Ordering::Relaxed);
                match res {
                    Ok(_) => Outcome::Sent,
                    Err(e) if e.is_permanent() => Outcome::GiveUp(e.to_string()),
                    Err(e) => Outcome::Retry(e.to_string()),
                }
            }
        }
    }
}
