//! Signing in, after the credentials were checked: the password step hands over to the second
//! factor (`mfa::start_pending`) when the account has one; the last step starts a fresh session
//! ([`complete`]). Password, second-factor and passkey handlers all end here.

use axum::response::Response;
use signet_core::audit::AuditKind;
use signet_core::mfa::{Amr, Method};
use signet_core::TokenHash;
use signet_store::User;

use crate::audit;
use crate::error::PageError;
use crate::http::ClientInfo;
use crate::mfa::{self, PendingLogin};
use crate::state::AppState;
use crate::{ratelimit, session};

/// The login succeeded (every required factor): a fresh session, an audit record, and on to
/// `return_to`.
pub async fn complete(
    state: &AppState,
    existing: Option<session::AuthSession>,
    user: &signet_store::User,
    amr: &Amr,
    client: &ClientInfo,
    return_to: &str,
    extra_cookies: impl IntoIterator<Item = axum::http::HeaderValue>,
) -> Result<Response, PageError> {
    // Session fixation (OWASP): never keep a pre-login session id; always issue a fresh one.
    if let Some(old) = existing {
        state.store.delete_session(old.session.id).await?;
    }
    // The operator requires a proven address: no session until then; a new code goes out
    // (within the resend limit) and the user types it on the verification page.
    if state.config.accounts.require_verified_email && !user.email_verified() {
        let key = [(format!("verify-resend:{}", user.email), 3)];
        if ratelimit::hit_all(state, &key, state.config.rate_limit.window, state.now()).await?.is_none() {
            crate::flows::verify::send_later(state, user.clone());
        }
        let cookies: Vec<_> = extra_cookies.into_iter().collect();
        return Ok(crate::http::see_other("/verify-email?why=login", cookies));
    }
    let (_, cookie) = session::start(state, user.id, client, state.now(), amr).await?;
    let who = audit::user(user);
    audit::record(state, AuditKind::LoginSuccess, who, client, &amr.to_stored()).await;
    crate::flows::new_device::after_sign_in(state, user, client).await;
    // This browser now knows the account (OWASP device cookies; see `ratelimit`).
    let device = crate::device_cookie::issue(state, &user.email);
    let cookies: Vec<_> = [cookie, device].into_iter().chain(extra_cookies).collect();
    // An account waiting to be deleted: signing in offers to cancel first.
    let to = if user.delete_after.is_some() { "/account/delete" } else { return_to };
    Ok(crate::http::see_other(to, cookies))
}

/// The second factor is done: use up the pending login (once) and start the session.
pub async fn second_factor_done(
    state: &AppState,
    existing: Option<crate::session::AuthSession>,
    hash: &TokenHash,
    p: &PendingLogin,
    user: &User,
    methods: &[Method],
    client: &ClientInfo,
) -> Result<Response, PageError> {
    if !mfa::finish_pending(state, hash).await? {
        return Ok(crate::http::see_other("/login?notice=mfa_expired", [mfa::clear_pending_cookie(state)]));
    }
    ratelimit::attempt_succeeded(state, &ratelimit::Budget::account(&p.email_input), &client.ip, state.now()).await?;
    let amr = signet_core::mfa::Amr::new(signet_core::mfa::Amr::parse(&p.amr).methods().iter().chain(methods).copied());
    complete(state, existing, user, &amr, client, &p.return_to, [mfa::clear_pending_cookie(state)]).await
}
