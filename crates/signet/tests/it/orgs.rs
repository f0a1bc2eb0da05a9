//! Organizations, APIs, roles and client grants (issue 19): the CLI that manages them, what a
//! user holds (`OrgStore::access`), and client credentials limited to a client's grants.

use reqwest::StatusCode;

use crate::harness::{audit_kinds, jwt_parts, run_cli, TestServer, PASSWORD};

/// The audience the harness's code clients get by default, registered here as an API.
const API: &str = "https://api.example.com";

/// Runs the CLI against the test server's data; panics with its output unless it succeeds.
pub(crate) fn cli(s: &TestServer, args: &[&str]) -> String {
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
pub(crate) fn docs_api(s: &TestServer) {
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
    assert_eq!(in_acme.on(API).into_iter().flatten().collect::<Vec<_>>(), ["read:docs", "write:docs"]);
    let in_globex = s.state.store.access(ann, Some(globex.id)).await.expect("access");
    assert_eq!(in_globex.org_role.as_deref(), Some("member"));
    assert_eq!(in_globex.on(API).into_iter().flatten().collect::<Vec<_>>(), ["read:docs"], "acme's role stays in acme");
    let outside = s.state.store.access(ann, None).await.expect("access");
    assert_eq!((outside.org_role.clone(), outside.on(API).map_or(0, |p| p.len())), (None, 1));

    // The last owner stays; after another owner joins, ann may go, and her acme roles go with her.
    assert!(cli_refused(&s, &["org", "member", "remove", "acme", "ann@example.com"]).contains("at least one owner"));
    assert!(cli_refused(&s, &["org", "member", "add", "acme", "ann@example.com", "--role", "admin"]).contains("owner"));
    cli(&s, &["org", "member", "add", "acme", "bob@example.com", "--role", "owner"]);
    cli(&s, &["org", "member", "remove", "acme", "ann@example.com"]);
    let after = s.state.store.access(ann, Some(acme.id)).await.expect("access");
    assert_eq!(
        (after.org_role.clone(), after.on(API).into_iter().flatten().cloned().collect::<Vec<_>>()),
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

/// Acme (ann: member, with acme's `editor` role) and Globex (ann: member, no roles there); the
/// global `reader` role for ann everywhere. Returns acme's public id.
pub(crate) async fn two_tenants(s: &TestServer) -> String {
    docs_api(s);
    s.create_user("ann@example.com", PASSWORD).await;
    s.create_user("owner@example.com", PASSWORD).await;
    s.create_user("bob@example.com", PASSWORD).await;
    for org in ["acme", "globex"] {
        cli(s, &["org", "create", org, "--name", org]);
        cli(s, &["org", "member", "add", org, "owner@example.com", "--role", "owner"]);
        cli(s, &["org", "member", "add", org, "ann@example.com"]);
    }
    cli(s, &["role", "create", "reader", "--api", API, "--permission", "read:docs"]);
    cli(s, &["role", "create", "editor", "--api", API, "--permission", "write:docs", "--org", "acme"]);
    cli(s, &["role", "grant", "reader", "--user", "ann@example.com"]);
    cli(s, &["role", "grant", "editor", "--user", "ann@example.com", "--org", "acme"]);
    s.state.store.org("acme").await.expect("store").expect("acme").public_id
}

/// A code flow for `email` with `extra` authorization parameters: the redirect's parameters.
async fn authorize_as(
    s: &TestServer,
    c: &crate::harness::TestClient,
    email: &str,
    extra: &[(&str, &str)],
) -> (std::collections::HashMap<String, String>, crate::harness::Pkce) {
    let p = crate::harness::pkce();
    let mut b = s.signed_in(email).await;
    let mut params = vec![("scope", "openid read:docs write:docs")];
    params.extend_from_slice(extra);
    let r = b.authorize(&crate::harness::authz_query(&c.id, &p.challenge, &params)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    (crate::harness::location_params(r.location()), p)
}

/// Code → tokens; returns the token response and the access token's claims.
pub(crate) async fn tokens_for(
    s: &TestServer,
    c: &crate::harness::TestClient,
    email: &str,
    extra: &[(&str, &str)],
) -> (serde_json::Value, serde_json::Value) {
    let (params, p) = authorize_as(s, c, email, extra).await;
    let (status, body) = s.exchange(c, &params["code"], &p.verifier).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let claims = jwt_parts(body["access_token"].as_str().expect("at")).1;
    (body, claims)
}

#[tokio::test]
async fn organization_param_selects_org_in_token() {
    let s = TestServer::start().await;
    let acme = two_tenants(&s).await;
    let c = s.code_client("openid read:docs write:docs", false, true).await;
    let (body, claims) = tokens_for(&s, &c, "ann@example.com", &[("organization", "acme")]).await;
    assert_eq!((claims["org_id"].as_str(), claims["org_slug"].as_str()), (Some(acme.as_str()), Some("acme")));
    assert_eq!(claims["roles"], serde_json::json!(["editor", "reader"]));
    let scope = format!("openid organization:{acme} read:docs write:docs");
    assert_eq!((body["scope"].as_str(), claims["scope"].as_str()), (Some(scope.as_str()), Some(scope.as_str())));
    // The scope form selects it as well, by id.
    let form = format!("openid read:docs organization:{acme}");
    let (_, claims) = tokens_for(&s, &c, "ann@example.com", &[("scope", &form)]).await;
    assert_eq!(claims["org_slug"], "acme");
    // Without an organization: no organization claims, global roles only.
    let (_, claims) = tokens_for(&s, &c, "ann@example.com", &[]).await;
    assert!(claims.get("org_id").is_none());
    assert_eq!(claims["roles"], serde_json::json!(["reader"]));
}

#[tokio::test]
async fn scope_is_intersection_of_requested_and_assigned() {
    let s = TestServer::start().await;
    two_tenants(&s).await;
    let c = s.code_client("openid read:docs write:docs", false, true).await;
    // In globex ann holds only the global reader role: write:docs is not granted, and the
    // response says so (RFC 6749 §5.1) instead of failing the sign-in.
    let (body, claims) = tokens_for(&s, &c, "ann@example.com", &[("organization", "globex")]).await;
    let scope = body["scope"].as_str().expect("scope");
    assert!(scope.contains("read:docs") && !scope.contains("write:docs"), "{scope}");
    assert_eq!(claims["scope"].as_str(), Some(scope));
    // Control: in acme she holds both.
    let (body, _) = tokens_for(&s, &c, "ann@example.com", &[("organization", "acme")]).await;
    assert!(body["scope"].as_str().expect("scope").contains("write:docs"));
    // Bob holds no role at all: neither permission, the protocol scopes still.
    let (body, _) = tokens_for(&s, &c, "bob@example.com", &[]).await;
    assert_eq!(body["scope"], "openid");
}

#[tokio::test]
async fn non_member_organization_refused() {
    let s = TestServer::start().await;
    two_tenants(&s).await;
    let c = s.code_client("openid read:docs write:docs", false, true).await;
    for org in ["acme", "no-such-org"] {
        let (params, _) = authorize_as(&s, &c, "bob@example.com", &[("organization", org)]).await;
        assert_eq!(params.get("error").map(String::as_str), Some("access_denied"), "{org}: {params:?}");
        assert!(!params.contains_key("code"));
    }
    // Control: a member gets a code.
    let (params, _) = authorize_as(&s, &c, "ann@example.com", &[("organization", "acme")]).await;
    assert!(params.contains_key("code"));
}

#[tokio::test]
async fn tenant_id_in_body_ignored_for_token_tenant() {
    let s = TestServer::start().await;
    let acme = two_tenants(&s).await;
    let globex = s.state.store.org("globex").await.expect("store").expect("globex").public_id;
    let c = s.code_client("openid offline_access read:docs write:docs", false, true).await;
    let (params, p) = authorize_as(&s, &c, "ann@example.com", &[("organization", "acme")]).await;
    let form = [
        ("grant_type", "authorization_code"),
        ("code", params["code"].as_str()),
        ("redirect_uri", crate::harness::REDIRECT),
        ("code_verifier", p.verifier.as_str()),
        ("organization", "globex"),
        ("org_id", globex.as_str()),
    ];
    let (status, _, body) = s.oauth_post("/oauth2/token", &c, &form).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let claims = jwt_parts(body["access_token"].as_str().expect("at")).1;
    assert_eq!(claims["org_id"].as_str(), Some(acme.as_str()), "the organization comes from the grant");
    // A refresh cannot move the grant to another organization either (scope only narrows).
    let refresh = body["refresh_token"].as_str().expect("refresh");
    let other = format!("openid organization:{globex}");
    let (status, body) = s.refresh(&c, refresh, Some(&other)).await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_scope")), "{body}");
}

#[tokio::test]
async fn role_removal_visible_at_introspection() {
    let s = TestServer::start().await;
    two_tenants(&s).await;
    let c = s.code_client("openid read:docs write:docs", false, true).await;
    let (body, _) = tokens_for(&s, &c, "ann@example.com", &[("organization", "acme")]).await;
    let at = body["access_token"].as_str().expect("at");
    let before = s.introspect(&c, at).await;
    assert_eq!(before["active"], true);
    assert!(before["scope"].as_str().expect("scope").contains("write:docs"));
    assert_eq!(before["roles"], serde_json::json!(["editor", "reader"]));
    cli(&s, &["role", "revoke", "editor", "--user", "ann@example.com", "--org", "acme"]);
    // The same token, at once: still active (she is still a member), without the role's permission.
    let after = s.introspect(&c, at).await;
    assert_eq!(after["active"], true);
    let scope = after["scope"].as_str().expect("scope");
    assert!(scope.contains("read:docs") && !scope.contains("write:docs"), "{scope}");
    assert_eq!(after["roles"], serde_json::json!(["reader"]));
    assert_eq!(after["org_slug"], "acme");
}

#[tokio::test]
async fn membership_removal_visible_at_introspection_and_refresh() {
    let s = TestServer::start().await;
    two_tenants(&s).await;
    let c = s.code_client("openid offline_access read:docs write:docs", false, true).await;
    let (body, _) = tokens_for(&s, &c, "ann@example.com", &[("organization", "acme")]).await;
    let at = body["access_token"].as_str().expect("at").to_owned();
    let refresh = body["refresh_token"].as_str().expect("refresh").to_owned();
    // Control: a refresh while she is a member works, and keeps the organization.
    let (status, body) = s.refresh(&c, &refresh, None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(jwt_parts(body["access_token"].as_str().expect("at")).1["org_slug"], "acme");
    let refresh = body["refresh_token"].as_str().expect("refresh").to_owned();
    cli(&s, &["org", "member", "remove", "acme", "ann@example.com"]);
    assert_eq!(s.introspect(&c, &at).await, serde_json::json!({ "active": false }));
    let (status, body) = s.refresh(&c, &refresh, None).await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_grant")), "{body}");
    // Her tokens outside any organization are untouched.
    let (body, _) = tokens_for(&s, &c, "ann@example.com", &[]).await;
    assert_eq!(s.introspect(&c, body["access_token"].as_str().expect("at")).await["active"], true);
}

/// A confidential code-flow client that works only inside an organization.
async fn org_client(s: &TestServer) -> crate::harness::TestClient {
    let c = s.code_client("openid read:docs write:docs", false, true).await;
    let url = match &s.state.config.database_url {
        Some(u) if u.starts_with("postgres") => u.clone(),
        _ => format!("sqlite://{}", s.dir.path().join("signet.db").display()),
    };
    // The harness makes clients without the flag; set it as `client create --require-organization` would.
    let sql = format!("UPDATE clients SET require_organization = TRUE WHERE client_id = '{}'", c.id);
    if url.starts_with("postgres") {
        let pool = sqlx::PgPool::connect(&url).await.expect("db");
        sqlx::query(&sql).execute(&pool).await.expect("update");
    } else {
        let pool = sqlx::SqlitePool::connect(&url).await.expect("db");
        sqlx::query(&sql.replace("TRUE", "1")).execute(&pool).await.expect("update");
    }
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await; // the client cache's TTL
    c
}

#[tokio::test]
async fn organization_picker_when_required() {
    let s = TestServer::start().await;
    let acme = two_tenants(&s).await;
    cli(&s, &["org", "create", "initech", "--name", "Initech"]);
    let initech = s.state.store.org("initech").await.expect("store").expect("initech").public_id;
    s.create_user("solo@example.com", PASSWORD).await;
    cli(&s, &["org", "member", "add", "globex", "solo@example.com"]);
    let c = org_client(&s).await;
    // Ann is in two organizations: she picks one.
    let p = crate::harness::pkce();
    let mut b = s.signed_in("ann@example.com").await;
    let query = crate::harness::authz_query(&c.id, &p.challenge, &[("scope", "openid read:docs write:docs")]);
    let page = b.authorize(&query).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body.contains("Choose an organization") && page.body.contains(">acme<") && page.body.contains(">globex<")
    );
    let req = crate::harness::hidden_field(&page.body, "req").expect("req");
    // One she is not in: not found, nothing issued.
    let r = b
        .post_form(
            "/oauth2/authorize/organization",
            &[("csrf", &page.csrf()), ("req", &req), ("organization", &initech)],
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = b
        .post_form("/oauth2/authorize/organization", &[("csrf", &page.csrf()), ("req", &req), ("organization", &acme)])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let params = crate::harness::location_params(r.location());
    let (status, body) = s.exchange(&c, &params["code"], &p.verifier).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(jwt_parts(body["access_token"].as_str().expect("at")).1["org_slug"], "acme");
    // prompt=none cannot show the picker.
    let (params, _) = authorize_as(&s, &c, "ann@example.com", &[("prompt", "none")]).await;
    assert_eq!(params.get("error").map(String::as_str), Some("interaction_required"));
    // One organization: taken without asking.
    let (params, p) = authorize_as(&s, &c, "solo@example.com", &[]).await;
    let (_, body) = s.exchange(&c, &params["code"], &p.verifier).await;
    assert_eq!(jwt_parts(body["access_token"].as_str().expect("at")).1["org_slug"], "globex");
    // None: refused.
    let (params, _) = authorize_as(&s, &c, "bob@example.com", &[]).await;
    assert_eq!(params.get("error").map(String::as_str), Some("access_denied"));
}
