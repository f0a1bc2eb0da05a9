//! Confirming a link: an upstream identity met for the first time carries the address of a
//! local account, and the provider's policy asks for proof of that account first (Kratos
//! links only after the existing credential is proven). The pending link lives server-side as
//! a single-use challenge naming the exact (provider, issuer, subject) and the account; the
//! browser holds only its random id in a cookie. The proof — the account's password, on the
//! account's login budget — uses it up, so it links that identity once and nothing else
//! (`link_proof_replayed_for_other_sub_rejected`).
//!
//! Also the token vault's writing side: an identity's upstream tokens, sealed under the
//! key-encryption key and bound to the identity's row.

use axum::http::{HeaderMap, HeaderValue};
use axum::response::Response;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde::{Deserialize, Serialize};
use signet_core::federation::Upstream;
use signet_core::mfa::{Amr, Method};
use signet_core::{Password, PlainToken, TokenHash};
use signet_store::User;
use zeroize::Zeroizing;

use super::upstream_account::{Person, TTL};
use crate::error::PageError;
use crate::http::{cookie, see_other, set_cookie, ClientInfo};
use crate::session::AuthSession;
use crate::state::AppState;
use crate::upstream::oidc::Tokens;
use crate::upstream::Provider;
use crate::{audit, kek, ratelimit};

const LINK_KIND: &str = "upstream_link";

/// A link waiting for proof of the account.
#[derive(Serialize, Deserialize)]
pub struct PendingLink {
    /// The account the link is for.
    pub user_id: i64,
    pub provider: String,
    pub provider_name: String,
    pub issuer: String,
    pub subject: String,
    pub email: Option<String>,
    pub name: Option<String>,
    pub return_to: String,
    /// The upstream tokens of this sign-in (JSON), sealed, for the vault.
    tokens: Option<String>,
}

#[derive(Serialize, Deserialize)]
struct TokenParts {
    access: String,
    refresh: Option<String>,
    expires_in: Option<i64>,
    scope: Option<String>,
}

fn seal_tokens(state: &AppState, t: &Tokens) -> Option<String> {
    let parts = TokenParts {
        access: t.access_token.to_string(),
        refresh: t.refresh_token.as_ref().map(|r| r.to_string()),
        expires_in: t.expires_in,
        scope: t.scope.clone(),
    };
    let json = Zeroizing::new(serde_json::to_vec(&parts).ok()?);
    kek::seal(&state.secrets.kek, LINK_KIND.as_bytes(), &json).ok().map(|b| STANDARD.encode(b))
}

fn open_tokens(state: &AppState, sealed: &str) -> Option<Tokens> {
    let blob = STANDARD.decode(sealed).ok()?;
    let json = kek::open(&state.secrets.kek, LINK_KIND.as_bytes(), &blob).ok()?;
    let parts: TokenParts = serde_json::from_slice(&json).ok()?;
    Some(Tokens {
        access_token: Zeroizing::new(parts.access),
        refresh_token: parts.refresh.map(Zeroizing::new),
        expires_in: parts.expires_in,
        id_token: None,
        scope: parts.scope,
    })
}

pub fn clear_cookie(state: &AppState) -> HeaderValue {
    set_cookie(state.cookies.link, "", 0, state.cookies.secure)
}

/// Parks the link and sends the browser to the confirmation page.
pub async fn ask(
    state: &AppState,
    p: &Provider,
    user: &User,
    person: &Person,
    return_to: &str,
) -> Result<Response, PageError> {
    let who: &Upstream = &person.who;
    let pending = PendingLink {
        user_id: user.id,
        provider: p.slug.clone(),
        provider_name: p.display_name(),
        issuer: who.issuer.clone(),
        subject: who.subject.clone(),
        email: who.email.clone(),
        name: who.name.clone(),
        return_to: return_to.to_owned(),
        tokens: if p.config.store_tokens { seal_tokens(state, &person.tokens) } else { None },
    };
    let id = PlainToken::generate("");
    let json = serde_json::to_string(&pending).map_err(|e| PageError::Unexpected(e.into()))?;
    state.store.put_challenge(&id.hash(), LINK_KIND, Some(user.id), &json, state.now() + TTL).await?;
    let c = set_cookie(state.cookies.link, id.expose(), TTL.whole_seconds(), state.cookies.secure);
    Ok(see_other("/login/idp/confirm", [c, super::upstream_account::clear_binding(state)]))
}

/// The pending link this browser holds: its id's hash, the account, and the link.
pub async fn pending(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Option<(TokenHash, User, PendingLink)>, PageError> {
    let Some(value) = cookie(headers, state.cookies.link).filter(|v| v.len() == 43) else { return Ok(None) };
    let hash = PlainToken::from_client(value).hash();
    let Some(json) = state.store.peek_challenge(&hash, LINK_KIND, state.now()).await? else { return Ok(None) };
    let link: PendingLink = serde_json::from_str(&json).map_err(|e| PageError::Unexpected(e.into()))?;
    let Some(user) = state.store.user_by_id(link.user_id).await? else { return Ok(None) };
    Ok(Some((hash, user, link)))
}

/// What the confirmation came to.
pub enum Confirmed {
    /// Linked and signed in (or on to the second factor).
    Done(Response),
    /// The password was wrong: the page again, with the attempts left.
    WrongPassword { remaining: u32 },
}

/// The confirmation form was sent: the account's password proves it.
pub async fn confirm(
    state: &AppState,
    headers: &HeaderMap,
    password: Password,
    existing: Option<AuthSession>,
    client: &ClientInfo,
) -> Result<Confirmed, PageError> {
    let now = state.now();
    ratelimit::auth_ceiling(state, &client.ip, now).await?;
    let Some((hash, user, link)) = pending(state, headers).await? else {
        return Err(PageError::BadRequest(crate::pages::tr("upstream-expired")));
    };
    // The account's own budget, as at the login form: guesses here are guesses at its password.
    let budget = ratelimit::Budget::account(&user.email);
    let who = audit::Actor::Anonymous { user_id: Some(user.id), email: Some(&user.email) };
    let reserved = ratelimit::reserve_or_lockout(state, &budget, client, who, now).await?;
    let verified = state.hash_pool.verify(user.password.clone(), password).await?;
    if verified.is_none() || !user.can_sign_in(now) {
        let who = audit::Actor::Anonymous { user_id: Some(user.id), email: Some(&user.email) };
        audit::record(state, signet_core::audit::AuditKind::LoginFailure, who, client, "bad_password").await;
        return Ok(Confirmed::WrongPassword { remaining: reserved.remaining });
    }
    // Used up here, once: a second request with the same cookie finds nothing.
    let Some((owner, _)) = state.store.take_challenge(&hash, LINK_KIND, now).await? else {
        return Err(PageError::BadRequest(crate::pages::tr("upstream-expired")));
    };
    if owner != Some(user.id) {
        return Err(PageError::BadRequest(crate::pages::tr("upstream-expired")));
    }
    ratelimit::attempt_succeeded(state, &budget, &client.ip, now).await?;
    let p = crate::upstream::registry::get(state, &link.provider).await?.ok_or(PageError::NotFound)?;
    let who = Upstream {
        issuer: link.issuer.clone(),
        subject: link.subject.clone(),
        email: link.email.clone(),
        email_trusted: false,
        name: link.name.clone(),
    };
    let tokens = link.tokens.as_deref().and_then(|t| open_tokens(state, t)).unwrap_or(Tokens {
        access_token: Zeroizing::new(String::new()),
        refresh_token: None,
        expires_in: None,
        id_token: None,
        scope: None,
    });
    let keep = link.tokens.is_some();
    let person = Person { who, claims: serde_json::Value::Null, tokens };
    let mut p_keep = p.clone();
    p_keep.config.store_tokens = p.config.store_tokens && keep;
    super::upstream_account::link(state, &p_keep, &user, &person, "confirmed with password", client).await?;
    // Two factors were shown: the password here, and the upstream sign-in.
    let amr = Amr::new([Method::Pwd, Method::Fed]);
    let mut res = super::upstream_account::sign_in_with(state, existing, &user, client, &link.return_to, amr).await?;
    res.headers_mut().append(axum::http::header::SET_COOKIE, clear_cookie(state));
    Ok(Confirmed::Done(res))
}
