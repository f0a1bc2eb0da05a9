//! The engine's unit tests.

use super::*;
use std::collections::BTreeSet;

use crate::schema::tests::DOCS;

fn engine(tuples: &[&str]) -> Engine {
    let mut e = Engine::new(Schema::parse(DOCS).expect("schema"));
    for t in tuples {
        e.write(Tuple::parse(t).expect(t)).expect(t);
    }
    e
}

fn check(e: &Engine, object: &str, permission: &str, subject: &str) -> Result<Decision, EvalError> {
    e.check(
        &Object::parse(object).expect("object"),
        permission,
        &Subject::parse(subject).expect("subject"),
        &Context::at(0),
    )
}

#[test]
fn unions_arrows_usersets_and_exclusions() {
    let e = engine(&[
        "document:readme#parent@folder:docs",
        "folder:docs#viewer@group:eng#member",
        "group:eng#member@group:backend#member",
        "group:backend#member@user:bo",
        "document:readme#editor@user:ed",
        "document:readme#banned@user:ed",
        "folder:public#viewer@user:*",
        "document:faq#parent@folder:public",
    ]);
    assert_eq!(check(&e, "document:readme", "view", "user:bo"), Ok(Decision::Allow), "group in group via parent");
    assert_eq!(check(&e, "document:readme", "view", "user:eve"), Ok(Decision::Deny));
    assert_eq!(check(&e, "document:readme", "edit", "user:ed"), Ok(Decision::Deny), "banned");
    assert_eq!(check(&e, "document:readme", "editor", "user:ed"), Ok(Decision::Allow), "the relation itself");
    assert_eq!(check(&e, "document:faq", "view", "user:anyone"), Ok(Decision::Allow), "user:*");
    assert_eq!(check(&e, "document:faq", "view", "group:eng"), Ok(Decision::Deny), "user:* is users only");
    assert_eq!(
        check(&e, "document:readme", "nope", "user:bo"),
        Err(EvalError::Unknown("document".into(), "nope".into()))
    );
}

#[test]
fn writes_follow_the_schema() {
    let mut e = engine(&[]);
    let w = |e: &mut Engine, t: &str| e.write(Tuple::parse(t).expect(t));
    assert_eq!(w(&mut e, "document:a#view@user:1"), Err(WriteError::UnknownRelation("document".into(), "view".into())));
    assert_eq!(w(&mut e, "report:a#viewer@user:1"), Err(WriteError::UnknownType("report".into())));
    assert!(matches!(w(&mut e, "folder:a#owner@group:eng#member"), Err(WriteError::SubjectNotAllowed(..))));
    assert!(matches!(w(&mut e, "folder:a#owner@user:*"), Err(WriteError::SubjectNotAllowed(..))));
    assert_eq!(e.len(), 0);
    assert_eq!(w(&mut e, "folder:a#owner@user:1"), Ok(true));
    assert_eq!(w(&mut e, "folder:a#owner@user:1"), Ok(false), "idempotent");
    assert_eq!(e.len(), 1);
    assert!(e.delete(&Tuple::parse("folder:a#owner@user:1").expect("t")));
    assert!(!e.delete(&Tuple::parse("folder:a#owner@user:1").expect("t")));
    assert!(e.is_empty());
    // Several subjects on one relation: deleting one leaves the others.
    for u in ["user:1", "user:2", "user:3"] {
        assert_eq!(w(&mut e, &format!("folder:a#owner@{u}")), Ok(true));
    }
    assert!(e.delete(&Tuple::parse("folder:a#owner@user:2").expect("t")));
    assert_eq!(check(&e, "folder:a", "view", "user:2"), Ok(Decision::Deny));
    assert_eq!(check(&e, "folder:a", "view", "user:3"), Ok(Decision::Allow));
    assert_eq!(e.len(), 2);
    assert!(!e.delete(&Tuple::parse("folder:a#owner@user:9").expect("t")), "a subject never written");
}

#[test]
fn group_cycle_terminates() {
    // eng ⊂ ops ⊂ eng: nobody outside is let in, members of either are, and it ends.
    let e = engine(&[
        "group:eng#member@group:ops#member",
        "group:ops#member@group:eng#member",
        "group:ops#member@user:olga",
        "folder:f#viewer@group:eng#member",
    ]);
    assert_eq!(check(&e, "folder:f", "view", "user:olga"), Ok(Decision::Allow));
    assert_eq!(check(&e, "folder:f", "view", "user:mallory"), Ok(Decision::Deny));
    assert_eq!(check(&e, "group:eng", "member", "user:mallory"), Ok(Decision::Deny));
}

#[test]
fn depth_limit_fail_closed() {
    // A chain of groups longer than the limit: the user at the far end is not let in —
    // the check is an error (the caller denies), not an allow.
    let mut tuples: Vec<String> =
        (0..MAX_DEPTH + 5).map(|i| format!("group:g{i}#member@group:g{}#member", i + 1)).collect();
    tuples.push(format!("group:g{}#member@user:deep", MAX_DEPTH + 5));
    tuples.push("folder:f#viewer@group:g0#member".into());
    let refs: Vec<&str> = tuples.iter().map(String::as_str).collect();
    let e = engine(&refs);
    assert_eq!(check(&e, "folder:f", "view", "user:deep"), Err(EvalError::DepthExceeded));
    // Control: a chain within the limit answers.
    assert_eq!(check(&e, &format!("group:g{}", MAX_DEPTH), "member", "user:deep"), Ok(Decision::Allow));
}

#[test]
fn explain_allow_proof_path() {
    let e = engine(&[
        "document:readme#parent@folder:docs",
        "folder:docs#viewer@group:eng#member",
        "group:eng#member@group:backend#member",
        "group:backend#member@user:bo",
        "group:eng#member@user:zed",
    ]);
    let subject = Subject::parse("user:bo").expect("s");
    let x =
        e.explain(&Object::parse("document:readme").expect("o"), "view", &subject, &Context::at(0)).expect("explain");
    assert_eq!(x.decision, Decision::Allow);
    let steps: Vec<String> = x.proof.iter().map(ToString::to_string).collect();
    assert_eq!(
        steps,
        [
            "rule document:readme#view = edit + parent->view - banned",
            "not document:readme#(banned)",
            "tuple document:readme#parent@folder:docs",
            "rule folder:docs#view = viewer + owner",
            "tuple folder:docs#viewer@group:eng#member",
            "tuple group:eng#member@group:backend#member",
            "tuple group:backend#member@user:bo",
        ]
    );
    // The proof is the branch that held, nothing of the ones that did not.
    assert!(!steps.iter().any(|s| s.contains("zed") || s.contains("edit =")), "{steps:?}");
}

#[test]
fn explain_deny_nearest_missing_tuple() {
    let e = engine(&["document:readme#parent@folder:docs", "document:readme#banned@user:ann"]);
    let o = Object::parse("document:readme").expect("o");
    let x = e.explain(&o, "view", &Subject::parse("user:bo").expect("s"), &Context::at(0)).expect("explain");
    assert_eq!(x.decision, Decision::Deny);
    let missing: Vec<String> = x.missing.iter().map(ToString::to_string).collect();
    // Nearest first (the document's own editor relation, then the folder's), each level in
    // the order its rule names them.
    assert_eq!(missing, ["document:readme#editor@user:bo", "folder:docs#viewer@user:bo", "folder:docs#owner@user:bo"]);
    assert!(x.explored >= 5, "{}", x.explored);
    // Each suggestion really allows; a banned user gets none (nothing written would let her in).
    for t in &x.missing {
        let mut e2 = e.clone();
        e2.write(t.clone()).expect("write");
        assert_eq!(
            e2.check(&o, "view", &Subject::parse("user:bo").expect("s"), &Context::at(0)),
            Ok(Decision::Allow),
            "{t}"
        );
    }
    let ann = e.explain(&o, "view", &Subject::parse("user:ann").expect("s"), &Context::at(0)).expect("explain");
    assert_eq!((ann.decision, ann.missing.len()), (Decision::Deny, 0));
}

#[test]
fn cycle_through_exclusion_is_an_error() {
    let s = Schema::parse("type user type t { relation r: user | t#p permission p = r - p }").expect("schema");
    let mut e = Engine::new(s);
    e.write(Tuple::parse("t:a#r@user:1").expect("t")).expect("write");
    let got = e.check(&Object::parse("t:a").expect("o"), "p", &Subject::parse("user:1").expect("s"), &Context::at(0));
    assert!(matches!(got, Err(EvalError::NegativeCycle(_))), "{got:?}");
}

/// A tuple with a condition.
fn when(t: &str, c: Condition) -> Tuple {
    Tuple { condition: Some(c), ..Tuple::parse(t).expect(t) }
}

#[test]
fn expired_tuple_denies() {
    let mut e = engine(&["document:readme#parent@folder:docs"]);
    let share = Condition { expires_at: Some(1_000), ..Condition::default() };
    e.write(when("folder:docs#viewer@user:guest", share)).expect("write");
    let (o, s) = (Object::parse("document:readme").expect("o"), Subject::parse("user:guest").expect("s"));
    assert_eq!(e.check(&o, "view", &s, &Context::at(999)), Ok(Decision::Allow), "control: before it expires");
    assert_eq!(e.check(&o, "view", &s, &Context::at(1_000)), Ok(Decision::Deny));
    // An expired tuple is a plain no, even when other parts would need context.
    let both = Condition { expires_at: Some(1_000), acr: Some("mfa".into()), ..Condition::default() };
    e.write(when("folder:docs#viewer@user:guest", both)).expect("write");
    assert_eq!(e.check(&o, "view", &s, &Context::at(2_000)), Ok(Decision::Deny));
}

#[test]
fn conditional_needs_step_up_reported() {
    let mut e = engine(&["document:readme#parent@folder:docs"]);
    let mfa = Condition { acr: Some("urn:signet:mfa".into()), ..Condition::default() };
    e.write(when("document:readme#editor@user:ed", mfa)).expect("write");
    let (o, s) = (Object::parse("document:readme").expect("o"), Subject::parse("user:ed").expect("s"));
    let need = Decision::Conditional(BTreeSet::from([Need::Acr("urn:signet:mfa".into())]));
    assert_eq!(e.check(&o, "edit", &s, &Context::at(0)), Ok(need.clone()), "no acr: a step-up, not a no");
    let mut pwd = Context::at(0);
    pwd.acr = Some("urn:signet:pwd".into());
    assert_eq!(e.check(&o, "edit", &s, &pwd), Ok(need.clone()), "a weaker sign-in: the same step-up");
    let mut mfa_ctx = Context::at(0);
    mfa_ctx.acr = Some("urn:signet:mfa".into());
    assert_eq!(e.check(&o, "edit", &s, &mfa_ctx), Ok(Decision::Allow));
    let x = e.explain(&o, "edit", &s, &pwd).expect("explain");
    assert_eq!(x.decision, need);
    // Another path that allows outright wins; a ban still wins over the condition.
    e.write(Tuple::parse("folder:docs#owner@user:ed").expect("t")).expect("write");
    assert_eq!(e.check(&o, "view", &s, &pwd), Ok(Decision::Allow));
    e.write(Tuple::parse("document:readme#banned@user:ed").expect("t")).expect("write");
    assert_eq!(e.check(&o, "view", &s, &mfa_ctx), Ok(Decision::Deny));
}

#[test]
fn ip_range_condition() {
    let mut e = engine(&[]);
    let office = Condition {
        ip_ranges: vec!["10.0.0.0/8".parse().expect("net"), "2001:db8::/32".parse().expect("net")],
        ..Condition::default()
    };
    e.write(when("folder:f#viewer@user:amy", office)).expect("write");
    let (o, s) = (Object::parse("folder:f").expect("o"), Subject::parse("user:amy").expect("s"));
    let at = |ip: &str| Context { ip: Some(ip.parse().expect("ip")), ..Context::at(0) };
    assert_eq!(e.check(&o, "view", &s, &at("10.1.2.3")), Ok(Decision::Allow));
    assert_eq!(e.check(&o, "view", &s, &at("2001:db8::1")), Ok(Decision::Allow));
    assert_eq!(e.check(&o, "view", &s, &at("192.168.1.1")), Ok(Decision::Deny));
    assert_eq!(e.check(&o, "view", &s, &Context::at(0)), Ok(Decision::Conditional(BTreeSet::from([Need::Ip]))));
}
