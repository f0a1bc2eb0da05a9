//! The schema language.
//!
//! ```text
//! // Comments run to the end of the line.
//! type user
//!
//! type group {
//!   relation member: user | group#member
//! }
//!
//! type folder {
//!   relation owner: user
//!   relation viewer: user | group#member | user:*
//!   permission view = viewer + owner
//! }
//!
//! type document {
//!   relation parent: folder
//!   relation editor: user | group#member
//!   relation banned: user
//!   permission edit = editor - banned
//!   permission view = (edit + parent->view) - banned
//! }
//! ```
//!
//! - `relation NAME: T | T#R | T:*` — which subjects a tuple of that relation may name: an
//!   object of type `T`, the userset `T#R` (everyone holding `R` on a `T`), or everyone of type
//!   `T` (`T:*`).
//! - `permission NAME = EXPR` — computed, never written: `+` (union), `&` (intersection), `-`
//!   (exclusion) of relations or permissions of the same type, and `REL->NAME` (`NAME` on each
//!   object that `REL` points to). The operators have one precedence and group from the left
//!   (`a + b - c` is `(a + b) - c`); parentheses group otherwise.
//! - Every error names its line and column (1-based).

use std::collections::BTreeMap;

/// A schema the engine checks tuples against.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Schema {
    pub types: BTreeMap<String, TypeDef>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TypeDef {
    /// Relations: what a tuple may name as its subject.
    pub relations: BTreeMap<String, Vec<SubjectType>>,
    pub permissions: BTreeMap<String, Expr>,
}

/// A kind of subject a relation allows.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum SubjectType {
    /// An object of the type (`user`).
    Direct(String),
    /// Everyone holding a relation or permission on an object of the type (`group#member`).
    Userset(String, String),
    /// Every object of the type (`user:*`).
    Wildcard(String),
}

/// A permission's rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expr {
    /// A relation or permission of the same object.
    Name(String),
    /// `via->name`: `name` on every object the relation `via` points to.
    Arrow(String, String),
    Union(Box<Expr>, Box<Expr>),
    Intersection(Box<Expr>, Box<Expr>),
    Exclusion(Box<Expr>, Box<Expr>),
}

impl std::fmt::Display for Expr {
    /// The rule as written (parenthesised where the grouping is not the left-to-right one).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (l, op, r) = match self {
            Expr::Name(n) => return f.write_str(n),
            Expr::Arrow(via, n) => return write!(f, "{via}->{n}"),
            Expr::Union(l, r) => (l, "+", r),
            Expr::Intersection(l, r) => (l, "&", r),
            Expr::Exclusion(l, r) => (l, "-", r),
        };
        match **r {
            Expr::Name(_) | Expr::Arrow(..) => write!(f, "{l} {op} {r}"),
            _ => write!(f, "{l} {op} ({r})"),
        }
    }
}

/// A schema that does not parse or does not hold together.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}, column {column}: {message}")]
pub struct SchemaError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Ident(String),
    Sym(&'static str),
}

#[derive(Debug, Clone)]
struct Token {
    tok: Tok,
    line: usize,
    column: usize,
}

const SYMBOLS: [&str; 13] = ["->", "{", "}", ":", "|", "#", "*", "=", "+", "&", "-", "(", ")"];

fn lex(src: &str) -> Result<Vec<Token>, SchemaError> {
    let mut out = Vec::new();
    for (n, raw) in src.lines().enumerate() {
        let line = raw.split("//").next().unwrap_or_default();
        let chars: Vec<(usize, char)> = line.char_indices().collect();
        let mut i = 0;
        while i < chars.len() {
            let (at, c) = chars[i];
            let column = line[..at].chars().count() + 1;
            if c.is_whitespace() {
                i += 1;
            } else if c.is_ascii_alphabetic() || c == '_' {
                let start = at;
                while i < chars.len() && (chars[i].1.is_ascii_alphanumeric() || chars[i].1 == '_') {
                    i += 1;
                }
                let end = chars.get(i).map_or(line.len(), |(a, _)| *a);
                out.push(Token { tok: Tok::Ident(line[start..end].to_owned()), line: n + 1, column });
            } else if let Some(sym) = SYMBOLS.iter().find(|s| line[at..].starts_with(**s)) {
                out.push(Token { tok: Tok::Sym(sym), line: n + 1, column });
                i += sym.len();
            } else {
                return Err(SchemaError { line: n + 1, column, message: format!("unexpected character {c:?}") });
            }
        }
    }
    Ok(out)
}

struct Parser {
    toks: Vec<Token>,
    pos: usize,
    /// Where the input ends (for "expected … at the end").
    end: (usize, usize),
}

/// Names used in permissions and subject types, with where they were written (checked once
/// every type is known).
struct Reference {
    line: usize,
    column: usize,
    kind: RefKind,
}

enum RefKind {
    /// A subject type of relation `on_type#relation`.
    Subject(SubjectType),
    /// A name in a permission of `on_type`.
    Name { on_type: String, name: String },
    /// `via->name` in a permission of `on_type`.
    Arrow { on_type: String, via: String, name: String },
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.toks.get(self.pos)
    }

    fn err_here(&self, message: String) -> SchemaError {
        let (line, column) = self.peek().map_or(self.end, |t| (t.line, t.column));
        SchemaError { line, column, message }
    }

    fn describe(&self) -> String {
        match self.peek().map(|t| &t.tok) {
            Some(Tok::Ident(s)) => format!("{s:?}"),
            Some(Tok::Sym(s)) => format!("{s:?}"),
            None => "the end".into(),
        }
    }

    fn ident(&mut self, what: &str) -> Result<(String, usize, usize), SchemaError> {
        match self.peek().cloned() {
            Some(Token { tok: Tok::Ident(s), line, column }) => {
                self.pos += 1;
                Ok((s, line, column))
            }
            _ => Err(self.err_here(format!("expected {what}, found {}", self.describe()))),
        }
    }

    fn sym(&mut self, s: &'static str) -> Result<(), SchemaError> {
        if self.eat(s) {
            Ok(())
        } else {
            Err(self.err_here(format!("expected {s:?}, found {}", self.describe())))
        }
    }

    fn eat(&mut self, s: &'static str) -> bool {
        if matches!(self.peek(), Some(Token { tok: Tok::Sym(x), .. }) if *x == s) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn keyword(&self) -> Option<&str> {
        match self.peek() {
            Some(Token { tok: Tok::Ident(s), .. }) => Some(s.as_str()),
            _ => None,
        }
    }

    fn expr(&mut self, on_type: &str, refs: &mut Vec<Reference>) -> Result<Expr, SchemaError> {
        let mut left = self.term(on_type, refs)?;
        loop {
            let op = if self.eat("+") {
                "+"
            } else if self.eat("&") {
                "&"
            } else if self.eat("-") {
                "-"
            } else {
                return Ok(left);
            };
            let right = Box::new(self.term(on_type, refs)?);
            let l = Box::new(left);
            left = match op {
                "+" => Expr::Union(l, right),
                "&" => Expr::Intersection(l, right),
                _ => Expr::Exclusion(l, right),
            };
        }
    }

    fn term(&mut self, on_type: &str, refs: &mut Vec<Reference>) -> Result<Expr, SchemaError> {
        if self.eat("(") {
            let e = self.expr(on_type, refs)?;
            self.sym(")")?;
            return Ok(e);
        }
        let (name, line, column) = self.ident("a relation or permission name")?;
        if self.eat("->") {
            let (target, _, _) = self.ident("a relation or permission name after ->")?;
            let kind = RefKind::Arrow { on_type: on_type.to_owned(), via: name.clone(), name: target.clone() };
            refs.push(Reference { line, column, kind });
            return Ok(Expr::Arrow(name, target));
        }
        refs.push(Reference { line, column, kind: RefKind::Name { on_type: on_type.to_owned(), name: name.clone() } });
        Ok(Expr::Name(name))
    }

    fn subject_type(&mut self, refs: &mut Vec<Reference>) -> Result<SubjectType, SchemaError> {
        let (t, line, column) = self.ident("a type")?;
        let st = if self.eat("#") {
            SubjectType::Userset(t, self.ident("a relation after #")?.0)
        } else if self.eat(":") {
            self.sym("*")?;
            SubjectType::Wildcard(t)
        } else {
            SubjectType::Direct(t)
        };
        refs.push(Reference { line, column, kind: RefKind::Subject(st.clone()) });
        Ok(st)
    }
}

impl std::str::FromStr for Schema {
    type Err = SchemaError;

    fn from_str(src: &str) -> Result<Self, SchemaError> {
        Schema::parse(src)
    }
}

impl Schema {
    pub fn parse(src: &str) -> Result<Self, SchemaError> {
        let lines: Vec<&str> = src.lines().collect();
        let end = (lines.len().max(1), lines.last().map_or(0, |l| l.chars().count()) + 1);
        let mut p = Parser { toks: lex(src)?, pos: 0, end };
        let mut schema = Schema::default();
        let mut refs = Vec::new();
        while p.peek().is_some() {
            if p.keyword() != Some("type") {
                return Err(p.err_here(format!("expected \"type\", found {}", p.describe())));
            }
            p.pos += 1;
            let (name, line, column) = p.ident("a type name")?;
            if schema.types.contains_key(&name) {
                return Err(SchemaError { line, column, message: format!("type {name} is defined twice") });
            }
            let mut def = TypeDef::default();
            if p.eat("{") {
                while !p.eat("}") {
                    let kw = p.keyword().map(str::to_owned);
                    match kw.as_deref() {
                        Some("relation") | Some("permission") => p.pos += 1,
                        _ => {
                            return Err(p.err_here(format!(
                                "expected \"relation\", \"permission\" or \"}}\", found {}",
                                p.describe()
                            )))
                        }
                    }
                    let (member, line, column) = p.ident("a name")?;
                    if def.relations.contains_key(&member) || def.permissions.contains_key(&member) {
                        let message = format!("{name} already has {member}");
                        return Err(SchemaError { line, column, message });
                    }
                    if kw.as_deref() == Some("relation") {
                        p.sym(":")?;
                        let mut allowed = vec![p.subject_type(&mut refs)?];
                        while p.eat("|") {
                            allowed.push(p.subject_type(&mut refs)?);
                        }
                        def.relations.insert(member, allowed);
                    } else {
                        p.sym("=")?;
                        let e = p.expr(&name, &mut refs)?;
                        def.permissions.insert(member, e);
                    }
                }
            }
            schema.types.insert(name, def);
        }
        schema.check_references(&refs)?;
        Ok(schema)
    }

    /// Does `t` have a relation or permission `name`?
    pub fn has(&self, t: &str, name: &str) -> bool {
        self.types.get(t).is_some_and(|d| d.relations.contains_key(name) || d.permissions.contains_key(name))
    }

    fn check_references(&self, refs: &[Reference]) -> Result<(), SchemaError> {
        for r in refs {
            let fail = |message: String| Err(SchemaError { line: r.line, column: r.column, message });
            match &r.kind {
                RefKind::Subject(SubjectType::Direct(t) | SubjectType::Wildcard(t)) if !self.types.contains_key(t) => {
                    return fail(format!("unknown type {t}"));
                }
                RefKind::Subject(SubjectType::Userset(t, rel)) if !self.has(t, rel) => {
                    return fail(if self.types.contains_key(t) {
                        format!("type {t} has no relation or permission {rel}")
                    } else {
                        format!("unknown type {t}")
                    });
                }
                RefKind::Name { on_type, name } if !self.has(on_type, name) => {
                    return fail(format!("type {on_type} has no relation or permission {name}"));
                }
                RefKind::Arrow { on_type, via, name } => {
                    let Some(allowed) = self.types.get(on_type).and_then(|d| d.relations.get(via)) else {
                        return fail(format!("type {on_type} has no relation {via} (an arrow starts from a relation)"));
                    };
                    let reachable = allowed.iter().any(|s| matches!(s, SubjectType::Direct(t) if self.has(t, name)));
                    if !reachable {
                        return fail(format!("no type that {on_type}#{via} points to has {name}"));
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// May a tuple of `object_type#relation` name `subject`? (`subject_relation` for a userset,
    /// `wildcard` for `T:*`.)
    pub fn allows(
        &self,
        object_type: &str,
        relation: &str,
        subject_type: &str,
        subject_relation: Option<&str>,
        wildcard: bool,
    ) -> bool {
        let Some(allowed) = self.types.get(object_type).and_then(|d| d.relations.get(relation)) else {
            return false;
        };
        allowed.iter().any(|a| match (a, subject_relation, wildcard) {
            (SubjectType::Direct(t), None, false) => t == subject_type,
            (SubjectType::Wildcard(t), None, true) => t == subject_type,
            (SubjectType::Userset(t, r), Some(sr), false) => t == subject_type && r == sr,
            _ => false,
        })
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Documents in folders, shared with users and groups (the engine's tests use it too).
    pub(crate) const DOCS: &str = "
// Documents in folders, shared with users and groups.
type user
type group {
  relation member: user | group#member
}
type folder {
  relation owner: user
  relation viewer: user | group#member | user:*
  permission view = viewer + owner
}
type document {
  relation parent: folder
  relation editor: user | group#member
  relation banned: user
  permission edit = editor - banned
  permission view = (edit + parent->view) - banned
}
";

    #[test]
    fn parses_the_documented_example() {
        let s = Schema::parse(DOCS).expect("schema");
        assert_eq!(s.types.len(), 4);
        let doc = &s.types["document"];
        assert_eq!(
            doc.permissions["view"],
            Expr::Exclusion(
                Box::new(Expr::Union(
                    Box::new(Expr::Name("edit".into())),
                    Box::new(Expr::Arrow("parent".into(), "view".into()))
                )),
                Box::new(Expr::Name("banned".into()))
            )
        );
        assert_eq!(
            s.types["folder"].relations["viewer"],
            [
                SubjectType::Direct("user".into()),
                SubjectType::Userset("group".into(), "member".into()),
                SubjectType::Wildcard("user".into())
            ]
        );
        assert!(s.allows("folder", "viewer", "user", None, true));
        assert!(s.allows("folder", "viewer", "group", Some("member"), false));
        assert!(!s.allows("folder", "owner", "group", Some("member"), false));
        assert!(!s.allows("folder", "view", "user", None, false), "permissions are not written");
    }

    #[test]
    fn rules_print_as_written() {
        let s = Schema::parse(DOCS).expect("schema");
        assert_eq!(s.types["document"].permissions["view"].to_string(), "edit + parent->view - banned");
        let s = Schema::parse("type t { relation a: t relation b: t relation c: t permission p = a - (b + c) }")
            .expect("s");
        assert_eq!(s.types["t"].permissions["p"].to_string(), "a - (b + c)");
    }

    #[test]
    fn operators_group_from_the_left() {
        let s = Schema::parse("type t { relation a: t relation b: t relation c: t permission p = a + b - c }")
            .expect("schema");
        let p = &s.types["t"].permissions["p"];
        assert!(matches!(p, Expr::Exclusion(l, _) if matches!(**l, Expr::Union(..))), "{p:?}");
    }

    fn err(src: &str) -> (usize, usize, String) {
        let e = Schema::parse(src).expect_err("an error");
        (e.line, e.column, e.message)
    }

    #[test]
    fn schema_error_names_line_and_column() {
        // Unknown names, where they are written.
        assert_eq!(err("type user\ntype doc {\n  relation viewer: usr\n}").0, 3);
        assert_eq!(err("type user\ntype doc {\n  relation viewer: usr\n}").1, 20);
        let (l, c, m) = err("type user\ntype doc {\n  relation viewer: user\n  permission view = viewer + editor\n}");
        assert_eq!((l, c), (4, 30));
        assert!(m.contains("no relation or permission editor"), "{m}");
        let (l, c, m) = err("type user\ntype doc {\n  relation viewer: group#member\n}");
        assert_eq!((l, c), (3, 20));
        assert!(m.contains("unknown type group"), "{m}");
        let (l, c, m) = err("type user\ntype doc {\n  relation parent: user\n  permission view = parent->view\n}");
        assert_eq!((l, c), (4, 21));
        assert!(m.contains("points to has view"), "{m}");
        // Syntax, and a character that is no part of the language.
        let (l, c, m) = err("type user {\n  relation x user\n}");
        assert_eq!((l, c), (2, 14));
        assert!(m.contains("expected \":\""), "{m}");
        assert_eq!(err("type user\ntype doc { relation v: user; }").0, 2);
        assert_eq!(err("type user\ntype doc { relation v: user; }").1, 28);
        let (l, c, m) = err("type user {");
        assert_eq!((l, c), (1, 12));
        assert!(m.contains("found the end"), "{m}");
        assert!(err("type a\ntype a").2.contains("defined twice"));
        assert!(err("type a { relation r: a\n permission r = r }").2.contains("already has r"));
        // Column counts characters, not bytes.
        assert_eq!(err("// é\ntype é").1, 6);
    }
}
