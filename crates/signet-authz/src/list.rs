//! Listing: every object of a type a subject holds a permission on, and every subject of a type
//! that holds a permission on an object — complete, in id order, a page at a time from a
//! cursor (the last id the previous page decided). `limit` bounds the candidates decided per
//! page, so a page may list fewer; `next` is given until every candidate was decided. Nothing is
//! ever left out silently (OpenFGA's ListObjects stops at 1,000 results or 3 s; this does not).
//!
//! Each candidate is decided by the same walk as `check`; conditional answers are listed with
//! what they need. (A reverse index is the next step for speed; the answers will not change.)

use std::ops::Bound;

use crate::condition::{Context, Need};
use crate::engine::{Decision, Engine, EvalError};
use crate::tuple::{Object, Subject};
use crate::walk::Walk;

/// One page of a listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    /// Ids held outright.
    pub allowed: Vec<String>,
    /// Ids held under a condition the context does not settle, with what it needs.
    pub conditional: Vec<(String, std::collections::BTreeSet<Need>)>,
    /// Where the next page starts (`None`: this was the last).
    pub next: Option<String>,
}

impl Engine {
    /// The objects of type `typ` on which `subject` holds `permission`, after `cursor`, at most
    /// `limit` (≥ 1) of them decided per page.
    pub fn list_objects(
        &self,
        typ: &str,
        permission: &str,
        subject: &Subject,
        ctx: &Context,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<Page, EvalError> {
        let probe = Object { typ: typ.to_owned(), id: String::new() };
        let (_, t, name) = self.start(&probe, permission)?;
        let mut page = Page { allowed: Vec::new(), conditional: Vec::new(), next: None };
        let Some(ids) = self.by_type.get(t as usize) else { return Ok(page) };
        let from = cursor.map_or(Bound::Unbounded, Bound::Excluded);
        let (mut taken, mut last) = (0, None);
        for (id, &node) in ids.range::<str, _>((from, Bound::Unbounded)) {
            if taken == limit.max(1) {
                // The cursor is the last id decided, listed or not.
                page.next = last.map(str::to_owned);
                break;
            }
            (taken, last) = (taken + 1, Some(&**id));
            match Walk::new(self, subject, ctx).holds(node, t, name, false)?.into() {
                Decision::Allow => page.allowed.push(id.to_string()),
                Decision::Conditional(n) => page.conditional.push((id.to_string(), n)),
                Decision::Deny => {}
            }
        }
        Ok(page)
    }

    /// The subjects of type `subject_type` (users, usually) that hold `permission` on `object`,
    /// after `cursor`, at most `limit` decided per page.
    pub fn list_subjects(
        &self,
        object: &Object,
        permission: &str,
        subject_type: &str,
        ctx: &Context,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<Page, EvalError> {
        let (node, t, name) = self.start(object, permission)?;
        let mut page = Page { allowed: Vec::new(), conditional: Vec::new(), next: None };
        let (Some(node), Some(&st)) = (node, self.c.types.get(subject_type)) else { return Ok(page) };
        let Some(ids) = self.by_type.get(st as usize) else { return Ok(page) };
        let from = cursor.map_or(Bound::Unbounded, Bound::Excluded);
        let (mut taken, mut last) = (0, None);
        for (id, _) in ids.range::<str, _>((from, Bound::Unbounded)) {
            if taken == limit.max(1) {
                page.next = last.map(str::to_owned);
                break;
            }
            (taken, last) = (taken + 1, Some(&**id));
            let subject = Subject { typ: subject_type.to_owned(), id: id.to_string(), relation: None };
            match Walk::new(self, &subject, ctx).holds(node, t, name, false)?.into() {
                Decision::Allow => page.allowed.push(id.to_string()),
                Decision::Conditional(n) => page.conditional.push((id.to_string(), n)),
                Decision::Deny => {}
            }
        }
        Ok(page)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Schema, Tuple};

    const SCHEMA: &str = "
type user
type group { relation member: user | group#member }
type folder { relation viewer: user | group#member  permission view = viewer }
type doc { relation parent: folder  relation owner: user  permission view = owner + parent->view }
";

    fn page_all(e: &Engine, subject: &Subject, limit: usize) -> Vec<String> {
        let (mut out, mut cursor) = (Vec::new(), None::<String>);
        loop {
            let p = e.list_objects("doc", "view", subject, &Context::at(0), cursor.as_deref(), limit).expect("list");
            assert!(p.allowed.len() <= limit);
            out.extend(p.allowed);
            match p.next {
                Some(n) => cursor = Some(n),
                None => return out,
            }
        }
    }

    #[test]
    fn list_is_complete_beyond_1000() {
        let mut e = Engine::new(Schema::parse(SCHEMA).expect("schema"));
        let mut w = |t: String| e.write(Tuple::parse(&t).expect("tuple")).expect("write");
        w("group:eng#member@user:ann".into());
        w("folder:f0#viewer@group:eng#member".into());
        let mut want = Vec::new();
        for i in 0..2_500 {
            let id = format!("d{i:05}");
            // Two in three through the folder, one in three not hers at all.
            if i % 3 == 2 {
                w(format!("doc:{id}#owner@user:bob"));
            } else {
                w(format!("doc:{id}#parent@folder:f0"));
                want.push(id);
            }
        }
        let ann = Subject::parse("user:ann").expect("s");
        for limit in [1_000, 333, 7] {
            assert_eq!(page_all(&e, &ann, limit), want, "limit {limit}");
        }
        assert_eq!(want.len(), 1_667);
        // Subjects: everyone with access to one document, complete and in order.
        let p = e
            .list_subjects(&Object::parse("doc:d00002").expect("o"), "view", "user", &Context::at(0), None, 10)
            .expect("list");
        assert_eq!((p.allowed, p.next), (vec!["bob".to_owned()], None));
        let p = e
            .list_subjects(&Object::parse("doc:d00000").expect("o"), "view", "user", &Context::at(0), None, 1)
            .expect("list");
        assert_eq!((p.allowed, p.next.as_deref()), (vec!["ann".to_owned()], Some("ann")));
    }
}
