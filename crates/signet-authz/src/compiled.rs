//! The schema as numbers: types and relation/permission names interned to small integers, and
//! each permission's rule compiled over them, so a check compares and hashes integers only.

/// hashbrown's default hasher (foldhash): a check hashes a few short names, where SipHash's
/// DoS resistance buys nothing (the names come from the schema).
use hashbrown::HashMap;

use crate::schema::{Expr, Schema};

pub(crate) type TypeId = u16;
pub(crate) type NameId = u16;

/// A permission's rule over interned names.
#[derive(Debug, Clone)]
pub(crate) enum CExpr {
    Name(NameId),
    Arrow(NameId, NameId),
    Union(Box<CExpr>, Box<CExpr>),
    Intersection(Box<CExpr>, Box<CExpr>),
    /// With the subtracted side as written (for explanations).
    Exclusion(Box<CExpr>, Box<CExpr>, String),
}

#[derive(Debug, Clone)]
pub(crate) enum Member {
    Relation,
    Permission { expr: CExpr, rule: String },
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Compiled {
    pub types: HashMap<String, TypeId>,
    pub type_names: Vec<String>,
    pub names: HashMap<String, NameId>,
    pub name_strs: Vec<String>,
    /// type → name → what it is there (`None`: the type has no such member).
    members: Vec<Vec<Option<Member>>>,
}

impl Compiled {
    pub fn new(schema: &Schema) -> Self {
        let mut c = Compiled::default();
        for (t, def) in &schema.types {
            c.types.insert(t.clone(), c.type_names.len() as TypeId);
            c.type_names.push(t.clone());
            for n in def.relations.keys().chain(def.permissions.keys()) {
                if !c.names.contains_key(n) {
                    c.names.insert(n.clone(), c.name_strs.len() as NameId);
                    c.name_strs.push(n.clone());
                }
            }
        }
        for def in schema.types.values() {
            let mut row: Vec<Option<Member>> = vec![None; c.name_strs.len()];
            for r in def.relations.keys() {
                row[c.names[r] as usize] = Some(Member::Relation);
            }
            for (p, e) in &def.permissions {
                row[c.names[p] as usize] = Some(Member::Permission { expr: c.compile(e), rule: e.to_string() });
            }
            c.members.push(row);
        }
        c
    }

    fn compile(&self, e: &Expr) -> CExpr {
        let id = |n: &String| self.names[n];
        match e {
            Expr::Name(n) => CExpr::Name(id(n)),
            Expr::Arrow(via, n) => CExpr::Arrow(id(via), id(n)),
            Expr::Union(a, b) => CExpr::Union(Box::new(self.compile(a)), Box::new(self.compile(b))),
            Expr::Intersection(a, b) => CExpr::Intersection(Box::new(self.compile(a)), Box::new(self.compile(b))),
            Expr::Exclusion(a, b) => {
                CExpr::Exclusion(Box::new(self.compile(a)), Box::new(self.compile(b)), b.to_string())
            }
        }
    }

    pub fn member(&self, t: TypeId, n: NameId) -> Option<&Member> {
        self.members.get(t as usize).and_then(|row| row.get(n as usize)).and_then(Option::as_ref)
    }
}
