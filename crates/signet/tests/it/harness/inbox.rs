//! Reading what Signet mailed: a test server whose outbox delivers to a real SMTP server
//! (aiosmtpd, [`SmtpServer`]), and helpers to find a message, its links and its code.

use signet_server::Config;

use super::{SmtpServer, TestServer};

/// A Signet that delivers its mail over SMTP to a fresh aiosmtpd.
pub async fn with_smtp(tweak: impl FnOnce(&mut Config)) -> (TestServer, SmtpServer) {
    let smtp = SmtpServer::start();
    let url = smtp.url();
    let s = TestServer::with(|c| {
        c.mail.smtp_url = Some(url);
        tweak(c);
    })
    .await;
    (s, smtp)
}

/// A raw message made readable: quoted-printable soft breaks and `=3D` undone.
fn decode(raw: &str) -> String {
    raw.replace("=\r\n", "").replace("=\n", "").replace("=3D", "=")
}

fn to_of(m: &str) -> Option<&str> {
    m.lines().find_map(|l| l.strip_prefix("To: ")).map(str::trim)
}

impl SmtpServer {
    /// Every message to `to` so far, decoded.
    pub fn to(&self, to: &str) -> Vec<String> {
        self.messages().iter().map(|m| decode(m)).filter(|m| to_of(m) == Some(to)).collect()
    }

    /// Waits for a message to `to` whose text contains `needle`; panics after 15 s.
    pub async fn wait_mail(&self, to: &str, needle: &str) -> String {
        for _ in 0..150 {
            if let Some(m) = self.to(to).into_iter().find(|m| m.contains(needle)) {
                return m;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        let seen: Vec<String> = self.messages().iter().map(|m| decode(m)).collect();
        unreachable!("no mail to {to} containing {needle:?}; got {seen:#?}")
    }
}

/// The path of the first link in `mail` starting with `prefix` (e.g. `/verify-email/sgn_ev_`).
pub fn link_in(mail: &str, prefix: &str) -> String {
    let at = mail.find(prefix).unwrap_or_else(|| unreachable!("no {prefix} link in {mail}"));
    let rest = &mail[at..];
    let end = rest.find(|c: char| !(c.is_ascii_alphanumeric() || "/_-".contains(c))).unwrap_or(rest.len());
    rest[..end].to_owned()
}

/// The verification code in a mail ("Your code: 123456").
pub fn code_in(mail: &str) -> String {
    let at = mail.find("Your code: ").unwrap_or_else(|| unreachable!("no code in {mail}")) + "Your code: ".len();
    mail[at..].chars().take(6).collect()
}
