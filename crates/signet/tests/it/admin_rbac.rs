//! The admin API's APIs, roles and groups (`/api/v1/admin/apis`, `…/roles`,
//! `…/organizations/{org}/roles|groups`): only `signet:admin` changes them, the rules are the
//! CLI's own, every change lands in what users hold (`OrgStore::access`) and in the audit log.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::admin_api::{call, token};
use crate::harness::{run_cli, TestServer, PASSWORD};

const API: &str = "https://docs.example.com";
const API_PATH: &str = "/api/v1/admin/apis/https%3A%2F%2Fdocs.example.com";

/// What `email` holds of [`API`] in organization `org` (none: outside organizations).
async fn held(s: &TestServer, email: &str, org: Option<&str>) -> Vec<String> {
    let u = s.user(email).await;
    let org_id = match org {
        Some(o) => Some(s.state.store.org(o).await.expect("store").expect("org").id),
        None => None,
    };
    let access = s.state.store.access(u.id, org_id).await.expect("access");
    access.permissions.get(API).map(|p| p.iter().cloned().collect()).unwrap_or_default()
}

#[tokio::test]
async fn admin_api_roles_apis_groups() {
    let s = TestServer::start().await;
    s.create_user("ann@example.com", PASSWORD).await;
    s.create_user("bob@example.com", PASSWORD).await;
    let ann = s.user("ann@example.com").await;
    let bob = s.user("bob@example.com").await;
    let read = token(&s, "signet:users:read").await;
    let admin = token(&s, "signet:admin").await;

    // APIs: a narrow scope cannot register one (and nothing is stored); an administrator can.
    let new_api = json!({ "identifier": API, "name": "Docs", "permissions": ["read:docs", "write:docs"] });
    let r = call(&s, "POST", "/api/v1/admin/apis", &read, Some(new_api.clone()), None).await;
    assert_eq!((r.status, r.body["error"].as_str()), (StatusCode::FORBIDDEN, Some("insufficient_scope")));
    assert!(s.state.store.api(API).await.expect("store").is_none(), "nothing was stored");
    let r = call(&s, "POST", "/api/v1/admin/apis", &admin, Some(new_api.clone()), None).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(r.body["permissions"], json!(["read:docs", "write:docs"]));
    assert_eq!(call(&s, "POST", "/api/v1/admin/apis", &admin, Some(new_api), None).await.status, StatusCode::CONFLICT);
    for bad in [json!({ "identifier": "not a url" }), json!({ "identifier": API, "permissions": ["a b"] })] {
        let r = call(&s, "POST", "/api/v1/admin/apis", &admin, Some(bad), None).await;
        assert_eq!((r.status, r.body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_request")));
    }
    let perm = json!({ "permission": "delete:docs", "description": "Delete documents" });
    let r = call(&s, "POST", &format!("{API_PATH}/permissions"), &admin, Some(perm.clone()), None).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let r = call(&s, "POST", &format!("{API_PATH}/permissions"), &admin, Some(perm), None).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let r = call(&s, "GET", API_PATH, &read, None, None).await;
    assert_eq!(r.body["permissions"], json!(["delete:docs", "read:docs", "write:docs"]), "{}", r.text);
    assert_eq!(call(&s, "GET", "/api/v1/admin/apis", &read, None, None).await.body[0]["identifier"], API);

    // Roles: only permissions the API has; the refusal is the CLI's, word for word.
    let fly = json!({ "name": "flyer", "api": API, "permissions": ["fly:docs"] });
    let r = call(&s, "POST", "/api/v1/admin/roles", &admin, Some(fly), None).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let api_msg = r.body["error_description"].as_str().expect("description").to_owned();
    let (code, _, err) =
        run_cli(s.dir.path(), &["role", "create", "flyer", "--api", API, "--permission", "fly:docs"], "");
    assert_ne!(code, 0);
    assert!(err.contains(&api_msg), "CLI: {err} / API: {api_msg}");
    assert!(s.state.store.role(0, "flyer").await.expect("store").is_none(), "nothing was stored");
    let reader = json!({ "name": "reader", "api": API, "permissions": ["read:docs"] });
    assert_eq!(
        call(&s, "POST", "/api/v1/admin/roles", &read, Some(reader.clone()), None).await.status,
        StatusCode::FORBIDDEN
    );
    let r = call(&s, "POST", "/api/v1/admin/roles", &admin, Some(reader), None).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(r.body["permissions"], json!([{ "api": API, "permission": "read:docs" }]));
    assert_eq!(r.body["organization"], Value::Null);
    assert_eq!(call(&s, "GET", "/api/v1/admin/roles", &read, None, None).await.body[0]["name"], "reader");

    // A global role, given outside organizations, is held; taking it twice is not found.
    let global = format!("/api/v1/admin/users/{}/roles/reader", ann.id);
    assert_eq!(call(&s, "PUT", &global, &read, None, None).await.status, StatusCode::FORBIDDEN);
    assert!(held(&s, "ann@example.com", None).await.is_empty());
    assert_eq!(call(&s, "PUT", &global, &admin, None, None).await.status, StatusCode::NO_CONTENT);
    assert_eq!(held(&s, "ann@example.com", None).await, ["read:docs"]);
    assert_eq!(call(&s, "DELETE", &global, &admin, None, None).await.status, StatusCode::NO_CONTENT);
    assert_eq!(call(&s, "DELETE", &global, &admin, None, None).await.status, StatusCode::NOT_FOUND);
    assert!(held(&s, "ann@example.com", None).await.is_empty());

    // An organization's own role: given only to its members, unknown in another organization.
    for slug in ["acme", "globex"] {
        let r =
            call(&s, "POST", "/api/v1/admin/organizations", &admin, Some(json!({"slug": slug, "name": slug})), None)
                .await;
        assert_eq!(r.status, StatusCode::CREATED);
    }
    let editor = json!({ "name": "editor", "api": API, "permissions": ["write:docs"] });
    let r = call(&s, "POST", "/api/v1/admin/organizations/acme/roles", &admin, Some(editor), None).await;
    assert_eq!(
        (r.status, r.body["organization"].as_str().map(|o| o.starts_with("org_"))),
        (StatusCode::CREATED, Some(true))
    );
    assert_eq!(
        call(&s, "GET", "/api/v1/admin/organizations/acme/roles", &read, None, None).await.body[0]["name"],
        "editor"
    );
    assert_eq!(call(&s, "GET", "/api/v1/admin/organizations/globex/roles", &read, None, None).await.body, json!([]));
    let grant = format!("/api/v1/admin/organizations/acme/members/{}/roles/editor", ann.subject);
    let r = call(&s, "PUT", &grant, &admin, None, None).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "not a member yet: {}", r.text);
    assert!(held(&s, "ann@example.com", Some("acme")).await.is_empty(), "nothing was given");
    let member = |org: &str, sub: &str| format!("/api/v1/admin/organizations/{org}/members/{sub}");
    for org in ["acme", "globex"] {
        let r = call(&s, "PUT", &member(org, &ann.subject), &admin, Some(json!({"org_role": "member"})), None).await;
        assert_eq!(r.status, StatusCode::NO_CONTENT);
    }
    assert_eq!(call(&s, "PUT", &grant, &admin, None, None).await.status, StatusCode::NO_CONTENT);
    assert_eq!(held(&s, "ann@example.com", Some("acme")).await, ["write:docs"]);
    let elsewhere = format!("/api/v1/admin/organizations/globex/members/{}/roles/editor", ann.subject);
    assert_eq!(call(&s, "PUT", &elsewhere, &admin, None, None).await.status, StatusCode::NOT_FOUND);
    assert!(held(&s, "ann@example.com", Some("globex")).await.is_empty(), "acme's role is not globex's");

    // Groups: members hold the group's roles; another organization's group is not found.
    let groups = "/api/v1/admin/organizations/acme/groups";
    let g = json!({ "name": "readers", "description": "Read everything" });
    assert_eq!(call(&s, "POST", groups, &read, Some(g.clone()), None).await.status, StatusCode::FORBIDDEN);
    assert_eq!(call(&s, "POST", groups, &admin, Some(g.clone()), None).await.status, StatusCode::CREATED);
    assert_eq!(call(&s, "POST", groups, &admin, Some(g), None).await.status, StatusCode::CONFLICT);
    let group = format!("{groups}/readers");
    assert_eq!(
        call(&s, "PUT", &format!("{group}/roles/reader"), &admin, None, None).await.status,
        StatusCode::NO_CONTENT
    );
    let bob_in = format!("{group}/members/{}", bob.subject);
    assert_eq!(call(&s, "PUT", &bob_in, &admin, None, None).await.status, StatusCode::CONFLICT, "bob is no member");
    let r = call(&s, "PUT", &member("acme", &bob.subject), &admin, Some(json!({"org_role": "member"})), None).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert!(held(&s, "bob@example.com", Some("acme")).await.is_empty());
    assert_eq!(call(&s, "PUT", &bob_in, &admin, None, None).await.status, StatusCode::NO_CONTENT);
    assert_eq!(held(&s, "bob@example.com", Some("acme")).await, ["read:docs"]);
    let r = call(&s, "GET", &group, &read, None, None).await;
    assert_eq!(
        (r.body["roles"].clone(), r.body["member_list"][0]["email"].clone()),
        (json!(["reader"]), json!("bob@example.com"))
    );
    let other = format!("/api/v1/admin/organizations/globex/groups/readers/members/{}", bob.subject);
    assert_eq!(call(&s, "PUT", &other, &admin, None, None).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        call(&s, "DELETE", &format!("{group}/roles/reader"), &admin, None, None).await.status,
        StatusCode::NO_CONTENT
    );
    assert!(held(&s, "bob@example.com", Some("acme")).await.is_empty(), "the group no longer gives it");
    assert_eq!(
        call(&s, "DELETE", &format!("{group}/roles/reader"), &admin, None, None).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(call(&s, "DELETE", &bob_in, &admin, None, None).await.status, StatusCode::NO_CONTENT);
    assert_eq!(call(&s, "DELETE", &bob_in, &admin, None, None).await.status, StatusCode::NOT_FOUND);
    assert_eq!(call(&s, "DELETE", &group, &read, None, None).await.status, StatusCode::FORBIDDEN);
    assert_eq!(call(&s, "DELETE", &group, &admin, None, None).await.status, StatusCode::NO_CONTENT);
    assert_eq!(call(&s, "GET", &group, &read, None, None).await.status, StatusCode::NOT_FOUND);

    // Deleting roles: an organization's path never reaches a global role of that name; the
    // organization's own goes, and with it what its holders held.
    assert_eq!(held(&s, "ann@example.com", Some("acme")).await, ["write:docs"]);
    let org_reader = "/api/v1/admin/organizations/acme/roles/reader";
    assert_eq!(call(&s, "DELETE", org_reader, &admin, None, None).await.status, StatusCode::NOT_FOUND);
    assert!(s.state.store.role(0, "reader").await.expect("store").is_some(), "the global role stays");
    let org_editor = "/api/v1/admin/organizations/acme/roles/editor";
    assert_eq!(call(&s, "DELETE", org_editor, &read, None, None).await.status, StatusCode::FORBIDDEN);
    assert_eq!(held(&s, "ann@example.com", Some("acme")).await, ["write:docs"], "nothing was deleted");
    assert_eq!(call(&s, "DELETE", org_editor, &admin, None, None).await.status, StatusCode::NO_CONTENT);
    assert!(held(&s, "ann@example.com", Some("acme")).await.is_empty(), "the role's holders lost it");
    assert_eq!(call(&s, "DELETE", org_editor, &admin, None, None).await.status, StatusCode::NOT_FOUND);
    // A global role by the CLI, the same rule.
    assert_eq!(call(&s, "PUT", &global, &admin, None, None).await.status, StatusCode::NO_CONTENT);
    let (code, _, err) = run_cli(s.dir.path(), &["role", "delete", "reader", "--org", "acme"], "");
    assert!(code != 0 && err.contains("no role"), "{err}");
    let (code, _, err) = run_cli(s.dir.path(), &["role", "delete", "reader"], "");
    assert_eq!(code, 0, "{err}");
    assert!(held(&s, "ann@example.com", None).await.is_empty());
    assert_eq!(call(&s, "GET", "/api/v1/admin/roles", &read, None, None).await.body, json!([]));

    let kinds = crate::harness::audit_kinds(&s).await;
    for k in [
        "api_create",
        "api_permission_add",
        "role_create",
        "role_grant",
        "role_revoke",
        "group_create",
        "group_member_set",
        "group_role_set",
        "group_delete",
        "role_delete",
    ] {
        assert!(kinds.contains(&k.to_owned()), "{k} audited");
    }
}
