//! What every upstream sign-in ends with, whichever way it went (`flows::upstream`, a
//! confirmed link in `flows::upstream_link`): the browser binding, linking an identity (with
//! its tokens into the vault), and signing the account in.

use axum::http::HeaderValue;
use axum::response::Response;
use serde_json::Value;
use signet_core::audit::AuditKind;
use signet_core::federation::Upstream;
use signet_core::mfa::{Amr, Method};
use signet_store::{NewIdentity, SealedUpstreamTokens, User};
use time::Duration;

use crate::audit::{self, Actor};
use crate::error::PageError;
use crate::http::{see_other, ClientInfo};
use crate::pages::{tr, tr_args};
use crate::session::AuthSession;
use crate::state::AppState;
use crate::upstream::oidc::Tokens;
use crate::upstream::Provider;
use crate::{kek, mfa};

/// Long enough to sign in at the upstream (and its second factor); short enough to expire.
pub const TTL: Duration = Duration::minutes(10);

/// What the upstream said, validated.
pub struct Person {
    pub who: Upstream,
    /// The claims the required-claims rules test (ID token, or GitHub's `/user`).
    pub claims: Value,
    pub tokens: Tokens,
}

/// The cookie binding an upstream sign-in to this browser. `SameSite=None` where cookies are
/// `Secure`: Sign in with Apple answers with a cross-site POST (`form_post`), which would not
/// carry a Lax cookie; the value is only a random binding, no session.
pub fn binding_cookie(state: &AppState, value: &str, max_age: i64) -> HeaderValue {
    let name = state.cookies.upstream;
    let attrs = if state.cookies.secure { "SameSite=None; Secure" } else { "SameSite=Lax" };
    HeaderValue::from_str(&format!("{name}={value}; Path=/; HttpOnly; {attrs}; Max-Age={max_age}"))
        .unwrap_or_else(|_| HeaderValue::from_static("invalid=; Max-Age=0"))
}

pub fn clear_binding(state: &AppState) -> HeaderValue {
    binding_cookie(state, "", 0)
}

pub fn identity<'a>(p: &'a Provider, who: &'a Upstream, state: &AppState) -> NewIdentity<'a> {
    NewIdentity {
        provider: &p.slug,
        issuer: &who.issuer,
        subject: &who.subject,
        email: who.email.as_deref(),
        name: who.name.as_deref(),
        now: state.now(),
    }
}

/// Links the identity to `user`, audited; keeps its tokens if the provider says so.
pub async fn link(
    state: &AppState,
    p: &Provider,
    user: &User,
    person: &Person,
    how: &str,
    client: &ClientInfo,
) -> Result<(), PageError> {
    let linked = match state.store.link_identity(user.id, identity(p, &person.who, state)).await {
        Ok(i) => i,
        Err(signet_store::StoreError::Conflict) => {
            return Err(PageError::Forbidden(tr_args(
                "upstream-linked-elsewhere",
                &[("provider", p.display_name().into())],
            )))
        }
        Err(e) => return Err(e.into()),
    };
    audit::record(state, AuditKind::IdentityLink, audit::user(user), client, &format!("{}: {how}", p.slug)).await;
    keep_tokens(state, p, linked.id, &person.tokens).await;
    Ok(())
}

/// The account is known: on to its second factor if it has one, else a session.
pub async fn sign_in(
    state: &AppState,
    existing: Option<AuthSession>,
    user: &User,
    client: &ClientInfo,
    return_to: &str,
) -> Result<Response, PageError> {
    sign_in_with(state, existing, user, client, return_to, Amr::new([Method::Fed])).await
}

pub async fn sign_in_with(
    state: &AppState,
    existing: Option<AuthSession>,
    user: &User,
    client: &ClientInfo,
    return_to: &str,
    amr: Amr,
) -> Result<Response, PageError> {
    if !user.can_sign_in(state.now()) {
        let who = Actor::Anonymous { user_id: Some(user.id), email: Some(&user.email) };
        audit::record(state, AuditKind::LoginFailure, who, client, "disabled").await;
        return Err(PageError::Forbidden(tr("upstream-account-disabled")));
    }
    if mfa::factors(state, user.id).await?.any() {
        let pending = mfa::PendingLogin {
            user_id: user.id,
            email_input: user.email.clone(),
            return_to: return_to.to_owned(),
            amr: amr.to_stored(),
        };
        let cookie = mfa::start_pending(state, &pending).await?;
        return Ok(see_other("/login/second-factor", [cookie, clear_binding(state)]));
    }
    super::sign_in::complete(state, existing, user, &amr, client, return_to, [clear_binding(state)]).await
}

/// The associated data binding a vault token to its identity.
pub fn vault_aad(identity_id: i64, which: &str) -> Vec<u8> {
    format!("upstream-token:{identity_id}:{which}").into_bytes()
}

/// Keeps the identity's upstream tokens when the provider stores them. Best effort: a failure
/// is logged, and the next sign-in stores them again.
pub async fn keep_tokens(state: &AppState, p: &Provider, identity_id: i64, t: &Tokens) {
    if !p.config.store_tokens {
        return;
    }
    let kek = &state.secrets.kek;
    let sealed = (|| {
        let access = kek::seal(kek, &vault_aad(identity_id, "access"), t.access_token.as_bytes())?;
        let refresh = match &t.refresh_token {
            Some(r) => Some(kek::seal(kek, &vault_aad(identity_id, "refresh"), r.as_bytes())?),
            None => None,
        };
        anyhow::Ok(SealedUpstreamTokens {
            access,
            refresh,
            expires_at: t.expires_in.map(|s| state.now() + time::Duration::seconds(s.clamp(0, 86_400 * 366))),
            scope: t.scope.clone().unwrap_or_default(),
        })
    })();
    let res = match sealed {
        Ok(s) => state.store.put_upstream_tokens(identity_id, &s, state.now()).await.map_err(anyhow::Error::from),
        Err(e) => Err(e),
    };
    if let Err(e) = res {
        tracing::warn!(error = %format!("{e:#}"), provider = %p.slug, "upstream tokens not stored");
    }
}

/// How Signet authenticates at a discovered provider's token endpoint: a `private_key_jwt`
/// assertion signed with Signet's own key when configured, else the client secret.
pub fn client_auth(
    state: &AppState,
    p: &Provider,
    d: &crate::upstream::oidc::Discovery,
) -> Result<crate::upstream::oidc::ClientAuth, crate::upstream::UpstreamError> {
    use crate::upstream::oidc;
    if !p.config.private_key_jwt() {
        return Ok(oidc::client_auth(p, d));
    }
    let alg = state.config.tokens.signing_alg.as_str();
    oidc::client_assertion(&state.keys.snapshot(), alg, &p.config.client_id, &d.issuer, state.now())
        .map(oidc::ClientAuth::PrivateKeyJwt)
        .map_err(|e| crate::upstream::UpstreamError::Protocol(p.display_name(), format!("client assertion: {e}")))
}
