//! `/account`, `/account/password`, `/account/sessions/{id}/revoke`, `/account/logout-everywhere`,
//! `POST /logout`, and the session timeouts they enforce.

use reqwest::StatusCode;
use time::Duration;

use crate::harness::{audit_kinds, TestServer, PASSWORD};

#[tokio::test]
async fn account_requires_login_and_comes_back() {
    let s = TestServer::start().await;
    let mut b = s.browser();
    let r = b.get("/account/password").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location(), "/login?return_to=%2Faccount%2Fpassword");
}

#[tokio::test]
async fn idle_timeout_expires_session() {
    let s = TestServer::start().await;
    s.create_user("ann@example.com", PASSWORD).await;
    let mut b = s.browser();
    b.login("ann@example.com", PASSWORD).await;
    // Activity keeps it alive past 30 minutes in total…
    for _ in 0..3 {
        s.clock.advance(Duration::minutes(20));
        assert_eq!(b.get("/account").await.status, StatusCode::OK);
    }
    // Control just below the limit: 29 idle minutes are fine (and count as activity)…
    s.clock.advance(Duration::minutes(29));
    assert_eq!(b.get("/account").await.status, StatusCode::OK);
    // …but 30 idle minutes end it, server-side.
    s.clock.advance(Duration::minutes(30));
    let r = b.get("/account").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(r.location().starts_with("/login"));
    let id = s.user("ann@example.com").await.id;
    assert!(s.state.store.list_user_sessions(id).await.expect("sessions").is_empty(), "row deleted");
}

#[tokio::test]
async fn absolute_timeout_expires_session() {
    let s = TestServer::start().await;
    s.create_user("ann@example.com", PASSWORD).await;
    let mut b = s.browser();
    b.login("ann@example.com", PASSWORD).await;
    // Busy all day, never idle for 30 minutes…
    for _ in 0..(23 * 4 + 3) {
        s.clock.advance(Duration::minutes(15));
        assert_eq!(b.get("/account").await.status, StatusCode::OK);
    }
    // …still ends at 24 hours.
    s.clock.advance(Duration::minutes(15));
    assert_eq!(b.get("/account").await.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn logout_deletes_server_session() {
    let s = TestServer::start().await;
    s.create_user("ann@example.com", PASSWORD).await;
    let mut b = s.browser();
    b.login("ann@example.com", PASSWORD).await;
    let stolen = b.session_cookie().expect("session");
    let csrf = b.account_csrf().await;
    let r = b.post_form("/logout", &[("csrf", &csrf)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(r.set_cookies().iter().any(|c| c.starts_with("__Host-signet_session=;") && c.contains("Max-Age=0")));
    // Replaying the old cookie (as a thief would) gets nothing: the row is gone.
    let mut thief = s.browser();
    thief.cookies.insert("__Host-signet_session".into(), stolen);
    assert_eq!(thief.get("/account").await.status, StatusCode::SEE_OTHER);
    let id = s.user("ann@example.com").await.id;
    assert!(s.state.store.list_user_sessions(id).await.expect("sessions").is_empty());
    assert!(audit_kinds(&s).await.contains(&"logout".to_string()));
}

#[tokio::test]
async fn account_page_lists_sessions_and_revokes_one() {
    let s = TestServer::start().await;
    s.create_user("ann@example.com", PASSWORD).await;
    let mut laptop = s.browser();
    laptop.login("ann@example.com", PASSWORD).await;
    let mut phone = s.browser();
    phone.user_agent = "Mozilla/5.0 (Linux; Android 14) Chrome/131.0 Mobile".into();
    phone.login("ann@example.com", PASSWORD).await;

    let page = laptop.get("/account").await;
    assert!(page.body.contains("Firefox on Linux"));
    assert!(page.body.contains("Chrome on Android"));
    assert!(page.body.contains("This session"));
    assert!(page.body.contains("127.0.0.1"));

    let id = s.user("ann@example.com").await.id;
    let sessions = s.state.store.list_user_sessions(id).await.expect("sessions");
    let phone_session = sessions.iter().find(|x| x.user_agent.contains("Android")).expect("phone");
    let csrf = page.csrf();
    let r = laptop.post_form(&format!("/account/sessions/{}/revoke", phone_session.id), &[("csrf", &csrf)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(phone.get("/account").await.status, StatusCode::SEE_OTHER, "phone signed out");
    assert_eq!(laptop.get("/account").await.status, StatusCode::OK, "laptop still in");

    // Someone else's session id cannot be revoked.
    s.create_user("bob@example.com", PASSWORD).await;
    let mut bob = s.browser();
    bob.login("bob@example.com", PASSWORD).await;
    let laptop_session = s.state.store.list_user_sessions(id).await.expect("sessions")[0].id;
    let bob_csrf = bob.account_csrf().await;
    let r = bob.post_form(&format!("/account/sessions/{laptop_session}/revoke"), &[("csrf", &bob_csrf)]).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(laptop.get("/account").await.status, StatusCode::OK);
}

#[tokio::test]
async fn logout_everywhere_ends_all_sessions() {
    let s = TestServer::start().await;
    s.create_user("ann@example.com", PASSWORD).await;
    let mut a = s.browser();
    a.login("ann@example.com", PASSWORD).await;
    let mut b = s.browser();
    b.login("ann@example.com", PASSWORD).await;
    let csrf = a.account_csrf().await;
    let r = a.post_form("/account/logout-everywhere", &[("csrf", &csrf)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(a.get("/account").await.status, StatusCode::SEE_OTHER);
    assert_eq!(b.get("/account").await.status, StatusCode::SEE_OTHER);
    assert!(s.user("ann@example.com").await.revoked_before.is_some(), "tokens issued before now become inactive");
}

#[tokio::test]
async fn logout_everywhere_kills_refresh_families() {
    let s = TestServer::start().await;
    let ann = [s.user_tokens("ann@example.com").await, s.user_tokens("ann@example.com").await];
    let bob = s.user_tokens("bob@example.com").await;
    let mut a = s.signed_in("ann@example.com").await;
    let csrf = a.account_csrf().await;
    assert_eq!(a.post_form("/account/logout-everywhere", &[("csrf", &csrf)]).await.status, StatusCode::SEE_OTHER);
    for t in &ann {
        s.assert_tokens_dead(t).await;
    }
    let ann_id = s.user("ann@example.com").await.id;
    let live = crate::harness::db_strings(
        &s,
        &format!("SELECT CAST(id AS TEXT) FROM refresh_families WHERE user_id = {ann_id} AND revoked_at IS NULL"),
    )
    .await;
    assert!(live.is_empty(), "no family of Ann's left live: {live:?}");
    // Control: another user's tokens are untouched.
    s.assert_tokens_live(&bob).await;
}

#[tokio::test]
async fn password_change_revokes_other_sessions() {
    let s = TestServer::start().await;
    s.create_user("ann@example.com", PASSWORD).await;
    let mut me = s.browser();
    me.login("ann@example.com", PASSWORD).await;
    let before = me.session_cookie().expect("session");
    let mut other = s.browser();
    other.login("ann@example.com", PASSWORD).await;

    let csrf = me.get("/account/password").await.csrf();
    // Wrong current password: refused, nothing changes.
    let r = me
        .post_form(
            "/account/password",
            &[("csrf", &csrf), ("current_password", "nope nope"), ("new_password", "a new long passphrase")],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("current password is incorrect"));
    // A common password is refused.
    let r = me
        .post_form(
            "/account/password",
            &[("csrf", &csrf), ("current_password", PASSWORD), ("new_password", "password123")],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("too common"));

    let r = me
        .post_form(
            "/account/password",
            &[("csrf", &csrf), ("current_password", PASSWORD), ("new_password", "a new long passphrase")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location(), "/account?notice=password_changed");
    let after = me.session_cookie().expect("new session");
    assert_ne!(before, after, "this session's id rotates");
    assert_eq!(me.get("/account").await.status, StatusCode::OK);
    assert_eq!(other.get("/account").await.status, StatusCode::SEE_OTHER, "other device signed out");
    let user = s.user("ann@example.com").await;
    assert!(user.revoked_before.is_some());
    assert_eq!(s.state.store.list_user_sessions(user.id).await.expect("sessions").len(), 1);
    // Old password no longer works, new one does.
    let mut fresh = s.browser();
    assert_eq!(fresh.login("ann@example.com", PASSWORD).await.status, StatusCode::OK);
    assert_eq!(fresh.login("ann@example.com", "a new long passphrase").await.status, StatusCode::SEE_OTHER);
    assert!(audit_kinds(&s).await.contains(&"password_change".to_string()));
}

#[tokio::test]
async fn csrf_token_bound_to_session() {
    // A signed-in form's token is bound to its session: one from another session (or another
    // user) is refused, and the form did nothing.
    let s = TestServer::start().await;
    let mut ann = s.signed_in("ann@example.com").await;
    let mut bob = s.signed_in("bob@example.com").await;
    let ann_token = ann.account_csrf().await;
    let bob_token = bob.account_csrf().await;
    assert_ne!(ann_token, bob_token, "every session has its own token");
    let r = bob.post_form("/account/logout-everywhere", &[("csrf", &ann_token)]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(bob.get("/account").await.status, StatusCode::OK, "nothing happened");
    // A new session of the same user gets a new token; the old one stops working.
    let mut ann2 = s.signed_in("ann@example.com").await;
    let r = ann2.post_form("/account/logout-everywhere", &[("csrf", &ann_token)]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // Control: the session's own token works.
    let r = bob.post_form("/account/logout-everywhere", &[("csrf", &bob_token)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn presession_cookie_lives_twelve_hours() {
    // The login page's CSRF cookie lasts as long as a login page may stay open: 12 hours.
    let s = TestServer::start().await;
    let r = s.browser().get("/login").await;
    let cookie = r.set_cookies().into_iter().find(|c| c.contains("signet_csrf=")).expect("csrf cookie");
    assert!(cookie.contains("Max-Age=43200"), "{cookie}");
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"), "{cookie}");
}
