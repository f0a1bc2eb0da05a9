//! Issue 20's Cedar baseline: the organizations of `crates/signet-authz/benches/check.rs`
//! (users, nested groups, folders with a parent level, documents, an organization admin, bans)
//! decided by `cedar-policy` and by Signet's engine, on the same questions, in the same run.
//! `cd bench/cedar && cargo run --release [-- ORGS]` (default 1,000 organizations: ~1M tuples).
//!
//! Cedar has no relations to follow, so the same rules are written the way Cedar users write
//! them: relations as entity attributes (sets of users and groups), group membership as the
//! entity hierarchy (`principal in group`), the folder's one parent level spelled out.

use std::collections::{BTreeSet, HashMap};
use std::str::FromStr;
use std::time::{Duration, Instant};

use cedar_policy::{
    Authorizer, Context as CedarContext, Decision as CedarDecision, Entities, EntityUid, PolicySet, Request,
};
use serde_json::{json, Value};
use signet_authz::{Context, Decision, Engine, Object, Schema, Subject, Tuple};

/// The model of `crates/signet-authz/benches/check.rs`.
const SCHEMA: &str = include_str!("../../../crates/signet-authz/benches/model.schema");

const POLICIES: &str = r#"
permit (principal, action == Action::"view", resource is Document)
when {
  resource.editors.contains(principal) ||
  resource.parent.viewers.contains(principal) ||
  principal in resource.parent.viewerGroups ||
  resource.parent.owner == principal ||
  resource.parent.org.admins.contains(principal) ||
  (resource.parent has parent &&
    (resource.parent.parent.viewers.contains(principal) ||
     principal in resource.parent.parent.viewerGroups ||
     resource.parent.parent.owner == principal ||
     resource.parent.parent.org.admins.contains(principal)))
};
forbid (principal, action == Action::"view", resource is Document)
when { resource.banned.contains(principal) };
"#;

/// xorshift64, as in the engine's bench.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// An entity's own uid, or a parent's.
fn uid(t: &str, id: &str) -> Value {
    json!({ "type": t, "id": id })
}

/// An entity reference inside attributes (without a Cedar schema, the `__entity` escape says
/// it is one and not a record).
fn eref(t: &str, id: &str) -> Value {
    json!({ "__entity": { "type": t, "id": id } })
}

/// One organization, as tuples for Signet and as entities for Cedar.
fn org(o: usize, rng: &mut Rng, tuples: &mut Vec<String>, entities: &mut Vec<Value>) {
    let u = |i: usize| format!("o{o}u{i}");
    let mut user_groups: HashMap<usize, Vec<Value>> = HashMap::new();
    tuples.push(format!("organization:o{o}#admin@user:{}", u(0)));
    entities.push(json!({ "uid": uid("Organization", &format!("o{o}")), "attrs": { "admins": [eref("User", &u(0))] }, "parents": [] }));
    for g in 0..10 {
        for m in 0..10 {
            tuples.push(format!("group:o{o}g{g}#member@user:{}", u(g * 10 + m)));
            user_groups.entry(g * 10 + m).or_default().push(uid("Group", &format!("o{o}g{g}")));
        }
        entities.push(json!({ "uid": uid("Group", &format!("o{o}g{g}")), "attrs": {}, "parents": [] }));
    }
    for i in 0..100 {
        entities.push(
            json!({ "uid": uid("User", &u(i)), "attrs": {}, "parents": user_groups.remove(&i).unwrap_or_default() }),
        );
    }
    for f in 0..50 {
        let (owner, group, viewer) = (rng.below(100), rng.below(10), rng.below(100));
        tuples.push(format!("folder:o{o}f{f}#org@organization:o{o}"));
        tuples.push(format!("folder:o{o}f{f}#owner@user:{}", u(owner)));
        tuples.push(format!("folder:o{o}f{f}#viewer@group:o{o}g{group}#member"));
        tuples.push(format!("folder:o{o}f{f}#viewer@user:{}", u(viewer)));
        let mut attrs = json!({
            "org": eref("Organization", &format!("o{o}")),
            "owner": eref("User", &u(owner)),
            "viewers": [eref("User", &u(viewer))],
            "viewerGroups": [eref("Group", &format!("o{o}g{group}"))],
        });
        if f >= 10 {
            tuples.push(format!("folder:o{o}f{f}#parent@folder:o{o}f{}", f % 10));
            attrs["parent"] = eref("Folder", &format!("o{o}f{}", f % 10));
        }
        entities.push(json!({ "uid": uid("Folder", &format!("o{o}f{f}")), "attrs": attrs, "parents": [] }));
    }
    let mut banned: HashMap<usize, Vec<Value>> = HashMap::new();
    let mut docs = Vec::new();
    for d in 0..300 {
        let (folder, editor) = (rng.below(50), rng.below(100));
        tuples.push(format!("document:o{o}d{d}#parent@folder:o{o}f{folder}"));
        tuples.push(format!("document:o{o}d{d}#editor@user:{}", u(editor)));
        docs.push((d, folder, editor));
    }
    for b in 0..20 {
        let who = rng.below(100);
        tuples.push(format!("document:o{o}d{}#banned@user:{}", b * 15, u(who)));
        banned.entry(b * 15).or_default().push(eref("User", &u(who)));
    }
    for (d, folder, editor) in docs {
        entities.push(json!({
            "uid": uid("Document", &format!("o{o}d{d}")),
            "attrs": {
                "parent": eref("Folder", &format!("o{o}f{folder}")),
                "editors": [eref("User", &u(editor))],
                "banned": banned.remove(&d).unwrap_or_default(),
            },
            "parents": [],
        }));
    }
}

fn pct(times: &mut [Duration], p: f64) -> f64 {
    times.sort();
    times[((times.len() as f64 * p) as usize).min(times.len() - 1)].as_nanos() as f64 / 1000.0
}

fn fail(msg: String) -> ! {
    eprintln!("{msg}");
    std::process::exit(1)
}

fn main() {
    let orgs: usize = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(1_000);
    let mut rng = Rng(0x5eed_1234_abcd_0001);
    let (mut tuples, mut entities) = (Vec::new(), Vec::new());
    for o in 0..orgs {
        org(o, &mut rng, &mut tuples, &mut entities);
    }
    // Signet's engine.
    let mut engine = Engine::new(Schema::parse(SCHEMA).unwrap_or_else(|e| fail(e.to_string())));
    let started = Instant::now();
    for t in &tuples {
        engine.write(Tuple::parse(t).unwrap_or_else(|e| fail(e.to_string()))).unwrap_or_else(|e| fail(e.to_string()));
    }
    let signet_load = started.elapsed();
    // Cedar.
    let started = Instant::now();
    let entities = Entities::from_json_value(Value::Array(entities), None).unwrap_or_else(|e| fail(e.to_string()));
    let policies = PolicySet::from_str(POLICIES).unwrap_or_else(|e| fail(e.to_string()));
    let cedar_load = started.elapsed();
    let authorizer = Authorizer::new();
    let view = EntityUid::from_str(r#"Action::"view""#).unwrap_or_else(|e| fail(e.to_string()));

    let queries: Vec<(usize, usize, usize)> =
        (0..100_000).map(|_| (rng.below(orgs), rng.below(300), rng.below(100))).collect();
    let ctx = Context::at(0);
    let (mut ours, mut theirs) = (Vec::with_capacity(queries.len()), Vec::with_capacity(queries.len()));
    let (mut agree, mut allowed) = (0usize, 0usize);
    for (round, &(o, d, u)) in queries.iter().enumerate() {
        let object = Object { typ: "document".into(), id: format!("o{o}d{d}") };
        let subject = Subject { typ: "user".into(), id: format!("o{o}u{u}"), relation: None };
        let principal = EntityUid::from_str(&format!(r#"User::"o{o}u{u}""#)).unwrap_or_else(|e| fail(e.to_string()));
        let resource = EntityUid::from_str(&format!(r#"Document::"o{o}d{d}""#)).unwrap_or_else(|e| fail(e.to_string()));
        let request = Request::new(principal, view.clone(), resource, CedarContext::empty(), None)
            .unwrap_or_else(|e| fail(e.to_string()));
        let t0 = Instant::now();
        let a = engine.check(&object, "view", &subject, &ctx);
        let t1 = Instant::now();
        let b = authorizer.is_authorized(&request, &policies, &entities);
        let t2 = Instant::now();
        let (a, b) = (a == Ok(Decision::Allow), b.decision() == CedarDecision::Allow);
        agree += usize::from(a == b);
        allowed += usize::from(a);
        // The first 10% warm up.
        if round >= queries.len() / 10 {
            ours.push(t1 - t0);
            theirs.push(t2 - t1);
        }
    }
    let mean = |v: &[Duration]| v.iter().sum::<Duration>().as_nanos() as f64 / v.len() as f64 / 1000.0;
    let (om, tm) = (mean(&ours), mean(&theirs));
    let distinct: BTreeSet<_> = queries.iter().collect();
    println!(
        "{} tuples in {orgs} organizations; {} questions ({} distinct), {:.1}% allowed, answers agree on {:.2}%",
        tuples.len(),
        queries.len(),
        distinct.len(),
        100.0 * allowed as f64 / queries.len() as f64,
        100.0 * agree as f64 / queries.len() as f64
    );
    println!("| engine | load s | p50 µs | p99 µs | mean µs |");
    println!("| --- | --- | --- | --- | --- |");
    println!(
        "| signet-authz | {:.2} | {:.2} | {:.2} | {om:.2} |",
        signet_load.as_secs_f64(),
        pct(&mut ours, 0.5),
        pct(&mut ours, 0.99)
    );
    println!(
        "| cedar-policy 4 | {:.2} | {:.2} | {:.2} | {tm:.2} |",
        cedar_load.as_secs_f64(),
        pct(&mut theirs, 0.5),
        pct(&mut theirs, 0.99)
    );
    println!("signet-authz answers in {:.2}× Cedar's mean time", om / tm);
}
