//! Organizations, APIs, roles and client grants (issue 19): the CLI that manages them, what a
//! user holds (`OrgStore::access`), and client credentials limited to a client's grants.

use reqwest::StatusCode;

use crate::harness::{audit_kinds, jwt_parts, run_cli, TestServer, PASSWORD};

const API: &str = "https://docs.example.com";

/// Runs the CLI against the test server's data; panics with its output unless it succeeds.
fn cli(s: &TestServer, args: &[&str]) -> String {
    let (code, out, err) = run_cli(s.dir.path(), args, "");
    assert_eq!(code, 0, "signet {args:?}: {err}");
    out
}

/// The CLI's refusal (non-zero exit) and what it said.
fn cli_refused(s: &TestServer, args: &[&str]) -> String {
    let (code, _, err) = run_cli(s.dir.path(), args, "");
    assert_ne!(code, 0, "signet {args:?} should have been refused");
    err
}

/// An API with read/write/delete permissions on documents.
fn docs_api(s: &TestServer) {
    cli(
        s,
        &[
            "api",
            "create",
            "--identifier",
            API,
            "--name",
            "Docs",
            "--permission",
            "read:docs",
            "--permission",
            "write:docs",
            "--permission",
            "delete:docs",
        ],
    );
}

#[tokio::test]
async fn client_credentials_scope_limited_to_client_grants() {
    let s = TestServer::start().await;
    docs_api(&s);
    let c = s.client(&["client_credentials"], "", &[API], false).await;
    let other = s.client(&["client_credentials"], "", &[API], false).await;
    cli(&s, &["client", "grant", &c.id, API, "read:docs", "write:docs"]);
    // The grant names only permissions the API has, and only APIs among the client's audiences.
    assert!(cli_refused(&s, &["client", "grant", &c.id, API, "admin:everything"]).contains("no permission"));
    let elsewhere = s.client(&["client_credentials"], "", &["https://other.example.com"], false).await;
    assert!(cli_refused(&s, &["client", "grant", &elsewhere.id, API, "read:docs"]).contains("audiences"));

    // Within the grants: issued as asked.
    let body = s.client_credentials(&c, Some("read:docs")).await;
    assert_eq!(body["scope"], "read:docs");
    let (_, claims) = jwt_parts(body["access_token"].as_str().expect("at"));
    assert_eq!((claims["aud"].as_str(), claims["scope"].as_str()), (Some(API), Some("read:docs")));
    // No scope: every granted permission (RFC 6749 §3.3 default).
    assert_eq!(s.client_credentials(&c, None).await["scope"], "read:docs write:docs");
    // Beyond the grants: refused, naming what was not granted (never silently narrowed).
    let (status, _, body) = s
        .oauth_post("/oauth2/token", &c, &[("grant_type", "client_credentials"), ("scope", "read:docs delete:docs")])
        .await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_scope")), "{body}");
    assert!(body["error_description"].as_str().expect("description").contains("delete:docs"));
    // Another client of the same API holds nothing of it.
    let (status, _, body) =
        s.oauth_post("/oauth2/token", &other, &[("grant_type", "client_credentials"), ("scope", "read:docs")]).await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_scope")));
    assert_eq!(s.client_credentials(&other, None).await["scope"].as_str().unwrap_or(""), "");
    assert!(audit_kinds(&s).await.iter().any(|k| k == "client_grant"));
}

#[tokio::test]
async fn org_membership_and_roles_resolve_per_organization() {
    let s = TestServer::start().await;
    docs_api(&s);
    let ann = s.create_user("ann@example.com", PASSWORD).await;
    s.create_user("bob@example.com", PASSWORD).await;
    cli(&s, &["org", "create", "acme", "--name", "Acme Corp"]);
    cli(&s, &["org", "create", "globex", "--name", "Globex"]);
    assert!(cli_refused(&s, &["org", "create", "acme", "--name", "Again"]).contains("already exists"));
    assert!(cli_refused(&s, &["org", "create", "Not A Slug", "--name", "X"]).contains("slug"));
    cli(&s, &["org", "member", "add", "acme", "ann@example.com", "--role", "owner"]);
    cli(&s, &["org", "member", "add", "globex", "ann@example.com"]);
    cli(&s, &["role", "create", "reader", "--api", API, "--permission", "read:docs"]);
    cli(&s, &["role", "create", "editor", "--api", API, "--permission", "write:docs", "--org", "acme"]);
    assert!(
        cli_refused(&s, &["role", "create", "x", "--api", API, "--permission", "fly:docs"]).contains("no permission")
    );
    cli(&s, &["role", "grant", "reader", "--user", "ann@example.com"]);
    cli(&s, &["role", "grant", "editor", "--user", "ann@example.com", "--org", "acme"]);
    // An organization's role is not usable in another one, nor for a non-member.
    assert!(cli_refused(&s, &["role", "grant", "editor", "--user", "ann@example.com", "--org", "globex"])
        .contains("no role"));
    assert!(cli_refused(&s, &["role", "grant", "reader", "--user", "bob@example.com", "--org", "acme"])
        .contains("not a member"));

    let acme = s.state.store.org("acme").await.expect("store").expect("acme");
    let globex = s.state.store.org("globex").await.expect("store").expect("globex");
    assert!(acme.public_id.starts_with("org_") && s.state.store.org(&acme.public_id).await.expect("store").is_some());
    let in_acme = s.state.store.access(ann, Some(acme.id)).await.expect("access");
    assert_eq!(in_acme.org_role.as_deref(), Some("owner"));
    assert_eq!(in_acme.on(API).into_iter().collect::<Vec<_>>(), ["read:docs", "write:docs"]);
    let in_globex = s.state.store.access(ann, Some(globex.id)).await.expect("access");
    assert_eq!(in_globex.org_role.as_deref(), Some("member"));
    assert_eq!(in_globex.on(API).into_iter().collect::<Vec<_>>(), ["read:docs"], "acme's role stays in acme");
    let outside = s.state.store.access(ann, None).await.expect("access");
    assert_eq!((outside.org_role.clone(), outside.on(API).len()), (None, 1));

    // The last owner stays; after another owner joins, ann may go, and her acme roles go with her.
    assert!(cli_refused(&s, &["org", "member", "remove", "acme", "ann@example.com"]).contains("at least one owner"));
    assert!(cli_refused(&s, &["org", "member", "add", "acme", "ann@example.com", "--role", "admin"]).contains("owner"));
    cli(&s, &["org", "member", "add", "acme", "bob@example.com", "--role", "owner"]);
    cli(&s, &["org", "member", "remove", "acme", "ann@example.com"]);
    let after = s.state.store.access(ann, Some(acme.id)).await.expect("access");
    assert_eq!(
        (after.org_role.clone(), after.on(API).into_iter().collect::<Vec<_>>()),
        (None, vec!["read:docs".to_string()])
    );
    let listed: serde_json::Value =
        serde_json::from_str(&cli(&s, &["org", "member", "list", "acme", "--json"])).expect("json");
    assert_eq!(listed.as_array().expect("members").len(), 1);
    let kinds = audit_kinds(&s).await;
    for k in ["org_create", "org_member_set", "org_member_remove", "api_create", "role_create", "role_grant"] {
        assert!(kinds.iter().any(|x| x == k), "{k} audited");
    }
}
