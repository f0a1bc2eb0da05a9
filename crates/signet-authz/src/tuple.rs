//! Relationship tuples: `type:id#relation@subject`, where the subject is `type:id` (an object,
//! usually a user), `type:id#relation` (a userset: everyone holding that relation there) or
//! `type:*` (every object of the type).

use std::fmt;

/// An object: `document:readme`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Object {
    pub typ: String,
    pub id: String,
}

/// Who a tuple grants to.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Subject {
    pub typ: String,
    /// `*` for every object of the type.
    pub id: String,
    /// A userset's relation (`group:eng#member`).
    pub relation: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Tuple {
    pub object: Object,
    pub relation: String,
    pub subject: Subject,
    /// When the tuple holds (none: always).
    pub condition: Option<crate::condition::Condition>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct TupleError(pub String);

/// Type and relation names: what the schema language accepts.
pub fn valid_name(s: &str) -> bool {
    let mut b = s.bytes();
    b.next().is_some_and(|c| c.is_ascii_alphabetic() || c == b'_')
        && b.all(|c| c.is_ascii_alphanumeric() || c == b'_')
        && s.len() <= 64
}

/// Object ids: 1–256 characters of letters, digits and `_ - . | = + / @ ~`, so that `:`, `#`,
/// `*` and spaces keep their meaning in the text form.
pub fn valid_id(s: &str) -> bool {
    !s.is_empty() && s.len() <= 256 && s.bytes().all(|c| c.is_ascii_alphanumeric() || b"_-.|=+/@~".contains(&c))
}

impl Object {
    pub fn new(typ: &str, id: &str) -> Result<Self, TupleError> {
        if !valid_name(typ) {
            return Err(TupleError(format!("{typ:?} is not a type name")));
        }
        if !valid_id(id) {
            return Err(TupleError(format!("{id:?} is not an object id (letters, digits, _ - . | = + / @ ~)")));
        }
        Ok(Object { typ: typ.into(), id: id.into() })
    }

    /// `type:id`.
    pub fn parse(s: &str) -> Result<Self, TupleError> {
        let (t, id) = s.split_once(':').ok_or_else(|| TupleError(format!("{s:?}: expected type:id")))?;
        Object::new(t, id)
    }
}

impl Subject {
    /// `type:id`, `type:id#relation` or `type:*`.
    pub fn parse(s: &str) -> Result<Self, TupleError> {
        let (obj, relation) = match s.split_once('#') {
            Some((o, r)) if valid_name(r) => (o, Some(r.to_owned())),
            Some(_) => return Err(TupleError(format!("{s:?}: the part after # is not a relation name"))),
            None => (s, None),
        };
        let (t, id) = obj.split_once(':').ok_or_else(|| TupleError(format!("{s:?}: expected type:id")))?;
        if id == "*" {
            if relation.is_some() {
                return Err(TupleError(format!("{s:?}: a wildcard has no relation")));
            }
            if !valid_name(t) {
                return Err(TupleError(format!("{t:?} is not a type name")));
            }
            return Ok(Subject { typ: t.into(), id: "*".into(), relation: None });
        }
        let o = Object::new(t, id)?;
        Ok(Subject { typ: o.typ, id: o.id, relation })
    }

    pub fn is_wildcard(&self) -> bool {
        self.id == "*"
    }
}

impl Tuple {
    /// `type:id#relation@subject`.
    pub fn parse(s: &str) -> Result<Self, TupleError> {
        let (left, subject) =
            s.split_once('@').ok_or_else(|| TupleError(format!("{s:?}: expected object#relation@subject")))?;
        let (object, relation) =
            left.split_once('#').ok_or_else(|| TupleError(format!("{s:?}: expected object#relation@subject")))?;
        if !valid_name(relation) {
            return Err(TupleError(format!("{relation:?} is not a relation name")));
        }
        let (object, subject) = (Object::parse(object)?, Subject::parse(subject)?);
        Ok(Tuple { object, relation: relation.into(), subject, condition: None })
    }
}

impl fmt::Display for Object {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.typ, self.id)
    }
}

impl fmt::Display for Subject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.typ, self.id)?;
        if let Some(r) = &self.relation {
            write!(f, "#{r}")?;
        }
        Ok(())
    }
}

impl fmt::Display for Tuple {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}#{}@{}", self.object, self.relation, self.subject)?;
        match &self.condition {
            Some(c) if !c.is_empty() => write!(f, " [{c}]"),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tuples_round_trip() {
        for s in ["document:readme#viewer@user:42", "folder:a#viewer@group:eng#member", "folder:a#viewer@user:*"] {
            assert_eq!(Tuple::parse(s).expect(s).to_string(), s);
        }
        for bad in [
            "document:readme#viewer",
            "document#viewer@user:1",
            "document:readme#@user:1",
            "document:read me#viewer@user:1",
            "document:readme#viewer@user",
            "document:readme#viewer@user:*#member",
            "document:readme#viewer@group:eng#",
            "9doc:readme#viewer@user:1",
            "document:#viewer@user:1",
        ] {
            assert!(Tuple::parse(bad).is_err(), "{bad}");
        }
    }
}
