//! Signing in with an upstream identity provider (issue 21), against a real one:
//! node-oidc-provider (and a GitHub-shaped fixture) on a loopback port (`harness::upstream`).
//! Every account-takeover path the issue names is a test here; each refusal is checked for
//! its status, for nothing linked or created, and for no session.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::harness::upstream::{add_provider, Upstream};
use crate::harness::{run_cli, Browser, TestServer, PASSWORD};

pub(crate) const SLUG: &str = "up";

pub(crate) async fn setup(extra: Value) -> (TestServer, Upstream) {
    let s = TestServer::start().await;
    let up = Upstream::start(&s, &[SLUG]);
    add_provider(&s, SLUG, &up.provider("oidc", extra)).await;
    (s, up)
}

pub(crate) fn person(email: &str, verified: bool) -> Value {
    json!({"email": email, "email_verified": verified, "name": "Ada Lovelace"})
}

pub(crate) async fn signed_in(b: &mut Browser) -> bool {
    b.get("/account").await.status == StatusCode::OK
}

pub(crate) async fn identities(s: &TestServer, up: &Upstream, sub: &str) -> Option<signet_store::ExternalIdentity> {
    s.state.store.identity(SLUG, &up.issuer, sub).await.expect("store")
}

pub(crate) async fn verified_user(s: &TestServer, email: &str) -> i64 {
    let id = s.create_user(email, PASSWORD).await;
    assert!(s.state.store.set_email_verified(id, email, s.state.now()).await.expect("verify"));
    id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upstream_sign_in_creates_account_and_signs_in_again() {
    let (s, up) = setup(json!({})).await;
    up.next("ada-1", person("ada@example.com", true), None).await;
    let mut b = s.browser();
    let r = b.upstream_login(&s, SLUG).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert!(signed_in(&mut b).await);
    let user = s.user("ada@example.com").await;
    assert!(user.email_verified(), "a trusted upstream address is verified");
    assert!(user.password.is_none());
    assert_eq!(user.profile.name.as_deref(), Some("Ada Lovelace"));
    let identity = identities(&s, &up, "ada-1").await.expect("linked");
    assert_eq!(identity.user_id, user.id);
    // The session says how: a federated assertion.
    let amr = crate::harness::db_strings(&s, "SELECT amr FROM sessions").await;
    assert_eq!(amr, vec!["fed".to_owned()]);
    // Again, in another browser: the same account, no second one.
    let mut b2 = s.browser();
    up.next("ada-1", person("ada@example.com", true), None).await;
    assert_eq!(b2.upstream_login(&s, SLUG).await.status, StatusCode::SEE_OTHER);
    assert!(signed_in(&mut b2).await);
    assert_eq!(s.state.store.identities_of(user.id).await.expect("store").len(), 1);
    // The account page lists the identity.
    let page = b2.get("/account/identities").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("ada@example.com") && page.body.contains("Upstream"), "{}", page.body);
}

/// An attacker registers the victim's address locally (never verified) before the victim ever
/// signs in with the upstream; the upstream says the address is verified and the provider is
/// set to link automatically — still no link: the local account's address was never proven.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pre_hijack_unverified_local_account_not_auto_linked() {
    let (s, up) = setup(json!({"linking": "automatic", "email_authoritative": true})).await;
    let attacker_account = s.create_user("victim@example.com", PASSWORD).await;
    up.next("victim", person("victim@example.com", true), None).await;
    let mut b = s.browser();
    let r = b.upstream_login(&s, SLUG).await;
    // Asked to prove the local account instead: the victim cannot, and nothing is linked.
    assert_eq!((r.status, r.location()), (StatusCode::SEE_OTHER, "/login/idp/confirm"));
    assert!(!signed_in(&mut b).await);
    assert!(identities(&s, &up, "victim").await.is_none());
    assert!(s.state.store.identities_of(attacker_account).await.expect("store").is_empty());
    // Control: once the local address is verified, the same sign-in links automatically.
    assert!(s.state.store.set_email_verified(attacker_account, "victim@example.com", s.state.now()).await.expect("v"));
    up.next("victim", person("victim@example.com", true), None).await;
    let mut b = s.browser();
    assert_eq!(b.upstream_login(&s, SLUG).await.location(), "/account");
    assert!(signed_in(&mut b).await);
    assert_eq!(identities(&s, &up, "victim").await.expect("linked").user_id, attacker_account);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upstream_email_unverified_not_linked() {
    let (s, up) = setup(json!({"linking": "automatic", "email_authoritative": true})).await;
    let owner = verified_user(&s, "owner@example.com").await;
    up.next("mallory", person("owner@example.com", false), None).await;
    let mut b = s.browser();
    let r = b.upstream_login(&s, SLUG).await;
    assert_eq!((r.status, r.location()), (StatusCode::SEE_OTHER, "/login/idp/confirm"), "proof asked, not linked");
    assert!(!signed_in(&mut b).await);
    assert!(identities(&s, &up, "mallory").await.is_none());
    assert!(s.state.store.identities_of(owner).await.expect("store").is_empty());
    // No account is made from an unverified address either.
    up.next("mallory-2", person("new@example.com", false), None).await;
    let mut b = s.browser();
    let r = b.upstream_login(&s, SLUG).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert!(s
        .state
        .store
        .user_by_email(&signet_core::Email::parse("new@example.com").expect("e"))
        .await
        .expect("s")
        .is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn userinfo_email_differs_from_id_token_email_not_trusted() {
    let (s, up) = setup(json!({"linking": "automatic", "email_authoritative": true})).await;
    let owner = verified_user(&s, "owner@example.com").await;
    // The ID token says owner@, userinfo says someone else: neither is trusted.
    up.next("sly", person("owner@example.com", true), Some(json!({"email": "sly@example.com"}))).await;
    let mut b = s.browser();
    let r = b.upstream_login(&s, SLUG).await;
    assert_eq!((r.status, r.location()), (StatusCode::SEE_OTHER, "/login/idp/confirm"));
    assert!(!signed_in(&mut b).await);
    assert!(s.state.store.identities_of(owner).await.expect("store").is_empty());
    // Control: agreeing answers link.
    up.next("sly", person("owner@example.com", true), Some(json!({"email": "owner@example.com"}))).await;
    let mut b = s.browser();
    assert_eq!(b.upstream_login(&s, SLUG).await.location(), "/account");
    assert_eq!(identities(&s, &up, "sly").await.expect("linked").user_id, owner);
}

async fn confirm(b: &mut Browser, password: &str) -> crate::harness::Resp {
    let page = b.get("/login/idp/confirm").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let csrf = page.csrf();
    b.post_form("/login/idp/confirm", &[("csrf", &csrf), ("password", password)]).await
}

/// The proof of the local account links the one identity it was asked for, once: replaying
/// the confirmation (its cookie and form) while another upstream identity waits links nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn link_proof_replayed_for_other_sub_rejected() {
    let (s, up) = setup(json!({})).await;
    let owner = verified_user(&s, "owner@example.com").await;
    up.next("sub-a", person("owner@example.com", true), None).await;
    let mut b = s.browser();
    assert_eq!(b.upstream_login(&s, SLUG).await.location(), "/login/idp/confirm");
    // A wrong password links nothing.
    let r = confirm(&mut b, "not the password").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(identities(&s, &up, "sub-a").await.is_none());
    let link_cookie = b.cookies.get("__Host-signet_link").cloned().expect("pending link cookie");
    let csrf = b.get("/login/idp/confirm").await.csrf();
    let r = b.post_form("/login/idp/confirm", &[("csrf", &csrf), ("password", PASSWORD)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(identities(&s, &up, "sub-a").await.expect("linked").user_id, owner);
    assert!(signed_in(&mut b).await);
    // Another identity with the same address waits for its own proof…
    up.next("sub-b", person("owner@example.com", true), None).await;
    let mut attacker = s.browser();
    assert_eq!(attacker.upstream_login(&s, SLUG).await.location(), "/login/idp/confirm");
    // …and the first proof, replayed with its cookie, does not give it.
    attacker.cookies.insert("__Host-signet_link".into(), link_cookie);
    let csrf = attacker.get("/login").await.csrf();
    let r = attacker.post_form("/login/idp/confirm", &[("csrf", &csrf), ("password", PASSWORD)]).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(identities(&s, &up, "sub-b").await.is_none());
    assert!(!signed_in(&mut attacker).await);
    assert_eq!(s.state.store.identities_of(owner).await.expect("store").len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn entra_email_claim_not_used_for_identity() {
    let s = TestServer::start().await;
    let up = Upstream::start(&s, &[SLUG]);
    let extra = json!({"linking": "automatic", "email_authoritative": true});
    add_provider(&s, SLUG, &up.provider("microsoft", extra)).await;
    let ceo = verified_user(&s, "ceo@victim.test").await;
    // Another tenant's admin sets any `email` on their own user (nOAuth): not proof.
    let claims = json!({"tid": "tenant-evil", "oid": "oid-1", "email": "ceo@victim.test", "email_verified": true});
    up.next("pairwise-1", claims, None).await;
    let mut b = s.browser();
    let r = b.upstream_login(&s, SLUG).await;
    assert_eq!((r.status, r.location()), (StatusCode::SEE_OTHER, "/login/idp/confirm"));
    assert!(!signed_in(&mut b).await);
    assert!(s.state.store.identities_of(ceo).await.expect("store").is_empty());
    // The identity, once linked, is the object id within the tenant — not `sub`, not `email`.
    let claims = json!({"tid": "tenant-good", "oid": "oid-2", "email": "new@good.test", "xms_edov": true});
    up.next("pairwise-2", claims, None).await;
    let mut b = s.browser();
    assert_eq!(b.upstream_login(&s, SLUG).await.status, StatusCode::SEE_OTHER);
    assert!(signed_in(&mut b).await);
    assert!(identities(&s, &up, "oid-2").await.is_some());
    assert!(identities(&s, &up, "pairwise-2").await.is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn github_uses_primary_verified_email_only() {
    let s = TestServer::start().await;
    let up = Upstream::start(&s, &["gh"]);
    add_provider(&s, "gh", &up.provider("github", json!({}))).await;
    let user = json!({"id": 583231, "login": "octocat", "name": "The Octocat"});
    // A verified address that is not primary, and a primary one GitHub never verified.
    let emails = json!([
        {"email": "old@example.com", "primary": false, "verified": true, "visibility": null},
        {"email": "octo@example.com", "primary": true, "verified": false, "visibility": "public"}
    ]);
    up.github_next(user.clone(), emails).await;
    let mut b = s.browser();
    let r = b.upstream_login(&s, "gh").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "no trusted address, no account: {}", r.body);
    assert!(!signed_in(&mut b).await);
    let n = crate::harness::db_strings(&s, "SELECT email FROM users").await;
    assert!(n.is_empty(), "{n:?}");
    // Control: the primary address verified.
    let emails = json!([{"email": "octo@example.com", "primary": true, "verified": true, "visibility": "public"}]);
    up.github_next(user, emails).await;
    let mut b = s.browser();
    assert_eq!(b.upstream_login(&s, "gh").await.status, StatusCode::SEE_OTHER);
    assert!(signed_in(&mut b).await);
    let identity = s.state.store.identity("gh", "https://github.com", "583231").await.expect("s").expect("linked");
    assert_eq!(identity.email.as_deref(), Some("octo@example.com"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upstream_state_mismatch_rejected() {
    let (s, up) = setup(json!({})).await;
    up.next("ann", person("ann@example.com", true), None).await;
    // The attacker starts a sign-in in their own browser and stops at the callback…
    let mut attacker = s.browser();
    let page = attacker.get("/login").await;
    let r = attacker.post_form(&format!("/login/idp/{SLUG}"), &[("csrf", &page.csrf()), ("return_to", "")]).await;
    let location = r.location().to_owned();
    let origin = url::Url::parse(&location).expect("url").origin().ascii_serialization();
    let mut up_browser = Browser::new(&origin);
    let mut next = location.strip_prefix(&origin).expect("path").to_owned();
    let callback = loop {
        let r = up_browser.get(&next).await;
        let loc = r.location().to_owned();
        if loc.starts_with(s.state.config.issuer_base()) {
            break loc.strip_prefix(s.state.config.issuer_base()).expect("path").to_owned();
        }
        next = loc.strip_prefix(&origin).map(str::to_owned).unwrap_or(loc);
    };
    // …and makes the victim's browser open it (login CSRF): refused, nothing created.
    let mut victim = s.browser();
    let r = victim.get(&callback).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(!signed_in(&mut victim).await);
    assert!(identities(&s, &up, "ann").await.is_none());
    // A forged state in the attacker's own browser is refused too.
    let forged = callback.replace("state=", "state=x");
    assert_eq!(attacker.get(&forged).await.status, StatusCode::BAD_REQUEST);
    // Control: the browser that started it completes it.
    let r = attacker.get(&callback).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert!(signed_in(&mut attacker).await);
    // Once: the same callback again is refused.
    let mut again = s.browser();
    again.cookies = attacker.cookies.clone();
    again.cookies.remove("__Host-signet_session");
    assert_eq!(again.get(&callback).await.status, StatusCode::BAD_REQUEST);
}

async fn rejected_id_token(claims: Value, other_key: bool) {
    let (s, up) = setup(json!({})).await;
    up.next("eve", person("eve@example.com", true), None).await;
    up.tamper(claims, other_key).await;
    let mut b = s.browser();
    let r = b.upstream_login(&s, SLUG).await;
    assert_eq!(r.status, StatusCode::BAD_GATEWAY, "{}", r.body);
    assert!(r.body.contains("could not be verified"), "{}", r.body);
    assert!(!signed_in(&mut b).await);
    assert!(identities(&s, &up, "eve").await.is_none());
    assert!(crate::harness::db_strings(&s, "SELECT email FROM users").await.is_empty());
    assert!(crate::harness::audit_kinds(&s).await.contains(&"upstream_refused".to_owned()));
    // Control: the next, honest sign-in works.
    up.next("eve", person("eve@example.com", true), None).await;
    let mut b = s.browser();
    assert_eq!(b.upstream_login(&s, SLUG).await.status, StatusCode::SEE_OTHER);
    assert!(signed_in(&mut b).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upstream_nonce_mismatch_rejected() {
    rejected_id_token(json!({"nonce": "a-nonce-from-another-sign-in"}), false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upstream_id_token_bad_signature_rejected() {
    rejected_id_token(json!({}), true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upstream_issuer_mismatch_rejected() {
    rejected_id_token(json!({"iss": "https://accounts.evil.test"}), false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upstream_audience_mismatch_rejected() {
    rejected_id_token(json!({"aud": "another-client"}), false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_identities_same_provider_supported() {
    let (s, up) = setup(json!({})).await;
    up.next("work", person("ada@example.com", true), None).await;
    let mut b = s.browser();
    assert_eq!(b.upstream_login(&s, SLUG).await.status, StatusCode::SEE_OTHER);
    let user = s.user("ada@example.com").await;
    // Signed in, she links a second account at the same provider from her account page.
    s.clock.advance(time::Duration::seconds(1));
    let csrf = b.account_csrf().await;
    let r = b.post_form(&format!("/account/identities/link/{SLUG}"), &[("csrf", &csrf)]).await;
    up.next("personal", person("ada.personal@example.com", true), None).await;
    let r = b.through_upstream(&s, r).await;
    assert_eq!((r.status, r.location()), (StatusCode::SEE_OTHER, "/account/identities?notice=identity_linked"));
    let mine = s.state.store.identities_of(user.id).await.expect("store");
    assert_eq!(mine.iter().map(|i| i.subject.as_str()).collect::<Vec<_>>(), ["work", "personal"]);
    // Either signs in to the same account.
    up.next("personal", person("ada.personal@example.com", true), None).await;
    let mut b2 = s.browser();
    assert_eq!(b2.upstream_login(&s, SLUG).await.status, StatusCode::SEE_OTHER);
    assert!(signed_in(&mut b2).await);
    let page = b2.get("/account").await;
    assert!(page.body.contains("ada@example.com"), "the same account");
    // An identity linked to one account cannot be linked to another.
    let other = verified_user(&s, "bob@example.com").await;
    let mut bob = s.browser();
    bob.login("bob@example.com", PASSWORD).await;
    let csrf = bob.account_csrf().await;
    let r = bob.post_form(&format!("/account/identities/link/{SLUG}"), &[("csrf", &csrf)]).await;
    up.next("work", person("ada@example.com", true), None).await;
    let r = bob.through_upstream(&s, r).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert!(s.state.store.identities_of(other).await.expect("store").is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unlink_last_login_method_refused() {
    let (s, up) = setup(json!({})).await;
    up.next("only", person("solo@example.com", true), None).await;
    let mut b = s.browser();
    assert_eq!(b.upstream_login(&s, SLUG).await.status, StatusCode::SEE_OTHER);
    let user = s.user("solo@example.com").await;
    let id = s.state.store.identities_of(user.id).await.expect("store")[0].id;
    let csrf = b.account_csrf().await;
    let r = b.post_form(&format!("/account/identities/{id}/unlink"), &[("csrf", &csrf)]).await;
    assert_eq!((r.status, r.location()), (StatusCode::SEE_OTHER, "/account/identities?error=last"));
    assert_eq!(s.state.store.identities_of(user.id).await.expect("store").len(), 1, "still linked");
    assert!(b.get("/account/identities?error=last").await.body.contains("only way to sign in"));
    // Control: with a password set, it unlinks (and is audited).
    let record = s.state.hash_pool.hash(signet_core::Password::new(PASSWORD)).await.expect("hash");
    s.state.store.set_password(user.id, &record, true, s.state.now()).await.expect("password");
    let r = b.post_form(&format!("/account/identities/{id}/unlink"), &[("csrf", &csrf)]).await;
    assert_eq!(r.location(), "/account/identities?notice=identity_unlinked");
    assert!(s.state.store.identities_of(user.id).await.expect("store").is_empty());
    assert!(crate::harness::audit_kinds(&s).await.contains(&"identity_unlink".to_owned()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn required_claim_rule_enforced() {
    let (s, up) = setup(json!({"required_claims": {"hd": ["example.com"]}})).await;
    let mut claims = person("x@gmail.test", true);
    up.next("outsider", claims.clone(), None).await;
    let mut b = s.browser();
    let r = b.upstream_login(&s, SLUG).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert!(!signed_in(&mut b).await);
    assert!(crate::harness::db_strings(&s, "SELECT email FROM users").await.is_empty());
    claims["hd"] = json!("evil.com");
    up.next("outsider", claims.clone(), None).await;
    assert_eq!(s.browser().upstream_login(&s, SLUG).await.status, StatusCode::FORBIDDEN);
    // Control: the Workspace domain asked for.
    let mut claims = person("ann@example.com", true);
    claims["hd"] = json!("example.com");
    up.next("insider", claims, None).await;
    let mut b = s.browser();
    assert_eq!(b.upstream_login(&s, SLUG).await.status, StatusCode::SEE_OTHER);
    assert!(signed_in(&mut b).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upstream_down_shows_page_not_500() {
    let (s, up) = setup(json!({})).await;
    up.set_down(true).await;
    let mut b = s.browser();
    let page = b.get("/login").await;
    assert!(page.body.contains("Continue with Upstream"), "the provider's button");
    let r = b.post_form(&format!("/login/idp/{SLUG}"), &[("csrf", &page.csrf()), ("return_to", "")]).await;
    assert_eq!(r.status, StatusCode::BAD_GATEWAY, "{}", r.body);
    assert!(r.body.contains("could not be reached") || r.body.contains("answered"), "{}", r.body);
    // An upstream that is gone altogether: the same kind of page.
    drop(up);
    let r = b.post_form(&format!("/login/idp/{SLUG}"), &[("csrf", &page.csrf()), ("return_to", "")]).await;
    assert_eq!(r.status, StatusCode::BAD_GATEWAY, "{}", r.body);
    assert!(r.body.contains("could not be reached"), "{}", r.body);
    // And the password form still works.
    s.create_user("ann@example.com", PASSWORD).await;
    assert_eq!(b.login("ann@example.com", PASSWORD).await.status, StatusCode::SEE_OTHER);
}

/// An address at an organization's verified domain, typed on the login page, goes to the
/// organization's identity provider (with the address as `login_hint`); others sign in as usual.
/// The provider and the domains are set with the CLI, as an operator would.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn home_realm_discovery_routes_domain() {
    let s = TestServer::start().await;
    let up = Upstream::start(&s, &["corp"]);
    let dir = s.dir.path();
    s.state.store.create_org("org_acme0000001", "acme", "Acme", s.state.now()).await.expect("org");
    let (code, out, err) = run_cli(dir, &["org", "domains", "acme", "Example.COM", "acme.test"], "");
    assert_eq!(code, 0, "{out}{err}");
    let (code, _, err) = run_cli(dir, &["org", "domains", "acme", "bad_domain"], "");
    assert_ne!(code, 0);
    assert!(err.contains("not a domain"), "{err}");
    let args = [
        "idp",
        "add",
        "corp",
        "--preset",
        "oidc",
        "--client-id",
        crate::harness::upstream::CLIENT_ID,
        "--client-secret-file",
        "-",
        "--issuer",
        &up.issuer,
        "--organization",
        "acme",
        "--display-name",
        "Acme SSO",
    ];
    let (code, out, err) = run_cli(dir, &args, crate::harness::upstream::CLIENT_SECRET);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("/login/idp/corp/callback"), "{out}");
    up.next("emp-7", person("ann@example.com", true), None).await;
    let mut b = s.browser();
    let page = b.get("/login").await;
    assert!(page.body.contains("Continue with Acme SSO"));
    let form = [
        ("csrf", page.csrf()),
        ("email", "Ann@Example.com".into()),
        ("password", String::new()),
        ("return_to", String::new()),
    ];
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = b.post_form("/login", &form).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert!(r.location().starts_with(&format!("{}/auth?", up.issuer)), "{}", r.location());
    let hint = crate::harness::location_params(r.location()).get("login_hint").cloned();
    assert_eq!(hint.as_deref(), Some("ann@example.com"));
    let r = b.through_upstream(&s, r).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert!(signed_in(&mut b).await);
    assert!(s.state.store.identity("corp", &up.issuer, "emp-7").await.expect("s").is_some());
    // Control: another domain gets the password check.
    s.create_user("bob@other.test", PASSWORD).await;
    let mut b = s.browser();
    let r = b.login("bob@other.test", PASSWORD).await;
    assert_eq!((r.status, r.location()), (StatusCode::SEE_OTHER, "/account"));
    // A look-alike is not the domain (whole-word match, no wildcard).
    assert!(s.state.store.org_by_domain("xexample.com").await.expect("s").is_none());
    assert!(s.state.store.org_by_domain("example_com").await.expect("s").is_none());
    assert!(s.state.store.org_by_domain("acme.test").await.expect("s").is_some());
}

#[tokio::test]
async fn cli_idp_add_list_remove() {
    let s = TestServer::start().await;
    let dir = s.dir.path();
    let add = |slug: &'static str, preset: &'static str| {
        vec![
            "idp",
            "add",
            slug,
            "--preset",
            preset,
            "--client-id",
            "cid",
            "--client-secret-file",
            "-",
            "--issuer",
            "https://idp.example.com",
        ]
    };
    let (code, _, err) = run_cli(dir, &add("x", "okta"), "secret");
    assert_ne!(code, 0);
    assert!(err.contains("preset"), "{err}");
    let (code, _, err) = run_cli(dir, &add("x", "oidc"), "");
    assert_ne!(code, 0);
    assert!(err.contains("empty"), "{err}");
    let mut auto = add("y", "oidc");
    auto.extend(["--linking", "automatic"]);
    let (code, _, err) = run_cli(dir, &auto, "secret");
    assert_ne!(code, 0, "automatic needs an authoritative provider");
    assert!(err.contains("email_authoritative"), "{err}");
    assert!(s.state.store.providers().await.expect("store").is_empty(), "nothing stored");
    let (code, out, err) = run_cli(dir, &add("corp", "oidc"), "s3cret-value\n");
    assert_eq!(code, 0, "{out}{err}");
    let (code, _, err) = run_cli(dir, &add("corp", "oidc"), "s3cret-value\n");
    assert_ne!(code, 0);
    assert!(err.contains("exists"), "{err}");
    // The secret is stored encrypted, never in the settings.
    let stored = s.state.store.provider("corp").await.expect("store").expect("stored");
    assert!(!stored.config.contains("s3cret"), "{}", stored.config);
    assert!(!stored.secret.as_deref().unwrap_or_default().windows(6).any(|w| w == b"s3cret"));
    let (code, out, _) = run_cli(dir, &["idp", "list", "--json"], "");
    assert_eq!(code, 0);
    let list: Value = serde_json::from_str(&out).expect("json");
    assert_eq!(list[0]["slug"], "corp");
    assert!(!out.contains("s3cret"), "{out}");
    assert!(s.browser().get("/login").await.body.contains("Continue with corp"));
    let (code, _, _) = run_cli(dir, &["idp", "remove", "corp"], "");
    assert_eq!(code, 0);
    assert!(!s.browser().get("/login").await.body.contains("Continue with corp"));
    assert_ne!(run_cli(dir, &["idp", "remove", "corp"], "").0, 0);
    let kinds = crate::harness::audit_kinds(&s).await;
    assert!(kinds.contains(&"idp_add".to_owned()) && kinds.contains(&"idp_remove".to_owned()), "{kinds:?}");
}
