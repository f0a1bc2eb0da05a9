//! AuthZEN Authorization API 1.0 conformance: the working group's certification scenario
//! (authorization-api-1_0-scenario) at its four levels — Basic, Batch, Search (each Core and
//! Properties) and Discovery — against its fixture, loaded as a schema and tuples.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::authz::{app, call, token};
use crate::harness::TestServer;
use crate::orgs::cli;

const FIXTURE: &str = "
type user
type record {
  relation reader: user
  relation writer: user
  relation deleter: user
  permission read = reader + writer
  permission write = writer
  permission delete = deleter
}
";

/// The scenario's fixture (§C.1): alice writes both records unless the resource is archived;
/// bob reads record-1 and, as the administrator, writes record-2; alice may soft-delete record-1.
async fn fixture(s: &TestServer) -> String {
    cli(s, &["org", "create", "pdp", "--name", "PDP"]);
    let c = app(s, &["authz:check", "authz:write"], &["pdp"]).await;
    let t = token(s, &c, "pdp").await;
    let (status, body) = call(s, &t, "PUT", "/api/v1/authz/schema", Some(json!({ "schema": FIXTURE }))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let unless_archived = json!({ "unless_attributes": { "resource.status": "archived" } });
    let writes = json!({ "writes": [
        { "tuple": "record:record-1#writer@user:alice", "condition": unless_archived },
        { "tuple": "record:record-2#writer@user:alice", "condition": unless_archived },
        "record:record-1#reader@user:bob",
        "record:record-2#writer@user:bob",
        { "tuple": "record:record-1#deleter@user:alice", "condition": { "attributes": { "action.soft": "true" } } },
    ]});
    let (status, body) = call(s, &t, "POST", "/api/v1/authz/tuples", Some(writes)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    t
}

fn e(kind: &str, id: &str) -> Value {
    json!({ "type": kind, "id": id })
}

async fn raw(s: &TestServer, t: &str, path: &str, content_type: &str, body: &str) -> reqwest::Response {
    reqwest::Client::new()
        .post(format!("{}{path}", s.base))
        .bearer_auth(t)
        .header("content-type", content_type)
        .body(body.to_owned())
        .send()
        .await
        .expect("send")
}

#[tokio::test(flavor = "multi_thread")]
async fn authzen_evaluation_and_batch_conform() {
    let s = TestServer::start().await;
    let t = fixture(&s).await;
    let eval = |subject: Value, action: Value, resource: Value| json!({ "subject": subject, "action": action, "resource": resource });
    let (alice, bob) = (e("user", "alice"), e("user", "bob"));
    let (r1, r2) = (e("record", "record-1"), e("record", "record-2"));
    let archived = json!({ "type": "record", "id": "record-2", "properties": { "status": "archived" } });
    let admin = json!({ "type": "user", "id": "bob", "properties": { "role": "admin" } });

    // Basic (§C.2): the eight fixture decisions, with context, extra properties, unknown fields.
    let mut with_context = eval(alice.clone(), json!({ "name": "read" }), r1.clone());
    with_context["context"] = json!({ "time": "2025-06-27T18:03-07:00", "ip": "192.168.1.1" });
    let mut unknown = eval(alice.clone(), json!({ "name": "read" }), r1.clone());
    unknown["foo"] = json!("bar");
    unknown["futureField"] = json!({ "nested": true });
    let extra = eval(
        json!({ "type": "user", "id": "alice", "properties": { "department": "Sales", "role": "manager" } }),
        json!({ "name": "read", "properties": { "method": "GET" } }),
        json!({ "type": "record", "id": "record-1", "properties": { "status": "active", "owner": "bob" } }),
    );
    let cases = [
        (eval(alice.clone(), json!({ "name": "read" }), r1.clone()), true),
        (eval(alice.clone(), json!({ "name": "write" }), r1.clone()), true),
        (eval(bob.clone(), json!({ "name": "read" }), r1.clone()), true),
        (eval(bob.clone(), json!({ "name": "write" }), r1.clone()), false),
        (eval(alice.clone(), json!({ "name": "write" }), archived.clone()), false),
        (eval(admin.clone(), json!({ "name": "write" }), archived.clone()), true),
        (eval(alice.clone(), json!({ "name": "delete", "properties": { "soft": true } }), r1.clone()), true),
        (eval(alice.clone(), json!({ "name": "delete", "properties": { "soft": false } }), r1.clone()), false),
        (with_context, true),
        (unknown, true),
        (extra, true),
    ];
    for (body, want) in cases {
        for _ in 0..2 {
            // Idempotent (§C.2.6): the same answer each time.
            let (status, got) = call(&s, &t, "POST", "/access/v1/evaluation", Some(body.clone())).await;
            assert_eq!((status, got["decision"].clone()), (StatusCode::OK, json!(want)), "{body} → {got}");
        }
    }
    // §C.2.4: missing fields and sub-fields, wrong types → 400.
    for bad in [
        json!({ "action": { "name": "read" }, "resource": r1 }),
        json!({ "subject": alice, "resource": r1 }),
        json!({ "subject": alice, "action": { "name": "read" } }),
        json!({ "subject": { "id": "alice" }, "action": { "name": "read" }, "resource": r1 }),
        json!({ "subject": { "type": "user" }, "action": { "name": "read" }, "resource": r1 }),
        json!({ "subject": alice, "action": {}, "resource": r1 }),
        json!({ "subject": alice, "action": { "name": "read" }, "resource": { "id": "record-1" } }),
        json!({ "subject": alice, "action": { "name": "read" }, "resource": { "type": "record" } }),
        json!({ "subject": "alice", "action": { "name": "read" }, "resource": r1 }),
        json!({ "subject": alice, "action": { "name": 123 }, "resource": r1 }),
    ] {
        let (status, got) = call(&s, &t, "POST", "/access/v1/evaluation", Some(bad.clone())).await;
        assert_eq!((status, got["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_request")), "{bad}");
    }
    let good = eval(alice.clone(), json!({ "name": "read" }), r1.clone()).to_string();
    for (ct, body) in [("text/plain", good.as_str()), ("application/json", "{\"subject\":"), ("application/json", "")] {
        let r = raw(&s, &t, "/access/v1/evaluation", ct, body).await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{ct} {body:?}");
    }
    // §C.2.5: X-Request-ID echoed; a JSON response.
    let r = reqwest::Client::new()
        .post(format!("{}/access/v1/evaluation", s.base))
        .bearer_auth(&t)
        .header("x-request-id", "req-42")
        .json(&serde_json::from_str::<Value>(&good).expect("json"))
        .send()
        .await
        .expect("send");
    assert_eq!(r.headers().get("x-request-id").and_then(|v| v.to_str().ok()), Some("req-42"));
    assert!(r.headers()["content-type"].to_str().expect("ct").starts_with("application/json"));

    // Batch (§C.3).
    let batches = [
        (
            json!({ "subject": alice, "action": { "name": "read" }, "evaluations": [{ "resource": r1 }, { "resource": r2 }] }),
            json!([true, true]),
        ),
        (
            json!({ "subject": bob, "resource": r1, "evaluations": [{ "action": { "name": "read" } }, { "action": { "name": "write" } }] }),
            json!([true, false]),
        ),
        (
            json!({ "subject": alice, "action": { "name": "write" }, "evaluations": [
            { "resource": { "type": "record", "id": "record-1", "properties": { "status": "active" } } },
            { "resource": archived }] }),
            json!([true, false]),
        ),
        (
            json!({ "action": { "name": "write" }, "resource": archived, "evaluations": [{ "subject": alice }, { "subject": admin }] }),
            json!([false, true]),
        ),
        (
            json!({ "evaluations": [
            { "subject": alice, "action": { "name": "read" }, "resource": r1 },
            { "subject": bob, "action": { "name": "write" }, "resource": r1 }] }),
            json!([true, false]),
        ),
        (
            json!({ "subject": alice, "action": { "name": "read" }, "context": { "time": "2025-06-27T18:03-07:00" }, "evaluations": [
            { "resource": r1 }, { "resource": r2, "context": { "source": "batch-override" } }] }),
            json!([true, true]),
        ),
        (
            json!({ "subject": alice, "action": { "name": "write" }, "resource": { "type": "record" }, "evaluations": [
            { "resource": { "id": "record-1", "properties": { "status": "active" } } },
            { "resource": archived }] }),
            json!([true, false]),
        ),
        // §C.3.4.1: an item missing its resource is a false, not a failed request.
        (
            json!({ "subject": alice, "action": { "name": "read" }, "evaluations": [{ "resource": r1 }, {}] }),
            json!([true, false]),
        ),
        // The evaluations_semantic options stop at the first deny or permit.
        (
            json!({ "subject": bob, "resource": r1, "options": { "evaluations_semantic": "deny_on_first_deny" },
            "evaluations": [{ "action": { "name": "read" } }, { "action": { "name": "write" } }, { "action": { "name": "read" } }] }),
            json!([true, false]),
        ),
        (
            json!({ "subject": bob, "resource": r1, "options": { "evaluations_semantic": "permit_on_first_permit" },
            "evaluations": [{ "action": { "name": "write" } }, { "action": { "name": "read" } }, { "action": { "name": "write" } }] }),
            json!([false, true]),
        ),
    ];
    for (body, want) in batches {
        let (status, got) = call(&s, &t, "POST", "/access/v1/evaluations", Some(body.clone())).await;
        assert_eq!(status, StatusCode::OK, "{body} → {got}");
        let decisions: Vec<Value> =
            got["evaluations"].as_array().expect("evaluations").iter().map(|e| e["decision"].clone()).collect();
        assert_eq!(json!(decisions), want, "{body} → {got}");
    }
    // Without items, or with none: a single evaluation's answer (§C.3.4.2, §C.3.4.3).
    for items in [None, Some(json!([]))] {
        let mut body = eval(alice.clone(), json!({ "name": "read" }), r1.clone());
        if let Some(i) = items {
            body["evaluations"] = i;
        }
        let (status, got) = call(&s, &t, "POST", "/access/v1/evaluations", Some(body)).await;
        assert_eq!((status, got), (StatusCode::OK, json!({ "decision": true })));
    }
}

/// The ids (or names) a search returned.
fn found(v: &Value, key: &str) -> Vec<String> {
    v["results"].as_array().expect("results").iter().map(|r| r[key].as_str().expect("id").to_owned()).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn authzen_search_and_discovery_conform() {
    let s = TestServer::start().await;
    let t = fixture(&s).await;
    let search = |path: &'static str, body: Value| {
        let (s, t) = (&s, &t);
        async move {
            let (status, got) = call(s, t, "POST", path, Some(body.clone())).await;
            assert_eq!(status, StatusCode::OK, "{body} → {got}");
            got
        }
    };
    let r1 = json!({ "type": "record", "id": "record-1" });
    let archived = json!({ "type": "record", "id": "record-2", "properties": { "status": "archived" } });
    let admin = json!({ "type": "user", "id": "bob", "properties": { "role": "admin" } });
    // Subject search (§C.4.2).
    let got = search(
        "/access/v1/search/subject",
        json!({ "subject": { "type": "user" }, "action": { "name": "read" }, "resource": r1 }),
    )
    .await;
    assert_eq!(found(&got, "id"), ["alice", "bob"]);
    assert!(got["results"].as_array().expect("r").iter().all(|r| r["type"] == "user"));
    let mut with_context = json!({ "subject": { "type": "user" }, "action": { "name": "read" }, "resource": r1, "context": { "ip": "10.0.0.1" } });
    assert_eq!(found(&search("/access/v1/search/subject", with_context.clone()).await, "id"), ["alice", "bob"]);
    let got = search(
        "/access/v1/search/subject",
        json!({ "subject": { "type": "user" }, "action": { "name": "write" }, "resource": archived }),
    )
    .await;
    assert_eq!(found(&got, "id"), ["bob"]);
    // Resource search (§C.4.3).
    let got = search("/access/v1/search/resource", json!({ "subject": { "type": "user", "id": "alice" }, "action": { "name": "read" }, "resource": { "type": "record" } })).await;
    assert!(found(&got, "id").contains(&"record-1".to_owned()), "{got}");
    let got = search(
        "/access/v1/search/resource",
        json!({ "subject": admin, "action": { "name": "write" }, "resource": { "type": "record" } }),
    )
    .await;
    assert!(found(&got, "id").contains(&"record-2".to_owned()), "{got}");
    // Action search (§C.4.4).
    let got =
        search("/access/v1/search/action", json!({ "subject": { "type": "user", "id": "alice" }, "resource": r1 }))
            .await;
    let names = found(&got, "name");
    assert!(names.contains(&"read".to_owned()) && names.contains(&"write".to_owned()), "{got}");
    let got = search("/access/v1/search/action", json!({ "subject": admin, "resource": archived })).await;
    assert!(found(&got, "name").contains(&"write".to_owned()), "{got}");
    // Pagination (§C.4.5): a limit of one pages through, next_token empty at the end.
    with_context["page"] = json!({ "limit": 1 });
    let mut ids = Vec::new();
    loop {
        let got = search("/access/v1/search/subject", with_context.clone()).await;
        ids.extend(found(&got, "id"));
        let next = got["page"]["next_token"].as_str().expect("next_token").to_owned();
        if next.is_empty() {
            break;
        }
        with_context["page"] = json!({ "limit": 1, "token": next });
    }
    assert_eq!(ids, ["alice", "bob"]);
    // Empty results, not errors, for unknown ids and types (§C.4.6).
    let got = search(
        "/access/v1/search/action",
        json!({ "subject": { "type": "user", "id": "nonexistent-user" }, "resource": r1 }),
    )
    .await;
    assert_eq!(got["results"], json!([]));
    let got = search(
        "/access/v1/search/subject",
        json!({ "subject": { "type": "spaceship" }, "action": { "name": "read" }, "resource": r1 }),
    )
    .await;
    assert_eq!(got["results"], json!([]));
    // Missing fields and sub-fields → 400 (§C.4.7).
    for (path, bad) in [
        ("/access/v1/search/subject", json!({ "subject": { "type": "user" }, "resource": r1 })),
        ("/access/v1/search/resource", json!({ "action": { "name": "read" }, "resource": { "type": "record" } })),
        ("/access/v1/search/action", json!({ "subject": { "type": "user", "id": "alice" } })),
        (
            "/access/v1/search/subject",
            json!({ "subject": { "type": "user" }, "action": { "name": "read" }, "resource": { "type": "record" } }),
        ),
        (
            "/access/v1/search/resource",
            json!({ "subject": { "type": "user" }, "action": { "name": "read" }, "resource": { "type": "record" } }),
        ),
    ] {
        let (status, _) = call(&s, &t, "POST", path, Some(bad.clone())).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path} {bad}");
    }
    // Discovery (§C.6).
    let r = reqwest::get(format!("{}/.well-known/authzen-configuration", s.base)).await.expect("get");
    assert_eq!(r.status(), StatusCode::OK);
    let meta: Value = r.json().await.expect("json");
    assert_eq!(meta["policy_decision_point"], json!(s.state.config.issuer_base().trim_end_matches('/')));
    for (key, path) in [
        ("access_evaluation_endpoint", "/access/v1/evaluation"),
        ("access_evaluations_endpoint", "/access/v1/evaluations"),
        ("search_subject_endpoint", "/access/v1/search/subject"),
        ("search_resource_endpoint", "/access/v1/search/resource"),
        ("search_action_endpoint", "/access/v1/search/action"),
    ] {
        assert_eq!(meta[key], json!(format!("{}{path}", meta["policy_decision_point"].as_str().expect("pdp"))));
    }
}
