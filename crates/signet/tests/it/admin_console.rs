//! The admin console (`/admin`): administrators only, CSRF on every form, a recent sign-in for
//! destructive actions.

use reqwest::StatusCode;
use signet_store::UserPatch;

use crate::harness::{TestServer, PASSWORD};

const PAGES: [&str; 8] = [
    "/admin",
    "/admin/users",
    "/admin/clients",
    "/admin/organizations",
    "/admin/roles",
    "/admin/keys",
    "/admin/audit",
    "/admin/audit/export.csv",
];

async fn make_admin(s: &TestServer, email: &str) -> i64 {
    let id = s.create_user(email, PASSWORD).await;
    let patch = UserPatch { is_admin: Some(true), ..Default::default() };
    s.state.store.patch_user(id, None, &patch, s.state.now()).await.expect("patch");
    id
}

#[tokio::test]
async fn admin_pages_require_admin() {
    let s = TestServer::start().await;
    let ann = s.create_user("ann@example.com", PASSWORD).await;
    make_admin(&s, "root@example.com").await;
    // Not signed in: to the sign-in page.
    let mut anon = s.browser();
    for p in PAGES {
        let r = anon.get(p).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{p}");
        assert!(r.location().starts_with("/login"), "{p}: {}", r.location());
    }
    // Signed in, not an administrator: 403 on every page, and a form with a valid CSRF token
    // changes nothing.
    let mut b = s.browser();
    b.login("ann@example.com", PASSWORD).await;
    for p in PAGES.iter().copied().chain([format!("/admin/users/{ann}").as_str()]) {
        assert_eq!(b.get(p).await.status, StatusCode::FORBIDDEN, "{p}");
    }
    let csrf = b.account_csrf().await;
    let bob = s.create_user("bob@example.com", PASSWORD).await;
    let r = b.post_form(&format!("/admin/users/{bob}"), &[("csrf", &csrf), ("action", "disable")]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(!s.user("bob@example.com").await.disabled);
    let r = b.post_form("/admin/clients", &[("csrf", &csrf), ("name", "sneaky")]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(s.state.store.list_clients().await.expect("clients").is_empty());
    // An administrator: every page, and the same form acts (with its token only).
    let mut root = s.browser();
    root.login("root@example.com", PASSWORD).await;
    for p in PAGES.iter().copied().chain([format!("/admin/users/{ann}").as_str()]) {
        assert_eq!(root.get(p).await.status, StatusCode::OK, "{p}");
    }
    let r = root.post_form(&format!("/admin/users/{bob}"), &[("action", "disable")]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "no CSRF token");
    assert!(!s.user("bob@example.com").await.disabled);
    let csrf = root.account_csrf().await;
    let r = root.post_form(&format!("/admin/users/{bob}"), &[("csrf", &csrf), ("action", "disable")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(r.location().ends_with("notice=disabled"), "{}", r.location());
    assert!(s.user("bob@example.com").await.disabled);
    let events = s.state.store.list_audit(None, 10).await.expect("audit");
    let e = events.iter().find(|e| e.kind == "user_disable").expect("audited");
    assert!(e.actor.starts_with("user:") && e.detail.contains("\"disabled\""));
}

#[tokio::test]
async fn admin_destructive_action_requires_reauth() {
    let s = TestServer::start().await;
    s.create_user("ann@example.com", PASSWORD).await;
    let ann = s.user("ann@example.com").await.id;
    make_admin(&s, "root@example.com").await;
    let mut ann_browser = s.browser();
    ann_browser.login("ann@example.com", PASSWORD).await;
    let mut root = s.browser();
    root.login("root@example.com", PASSWORD).await;
    let csrf = root.account_csrf().await;
    let keys_before = s.state.store.list_keys().await.expect("keys").len();
    let acme = s.state.store.create_org("org_00000000000000aa", "acme", "Acme", s.state.now()).await.expect("org");
    // Past the re-authentication window (but within the idle timeout): refused, nothing done.
    s.clock.advance(s.state.config.session.reauth_window + time::Duration::minutes(1));
    for (path, action) in [
        (format!("/admin/users/{ann}"), "end_sessions"),
        (format!("/admin/users/{ann}"), "reset_mfa"),
        ("/admin/keys".into(), "rotate"),
        (format!("/admin/organizations/{}", acme.public_id), "delete"),
    ] {
        let r = root.post_form(&path, &[("csrf", &csrf), ("action", action)]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{action}");
        assert!(r.location().starts_with("/login"), "{action}: {}", r.location());
    }
    assert_eq!(ann_browser.get("/account").await.status, StatusCode::OK, "ann's session lives");
    assert_eq!(s.state.store.list_keys().await.expect("keys").len(), keys_before);
    assert!(s.state.store.org("acme").await.expect("store").is_some(), "the organization stays");
    // Control: after signing in again, the same form acts.
    let mut root = s.browser();
    root.login("root@example.com", PASSWORD).await;
    let csrf = root.account_csrf().await;
    let r = root.post_form(&format!("/admin/users/{ann}"), &[("csrf", &csrf), ("action", "end_sessions")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(r.location().ends_with("notice=sessions_ended"), "{}", r.location());
    assert_ne!(ann_browser.get("/account").await.status, StatusCode::OK, "ann's session ended");
}

#[tokio::test]
async fn admin_console_organizations_and_roles() {
    let s = TestServer::start().await;
    make_admin(&s, "root@example.com").await;
    let mut root = s.browser();
    root.login("root@example.com", PASSWORD).await;
    let csrf = root.account_csrf().await;
    // An organization through the form; a bad short name is refused with its own message.
    let r = root.post_form("/admin/organizations", &[("csrf", &csrf), ("name", "Acme"), ("slug", "-bad-")]).await;
    assert!(r.location().ends_with("error=slug"), "{}", r.location());
    assert!(s.state.store.list_orgs(0, 10).await.expect("orgs").is_empty(), "nothing was stored");
    let r = root.post_form("/admin/organizations", &[("csrf", &csrf), ("name", "Acme"), ("slug", "Acme")]).await;
    assert!(r.location().ends_with("notice=org_created"), "{}", r.location());
    let page = root.get("/admin/organizations").await;
    assert!(page.body.contains("href=\"/org/acme\""), "managed on its own pages");
    let r = root.post_form("/admin/organizations", &[("csrf", &csrf), ("name", "Acme 2"), ("slug", "acme")]).await;
    assert!(r.location().ends_with("error=exists"), "{}", r.location());
    // An API and a global role through the forms; a permission the API lacks is refused.
    let api = [("csrf", csrf.as_str()), ("action", "api"), ("identifier", "https://docs.example.com")];
    let r = root.post_form("/admin/roles", &[&api[..], &[("permissions", "read:docs write:docs")]].concat()).await;
    assert!(r.location().ends_with("notice=api_created"), "{}", r.location());
    let role = [("csrf", csrf.as_str()), ("action", "role"), ("name", "reader"), ("api", "https://docs.example.com")];
    let r = root.post_form("/admin/roles", &[&role[..], &[("permissions", "fly:docs")]].concat()).await;
    assert!(r.location().ends_with("error=permission"), "{}", r.location());
    assert!(s.state.store.role(0, "reader").await.expect("store").is_none(), "nothing was stored");
    let r = root.post_form("/admin/roles", &[&role[..], &[("permissions", "read:docs")]].concat()).await;
    assert!(r.location().ends_with("notice=role_created"), "{}", r.location());
    let page = root.get("/admin/roles").await;
    assert!(page.body.contains("<code>reader</code>") && page.body.contains("read:docs (https:"), "the role is listed");
    // Deleting the organization (a recent sign-in: this one).
    let acme = s.state.store.org("acme").await.expect("store").expect("acme");
    let r = root
        .post_form(&format!("/admin/organizations/{}", acme.public_id), &[("csrf", &csrf), ("action", "delete")])
        .await;
    assert!(r.location().ends_with("notice=org_deleted"), "{}", r.location());
    assert!(s.state.store.org("acme").await.expect("store").is_none());
    let kinds = crate::harness::audit_kinds(&s).await;
    for k in ["org_create", "api_create", "role_create", "org_delete"] {
        assert!(kinds.contains(&k.to_owned()), "{k} audited");
    }
}
