//! The admin API (`/api/v1/admin`): who may call it, scopes, ETags, secret rotation with
//! overlap, audit with redaction, and one rule shared with the CLI.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::harness::{db_strings, run_cli, TestServer, PASSWORD};

const ADMIN_API: &str = "urn:signet:admin";

/// A client-credentials token for the admin API with `scope` (the client registered for it).
pub(crate) async fn token(s: &TestServer, scope: &str) -> String {
    let c = s.client(&["client_credentials"], scope, &[ADMIN_API], false).await;
    let (status, _, v) = s.oauth_post("/oauth2/token", &c, &[("grant_type", "client_credentials")]).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    v["access_token"].as_str().expect("token").to_owned()
}

pub(crate) struct Answer {
    pub status: StatusCode,
    pub etag: Option<String>,
    pub body: Value,
    pub text: String,
}

pub(crate) async fn call(
    s: &TestServer,
    method: &str,
    path: &str,
    token: &str,
    body: Option<Value>,
    if_match: Option<&str>,
) -> Answer {
    let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
    let mut req = reqwest::Client::new().request(method, format!("{}{path}", s.base)).bearer_auth(token);
    if let Some(b) = body {
        req = req.header("content-type", "application/json").body(b.to_string());
    }
    if let Some(m) = if_match {
        req = req.header("if-match", m);
    }
    let r = req.send().await.expect("send");
    let status = r.status();
    let etag = r.headers().get("etag").and_then(|v| v.to_str().ok()).map(str::to_owned);
    let text = r.text().await.expect("body");
    Answer { status, etag, body: serde_json::from_str(&text).unwrap_or(Value::Null), text }
}

async fn user_count(s: &TestServer) -> usize {
    s.state.store.list_users().await.expect("users").len()
}

#[tokio::test]
async fn admin_api_requires_admin_scope() {
    let s = TestServer::start().await;
    s.create_user("ann@example.com", PASSWORD).await;
    // No credentials: 401 with a challenge.
    let r = reqwest::get(format!("{}/api/v1/admin/users", s.base)).await.expect("get");
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert!(r.headers().get("www-authenticate").is_some());
    // signet:admin, but a token for another audience: not for this API (RFC 9068 §4).
    let other = s.client(&["client_credentials"], "signet:admin", &["https://api.example.com"], false).await;
    let (_, _, v) = s.oauth_post("/oauth2/token", &other, &[("grant_type", "client_credentials")]).await;
    let wrong_aud = v["access_token"].as_str().expect("token").to_owned();
    let r = call(&s, "GET", "/api/v1/admin/users", &wrong_aud, None, None).await;
    assert_eq!((r.status, r.body["error"].as_str()), (StatusCode::UNAUTHORIZED, Some("invalid_token")));
    // The right audience without an admin scope: 403 insufficient_scope.
    let audit_only = token(&s, "signet:audit:read").await;
    let r = call(&s, "GET", "/api/v1/admin/users", &audit_only, None, None).await;
    assert_eq!((r.status, r.body["error"].as_str()), (StatusCode::FORBIDDEN, Some("insufficient_scope")));
    assert_eq!(call(&s, "GET", "/api/v1/admin/audit", &audit_only, None, None).await.status, StatusCode::OK);
    // A signed-in user who is not an administrator: 403.
    let mut b = s.browser();
    b.login("ann@example.com", PASSWORD).await;
    assert_eq!(b.get("/api/v1/admin/users").await.status, StatusCode::FORBIDDEN);
    assert_eq!(b.get("/api/v1/admin/keys").await.status, StatusCode::FORBIDDEN);
    // Control: signet:admin for this API reads.
    let admin = token(&s, "signet:admin").await;
    let r = call(&s, "GET", "/api/v1/admin/users?q=ANN", &admin, None, None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["users"][0]["email"], "ann@example.com");
    assert!(!r.body.to_string().contains("argon2"));
}

#[tokio::test]
async fn admin_api_narrow_scope_cannot_write() {
    let s = TestServer::start().await;
    let ann = s.create_user("ann@example.com", PASSWORD).await;
    let read = token(&s, "signet:users:read").await;
    let before = user_count(&s).await;
    let r = call(&s, "POST", "/api/v1/admin/users", &read, Some(json!({"email": "new@example.com"})), None).await;
    assert_eq!((r.status, r.body["error"].as_str()), (StatusCode::FORBIDDEN, Some("insufficient_scope")));
    let r =
        call(&s, "PATCH", &format!("/api/v1/admin/users/{ann}"), &read, Some(json!({"disabled": true})), None).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(!s.user("ann@example.com").await.disabled);
    assert_eq!(user_count(&s).await, before, "nothing was stored");
    assert_eq!(call(&s, "GET", &format!("/api/v1/admin/users/{ann}"), &read, None, None).await.status, StatusCode::OK);

    // users:write manages ordinary accounts, but cannot make or touch an administrator.
    let write = token(&s, "signet:users:write").await;
    let r = call(
        &s,
        "POST",
        "/api/v1/admin/users",
        &write,
        Some(json!({"email": "boss@example.com", "is_admin": true})),
        None,
    )
    .await;
    assert_eq!((r.status, r.body["error"].as_str()), (StatusCode::FORBIDDEN, Some("insufficient_scope")));
    assert_eq!(user_count(&s).await, before);
    let r =
        call(&s, "PATCH", &format!("/api/v1/admin/users/{ann}"), &write, Some(json!({"is_admin": true})), None).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(!s.user("ann@example.com").await.is_admin);
    let admin = token(&s, "signet:admin").await;
    let r = call(
        &s,
        "POST",
        "/api/v1/admin/users",
        &admin,
        Some(json!({"email": "root@example.com", "password": PASSWORD, "is_admin": true})),
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let root = r.body["id"].as_i64().expect("id");
    let pw = json!({"password": "another long enough password"});
    let r = call(&s, "PUT", &format!("/api/v1/admin/users/{root}/password"), &write, Some(pw.clone()), None).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "an administrator's password is signet:admin's");
    assert_eq!(s.browser().login("root@example.com", PASSWORD).await.status, StatusCode::SEE_OTHER);
    // Control: users:write does act on an ordinary account.
    let r = call(&s, "POST", "/api/v1/admin/users", &write, Some(json!({"email": "new@example.com"})), None).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let r = call(&s, "PUT", &format!("/api/v1/admin/users/{ann}/password"), &write, Some(pw), None).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    // clients:write cannot register a client that may ask for admin scopes.
    let cw = token(&s, "signet:clients:write").await;
    let spec = json!({"name": "escalator", "scope": "signet:admin", "audiences": [ADMIN_API]});
    let r = call(&s, "POST", "/api/v1/admin/clients", &cw, Some(spec), None).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = call(&s, "POST", "/api/v1/admin/clients", &cw, Some(json!({"name": "plain"})), None).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
}

#[tokio::test]
async fn admin_stale_etag_rejected() {
    let s = TestServer::start().await;
    let ann = s.create_user("ann@example.com", PASSWORD).await;
    let admin = token(&s, "signet:admin").await;
    let path = format!("/api/v1/admin/users/{ann}");
    let first = call(&s, "GET", &path, &admin, None, None).await;
    let etag = first.etag.expect("etag");
    let r = call(&s, "PATCH", &path, &admin, Some(json!({"disabled": true})), Some(&etag)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let fresh = r.etag.expect("new etag");
    assert_ne!(fresh, etag);
    // The old tag is stale: 412, and nothing changes.
    let r = call(&s, "PATCH", &path, &admin, Some(json!({"disabled": false})), Some(&etag)).await;
    assert_eq!((r.status, r.body["error"].as_str()), (StatusCode::PRECONDITION_FAILED, Some("precondition_failed")));
    assert!(s.user("ann@example.com").await.disabled);
    // A weak tag never matches If-Match (RFC 9110 §13.1.1).
    let weak = format!("W/{fresh}");
    assert_eq!(
        call(&s, "PATCH", &path, &admin, Some(json!({"disabled": false})), Some(&weak)).await.status,
        StatusCode::PRECONDITION_FAILED
    );
    // A change made elsewhere (the user's own password change, the CLI) also moves the tag.
    let (code, out, err) = run_cli(s.dir.path(), &["user", "enable", "ann@example.com"], "");
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(
        call(&s, "PATCH", &path, &admin, Some(json!({"disabled": true})), Some(&fresh)).await.status,
        StatusCode::PRECONDITION_FAILED
    );
    assert!(!s.user("ann@example.com").await.disabled);

    // Two writers with the same tag at once: exactly one wins.
    let tag = call(&s, "GET", &path, &admin, None, None).await.etag.expect("etag");
    let (a, b) = tokio::join!(
        call(&s, "PATCH", &path, &admin, Some(json!({"disabled": true})), Some(&tag)),
        call(&s, "PATCH", &path, &admin, Some(json!({"disabled": false})), Some(&tag)),
    );
    let mut statuses = [a.status, b.status];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::OK, StatusCode::PRECONDITION_FAILED]);
}

/// The concurrent writers above need two threads to race.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn admin_stale_etag_rejected_under_race() {
    let s = TestServer::start().await;
    let ann = s.create_user("ann@example.com", PASSWORD).await;
    let admin = token(&s, "signet:admin").await;
    let path = format!("/api/v1/admin/users/{ann}");
    for round in 0..5 {
        let tag = call(&s, "GET", &path, &admin, None, None).await.etag.expect("etag");
        let patch =
            |disabled: bool| call(&s, "PATCH", &path, &admin, Some(json!({ "disabled": disabled })), Some(&tag));
        let (a, b, c, d) = tokio::join!(patch(true), patch(false), patch(true), patch(false));
        let answers = [a, b, c, d];
        let ok = answers.iter().filter(|a| a.status == StatusCode::OK).count();
        let stale = answers.iter().filter(|a| a.status == StatusCode::PRECONDITION_FAILED).count();
        assert_eq!((ok, stale), (1, 3), "round {round}");
    }
}

async fn get_token(s: &TestServer, id: &str, secret: String) -> StatusCode {
    let c = crate::harness::TestClient { id: id.to_owned(), secret: Some(secret) };
    s.oauth_post("/oauth2/token", &c, &[("grant_type", "client_credentials")]).await.0
}

#[tokio::test]
async fn client_secret_rotation_overlap() {
    let s = TestServer::start().await;
    let admin = token(&s, "signet:admin").await;
    let spec = json!({"name": "worker", "grant_types": ["client_credentials"], "scope": "jobs"});
    let r = call(&s, "POST", "/api/v1/admin/clients", &admin, Some(spec), None).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let id = r.body["client"]["client_id"].as_str().expect("id").to_owned();
    let old = r.body["client_secret"].as_str().expect("secret").to_owned();
    assert_eq!(get_token(&s, &id, old.clone()).await, StatusCode::OK);

    let path = format!("/api/v1/admin/clients/{id}/secret");
    let r = call(&s, "POST", &path, &admin, Some(json!({"overlap_seconds": 3600})), None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let new = r.body["client_secret"].as_str().expect("secret").to_owned();
    assert!(r.body["client"]["previous_secret_expires_at"].is_i64());
    // During the overlap both work.
    assert_eq!(get_token(&s, &id, new.clone()).await, StatusCode::OK);
    assert_eq!(get_token(&s, &id, old.clone()).await, StatusCode::OK);
    // After it, only the new one.
    s.clock.advance(time::Duration::seconds(3601));
    assert_eq!(get_token(&s, &id, old.clone()).await, StatusCode::UNAUTHORIZED);
    assert_eq!(get_token(&s, &id, new.clone()).await, StatusCode::OK);
    signet_server::admin::clients::expire_previous_secrets(&s.state).await.expect("expire");
    let kinds = crate::harness::audit_kinds(&s).await;
    assert!(kinds.contains(&"client_secret_rotate".to_owned()) && kinds.contains(&"client_secret_expire".to_owned()));
    assert_eq!(s.state.store.client(&id).await.expect("store").expect("client").previous_secret, None);

    // Without an overlap (a leaked secret) the old one stops at once.
    let admin = token(&s, "signet:admin").await;
    let r = call(&s, "POST", &path, &admin, Some(json!({"overlap_seconds": 0})), None).await;
    let newest = r.body["client_secret"].as_str().expect("secret").to_owned();
    assert_eq!(get_token(&s, &id, new).await, StatusCode::UNAUTHORIZED);
    assert_eq!(get_token(&s, &id, newest).await, StatusCode::OK);
    // More than 30 days is refused, and nothing changes.
    let r = call(&s, "POST", &path, &admin, Some(json!({"overlap_seconds": 2_592_001})), None).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn admin_action_audited_with_redaction() {
    let s = TestServer::start().await;
    let ann = s.create_user("ann@example.com", PASSWORD).await;
    let admin_client = s.client(&["client_credentials"], "signet:admin", &[ADMIN_API], false).await;
    let (_, _, v) = s.oauth_post("/oauth2/token", &admin_client, &[("grant_type", "client_credentials")]).await;
    let admin = v["access_token"].as_str().expect("token").to_owned();
    let new_password = "a brand new secret password";
    let r = call(
        &s,
        "PUT",
        &format!("/api/v1/admin/users/{ann}/password"),
        &admin,
        Some(json!({"password": new_password})),
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let r =
        call(&s, "PATCH", &format!("/api/v1/admin/users/{ann}"), &admin, Some(json!({"disabled": true})), None).await;
    assert_eq!(r.status, StatusCode::OK);
    let r = call(&s, "POST", "/api/v1/admin/clients", &admin, Some(json!({"name": "app"})), None).await;
    let secret = r.body["client_secret"].as_str().expect("secret").to_owned();
    let id = r.body["client"]["client_id"].as_str().expect("id").to_owned();
    let r = call(&s, "POST", &format!("/api/v1/admin/clients/{id}/secret"), &admin, None, None).await;
    let rotated = r.body["client_secret"].as_str().expect("secret").to_owned();

    let events = s.state.store.list_audit(None, 100).await.expect("audit");
    let actor = format!("client:{}", admin_client.id);
    let disable = events.iter().find(|e| e.kind == "user_disable").expect("user_disable");
    assert_eq!((disable.actor.as_str(), disable.user_id), (actor.as_str(), Some(ann)));
    let d: Value = serde_json::from_str(&disable.detail).expect("json detail");
    assert_eq!(d["changes"]["disabled"], json!({"from": false, "to": true}));
    assert!(d["target"].as_str().expect("target").starts_with("user:"));
    let pw = events.iter().find(|e| e.kind == "password_change").expect("password_change");
    assert_eq!(serde_json::from_str::<Value>(&pw.detail).expect("json")["changes"]["password"]["to"], "[redacted]");
    let rot = events.iter().find(|e| e.kind == "client_secret_rotate").expect("rotate");
    assert_eq!(rot.actor, actor);
    // No secret, password or hash anywhere in the audit log.
    let all = db_strings(&s, "SELECT detail || ' ' || actor || ' ' || user_agent FROM audit_log").await.join("\n");
    for secret in [new_password, secret.as_str(), rotated.as_str(), "argon2", "sgn_cs_"] {
        assert!(!all.contains(secret), "{secret} in the audit log");
    }
    // The audit API filters by kind and actor, and exports JSON lines.
    let r = call(&s, "GET", &format!("/api/v1/admin/audit?actor={actor}&kind=user_disable"), &admin, None, None).await;
    assert_eq!(r.body["events"].as_array().expect("events").len(), 1, "{}", r.body);
    let r = call(&s, "GET", "/api/v1/admin/audit/export?kind=client_create", &admin, None, None).await;
    let text = r.text;
    assert_eq!(text.lines().count(), 1);
    assert_eq!(
        serde_json::from_str::<Value>(text.lines().next().expect("line")).expect("json")["kind"],
        "client_create"
    );
}

#[tokio::test]
async fn cli_and_api_share_rules() {
    let s = TestServer::start().await;
    let admin = token(&s, "signet:admin").await;
    // One administrator, made through the API: the last one can be disabled by neither path.
    let r = call(
        &s,
        "POST",
        "/api/v1/admin/users",
        &admin,
        Some(json!({"email": "root@example.com", "password": PASSWORD, "is_admin": true})),
        None,
    )
    .await;
    let root = r.body["id"].as_i64().expect("id");
    let r =
        call(&s, "PATCH", &format!("/api/v1/admin/users/{root}"), &admin, Some(json!({"disabled": true})), None).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let api_msg = r.body["error_description"].as_str().expect("description").to_owned();
    assert!(api_msg.contains("last administrator"), "{api_msg}");
    let (code, _, err) = run_cli(s.dir.path(), &["user", "disable", "root@example.com"], "");
    assert_ne!(code, 0);
    assert!(err.contains(&api_msg), "{err}");
    assert!(!s.user("root@example.com").await.disabled);
    // The password policy: the same refusal from both.
    let r = call(
        &s,
        "POST",
        "/api/v1/admin/users",
        &admin,
        Some(json!({"email": "weak@example.com", "password": "short"})),
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let api_msg = r.body["error_description"].as_str().expect("description").to_owned();
    let (code, _, err) =
        run_cli(s.dir.path(), &["user", "create", "--email", "weak@example.com", "--password-stdin"], "short\n");
    assert_ne!(code, 0);
    assert!(err.contains(&api_msg), "CLI: {err} / API: {api_msg}");
    assert!(s
        .state
        .store
        .user_by_email(&signet_core::Email::parse("weak@example.com").expect("email"))
        .await
        .expect("store")
        .is_none());
    // Client registration: a redirect URI with a fragment is refused by both.
    let bad = "https://app.example.com/cb#frag";
    let spec = json!({"name": "x", "grant_types": ["authorization_code"], "redirect_uris": [bad]});
    let r = call(&s, "POST", "/api/v1/admin/clients", &admin, Some(spec), None).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let api_msg = r.body["error_description"].as_str().expect("description").to_owned();
    let rule = api_msg.split_once(": ").map(|(_, m)| m.to_owned()).expect("field: message");
    let (code, _, err) = run_cli(
        s.dir.path(),
        &["client", "create", "--name", "x", "--grant", "authorization_code", "--redirect-uri", bad],
        "",
    );
    assert_ne!(code, 0);
    assert!(err.contains(&rule), "CLI: {err} / API: {api_msg}");
    // And a positive control: the CLI creates what the API reads back.
    let (code, out, err) = run_cli(s.dir.path(), &["client", "create", "--name", "ok", "--json"], "");
    assert_eq!(code, 0, "{err}");
    let id = serde_json::from_str::<Value>(&out).expect("json")["client_id"].as_str().expect("id").to_owned();
    assert_eq!(call(&s, "GET", &format!("/api/v1/admin/clients/{id}"), &admin, None, None).await.body["name"], "ok");
}

#[tokio::test]
async fn openapi_document_valid() {
    let s = TestServer::start().await;
    let r = reqwest::get(format!("{}/api/v1/openapi.json", s.base)).await.expect("get");
    assert_eq!(r.status(), StatusCode::OK);
    let doc: Value = r.json().await.expect("json");
    assert!(doc["openapi"].as_str().expect("version").starts_with("3.1"));
    // Every admin route and method of the router is described, and nothing else.
    let mut described = std::collections::BTreeSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in item.as_object().expect("item").keys() {
            described.insert(format!("{} {path}", method.to_uppercase()));
        }
    }
    let mut served = std::collections::BTreeSet::new();
    for r in signet_server::routes::table().into_iter().filter(|r| r.path.starts_with("/api/v1/admin/")) {
        for m in ["GET", "POST", "PUT", "PATCH", "DELETE"] {
            let probe = format!(
                "{}{}",
                s.base,
                r.path
                    .replace("{id}", "999999")
                    .replace("{client_id}", "x")
                    .replace("{kid}", "x")
                    .replace("{org}", "x")
                    .replace("{sub}", "x")
                    .replace("{role}", "x")
                    .replace("{group}", "x")
                    .replace("{api}", "x")
            );
            let res = reqwest::Client::new()
                .request(reqwest::Method::from_bytes(m.as_bytes()).expect("m"), &probe)
                .send()
                .await
                .expect("send");
            if res.status() != StatusCode::METHOD_NOT_ALLOWED {
                served.insert(format!("{m} {}", r.path));
            }
        }
    }
    assert_eq!(described, served);
    // Operation ids are unique (OpenAPI 3.1 §4.8.10.1).
    let mut ids = std::collections::BTreeSet::new();
    for item in doc["paths"].as_object().expect("paths").values() {
        for op in item.as_object().expect("item").values() {
            let id = op["operationId"].as_str().expect("operationId").to_owned();
            assert!(ids.insert(id.clone()), "operationId {id} twice");
        }
    }
    // Every reference resolves.
    fn refs(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(m) => {
                if let Some(Value::String(r)) = m.get("$ref") {
                    out.push(r.clone());
                }
                m.values().for_each(|x| refs(x, out));
            }
            Value::Array(a) => a.iter().for_each(|x| refs(x, out)),
            _ => {}
        }
    }
    let mut all = Vec::new();
    refs(&doc, &mut all);
    assert!(!all.is_empty());
    for r in all {
        let ptr = r.strip_prefix('#').expect("local ref");
        assert!(doc.pointer(ptr).is_some(), "{r} does not resolve");
    }
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
}

/// Organizations: read with `signet:users:read`, changed only with `signet:admin`, and the
/// rule the CLI keeps too: an organization keeps an owner.
#[tokio::test]
async fn admin_api_organizations() {
    let s = TestServer::start().await;
    s.create_user("ann@example.com", PASSWORD).await;
    let ann = s.user("ann@example.com").await.subject;
    let read = token(&s, "signet:users:read").await;
    let admin = token(&s, "signet:admin").await;
    let new = json!({"slug": "acme", "name": "Acme"});
    let r = call(&s, "POST", "/api/v1/admin/organizations", &read, Some(new.clone()), None).await;
    assert_eq!((r.status, r.body["error"].as_str()), (StatusCode::FORBIDDEN, Some("insufficient_scope")));
    assert!(s.state.store.org("acme").await.expect("store").is_none(), "nothing was stored");
    let r = call(&s, "POST", "/api/v1/admin/organizations", &admin, Some(new.clone()), None).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert!(r.body["id"].as_str().expect("id").starts_with("org_"));
    let r = call(&s, "POST", "/api/v1/admin/organizations", &admin, Some(new), None).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let r =
        call(&s, "POST", "/api/v1/admin/organizations", &admin, Some(json!({"slug": "Not A Slug", "name": "x"})), None)
            .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    // Members by subject; the last owner stays.
    let member = format!("/api/v1/admin/organizations/acme/members/{ann}");
    let r = call(&s, "PUT", &member, &read, Some(json!({"org_role": "owner"})), None).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = call(&s, "PUT", &member, &admin, Some(json!({"org_role": "owner"})), None).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let r = call(&s, "GET", "/api/v1/admin/organizations/acme/members", &read, None, None).await;
    assert_eq!((r.body[0]["email"].as_str(), r.body[0]["org_role"].as_str()), (Some("ann@example.com"), Some("owner")));
    let r = call(&s, "DELETE", &member, &admin, None, None).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let api_msg = r.body["error_description"].as_str().expect("description").to_owned();
    let (code, _, err) = run_cli(s.dir.path(), &["org", "member", "remove", "acme", "ann@example.com"], "");
    assert_ne!(code, 0);
    assert!(err.contains(&api_msg), "CLI: {err} / API: {api_msg}");
    assert_eq!(
        call(&s, "GET", "/api/v1/admin/organizations?limit=1", &read, None, None).await.body["organizations"][0]
            ["slug"],
        "acme"
    );
    // Control: an administrator deletes it, and it is gone.
    assert_eq!(
        call(&s, "DELETE", "/api/v1/admin/organizations/acme", &admin, None, None).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        call(&s, "GET", "/api/v1/admin/organizations/acme", &read, None, None).await.status,
        StatusCode::NOT_FOUND
    );
    let kinds = crate::harness::audit_kinds(&s).await;
    for k in ["org_create", "org_member_set", "org_delete"] {
        assert!(kinds.contains(&k.to_owned()), "{k} audited");
    }
}

#[tokio::test]
async fn admin_reads_audited() {
    let s = TestServer::start().await;
    let ann = s.create_user("ann@example.com", PASSWORD).await;
    let read = token(&s, "signet:users:read").await;
    let reads = |s: &TestServer| {
        let store = s.state.store.clone();
        async move {
            let events = store.list_audit(None, 1000).await.expect("audit");
            events.into_iter().filter(|e| e.kind == "admin_read").collect::<Vec<_>>()
        }
    };
    // Refused (no scope for clients) and not found: nothing was read, nothing recorded.
    assert_eq!(call(&s, "GET", "/api/v1/admin/clients", &read, None, None).await.status, StatusCode::FORBIDDEN);
    assert_eq!(call(&s, "GET", "/api/v1/admin/users/999999", &read, None, None).await.status, StatusCode::NOT_FOUND);
    assert!(reads(&s).await.is_empty());
    // A read: who, and what.
    assert_eq!(call(&s, "GET", &format!("/api/v1/admin/users/{ann}"), &read, None, None).await.status, StatusCode::OK);
    let events = reads(&s).await;
    assert_eq!(events.len(), 1);
    assert!(events[0].actor.starts_with("client:"), "{}", events[0].actor);
    assert!(events[0].detail.contains(&format!("/api/v1/admin/users/{ann}")), "{}", events[0].detail);
}
