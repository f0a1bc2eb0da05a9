//! The authorization request after validation: login → consent → code, each step resuming from
//! the pending request stored under an opaque id (an explicit state machine). A request that can be
//! answered at once (signed in, consent on record) is never stored. `decide` is the state
//! machine's transition function; the handlers only carry out what it says.

use axum::extract::State;
use axum::http::Uri;
use axum::http::{header, HeaderValue};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use signet_core::audit::AuditKind;
use signet_core::mfa::{Acr, Amr};
use signet_core::{OffsetDateTime, PlainToken, Scope, TokenHash};
use signet_store::{Client, NewCode};
use time::Duration;

use super::authorize::{ConsentStep, Pending, ResponseMode};
use crate::audit::{self, Actor};
use crate::csrf;
use crate::error::PageError;
use crate::http::{query_param, ClientInfo, PageForm};
use crate::session::{AuthSession, MaybeSession, RequireSession};
use crate::state::AppState;

/// Pending requests live this long: enough to log in and read a consent page.
const PENDING_TTL: Duration = Duration::minutes(15);
/// OAuth 2.1 §4.1.2 recommends a short code lifetime; ours is 60 s.
const CODE_TTL: Duration = Duration::seconds(60);

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
    PageError::BadRequest("This sign-in request has expired. Go back to the application and start again.".into())
}

async fn load(state: &AppState, id: &str) -> Result<(Pending, Client), PageError> {
    let json = state.store.get_request(&TokenHash::of(id.as_bytes()), state.now()).await?.ok_or_else(expired)?;
    let p: Pending = serde_json::from_str(&json).map_err(|e| PageError::Unexpected(e.into()))?;
    let client = state.store.client(&p.client_id).await?.ok_or_else(expired)?;
    Ok((p, client))
}

/// What the flow needs next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Login,
    /// Two factors are required and the user has no second factor yet: set one up.
    EnrolMfa,
    Consent,
    IssueCode,
    /// `prompt=none` but the user must interact.
    Fail(&'static str),
}

/// What the flow knows about the browser's sign-in.
#[derive(Debug, Clone, Copy)]
pub struct SignedIn {
    pub auth_time: OffsetDateTime,
    pub acr: Acr,
    /// The user has a second factor (so a fresh login reaches two factors).
    pub has_factor: bool,
}

/// The transition function (OIDC Core §3.1.2.1 for `prompt`, `max_age` and `acr_values`).
/// `required` is the assurance the request (`acr_values`) or the client's policy demands.
pub fn decide(
    p: &Pending,
    signed_in: Option<SignedIn>,
    required: Option<Acr>,
    consent_covers: bool,
    now: OffsetDateTime,
) -> Step {
    let none = p.prompt.iter().any(|x| x == "none");
    let fresh_login_asked = p.prompt.iter().any(|x| x == "login" || x == "select_account");
    let Some(s) = signed_in else {
        return if none { Step::Fail("login_required") } else { Step::Login };
    };
    let t = s.auth_time;
    let needs_login = (fresh_login_asked && t.unix_timestamp() < p.created_at)
        || p.max_age.is_some_and(|m| (now - t).whole_seconds() > m);
    if needs_login {
        return if none { Step::Fail("login_required") } else { Step::Login };
    }
    if required.is_some_and(|r| s.acr < r) {
        // Step-up: a user with a second factor signs in again (and completes it); one without
        // must set one up first.
        return match (none, s.has_factor) {
            (true, true) => Step::Fail("login_required"),
            (true, false) => Step::Fail("interaction_required"),
            (false, true) => Step::Login,
            (false, false) => Step::EnrolMfa,
        };
    }
    let consent_asked = p.prompt.iter().any(|x| x == "consent");
    if !consent_covers || consent_asked {
        return if none { Step::Fail("consent_required") } else { Step::Consent };
    }
    Step::IssueCode
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

fn continue_url(id: &str) -> String {
    format!("/oauth2/authorize/continue?req={id}")
}

/// Runs [`decide`] for `session`, gathering what it needs. `now` is the moment the decision is
/// taken for: the present, or when the user reached the consent page (for the consent answer).
async fn evaluate(
    state: &AppState,
    client: &Client,
    p: &Pending,
    session: Option<&AuthSession>,
    now: OffsetDateTime,
) -> Result<Step, PageError> {
    let covers = match session {
        Some(s) => consent_covers(state, client, s.user.id, &p.scope).await?,
        None => false,
    };
    // The weakest acceptable level the request names; a client's "MFA required" raises it.
    let mut required = p.acr_values.as_deref().and_then(Acr::required_by);
    if client.require_mfa {
        required = Some(Acr::MultiFactor);
    }
    let signed_in = match session {
        Some(s) => {
            let acr = Amr::parse(&s.session.amr).acr();
            // Only a step-up needs to know the user's factors (saves the lookups otherwise).
            let has_factor = required.is_some_and(|r| acr < r) && crate::mfa::factors(state, s.user.id).await?.any();
            Some(SignedIn { auth_time: s.session.auth_time, acr, has_factor })
        }
        None => None,
    };
    Ok(decide(p, signed_in, required, covers, now))
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
        (Step::IssueCode, Some(s)) => return issue_code(state, id.as_ref(), p, &s).await,
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
        (Step::Consent, Some(s)) => consent_page(state, client, id.expose(), &p, &s),
        // Consent and code need a session, which `decide` guarantees (and codes left above).
        (Step::Fail(_) | Step::IssueCode, _) | (_, None) => Err(PageError::LoginRequired(continue_url(id.expose()))),
    }
}

/// `GET /oauth2/authorize/continue?req=ID`: back from the login page.
pub async fn resume(
    State(state): State<AppState>,
    MaybeSession(session): MaybeSession,
    info: ClientInfo,
    uri: Uri,
) -> Result<Response, PageError> {
    let id = query_param(&uri, "req").unwrap_or_default();
    let (p, client) = load(&state, &id).await?;
    proceed(&state, &client, Some(PlainToken::from_client(id)), &p, session, &info).await
}

/// The plain-words description of a scope on the consent page.
fn describe(scope: &str) -> String {
    match scope {
        "openid" => "Confirm who you are (your account id)".into(),
        "profile" => "See your basic profile".into(),
        "email" => "See your email address".into(),
        "offline_access" => "Stay connected when you are not using it".into(),
        other => format!("Access “{other}”"),
    }
}

fn consent_page(
    state: &AppState,
    client: &Client,
    id: &str,
    p: &Pending,
    s: &AuthSession,
) -> Result<Response, PageError> {
    let scopes: Vec<String> = Scope::parse(&p.scope).unwrap_or_default().iter().map(describe).collect();
    let html = state.pages.render(
        "consent.html",
        minijinja::context! {
            title => "Allow access?",
            signed_in => true,
            csrf => csrf::session_token(state, &s.token_hash),
            client_name => client.name,
            email => s.user.email,
            scopes,
            req => id,
            redirect_host => url::Url::parse(&p.redirect_uri).ok().and_then(|u| u.host_str().map(str::to_owned)).unwrap_or_default(),
        },
    )?;
    Ok(with_form_action(html.into_response(), &p.redirect_uri))
}

#[derive(Deserialize)]
pub struct ConsentForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    req: String,
    #[serde(default)]
    decision: String,
}

/// `POST /oauth2/consent`. Only the session the consent page was shown to may answer, and a
/// code is issued only if the flow's decision, re-run for that session, still is "ask for
/// consent" (or "issue"): a request that needs a fresh login, a step-up or a second factor goes
/// there instead, whatever the form says.
pub async fn consent(
    State(state): State<AppState>,
    RequireSession(s): RequireSession,
    client_info: ClientInfo,
    PageForm(form): PageForm<ConsentForm>,
) -> Result<Response, PageError> {
    csrf::check_session(&state, &s.token_hash, &form.csrf)?;
    let (p, client) = load(&state, &form.req).await?;
    let id = PlainToken::from_client(form.req.clone());
    let Some(step) = p.consent_step.filter(|c| c.session_id == s.session.id && c.user_id == s.user.id) else {
        return Err(PageError::Forbidden(
            "This sign-in request was not started in this browser session. Go back to the application and start again."
                .into(),
        ));
    };
    if form.decision != "allow" {
        return Ok(fail(&state, Some(&id), &p, "access_denied", "the user denied the request").await);
    }
    let at = OffsetDateTime::from_unix_timestamp(step.at).map_err(|e| PageError::Unexpected(e.into()))?;
    match evaluate(&state, &client, &p, Some(&s), at).await? {
        Step::Consent | Step::IssueCode => {}
        // OIDC Core §3.1.2.3: freshness, `acr_values` and the client's MFA policy come first.
        _ => return proceed(&state, &client, Some(id), &p, Some(s), &client_info).await,
    }
    state.store.put_consent(s.user.id, &client.client_id, &p.scope, state.now()).await?;
    let who = Actor { user_id: Some(s.user.id), email: Some(&s.user.email) };
    audit::record(
        &state,
        AuditKind::ConsentGrant,
        who,
        &client_info,
        &format!("client:{} scope:{}", client.client_id, p.scope),
    )
    .await;
    issue_code(&state, Some(&id), &p, &s).await
}

async fn issue_code(
    state: &AppState,
    id: Option<&PlainToken>,
    p: &Pending,
    s: &AuthSession,
) -> Result<Response, PageError> {
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
            scope: &p.scope,
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

async fn fail(
    state: &AppState,
    id: Option<&PlainToken>,
    p: &Pending,
    error: &'static str,
    description: &str,
) -> Response {
    if let Some(id) = id {
        if let Err(e) = state.store.delete_request(&id.hash()).await {
            tracing::warn!(error = %e, "could not delete pending authorization request");
        }
    }
    error_redirect(
        state,
        ErrorRedirect {
            redirect_uri: &p.redirect_uri,
            state: p.state.as_deref(),
            mode: p.response_mode,
            error,
            description,
        },
    )
}

pub struct ErrorRedirect<'a> {
    pub redirect_uri: &'a str,
    pub state: Option<&'a str>,
    pub mode: ResponseMode,
    pub error: &'static str,
    pub description: &'a str,
}

/// An error response to a verified redirect URI (RFC 6749 §4.1.2.1) with `iss` (RFC 9207).
pub fn error_redirect(state: &AppState, e: ErrorRedirect<'_>) -> Response {
    let mut params = vec![("error", e.error.to_owned()), ("error_description", e.description.to_owned())];
    if let Some(st) = e.state {
        params.push(("state", st.to_owned()));
    }
    params.push(("iss", state.config.issuer_base().to_owned()));
    respond(e.redirect_uri, e.mode, &params)
}

fn respond(redirect_uri: &str, mode: ResponseMode, params: &[(&str, String)]) -> Response {
    match mode {
        ResponseMode::Query => {
            let mut url = match url::Url::parse(redirect_uri) {
                Ok(u) => u,
                Err(_) => return PageError::BadRequest("invalid redirect URI".into()).into_response(),
            };
            {
                let mut q = url.query_pairs_mut();
                for (k, v) in params {
                    q.append_pair(k, v);
                }
            }
            Redirect::to(url.as_str()).into_response()
        }
        ResponseMode::FormPost => form_post(redirect_uri, params),
    }
}

/// OAuth 2.0 Form Post Response Mode: an auto-submitting form. The one script is allowed by
/// its hash, and `form-action` allows exactly the client's origin.
fn form_post(redirect_uri: &str, params: &[(&str, String)]) -> Response {
    const SCRIPT: &str = "document.forms[0].submit()";
    let hash = {
        use base64::Engine;
        use sha2::Digest;
        base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(SCRIPT.as_bytes()))
    };
    let inputs: Vec<(String, String)> = params.iter().map(|(k, v)| ((*k).to_owned(), v.clone())).collect();
    let html = crate::pages::render_form_post(redirect_uri, &inputs, SCRIPT);
    let mut r = Html(html).into_response();
    let origin = origin_of(redirect_uri).unwrap_or_else(|| "'none'".into());
    let csp = format!(
        "default-src 'none'; script-src 'sha256-{hash}'; form-action {origin}; frame-ancestors 'none'; base-uri 'none'"
    );
    if let Ok(v) = HeaderValue::from_str(&csp) {
        r.headers_mut().insert("content-security-policy", v);
    }
    r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

pub fn origin_of(uri: &str) -> Option<String> {
    let u = url::Url::parse(uri).ok()?;
    match u.origin() {
        url::Origin::Tuple(..) => Some(u.origin().ascii_serialization()),
        url::Origin::Opaque(_) => Some(format!("{}:", u.scheme())),
    }
}

/// Pages whose forms lead (through redirects) to the client must allow its origin in
/// `form-action`: browsers apply the directive to the whole redirect chain.
pub fn with_form_action(mut r: Response, redirect_uri: &str) -> Response {
    if let Some(origin) = origin_of(redirect_uri) {
        if let Ok(v) = HeaderValue::from_str(&crate::http::page_csp(Some(&origin))) {
            r.headers_mut().insert("content-security-policy", v);
        }
    }
    r
}

/// The client redirect URI of the pending request `return_to` resumes.
async fn pending_redirect_uri(state: &AppState, return_to: &str) -> Option<String> {
    let rest = return_to.strip_prefix("/oauth2/authorize/continue?req=")?;
    let json = state.store.get_request(&TokenHash::of(rest.as_bytes()), state.now()).await.ok()??;
    serde_json::from_str::<Pending>(&json).ok().map(|p| p.redirect_uri)
}

/// For sign-in pages (password, second factor): inside an OAuth flow the form's redirect chain
/// ends at the client, so its origin is allowed in `form-action` ([`with_form_action`]).
pub async fn allow_pending_client(state: &AppState, res: Response, return_to: &str) -> Response {
    match pending_redirect_uri(state, return_to).await {
        Some(uri) => with_form_action(res, &uri),
        None => res,
    }
}
