//! The engine: tuples in memory, indexed by object and relation, and `check`.
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

use crate::condition::{Condition, Context, Need, Truth};
use crate::schema::{Expr, Schema};
use crate::tuple::{Object, Subject, Tuple};

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

/// A written tuple's subject, with its condition.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Grant {
    subject: Subject,
    condition: Option<Condition>,
}

/// (type, id, relation) → grants: one hash (foldhash) per lookup, looked up by `&str`s.
type Key = (Box<str>, Box<str>, Box<str>);
type Index = hashbrown::HashMap<Key, Vec<Grant>>;

/// A borrowed [`Key`]: hashes as the owned one does (a tuple of `str`s).
#[derive(Hash)]
struct KeyRef<'a>(&'a str, &'a str, &'a str);

impl hashbrown::Equivalent<Key> for KeyRef<'_> {
    fn equivalent(&self, k: &Key) -> bool {
        *k.0 == *self.0 && *k.1 == *self.1 && *k.2 == *self.2
    }
}

#[derive(Debug, Clone, Default)]
pub struct Engine {
    schema: Schema,
    tuples: Index,
    count: usize,
}

/// A node on the path of a check: (type, id, relation or permission), and whether it was
/// entered on the subtracted side of an exclusion an odd number of times.
type Node<'a> = (&'a str, &'a str, &'a str, bool);

struct Walk<'a> {
    engine: &'a Engine,
    subject: &'a Subject,
    ctx: &'a Context,
    path: Vec<Node<'a>>,
    /// Relations and permissions entered (explaining).
    explored: usize,
    /// Explaining: the steps of the branches that held, innermost first.
    proof: Option<Vec<Step>>,
    /// Explaining a deny: relations a direct tuple for the subject could have been written to,
    /// with how deep they were met.
    candidates: Option<Vec<(usize, Tuple)>>,
    /// Explaining a deny: one tuple tried as if it were written.
    extra: Option<&'a Tuple>,
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
        Engine { schema, tuples: Index::default(), count: 0 }
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

    /// Stores a tuple the schema allows (a tuple already there takes the new condition);
    /// `Ok(false)` when nothing changed.
    pub fn write(&mut self, t: Tuple) -> Result<bool, WriteError> {
        self.validate(&t)?;
        let condition = t.condition.filter(|c| !c.is_empty());
        let key: Key = (t.object.typ.into(), t.object.id.into(), t.relation.into());
        let grants = self.tuples.entry(key).or_default();
        if let Some(g) = grants.iter_mut().find(|g| g.subject == t.subject) {
            let changed = g.condition != condition;
            g.condition = condition;
            return Ok(changed);
        }
        grants.push(Grant { subject: t.subject, condition });
        self.count += 1;
        Ok(true)
    }

    /// Removes a tuple (whatever its condition); whether it was there.
    pub fn delete(&mut self, t: &Tuple) -> bool {
        let Some(grants) = self.tuples.get_mut(&KeyRef(&t.object.typ, &t.object.id, &t.relation)) else {
            return false;
        };
        let before = grants.len();
        grants.retain(|g| g.subject != t.subject);
        let removed = grants.len() < before;
        if removed {
            self.count -= 1;
        }
        removed
    }

    fn grants(&self, typ: &str, id: &str, relation: &str) -> &[Grant] {
        self.tuples.get(&KeyRef(typ, id, relation)).map_or(&[], Vec::as_slice)
    }

    /// May `subject` (an object such as `user:42`) have `permission` (a permission or relation)
    /// on `object`, in `ctx`?
    pub fn check(
        &self,
        object: &Object,
        permission: &str,
        subject: &Subject,
        ctx: &Context,
    ) -> Result<Decision, EvalError> {
        if !self.schema.has(&object.typ, permission) {
            return Err(EvalError::Unknown(object.typ.clone(), permission.to_owned()));
        }
        let mut walk = Walk::new(self, subject, ctx);
        Ok(walk.holds(&object.typ, &object.id, permission, false)?.into())
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
        if !self.schema.has(&object.typ, permission) {
            return Err(EvalError::Unknown(object.typ.clone(), permission.to_owned()));
        }
        let mut walk = Walk::new(self, subject, ctx);
        walk.proof = Some(Vec::new());
        walk.candidates = Some(Vec::new());
        let truth = walk.holds(&object.typ, &object.id, permission, false)?;
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
        candidates.sort_by_key(|(depth, _)| *depth);
        candidates.dedup_by(|a, b| a.1 == b.1);
        let mut missing = Vec::new();
        for (_, t) in candidates.iter().take(MAX_TRIES) {
            let mut w = Walk::new(self, subject, ctx);
            w.extra = Some(t);
            // A candidate that errors (a cycle through an exclusion) is no suggestion.
            if w.holds(&object.typ, &object.id, permission, false) == Ok(Truth::Yes) {
                missing.push(t.clone());
                if missing.len() == MAX_SUGGESTIONS {
                    break;
                }
            }
        }
        Ok(Explanation { decision: Decision::Deny, proof: Vec::new(), missing, explored })
    }
}

fn object(typ: &str, id: &str) -> Object {
    Object { typ: typ.to_owned(), id: id.to_owned() }
}

impl<'a> Walk<'a> {
    fn new(engine: &'a Engine, subject: &'a Subject, ctx: &'a Context) -> Self {
        Walk {
            engine,
            subject,
            ctx,
            path: Vec::with_capacity(8),
            proof: None,
            candidates: None,
            extra: None,
            explored: 0,
        }
    }

    fn step(&mut self, s: impl FnOnce() -> Step) {
        if let Some(p) = &mut self.proof {
            p.push(s());
        }
    }

    /// Where the proof stands, to drop what a branch that failed added.
    fn mark(&self) -> usize {
        self.proof.as_ref().map_or(0, Vec::len)
    }

    fn rewind(&mut self, mark: usize) {
        if let Some(p) = &mut self.proof {
            p.truncate(mark);
        }
    }

    /// Does the subject hold `name` (a relation or permission) on `typ:id`?
    fn holds(&mut self, typ: &'a str, id: &'a str, name: &'a str, negated: bool) -> Result<Truth, EvalError> {
        if let Some(&(.., parity)) = self.path.iter().find(|(t, i, n, _)| *t == typ && *i == id && *n == name) {
            return if parity == negated {
                Ok(Truth::No)
            } else {
                Err(EvalError::NegativeCycle(format!("{typ}:{id}#{name}")))
            };
        }
        if self.path.len() >= MAX_DEPTH {
            return Err(EvalError::DepthExceeded);
        }
        let engine = self.engine;
        let Some(def) = engine.schema.types.get(typ) else {
            return Ok(Truth::No);
        };
        self.path.push((typ, id, name, negated));
        self.explored += 1;
        let result = if let Some(expr) = def.permissions.get(name) {
            let r = self.expr(typ, id, expr, negated);
            if r == Ok(Truth::Yes) {
                self.step(|| Step::Rule {
                    object: object(typ, id),
                    permission: name.to_owned(),
                    rule: expr.to_string(),
                });
            }
            r
        } else if def.relations.contains_key(name) {
            self.relation(typ, id, name, negated)
        } else {
            Ok(Truth::No)
        };
        self.path.pop();
        result
    }

    fn relation(&mut self, typ: &'a str, id: &'a str, name: &'a str, negated: bool) -> Result<Truth, EvalError> {
        let (subject, ctx) = (self.subject, self.ctx);
        let tuple = |g: &Grant| Tuple {
            object: object(typ, id),
            relation: name.to_owned(),
            subject: g.subject.clone(),
            condition: g.condition.clone(),
        };
        let direct =
            |s: &Subject| s.relation.is_none() && s.typ == subject.typ && (s.id == subject.id || s.is_wildcard());
        let when = |g: &Grant| g.condition.as_ref().map_or(Truth::Yes, |c| c.eval(ctx));
        let grants = self.engine.grants(typ, id, name);
        let mut result = Truth::No;
        // Direct grants first: no recursion needed for the common case.
        for g in grants.iter().filter(|g| direct(&g.subject)) {
            let t = when(g);
            if t == Truth::Yes {
                self.step(|| Step::Tuple(tuple(g)));
                return Ok(Truth::Yes);
            }
            result = result.or(|| Ok::<_, EvalError>(t))?;
        }
        if let Some(t) = self.extra {
            if t.object.typ == typ && t.object.id == id && t.relation == name && direct(&t.subject) {
                return Ok(Truth::Yes);
            }
        }
        if let Some(c) = &mut self.candidates {
            if !negated && self.engine.schema.allows(typ, name, &subject.typ, None, false) {
                let plain = Subject { relation: None, ..subject.clone() };
                let t = Tuple { object: object(typ, id), relation: name.to_owned(), subject: plain, condition: None };
                c.push((self.path.len(), t));
            }
        }
        for g in grants {
            let Some(rel) = &g.subject.relation else { continue };
            let cond = when(g);
            if cond == Truth::No {
                continue;
            }
            let mark = self.mark();
            let t = cond.and(|| self.holds(&g.subject.typ, &g.subject.id, rel, negated))?;
            if t == Truth::Yes {
                self.step(|| Step::Tuple(tuple(g)));
                return Ok(Truth::Yes);
            }
            self.rewind(mark);
            result = result.or(|| Ok::<_, EvalError>(t))?;
        }
        Ok(result)
    }

    fn expr(&mut self, typ: &'a str, id: &'a str, e: &'a Expr, negated: bool) -> Result<Truth, EvalError> {
        let mark = self.mark();
        let truth = match e {
            Expr::Name(n) => self.holds(typ, id, n, negated)?,
            Expr::Arrow(via, target) => {
                let ctx = self.ctx;
                let mut result = Truth::No;
                for g in self.engine.grants(typ, id, via) {
                    if g.subject.relation.is_some() || g.subject.is_wildcard() {
                        continue;
                    }
                    let cond = g.condition.as_ref().map_or(Truth::Yes, |c| c.eval(ctx));
                    if cond == Truth::No {
                        continue;
                    }
                    let inner = self.mark();
                    let t = cond.and(|| self.holds(&g.subject.typ, &g.subject.id, target, negated))?;
                    if t == Truth::Yes {
                        self.step(|| {
                            let (subject, condition) = (g.subject.clone(), g.condition.clone());
                            Step::Tuple(Tuple { object: object(typ, id), relation: via.clone(), subject, condition })
                        });
                        result = Truth::Yes;
                        break;
                    }
                    self.rewind(inner);
                    result = result.or(|| Ok::<_, EvalError>(t))?;
                }
                result
            }
            Expr::Union(a, b) => self.expr(typ, id, a, negated)?.or(|| self.expr(typ, id, b, negated))?,
            Expr::Intersection(a, b) => self.expr(typ, id, a, negated)?.and(|| self.expr(typ, id, b, negated))?,
            Expr::Exclusion(a, b) => {
                let left = self.expr(typ, id, a, negated)?;
                if left == Truth::No {
                    Truth::No
                } else {
                    let inner = self.mark();
                    let excluded = self.expr(typ, id, b, !negated)?;
                    self.rewind(inner);
                    if excluded == Truth::No {
                        self.step(|| Step::Without { object: object(typ, id), rule: b.to_string() });
                    }
                    left.and(|| Ok::<_, EvalError>(!excluded))?
                }
            }
        };
        if truth != Truth::Yes {
            self.rewind(mark);
        }
        Ok(truth)
    }
}

#[cfg(test)]
#[path = "engine_tests.rs"]
mod tests;
