//! Multi-step flows, apart from the handlers that drive them: a handler parses, authenticates
//! and checks CSRF, then calls a flow, which carries out what `signet_core` decides.

pub mod authorize;
pub mod authz;
pub mod deletion;
pub mod email_change;
pub mod groups;
pub mod invite;
pub mod new_device;
pub mod orgs;
pub mod recovery;
pub mod respond;
pub mod sign_in;
pub mod upstream;
pub mod upstream_account;
pub mod upstream_link;
pub mod vault;
pub mod verify;

/// Runs `work` after the answer, in a task of its own, in the language of the page that asked
/// (for its mail). The answers about an address (sign-up, recovery, resend, change of address)
/// are the same for every address because the work that depends on it happens here; a failure
/// is logged as `what`.
pub fn after_answer<F>(state: &crate::state::AppState, what: &'static str, work: F)
where
    F: std::future::Future<Output = anyhow::Result<()>> + Send + 'static,
{
    let lang = crate::pages::i18n::current();
    let pages = state.pages.clone();
    tokio::spawn(async move {
        if let Err(e) = crate::pages::i18n::in_language(lang, pages, work).await {
            tracing::warn!(error = %format!("{e:#}"), "{what} failed after the answer");
        }
    });
}
