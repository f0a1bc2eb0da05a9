//! The engine's answers equal a naive reference evaluator's, on random tuple sets over schemas
//! that use every construct (usersets, nested groups and cycles among them, `user:*`, arrows,
//! union, intersection, exclusion). The reference computes every fact by iterating to a fixpoint
//! — slow, obviously right, and sharing no code with the engine.

use std::collections::{BTreeSet, HashSet};

use proptest::prelude::*;
use signet_authz::schema::{Expr, SubjectType};
use signet_authz::{Context, Decision, Engine, Object, Schema, Subject, Tuple};

const SCHEMAS: [&str; 3] = [
    // Documents, folders, nested groups, a ban.
    "type user
     type group { relation member: user | group#member }
     type folder {
       relation owner: user
       relation viewer: user | group#member | user:*
       relation parent: folder
       permission view = viewer + owner + parent->view
     }
     type doc {
       relation parent: folder
       relation editor: user | group#member
       relation banned: user
       permission edit = editor - banned
       permission view = (edit + parent->view) - banned
     }",
    // Intersection: both an employee and on the project.
    "type user
     type team { relation member: user | team#member }
     type project {
       relation employee: user | team#member
       relation assignee: user | user:*
       permission work = employee & assignee
       permission see = work + employee
     }",
    // Arrows two hops, and a permission used through a userset.
    "type user
     type org { relation admin: user  relation member: user | org#admin  permission access = member + admin }
     type space { relation org: org  relation guest: user | org#access  permission read = guest + org->access }
     type page { relation space: space  relation author: user  permission read = author + space->read }",
];

const USERS: [&str; 3] = ["u0", "u1", "u2"];
const IDS: [&str; 3] = ["a", "b", "c"];

/// Every tuple the schema allows over a small universe of ids.
fn candidates(schema: &Schema) -> Vec<Tuple> {
    let mut out = Vec::new();
    for (t, def) in &schema.types {
        for (rel, allowed) in &def.relations {
            for id in IDS {
                let object = Object { typ: t.clone(), id: id.into() };
                for a in allowed {
                    let subjects: Vec<Subject> = match a {
                        SubjectType::Direct(st) if st == "user" => USERS
                            .iter()
                            .map(|u| Subject { typ: "user".into(), id: (*u).into(), relation: None })
                            .collect(),
                        SubjectType::Direct(st) => {
                            IDS.iter().map(|i| Subject { typ: st.clone(), id: (*i).into(), relation: None }).collect()
                        }
                        SubjectType::Userset(st, r) => IDS
                            .iter()
                            .map(|i| Subject { typ: st.clone(), id: (*i).into(), relation: Some(r.clone()) })
                            .collect(),
                        SubjectType::Wildcard(st) => vec![Subject { typ: st.clone(), id: "*".into(), relation: None }],
                    };
                    for subject in subjects {
                        out.push(Tuple { object: object.clone(), relation: rel.clone(), subject, condition: None });
                    }
                }
            }
        }
    }
    out
}

/// The reference: (type, id, name) facts for `user`, to a fixpoint. Exclusion's subtracted side
/// is a plain relation in these schemas, so the iteration stays monotone.
fn reference(schema: &Schema, tuples: &BTreeSet<Tuple>, user: &str) -> HashSet<(String, String, String)> {
    let mut facts: HashSet<(String, String, String)> = HashSet::new();
    loop {
        let mut changed = false;
        for (t, def) in &schema.types {
            for id in IDS {
                for rel in def.relations.keys() {
                    let holds = tuples.iter().any(|tu| {
                        tu.object.typ == *t
                            && tu.object.id == id
                            && tu.relation == *rel
                            && match &tu.subject.relation {
                                None => tu.subject.typ == "user" && (tu.subject.id == user || tu.subject.id == "*"),
                                Some(r) => facts.contains(&(tu.subject.typ.clone(), tu.subject.id.clone(), r.clone())),
                            }
                    });
                    if holds && facts.insert((t.clone(), id.into(), rel.clone())) {
                        changed = true;
                    }
                }
                for (p, e) in &def.permissions {
                    if eval(e, t, id, tuples, &facts) && facts.insert((t.clone(), id.into(), p.clone())) {
                        changed = true;
                    }
                }
            }
        }
        if !changed {
            return facts;
        }
    }
}

fn eval(e: &Expr, t: &str, id: &str, tuples: &BTreeSet<Tuple>, facts: &HashSet<(String, String, String)>) -> bool {
    match e {
        Expr::Name(n) => facts.contains(&(t.to_owned(), id.to_owned(), n.clone())),
        Expr::Arrow(via, target) => tuples.iter().any(|tu| {
            tu.object.typ == t
                && tu.object.id == id
                && tu.relation == *via
                && tu.subject.relation.is_none()
                && facts.contains(&(tu.subject.typ.clone(), tu.subject.id.clone(), target.clone()))
        }),
        Expr::Union(a, b) => eval(a, t, id, tuples, facts) || eval(b, t, id, tuples, facts),
        Expr::Intersection(a, b) => eval(a, t, id, tuples, facts) && eval(b, t, id, tuples, facts),
        Expr::Exclusion(a, b) => eval(a, t, id, tuples, facts) && !eval(b, t, id, tuples, facts),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]
    #[test]
    fn engine_agrees_with_the_reference(which in 0..SCHEMAS.len(), picks in proptest::collection::vec(any::<prop::sample::Index>(), 0..40)) {
        let schema = Schema::parse(SCHEMAS[which]).expect("schema");
        let all = candidates(&schema);
        let tuples: BTreeSet<Tuple> = picks.iter().map(|i| all[i.index(all.len())].clone()).collect();
        let mut engine = Engine::new(schema.clone());
        for t in &tuples {
            engine.write(t.clone()).expect("allowed by construction");
        }
        for user in USERS {
            let facts = reference(&schema, &tuples, user);
            let subject = Subject { typ: "user".into(), id: user.into(), relation: None };
            for (t, def) in &schema.types {
                for id in IDS {
                    for name in def.relations.keys().chain(def.permissions.keys()) {
                        let object = Object { typ: t.clone(), id: id.into() };
                        let want = if facts.contains(&(t.clone(), id.into(), name.clone())) { Decision::Allow } else { Decision::Deny };
                        prop_assert_eq!(engine.check(&object, name, &subject, &Context::at(0)), Ok(want), "{}#{} for {} with {:?}", object, name, user, tuples);
                    }
                }
            }
        }
    }
}
