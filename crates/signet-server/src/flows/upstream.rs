//! Signing in through an upstream identity provider (issue 21).
//!
//! 1. [`start`]: a random `state`, `nonce` and PKCE verifier (RFC 9700 §2.1.1: PKCE against
//!    code injection; `state` against CSRF), kept server-side as a single-use challenge whose
//!    id is the `state`. The browser holds the same value in a cookie, so a callback carried
//!    into another browser (login CSRF, RFC 6749 §10.12) is refused.
//! 2. [`callback`]: the state must be this browser's and unused; the code is redeemed with the
//!    verifier; the ID token is validated (`upstream::oidc`), or GitHub is asked who it is.
//! 3. `resolve`: the identity (provider, issuer, subject) names the account. One met for the
//!    first time is linked, sent to confirmation, created or refused as
//!    `signet_core::federation::first_seen` decides; `flows::upstream_link` confirms.
//!
//! An upstream sign-in counts as one factor (`amr` `fed`): an account with a second factor
//! still asks for it, so linking an identity never bypasses it.

use axum::http::HeaderMap;
use axum::response::Response;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use signet_core::audit::AuditKind;
use signet_core::federation::{self, FirstSeen, FirstStep, Preset};
use signet_core::{Email, PlainToken};
use signet_store::User;

use crate::audit::{self, Actor};
use crate::error::PageError;
use crate::http::{cookie, see_other, ClientInfo};
use crate::pages::{tr, tr_args};
use crate::session::AuthSession;
use crate::state::AppState;
use crate::upstream::oidc::{self, ClientAuth};
use crate::upstream::{apple, github, Provider, UpstreamError};
use crate::{kek, ratelimit};

use super::upstream_account::{
    binding_cookie, clear_binding, client_auth, identity, keep_tokens, link, sign_in, Person, TTL,
};

const STATE_KIND: &str = "upstream_state";

/// A sign-in sent to an upstream, waiting for its callback.
#[derive(Serialize, Deserialize)]
struct Pending {
    provider: String,
    nonce: String,
    /// The PKCE verifier, sealed under the key-encryption key.
    verifier: String,
    return_to: String,
    /// Linking from the account page: the signed-in account.
    link_user: Option<i64>,
}

pub fn upstream_error(e: UpstreamError) -> PageError {
    tracing::warn!(error = %e, "upstream sign-in failed");
    PageError::Upstream(match e {
        UpstreamError::Unreachable(who, _) => tr_args("upstream-unreachable", &[("provider", who.into())]),
        UpstreamError::Protocol(who, _) => tr_args("upstream-protocol", &[("provider", who.into())]),
        UpstreamError::Invalid(who, _) => tr_args("upstream-invalid", &[("provider", who.into())]),
    })
}

/// Sends the browser to the upstream's authorization endpoint.
pub async fn start(
    state: &AppState,
    p: &Provider,
    return_to: &str,
    link_user: Option<i64>,
    login_hint: Option<&str>,
) -> Result<Response, PageError> {
    let endpoint = match p.preset() {
        Preset::Github => github::authorization_endpoint(p),
        _ => oidc::discovery(&state.upstream, p).await.map_err(upstream_error)?.authorization_endpoint.clone(),
    };
    let st = PlainToken::generate("");
    let nonce = PlainToken::generate("");
    let verifier = PlainToken::generate("");
    let sealed = kek::seal(&state.secrets.kek, STATE_KIND.as_bytes(), verifier.expose().as_bytes())?;
    let pending = Pending {
        provider: p.slug.clone(),
        nonce: nonce.expose().to_owned(),
        verifier: STANDARD.encode(sealed),
        return_to: return_to.to_owned(),
        link_user,
    };
    let json = serde_json::to_string(&pending).map_err(|e| PageError::Unexpected(e.into()))?;
    state.store.put_challenge(&st.hash(), STATE_KIND, link_user, &json, state.now() + TTL).await?;
    let mut url = url::Url::parse(&endpoint).map_err(|e| PageError::Unexpected(e.into()))?;
    {
        let mut q = url.query_pairs_mut();
        q.append_pair("response_type", "code")
            .append_pair("client_id", &p.config.client_id)
            .append_pair("redirect_uri", &p.redirect_uri(state.config.issuer_base()))
            .append_pair("scope", &p.scopes())
            .append_pair("state", st.expose())
            .append_pair("code_challenge", &signet_core::pkce::s256(verifier.expose()))
            .append_pair("code_challenge_method", "S256");
        if p.preset().is_oidc() {
            q.append_pair("nonce", nonce.expose());
        }
        if p.preset() == Preset::Apple {
            // Apple sends the name and address only to a form_post callback.
            q.append_pair("response_mode", "form_post");
        }
        if let Some(hint) = login_hint.filter(|h| !h.is_empty()) {
            q.append_pair("login_hint", hint);
        }
    }
    Ok(see_other(url.as_str(), [binding_cookie(state, st.expose(), TTL.whole_seconds())]))
}

/// The callback's parameters: a query, or Apple's form post.
#[derive(Debug, Default, Deserialize)]
pub struct CallbackParams {
    pub state: Option<String>,
    pub code: Option<String>,
    pub error: Option<String>,
    /// RFC 9207: the authorization server's issuer, when it says.
    pub iss: Option<String>,
    /// Sign in with Apple, first authorization only: `{"name":{"firstName","lastName"}}`.
    pub user: Option<String>,
}

async fn refuse(state: &AppState, slug: &str, client: &ClientInfo, why: &str) {
    audit::record(
        state,
        AuditKind::UpstreamRefused,
        Actor::Anonymous { user_id: None, email: None },
        client,
        &format!("{slug}: {why}"),
    )
    .await;
}

/// The upstream sent the browser back.
pub async fn callback(
    state: &AppState,
    slug: &str,
    params: CallbackParams,
    headers: &HeaderMap,
    existing: Option<AuthSession>,
    client: &ClientInfo,
) -> Result<Response, PageError> {
    ratelimit::auth_ceiling(state, &client.ip, state.now()).await?;
    // RFC 6749 §10.12, RFC 9700 §4.7: the state must be the one this browser was given.
    let st = params.state.as_deref().unwrap_or_default();
    let bound = cookie(headers, state.cookies.upstream).unwrap_or_default();
    if st.len() != 43 || !signet_core::secret::ct_eq(st.as_bytes(), bound.as_bytes()) {
        refuse(state, slug, client, "state does not match this browser").await;
        return Err(PageError::BadRequest(tr("upstream-state-mismatch")));
    }
    let taken = state.store.take_challenge(&PlainToken::from_client(st).hash(), STATE_KIND, state.now()).await?;
    let Some((_, json)) = taken else {
        return Err(PageError::BadRequest(tr("upstream-expired")));
    };
    let pending: Pending = serde_json::from_str(&json).map_err(|e| PageError::Unexpected(e.into()))?;
    let p = crate::upstream::registry::get(state, slug).await?.ok_or(PageError::NotFound)?;
    if pending.provider != p.slug {
        refuse(state, slug, client, "state is another provider's").await;
        return Err(PageError::BadRequest(tr("upstream-state-mismatch")));
    }
    if let Some(e) = &params.error {
        // RFC 6749 §4.1.2.1: the person cancelled, or the upstream refused.
        refuse(state, slug, client, &format!("error={}", e.chars().take(40).collect::<String>())).await;
        return Err(PageError::Forbidden(tr_args("upstream-cancelled", &[("provider", p.display_name().into())])));
    }
    let Some(code) = params.code.as_deref().filter(|c| !c.is_empty()) else {
        return Err(PageError::BadRequest(tr("upstream-no-code")));
    };
    let blob = STANDARD.decode(&pending.verifier).map_err(|e| PageError::Unexpected(e.into()))?;
    let verifier = kek::open(&state.secrets.kek, STATE_KIND.as_bytes(), &blob)?;
    let verifier = std::str::from_utf8(&verifier).map_err(|e| PageError::Unexpected(e.into()))?;
    let person = match redeem(state, &p, &params, code, verifier, &pending.nonce).await {
        Ok(person) => person,
        Err(e) => {
            refuse(state, slug, client, &e.to_string()).await;
            return Err(upstream_error(e));
        }
    };
    resolve(state, &p, person, &pending.return_to, pending.link_user, existing, client).await
}

/// Redeems the code and reads who signed in.
async fn redeem(
    state: &AppState,
    p: &Provider,
    params: &CallbackParams,
    code: &str,
    verifier: &str,
    nonce: &str,
) -> Result<Person, UpstreamError> {
    let up = &state.upstream;
    let redirect_uri = p.redirect_uri(state.config.issuer_base());
    let grant = [
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", redirect_uri.as_str()),
        ("code_verifier", verifier),
    ];
    if p.preset() == Preset::Github {
        let tokens =
            oidc::token_request(up, p, &github::token_endpoint(p), ClientAuth::Post, &p.secret.0, &grant).await?;
        let (who, claims) = github::person(up, p, &tokens.access_token).await?;
        return Ok(Person { who, claims, tokens });
    }
    let d = oidc::discovery(up, p).await?;
    // RFC 9207 §2.4: an `iss` parameter must be the provider's (mix-up defence).
    if params.iss.as_deref().is_some_and(|iss| iss != d.issuer && !d.issuer.contains("{tenantid}")) {
        return Err(UpstreamError::Invalid(p.display_name(), "the callback's iss is another issuer"));
    }
    let tokens = if p.preset() == Preset::Apple {
        let secret = apple::client_secret(p, state.now())?;
        oidc::token_request(up, p, &d.token_endpoint, ClientAuth::Post, &secret, &grant).await?
    } else {
        oidc::token_request(up, p, &d.token_endpoint, client_auth(state, p, &d)?, &p.secret.0, &grant).await?
    };
    let id_token =
        tokens.id_token.as_deref().ok_or_else(|| UpstreamError::Protocol(p.display_name(), "no ID token".into()))?;
    let claims = oidc::validate_id_token(up, p, &d, id_token, nonce).await?;
    let info = match &d.userinfo_endpoint {
        Some(u) => oidc::userinfo(up, p, u, &tokens.access_token).await,
        None => None,
    };
    let mut who = federation::from_oidc(p.preset(), &p.config.claim_names(), &claims, info.as_ref())
        .map_err(|e| UpstreamError::Protocol(p.display_name(), e.to_string()))?;
    if p.preset() == Preset::Apple && who.name.is_none() {
        // Apple sends the name once, with the first authorization; kept from then on.
        who.name = params.user.as_deref().and_then(apple_name);
    }
    Ok(Person { who, claims, tokens })
}

fn apple_name(user: &str) -> Option<String> {
    let v: Value = serde_json::from_str(user).ok()?;
    let part = |k: &str| v.pointer(&format!("/name/{k}")).and_then(Value::as_str).unwrap_or_default().trim().to_owned();
    let full = format!("{} {}", part("firstName"), part("lastName")).trim().to_owned();
    (!full.is_empty()).then_some(full)
}

/// The identity names an account, or is met for the first time.
async fn resolve(
    state: &AppState,
    p: &Provider,
    person: Person,
    return_to: &str,
    link_user: Option<i64>,
    existing: Option<AuthSession>,
    client: &ClientInfo,
) -> Result<Response, PageError> {
    let who = &person.who;
    let provider = || p.display_name();
    if let Err(e) = federation::required_claims_hold(&p.config.required_claims, &person.claims) {
        refuse(state, &p.slug, client, &e.to_string()).await;
        return Err(PageError::Forbidden(tr_args("upstream-claim-refused", &[("provider", provider().into())])));
    }
    let found = state.store.identity(&p.slug, &who.issuer, &who.subject).await?;
    if let Some(uid) = link_user {
        // Linking from the account page: still the same person signed in here.
        let Some(auth) = existing.filter(|a| a.user.id == uid) else {
            return Err(PageError::LoginRequired("/account/identities".into()));
        };
        return match found {
            Some(i) if i.user_id == uid => Ok(see_other("/account/identities", [clear_binding(state)])),
            Some(_) => {
                refuse(state, &p.slug, client, "already linked to another account").await;
                Err(PageError::Forbidden(tr_args("upstream-linked-elsewhere", &[("provider", provider().into())])))
            }
            None => {
                link(state, p, &auth.user, &person, "account page", client).await?;
                Ok(see_other("/account/identities?notice=identity_linked", [clear_binding(state)]))
            }
        };
    }
    if let Some(identity) = found {
        state.store.touch_identity(identity.id, who.email.as_deref(), who.name.as_deref(), state.now()).await?;
        keep_tokens(state, p, identity.id, &person.tokens).await;
        let user = state.store.user_by_id(identity.user_id).await?.ok_or(PageError::NotFound)?;
        return sign_in(state, existing, &user, client, return_to).await;
    }
    let local = match who.email.as_deref().map(Email::parse) {
        Some(Ok(e)) => state.store.user_by_email(&e).await?,
        _ => None,
    };
    let step = federation::first_seen(&FirstSeen {
        policy: p.config.link_policy(),
        authoritative: p.config.email_authoritative,
        email_trusted: who.email_trusted,
        local_verified: local.as_ref().map(User::email_verified),
        create: p.config.create_accounts,
    });
    let refused = |key: &'static str| {
        let msg = tr_args(key, &[("provider", provider().into())]);
        async move {
            refuse(state, &p.slug, client, key).await;
            Err(PageError::Forbidden(msg))
        }
    };
    match (step, local) {
        (FirstStep::Link, Some(user)) => {
            link(state, p, &user, &person, "automatic", client).await?;
            sign_in(state, existing, &user, client, return_to).await
        }
        (FirstStep::Confirm, Some(user)) => super::upstream_link::ask(state, p, &user, &person, return_to).await,
        (FirstStep::Create, None) => create(state, p, &person, existing, client, return_to).await,
        (FirstStep::RefuseExisting, _) => refused("upstream-refuse-existing").await,
        (FirstStep::RefuseUntrusted, _) => refused("upstream-refuse-untrusted").await,
        _ => refused("upstream-refuse-unknown").await,
    }
}

/// Just-in-time account creation: a new account (no password) with the identity linked.
async fn create(
    state: &AppState,
    p: &Provider,
    person: &Person,
    existing: Option<AuthSession>,
    client: &ClientInfo,
    return_to: &str,
) -> Result<Response, PageError> {
    let who = &person.who;
    let email = who.email.as_deref().and_then(|e| Email::parse(e).ok()).ok_or_else(|| {
        PageError::Forbidden(tr_args("upstream-refuse-untrusted", &[("provider", p.display_name().into())]))
    })?;
    let new = identity(p, who, state);
    let (user, identity) = match state.store.create_federated_user(&email, true, new).await {
        Ok(created) => created,
        // The address or the identity was taken a moment ago (a second tab): start again.
        Err(signet_store::StoreError::Conflict) => return Err(PageError::BadRequest(tr("upstream-expired"))),
        Err(e) => return Err(e.into()),
    };
    if let Some(name) = &who.name {
        let profile = signet_core::Profile { name: Some(name.clone()), ..Default::default() };
        state.store.set_profile(user.id, &profile, state.now()).await?;
    }
    audit::record(state, AuditKind::UserCreate, audit::user(&user), client, &format!("via {}", p.slug)).await;
    audit::record(state, AuditKind::IdentityLink, audit::user(&user), client, &format!("{}: new account", p.slug))
        .await;
    keep_tokens(state, p, identity.id, &person.tokens).await;
    sign_in(state, existing, &user, client, return_to).await
}
