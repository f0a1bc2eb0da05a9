//! The engine: tuples in memory, an adjacency list per object, and `check`.
//!
//! `check(object, permission, subject)` walks the schema's rule for the permission: a relation
//! holds when a tuple names the subject (or `type:*` of its type), or names a userset the subject
//! is in; `+`, `&`, `-` combine; `via->name` asks `name` on every object `via` points to.
//!
//! - **Cycles** (group A in group B in group A) end: a node met again on its own path counts as
//!   "not through here" — sound for union and intersection (the least fixpoint). A cycle that
//!   passes through the subtracted side of an exclusion has no such answer: it is an error.
//! - **Depth** is limited ([`MAX_DEPTH`] nested steps); beyond it the check is an error.
//! - **Errors fail closed**: the caller gets `Err`, never an allow. An allow found on a complete
//!   path before any error stands (a union needs one branch).
//! - **Conditions** (`condition`): a tuple with a condition counts where the condition holds in
//!   the check's context; where it needs a value the context lacks, the answer is
//!   [`Decision::Conditional`] with what is needed, unless another path allows outright.

use std::collections::BTreeSet;

use crate::compiled::{Compiled, Member, NameId, TypeId};
use crate::condition::{Condition, Context, Need, Truth};
use crate::schema::Schema;
use crate::tuple::{Object, Subject, Tuple};
use crate::walk::Walk;

/// Nested steps a check may take (usersets, arrows, permissions within permissions).
pub const MAX_DEPTH: usize = 50;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    Allow,
    Deny,
    /// It would be an allow with these values in the context (a step-up, an attribute, …).
    Conditional(BTreeSet<Need>),
}

impl From<Truth> for Decision {
    fn from(t: Truth) -> Self {
        match t {
            Truth::Yes => Decision::Allow,
            Truth::No => Decision::Deny,
            Truth::Needs(n) => Decision::Conditional(n),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EvalError {
    #[error("type {0} has no relation or permission {1}")]
    Unknown(String, String),
    #[error("the check went deeper than {MAX_DEPTH} steps")]
    DepthExceeded,
    #[error("{0} depends on itself through an exclusion")]
    NegativeCycle(String),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WriteError {
    #[error("unknown type {0}")]
    UnknownType(String),
    #[error("type {0} has no relation {1} (permissions are computed, not written)")]
    UnknownRelation(String, String),
    #[error("{0}#{1} does not allow {2} as a subject")]
    SubjectNotAllowed(String, String, String),
}

/// An object (or a userset's object) as a number.
pub(crate) type NodeId = u32;

/// Who a written tuple names (with its type: the walk never looks a node's type up).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum GSubject {
    Node(NodeId, TypeId),
    Userset(NodeId, TypeId, NameId),
    Wildcard(TypeId),
}

/// A written tuple's subject, with its condition (boxed: a grant is 24 bytes, so scanning a
/// relation's grants stays in cache — most have none).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Grant {
    pub subject: GSubject,
    pub condition: Option<Box<Condition>>,
}

/// A relation's grants on one object: most have one, kept inline in the index (one memory
/// access fewer per relation the walk enters).
#[derive(Debug, Clone)]
enum Grants {
    One(Grant),
    Many(Vec<Grant>),
}

impl Grants {
    fn as_slice(&self) -> &[Grant] {
        match self {
            Grants::One(g) => std::slice::from_ref(g),
            Grants::Many(v) => v,
        }
    }

    fn as_mut_slice(&mut self) -> &mut [Grant] {
        match self {
            Grants::One(g) => std::slice::from_mut(g),
            Grants::Many(v) => v,
        }
    }

    fn push(&mut self, g: Grant) {
        match self {
            Grants::Many(v) => v.push(g),
            Grants::One(_) => {
                if let Grants::One(first) = std::mem::replace(self, Grants::Many(Vec::with_capacity(2))) {
                    *self = Grants::Many(vec![first, g]);
                }
            }
        }
    }
}

/// A borrowed node key: hashes as `(TypeId, Box<str>)` does.
#[derive(Hash)]
struct NodeRef<'a>(TypeId, &'a str);

impl hashbrown::Equivalent<(TypeId, Box<str>)> for NodeRef<'_> {
    fn equivalent(&self, k: &(TypeId, Box<str>)) -> bool {
        k.0 == self.0 && *k.1 == *self.1
    }
}

/// Tuples in memory. Objects and names are interned: a check hashes `(node, name)` pairs of
/// integers and compares integers.
#[derive(Debug, Clone, Default)]
pub struct Engine {
    schema: Schema,
    pub(crate) c: Compiled,
    nodes: hashbrown::HashMap<(TypeId, Box<str>), NodeId>,
    node_names: Vec<(TypeId, Box<str>)>,
    /// type → its objects by id, in order (listing walks them from a cursor).
    pub(crate) by_type: Vec<std::collections::BTreeMap<Box<str>, NodeId>>,
    /// node → its relations' grants (an adjacency list: an object's few relations share cache
    /// lines, and finding a node's is an index, not a hash).
    adj: Vec<Vec<(NameId, Grants)>>,
    count: usize,
}

/// One step of a proof.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// A tuple the path went through.
    Tuple(Tuple),
    /// A permission's rule, on an object.
    Rule { object: Object, permission: String, rule: String },
    /// The subtracted side of an exclusion, checked and not held.
    Without { object: Object, rule: String },
}

impl std::fmt::Display for Step {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Step::Tuple(t) => write!(f, "tuple {t}"),
            Step::Rule { object, permission, rule } => write!(f, "rule {object}#{permission} = {rule}"),
            Step::Without { object, rule } => write!(f, "not {object}#({rule})"),
        }
    }
}

/// Why a check answered as it did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Explanation {
    pub decision: Decision,
    /// An allow's proof: the rules and tuples used, from the permission asked to the subject.
    pub proof: Vec<Step>,
    /// A deny's nearest missing tuples: each one, written, would have allowed it (fewest steps
    /// from the permission first; at most [`MAX_SUGGESTIONS`]).
    pub missing: Vec<Tuple>,
    /// How many relations and permissions the check went through.
    pub explored: usize,
}

/// Missing tuples an explanation suggests at most.
pub const MAX_SUGGESTIONS: usize = 3;
/// Candidate tuples an explanation tries at most.
const MAX_TRIES: usize = 32;

impl Engine {
    pub fn new(schema: Schema) -> Self {
        let c = Compiled::new(&schema);
        Engine { schema, c, ..Engine::default() }
    }

    pub fn schema(&self) -> &Schema {
        &self.schema
    }

    /// How many tuples are held.
    pub fn len(&self) -> usize {
        self.count
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Checks a tuple against the schema without storing it.
    pub fn validate(&self, t: &Tuple) -> Result<(), WriteError> {
        let Some(def) = self.schema.types.get(&t.object.typ) else {
            return Err(WriteError::UnknownType(t.object.typ.clone()));
        };
        if !def.relations.contains_key(&t.relation) {
            return Err(WriteError::UnknownRelation(t.object.typ.clone(), t.relation.clone()));
        }
        let s = &t.subject;
        if !self.schema.allows(&t.object.typ, &t.relation, &s.typ, s.relation.as_deref(), s.is_wildcard()) {
            return Err(WriteError::SubjectNotAllowed(t.object.typ.clone(), t.relation.clone(), s.to_string()));
        }
        Ok(())
    }

    pub(crate) fn node(&self, typ: &str, id: &str) -> Option<NodeId> {
        let t = *self.c.types.get(typ)?;
        self.nodes.get(&NodeRef(t, id)).copied()
    }

    fn intern(&mut self, t: TypeId, id: &str) -> NodeId {
        if let Some(n) = self.nodes.get(&NodeRef(t, id)) {
            return *n;
        }
        let n = self.node_names.len() as NodeId;
        self.node_names.push((t, id.into()));
        self.nodes.insert((t, id.into()), n);
        self.adj.push(Vec::new());
        if self.by_type.len() <= t as usize {
            self.by_type.resize_with(t as usize + 1, Default::default);
        }
        if let Some(ids) = self.by_type.get_mut(t as usize) {
            ids.insert(id.into(), n);
        }
        n
    }

    /// The grant a (valid) tuple's subject is, interning what it names; `None` when `make` is
    /// false and it names nothing known.
    fn grant_subject(&mut self, s: &Subject, make: bool) -> Option<GSubject> {
        let t = *self.c.types.get(&s.typ)?;
        if s.is_wildcard() {
            return Some(GSubject::Wildcard(t));
        }
        let n = if make { self.intern(t, &s.id) } else { self.node(&s.typ, &s.id)? };
        Some(match &s.relation {
            Some(r) => GSubject::Userset(n, t, *self.c.names.get(r)?),
            None => GSubject::Node(n, t),
        })
    }

    /// Stores a tuple the schema allows (a tuple already there takes the new condition);
    /// `Ok(false)` when nothing changed.
    pub fn write(&mut self, t: Tuple) -> Result<bool, WriteError> {
        self.validate(&t)?;
        let unknown = || WriteError::UnknownType(t.object.typ.clone());
        let ot = *self.c.types.get(&t.object.typ).ok_or_else(unknown)?;
        let rel = *self.c.names.get(&t.relation).ok_or_else(unknown)?;
        let object = self.intern(ot, &t.object.id);
        let subject = self.grant_subject(&t.subject, true).ok_or_else(unknown)?;
        let condition = t.condition.filter(|c| !c.is_empty()).map(Box::new);
        let grant = Grant { subject, condition };
        let Some(rels) = self.adj.get_mut(object as usize) else { return Err(unknown()) };
        match rels.iter_mut().find(|(n, _)| *n == rel) {
            None => rels.push((rel, Grants::One(grant))),
            Some((_, grants)) => {
                if let Some(g) = grants.as_mut_slice().iter_mut().find(|g| g.subject == subject) {
                    let changed = g.condition != grant.condition;
                    g.condition = grant.condition;
                    return Ok(changed);
                }
                grants.push(grant);
            }
        }
        self.count += 1;
        Ok(true)
    }

    /// Removes a tuple (whatever its condition); whether it was there.
    pub fn delete(&mut self, t: &Tuple) -> bool {
        let (Some(object), Some(&rel)) = (self.node(&t.object.typ, &t.object.id), self.c.names.get(&t.relation)) else {
            return false;
        };
        let Some(subject) = self.grant_subject(&t.subject, false) else {
            return false;
        };
        let Some(rels) = self.adj.get_mut(object as usize) else { return false };
        let Some(at) = rels.iter().position(|(n, _)| *n == rel) else { return false };
        let removed = match &mut rels[at].1 {
            Grants::Many(v) => {
                let before = v.len();
                v.retain(|g| g.subject != subject);
                v.len() < before
            }
            Grants::One(g) if g.subject == subject => {
                rels.swap_remove(at);
                true
            }
            Grants::One(_) => false,
        };
        if removed {
            self.count -= 1;
        }
        removed
    }

    pub(crate) fn grants(&self, node: NodeId, name: NameId) -> &[Grant] {
        self.adj
            .get(node as usize)
            .and_then(|rels| rels.iter().find(|(n, _)| *n == name))
            .map_or(&[], |(_, g)| g.as_slice())
    }

    pub(crate) fn member(&self, typ: TypeId, name: NameId) -> Option<&Member> {
        self.c.member(typ, name)
    }

    pub(crate) fn object(&self, node: NodeId) -> Object {
        let (t, id) = self.node_names.get(node as usize).map_or((TypeId::MAX, ""), |(t, id)| (*t, id));
        let typ = self.c.type_names.get(t as usize).cloned().unwrap_or_default();
        Object { typ, id: id.to_owned() }
    }

    pub(crate) fn name(&self, n: NameId) -> String {
        self.c.name_strs.get(n as usize).cloned().unwrap_or_default()
    }

    /// A grant as the tuple it was written as.
    pub(crate) fn tuple(&self, node: NodeId, name: NameId, g: &Grant) -> Tuple {
        let subject = match g.subject {
            GSubject::Node(n, _) => {
                let o = self.object(n);
                Subject { typ: o.typ, id: o.id, relation: None }
            }
            GSubject::Userset(n, _, r) => {
                let o = self.object(n);
                Subject { typ: o.typ, id: o.id, relation: Some(self.name(r)) }
            }
            GSubject::Wildcard(t) => {
                let typ = self.c.type_names.get(t as usize).cloned().unwrap_or_default();
                Subject { typ, id: "*".into(), relation: None }
            }
        };
        let condition = g.condition.as_deref().cloned();
        Tuple { object: self.object(node), relation: self.name(name), subject, condition }
    }

    /// The object and name a check starts from; `Err` when the type has no such member.
    pub(crate) fn start(
        &self,
        object: &Object,
        permission: &str,
    ) -> Result<(Option<NodeId>, TypeId, NameId), EvalError> {
        let unknown = || EvalError::Unknown(object.typ.clone(), permission.to_owned());
        let name = *self.c.names.get(permission).ok_or_else(unknown)?;
        let typ = *self.c.types.get(&object.typ).ok_or_else(unknown)?;
        // The type has that relation or permission (`Schema::has`, on the compiled form).
        if self.c.member(typ, name).is_none() {
            return Err(unknown());
        }
        Ok((self.node(&object.typ, &object.id), typ, name))
    }

    /// May `subject` (an object such as `user:42`) have `permission` (a permission or relation)
    /// on `object`, in `ctx`? An object no tuple names holds nothing.
    pub fn check(
        &self,
        object: &Object,
        permission: &str,
        subject: &Subject,
        ctx: &Context,
    ) -> Result<Decision, EvalError> {
        let (node, typ, name) = self.start(object, permission)?;
        let Some(node) = node else { return Ok(Decision::Deny) };
        Ok(Walk::new(self, subject, ctx).holds(node, typ, name, false)?.into())
    }

    /// [`Engine::check`], with its reasons: an allow's proof path; for a deny, the tuples that
    /// would have allowed it, found by trying the relations the check went through.
    pub fn explain(
        &self,
        object: &Object,
        permission: &str,
        subject: &Subject,
        ctx: &Context,
    ) -> Result<Explanation, EvalError> {
        let (node, typ, name) = self.start(object, permission)?;
        let deny =
            |explored| Explanation { decision: Decision::Deny, proof: Vec::new(), missing: Vec::new(), explored };
        let Some(node) = node else { return Ok(deny(0)) };
        let mut walk = Walk::new(self, subject, ctx);
        walk.proof = Some(Vec::new());
        walk.candidates = Some(Vec::new());
        let truth = walk.holds(node, typ, name, false)?;
        let explored = walk.explored;
        match truth {
            Truth::Yes => {
                let mut proof = walk.proof.unwrap_or_default();
                proof.reverse();
                return Ok(Explanation { decision: Decision::Allow, proof, missing: Vec::new(), explored });
            }
            Truth::Needs(n) => {
                return Ok(Explanation {
                    decision: Decision::Conditional(n),
                    proof: Vec::new(),
                    missing: Vec::new(),
                    explored,
                })
            }
            Truth::No => {}
        }
        let mut candidates = walk.candidates.unwrap_or_default();
        candidates.sort_by_key(|(depth, ..)| *depth);
        candidates.dedup_by(|a, b| (a.1, a.2) == (b.1, b.2));
        let mut missing = Vec::new();
        for &(_, n, r) in candidates.iter().take(MAX_TRIES) {
            let mut w = Walk::new(self, subject, ctx);
            w.extra = Some((n, r));
            // A candidate that errors (a cycle through an exclusion) is no suggestion.
            if w.holds(node, typ, name, false) == Ok(Truth::Yes) {
                let plain = Subject { relation: None, ..subject.clone() };
                missing.push(Tuple { object: self.object(n), relation: self.name(r), subject: plain, condition: None });
                if missing.len() == MAX_SUGGESTIONS {
                    break;
                }
            }
        }
        Ok(Explanation { missing, ..deny(explored) })
    }
}

#[cfg(test)]
#[path = "engine_tests.rs"]
mod tests;
