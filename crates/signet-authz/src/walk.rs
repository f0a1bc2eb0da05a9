//! One check's walk through the graph (see `engine` for the rules it keeps).

use crate::compiled::{CExpr, Member, NameId, TypeId};
use crate::condition::{Context, Truth};
use crate::engine::{Engine, EvalError, GSubject, Grant, NodeId, Step, MAX_DEPTH};
use crate::tuple::Subject;

pub(crate) struct Walk<'a> {
    engine: &'a Engine,
    ctx: &'a Context,
    /// The subject asked about, as the engine knows it (`None`: it is in no tuple, only a
    /// wildcard of its type can match it).
    subject_node: Option<NodeId>,
    subject_type: Option<TypeId>,
    /// The nodes on the path: (object, name, entered on the subtracted side of an exclusion an
    /// odd number of times).
    path: Vec<(NodeId, NameId, bool)>,
    /// Relations and permissions entered.
    pub explored: usize,
    /// Explaining: the steps of the branches that held, innermost first.
    pub proof: Option<Vec<Step>>,
    /// Explaining a deny: (depth, object, relation) a direct tuple for the subject could be
    /// written to.
    pub candidates: Option<Vec<(usize, NodeId, NameId)>>,
    /// Explaining a deny: a direct tuple for the subject tried as if it were written.
    pub extra: Option<(NodeId, NameId)>,
}

impl<'a> Walk<'a> {
    pub fn new(engine: &'a Engine, subject: &Subject, ctx: &'a Context) -> Self {
        Walk {
            engine,
            ctx,
            subject_node: engine.node(&subject.typ, &subject.id),
            subject_type: engine.c.types.get(&subject.typ).copied(),
            path: Vec::with_capacity(8),
            explored: 0,
            proof: None,
            candidates: None,
            extra: None,
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

    fn when(&self, g: &Grant) -> Truth {
        g.condition.as_ref().map_or(Truth::Yes, |c| c.eval(self.ctx))
    }

    /// Does the subject hold `name` (a relation or permission) on `node`?
    pub fn holds(&mut self, node: NodeId, typ: TypeId, name: NameId, negated: bool) -> Result<Truth, EvalError> {
        if let Some(&(.., parity)) = self.path.iter().find(|(n, m, _)| *n == node && *m == name) {
            return if parity == negated {
                Ok(Truth::No)
            } else {
                let o = self.engine.object(node);
                Err(EvalError::NegativeCycle(format!("{o}#{}", self.engine.name(name))))
            };
        }
        if self.path.len() >= MAX_DEPTH {
            return Err(EvalError::DepthExceeded);
        }
        let engine = self.engine;
        self.path.push((node, name, negated));
        self.explored += 1;
        let result = match engine.member(typ, name) {
            Some(Member::Permission { expr, rule }) => {
                let r = self.expr(node, typ, expr, negated);
                if r == Ok(Truth::Yes) {
                    self.step(|| Step::Rule {
                        object: engine.object(node),
                        permission: engine.name(name),
                        rule: rule.clone(),
                    });
                }
                r
            }
            Some(Member::Relation) => self.relation(node, typ, name, negated),
            None => Ok(Truth::No),
        };
        self.path.pop();
        result
    }

    fn relation(&mut self, node: NodeId, typ: TypeId, name: NameId, negated: bool) -> Result<Truth, EvalError> {
        let engine = self.engine;
        let (me, my_type) = (self.subject_node, self.subject_type);
        let direct = |g: &Grant| match g.subject {
            GSubject::Node(n, _) => Some(n) == me,
            GSubject::Wildcard(t) => Some(t) == my_type,
            GSubject::Userset(..) => false,
        };
        let grants = engine.grants(node, name);
        let mut result = Truth::No;
        // Direct grants first: no recursion needed for the common case.
        for g in grants.iter().filter(|g| direct(g)) {
            let t = self.when(g);
            if t == Truth::Yes {
                self.step(|| Step::Tuple(engine.tuple(node, name, g)));
                return Ok(Truth::Yes);
            }
            result = result.or(|| Ok::<_, EvalError>(t))?;
        }
        if self.extra == Some((node, name)) {
            return Ok(Truth::Yes);
        }
        if let (Some(c), Some(t)) = (&mut self.candidates, my_type) {
            let (rel, type_names) = (engine.name(name), &engine.c.type_names);
            let type_name = |t: TypeId| type_names.get(t as usize).map(String::as_str).unwrap_or_default();
            if !negated && engine.schema().allows(type_name(typ), &rel, type_name(t), None, false) {
                c.push((self.path.len(), node, name));
            }
        }
        for g in grants {
            let GSubject::Userset(n, t, r) = g.subject else { continue };
            let cond = self.when(g);
            if cond == Truth::No {
                continue;
            }
            let mark = self.mark();
            let held = cond.and(|| self.holds(n, t, r, negated))?;
            if held == Truth::Yes {
                self.step(|| Step::Tuple(engine.tuple(node, name, g)));
                return Ok(Truth::Yes);
            }
            self.rewind(mark);
            result = result.or(|| Ok::<_, EvalError>(held))?;
        }
        Ok(result)
    }

    fn expr(&mut self, node: NodeId, typ: TypeId, e: &'a CExpr, negated: bool) -> Result<Truth, EvalError> {
        let mark = self.mark();
        let engine = self.engine;
        let truth = match e {
            CExpr::Name(n) => self.holds(node, typ, *n, negated)?,
            CExpr::Arrow(via, target) => {
                let mut result = Truth::No;
                for g in engine.grants(node, *via) {
                    let GSubject::Node(n, t) = g.subject else { continue };
                    let cond = self.when(g);
                    if cond == Truth::No {
                        continue;
                    }
                    let inner = self.mark();
                    let held = cond.and(|| self.holds(n, t, *target, negated))?;
                    if held == Truth::Yes {
                        self.step(|| Step::Tuple(engine.tuple(node, *via, g)));
                        result = Truth::Yes;
                        break;
                    }
                    self.rewind(inner);
                    result = result.or(|| Ok::<_, EvalError>(held))?;
                }
                result
            }
            CExpr::Union(a, b) => self.expr(node, typ, a, negated)?.or(|| self.expr(node, typ, b, negated))?,
            CExpr::Intersection(a, b) => self.expr(node, typ, a, negated)?.and(|| self.expr(node, typ, b, negated))?,
            CExpr::Exclusion(a, b, shown) => {
                let left = self.expr(node, typ, a, negated)?;
                if left == Truth::No {
                    Truth::No
                } else {
                    let inner = self.mark();
                    let excluded = self.expr(node, typ, b, !negated)?;
                    self.rewind(inner);
                    if excluded == Truth::No {
                        self.step(|| Step::Without { object: engine.object(node), rule: shown.clone() });
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
