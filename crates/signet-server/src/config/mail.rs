//! `[mail]`: where Signet's messages go. Without `smtp_url` they are written as `.eml` files
//! under `data_dir/mail/` (zero setup; the log says where, never what).

use serde::Deserialize;
use time::Duration;

use super::{redact_url, ConfigError};

#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MailConfig {
    /// The sender: `Acme ID <no-reply@acme.example>`.
    pub from: String,
    /// `smtps://user:pass@host:465` (implicit TLS), `smtp://user:pass@host:587?tls=required`
    /// (STARTTLS, required), or plain `smtp://127.0.0.1:2525` to a loopback relay only.
    pub smtp_url: Option<String>,
    /// Per connection and command.
    #[serde(deserialize_with = "super::de_duration")]
    pub timeout: Duration,
    /// Attempts per message (retries back off from 30 s to an hour) before it is given up.
    pub max_attempts: u32,
}

impl Default for MailConfig {
    fn default() -> Self {
        Self {
            from: "Signet <no-reply@localhost>".into(),
            smtp_url: None,
            timeout: Duration::seconds(10),
            max_attempts: 8,
        }
    }
}

/// The URL holds the SMTP password: shown redacted.
impl std::fmt::Debug for MailConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MailConfig")
            .field("from", &self.from)
            .field("smtp_url", &self.smtp_url.as_deref().map(redact_url))
            .field("timeout", &self.timeout)
            .field("max_attempts", &self.max_attempts)
            .finish()
    }
}

impl MailConfig {
    pub(super) fn validate(&self) -> Result<(), ConfigError> {
        self.from.parse::<lettre::message::Mailbox>().map_err(|e| {
            ConfigError::new("mail.from", format!("{:?} is not an address like Name <a@b.example> ({e})", self.from))
        })?;
        if !(1..=50).contains(&self.max_attempts) {
            return Err(ConfigError::new("mail.max_attempts", "must be between 1 and 50"));
        }
        if self.timeout <= Duration::ZERO || self.timeout > Duration::minutes(5) {
            return Err(ConfigError::new("mail.timeout", "must be between 1s and 5m"));
        }
        let Some(raw) = &self.smtp_url else { return Ok(()) };
        let bad = |m: &str| ConfigError::new("mail.smtp_url", format!("{:?}: {m}", redact_url(raw)));
        let u = url::Url::parse(raw).map_err(|_| bad("not a URL"))?;
        let host = u.host().ok_or_else(|| bad("no host"))?;
        let loopback = match host {
            // (smtp: is not a "special" scheme to the URL parser: an IP address stays a string.)
            url::Host::Domain(d) => d == "localhost" || d.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback()),
            url::Host::Ipv4(ip) => ip.is_loopback(),
            url::Host::Ipv6(ip) => ip.is_loopback(),
        };
        let tls_required = u.query_pairs().any(|(k, v)| k == "tls" && v == "required");
        match u.scheme() {
            "smtps" => Ok(()),
            // Passwords and recovery links never cross a network in the clear.
            "smtp" if tls_required || loopback => Ok(()),
            "smtp" => Err(bad("plain SMTP only to a loopback relay; use smtps:// or add ?tls=required (STARTTLS)")),
            _ => Err(bad("use smtps:// or smtp://")),
        }
    }
}
