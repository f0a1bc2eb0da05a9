//! The authorization flow after validation: login → consent → code, each step resuming from
//! the pending request stored under an opaque id. A request that can be answered at once
//! (signed in, consent on record) is never stored. What comes next is always decided by
//! `signet_core::authorize::decide`; this module gathers its facts and carries out its answer.

use axum::response::{IntoResponse, Redirect, Response};
use signet_core::audit::AuditKind;
use signet_core::authorize::{decide, ConsentStep, Facts, OrgFact, Pending, SignedIn, Step, ORG_SCOPE_PREFIX};
use signet_core::mfa::Amr;
use signet_core::protocol::ErrorCode;
use signet_core::{OffsetDateTime, PlainToken, Scope, TokenHash};
use signet_store::{Client, NewCode};
use time::Duration;

use super::respond::{error_redirect, respond, with_form_action};
use crate::audit;
use crate::csrf;
use crate::error::PageError;
use crate::http::ClientInfo;
use crate::pages::{describe_scope, tr};
use crate::session::AuthSession;
use crate::state::AppState;

/// Pending requests live this long: enough to log in and read a consent page.
const PENDING_TTL: Duration = Duration::minutes(15);
/// OAuth 2.1 §4.1.2 recommends a short code lifetime; ours is 60 s.
const CODE_TTL: Duration = Duration::seconds(60);
/// Where the browser comes back to a stored request (the sign-in pages' `return_to`).
const CONTINUE_PATH: &str = "/oauth2/authorize/continue?req=";

/// The URL that resumes the stored request `id`.
pub fn continue_url(id: &str) -> String {
    format!("{CONTINUE_PATH}{id}")
}

/// The stored request a sign-in page's `return_to` resumes, if it resumes one.
pub fn pending_id(return_to: &str) -> Option<&str> {
    return_to.strip_prefix(CONTINUE_PATH)
}

/// Stores a request the browser has to come back to. Anonymous requests cost storage, so they
/// are rate-limited per client address and per client before anything is written.
async fn save(state: &AppState, p: &Pending, ip: &str) -> Result<PlainToken, PageError> {
    let now = state.now();
    let rl = &state.config.rate_limit;
    let limits = [
        (format!("authz-pending-ip:{ip}"), rl.pending_authorizations_per_ip_per_minute),
        (format!("authz-pending-client:{}", p.client_id), rl.pending_authorizations_per_client_per_minute),
    ];
    if let Some(retry_after) = crate::ratelimit::hit_all(state, &limits, Duration::minutes(1), now).await? {
        return Err(PageError::RateLimited { retry_after });
    }
    let id = PlainToken::generate("");
    let json = serde_json::to_string(p).map_err(|e| PageError::Unexpected(e.into()))?;
    state.store.put_request(&id.hash(), &p.client_id, &json, now, now + PENDING_TTL).await?;
    Ok(id)
}

async fn update(state: &AppState, id: &PlainToken, p: &Pending) -> Result<(), PageError> {
    let json = serde_json::to_string(p).map_err(|e| PageError::Unexpected(e.into()))?;
    if !state.store.update_request(&id.hash(), &json, state.now()).await? {
        return Err(expired());
    }
    Ok(())
}

fn expired() -> PageError {
    PageError::BadRequest(tr("error-request-expired"))
}

/// The stored request `id` and its client.
pub async fn load(state: &AppState, id: &str) -> Result<(Pending, Client), PageError> {
    let json = state.store.get_request(&TokenHash::of(id.as_bytes()), state.now()).await?.ok_or_else(expired)?;
    let p: Pending = serde_json::from_str(&json).map_err(|e| PageError::Unexpected(e.into()))?;
    let client = state.store.client(&p.client_id).await?.ok_or_else(expired)?;
    Ok((p, client))
}

async fn consent_covers(state: &AppState, client: &Client, user_id: i64, scope: &str) -> Result<bool, PageError> {
    if client.skip_consent {
        return Ok(true);
    }
    let requested = Scope::parse(scope).unwrap_or_default();
    Ok(match state.store.consent(user_id, &client.client_id).await? {
        Some(granted) => requested.is_subset_of(&Scope::parse(&granted).unwrap_or_default()),
        None => false,
    })
}

/// Runs [`decide`] for `session`, gathering its facts. `now` is the moment the decision is
/// taken for: the present, or when the user reached the consent page (for the consent answer).
async fn evaluate(
    state: &AppState,
    client: &Client,
    p: &Pending,
    session: Option<&AuthSession>,
    now: OffsetDateTime,
) -> Result<Step, PageError> {
    let consent_held = match session {
        Some(s) => consent_covers(state, client, s.user.id, &p.scope).await?,
        None => false,
    };
    let required = p.required_acr(client.require_mfa);
    let signed_in = match session {
        Some(s) => {
            let acr = Amr::parse(&s.session.amr).acr();
            // Only a step-up needs to know the user's factors (saves the lookups otherwise).
            let has_second_factor =
                required.is_some_and(|r| acr < r) && crate::mfa::factors(state, s.user.id).await?.any();
            Some(SignedIn { auth_time: s.session.auth_time, acr, has_second_factor })
        }
        None => None,
    };
    let organization = match (&p.organization, session) {
        (_, None) => OrgFact::NotAsked,
        (Some(o), Some(s)) => match requested_org(state, o, s.user.id).await? {
            Some(_) => OrgFact::Member,
            None => OrgFact::NotMember,
        },
        (None, Some(_)) if !client.require_organization => OrgFact::NotAsked,
        // The client works only inside an organization: the user's only one is taken as asked
        // for; several are a choice for the user; none is a refusal.
        (None, Some(s)) => match state.store.user_orgs(s.user.id).await?.len() {
            0 => OrgFact::NotMember,
            1 => OrgFact::Member,
            _ => OrgFact::PickNeeded,
        },
    };
    let facts = Facts { signed_in, consent_held, client_requires_mfa: client.require_mfa, organization };
    Ok(decide(p, &facts, now))
}

/// The organization a request named (id or slug), if `user_id` is a member of it. An unknown
/// organization and one the user is not in look the same.
async fn requested_org(state: &AppState, org: &str, user_id: i64) -> Result<Option<signet_store::Org>, PageError> {
    let Some(o) = state.store.org(org).await? else { return Ok(None) };
    Ok(state.store.member_role(o.id, user_id).await?.is_some().then_some(o))
}

/// Moves the flow forward for the current browser session. `id` is the stored pending request,
/// if it was stored; it is stored here when the browser has to come back to it.
pub async fn proceed(
    state: &AppState,
    client: &Client,
    id: Option<PlainToken>,
    p: &Pending,
    session: Option<AuthSession>,
    info: &ClientInfo,
) -> Result<Response, PageError> {
    let now = state.now();
    let step = evaluate(state, client, p, session.as_ref(), now).await?;
    let (step, session) = match (step, session) {
        (Step::Fail(error), _) => return Ok(fail(state, id.as_ref(), p, error, "user interaction is required").await),
        (Step::IssueCode, Some(s)) => return issue_code(state, client, id.as_ref(), p, &s).await,
        other => other,
    };
    // Only the session that is shown the consent page may answer it (OIDC Core §3.1.2.4:
    // consent is the End-User's, in this session); any other step clears the binding.
    let mut p = p.clone();
    let before = p.consent_step;
    p.consent_step = match (step, &session) {
        (Step::Consent, Some(s)) => {
            Some(ConsentStep { session_id: s.session.id, user_id: s.user.id, at: now.unix_timestamp() })
        }
        _ => None,
    };
    let id = match id {
        Some(id) => {
            if p.consent_step != before {
                update(state, &id, &p).await?;
            }
            id
        }
        None => save(state, &p, &info.ip).await?,
    };
    match (step, session) {
        (Step::Login, _) => {
            let mut q = url::form_urlencoded::Serializer::new(String::new());
            q.append_pair("return_to", &continue_url(id.expose())).append_pair("force", "1");
            if let Some(h) = &p.login_hint {
                q.append_pair("login_hint", h);
            }
            Ok(Redirect::to(&format!("/login?{}", q.finish())).into_response())
        }
        (Step::EnrolMfa, _) => {
            let q = url::form_urlencoded::Serializer::new(String::new())
                .append_pair("return_to", &continue_url(id.expose()))
                .append_pair("notice", "mfa_required")
                .finish();
            Ok(Redirect::to(&format!("/account/security?{q}")).into_response())
        }
        (Step::Consent, Some(s)) => consent_page(state, client, id.expose(), &p, &s).await,
        (Step::PickOrganization, Some(s)) => pick_page(state, client, id.expose(), &s).await,
        // Consent and code need a session, which `decide` guarantees (and codes left above).
        (Step::Fail(_) | Step::IssueCode, _) | (_, None) => Err(PageError::LoginRequired(continue_url(id.expose()))),
    }
}

/// The organization picker: the user's organizations, each a button that answers
/// `POST /oauth2/authorize/organization` for this stored request.
async fn pick_page(state: &AppState, client: &Client, id: &str, s: &AuthSession) -> Result<Response, PageError> {
    let orgs: Vec<minijinja::Value> = state
        .store
        .user_orgs(s.user.id)
        .await?
        .into_iter()
        .map(|(o, _)| minijinja::context! { id => o.public_id, name => o.name, slug => o.slug })
        .collect();
    let html = state.pages.render(
        "pick_org.html",
        minijinja::context! {
            title => tr("pick-org-title"), signed_in => true,
            csrf => csrf::session_token(state, &s.token_hash),
            client_name => client.name, email => s.user.email, orgs, req => id,
        },
    )?;
    Ok(html.into_response())
}

/// The picker's answer for stored request `req` (CSRF already checked): an organization of the
/// user's, then on as if the client had asked for it. Any other id changes nothing (the
/// organization comes from the user's memberships, never from the form alone).
pub async fn choose_org(
    state: &AppState,
    s: AuthSession,
    info: &ClientInfo,
    req: &str,
    org: &str,
) -> Result<Response, PageError> {
    let (mut p, client) = load(state, req).await?;
    let id = PlainToken::from_client(req.to_owned());
    let Some(o) = requested_org(state, org, s.user.id).await? else {
        return Err(PageError::NotFound);
    };
    p.organization = Some(o.public_id);
    update(state, &id, &p).await?;
    proceed(state, &client, Some(id), &p, Some(s), info).await
}

/// The consent page shows what the app would get: in an organization, its name and the
/// permission scopes narrowed to what the user's roles hold (the same `tokens::tenant::resolve`
/// the token will go through), with the ones withheld named.
async fn consent_page(
    state: &AppState,
    client: &Client,
    id: &str,
    p: &Pending,
    s: &AuthSession,
) -> Result<Response, PageError> {
    let asked = Scope::parse(&p.scope).unwrap_or_default();
    let org = selected_org(state, client, p, s).await?.flatten();
    let mut scope = asked.clone();
    if let Some(o) = &org {
        scope = scope.with(&format!("{ORG_SCOPE_PREFIX}{}", o.public_id));
    }
    let aud = client.audiences.first().cloned().unwrap_or_else(|| state.config.issuer_base().to_owned());
    let granted = match crate::tokens::tenant::resolve(state, client, s.user.id, &scope, &aud).await {
        Ok((granted, _)) => granted,
        Err(crate::tokens::tenant::Lost::Store(e)) => return Err(e.into()),
        Err(_) => scope.clone(),
    };
    let shown = |t: &&str| !t.starts_with(ORG_SCOPE_PREFIX);
    let scopes: Vec<String> = granted.iter().filter(shown).map(describe_scope).collect();
    let withheld: Vec<String> =
        asked.iter().filter(shown).filter(|t| !granted.contains(t)).map(str::to_owned).collect();
    let html = state.pages.render(
        "consent.html",
        minijinja::context! {
            title => tr("consent-title"),
            signed_in => true,
            csrf => csrf::session_token(state, &s.token_hash),
            client_name => client.name,
            client_logo => client.logo_uri,
            client_uri => client.client_uri,
            client_host => client.client_uri.as_deref().and_then(|u| url::Url::parse(u).ok()).and_then(|u| u.host_str().map(str::to_owned)),
            email => s.user.email,
            scopes,
            withheld => withheld.join(" "),
            organization => org.map(|o| o.name),
            req => id,
            redirect_host => url::Url::parse(&p.redirect_uri).ok().and_then(|u| u.host_str().map(str::to_owned)).unwrap_or_default(),
        },
    )?;
    Ok(super::respond::with_client_origins(html.into_response(), &p.redirect_uri, client.logo_uri.as_deref()))
}

/// The answer to the consent page for stored request `req` (CSRF already checked). Only the
/// session the page was shown to may answer, and a code is issued only if the decision, re-run
/// for that session as of that moment, still is "ask for consent" (or "issue"): a request that
/// needs a fresh login, a step-up or a second factor goes there instead, whatever the form says.
pub async fn answer_consent(
    state: &AppState,
    s: AuthSession,
    info: &ClientInfo,
    req: &str,
    allow: bool,
) -> Result<Response, PageError> {
    let (p, client) = load(state, req).await?;
    let id = PlainToken::from_client(req.to_owned());
    let Some(step) = p.consent_step.filter(|c| c.session_id == s.session.id && c.user_id == s.user.id) else {
        return Err(PageError::Forbidden(tr("error-request-other-session")));
    };
    if !allow {
        return Ok(fail(state, Some(&id), &p, ErrorCode::AccessDenied, "the user denied the request").await);
    }
    let at = OffsetDateTime::from_unix_timestamp(step.at).map_err(|e| PageError::Unexpected(e.into()))?;
    match evaluate(state, &client, &p, Some(&s), at).await? {
        Step::Consent | Step::IssueCode => {}
        // OIDC Core §3.1.2.3: freshness, `acr_values` and the client's MFA policy come first.
        _ => return proceed(state, &client, Some(id), &p, Some(s), info).await,
    }
    state.store.put_consent(s.user.id, &client.client_id, &p.scope, state.now()).await?;
    audit::record(
        state,
        AuditKind::ConsentGrant,
        audit::user(&s.user),
        info,
        &format!("client:{} scope:{}", client.client_id, p.scope),
    )
    .await;
    issue_code(state, &client, Some(&id), &p, &s).await
}

/// The organization the request works in: `None` when it asked for none (and the client needs
/// none); `Some(None)` when the user is not a member of the one asked for (or, for a client that
/// requires one, has not exactly one).
async fn selected_org(
    state: &AppState,
    client: &Client,
    p: &Pending,
    s: &AuthSession,
) -> Result<Option<Option<signet_store::Org>>, PageError> {
    Ok(match &p.organization {
        Some(o) => Some(requested_org(state, o, s.user.id).await?),
        // A client that requires one: the user's only organization (`evaluate`).
        None if client.require_organization => match state.store.user_orgs(s.user.id).await?.as_slice() {
            [(only, _)] => Some(Some(only.clone())),
            _ => Some(None),
        },
        None => None,
    })
}

async fn issue_code(
    state: &AppState,
    client: &Client,
    id: Option<&PlainToken>,
    p: &Pending,
    s: &AuthSession,
) -> Result<Response, PageError> {
    // The organization, checked by `decide` a moment ago, travels in the code's scope by its id
    // (`tokens::tenant` reads it back at every issue, refresh and introspection).
    let mut scope = Scope::parse(&p.scope).unwrap_or_default();
    let org = selected_org(state, client, p, s).await?;
    match org {
        Some(Some(org)) => scope = scope.with(&format!("{ORG_SCOPE_PREFIX}{}", org.public_id)),
        Some(None) => return Ok(fail(state, id, p, ErrorCode::AccessDenied, "not a member of the organization").await),
        None => {}
    }
    let code = PlainToken::generate("");
    let now = state.now();
    state
        .store
        .put_code(NewCode {
            code_hash: &code.hash(),
            client_id: &p.client_id,
            user_id: s.user.id,
            session_id: Some(s.session.id),
            redirect_uri: &p.redirect_uri,
            code_challenge: &p.code_challenge,
            nonce: p.nonce.as_deref(),
            scope: &scope.to_string(),
            auth_time: s.session.auth_time,
            amr: &s.session.amr,
            now,
            expires_at: now + CODE_TTL,
        })
        .await?;
    // The pending request is spent: its id cannot be used to mint a second code.
    if let Some(id) = id {
        state.store.delete_request(&id.hash()).await?;
    }
    let mut params = vec![("code", code.expose().to_owned())];
    if let Some(st) = &p.state {
        params.push(("state", st.clone()));
    }
    params.push(("iss", state.config.issuer_base().to_owned()));
    Ok(respond(&p.redirect_uri, p.response_mode, &params))
}

async fn fail(state: &AppState, id: Option<&PlainToken>, p: &Pending, error: ErrorCode, description: &str) -> Response {
    if let Some(id) = id {
        if let Err(e) = state.store.delete_request(&id.hash()).await {
            tracing::warn!(error = %e, "could not delete pending authorization request");
        }
    }
    error_redirect(state, &p.redirect_uri, p.response_mode, p.state.as_deref(), error, description)
}

/// For sign-in pages (password, second factor): inside an OAuth flow the form's redirect chain
/// ends at the client, so its origin is allowed in `form-action` ([`with_form_action`]).
pub fn allow_pending_client(res: Response, pending: Option<&(Pending, Client)>) -> Response {
    match pending {
        Some((p, _)) => with_form_action(res, &p.redirect_uri),
        None => res,
    }
}

/// The pending authorization request (and its client) a sign-in page returns to, if any:
/// the login and second-factor pages name the app ("Sign in to continue to My App").
pub async fn pending_for(state: &AppState, return_to: &str) -> Option<(Pending, Client)> {
    let id = pending_id(return_to)?;
    load(state, id).await.ok()
}
