//! The organization pages (`/org/{org}/members|roles|groups`): members see them, owners and
//! admins get the forms, other organizations' pages and objects are not found, and the forms
//! follow the same rules as the JSON API — refusals named on the page, nothing changed.

use reqwest::StatusCode;

use crate::harness::TestServer;
use crate::orgs::cli;
use crate::orgs_api::{as_user, sub, world};

async fn roles_of(s: &TestServer, org: &str, email: &str) -> Vec<String> {
    let o = s.state.store.org(org).await.expect("store").expect("org");
    let members = s.state.store.list_members(o.id).await.expect("store");
    members.into_iter().find(|m| m.email == email).map(|m| m.roles).unwrap_or_default()
}

#[tokio::test]
async fn org_pages_shown_to_members_forms_to_managers() {
    let s = TestServer::start().await;
    world(&s).await;
    let (mut olga, _) = as_user(&s, "olga").await;
    let (mut mia, _) = as_user(&s, "mia").await;
    let (mut gus, _) = as_user(&s, "gus").await;
    for section in ["members", "roles", "groups"] {
        let r = olga.get(&format!("/org/acme/{section}")).await;
        assert_eq!(r.status, StatusCode::OK, "{section}");
        assert!(r.body.contains("name=\"csrf\""), "{section}: the owner gets forms");
        let r = mia.get(&format!("/org/acme/{section}")).await;
        assert_eq!(r.status, StatusCode::OK, "{section}");
        assert!(!r.body.contains("action=\"/org/acme/"), "{section}: a member gets no forms");
        // Another organization's pages, by slug and by id: not found, nothing of it shown.
        let globex = s.state.store.org("globex").await.expect("store").expect("globex").public_id;
        for org in ["globex", globex.as_str()] {
            let r = olga.get(&format!("/org/{org}/{section}")).await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{org} {section}");
            assert!(!r.body.contains("gina@") && !r.body.contains("gus@"), "{}", r.body);
        }
        assert_eq!(gus.get(&format!("/org/acme/{section}")).await.status, StatusCode::NOT_FOUND);
    }
    let r = olga.get("/org/acme/members").await;
    assert!(r.body.contains("mia@example.com") && !r.body.contains("gus@example.com"));
    assert_eq!(olga.get("/org/acme").await.location(), "/org/acme/members");
    // The account page links each organization to its pages.
    assert!(mia.get("/account/organizations").await.body.contains("href=\"/org/acme/members\""));
}

#[tokio::test]
async fn org_page_forms_follow_the_rules() {
    let s = TestServer::start().await;
    world(&s).await;
    let (mut adam, csrf) = as_user(&s, "adam").await;
    let (me, mia) = (sub(&s, "adam").await, sub(&s, "mia").await);
    // Giving oneself a role: refused, named on the page, nothing changed.
    let r = adam
        .post_form(&format!("/org/acme/members/{me}"), &[("csrf", &csrf), ("action", "grant"), ("role", "superdoc")])
        .await;
    assert_eq!((r.status, r.location()), (StatusCode::SEE_OTHER, "/org/acme/members?error=own_roles"));
    let page = adam.get(r.location()).await;
    assert!(page.body.contains("Nobody can change their own roles"), "{}", page.body);
    assert_eq!(roles_of(&s, "acme", "adam@example.com").await, ["editor"]);
    // A role with a permission he lacks (superdoc has delete:docs): refused.
    let r = adam
        .post_form(&format!("/org/acme/members/{mia}"), &[("csrf", &csrf), ("action", "grant"), ("role", "superdoc")])
        .await;
    assert_eq!(r.location(), "/org/acme/members?error=permission");
    assert!(roles_of(&s, "acme", "mia@example.com").await.is_empty());
    // Control: one he holds.
    let r = adam
        .post_form(&format!("/org/acme/members/{mia}"), &[("csrf", &csrf), ("action", "grant"), ("role", "editor")])
        .await;
    assert_eq!(r.location(), "/org/acme/members?notice=org_saved");
    assert_eq!(roles_of(&s, "acme", "mia@example.com").await, ["editor"]);
    // Another organization's member or group through Acme's forms: not found, nothing changed.
    let gus = sub(&s, "gus").await;
    cli(&s, &["org", "group", "create", "globex", "gx-team"]);
    let r = adam.post_form(&format!("/org/acme/members/{gus}"), &[("csrf", &csrf), ("action", "remove")]).await;
    assert_eq!(r.location(), "/org/acme/members?error=not_found");
    let r = adam.post_form("/org/acme/groups/gx-team", &[("csrf", &csrf), ("action", "delete")]).await;
    assert_eq!(r.location(), "/org/acme/groups?error=not_found");
    let globex = s.state.store.org("globex").await.expect("store").expect("globex");
    assert!(s.state.store.group(globex.id, "gx-team").await.expect("store").is_some());
    assert_eq!(
        s.state.store.member_role(globex.id, s.user("gus@example.com").await.id).await.expect("s").as_deref(),
        Some("member")
    );
    // An admin cannot make an owner.
    let r = adam
        .post_form(
            &format!("/org/acme/members/{mia}"),
            &[("csrf", &csrf), ("action", "set_role"), ("org_role", "owner")],
        )
        .await;
    assert_eq!(r.location(), "/org/acme/members?error=escalation");
    // Groups through the page: create, add mia, give it editor; the page shows it.
    let r =
        adam.post_form("/org/acme/groups", &[("csrf", &csrf), ("name", "team"), ("description", "Docs team")]).await;
    assert_eq!(r.location(), "/org/acme/groups?notice=org_saved");
    for (action, k, v) in [("add", "sub", mia.as_str()), ("grant", "role", "editor")] {
        let r = adam.post_form("/org/acme/groups/team", &[("csrf", &csrf), ("action", action), (k, v)]).await;
        assert_eq!(r.location(), "/org/acme/groups?notice=org_saved", "{action}");
    }
    let page = adam.get("/org/acme/groups").await;
    assert!(page.body.contains("Docs team") && page.body.contains("mia@example.com"), "{}", page.body);
    // A role defined on the page stays within what the definer holds.
    let api = crate::orgs_api::API;
    let r = adam
        .post_form(
            "/org/acme/roles",
            &[("csrf", &csrf), ("name", "nuker"), ("api", api), ("permissions", "delete:docs")],
        )
        .await;
    assert_eq!(r.location(), "/org/acme/roles?error=permission");
    let acme = s.state.store.org("acme").await.expect("store").expect("acme");
    assert!(s.state.store.role(acme.id, "nuker").await.expect("store").is_none());
    let r = adam
        .post_form(
            "/org/acme/roles",
            &[("csrf", &csrf), ("name", "reader"), ("api", api), ("permissions", "read:docs")],
        )
        .await;
    assert_eq!(r.location(), "/org/acme/roles?notice=org_saved");
    assert!(adam.get("/org/acme/roles").await.body.contains("read:docs ("));
}

/// The consent page shows what the app would get in that organization: the organization's
/// name, the permissions the user's roles hold, and the ones withheld named (issue 19: "the
/// consent page shows it").
#[tokio::test]
async fn consent_shows_organization_and_granted_scopes() {
    let s = TestServer::start().await;
    crate::orgs::two_tenants(&s).await;
    let c = s.code_client("openid read:docs write:docs", false, false).await;
    let p = crate::harness::pkce();
    let mut ann = s.signed_in("ann@example.com").await;
    let params = [("scope", "openid read:docs write:docs"), ("organization", "globex")];
    let r = ann.get(&format!("/oauth2/authorize?{}", crate::harness::authz_query(&c.id, &p.challenge, &params))).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.headers.get("location"));
    assert!(r.body.contains("id=\"consent-organization\"") && r.body.contains("globex"), "{}", r.body);
    // In globex she holds only the global reader role.
    let listed = r.body.split("<ul class=\"scopes\">").nth(1).and_then(|t| t.split("</ul>").next()).expect("scopes");
    assert!(listed.contains("read:docs") && !listed.contains("write:docs"), "{listed}");
    assert!(r.body.contains("id=\"consent-withheld\""), "{}", r.body);
    // Control: in acme she holds both, nothing withheld.
    let params = [("scope", "openid read:docs write:docs"), ("organization", "acme")];
    let r = ann.get(&format!("/oauth2/authorize?{}", crate::harness::authz_query(&c.id, &p.challenge, &params))).await;
    let listed = r.body.split("<ul class=\"scopes\">").nth(1).and_then(|t| t.split("</ul>").next()).expect("scopes");
    assert!(listed.contains("read:docs") && listed.contains("write:docs"), "{listed}");
    assert!(!r.body.contains("consent-withheld"));
}
