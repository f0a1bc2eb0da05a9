//! `signet mail …`: check the mail settings.

use std::sync::Arc;

use clap::Subcommand;
use signet_core::SystemClock;
use signet_server::mail::transport::Outcome;
use signet_server::Config;

#[derive(Subcommand)]
pub enum MailCmd {
    /// Send a branded test message now, straight through the configured transport (SMTP, or an
    /// .eml file under data_dir/mail without one), and say what happened.
    Test {
        /// The recipient.
        #[arg(long, value_name = "EMAIL")]
        to: String,
        /// The language of the message: en, de or fr.
        #[arg(long, value_name = "LANG", default_value = "en")]
        lang: String,
    },
}

pub async fn mail(config: Config, cmd: MailCmd) -> anyhow::Result<()> {
    let state = signet_server::build_state(config, Arc::new(SystemClock)).await?;
    match cmd {
        MailCmd::Test { to, lang } => {
            if !signet_server::mail::is_deliverable(&to) {
                anyhow::bail!("--to {to:?} is not an e-mail address");
            }
            let pages = state.pages.clone();
            let m = signet_server::pages::i18n::in_language(&lang, pages.clone(), async {
                pages.render_mail("test", serde_json::json!({}))
            })
            .await?;
            let queued = signet_store::QueuedMail {
                id: 0,
                kind: "test".into(),
                to: to.clone(),
                subject: m.subject,
                text_body: m.text,
                html_body: Some(m.html),
                attempts: 1,
            };
            match state.mailer.send(&queued).await {
                Outcome::Sent => match &state.mailer.files {
                    Some(dir) => println!("written to {} (no [mail] smtp_url configured)", dir.display()),
                    None => println!("sent to {to}"),
                },
                Outcome::Retry(e) => anyhow::bail!("not sent (temporary failure; the outbox would retry): {e}"),
                Outcome::GiveUp(e) => anyhow::bail!("not sent (refused): {e}"),
            }
        }
    }
    Ok(())
}
