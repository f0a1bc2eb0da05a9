use time::macros::datetime;

use super::*;

const NOW: OffsetDateTime = datetime!(2026-11-30 12:00 UTC);

fn pending(prompt: &str, max_age: Option<i64>, acr_values: Option<&str>) -> Pending {
    Pending {
        client_id: "app".into(),
        redirect_uri: "https://app.example/cb".into(),
        scope: "openid".into(),
        state: None,
        nonce: None,
        code_challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM".into(),
        response_mode: ResponseMode::Query,
        prompt: Prompt::parse(prompt).unwrap_or_default(),
        max_age,
        login_hint: None,
        acr_values: acr_values.map(str::to_owned),
        // The request arrived five seconds ago.
        created_at: NOW.unix_timestamp() - 5,
        consent_step: None,
        organization: None,
    }
}

/// When the session signed in, relative to the request.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Age {
    /// Ten minutes before the request arrived.
    Old,
    /// Exactly when the request arrived (five seconds ago): not older than the request.
    AtRequest,
    /// One second ago, after the request arrived (back from the login page).
    Fresh,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Session {
    None,
    One(Age),
    Two(Age),
}

/// The expected step, from the rules as OIDC Core states them, written as a table of
/// conditions in order of precedence (§3.1.2.3: authenticate, then consent). The first row
/// whose condition holds gives the answer, as (with `prompt=none`, otherwise).
#[allow(clippy::too_many_arguments)]
fn expected(
    prompt: &str,
    max_age: Option<i64>,
    acr: Option<&str>,
    client_mfa: bool,
    consent_held: bool,
    enrolled: bool,
    session: Session,
) -> Step {
    use ErrorCode::*;
    let words: Vec<&str> = prompt.split(' ').collect();
    let none = words.contains(&"none");
    let (signed_in, two_factors, age) = match session {
        Session::None => (false, false, Age::Fresh),
        Session::One(a) => (true, false, a),
        Session::Two(a) => (true, true, a),
    };
    let seconds_since_login = ago(age);
    let wants_two = client_mfa || acr == Some("urn:signet:acr:mfa");
    let rows: [(bool, Step, Step); 7] = [
        // Not signed in at all (§3.1.2.3).
        (!signed_in, Step::Fail(LoginRequired), Step::Login),
        // prompt=login / select_account: a sign-in older than the request is not enough.
        (
            (words.contains(&"login") || words.contains(&"select_account")) && age == Age::Old,
            Step::Fail(LoginRequired),
            Step::Login,
        ),
        // max_age: the sign-in is older than allowed.
        (max_age.is_some_and(|m| seconds_since_login > m), Step::Fail(LoginRequired), Step::Login),
        // Two factors asked for, one used, a second factor enrolled: sign in again.
        (wants_two && !two_factors && enrolled, Step::Fail(LoginRequired), Step::Login),
        // Two factors asked for, none enrolled: set one up.
        (wants_two && !two_factors && !enrolled, Step::Fail(InteractionRequired), Step::EnrolMfa),
        // Consent missing or asked for again.
        (!consent_held || words.contains(&"consent"), Step::Fail(ConsentRequired), Step::Consent),
        (true, Step::IssueCode, Step::IssueCode),
    ];
    rows.iter().find(|r| r.0).map(|r| if none { r.1 } else { r.2 }).unwrap_or(Step::IssueCode)
}

fn ago(age: Age) -> i64 {
    match age {
        Age::Old => 600,
        Age::AtRequest => 5,
        Age::Fresh => 1,
    }
}

fn facts(session: Session, consent_held: bool, enrolled: bool, client_mfa: bool) -> Facts {
    let signed_in = match session {
        Session::None => None,
        Session::One(a) | Session::Two(a) => Some(SignedIn {
            auth_time: NOW - time::Duration::seconds(ago(a)),
            acr: if matches!(session, Session::Two(_)) { Acr::MultiFactor } else { Acr::SingleFactor },
            has_second_factor: enrolled,
        }),
    };
    Facts { signed_in, consent_held, client_requires_mfa: client_mfa, organization: OrgFact::NotAsked }
}

/// Every combination of prompt × max_age × acr_values × client MFA policy × consent held ×
/// second factor enrolled × sign-in (none, one factor, two factors; before or after the
/// request, at it, after it; `max_age` on and off the boundary): 6 × 4 × 4 × 2 × 2 × 2 × 7 =
/// 5,376 cases against the table above.
#[test]
fn authorize_decide_table() {
    let prompts = ["", "none", "login", "consent", "select_account", "login consent"];
    let max_ages = [None, Some(3600), Some(600), Some(60)];
    let acrs = [None, Some("urn:signet:acr:pwd"), Some("urn:signet:acr:mfa"), Some("urn:example:unknown")];
    let sessions = [
        Session::None,
        Session::One(Age::Old),
        Session::One(Age::AtRequest),
        Session::One(Age::Fresh),
        Session::Two(Age::Old),
        Session::Two(Age::AtRequest),
        Session::Two(Age::Fresh),
    ];
    let mut checked = 0;
    for prompt in prompts {
        for max_age in max_ages {
            for acr in acrs {
                for client_mfa in [false, true] {
                    for consent in [false, true] {
                        for enrolled in [false, true] {
                            for session in sessions {
                                let p = pending(prompt, max_age, acr);
                                let got = decide(&p, &facts(session, consent, enrolled, client_mfa), NOW);
                                let want = expected(prompt, max_age, acr, client_mfa, consent, enrolled, session);
                                assert_eq!(
                                    got, want,
                                    "prompt={prompt:?} max_age={max_age:?} acr={acr:?} client_mfa={client_mfa} \
                                     consent={consent} enrolled={enrolled} session={session:?}"
                                );
                                checked += 1;
                            }
                        }
                    }
                }
            }
        }
    }
    assert_eq!(checked, 5376);
}

/// A few rows written out by hand, so that the table above cannot drift with the code.
#[test]
fn authorize_decide_anchors() {
    let two_fresh = facts(Session::Two(Age::Fresh), true, true, false);
    assert_eq!(decide(&pending("", None, None), &two_fresh, NOW), Step::IssueCode);
    assert_eq!(
        decide(&pending("none", None, None), &facts(Session::None, true, true, false), NOW),
        Step::Fail(ErrorCode::LoginRequired)
    );
    assert_eq!(
        decide(&pending("login", None, None), &facts(Session::Two(Age::Old), true, true, false), NOW),
        Step::Login
    );
    assert_eq!(
        decide(&pending("", Some(60), None), &facts(Session::One(Age::Old), true, false, false), NOW),
        Step::Login
    );
    assert_eq!(
        decide(&pending("", Some(600), None), &facts(Session::One(Age::Old), true, false, false), NOW),
        Step::IssueCode
    );
    assert_eq!(
        decide(&pending("", None, None), &facts(Session::One(Age::Fresh), true, false, true), NOW),
        Step::EnrolMfa
    );
    assert_eq!(
        decide(&pending("none", None, None), &facts(Session::One(Age::Fresh), true, true, true), NOW),
        Step::Fail(ErrorCode::LoginRequired)
    );
    assert_eq!(
        decide(&pending("none", None, None), &facts(Session::One(Age::Fresh), true, false, true), NOW),
        Step::Fail(ErrorCode::InteractionRequired)
    );
    assert_eq!(
        decide(&pending("none", None, None), &facts(Session::One(Age::Fresh), false, false, false), NOW),
        Step::Fail(ErrorCode::ConsentRequired)
    );
    assert_eq!(decide(&pending("consent", None, None), &two_fresh, NOW), Step::Consent);
    assert_eq!(
        decide(
            &pending("", None, Some("urn:signet:acr:mfa")),
            &facts(Session::One(Age::Fresh), true, true, false),
            NOW
        ),
        Step::Login
    );
}

fn rules(allowed: &Scope) -> ClientRules<'_> {
    ClientRules { client_id: "app", may_use_code_flow: true, allowed_scope: allowed }
}

const GOOD: &str = "response_type=code&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256&state=xyz";

#[test]
fn request_parses_and_validates() {
    let allowed = Scope::parse("openid email").unwrap_or_default();
    let req =
        AuthorizeRequest::parse(format!("{GOOD}&scope=openid+profile&prompt=login+consent&max_age=0&x=1").as_bytes());
    let Ok(req) = req else { unreachable!("a valid request parses") };
    let Ok(p) = req.validate(rules(&allowed), "https://app.example/cb", 7) else { unreachable!("valid") };
    assert_eq!(p.scope, "openid");
    assert_eq!(p.prompt, Prompt { login: true, consent: true, ..Prompt::default() });
    assert_eq!(p.max_age, Some(0));
    assert_eq!(p.created_at, 7);
    assert_eq!(p.state.as_deref(), Some("xyz"));
    assert_eq!(p.response_mode, ResponseMode::Query);
    let Ok(req) = AuthorizeRequest::parse(format!("{GOOD}&response_mode=form_post").as_bytes()) else { unreachable!() };
    let form_post = req.validate(rules(&allowed), "https://app.example/cb", 7).map(|p| p.response_mode);
    assert_eq!(form_post, Ok(ResponseMode::FormPost));
    // A refusal answers in the request's response mode.
    let Ok(req) = AuthorizeRequest::parse(format!("{GOOD}&response_mode=form_post&max_age=x").as_bytes()) else {
        unreachable!()
    };
    assert_eq!(
        req.validate(rules(&allowed), "https://app.example/cb", 7).err().map(|r| r.mode),
        Some(ResponseMode::FormPost)
    );
    // Stored prompts keep their list form.
    let json = serde_json::to_value(&p).unwrap_or_default();
    assert_eq!(json["prompt"], serde_json::json!(["login", "consent"]));
    assert_eq!(serde_json::from_value::<Pending>(json).ok(), Some(p));
}

#[test]
fn request_refusals_use_protocol_codes() {
    let allowed = Scope::parse("openid").unwrap_or_default();
    let cases: [(&str, ErrorCode); 13] = [
        ("response_type=token", ErrorCode::UnsupportedResponseType),
        ("response_type=code", ErrorCode::InvalidRequest),
        ("response_type=code&code_challenge=abc&code_challenge_method=plain", ErrorCode::InvalidRequest),
        ("request=eyJ", ErrorCode::RequestNotSupported),
        ("request_uri=urn:x", ErrorCode::RequestUriNotSupported),
        ("response_mode=fragment", ErrorCode::InvalidRequest),
        ("prompt=none+login", ErrorCode::InvalidRequest),
        ("prompt=consent+none", ErrorCode::InvalidRequest),
        ("prompt=none+select_account", ErrorCode::InvalidRequest),
        ("prompt=login+none+consent", ErrorCode::InvalidRequest),
        ("prompt=bogus", ErrorCode::InvalidRequest),
        ("max_age=-1", ErrorCode::InvalidRequest),
        ("scope=email", ErrorCode::InvalidScope),
    ];
    for (extra, code) in cases {
        let raw = if extra.starts_with("response_type") { extra.to_owned() } else { format!("{GOOD}&{extra}") };
        let Ok(req) = AuthorizeRequest::parse(raw.as_bytes()) else { unreachable!("parses: {raw}") };
        let got = req.validate(rules(&allowed), "https://app.example/cb", 0).map(|_| ()).map_err(|r| r.error);
        assert_eq!(got, Err(code), "{raw}");
    }
    let Ok(req) = AuthorizeRequest::parse(GOOD.as_bytes()) else { unreachable!() };
    let no_code = ClientRules { may_use_code_flow: false, ..rules(&allowed) };
    assert_eq!(
        req.validate(no_code, "https://app.example/cb", 0).map_err(|r| r.error).err(),
        Some(ErrorCode::UnauthorizedClient)
    );
}

#[test]
fn repeated_and_oversized_parameters() {
    assert!(AuthorizeRequest::parse(b"state=a&state=b").is_err_and(|e| e.contains("\"state\"")));
    assert!(AuthorizeRequest::parse(b"x=1&x=2").is_err());
    // Exactly the limit is fine.
    let Ok(req) = AuthorizeRequest::parse(format!("{GOOD}&other={}", "a".repeat(MAX_PARAM_LEN)).as_bytes()) else {
        unreachable!()
    };
    assert_eq!(req.oversized, None);
    let long = "a".repeat(MAX_PARAM_LEN + 1);
    let Ok(req) = AuthorizeRequest::parse(format!("{GOOD}&other={long}").as_bytes()) else { unreachable!() };
    let allowed = Scope::default();
    let r = req.validate(rules(&allowed), "https://app.example/cb", 0).err();
    assert_eq!(r.as_ref().map(|r| r.error), Some(ErrorCode::InvalidRequest));
    assert_eq!(r.and_then(|r| r.state), Some("xyz".into()));
    // An empty value is no value.
    let Ok(req) = AuthorizeRequest::parse(b"client_id=&state=") else { unreachable!() };
    assert_eq!((req.client_id, req.state), (None, None));
}

/// A member passes on to consent as before; a non-member is refused with access_denied once
/// signed in (with or without prompt=none), and a stranger is first asked to sign in.
#[test]
fn organization_membership_decides_after_authentication() {
    let p = pending("", None, None);
    let mut f = facts(Session::One(Age::Fresh), true, false, false);
    f.organization = OrgFact::Member;
    assert_eq!(decide(&p, &f, NOW), Step::IssueCode);
    f.organization = OrgFact::NotMember;
    assert_eq!(decide(&p, &f, NOW), Step::Fail(ErrorCode::AccessDenied));
    assert_eq!(decide(&pending("none", None, None), &f, NOW), Step::Fail(ErrorCode::AccessDenied));
    f.organization = OrgFact::PickNeeded;
    assert_eq!(decide(&p, &f, NOW), Step::PickOrganization);
    assert_eq!(decide(&pending("none", None, None), &f, NOW), Step::Fail(ErrorCode::InteractionRequired));
    let mut stranger = facts(Session::None, false, false, false);
    stranger.organization = OrgFact::NotMember;
    assert_eq!(decide(&p, &stranger, NOW), Step::Login);
}

#[test]
fn organization_from_parameter_or_scope_form() {
    let scope = Scope::parse("openid read:docs").expect("scope");
    let rules = ClientRules { client_id: "app", may_use_code_flow: true, allowed_scope: &scope };
    let base = "response_type=code&client_id=app&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256";
    let parse = |extra: &str| AuthorizeRequest::parse(format!("{base}&{extra}").as_bytes()).expect("parse");
    let p = parse("scope=openid%20organization%3Aacme").validate(rules, "https://app.example/cb", 0).expect("valid");
    assert_eq!((p.organization.as_deref(), p.scope.as_str()), (Some("acme"), "openid"));
    let p = parse("scope=openid&organization=org_1").validate(rules, "https://app.example/cb", 0).expect("valid");
    assert_eq!(p.organization.as_deref(), Some("org_1"));
    let two = parse("scope=openid%20organization%3Aa&organization=b").validate(rules, "https://app.example/cb", 0);
    assert_eq!(two.map_err(|r| r.error), Err(ErrorCode::InvalidRequest));
}
