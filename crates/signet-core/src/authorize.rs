//! The authorization request (OAuth 2.1 §4.1.1, OIDC Core §3.1.2.1) and the flow's state
//! machine: [`AuthorizeRequest`] is what the browser sent, [`AuthorizeRequest::validate`] turns it
//! into a [`Pending`] request (or the error to send back), and [`decide`] says what the flow
//! needs next for a given sign-in — log in, set up a second factor, ask for consent, issue a
//! code, or fail with an OIDC error. Every resumption (the first request, back from login or
//! the second factor, the consent answer) goes through `decide`: no handler can skip a step.

use std::borrow::Cow;
use std::collections::HashMap;

use serde::{Deserialize, Deserializer, Serialize};
use time::OffsetDateTime;

use crate::mfa::Acr;
use crate::protocol::ErrorCode;
use crate::{PkceChallenge, Scope};

/// The longest value any authorization parameter may have: a request waiting for sign-in is
/// stored, so none may be large (an oversized `state` is not echoed back either).
pub const MAX_PARAM_LEN: usize = 1024;

/// How the response reaches the client (OAuth 2.0 Multiple Response Types §2.1, Form Post
/// Response Mode §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResponseMode {
    #[default]
    Query,
    FormPost,
}

/// The `prompt` values (OIDC Core §3.1.2.1), as a set. Stored as the list of their names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(into = "Vec<String>", try_from = "Vec<String>")]
pub struct Prompt {
    pub none: bool,
    pub login: bool,
    pub consent: bool,
    pub select_account: bool,
}

impl Prompt {
    /// Parses the space-separated list; unknown values and `none` with another value are errors.
    pub fn parse(s: &str) -> Result<Self, &'static str> {
        let mut p = Prompt::default();
        for v in s.split(' ').filter(|v| !v.is_empty()) {
            match v {
                "none" => p.none = true,
                "login" => p.login = true,
                "consent" => p.consent = true,
                "select_account" => p.select_account = true,
                _ => return Err("unsupported prompt value"),
            }
        }
        if p.none && (p.login || p.consent || p.select_account) {
            return Err("prompt=none cannot be combined with other values");
        }
        Ok(p)
    }

    /// `login` and `select_account` both ask for a fresh sign-in (we have one account per session).
    pub fn wants_fresh_login(self) -> bool {
        self.login || self.select_account
    }
}

impl From<Prompt> for Vec<String> {
    fn from(p: Prompt) -> Self {
        [(p.none, "none"), (p.login, "login"), (p.consent, "consent"), (p.select_account, "select_account")]
            .into_iter()
            .filter(|(on, _)| *on)
            .map(|(_, name)| name.to_owned())
            .collect()
    }
}

impl TryFrom<Vec<String>> for Prompt {
    type Error = &'static str;
    fn try_from(v: Vec<String>) -> Result<Self, Self::Error> {
        Prompt::parse(&v.join(" "))
    }
}

/// Who reached the consent step, and when: only that session of that user may answer it, and
/// the answer re-runs [`decide`] as of that moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentStep {
    pub session_id: i64,
    pub user_id: i64,
    pub at: i64,
}

/// A validated authorization request, kept server-side while the user signs in and consents.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pending {
    pub client_id: String,
    pub redirect_uri: String,
    pub scope: String,
    pub state: Option<String>,
    pub nonce: Option<String>,
    pub code_challenge: String,
    pub response_mode: ResponseMode,
    pub prompt: Prompt,
    pub max_age: Option<i64>,
    pub login_hint: Option<String>,
    pub acr_values: Option<String>,
    pub created_at: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consent_step: Option<ConsentStep>,
    /// The organization the client asked for (its id or slug), from `organization=` or the
    /// `organization:<id>` scope form; resolved against the user's memberships by the server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization: Option<String>,
}

impl Pending {
    /// The weakest assurance this request accepts: what `acr_values` names, raised to two
    /// factors by a client that requires them.
    pub fn required_acr(&self, client_requires_mfa: bool) -> Option<Acr> {
        if client_requires_mfa {
            return Some(Acr::MultiFactor);
        }
        self.acr_values.as_deref().and_then(Acr::required_by)
    }
}

fn non_empty<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let s = String::deserialize(d)?;
    Ok((!s.is_empty()).then_some(s))
}

/// The parameters of `/oauth2/authorize` as sent (query or form body). An empty value counts
/// as absent; unknown parameters are ignored (OAuth 2.1 §3.1).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct AuthorizeRequest {
    #[serde(deserialize_with = "non_empty")]
    pub client_id: Option<String>,
    #[serde(deserialize_with = "non_empty")]
    pub redirect_uri: Option<String>,
    #[serde(deserialize_with = "non_empty")]
    pub response_type: Option<String>,
    #[serde(deserialize_with = "non_empty")]
    pub response_mode: Option<String>,
    #[serde(deserialize_with = "non_empty")]
    pub scope: Option<String>,
    #[serde(deserialize_with = "non_empty")]
    pub state: Option<String>,
    #[serde(deserialize_with = "non_empty")]
    pub nonce: Option<String>,
    #[serde(deserialize_with = "non_empty")]
    pub code_challenge: Option<String>,
    #[serde(deserialize_with = "non_empty")]
    pub code_challenge_method: Option<String>,
    #[serde(deserialize_with = "non_empty")]
    pub prompt: Option<String>,
    #[serde(deserialize_with = "non_empty")]
    pub max_age: Option<String>,
    #[serde(deserialize_with = "non_empty")]
    pub login_hint: Option<String>,
    #[serde(deserialize_with = "non_empty")]
    pub acr_values: Option<String>,
    #[serde(deserialize_with = "non_empty")]
    pub request: Option<String>,
    #[serde(deserialize_with = "non_empty")]
    pub request_uri: Option<String>,
    #[serde(deserialize_with = "non_empty")]
    pub organization: Option<String>,
    /// The first parameter (known or not) longer than [`MAX_PARAM_LEN`].
    #[serde(skip)]
    pub oversized: Option<String>,
}

/// What the client sent that this server refuses, to be sent back to its verified redirect URI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub error: ErrorCode,
    pub description: Cow<'static, str>,
    /// The response mode to answer in (query when the request's own was unusable).
    pub mode: ResponseMode,
    /// The `state` to echo, unless it was itself too long.
    pub state: Option<String>,
}

/// What `validate` needs to know about the registered client.
#[derive(Debug, Clone, Copy)]
pub struct ClientRules<'a> {
    pub client_id: &'a str,
    pub may_use_code_flow: bool,
    /// The scopes the client may ask for (RFC 6749 §3.3).
    pub allowed_scope: &'a Scope,
}

impl AuthorizeRequest {
    /// Parses a query string or form body. OAuth 2.1 §3.1: parameters MUST NOT be included more
    /// than once; the error names the repeated one.
    pub fn parse(raw: &[u8]) -> Result<Self, String> {
        let mut map: HashMap<String, String> = HashMap::new();
        let mut oversized = None;
        for (k, v) in url::form_urlencoded::parse(raw) {
            if v.len() > MAX_PARAM_LEN && oversized.is_none() {
                oversized = Some(k.to_string());
            }
            if map.insert(k.to_string(), v.into_owned()).is_some() {
                return Err(format!("The parameter {k:?} was sent more than once."));
            }
        }
        let de = serde::de::value::MapDeserializer::<_, serde::de::value::Error>::new(map.into_iter());
        let mut req = Self::deserialize(de).map_err(|e| format!("The request could not be read: {e}."))?;
        req.oversized = oversized;
        Ok(req)
    }

    /// Checks everything but the client and its redirect URI (the caller has verified those,
    /// RFC 6749 §4.1.2.1: before then every error is a page, never a redirect).
    pub fn validate(&self, client: ClientRules<'_>, redirect_uri: &str, now: i64) -> Result<Pending, Refusal> {
        let mode = match self.response_mode.as_deref() {
            Some("form_post") => ResponseMode::FormPost,
            _ => ResponseMode::Query,
        };
        let refuse = |error, description: &'static str| Refusal {
            error,
            description: description.into(),
            mode,
            state: self.state.clone(),
        };
        if let Some(k) = &self.oversized {
            return Err(Refusal {
                error: ErrorCode::InvalidRequest,
                description: format!("the parameter {k} is longer than {MAX_PARAM_LEN} bytes").into(),
                mode: ResponseMode::Query,
                state: self.state.clone().filter(|s| s.len() <= MAX_PARAM_LEN),
            });
        }
        if self.request.is_some() {
            return Err(refuse(ErrorCode::RequestNotSupported, "request objects are not supported"));
        }
        if self.request_uri.is_some() {
            return Err(refuse(ErrorCode::RequestUriNotSupported, "request_uri is not supported"));
        }
        if !matches!(self.response_mode.as_deref(), None | Some("query" | "form_post")) {
            return Err(refuse(ErrorCode::InvalidRequest, "response_mode must be query or form_post"));
        }
        match self.response_type.as_deref() {
            Some("code") => {}
            None => return Err(refuse(ErrorCode::InvalidRequest, "response_type is required")),
            // OAuth 2.1 removed the implicit grant and hybrid flows: tokens never travel in URLs.
            Some(_) => return Err(refuse(ErrorCode::UnsupportedResponseType, "only response_type=code is supported")),
        }
        if !client.may_use_code_flow {
            return Err(refuse(ErrorCode::UnauthorizedClient, "this client may not use the authorization code flow"));
        }
        // OAuth 2.1 §4.1.1: PKCE for every client, public or confidential.
        let challenge = match &self.code_challenge {
            Some(c) => PkceChallenge::parse(c, self.code_challenge_method.as_deref())
                .map_err(|e| refuse(ErrorCode::InvalidRequest, e))?,
            None => return Err(refuse(ErrorCode::InvalidRequest, "code_challenge is required (PKCE with S256)")),
        };
        let requested = Scope::parse(self.scope.as_deref().unwrap_or(""))
            .map_err(|_| refuse(ErrorCode::InvalidScope, "scope contains invalid characters"))?;
        // The organization: `organization=` or one `organization:<id>` scope token, not two.
        let mut organization = self.organization.clone();
        for o in requested.iter().filter_map(|t| t.strip_prefix(ORG_SCOPE_PREFIX)) {
            if organization.as_deref().is_some_and(|x| x != o) || o.is_empty() {
                return Err(refuse(ErrorCode::InvalidRequest, "ask for one organization at a time"));
            }
            organization = Some(o.to_owned());
        }
        let requested = requested.filter(|t| !t.starts_with(ORG_SCOPE_PREFIX));
        // Scopes are narrowed to what the client may ask for (RFC 6749 §3.3).
        let scope = requested.intersect(client.allowed_scope);
        if scope.is_empty() && !requested.is_empty() {
            return Err(refuse(ErrorCode::InvalidScope, "none of the requested scopes is allowed for this client"));
        }
        let prompt =
            Prompt::parse(self.prompt.as_deref().unwrap_or("")).map_err(|e| refuse(ErrorCode::InvalidRequest, e))?;
        let max_age = match self.max_age.as_deref().map(str::parse::<i64>) {
            None => None,
            Some(Ok(n)) if n >= 0 => Some(n),
            Some(_) => return Err(refuse(ErrorCode::InvalidRequest, "max_age must be a non-negative integer")),
        };
        Ok(Pending {
            client_id: client.client_id.to_owned(),
            redirect_uri: redirect_uri.to_owned(),
            scope: scope.to_string(),
            state: self.state.clone(),
            nonce: self.nonce.clone(),
            code_challenge: challenge.as_str().to_owned(),
            response_mode: mode,
            prompt,
            max_age,
            login_hint: self.login_hint.clone(),
            acr_values: self.acr_values.clone(),
            created_at: now,
            consent_step: None,
            organization,
        })
    }
}

/// The scope form of the organization: `organization:<id>` in a request, and in the scope a
/// code or refresh token carries once the server has checked the membership.
pub const ORG_SCOPE_PREFIX: &str = "organization:";

/// What the flow needs next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Login,
    /// Two factors are required and the user has no second factor yet: set one up.
    EnrolMfa,
    Consent,
    /// The client requires an organization and the user is in several: they pick one.
    PickOrganization,
    IssueCode,
    /// `prompt=none` but the user must interact (OIDC Core §3.1.2.6).
    Fail(ErrorCode),
}

/// The browser's sign-in, as far as the decision is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignedIn {
    pub auth_time: OffsetDateTime,
    pub acr: Acr,
    /// The user has a second factor (so a fresh sign-in reaches two factors). Consulted only for
    /// a step-up: callers may leave it `false` when `acr` already meets what is required.
    pub has_second_factor: bool,
}

/// Everything besides the request that the decision depends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Facts {
    pub signed_in: Option<SignedIn>,
    /// The user's recorded consent covers the requested scope (or the client skips consent).
    pub consent_held: bool,
    pub client_requires_mfa: bool,
    pub organization: OrgFact,
}

/// The organization the request asked for, against the signed-in user's memberships.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrgFact {
    NotAsked,
    Member,
    /// Not a member, or no such organization (the same answer: ids are not probed this way).
    NotMember,
    /// None asked for, the client requires one, and the user is in several.
    PickNeeded,
}

/// The transition function (OIDC Core §3.1.2.1 for `prompt`, `max_age` and `acr_values`;
/// §3.1.2.3 for their order: authentication before consent). `now` is the moment the decision
/// is taken for — the present, or when the user reached the consent page.
pub fn decide(p: &Pending, f: &Facts, now: OffsetDateTime) -> Step {
    let none = p.prompt.none;
    let Some(s) = f.signed_in else {
        return if none { Step::Fail(ErrorCode::LoginRequired) } else { Step::Login };
    };
    let t = s.auth_time;
    let needs_login = (p.prompt.wants_fresh_login() && t.unix_timestamp() < p.created_at)
        || p.max_age.is_some_and(|m| (now - t).whole_seconds() > m);
    if needs_login {
        return if none { Step::Fail(ErrorCode::LoginRequired) } else { Step::Login };
    }
    if p.required_acr(f.client_requires_mfa).is_some_and(|r| s.acr < r) {
        // Step-up: a user with a second factor signs in again (and completes it); one without
        // must set one up first.
        return match (none, s.has_second_factor) {
            (true, true) => Step::Fail(ErrorCode::LoginRequired),
            (true, false) => Step::Fail(ErrorCode::InteractionRequired),
            (false, true) => Step::Login,
            (false, false) => Step::EnrolMfa,
        };
    }
    // An organization the user does not belong to: refused, whatever else (RFC 6749 §4.1.2.1
    // access_denied), after authentication so the answer says nothing to strangers.
    if f.organization == OrgFact::NotMember {
        return Step::Fail(ErrorCode::AccessDenied);
    }
    if f.organization == OrgFact::PickNeeded {
        return if none { Step::Fail(ErrorCode::InteractionRequired) } else { Step::PickOrganization };
    }
    if !f.consent_held || p.prompt.consent {
        return if none { Step::Fail(ErrorCode::ConsentRequired) } else { Step::Consent };
    }
    Step::IssueCode
}

#[cfg(test)]
#[path = "authorize_tests.rs"]
mod tests;
