//! Groups in an organization (`flows::groups`): members hold the group's roles there and only
//! there, a change to a group shows at introspection at once (the access generations), and
//! changing a group follows the role rules.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::harness::{TestServer, PASSWORD};
use crate::orgs::{cli, tokens_for, two_tenants};
use crate::orgs_api::{as_user, delete, get, put, sub, world};

/// The members of group `name` in `org`, by e-mail.
async fn group_emails(s: &TestServer, org: &str, name: &str) -> Vec<String> {
    let o = s.state.store.org(org).await.expect("store").expect("org");
    let g = s.state.store.group(o.id, name).await.expect("store").expect("group");
    s.state.store.group_members(g.id).await.expect("store").into_iter().map(|m| m.email).collect()
}

#[tokio::test]
async fn group_roles_held_by_members() {
    let s = TestServer::start().await;
    two_tenants(&s).await;
    s.create_user("bea@example.com", PASSWORD).await;
    for org in ["acme", "globex"] {
        cli(&s, &["org", "member", "add", org, "bea@example.com"]);
    }
    cli(&s, &["org", "group", "create", "acme", "writers"]);
    cli(&s, &["org", "group", "grant", "acme", "writers", "editor"]);
    let c = s.code_client("openid read:docs write:docs", false, true).await;
    // Control: before she is in the group she holds nothing in acme.
    let (_, claims) = tokens_for(&s, &c, "bea@example.com", &[("organization", "acme")]).await;
    assert_eq!(claims["scope"].as_str().map(|s| s.contains("write:docs")), Some(false), "{claims}");
    cli(&s, &["org", "group", "add", "acme", "writers", "bea@example.com"]);
    let (body, claims) = tokens_for(&s, &c, "bea@example.com", &[("organization", "acme")]).await;
    assert_eq!(claims["roles"], json!(["editor"]), "{claims}");
    let at = body["access_token"].as_str().expect("at").to_owned();
    let scope = s.introspect(&c, &at).await["scope"].as_str().expect("scope").to_owned();
    assert!(scope.contains("write:docs") && !scope.contains("read:docs"), "{scope}");
    // Acme's group counts in acme only.
    let (_, claims) = tokens_for(&s, &c, "bea@example.com", &[("organization", "globex")]).await;
    assert_eq!(claims.get("roles"), None, "{claims}");
    // Leaving the group shows at introspection at once (the cached roles are stale).
    cli(&s, &["org", "group", "remove", "acme", "writers", "bea@example.com"]);
    let after = s.introspect(&c, &at).await;
    assert_eq!(after["active"], true);
    assert!(!after["scope"].as_str().expect("scope").contains("write:docs"), "{after}");
    assert_eq!(after.get("roles"), None, "{after}");
    // So does taking the role from the group, and deleting the group.
    cli(&s, &["org", "group", "add", "acme", "writers", "bea@example.com"]);
    assert!(s.introspect(&c, &at).await["scope"].as_str().expect("scope").contains("write:docs"));
    cli(&s, &["org", "group", "revoke", "acme", "writers", "editor"]);
    assert!(!s.introspect(&c, &at).await["scope"].as_str().expect("scope").contains("write:docs"));
    cli(&s, &["org", "group", "grant", "acme", "writers", "editor"]);
    assert!(s.introspect(&c, &at).await["scope"].as_str().expect("scope").contains("write:docs"));
    cli(&s, &["org", "group", "delete", "acme", "writers"]);
    assert!(!s.introspect(&c, &at).await["scope"].as_str().expect("scope").contains("write:docs"));
    // Leaving the organization takes her out of its groups too.
    cli(&s, &["org", "group", "create", "acme", "writers"]);
    cli(&s, &["org", "group", "add", "acme", "writers", "bea@example.com"]);
    cli(&s, &["org", "member", "remove", "acme", "bea@example.com"]);
    assert!(group_emails(&s, "acme", "writers").await.is_empty());
}

/// A global role granted or revoked after a token was issued shows at its introspection at
/// once: the global generation, not only the organization's.
#[tokio::test]
async fn global_role_change_visible_at_introspection() {
    let s = TestServer::start().await;
    two_tenants(&s).await;
    let c = s.code_client("openid read:docs write:docs", false, true).await;
    let (body, _) = tokens_for(&s, &c, "ann@example.com", &[("organization", "acme")]).await;
    let at = body["access_token"].as_str().expect("at").to_owned();
    assert_eq!(s.introspect(&c, &at).await["roles"], json!(["editor", "reader"]));
    cli(&s, &["role", "revoke", "reader", "--user", "ann@example.com"]);
    let after = s.introspect(&c, &at).await;
    assert_eq!(after["roles"], json!(["editor"]), "{after}");
    assert!(!after["scope"].as_str().expect("scope").contains("read:docs"), "{after}");
    cli(&s, &["role", "grant", "reader", "--user", "ann@example.com"]);
    assert_eq!(s.introspect(&c, &at).await["roles"], json!(["editor", "reader"]));
}

#[tokio::test]
async fn group_changes_follow_role_rules() {
    let s = TestServer::start().await;
    world(&s).await;
    let (mut olga, ocsrf) = as_user(&s, "olga").await;
    let (mut adam, acsrf) = as_user(&s, "adam").await;
    let (mut mia, mcsrf) = as_user(&s, "mia").await;
    let (me, mia_sub) = (sub(&s, "adam").await, sub(&s, "mia").await);
    // A member manages nothing.
    let (status, body) =
        mia.call(Method::POST, "/api/v1/orgs/acme/groups", &mcsrf, Some(&json!({ "name": "x" }))).await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::FORBIDDEN, Some("forbidden")), "{body}");
    // Control: the owner creates a group and gives it `editor` (read/write).
    let (status, body) = olga
        .call(Method::POST, "/api/v1/orgs/acme/groups", &ocsrf, Some(&json!({ "name": "team", "description": "T" })))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(
        put(&mut olga, &ocsrf, "/api/v1/orgs/acme/groups/team/roles/editor", None).await.0,
        StatusCode::NO_CONTENT
    );
    // No one puts themselves in a group (their own roles).
    let (status, body) = put(&mut adam, &acsrf, &format!("/api/v1/orgs/acme/groups/team/members/{me}"), None).await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::FORBIDDEN, Some("forbidden")), "{body}");
    assert!(body["error_description"].as_str().expect("description").contains("own roles"), "{body}");
    assert!(group_emails(&s, "acme", "team").await.is_empty());
    // Control: adam holds read/write, so he may put mia in it.
    let p = format!("/api/v1/orgs/acme/groups/team/members/{mia_sub}");
    assert_eq!(put(&mut adam, &acsrf, &p, None).await.0, StatusCode::NO_CONTENT);
    assert_eq!(group_emails(&s, "acme", "team").await, ["mia@example.com"]);
    // The owner makes the group confer delete:docs, which adam lacks: he can no longer change
    // who is in it, nor give or take its roles.
    let (status, body) = olga
        .call(
            Method::POST,
            "/api/v1/orgs/acme/roles",
            &ocsrf,
            Some(&json!({ "name": "deleter", "api": crate::orgs_api::API, "permissions": ["delete:docs"] })),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(
        put(&mut olga, &ocsrf, "/api/v1/orgs/acme/groups/team/roles/deleter", None).await.0,
        StatusCode::NO_CONTENT
    );
    let (status, body) = b_delete(&mut adam, &acsrf, &p).await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::FORBIDDEN, Some("forbidden")), "{body}");
    assert!(body["error_description"].as_str().expect("description").contains("do not hold"), "{body}");
    assert_eq!(group_emails(&s, "acme", "team").await, ["mia@example.com"]);
    assert_eq!(delete(&mut adam, &acsrf, "/api/v1/orgs/acme/groups/team").await, StatusCode::FORBIDDEN);
    // A group member cannot change what the group gives (their own roles).
    cli(&s, &["org", "group", "create", "acme", "owners-club"]);
    cli(&s, &["org", "group", "add", "acme", "owners-club", "olga@example.com"]);
    let (status, body) = put(&mut olga, &ocsrf, "/api/v1/orgs/acme/groups/owners-club/roles/editor", None).await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::FORBIDDEN, Some("forbidden")), "{body}");
    // Controls: the owner removes mia and deletes the group; the listing shows what is left.
    assert_eq!(delete(&mut olga, &ocsrf, &p).await, StatusCode::NO_CONTENT);
    assert_eq!(delete(&mut olga, &ocsrf, "/api/v1/orgs/acme/groups/team").await, StatusCode::NO_CONTENT);
    let (status, body) = get(&mut mia, "/api/v1/orgs/acme/groups").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["groups"], json!([{ "name": "owners-club", "description": "", "roles": [], "members": 1 }]));
    // Every change is audited with the organization and the group.
    let audit = s.state.store.list_audit(None, 100).await.expect("audit");
    let details: Vec<String> =
        audit.iter().filter(|e| e.kind.starts_with("group_")).map(|e| format!("{} {}", e.kind, e.detail)).collect();
    assert!(details
        .iter()
        .any(|d| d.starts_with("group_member_set org:") && d.contains("group:team") && d.ends_with("add")));
    assert!(details.iter().any(|d| d.starts_with("group_delete org:") && d.contains("group:team")), "{details:?}");
}

async fn b_delete(b: &mut crate::harness::Browser, csrf: &str, path: &str) -> (StatusCode, serde_json::Value) {
    b.call(Method::DELETE, path, csrf, None).await
}

#[tokio::test]
async fn group_of_other_org_not_found() {
    let s = TestServer::start().await;
    world(&s).await;
    cli(&s, &["org", "group", "create", "globex", "gx-team"]);
    cli(&s, &["org", "group", "add", "globex", "gx-team", "gus@example.com"]);
    cli(&s, &["org", "group", "create", "acme", "team"]);
    let (mut olga, csrf) = as_user(&s, "olga").await;
    let (mia, gus) = (sub(&s, "mia").await, sub(&s, "gus").await);
    // Globex's group through Acme's routes, Globex's member in Acme's group, Globex's role on
    // Acme's group, and Globex's routes: not found, whatever the method.
    for p in [
        format!("/api/v1/orgs/acme/groups/gx-team/members/{mia}"),
        format!("/api/v1/orgs/acme/groups/team/members/{gus}"),
        "/api/v1/orgs/acme/groups/team/roles/gx-role".to_owned(),
        "/api/v1/orgs/acme/groups/gx-team/roles/editor".to_owned(),
        format!("/api/v1/orgs/globex/groups/gx-team/members/{gus}"),
    ] {
        assert_eq!(put(&mut olga, &csrf, &p, None).await.0, StatusCode::NOT_FOUND, "PUT {p}");
        assert_eq!(delete(&mut olga, &csrf, &p).await, StatusCode::NOT_FOUND, "DELETE {p}");
    }
    for p in ["/api/v1/orgs/acme/groups/gx-team", "/api/v1/orgs/globex/groups/gx-team"] {
        assert_eq!(delete(&mut olga, &csrf, p).await, StatusCode::NOT_FOUND, "DELETE {p}");
    }
    for p in ["/api/v1/orgs/globex/groups", "/api/v1/orgs/acme/groups/gx-team/members"] {
        let (status, body) = get(&mut olga, p).await;
        assert_eq!((status, body["error"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")), "GET {p}");
        assert!(!body.to_string().contains("gus@"), "{body}");
    }
    assert_eq!(group_emails(&s, "globex", "gx-team").await, ["gus@example.com"]);
    // Control: Acme's own group and member.
    let p = format!("/api/v1/orgs/acme/groups/team/members/{mia}");
    assert_eq!(put(&mut olga, &csrf, &p, None).await.0, StatusCode::NO_CONTENT);
    let (status, body) = get(&mut olga, "/api/v1/orgs/acme/groups/team/members").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["members"][0]["email"], "mia@example.com");
}

/// SQLite gives a new row the id of the highest deleted one, and a new organization's access
/// generation starts again at 0: a roles cache keyed by row id and generation alone would hand
/// the deleted organization's roles to its successor once the counts meet. The cache also keys
/// on the organization's public id (random), so the successor starts clean.
#[tokio::test]
async fn org_row_id_reuse_does_not_reuse_cached_roles() {
    let s = TestServer::start().await;
    crate::orgs::docs_api(&s);
    for u in ["ann", "bob"] {
        s.create_user(&format!("{u}@example.com"), PASSWORD).await;
    }
    cli(&s, &["role", "create", "writer", "--api", crate::orgs_api::API, "--permission", "write:docs"]);
    cli(&s, &["org", "create", "alpha", "--name", "Alpha"]);
    let alpha = s.state.store.org("alpha").await.expect("store").expect("alpha");
    cli(&s, &["org", "member", "add", "alpha", "ann@example.com"]); // generation 1
    cli(&s, &["role", "grant", "writer", "--user", "ann@example.com", "--org", "alpha"]); // 2
    let c = s.code_client("openid read:docs write:docs", false, true).await;
    let (_, claims) = tokens_for(&s, &c, "ann@example.com", &[("organization", "alpha")]).await;
    assert_eq!(claims["roles"], json!(["writer"]), "control: cached in alpha");
    cli(&s, &["org", "delete", "alpha"]);
    cli(&s, &["org", "create", "beta", "--name", "Beta"]);
    let beta = s.state.store.org("beta").await.expect("store").expect("beta");
    cli(&s, &["org", "member", "add", "beta", "ann@example.com"]); // generation 1
    cli(&s, &["org", "member", "add", "beta", "bob@example.com"]); // 2
    if s.state.config.database_url.is_none() {
        assert_eq!(beta.id, alpha.id, "SQLite reused the row id (the case this test is about)");
    }
    let (body, claims) = tokens_for(&s, &c, "ann@example.com", &[("organization", "beta")]).await;
    assert_eq!(claims.get("roles"), None, "{claims}");
    assert!(!body["scope"].as_str().expect("scope").contains("write:docs"), "{body}");
}
