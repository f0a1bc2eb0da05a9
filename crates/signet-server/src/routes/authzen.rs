//! The OpenID AuthZEN Authorization API 1.0: `POST /access/v1/evaluation` (§6),
//! `/access/v1/evaluations` (§7, with `evaluations_semantic`), `/access/v1/search/subject`,
//! `…/resource` and `…/action` (§8), and the PDP metadata at
//! `/.well-known/authzen-configuration` (§9). Callers authenticate as for the native API
//! (`authz::caller`, scope `authz:check`); the organization is the token's.
//!
//! Mapping: a subject `{type, id}` is the engine's `type:id`, a resource `{type, id}` its object,
//! an action's `name` a permission (or relation) of the resource's type. `properties` of the
//! subject, resource and action become attributes `subject.<name>`, `resource.<name>` and
//! `action.<name>`, and other context values `context.<name>`, for tuple conditions to test;
//! `context.ip` and `context.acr` are the request's address and the sign-in's `acr`, and
//! `context.at_least_as_fresh` a revision token. A conditional answer is `false`, with what it
//! needs in the response context.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Map, Value};
use signet_authz::{Context, Decision, EvalError, Object, Subject};

use crate::authz::caller::{authenticate, Caller, Need, Refused};
use crate::authz::convert::attribute_text;
use crate::authz::Graph;
use crate::error::ApiError;
use crate::flows::authz::{self as ops, Question};
use crate::forms::read_json;
use crate::state::AppState;

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Entity {
    #[serde(rename = "type")]
    typ: Option<String>,
    id: Option<String>,
    #[serde(default)]
    properties: Map<String, Value>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Action {
    name: Option<String>,
    #[serde(default)]
    properties: Map<String, Value>,
}

/// One evaluation request (§6.1), or the defaults and items of a batch (§7.1).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct EvalRequest {
    subject: Option<Entity>,
    action: Option<Action>,
    resource: Option<Entity>,
    context: Option<Map<String, Value>>,
}

#[derive(Debug, Deserialize)]
pub struct BatchRequest {
    #[serde(flatten)]
    defaults: EvalRequest,
    #[serde(default)]
    evaluations: Vec<EvalRequest>,
    #[serde(default)]
    options: Map<String, Value>,
}

#[derive(Debug, Default, Deserialize)]
pub struct Page {
    token: Option<String>,
    limit: Option<usize>,
}

#[derive(Debug, Deserialize)]
pub struct SearchRequest {
    #[serde(flatten)]
    request: EvalRequest,
    #[serde(default)]
    page: Option<Page>,
}

/// Why an evaluation could not be made: a field it needs is missing.
struct Missing(&'static str);

fn required<'a>(v: Option<&'a String>, what: &'static str) -> Result<&'a str, Missing> {
    v.map(String::as_str).filter(|s| !s.is_empty()).ok_or(Missing(what))
}

fn attributes(ctx: &mut Context, prefix: &str, props: &Map<String, Value>) {
    for (k, v) in props {
        ctx.attributes.insert(format!("{prefix}.{k}"), attribute_text(v));
    }
}

/// The engine's context for a request: the time, `ip` and `acr` from the context, and every
/// property and context value as an attribute.
fn context(state: &AppState, r: &EvalRequest) -> Context {
    let mut ctx = Context::at(state.now().unix_timestamp());
    if let Some(c) = &r.context {
        ctx.ip = c.get("ip").and_then(Value::as_str).and_then(|s| s.parse().ok());
        ctx.acr = c.get("acr").and_then(Value::as_str).map(str::to_owned);
        attributes(&mut ctx, "context", c);
    }
    if let Some(s) = &r.subject {
        attributes(&mut ctx, "subject", &s.properties);
    }
    if let Some(s) = &r.resource {
        attributes(&mut ctx, "resource", &s.properties);
    }
    if let Some(a) = &r.action {
        attributes(&mut ctx, "action", &a.properties);
    }
    ctx
}

fn question(state: &AppState, r: &EvalRequest) -> Result<Question, Missing> {
    let s = r.subject.as_ref().ok_or(Missing("subject"))?;
    let a = r.action.as_ref().ok_or(Missing("action"))?;
    let res = r.resource.as_ref().ok_or(Missing("resource"))?;
    let subject = format!("{}:{}", required(s.typ.as_ref(), "subject.type")?, required(s.id.as_ref(), "subject.id")?);
    let object =
        format!("{}:{}", required(res.typ.as_ref(), "resource.type")?, required(res.id.as_ref(), "resource.id")?);
    Ok(Question {
        // An id the engine cannot name holds nothing: a plain `false`, not an error (§6.2).
        object: Object::parse(&object).unwrap_or(Object { typ: String::new(), id: String::new() }),
        permission: required(a.name.as_ref(), "action.name")?.to_owned(),
        subject: Subject::parse(&subject).unwrap_or(Subject { typ: String::new(), id: String::new(), relation: None }),
        context: context(state, r),
    })
}

fn decide(g: &Graph, q: &Question) -> Value {
    match ops::check(g, q).0 {
        Decision::Allow => json!({ "decision": true }),
        Decision::Deny => json!({ "decision": false }),
        d @ Decision::Conditional(_) => {
            json!({ "decision": false, "context": { "conditional": true, "needs": ops::needs(&d) } })
        }
    }
}

fn token(r: &EvalRequest) -> Option<String> {
    r.context.as_ref()?.get("at_least_as_fresh")?.as_str().map(str::to_owned)
}

async fn caller(state: &AppState, headers: &HeaderMap) -> Result<Caller, Refused> {
    let c = authenticate(state, headers).await?;
    c.require(Need::Check)?;
    Ok(c)
}

fn poisoned() -> Refused {
    ApiError::unexpected(anyhow::anyhow!("authz graph lock poisoned")).into()
}

pub async fn evaluation(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Result<Response, Refused> {
    let caller = caller(&state, &headers).await?;
    let r: EvalRequest = read_json(&headers, &body)?;
    single(&state, &caller, &r).await
}

async fn single(state: &AppState, caller: &Caller, r: &EvalRequest) -> Result<Response, Refused> {
    let q = question(state, r).map_err(|Missing(m)| ApiError::bad_request(format!("{m} is required.")))?;
    let g = ops::graph(state, caller, token(r).as_deref()).await?;
    let out = decide(&*g.read().map_err(|_| poisoned())?, &q);
    Ok(Json(out).into_response())
}

/// An item of a batch with the request's defaults: a field the item gives replaces the
/// default whole, but a `type` or `id` it lacks comes from the default (the certification
/// scenario's entity-level merge).
fn merged(d: &EvalRequest, item: &EvalRequest) -> EvalRequest {
    fn entity(d: &Option<Entity>, i: &Option<Entity>) -> Option<Entity> {
        match (d, i) {
            (_, None) => d.clone(),
            (None, Some(i)) => Some(i.clone()),
            (Some(d), Some(i)) => Some(Entity {
                typ: i.typ.clone().or_else(|| d.typ.clone()),
                id: i.id.clone().or_else(|| d.id.clone()),
                properties: i.properties.clone(),
            }),
        }
    }
    EvalRequest {
        subject: entity(&d.subject, &item.subject),
        resource: entity(&d.resource, &item.resource),
        action: match (&d.action, &item.action) {
            (_, None) => d.action.clone(),
            (None, Some(i)) => Some(i.clone()),
            (Some(d), Some(i)) => Some(Action { name: i.name.clone().or_else(|| d.name.clone()), ..i.clone() }),
        },
        context: item.context.clone().or_else(|| d.context.clone()),
    }
}

pub async fn evaluations(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Result<Response, Refused> {
    let caller = caller(&state, &headers).await?;
    let b: BatchRequest = read_json(&headers, &body)?;
    // §7.1: without items, the request is a single evaluation.
    if b.evaluations.is_empty() {
        return single(&state, &caller, &b.defaults).await;
    }
    if b.evaluations.len() > ops::MAX_BATCH {
        return Err(ApiError::bad_request(format!("At most {} evaluations per request.", ops::MAX_BATCH)).into());
    }
    let semantic = b.options.get("evaluations_semantic").and_then(Value::as_str).unwrap_or("execute_all");
    let stop_on = match semantic {
        "execute_all" => None,
        "deny_on_first_deny" => Some(false),
        "permit_on_first_permit" => Some(true),
        other => return Err(ApiError::bad_request(format!("Unknown evaluations_semantic {other:?}.")).into()),
    };
    let g = ops::graph(&state, &caller, token(&b.defaults).as_deref()).await?;
    let g = g.read().map_err(|_| poisoned())?;
    let mut out = Vec::with_capacity(b.evaluations.len());
    for item in &b.evaluations {
        let r = merged(&b.defaults, item);
        let v = match question(&state, &r) {
            Ok(q) => decide(&g, &q),
            // §7.2: an item that cannot be evaluated is a deny, with the reason.
            Err(Missing(m)) => json!({ "decision": false, "context": { "error": format!("{m} is required") } }),
        };
        let decision = v["decision"].as_bool();
        out.push(v);
        if stop_on.is_some() && decision == stop_on {
            break;
        }
    }
    Ok(Json(json!({ "evaluations": out })).into_response())
}

/// The page token and limit a search asks for (a limit beyond the maximum is the maximum).
fn search_page(r: &SearchRequest) -> Result<(Option<String>, usize), Refused> {
    let page = r.page.as_ref();
    let token = page.and_then(|p| p.token.clone()).filter(|t| !t.is_empty());
    Ok((token, ops::limit(page.and_then(|p| p.limit).map(|l| l.clamp(1, ops::MAX_LIMIT)))?))
}

fn missing(m: &'static str) -> Refused {
    ApiError::bad_request(format!("{m} is required.")).into()
}

/// A field a search needs (400 naming it when missing or empty).
fn need<'a>(v: Option<&'a String>, what: &'static str) -> Result<&'a str, Refused> {
    required(v, what).map_err(|Missing(m)| missing(m))
}

/// The search's subject as `type:id`, both required.
fn subject_ref(q: &EvalRequest) -> Result<String, Refused> {
    let s = q.subject.as_ref().ok_or_else(|| missing("subject"))?;
    Ok(format!("{}:{}", need(s.typ.as_ref(), "subject.type")?, need(s.id.as_ref(), "subject.id")?))
}

/// A search page: the token opened for this question (`scope`), the engine asked, the
/// results as entities of `typ` with the next token.
async fn search(
    state: &AppState,
    caller: &Caller,
    r: &SearchRequest,
    scope: String,
    typ: &str,
    list: impl FnOnce(&signet_authz::Engine, &Context, Option<&str>, usize) -> Result<signet_authz::list::Page, EvalError>,
) -> Result<Response, Refused> {
    let (cursor, limit) = search_page(r)?;
    let cursor = ops::open_cursor(state, &scope, cursor.as_deref())?;
    let g = ops::graph(state, caller, token(&r.request).as_deref()).await?;
    let page = {
        let g = g.read().map_err(|_| poisoned())?;
        list(&g.engine, &context(state, &r.request), cursor.as_deref(), limit)
    };
    results(state, &scope, page, typ)
}

/// §8.4: the subjects of a type that may do the action to the resource.
pub async fn search_subject(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Refused> {
    let caller = caller(&state, &headers).await?;
    let r: SearchRequest = read_json(&headers, &body)?;
    let q = &r.request;
    let typ = need(q.subject.as_ref().ok_or_else(|| missing("subject"))?.typ.as_ref(), "subject.type")?;
    let name = need(q.action.as_ref().ok_or_else(|| missing("action"))?.name.as_ref(), "action.name")?;
    let res = q.resource.as_ref().ok_or_else(|| missing("resource"))?;
    let object = format!("{}:{}", need(res.typ.as_ref(), "resource.type")?, need(res.id.as_ref(), "resource.id")?);
    let scope = format!("{} authzen subjects {object} {name} {typ}", caller.org.public_id);
    search(&state, &caller, &r, scope, typ, |e, ctx, cursor, limit| match Object::parse(&object) {
        Ok(o) => e.list_subjects(&o, name, typ, ctx, cursor, limit),
        Err(_) => Err(EvalError::Unknown(String::new(), String::new())),
    })
    .await
}

/// §8.5: the resources of a type the subject may do the action to.
pub async fn search_resource(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Refused> {
    let caller = caller(&state, &headers).await?;
    let r: SearchRequest = read_json(&headers, &body)?;
    let q = &r.request;
    let subject = subject_ref(q)?;
    let name = need(q.action.as_ref().ok_or_else(|| missing("action"))?.name.as_ref(), "action.name")?;
    let typ = need(q.resource.as_ref().ok_or_else(|| missing("resource"))?.typ.as_ref(), "resource.type")?;
    let scope = format!("{} authzen resources {subject} {name} {typ}", caller.org.public_id);
    search(&state, &caller, &r, scope, typ, |e, ctx, cursor, limit| match Subject::parse(&subject) {
        Ok(sub) => e.list_objects(typ, name, &sub, ctx, cursor, limit),
        Err(_) => Err(EvalError::Unknown(String::new(), String::new())),
    })
    .await
}

/// A search's answer: the allowed ids as entities of `typ`; an unknown type or action is an
/// empty result, not an error (the certification scenario, §C.4.6).
fn results(
    state: &AppState,
    scope: &str,
    page: Result<signet_authz::list::Page, EvalError>,
    typ: &str,
) -> Result<Response, Refused> {
    let (ids, next) = match page {
        Ok(p) => (p.allowed, ops::seal_cursor(state, scope, p.next)),
        Err(_) => (Vec::new(), None),
    };
    let results: Vec<Value> = ids.iter().map(|id| json!({ "type": typ, "id": id })).collect();
    Ok(Json(json!({ "results": results, "page": { "next_token": next.unwrap_or_default() } })).into_response())
}

/// §8.6: the actions the subject may do to the resource — every relation and permission of
/// the resource's type that the check allows.
pub async fn search_action(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Refused> {
    let caller = caller(&state, &headers).await?;
    let r: SearchRequest = read_json(&headers, &body)?;
    let q = &r.request;
    let subject = subject_ref(q)?;
    let res = q.resource.as_ref().ok_or_else(|| missing("resource"))?;
    let typ = need(res.typ.as_ref(), "resource.type")?;
    let object = format!("{typ}:{}", need(res.id.as_ref(), "resource.id")?);
    let g = ops::graph(&state, &caller, token(q).as_deref()).await?;
    let g = g.read().map_err(|_| poisoned())?;
    let ctx = context(&state, q);
    let mut names: Vec<&String> = match g.engine.schema().types.get(typ) {
        Some(t) => t.relations.keys().chain(t.permissions.keys()).collect(),
        None => Vec::new(),
    };
    names.sort();
    let allowed: Vec<Value> = match (Object::parse(&object), Subject::parse(&subject)) {
        (Ok(o), Ok(sub)) => names
            .into_iter()
            .filter(|n| matches!(g.engine.check(&o, n, &sub, &ctx), Ok(Decision::Allow)))
            .map(|n| json!({ "name": n }))
            .collect(),
        _ => Vec::new(),
    };
    Ok(Json(json!({ "results": allowed, "page": { "next_token": "" } })).into_response())
}

/// §9: the PDP's metadata.
pub async fn configuration(State(state): State<AppState>) -> Json<Value> {
    let base = state.config.issuer_base().trim_end_matches('/').to_owned();
    Json(json!({
        "policy_decision_point": base,
        "access_evaluation_endpoint": format!("{base}/access/v1/evaluation"),
        "access_evaluations_endpoint": format!("{base}/access/v1/evaluations"),
        "search_subject_endpoint": format!("{base}/access/v1/search/subject"),
        "search_resource_endpoint": format!("{base}/access/v1/search/resource"),
        "search_action_endpoint": format!("{base}/access/v1/search/action"),
    }))
}
