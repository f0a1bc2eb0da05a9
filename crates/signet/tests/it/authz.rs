//! The authorization API (issue 20): tenant isolation, the confused-deputy guard, revisions
//! (no "new enemy", across instances), signed cursors, memberships as relations, explain
//! for admins only, and policy test files.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::harness::{authz_query, location_params, pkce, run_cli, TestClient, TestServer, PASSWORD};
use crate::orgs::cli;

pub(crate) const AUTHZ: &str = "urn:signet:authz";

pub(crate) const SCHEMA: &str = "
type user
type organization {
  relation member: user
  relation admin: user
  relation owner: user
}
type group {
  relation member: user | group#member
}
type doc {
  relation org: organization
  relation viewer: user | group#member
  relation banned: user
  permission view = viewer + org->member - banned
}
";

/// A client of the authorization API, granted `perms` on it and installed in `orgs`.
pub(crate) async fn app(s: &TestServer, perms: &[&str], orgs: &[&str]) -> TestClient {
    let c = s.client(&["client_credentials"], "", &[AUTHZ], false).await;
    let mut args = vec!["client", "grant", c.id.as_str(), AUTHZ];
    args.extend_from_slice(perms);
    cli(s, &args);
    for org in orgs {
        cli(s, &["org", "client", "add", org, &c.id]);
    }
    c
}

/// The client's own token for `org` (client credentials, `organization=`).
pub(crate) async fn token_in(s: &TestServer, c: &TestClient, org: &str) -> (StatusCode, Value) {
    let form = [("grant_type", "client_credentials"), ("resource", AUTHZ), ("organization", org)];
    let (status, _, body) = s.oauth_post("/oauth2/token", c, &form).await;
    (status, body)
}

pub(crate) async fn token(s: &TestServer, c: &TestClient, org: &str) -> String {
    let (status, body) = token_in(s, c, org).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["access_token"].as_str().expect("access token").to_owned()
}

/// Calls the API with a bearer token and a JSON body (GET without one).
pub(crate) async fn call(
    s: &TestServer,
    token: &str,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let http = reqwest::Client::new();
    let url = format!("{}{path}", s.base);
    let mut req = match method {
        "GET" => http.get(url),
        "PUT" => http.put(url),
        _ => http.post(url),
    };
    req = req.bearer_auth(token);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let r = req.send().await.expect("send");
    let status = r.status();
    let text = r.text().await.expect("body");
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

pub(crate) async fn check(s: &TestServer, token: &str, q: &str, fresh: Option<&str>) -> (StatusCode, Value) {
    let (left, subject) = q.split_once('@').expect("q");
    let (object, permission) = left.split_once('#').expect("q");
    let mut body = json!({ "object": object, "permission": permission, "subject": subject });
    if let Some(f) = fresh {
        body["at_least_as_fresh"] = json!(f);
    }
    call(s, token, "POST", "/api/v1/authz/check", Some(body)).await
}

async fn decision(s: &TestServer, token: &str, q: &str, fresh: Option<&str>) -> String {
    let (status, body) = check(s, token, q, fresh).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["decision"].as_str().expect("decision").to_owned()
}

pub(crate) async fn write(s: &TestServer, token: &str, writes: &[&str], deletes: &[&str]) -> String {
    let (status, body) =
        call(s, token, "POST", "/api/v1/authz/tuples", Some(json!({ "writes": writes, "deletes": deletes }))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["revision"].as_str().expect("revision").to_owned()
}

/// Two organizations with the same schema; an app installed in each, with every permission.
async fn two_orgs(s: &TestServer) -> (String, String) {
    for org in ["acme", "globex"] {
        cli(s, &["org", "create", org, "--name", org]);
    }
    let a = app(s, &["authz:check", "authz:read", "authz:write"], &["acme"]).await;
    let g = app(s, &["authz:check", "authz:read", "authz:write"], &["globex"]).await;
    let (ta, tg) = (token(s, &a, "acme").await, token(s, &g, "globex").await);
    for t in [&ta, &tg] {
        let (status, body) = call(s, t, "PUT", "/api/v1/authz/schema", Some(json!({ "schema": SCHEMA }))).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    (ta, tg)
}

#[tokio::test(flavor = "multi_thread")]
async fn cross_tenant_tuple_write_rejected() {
    let s = TestServer::start().await;
    let (acme, globex) = two_orgs(&s).await;
    // The organization comes from the token: a body naming another is refused outright.
    let body = json!({ "organization": "globex", "writes": ["doc:plan#viewer@user:eve"] });
    let (status, err) = call(&s, &acme, "POST", "/api/v1/authz/tuples", Some(body)).await;
    assert_eq!((status, err["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_request")), "{err}");
    // An app installed in acme gets no token for globex at all.
    let a = app(&s, &["authz:write"], &["acme"]).await;
    let (status, err) = token_in(&s, &a, "globex").await;
    assert_eq!((status, err["error"].as_str()), (StatusCode::BAD_REQUEST, Some("unauthorized_client")), "{err}");
    // Nothing was written anywhere.
    for t in [&acme, &globex] {
        let (status, body) = call(&s, t, "GET", "/api/v1/authz/tuples", None).await;
        assert_eq!((status, body["tuples"].clone()), (StatusCode::OK, json!([])), "{body}");
    }
    // Positive control: acme's own write lands in acme only.
    write(&s, &acme, &["doc:plan#viewer@user:eve"], &[]).await;
    let (_, body) = call(&s, &acme, "GET", "/api/v1/authz/tuples", None).await;
    assert_eq!(body["tuples"], json!([{ "tuple": "doc:plan#viewer@user:eve" }]));
    let (_, body) = call(&s, &globex, "GET", "/api/v1/authz/tuples?object=doc:plan", None).await;
    assert_eq!(body["tuples"], json!([]));
}

#[tokio::test(flavor = "multi_thread")]
async fn cross_tenant_check_and_list_isolated() {
    let s = TestServer::start().await;
    let (acme, globex) = two_orgs(&s).await;
    write(&s, &globex, &["doc:plan#viewer@user:eve"], &[]).await;
    // Positive control in globex.
    assert_eq!(decision(&s, &globex, "doc:plan#view@user:eve", None).await, "allow");
    let list = json!({ "type": "doc", "permission": "view", "subject": "user:eve" });
    let (_, body) = call(&s, &globex, "POST", "/api/v1/authz/list-objects", Some(list.clone())).await;
    assert_eq!(body["objects"], json!(["plan"]));
    // The same questions in acme see nothing of globex's.
    assert_eq!(decision(&s, &acme, "doc:plan#view@user:eve", None).await, "deny");
    let (status, body) = call(&s, &acme, "POST", "/api/v1/authz/list-objects", Some(list)).await;
    assert_eq!((status, body["objects"].clone()), (StatusCode::OK, json!([])));
    let subjects = json!({ "object": "doc:plan", "permission": "view", "subject_type": "user" });
    let (_, body) = call(&s, &acme, "POST", "/api/v1/authz/list-subjects", Some(subjects.clone())).await;
    assert_eq!(body["subjects"], json!([]));
    let (_, body) = call(&s, &globex, "POST", "/api/v1/authz/list-subjects", Some(subjects)).await;
    assert_eq!(body["subjects"], json!(["eve"]));
    // AuthZEN answers from the token's organization too.
    let eval = json!({
        "subject": { "type": "user", "id": "eve" }, "action": { "name": "view" },
        "resource": { "type": "doc", "id": "plan" }
    });
    let (_, body) = call(&s, &acme, "POST", "/access/v1/evaluation", Some(eval.clone())).await;
    assert_eq!(body["decision"], json!(false));
    let (_, body) = call(&s, &globex, "POST", "/access/v1/evaluation", Some(eval)).await;
    assert_eq!(body["decision"], json!(true));
}

/// A user's access token for the authorization API in `org`, through the code flow.
async fn user_token(s: &TestServer, c: &TestClient, email: &str, org: &str) -> String {
    let p = pkce();
    let mut b = s.signed_in(email).await;
    let params = [("scope", "openid authz:check authz:explain"), ("organization", org)];
    let r = b.authorize(&authz_query(&c.id, &p.challenge, &params)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let (status, body) = s.exchange(c, &location_params(r.location())["code"], &p.verifier).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["access_token"].as_str().expect("at").to_owned()
}

/// Users in both organizations, with `authz:check` through a global role; ann owns acme.
async fn users_in_both(s: &TestServer) {
    for (email, role) in [("ann@example.com", "owner"), ("bob@example.com", "member")] {
        s.create_user(email, PASSWORD).await;
        for org in ["acme", "globex"] {
            cli(s, &["org", "member", "add", org, email, "--role", role]);
        }
    }
    cli(s, &["role", "create", "pep", "--api", AUTHZ, "--permission", "authz:check"]);
    cli(s, &["role", "grant", "pep", "--user", "ann@example.com"]);
    cli(s, &["role", "grant", "pep", "--user", "bob@example.com"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn confused_deputy_client_other_org_denied() {
    let s = TestServer::start().await;
    let (acme, _) = two_orgs(&s).await;
    users_in_both(&s).await;
    write(&s, &acme, &["doc:plan#viewer@user:eve"], &[]).await;
    // An application installed in acme only; bob belongs to both organizations.
    let c = s.code_client_for("openid authz:check authz:explain", false, true, false, AUTHZ).await;
    cli(&s, &["org", "client", "add", "acme", &c.id]);
    let in_acme = user_token(&s, &c, "bob@example.com", "acme").await;
    assert_eq!(decision(&s, &in_acme, "doc:plan#view@user:eve", None).await, "allow", "positive control");
    // Through bob, the application asks about globex: refused, whatever bob may do there.
    let in_globex = user_token(&s, &c, "bob@example.com", "globex").await;
    let (status, body) = check(&s, &in_globex, "doc:plan#view@user:eve", None).await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::FORBIDDEN, Some("forbidden")), "{body}");
    // Uninstalled from acme (from the command line), it may no longer ask about acme either,
    // though its token is still valid: within the follow interval.
    cli(&s, &["org", "client", "remove", "acme", &c.id]);
    let mut status = StatusCode::OK;
    for _ in 0..50 {
        status = check(&s, &in_acme, "doc:plan#view@user:eve", None).await.0;
        if status != StatusCode::OK {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(status, StatusCode::FORBIDDEN);
    // A token for another API is not a token for this one.
    let other = s.client(&["client_credentials"], "", &["https://api.example.com"], false).await;
    let t = s.client_credentials(&other, None).await;
    let (status, body) = check(&s, t["access_token"].as_str().expect("at"), "doc:plan#view@user:eve", None).await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::UNAUTHORIZED, Some("invalid_token")), "{body}");
}

#[tokio::test(flavor = "multi_thread")]
async fn new_enemy_revoke_then_check_with_revision() {
    let s = TestServer::start().await;
    // The second instance follows the change log only when a token asks (an hour otherwise),
    // so what it answers without a token is exactly what it loaded.
    let b = s.another_instance(|c| c.authz.follow_interval = time::Duration::hours(1)).await;
    let (acme, _) = two_orgs(&s).await;
    let granted = write(&s, &acme, &["doc:plan#viewer@user:eve"], &[]).await;
    assert_eq!(decision(&b, &acme, "doc:plan#view@user:eve", Some(&granted)).await, "allow");
    // Eve's access is revoked on the first instance...
    let revoked = write(&s, &acme, &[], &["doc:plan#viewer@user:eve"]).await;
    assert_ne!(granted, revoked);
    // ...the second, asked without the token, still answers from before the revoke (the
    // control: this is the stale state the token protects against)...
    assert_eq!(decision(&b, &acme, "doc:plan#view@user:eve", None).await, "allow");
    // ...and with it, never.
    assert_eq!(decision(&b, &acme, "doc:plan#view@user:eve", Some(&revoked)).await, "deny");
    assert_eq!(decision(&b, &acme, "doc:plan#view@user:eve", None).await, "deny");
}

#[tokio::test(flavor = "multi_thread")]
async fn revision_honoured_across_instances() {
    let s = TestServer::start().await;
    let b = s.another_instance(|c| c.authz.follow_interval = time::Duration::hours(1)).await;
    let (acme, _) = two_orgs(&s).await;
    assert_eq!(decision(&b, &acme, "doc:plan#view@user:eve", None).await, "deny");
    let rev = write(&s, &acme, &["doc:plan#viewer@user:eve"], &[]).await;
    // Without the token the second instance has not seen the write yet; with it, it has.
    assert_eq!(decision(&b, &acme, "doc:plan#view@user:eve", None).await, "deny");
    let (status, body) = check(&b, &acme, "doc:plan#view@user:eve", Some(&rev)).await;
    assert_eq!((status, body["decision"].as_str()), (StatusCode::OK, Some("allow")), "{body}");
    // The answer says which revision it is at least as fresh as.
    let at: i64 =
        body["revision"].as_str().and_then(|r| r.strip_prefix('r')).and_then(|r| r.parse().ok()).expect("rev");
    assert!(at >= rev[1..].parse::<i64>().expect("rev"), "{body}");
    // Listing honours it too; a token no instance has reached, or a malformed one, is a 400.
    let rev2 = write(&s, &acme, &["doc:memo#viewer@user:eve"], &[]).await;
    let list = json!({ "type": "doc", "permission": "view", "subject": "user:eve", "at_least_as_fresh": rev2 });
    let (_, body) = call(&b, &acme, "POST", "/api/v1/authz/list-objects", Some(list)).await;
    assert_eq!(body["objects"], json!(["memo", "plan"]));
    for bad in ["r999999999", "yesterday"] {
        let (status, body) = check(&b, &acme, "doc:plan#view@user:eve", Some(bad)).await;
        assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_request")), "{bad}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn forged_list_cursor_rejected() {
    let s = TestServer::start().await;
    let (acme, globex) = two_orgs(&s).await;
    let tuples: Vec<String> = (0..5).map(|i| format!("doc:d{i}#viewer@user:eve")).collect();
    write(&s, &acme, &tuples.iter().map(String::as_str).collect::<Vec<_>>(), &[]).await;
    write(&s, &globex, &tuples.iter().map(String::as_str).collect::<Vec<_>>(), &[]).await;
    let ask = |cursor: Option<&str>, permission: &str| {
        let mut b = json!({ "type": "doc", "permission": permission, "subject": "user:eve", "limit": 2 });
        if let Some(c) = cursor {
            b["cursor"] = json!(c);
        }
        b
    };
    let (_, first) = call(&s, &acme, "POST", "/api/v1/authz/list-objects", Some(ask(None, "view"))).await;
    assert_eq!(first["objects"], json!(["d0", "d1"]));
    let cursor = first["next_cursor"].as_str().expect("cursor").to_owned();
    // The genuine cursor goes on where the page ended.
    let (status, next) = call(&s, &acme, "POST", "/api/v1/authz/list-objects", Some(ask(Some(&cursor), "view"))).await;
    assert_eq!((status, next["objects"].clone()), (StatusCode::OK, json!(["d2", "d3"])));
    // Altered (a position of our choosing under the old tag), made up, used for another
    // question, or in another organization: refused.
    let (_, tag) = cursor.split_once('.').expect("tag");
    use base64::Engine as _;
    let moved = format!("{}.{tag}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode("d3"));
    for (bad, permission, token) in [
        (moved.as_str(), "view", &acme),
        ("ZDM.AAAA", "view", &acme),
        (cursor.as_str(), "viewer", &acme),
        (cursor.as_str(), "view", &globex),
    ] {
        let (status, body) =
            call(&s, token, "POST", "/api/v1/authz/list-objects", Some(ask(Some(bad), permission))).await;
        assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_request")), "{bad}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn membership_removal_cascades() {
    let s = TestServer::start().await;
    let (acme, _) = two_orgs(&s).await;
    users_in_both(&s).await;
    let acme_id = s.state.store.org("acme").await.expect("store").expect("acme").public_id;
    let bob = s.user("bob@example.com").await.subject;
    // Every member of acme views the plan, through the organization's membership relation.
    write(&s, &acme, &[&format!("doc:plan#org@organization:{acme_id}")], &[]).await;
    let q = format!("doc:plan#view@user:{bob}");
    assert_eq!(decision(&s, &acme, &q, Some("latest")).await, "allow");
    // Memberships are not written as tuples: they come from the membership itself.
    let (status, _) = call(
        &s,
        &acme,
        "POST",
        "/api/v1/authz/tuples",
        Some(json!({ "writes": [format!("organization:{acme_id}#member@user:x")] })),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    // Bob leaves acme (from the command line: another process); his access goes with it.
    cli(&s, &["org", "member", "remove", "acme", "bob@example.com"]);
    assert_eq!(decision(&s, &acme, &q, Some("latest")).await, "deny");
    let list = json!({ "object": "doc:plan", "permission": "view", "subject_type": "user" });
    let (_, body) = call(&s, &acme, "POST", "/api/v1/authz/list-subjects", Some(list)).await;
    let ann = s.user("ann@example.com").await.subject;
    assert_eq!(body["subjects"], json!([ann]), "ann is still a member");
    // A membership added elsewhere reaches the instance by itself, within the follow interval.
    cli(&s, &["org", "member", "add", "acme", "bob@example.com"]);
    let mut seen = String::new();
    for _ in 0..50 {
        seen = decision(&s, &acme, &q, None).await;
        if seen == "allow" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(seen, "allow");
}

#[tokio::test(flavor = "multi_thread")]
async fn explain_admin_only() {
    let s = TestServer::start().await;
    let (acme, _) = two_orgs(&s).await;
    users_in_both(&s).await;
    write(&s, &acme, &["group:eng#member@user:eve", "doc:plan#viewer@group:eng#member"], &[]).await;
    let body = json!({ "object": "doc:plan", "permission": "view", "subject": "user:eve" });
    // A client with authz:check only: no explanations (they show the organization's tuples).
    let (status, err) = call(&s, &acme, "POST", "/api/v1/authz/explain", Some(body.clone())).await;
    assert_eq!((status, err["error"].as_str()), (StatusCode::FORBIDDEN, Some("insufficient_scope")), "{err}");
    // One granted authz:explain: the proof path.
    let e = app(&s, &["authz:check", "authz:explain"], &["acme"]).await;
    let te = token(&s, &e, "acme").await;
    let (status, out) = call(&s, &te, "POST", "/api/v1/authz/explain", Some(body.clone())).await;
    assert_eq!(status, StatusCode::OK, "{out}");
    assert_eq!(out["decision"], "allow");
    assert_eq!(
        out["proof"],
        json!([
            "rule doc:plan#view = viewer + org->member - banned",
            "not doc:plan#(banned)",
            "tuple doc:plan#viewer@group:eng#member",
            "tuple group:eng#member@user:eve",
        ])
    );
    // A deny names what would have allowed it.
    let deny = json!({ "object": "doc:plan", "permission": "view", "subject": "user:zed" });
    let (_, out) = call(&s, &te, "POST", "/api/v1/authz/explain", Some(deny.clone())).await;
    assert_eq!(out["decision"], "deny");
    assert!(out["missing"].as_array().expect("missing").contains(&json!("doc:plan#viewer@user:zed")), "{out}");
    // Users: the organization's owner may see explanations, a plain member may not.
    let c = s.code_client_for("openid authz:check authz:explain", false, true, false, AUTHZ).await;
    cli(&s, &["org", "client", "add", "acme", &c.id]);
    let owner = user_token(&s, &c, "ann@example.com", "acme").await;
    let (status, out) = call(&s, &owner, "POST", "/api/v1/authz/explain", Some(deny.clone())).await;
    assert_eq!((status, out["decision"].as_str()), (StatusCode::OK, Some("deny")), "{out}");
    let member = user_token(&s, &c, "bob@example.com", "acme").await;
    let (status, err) = call(&s, &member, "POST", "/api/v1/authz/explain", Some(deny)).await;
    assert_eq!((status, err["error"].as_str()), (StatusCode::FORBIDDEN, Some("insufficient_scope")), "{err}");
    // ...though the member may check.
    let (status, _) = check(&s, &member, "doc:plan#view@user:eve", None).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread")]
async fn schema_write_validated() {
    let s = TestServer::start().await;
    let (acme, _) = two_orgs(&s).await;
    // An unknown type is a 400 naming line and column.
    let bad = "type user\ntype doc {\n  relation viewer: usr\n}\n";
    let (status, err) = call(&s, &acme, "PUT", "/api/v1/authz/schema", Some(json!({ "schema": bad }))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(err["error_description"].as_str().expect("d").contains("line 3, column"), "{err}");
    // A relation still used by a tuple cannot be removed.
    write(&s, &acme, &["doc:plan#banned@user:mallory"], &[]).await;
    let without = SCHEMA.replace("  relation banned: user\n", "").replace(" - banned", "");
    let (status, err) = call(&s, &acme, "PUT", "/api/v1/authz/schema", Some(json!({ "schema": without }))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{err}");
    // A tuple the schema does not allow is refused, and nothing of its batch is written.
    let (status, _) = call(
        &s,
        &acme,
        "POST",
        "/api/v1/authz/tuples",
        Some(json!({ "writes": ["doc:a#viewer@user:x", "doc:a#owner@user:x"] })),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(decision(&s, &acme, "doc:a#view@user:x", None).await, "deny");
    let (status, body) = call(&s, &acme, "GET", "/api/v1/authz/schema", None).await;
    assert_eq!((status, body["schema"].as_str()), (StatusCode::OK, Some(SCHEMA)));
}

#[tokio::test]
async fn policy_test_file_runs() {
    let dir = tempfile::tempdir().expect("tempdir");
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/authz/documents.yaml");
    let (code, out, err) = run_cli(dir.path(), &["authz", "test", example], "");
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("8 tests, 0 failed"), "{out}");
    // A wrong expectation fails the run and says which.
    let text = std::fs::read_to_string(example).expect("example");
    let broken = text.replace(
        "check: document:readme#view@user:mallory     # banned wins\n    expect: deny",
        "check: document:readme#view@user:mallory     # banned wins\n    expect: allow",
    );
    assert_ne!(broken, text);
    let path = dir.path().join("broken.yaml");
    std::fs::write(&path, broken).expect("write");
    let (code, out, _) = run_cli(dir.path(), &["authz", "test", path.to_str().expect("path")], "");
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("FAIL document:readme#view@user:mallory: expected allow, got deny"), "{out}");
}

#[tokio::test(flavor = "multi_thread")]
async fn verify_layer_asks_the_authorization_api() {
    use axum::routing::get;
    use signet_verify::authzen::{require_permission, AuthzClient};
    use signet_verify::layer::{require_token, Bearer};
    use std::sync::Arc;
    // Discovery needs an issuer the client can reach: this server's own address.
    let s = TestServer::with(|c| c.issuer = "auto".into()).await;
    let (acme, _) = two_orgs(&s).await;
    users_in_both(&s).await;
    let ann = s.user("ann@example.com").await.subject;
    write(&s, &acme, &[&format!("doc:readme#viewer@user:{ann}")], &[]).await;
    // A resource server (a client installed in acme, granted authz:check) protecting
    // /docs/{id} with "view" on doc:{id}, for users signed in to an app in acme.
    let pep = app(&s, &["authz:check"], &["acme"]).await;
    let issuer = s.state.config.issuer_base().to_owned();
    let pdp = AuthzClient::discover(&issuer, &pep.id, pep.secret.as_deref().expect("secret")).await.expect("discover");
    let verifier = signet_verify::Verifier::discover(&issuer, "https://api.example.com").await.expect("verifier");
    let api = axum::Router::new()
        .route("/docs/{id}", get(|Bearer(c): Bearer| async move { c.sub }))
        .route_layer(require_permission(Arc::new(pdp), "view", "doc", "id"))
        .layer(require_token(Arc::new(verifier)));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, api).await });
    let c = s.code_client("openid read:docs", false, true).await;
    let p = pkce();
    let mut b = s.signed_in("ann@example.com").await;
    let r = b.authorize(&authz_query(&c.id, &p.challenge, &[("scope", "openid"), ("organization", "acme")])).await;
    let (_, body) = s.exchange(&c, &location_params(r.location())["code"], &p.verifier).await;
    let at = body["access_token"].as_str().expect("at");
    let http = reqwest::Client::new();
    let r = http.get(format!("{base}/docs/readme")).bearer_auth(at).send().await.expect("send");
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.text().await.expect("text"), ann);
    let r = http.get(format!("{base}/docs/secret")).bearer_auth(at).send().await.expect("send");
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // A user token outside any organization cannot be checked: refused.
    let p = pkce();
    let r = b.authorize(&authz_query(&c.id, &p.challenge, &[("scope", "openid")])).await;
    let (_, body) = s.exchange(&c, &location_params(r.location())["code"], &p.verifier).await;
    let r = http
        .get(format!("{base}/docs/readme"))
        .bearer_auth(body["access_token"].as_str().expect("at"))
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}

/// Writes racing on two instances each get their own revision, and an instance brought up to
/// the newest of them sees every one (the log's order is the commit order, on PostgreSQL too).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_writes_all_seen_at_the_newest_revision() {
    let s = TestServer::start().await;
    let b = s.another_instance(|c| c.authz.follow_interval = time::Duration::hours(1)).await;
    let (acme, _) = two_orgs(&s).await;
    let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(16));
    let mut tasks = Vec::new();
    for i in 0..16 {
        let (base, token, barrier) =
            (if i % 2 == 0 { s.base.clone() } else { b.base.clone() }, acme.clone(), barrier.clone());
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            let r = reqwest::Client::new()
                .post(format!("{base}/api/v1/authz/tuples"))
                .bearer_auth(token)
                .json(&json!({ "writes": [format!("doc:d{i}#viewer@user:eve")] }))
                .send()
                .await
                .expect("send");
            assert_eq!(r.status(), StatusCode::OK);
            let v: Value = r.json().await.expect("json");
            v["revision"].as_str().expect("revision")[1..].parse::<i64>().expect("rev")
        }));
    }
    let mut revs = Vec::new();
    for t in tasks {
        revs.push(t.await.expect("task"));
    }
    let newest = revs.iter().max().copied().expect("max");
    revs.sort();
    revs.dedup();
    assert_eq!(revs.len(), 16, "one revision each");
    for inst in [&s, &b] {
        let list = json!({ "type": "doc", "permission": "view", "subject": "user:eve", "at_least_as_fresh": format!("r{newest}") });
        let (_, body) = call(inst, &acme, "POST", "/api/v1/authz/list-objects", Some(list)).await;
        assert_eq!(body["objects"].as_array().map(Vec::len), Some(16), "{body}");
    }
}

/// SQLite gives a new organization the row id of the highest deleted one: the new
/// organization must not be answered from the deleted one's graph, even before this instance
/// has read the deletion from the log.
#[tokio::test(flavor = "multi_thread")]
async fn org_row_id_reuse_does_not_reuse_graph() {
    let s = TestServer::with(|c| c.authz.follow_interval = time::Duration::hours(1)).await;
    cli(&s, &["org", "create", "gamma", "--name", "Gamma"]);
    let a = app(&s, &["authz:check", "authz:write"], &["gamma"]).await;
    let t = token(&s, &a, "gamma").await;
    let (status, _) = call(&s, &t, "PUT", "/api/v1/authz/schema", Some(json!({ "schema": SCHEMA }))).await;
    assert_eq!(status, StatusCode::OK);
    write(&s, &t, &["doc:plan#viewer@user:eve"], &[]).await;
    assert_eq!(decision(&s, &t, "doc:plan#view@user:eve", None).await, "allow");
    let gamma = s.state.store.org("gamma").await.expect("store").expect("gamma");
    cli(&s, &["org", "delete", "gamma"]);
    cli(&s, &["org", "create", "delta", "--name", "Delta"]);
    let delta = s.state.store.org("delta").await.expect("store").expect("delta");
    cli(&s, &["org", "client", "add", "delta", &a.id]);
    let t = token(&s, &a, "delta").await;
    // The condition of this test (SQLite reuses the row id); on PostgreSQL it holds anyway.
    if s.state.config.database_url.is_none() {
        assert_eq!(gamma.id, delta.id);
    }
    let (status, body) = check(&s, &t, "doc:plan#view@user:eve", None).await;
    assert_eq!((status, body["decision"].as_str()), (StatusCode::OK, Some("deny")), "{body}");
}
