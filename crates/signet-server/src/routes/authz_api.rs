//! The native authorization API, `/api/v1/authz/…` (issue 20): the schema, tuples (batch
//! writes, atomic; filtered reads with cursors), check, explain, and complete listings of the
//! objects a subject may act on and of the subjects that may act on an object. Every call is
//! authenticated as `authz::caller` describes, in the token's organization; every write
//! answers a revision token, every read takes one (`at_least_as_fresh`).

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};
use signet_authz::{Object, Subject};
use signet_store::TupleFilter;

use crate::authz::caller::{authenticate, Need, Refused};
use crate::authz::convert::{ConditionJson, ContextJson};
use crate::error::ApiError;
use crate::flows::authz::{self as ops, Question};
use crate::forms::read_json;
use crate::state::AppState;

type Answer = Result<Json<Value>, Refused>;

fn bad(msg: impl Into<String>) -> Refused {
    ApiError::bad_request(msg).into()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SchemaBody {
    schema: String,
}

pub async fn get_schema(State(state): State<AppState>, headers: HeaderMap) -> Answer {
    let caller = authenticate(&state, &headers).await?;
    caller.require(Need::Read)?;
    let (schema, revision) = ops::schema(&state, &caller).await?;
    Ok(Json(json!({ "schema": schema, "revision": revision })))
}

pub async fn put_schema(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Answer {
    let caller = authenticate(&state, &headers).await?;
    caller.require(Need::Write)?;
    let b: SchemaBody = read_json(&headers, &body)?;
    let revision = ops::set_schema(&state, &caller, &b.schema).await?;
    Ok(Json(json!({ "revision": revision })))
}

/// A tuple to write: its text, or its text with a condition.
#[derive(Deserialize)]
#[serde(untagged)]
pub enum TupleIn {
    Text(String),
    Full {
        tuple: String,
        #[serde(default)]
        condition: Option<ConditionJson>,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WriteBody {
    #[serde(default)]
    writes: Vec<TupleIn>,
    #[serde(default)]
    deletes: Vec<String>,
}

pub async fn write_tuples(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Answer {
    let caller = authenticate(&state, &headers).await?;
    caller.require(Need::Write)?;
    let b: WriteBody = read_json(&headers, &body)?;
    let writes = b
        .writes
        .iter()
        .map(|w| match w {
            TupleIn::Text(t) => ops::parse_tuple(t, None),
            TupleIn::Full { tuple, condition } => ops::parse_tuple(tuple, condition.as_ref()),
        })
        .collect::<Result<Vec<_>, _>>()?;
    let deletes = b.deletes.iter().map(|t| ops::parse_tuple(t, None)).collect::<Result<Vec<_>, _>>()?;
    if writes.is_empty() && deletes.is_empty() {
        return Err(bad("Nothing to write: give writes or deletes."));
    }
    let revision = ops::write(&state, &caller, &writes, &deletes).await?;
    Ok(Json(json!({ "revision": revision })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReadQuery {
    /// `type` or `type:id`.
    object: Option<String>,
    relation: Option<String>,
    /// `type`, `type:id` or `type:id#relation`.
    subject: Option<String>,
    cursor: Option<String>,
    limit: Option<usize>,
}

fn split_ref(s: &str) -> (Option<String>, Option<String>) {
    match s.split_once(':') {
        Some((t, id)) => (Some(t.to_owned()), Some(id.to_owned())),
        None => (Some(s.to_owned()), None),
    }
}

pub async fn read_tuples(State(state): State<AppState>, headers: HeaderMap, Query(q): Query<ReadQuery>) -> Answer {
    let caller = authenticate(&state, &headers).await?;
    caller.require(Need::Read)?;
    let mut filter = TupleFilter { relation: q.relation.clone(), ..TupleFilter::default() };
    if let Some(o) = &q.object {
        (filter.object_type, filter.object_id) = split_ref(o);
    }
    if let Some(s) = &q.subject {
        let (s, rel) = match s.split_once('#') {
            Some((s, r)) => (s, Some(r.to_owned())),
            None => (s.as_str(), None),
        };
        (filter.subject_type, filter.subject_id) = split_ref(s);
        filter.subject_relation = rel;
    }
    let limit = ops::limit(q.limit)?;
    let (tuples, next) = ops::read_tuples(&state, &caller, &filter, q.cursor.as_deref(), limit).await?;
    let tuples: Vec<Value> = tuples
        .iter()
        .map(|t| {
            let plain = signet_authz::Tuple { condition: None, ..t.clone() };
            match &t.condition {
                Some(c) => json!({ "tuple": plain.to_string(), "condition": ConditionJson::of(c) }),
                None => json!({ "tuple": plain.to_string() }),
            }
        })
        .collect();
    Ok(Json(json!({ "tuples": tuples, "next_cursor": next })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckBody {
    object: String,
    permission: String,
    subject: String,
    #[serde(default)]
    context: ContextJson,
    #[serde(default)]
    at_least_as_fresh: Option<String>,
}

fn question(state: &AppState, b: &CheckBody) -> Result<Question, Refused> {
    Ok(Question {
        object: Object::parse(&b.object).map_err(|e| bad(format!("object: {e}")))?,
        permission: b.permission.clone(),
        subject: Subject::parse(&b.subject).map_err(|e| bad(format!("subject: {e}")))?,
        context: b.context.to_context(state.now()).map_err(|e| bad(format!("context: {e}")))?,
    })
}

pub async fn check(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Answer {
    let caller = authenticate(&state, &headers).await?;
    caller.require(Need::Check)?;
    let b: CheckBody = read_json(&headers, &body)?;
    let q = question(&state, &b)?;
    let g = ops::graph(&state, &caller, b.at_least_as_fresh.as_deref()).await?;
    let (decision, error) = {
        let g = g.read().map_err(|_| ApiError::unexpected(anyhow::anyhow!("poisoned")))?;
        ops::check(&g, &q)
    };
    let mut out = json!({
        "decision": ops::decision_name(&decision),
        "revision": ops::revision(&state),
    });
    if let signet_authz::Decision::Conditional(_) = decision {
        out["needs"] = json!(ops::needs(&decision));
    }
    if let Some(e) = error {
        out["reason"] = json!(e);
    }
    Ok(Json(out))
}

pub async fn explain(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Answer {
    let caller = authenticate(&state, &headers).await?;
    caller.require_explain()?;
    let b: CheckBody = read_json(&headers, &body)?;
    let q = question(&state, &b)?;
    let g = ops::graph(&state, &caller, b.at_least_as_fresh.as_deref()).await?;
    let e = {
        let g = g.read().map_err(|_| ApiError::unexpected(anyhow::anyhow!("poisoned")))?;
        ops::explain(&g, &q)?
    };
    Ok(Json(json!({
        "decision": ops::decision_name(&e.decision),
        "needs": ops::needs(&e.decision),
        "proof": e.proof.iter().map(ToString::to_string).collect::<Vec<_>>(),
        "missing": e.missing.iter().map(ToString::to_string).collect::<Vec<_>>(),
        "explored": e.explored,
        "revision": ops::revision(&state),
    })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListObjectsBody {
    #[serde(rename = "type")]
    typ: String,
    permission: String,
    subject: String,
    #[serde(default)]
    context: ContextJson,
    #[serde(default)]
    cursor: Option<String>,
    #[serde(default)]
    limit: Option<usize>,
    #[serde(default)]
    at_least_as_fresh: Option<String>,
}

fn page_json(key: &str, page: signet_authz::list::Page, next: Option<String>) -> Value {
    let conditional: Vec<Value> = page
        .conditional
        .iter()
        .map(|(id, n)| json!({ "id": id, "needs": n.iter().map(ToString::to_string).collect::<Vec<_>>() }))
        .collect();
    json!({ key: page.allowed, "conditional": conditional, "next_cursor": next })
}

/// A listing page: the cursor opened for this question (`scope`), the engine asked at least as
/// fresh as `fresh`, the next cursor sealed, the answer under `key`.
async fn listing(
    state: &AppState,
    caller: &crate::authz::caller::Caller,
    (scope, cursor, fresh): (String, Option<&str>, Option<&str>),
    key: &str,
    list: impl FnOnce(&signet_authz::Engine, Option<&str>) -> Result<signet_authz::list::Page, signet_authz::EvalError>,
) -> Answer {
    let cursor = ops::open_cursor(state, &scope, cursor)?;
    let g = ops::graph(state, caller, fresh).await?;
    let page = {
        let g = g.read().map_err(|_| ApiError::unexpected(anyhow::anyhow!("poisoned")))?;
        list(&g.engine, cursor.as_deref()).map_err(|e| bad(e.to_string()))?
    };
    let next = ops::seal_cursor(state, &scope, page.next.clone());
    let mut out = page_json(key, page, next);
    out["revision"] = json!(ops::revision(state));
    Ok(Json(out))
}

pub async fn list_objects(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Answer {
    let caller = authenticate(&state, &headers).await?;
    caller.require(Need::Check)?;
    let b: ListObjectsBody = read_json(&headers, &body)?;
    let subject = Subject::parse(&b.subject).map_err(|e| bad(format!("subject: {e}")))?;
    let ctx = b.context.to_context(state.now()).map_err(|e| bad(format!("context: {e}")))?;
    let limit = ops::limit(b.limit)?;
    let scope = format!("{} objects {} {} {subject}", caller.org.public_id, b.typ, b.permission);
    let at = (scope, b.cursor.as_deref(), b.at_least_as_fresh.as_deref());
    listing(&state, &caller, at, "objects", |e, cursor| {
        e.list_objects(&b.typ, &b.permission, &subject, &ctx, cursor, limit)
    })
    .await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListSubjectsBody {
    object: String,
    permission: String,
    subject_type: String,
    #[serde(default)]
    context: ContextJson,
    #[serde(default)]
    cursor: Option<String>,
    #[serde(default)]
    limit: Option<usize>,
    #[serde(default)]
    at_least_as_fresh: Option<String>,
}

pub async fn list_subjects(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Answer {
    let caller = authenticate(&state, &headers).await?;
    caller.require(Need::Check)?;
    let b: ListSubjectsBody = read_json(&headers, &body)?;
    let object = Object::parse(&b.object).map_err(|e| bad(format!("object: {e}")))?;
    let ctx = b.context.to_context(state.now()).map_err(|e| bad(format!("context: {e}")))?;
    let limit = ops::limit(b.limit)?;
    let scope = format!("{} subjects {object} {} {}", caller.org.public_id, b.permission, b.subject_type);
    let at = (scope, b.cursor.as_deref(), b.at_least_as_fresh.as_deref());
    listing(&state, &caller, at, "subjects", |e, cursor| {
        e.list_subjects(&object, &b.permission, &b.subject_type, &ctx, cursor, limit)
    })
    .await
}
