//! The authorization API's operations, for a [`Caller`] in its organization: schema and tuple
//! writes (validated, atomic, each answering a revision token), and the reads — check,
//! explain, listings — at least as fresh as a token the caller passes.

use std::sync::{Arc, RwLock};

use signet_authz::{Context, Decision, Engine, Explanation, Need, Object, Schema, Subject, Tuple};
use signet_store::{StoreError, TupleFilter, TupleRow};

use crate::authz::caller::{Caller, Refused};
use crate::authz::convert::{self, revision_token};
use crate::authz::{is_membership_tuple, Fresh, Graph};
use crate::error::ApiError;
use crate::state::AppState;

/// Tuples one request may write or delete at most.
pub const MAX_BATCH: usize = 1_000;
/// Items a listing page decides at most (and by default, [`DEFAULT_LIMIT`]).
pub const MAX_LIMIT: usize = 1_000;
pub const DEFAULT_LIMIT: usize = 100;

fn bad(msg: impl Into<String>) -> Refused {
    ApiError::bad_request(msg).into()
}

/// The organization's graph, at least as fresh as `token`: a revision token from a write, or
/// `latest` (everything committed before this request, whoever wrote it: a membership removed
/// from the command line, say).
pub async fn graph(state: &AppState, caller: &Caller, token: Option<&str>) -> Result<Arc<RwLock<Graph>>, Refused> {
    if token == Some("latest") {
        state.authz.follow(state.store.as_ref()).await?;
    } else if let Some(token) = token {
        let rev = convert::parse_revision(token).ok_or_else(|| bad("at_least_as_fresh is not a revision token."))?;
        state.authz.at_least(state.store.as_ref(), rev).await.map_err(|e| match e {
            Fresh::Unknown => bad("at_least_as_fresh names a revision that does not exist."),
            Fresh::Store(e) => e.into(),
        })?;
    }
    Ok(state.authz.graph(state.store.as_ref(), &caller.org).await?)
}

fn read(g: &RwLock<Graph>) -> Result<std::sync::RwLockReadGuard<'_, Graph>, Refused> {
    g.read().map_err(|_| ApiError::unexpected(anyhow::anyhow!("authz graph lock poisoned")).into())
}

/// A tuple given in text form, with its condition.
pub fn parse_tuple(text: &str, condition: Option<&convert::ConditionJson>) -> Result<Tuple, Refused> {
    let mut t = Tuple::parse(text).map_err(|e| bad(format!("{text:?}: {e}")))?;
    if let Some(c) = condition {
        t.condition = Some(c.to_condition().map_err(|e| bad(format!("{text:?}: {e}")))?);
    }
    Ok(t)
}

/// Writes and deletes tuples in one transaction; the revision token of the result.
pub async fn write(state: &AppState, caller: &Caller, writes: &[Tuple], deletes: &[Tuple]) -> Result<String, Refused> {
    if writes.len() + deletes.len() > MAX_BATCH {
        return Err(bad(format!("At most {MAX_BATCH} tuples per request.")));
    }
    for t in writes.iter().chain(deletes) {
        if is_membership_tuple(t) {
            return Err(bad(format!(
                "{t}: organization memberships come from the organization's members; change the membership instead."
            )));
        }
    }
    let ops: Vec<(bool, TupleRow)> = writes
        .iter()
        .map(|t| (true, convert::row_of_tuple(t)))
        .chain(deletes.iter().map(|t| (false, convert::row_of_tuple(t))))
        .collect();
    // Validated against the schema the graph has; the store refuses the batch if another
    // schema was set meanwhile, and it is validated again against that one.
    for _ in 0..3 {
        let g = graph(state, caller, None).await?;
        let schema_rev = {
            let g = read(&g)?;
            for t in writes {
                g.engine.validate(t).map_err(|e| bad(format!("{t}: {e}")))?;
            }
            g.schema_rev
        };
        match state.store.write_tuples(caller.org.id, schema_rev, &ops, state.now()).await {
            Ok(rev) => {
                // This instance answers from the new state at once.
                let _ = state.authz.at_least(state.store.as_ref(), rev).await;
                return Ok(revision_token(rev));
            }
            Err(StoreError::Conflict) => {
                state.authz.follow(state.store.as_ref()).await?;
            }
            Err(e) => return Err(e.into()),
        }
    }
    Err(ApiError::conflict("The schema kept changing while writing: try again.").into())
}

/// Sets the organization's schema: parsed (errors name line and column), and checked against
/// every tuple already written (a relation still in use cannot go away).
pub async fn set_schema(state: &AppState, caller: &Caller, source: &str) -> Result<String, Refused> {
    let schema = Schema::parse(source).map_err(|e| bad(format!("schema: {e}")))?;
    let probe = Engine::new(schema);
    let seen = state.authz.follow(state.store.as_ref()).await?;
    let mut after: Option<TupleRow> = None;
    loop {
        let rows = state.store.read_tuples(caller.org.id, &TupleFilter::default(), after.as_ref(), 5_000).await?;
        for row in &rows {
            if let Ok(t) = convert::tuple_of_row(row) {
                probe.validate(&t).map_err(|e| bad(format!("schema: the tuple {t} would no longer fit: {e}")))?;
            }
        }
        if rows.len() < 5_000 {
            break;
        }
        after = rows.last().cloned();
    }
    match state.store.set_authz_schema(caller.org.id, source, seen, state.now()).await {
        Ok(rev) => {
            let _ = state.authz.at_least(state.store.as_ref(), rev).await;
            Ok(revision_token(rev))
        }
        Err(StoreError::Conflict) => {
            Err(ApiError::conflict("Tuples changed while the schema was checked: try again.").into())
        }
        Err(e) => Err(e.into()),
    }
}

/// The organization's schema source and its revision token (an empty schema before any).
pub async fn schema(state: &AppState, caller: &Caller) -> Result<(String, String), Refused> {
    let (src, rev) = state.store.authz_schema(caller.org.id).await?.unwrap_or_default();
    Ok((src, revision_token(rev)))
}

/// One question: may `subject` have `permission` on `object`?
#[derive(Debug, Clone)]
pub struct Question {
    pub object: Object,
    pub permission: String,
    pub subject: Subject,
    pub context: Context,
}

/// The answer, with the revision it was made at (at least). An unknown type or permission is a
/// deny with the reason (the engine fails closed).
pub fn check(g: &Graph, q: &Question) -> (Decision, Option<String>) {
    match g.engine.check(&q.object, &q.permission, &q.subject, &q.context) {
        Ok(d) => (d, None),
        Err(e) => (Decision::Deny, Some(e.to_string())),
    }
}

pub fn explain(g: &Graph, q: &Question) -> Result<Explanation, Refused> {
    g.engine.explain(&q.object, &q.permission, &q.subject, &q.context).map_err(|e| bad(e.to_string()))
}

pub fn decision_name(d: &Decision) -> &'static str {
    match d {
        Decision::Allow => "allow",
        Decision::Deny => "deny",
        Decision::Conditional(_) => "conditional",
    }
}

pub fn needs(d: &Decision) -> Vec<String> {
    match d {
        Decision::Conditional(n) => n.iter().map(Need::to_string).collect(),
        _ => Vec::new(),
    }
}

/// The revision this instance answers at.
pub fn revision(state: &AppState) -> String {
    revision_token(state.authz.applied())
}

/// A listing page's limit: default, and at most [`MAX_LIMIT`].
pub fn limit(asked: Option<usize>) -> Result<usize, Refused> {
    match asked {
        None => Ok(DEFAULT_LIMIT),
        Some(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
        Some(_) => Err(bad(format!("limit must be between 1 and {MAX_LIMIT}."))),
    }
}

/// Opens a listing cursor made for this organization and question; a forged, altered or
/// foreign one is a 400.
pub fn open_cursor(state: &AppState, scope: &str, cursor: Option<&str>) -> Result<Option<String>, Refused> {
    match cursor.filter(|c| !c.is_empty()) {
        None => Ok(None),
        Some(c) => state
            .cursor_key
            .open(scope, c)
            .map(Some)
            .ok_or_else(|| bad("The cursor is not valid for this query (altered, forged, or from another).")),
    }
}

pub fn seal_cursor(state: &AppState, scope: &str, position: Option<String>) -> Option<String> {
    position.map(|p| state.cursor_key.seal(scope, &p))
}

/// Tuples of the organization matching `filter`, a page at a time (cursor: the last tuple).
pub async fn read_tuples(
    state: &AppState,
    caller: &Caller,
    filter: &TupleFilter,
    cursor: Option<&str>,
    limit: usize,
) -> Result<(Vec<Tuple>, Option<String>), Refused> {
    let scope = format!("{} tuples {filter:?}", caller.org.public_id);
    let after = match open_cursor(state, &scope, cursor)? {
        None => None,
        Some(p) => Some(convert::row_of_tuple(&Tuple::parse(&p).map_err(|_| bad("The cursor is not valid."))?)),
    };
    let rows = state.store.read_tuples(caller.org.id, filter, after.as_ref(), limit as i64 + 1).await?;
    let more = rows.len() > limit;
    let tuples: Vec<Tuple> = rows.iter().take(limit).filter_map(|r| convert::tuple_of_row(r).ok()).collect();
    let next = more.then(|| tuples.last().map(|t| Tuple { condition: None, ..t.clone() }.to_string())).flatten();
    Ok((tuples, seal_cursor(state, &scope, next)))
}
