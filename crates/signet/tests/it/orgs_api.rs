//! The organization JSON API (`/api/v1/orgs`): tenant isolation on every path and the rules of
//! who may change whom (`flows::orgs`, `signet_core::rbac`), driven by real signed-in browsers.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::harness::{Browser, TestServer, PASSWORD};

pub(crate) const API: &str = "https://api.example.com";

fn cli(s: &TestServer, args: &[&str]) {
    crate::orgs::cli(s, args);
}

/// Acme: olga (owner, global `superdoc`: read/write/delete), adam (admin, acme's `editor`:
/// read/write), mia (member). Globex: gina (owner), gus (member), and its own role `gx-role`.
pub(crate) async fn world(s: &TestServer) {
    cli(
        s,
        &[
            "api",
            "create",
            "--identifier",
            API,
            "--permission",
            "read:docs",
            "--permission",
            "write:docs",
            "--permission",
            "delete:docs",
        ],
    );
    for (email, org, role) in [
        ("olga", "acme", "owner"),
        ("adam", "acme", "admin"),
        ("mia", "acme", "member"),
        ("gina", "globex", "owner"),
        ("gus", "globex", "member"),
    ] {
        let email = format!("{email}@example.com");
        s.create_user(&email, PASSWORD).await;
        if s.state.store.org(org).await.expect("store").is_none() {
            cli(s, &["org", "create", org, "--name", org]);
        }
        cli(s, &["org", "member", "add", org, &email, "--role", role]);
    }
    cli(
        s,
        &[
            "role",
            "create",
            "superdoc",
            "--api",
            API,
            "--permission",
            "read:docs",
            "--permission",
            "write:docs",
            "--permission",
            "delete:docs",
        ],
    );
    cli(s, &["role", "grant", "superdoc", "--user", "olga@example.com"]);
    cli(
        s,
        &[
            "role",
            "create",
            "editor",
            "--api",
            API,
            "--permission",
            "read:docs",
            "--permission",
            "write:docs",
            "--org",
            "acme",
        ],
    );
    cli(s, &["role", "grant", "editor", "--user", "adam@example.com", "--org", "acme"]);
    cli(s, &["role", "create", "gx-role", "--api", API, "--permission", "read:docs", "--org", "globex"]);
}

pub(crate) async fn sub(s: &TestServer, name: &str) -> String {
    s.user(&format!("{name}@example.com")).await.subject
}

/// A signed-in browser and its CSRF token.
pub(crate) async fn as_user(s: &TestServer, name: &str) -> (Browser, String) {
    let mut b = s.signed_in(&format!("{name}@example.com")).await;
    let csrf = b.account_csrf().await;
    (b, csrf)
}

pub(crate) async fn put(b: &mut Browser, csrf: &str, path: &str, body: Option<Value>) -> (StatusCode, Value) {
    b.call(Method::PUT, path, csrf, body.as_ref()).await
}

pub(crate) async fn delete(b: &mut Browser, csrf: &str, path: &str) -> StatusCode {
    b.call(Method::DELETE, path, csrf, None).await.0
}

pub(crate) async fn get(b: &mut Browser, path: &str) -> (StatusCode, Value) {
    let r = b.get(path).await;
    (r.status, serde_json::from_str(&r.body).unwrap_or(Value::Null))
}

#[tokio::test]
async fn idor_object_id_swap_denied_everywhere() {
    let s = TestServer::start().await;
    world(&s).await;
    let (mut adam, csrf) = as_user(&s, "adam").await;
    let (gus, mia) = (sub(&s, "gus").await, sub(&s, "mia").await);
    let before = s.state.store.access(s.user("gus@example.com").await.id, None).await.expect("access");
    // Acme's routes with Globex's objects: not found, whatever the method.
    let paths = [format!("/api/v1/orgs/acme/members/{gus}"), format!("/api/v1/orgs/acme/members/{gus}/roles/editor")];
    for p in &paths {
        assert_eq!(
            put(&mut adam, &csrf, p, Some(json!({ "org_role": "member" }))).await.0,
            StatusCode::NOT_FOUND,
            "PUT {p}"
        );
        assert_eq!(delete(&mut adam, &csrf, p).await, StatusCode::NOT_FOUND, "DELETE {p}");
    }
    // Globex's role on an Acme member: not found in Acme.
    let p = format!("/api/v1/orgs/acme/members/{mia}/roles/gx-role");
    assert_eq!(put(&mut adam, &csrf, &p, None).await.0, StatusCode::NOT_FOUND);
    // Globex's paths by slug and by id: not found, no data in the answer.
    let globex = s.state.store.org("globex").await.expect("store").expect("globex").public_id;
    for org in ["globex", globex.as_str()] {
        let (status, body) = get(&mut adam, &format!("/api/v1/orgs/{org}/members")).await;
        assert_eq!((status, body["error"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")));
        assert!(!body.to_string().contains("gus@"), "{body}");
        assert_eq!(get(&mut adam, &format!("/api/v1/orgs/{org}/roles")).await.0, StatusCode::NOT_FOUND);
        let (status, _) = adam
            .call(
                Method::POST,
                &format!("/api/v1/orgs/{org}/roles"),
                &csrf,
                Some(&json!({ "name": "x", "api": API, "permissions": [] })),
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
    assert_eq!(s.state.store.access(s.user("gus@example.com").await.id, None).await.expect("access"), before);
    // Control: the same calls on Acme's own objects act.
    assert_eq!(
        put(&mut adam, &csrf, &format!("/api/v1/orgs/acme/members/{mia}/roles/editor"), None).await.0,
        StatusCode::NO_CONTENT
    );
}

#[tokio::test]
async fn cross_tenant_member_listing_isolated() {
    let s = TestServer::start().await;
    world(&s).await;
    let (mut mia, _) = as_user(&s, "mia").await;
    let (status, body) = get(&mut mia, "/api/v1/orgs/acme/members").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let emails: Vec<&str> =
        body["members"].as_array().expect("members").iter().filter_map(|m| m["email"].as_str()).collect();
    assert_eq!(emails.len(), 3);
    assert!(emails.iter().all(|e| !e.starts_with("g")), "{emails:?}");
    // Pages of one: the cursor walks the same three members, none twice.
    let mut seen = Vec::new();
    let mut cursor = String::new();
    loop {
        let (_, page) = get(&mut mia, &format!("/api/v1/orgs/acme/members?limit=1&cursor={cursor}")).await;
        seen.extend(
            page["members"].as_array().expect("members").iter().map(|m| m["sub"].as_str().unwrap_or("").to_owned()),
        );
        match page["next_cursor"].as_str() {
            Some(c) => cursor = c.to_owned(),
            None => break,
        }
    }
    assert_eq!(seen.len(), 3);
    let (status, body) = get(&mut mia, "/api/v1/orgs/globex/members").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    let (_, mine) = get(&mut mia, "/api/v1/orgs").await;
    assert_eq!(mine["organizations"].as_array().expect("orgs").len(), 1);
}

#[tokio::test]
async fn no_self_grant_of_role() {
    let s = TestServer::start().await;
    world(&s).await;
    let (mut adam, csrf) = as_user(&s, "adam").await;
    let me = sub(&s, "adam").await;
    let (status, body) = put(&mut adam, &csrf, &format!("/api/v1/orgs/acme/members/{me}/roles/editor"), None).await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::FORBIDDEN, Some("forbidden")));
    assert!(body["error_description"].as_str().expect("description").contains("own roles"));
    let (status, _) =
        put(&mut adam, &csrf, &format!("/api/v1/orgs/acme/members/{me}"), Some(json!({ "org_role": "owner" }))).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(
        s.state
            .store
            .member_role(
                s.state.store.org("acme").await.expect("s").expect("o").id,
                s.user("adam@example.com").await.id
            )
            .await
            .expect("s")
            .as_deref(),
        Some("admin")
    );
    // Control: the owner can give adam the role.
    let (mut olga, ocsrf) = as_user(&s, "olga").await;
    cli(&s, &["role", "revoke", "editor", "--user", "adam@example.com", "--org", "acme"]);
    assert_eq!(
        put(&mut olga, &ocsrf, &format!("/api/v1/orgs/acme/members/{me}/roles/editor"), None).await.0,
        StatusCode::NO_CONTENT
    );
}

#[tokio::test]
async fn cannot_grant_permission_one_lacks() {
    let s = TestServer::start().await;
    world(&s).await;
    let (mut olga, ocsrf) = as_user(&s, "olga").await;
    let role = json!({ "name": "deleter", "api": API, "permissions": ["delete:docs"] });
    assert_eq!(olga.call(Method::POST, "/api/v1/orgs/acme/roles", &ocsrf, Some(&role)).await.0, StatusCode::CREATED);
    let (mut adam, csrf) = as_user(&s, "adam").await;
    let mia = sub(&s, "mia").await;
    let (status, body) = put(&mut adam, &csrf, &format!("/api/v1/orgs/acme/members/{mia}/roles/deleter"), None).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(body["error_description"].as_str().expect("d").contains("do not hold"));
    let mia_id = s.user("mia@example.com").await.id;
    let acme = s.state.store.org("acme").await.expect("s").expect("o").id;
    assert!(s.state.store.access(mia_id, Some(acme)).await.expect("access").roles.is_empty());
    // Control: what adam holds, he may give.
    assert_eq!(
        put(&mut adam, &csrf, &format!("/api/v1/orgs/acme/members/{mia}/roles/editor"), None).await.0,
        StatusCode::NO_CONTENT
    );
    // A plain member gives nothing.
    let (mut mia_b, mcsrf) = as_user(&s, "mia").await;
    let adam_sub = sub(&s, "adam").await;
    assert_eq!(
        delete(&mut mia_b, &mcsrf, &format!("/api/v1/orgs/acme/members/{adam_sub}/roles/editor")).await,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn last_owner_cannot_be_removed() {
    let s = TestServer::start().await;
    world(&s).await;
    let (mut olga, ocsrf) = as_user(&s, "olga").await;
    let (mut adam, acsrf) = as_user(&s, "adam").await;
    let (olga_sub, adam_sub) = (sub(&s, "olga").await, sub(&s, "adam").await);
    assert_eq!(
        delete(&mut olga, &ocsrf, &format!("/api/v1/orgs/acme/members/{olga_sub}")).await,
        StatusCode::FORBIDDEN,
        "the last owner cannot leave"
    );
    assert_eq!(
        delete(&mut adam, &acsrf, &format!("/api/v1/orgs/acme/members/{olga_sub}")).await,
        StatusCode::FORBIDDEN,
        "an admin cannot remove an owner"
    );
    let (status, body) =
        put(&mut olga, &ocsrf, &format!("/api/v1/orgs/acme/members/{olga_sub}"), Some(json!({ "org_role": "admin" })))
            .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let acme = s.state.store.org("acme").await.expect("s").expect("o").id;
    assert_eq!(s.state.store.count_owners(acme).await.expect("owners"), 1);
    // With a second owner, the first may go.
    assert_eq!(
        put(&mut olga, &ocsrf, &format!("/api/v1/orgs/acme/members/{adam_sub}"), Some(json!({ "org_role": "owner" })))
            .await
            .0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        delete(&mut olga, &ocsrf, &format!("/api/v1/orgs/acme/members/{olga_sub}")).await,
        StatusCode::NO_CONTENT
    );
    assert_eq!(s.state.store.count_owners(acme).await.expect("owners"), 1);
}

#[tokio::test]
async fn role_definition_escalation_rejected() {
    let s = TestServer::start().await;
    world(&s).await;
    let (mut adam, csrf) = as_user(&s, "adam").await;
    let god = json!({ "name": "godmode", "api": API, "permissions": ["read:docs", "write:docs", "delete:docs"] });
    let (status, body) = adam.call(Method::POST, "/api/v1/orgs/acme/roles", &csrf, Some(&god)).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let acme = s.state.store.org("acme").await.expect("s").expect("o").id;
    assert!(s.state.store.role(acme, "godmode").await.expect("store").is_none(), "nothing stored");
    let ok = json!({ "name": "reviewer", "api": API, "permissions": ["read:docs"] });
    let (status, body) = adam.call(Method::POST, "/api/v1/orgs/acme/roles", &csrf, Some(&ok)).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["permissions"], json!([{ "api": API, "permission": "read:docs" }]));
    // A member defines nothing.
    let (mut mia, mcsrf) = as_user(&s, "mia").await;
    let r = json!({ "name": "m", "api": API, "permissions": [] });
    assert_eq!(mia.call(Method::POST, "/api/v1/orgs/acme/roles", &mcsrf, Some(&r)).await.0, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn org_admin_cannot_touch_other_org() {
    let s = TestServer::start().await;
    world(&s).await;
    let (mut adam, csrf) = as_user(&s, "adam").await;
    let gus = sub(&s, "gus").await;
    let path = format!("/api/v1/orgs/globex/members/{gus}");
    assert_eq!(put(&mut adam, &csrf, &path, Some(json!({ "org_role": "admin" }))).await.0, StatusCode::NOT_FOUND);
    assert_eq!(delete(&mut adam, &csrf, &path).await, StatusCode::NOT_FOUND);
    let globex = s.state.store.org("globex").await.expect("s").expect("o").id;
    assert_eq!(
        s.state.store.member_role(globex, s.user("gus@example.com").await.id).await.expect("s").as_deref(),
        Some("member")
    );
    // Control: globex's owner can.
    let (mut gina, gcsrf) = as_user(&s, "gina").await;
    assert_eq!(put(&mut gina, &gcsrf, &path, Some(json!({ "org_role": "admin" }))).await.0, StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn org_changes_audited() {
    let s = TestServer::start().await;
    world(&s).await;
    let (mut olga, csrf) = as_user(&s, "olga").await;
    let mia = sub(&s, "mia").await;
    put(&mut olga, &csrf, &format!("/api/v1/orgs/acme/members/{mia}/roles/editor"), None).await;
    put(&mut olga, &csrf, &format!("/api/v1/orgs/acme/members/{mia}"), Some(json!({ "org_role": "admin" }))).await;
    delete(&mut olga, &csrf, &format!("/api/v1/orgs/acme/members/{mia}")).await;
    let acme = s.state.store.org("acme").await.expect("s").expect("o").public_id;
    let olga_id = s.user("olga@example.com").await.id;
    let events = s.state.store.list_audit(None, 200).await.expect("audit");
    for kind in ["role_grant", "org_member_set", "org_member_remove"] {
        let e = events
            .iter()
            .find(|e| e.kind == kind && e.actor == format!("user:{olga_id}"))
            .unwrap_or_else(|| unreachable!("{kind} by olga not audited"));
        assert!(
            e.detail.contains(&format!("org:{acme}")) && e.detail.contains(&format!("target:{mia}")),
            "{}",
            e.detail
        );
    }
}

/// Asks for an invitation through the API; returns the link from the mail.
async fn invite(
    s: &TestServer,
    smtp: &crate::harness::SmtpServer,
    b: &mut Browser,
    csrf: &str,
    body: Value,
) -> (StatusCode, Option<String>) {
    let email = body["email"].as_str().unwrap_or("").to_owned();
    let (status, _) = b.call(Method::POST, "/api/v1/orgs/acme/invitations", csrf, Some(&body)).await;
    if status != StatusCode::CREATED {
        return (status, None);
    }
    let _ = s;
    let mail = smtp.wait_mail(&email, "invites you").await;
    (status, Some(crate::harness::inbox::link_in(&mail, "/invite/sgn_iv_")))
}

#[tokio::test]
async fn invitation_single_use_and_expires() {
    let (s, smtp) = crate::harness::inbox::with_smtp(|_| {}).await;
    world(&s).await;
    let (mut adam, csrf) = as_user(&s, "adam").await;
    // An admin invites only what they could grant: not an owner, not a role beyond their own.
    let (status, _) =
        invite(&s, &smtp, &mut adam, &csrf, json!({ "email": "x@example.com", "org_role": "owner" })).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) =
        invite(&s, &smtp, &mut adam, &csrf, json!({ "email": "x@example.com", "roles": ["gx-role"] })).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "another organization's role is not found here");
    // A new address: the link creates the account and joins, once.
    let (status, link) =
        invite(&s, &smtp, &mut adam, &csrf, json!({ "email": "newbie@example.com", "roles": ["editor"] })).await;
    assert_eq!(status, StatusCode::CREATED);
    let link = link.expect("link");
    let mut b = s.browser();
    let page = b.get(&link).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Choose a password"), "{}", page.body);
    let r = b.post_form(&link, &[("csrf", &page.csrf()), ("password", "a new member's passphrase")]).await;
    assert_eq!((r.status, r.location()), (StatusCode::SEE_OTHER, "/login?notice=org_joined"), "{}", r.body);
    let newbie = s.user("newbie@example.com").await;
    assert!(newbie.email_verified(), "the link proved the address");
    let acme = s.state.store.org("acme").await.expect("s").expect("o").id;
    let access = s.state.store.access(newbie.id, Some(acme)).await.expect("access");
    assert_eq!(
        (access.org_role.as_deref(), access.roles.iter().next().map(String::as_str)),
        (Some("member"), Some("editor"))
    );
    let again = b.post_form(&link, &[("csrf", &page.csrf()), ("password", "a new member's passphrase")]).await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST, "single use");
    assert_eq!(b.get(&link).await.status, StatusCode::BAD_REQUEST);
    // An existing account: accepted only signed in as that address.
    let (_, link) = invite(&s, &smtp, &mut adam, &csrf, json!({ "email": "gus@example.com" })).await;
    let link = link.expect("link");
    let (mut mia, _) = as_user(&s, "mia").await;
    let page = mia.get(&link).await;
    assert!(page.body.contains("This invitation is for gus@example.com"));
    // Even with a valid (pre-session) token from another page, another account cannot accept.
    let csrf_other = mia.get("/verify-email").await.csrf();
    assert_eq!(mia.post_form(&link, &[("csrf", &csrf_other)]).await.status, StatusCode::BAD_REQUEST);
    let (mut gus, _) = as_user(&s, "gus").await;
    let page = gus.get(&link).await;
    let r = gus.post_form(&link, &[("csrf", &page.csrf())]).await;
    assert_eq!((r.status, r.location()), (StatusCode::SEE_OTHER, "/account?notice=org_joined"));
    assert!(s.state.store.member_role(acme, s.user("gus@example.com").await.id).await.expect("s").is_some());
    // Expiry: 7 days.
    let (_, link) = invite(&s, &smtp, &mut adam, &csrf, json!({ "email": "late@example.com" })).await;
    let link = link.expect("link");
    s.clock.advance(time::Duration::days(7) + time::Duration::minutes(1));
    let mut late = s.browser();
    let r = late.get(&link).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("expired"));
    assert!(crate::harness::audit_kinds(&s).await.iter().any(|k| k == "org_invite"));
}

#[tokio::test]
async fn account_organizations_page_lists_and_leaves() {
    let s = TestServer::start().await;
    world(&s).await;
    let acme = s.state.store.org("acme").await.expect("s").expect("o");
    let mut mia = s.signed_in("mia@example.com").await;
    let page = mia.get("/account/organizations").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("acme") && !page.body.contains("globex"), "only her organizations");
    let leave = format!("/account/organizations/{}/leave", acme.public_id);
    let r = mia.post_form(&leave, &[("csrf", &page.csrf())]).await;
    assert_eq!((r.status, r.location()), (StatusCode::SEE_OTHER, "/account/organizations?notice=org_left"));
    assert!(s.state.store.member_role(acme.id, s.user("mia@example.com").await.id).await.expect("s").is_none());
    // Leaving again, or another organization's id: not found.
    assert_eq!(mia.post_form(&leave, &[("csrf", &page.csrf())]).await.status, StatusCode::NOT_FOUND);
    // The last owner stays, and is told why.
    let mut olga = s.signed_in("olga@example.com").await;
    let page = olga.get("/account/organizations").await;
    let r = olga.post_form(&leave, &[("csrf", &page.csrf())]).await;
    assert_eq!(r.location(), "/account/organizations?error=last_owner");
    assert!(olga.get(r.location()).await.body.contains("last owner"));
    assert_eq!(s.state.store.count_owners(acme.id).await.expect("owners"), 1);
}

/// An invitation names its organization by public id: after the organization is deleted, a new
/// one that SQLite gives the same row id is not what the link opens.
#[tokio::test]
async fn invitation_to_deleted_org_does_not_join_its_successor() {
    let (s, smtp) = crate::harness::inbox::with_smtp(|_| {}).await;
    world(&s).await; // globex is the organization created last
    let (mut gina, csrf) = as_user(&s, "gina").await;
    let body = json!({ "email": "zed@example.com", "org_role": "owner" });
    let (status, _) = gina.call(Method::POST, "/api/v1/orgs/globex/invitations", &csrf, Some(&body)).await;
    assert_eq!(status, StatusCode::CREATED);
    let mail = smtp.wait_mail("zed@example.com", "invites you").await;
    let link = crate::harness::inbox::link_in(&mail, "/invite/sgn_iv_");
    // Control: the link opens the invitation while globex exists.
    assert_eq!(s.browser().get(&link).await.status, StatusCode::OK);
    let globex = s.state.store.org("globex").await.expect("store").expect("globex");
    cli(&s, &["org", "delete", "globex"]);
    cli(&s, &["org", "create", "gamma", "--name", "Gamma"]);
    let gamma = s.state.store.org("gamma").await.expect("store").expect("gamma");
    if s.state.config.database_url.is_none() {
        assert_eq!(gamma.id, globex.id, "SQLite reused the row id (the case this test is about)");
    }
    let mut b = s.browser();
    let page = b.get(&link).await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST, "{}", page.body);
    assert!(!page.body.contains("Gamma"), "{}", page.body);
    // A valid pre-session token (from the sign-in page): the refusal is the link's, not CSRF's.
    let csrf = b.get("/login").await.csrf();
    let r = b.post_form(&link, &[("csrf", &csrf), ("password", "a passphrase for zed")]).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(s.state.store.list_members(gamma.id).await.expect("store").is_empty(), "nobody joined gamma");
}
