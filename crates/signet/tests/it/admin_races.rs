//! Admin rules that must hold under concurrent writers (multi-thread runtime): the last
//! enabled administrator stays one even when two demotions race.

use reqwest::StatusCode;
use serde_json::{json, Value};
use signet_store::UserPatch;

use crate::admin_api::token;
use crate::harness::{TestServer, PASSWORD};

async fn enabled_admins(s: &TestServer) -> usize {
    s.state.store.list_users().await.expect("users").iter().filter(|u| u.is_admin && !u.disabled).count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn last_admin_demotion_race_keeps_one() {
    let s = TestServer::start().await;
    let ids = [s.create_user("a@example.com", PASSWORD).await, s.create_user("b@example.com", PASSWORD).await];
    let admin = token(&s, "signet:admin").await;
    let http = reqwest::Client::new();
    for round in 0..12 {
        for id in ids {
            let both = UserPatch { is_admin: Some(true), disabled: Some(false) };
            s.state.store.patch_user(id, None, &both, s.state.now()).await.expect("promote");
        }
        assert_eq!(enabled_admins(&s).await, 2);
        // Demote one and disable the other (or both the same way) at once, on two threads.
        let bodies = match round % 3 {
            0 => [json!({ "is_admin": false }), json!({ "is_admin": false })],
            1 => [json!({ "disabled": true }), json!({ "disabled": true })],
            _ => [json!({ "is_admin": false }), json!({ "disabled": true })],
        };
        let tasks: Vec<_> = ids
            .iter()
            .zip(bodies)
            .map(|(id, body)| {
                let req = http
                    .patch(format!("{}/api/v1/admin/users/{id}", s.base))
                    .bearer_auth(&admin)
                    .header("content-type", "application/json")
                    .body(body.to_string());
                tokio::spawn(async move {
                    let r = req.send().await.expect("send");
                    (r.status(), r.json::<Value>().await.unwrap_or(Value::Null))
                })
            })
            .collect();
        let mut answers = Vec::new();
        for t in tasks {
            answers.push(t.await.expect("task"));
        }
        let mut statuses: Vec<StatusCode> = answers.iter().map(|a| a.0).collect();
        statuses.sort();
        assert_eq!(statuses, [StatusCode::OK, StatusCode::FORBIDDEN], "round {round}: {answers:?}");
        let refused = answers.iter().find(|a| a.0 == StatusCode::FORBIDDEN).expect("refused");
        assert!(refused.1["error_description"].as_str().unwrap_or("").contains("last administrator"), "{refused:?}");
        assert_eq!(enabled_admins(&s).await, 1, "round {round}: one administrator stays");
    }
}
