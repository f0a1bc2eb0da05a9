//! The `signet` command line: config validation, user administration, import, audit.

use reqwest::StatusCode;

use signet_core::redirect_uri::Issuer;

use crate::harness::{run_cli, TestServer, PASSWORD};

#[tokio::test]
async fn config_unknown_key_fails_with_clear_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("signet.toml");
    std::fs::write(&file, "listen = \"127.0.0.1:9000\"\n[session]\nidle_timout = \"5m\"\n").expect("write");
    let (code, _, err) = run_cli(dir.path(), &["config", "check", file.to_str().expect("utf8")], "");
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("idle_timout") && err.contains("unknown field"), "{err}");
    assert!(!err.contains("panicked"));

    std::fs::write(&file, "[session]\nidle_timeout = \"soon\"\n").expect("write");
    let (code, _, err) = run_cli(dir.path(), &["config", "check", file.to_str().expect("utf8")], "");
    assert_eq!(code, 2);
    assert!(err.contains("session.idle_timeout") && err.contains("soon"), "{err}");

    // The server refuses to start on a bad value from the environment, naming it.
    std::fs::remove_file(&file).expect("rm");
    let out =
        crate::harness::signet_cmd(dir.path()).env("SIGNET_LISTEN", "nonsense").arg("serve").output().expect("run");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("listen") && err.contains("nonsense"), "{err}");

    std::fs::write(&file, "listen = \"127.0.0.1:9000\"\n").expect("write");
    let (code, out, _) = run_cli(dir.path(), &["config", "check", file.to_str().expect("utf8")], "");
    assert_eq!(code, 0);
    assert!(out.contains("OK"));
}

#[tokio::test]
async fn bcrypt_import_upgrades_to_argon2id() {
    let s = TestServer::start().await;
    let long = "a long legacy password that is well over seventy-two bytes in length, truly!!";
    assert!(long.len() > 72);
    let lines = [
        serde_json::json!({"email": "legacy@example.com", "password_hash": bcrypt::hash(PASSWORD, 4).expect("bcrypt")}),
        serde_json::json!({"email": "old2y@example.com", "password_hash": bcrypt::hash(PASSWORD, 4).expect("bcrypt").replacen("$2b$", "$2y$", 1)}),
        // Legacy systems hashed only the first 72 bytes.
        serde_json::json!({"email": "long@example.com", "password_hash": bcrypt::hash(&long[..72], 4).expect("bcrypt")}),
    ];
    let file = s.dir.path().join("users.jsonl");
    std::fs::write(&file, lines.iter().map(|l| l.to_string()).collect::<Vec<_>>().join("\n")).expect("write");
    let (code, out, err) = run_cli(s.dir.path(), &["user", "import", file.to_str().expect("utf8")], "");
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("imported 3"));

    for (email, pw) in [("legacy@example.com", PASSWORD), ("old2y@example.com", PASSWORD), ("long@example.com", long)] {
        let before = s.user(email).await.password.expect("password");
        assert!(before.hash.starts_with("$2"));
        assert_eq!(s.browser().login(email, "wrong password").await.status, StatusCode::OK);
        assert_eq!(s.browser().login(email, pw).await.status, StatusCode::SEE_OTHER, "{email}");
        let after = s.user(email).await.password.expect("password");
        assert!(after.hash.starts_with("$argon2id$"), "{email}: {}", after.hash);
        assert_eq!(after.pepper_id.as_deref(), Some("p1"));
        assert_eq!(s.browser().login(email, pw).await.status, StatusCode::SEE_OTHER, "still works after upgrade");
    }
}

#[tokio::test]
async fn import_reports_bad_lines_and_keeps_good_ones() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("users.jsonl");
    let good =
        serde_json::json!({"email": "ok@example.com", "password_hash": bcrypt::hash(PASSWORD, 4).expect("bcrypt")});
    std::fs::write(
        &file,
        format!("{good}\n{{\"email\": \"x@example.com\", \"password_hash\": \"plaintext\"}}\nnot json\n"),
    )
    .expect("write");
    let (code, out, err) = run_cli(dir.path(), &["user", "import", file.to_str().expect("utf8")], "");
    assert_eq!(code, 1);
    assert!(err.contains("line 2") && err.contains("bcrypt"), "{err}");
    assert!(err.contains("line 3"), "{err}");
    assert!(out.contains("imported 1 account(s), 2 failed"));
}

#[tokio::test]
async fn cli_user_create_list_disable_audit() {
    let s = TestServer::start().await;
    let d = s.dir.path();
    let (code, out, err) = run_cli(
        d,
        &["user", "create", "--email", "Admin@Example.com", "--password-stdin", "--admin"],
        &format!("{PASSWORD}\n"),
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("admin@example.com [admin]"));
    let (code, _, err) =
        run_cli(d, &["user", "create", "--email", "admin@example.com", "--password-stdin"], &format!("{PASSWORD}\n"));
    assert_eq!(code, 1);
    assert!(err.contains("already exists"));
    let (code, _, err) =
        run_cli(d, &["user", "create", "--email", "weak@example.com", "--password-stdin"], "password1\n");
    assert_eq!(code, 1);
    assert!(err.contains("too common"));

    let (_, out, _) = run_cli(d, &["user", "list", "--json"], "");
    let users: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(users[0]["email"], "admin@example.com");
    assert_eq!(users[0]["is_admin"], true);

    let mut b = s.browser();
    assert_eq!(b.login("admin@example.com", PASSWORD).await.status, StatusCode::SEE_OTHER);
    assert_eq!(b.get("/api/v1/admin/users").await.status, StatusCode::OK);
    let tokens = s.user_tokens("admin@example.com").await;
    let other = s.user_tokens("other@example.com").await;
    // The last administrator cannot be disabled (the admin API's rule too): make a second one.
    let (code, _, err) = run_cli(d, &["user", "disable", "admin@example.com"], "");
    assert_eq!(code, 1);
    assert!(err.contains("last administrator"), "{err}");
    let (code, _, err) = run_cli(
        d,
        &["user", "create", "--email", "admin2@example.com", "--password-stdin", "--admin"],
        &format!("{PASSWORD}\n"),
    );
    assert_eq!(code, 0, "{err}");
    let (code, _, _) = run_cli(d, &["user", "disable", "admin@example.com"], "");
    assert_eq!(code, 0);
    assert_eq!(b.get("/account").await.status, StatusCode::SEE_OTHER, "disabling ends sessions");
    s.assert_tokens_dead(&tokens).await;
    s.assert_tokens_live(&other).await;
    assert_eq!(s.browser().login("admin@example.com", PASSWORD).await.status, StatusCode::OK, "cannot sign in");
    run_cli(d, &["user", "enable", "admin@example.com"], "");
    let (code, _, _) =
        run_cli(d, &["user", "set-password", "admin@example.com", "--password-stdin"], "brand new passphrase\n");
    assert_eq!(code, 0);
    assert_eq!(s.browser().login("admin@example.com", "brand new passphrase").await.status, StatusCode::SEE_OTHER);

    let (code, out, _) = run_cli(d, &["audit", "list", "--json", "--user", "admin@example.com"], "");
    assert_eq!(code, 0);
    let events: serde_json::Value = serde_json::from_str(&out).expect("json");
    let kinds: Vec<&str> = events.as_array().expect("array").iter().filter_map(|e| e["kind"].as_str()).collect();
    for k in ["user_create", "login_success", "login_failure", "user_disable", "user_enable", "password_change"] {
        assert!(kinds.contains(&k), "{k} missing from {kinds:?}");
    }
    let (code, _, err) = run_cli(d, &["user", "disable", "nobody@example.com"], "");
    assert_eq!(code, 1);
    assert!(err.contains("no account"));
}

#[tokio::test]
async fn redirect_uri_with_control_characters_refused() {
    let s = TestServer::start().await;
    for bad in [
        "https://a.example/cb\nhttp://evil.example/x",
        "https://a.example/cb\r\n",
        "https://a.example/c b",
        "https://a.example/\u{1b}[2J",
    ] {
        for flag in ["--redirect-uri", "--post-logout-redirect-uri"] {
            let mut args = vec!["client", "create", "--name", "x", "--grant", "authorization_code", "--json"];
            if flag != "--redirect-uri" {
                args.extend(["--redirect-uri", "https://a.example/cb"]);
            }
            args.extend([flag, bad]);
            let (code, _, err) = run_cli(s.dir.path(), &args, "");
            assert_ne!(code, 0, "{bad:?} via {flag}");
            assert!(err.contains("whitespace or control characters"), "{err}");
        }
    }
    assert!(s.state.store.list_clients().await.expect("list").is_empty(), "nothing was registered");
    // Control: a clean URI registers, exactly once.
    let (code, out, err) = run_cli(
        s.dir.path(),
        &[
            "client",
            "create",
            "--name",
            "x",
            "--grant",
            "authorization_code",
            "--redirect-uri",
            "https://a.example/cb",
            "--json",
        ],
        "",
    );
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["redirect_uris"], serde_json::json!(["https://a.example/cb"]));
}

#[tokio::test]
async fn audit_list_escapes_control_characters() {
    let s = TestServer::start().await;
    s.create_user("ann@example.com", PASSWORD).await;
    // A login attempt whose email is an escape sequence and a forged second line.
    let forged = "x\u{1b}[2J\u{1b}[1;31m\nFAKE login_success user=1 email=admin@example.com\u{9b}31m";
    let mut b = s.browser();
    b.login(forged, "wrong password").await;
    b.login("ANN@Example.com ", "wrong password").await;
    let (code, out, err) = run_cli(s.dir.path(), &["audit", "list"], "");
    assert_eq!(code, 0, "{err}");
    assert!(!out.chars().any(|c| c.is_control() && c != '\n'), "no control character reaches the terminal: {out:?}");
    assert!(!out.lines().any(|l| l.starts_with("FAKE")), "no forged line: {out}");
    assert_eq!(out.lines().count(), 2, "one line per event: {out}");
    // What is stored is the parsed, normalised address, or nothing.
    let events = s.state.store.list_audit(None, 10).await.expect("audit");
    let emails: Vec<Option<String>> = events.iter().map(|e| e.email.clone()).collect();
    assert!(emails.contains(&Some("ann@example.com".into())), "{emails:?}");
    assert!(emails.contains(&None), "{emails:?}");
    // Values that do hold control characters (a client name, say) are shown escaped.
    let (code, _, err) = run_cli(
        s.dir.path(),
        &["client", "create", "--name", "evil\u{1b}[2Jname\nline", "--grant", "client_credentials"],
        "",
    );
    assert_eq!(code, 0, "{err}");
    let (_, out, _) = run_cli(s.dir.path(), &["client", "list"], "");
    assert!(out.contains("evil\\u{1b}[2Jname\\nline"), "{out}");
    assert!(!out.contains('\u{1b}'));
}

#[tokio::test]
async fn audit_covers_device_revocation_consent_client_key_events() {
    use crate::harness::{authz_query, hidden_field, location_params, pkce};
    let s = TestServer::start().await;
    let kinds = |s: &TestServer| {
        let s = s.state.store.clone();
        async move { s.list_audit(None, 1000).await.expect("audit") }
    };
    // Client lifecycle and keys through the CLI: actor "cli".
    let (_, out, _) = run_cli(s.dir.path(), &["client", "create", "--name", "c", "--json"], "");
    let id =
        serde_json::from_str::<serde_json::Value>(&out).expect("json")["client_id"].as_str().expect("id").to_owned();
    run_cli(s.dir.path(), &["client", "rotate-secret", &id], "");
    run_cli(s.dir.path(), &["client", "delete", &id], "");
    run_cli(s.dir.path(), &["keys", "rotate", "--alg", "ES256"], "");
    let kid = s.state.store.list_keys().await.expect("keys").into_iter().find(|k| k.alg == "ES256").expect("key").kid;
    run_cli(s.dir.path(), &["keys", "revoke", &kid], "");
    // Scheduled rotation: actor "system".
    let later = s.state.now() + time::Duration::days(31);
    let publish = signet_server::key_publish_time(&s.state.config);
    s.state.keys.rotate_due(s.state.store.as_ref(), later, time::Duration::days(30), publish).await.expect("rotate");
    // Consent granted and withdrawn: actor the user.
    let c = s.code_client("openid", false, false).await;
    let p = pkce();
    let mut b = s.signed_in("ann@example.com").await;
    let r = b.authorize(&authz_query(&c.id, &p.challenge, &[])).await;
    let code = location_params(r.location())["code"].clone();
    let (status, tokens) = s.exchange(&c, &code, &p.verifier).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    let page = b.get("/account").await;
    b.post_form(&format!("/account/apps/{}/revoke", c.id), &[("csrf", &page.csrf())]).await;
    // Token revocation: actor the client.
    for t in ["access_token", "refresh_token"] {
        s.oauth_post("/oauth2/revoke", &c, &[("token", tokens[t].as_str().expect("token"))]).await;
    }
    // Device approval and denial.
    let dc = s.client(&["urn:ietf:params:oauth:grant-type:device_code"], "tv", &[], true).await;
    for decision in ["allow", "deny"] {
        let d: serde_json::Value = reqwest::Client::new()
            .post(format!("{}/oauth2/device_authorization", s.base))
            .form(&[("client_id", dc.id.as_str())])
            .send()
            .await
            .expect("send")
            .json()
            .await
            .expect("json");
        let uc = d["user_code"].as_str().expect("uc");
        let page = b.get(&format!("/device?user_code={uc}")).await;
        let confirm = b.post_form("/device", &[("csrf", &page.csrf()), ("user_code", uc)]).await;
        let _ = hidden_field(&confirm.body, "csrf");
        b.post_form("/device", &[("csrf", &confirm.csrf()), ("user_code", uc), ("decision", decision)]).await;
    }
    let events = kinds(&s).await;
    let uid = s.user("ann@example.com").await.id;
    let expect = |kind: &str, actor: &str, n: usize| {
        let found: Vec<_> = events.iter().filter(|e| e.kind == kind).collect();
        assert_eq!(found.len(), n, "{kind}: {found:?}");
        for e in found {
            assert_eq!(e.actor, actor, "{kind}");
        }
    };
    let user = format!("user:{uid}");
    let client = format!("client:{}", c.id);
    expect("client_create", "cli", 1);
    expect("client_secret_rotate", "cli", 1);
    expect("client_delete", "cli", 1);
    expect("key_revoke", "cli", 1);
    assert!(events.iter().any(|e| e.kind == "key_rotate" && e.actor == "cli"));
    assert!(events.iter().any(|e| e.kind == "key_rotate" && e.actor == "system"), "scheduled rotation");
    expect("consent_grant", &user, 1);
    expect("consent_revoke", &user, 1);
    expect("token_revoke", &client, 2);
    expect("device_approve", &user, 1);
    expect("device_deny", &user, 1);
    assert!(events.iter().filter(|e| e.kind == "token_revoke").all(|e| e.user_id == Some(uid)));
}

/// The CLI applies the registration rules of `signet_core::client` (the admin API will too):
/// for each broken rule, `signet client create` refuses with core's message and creates nothing;
/// a valid registration beside them is created.
#[tokio::test]
async fn client_registration_rules_shared_by_cli_and_core() {
    use signet_core::client::{Registration, SigningAlg};
    let s = TestServer::start().await;
    let configured: Vec<SigningAlg> = s.state.keys.algs().iter().filter_map(|a| SigningAlg::parse(a)).collect();
    let web = || Registration {
        name: "App".into(),
        grant_types: vec!["authorization_code".into()],
        redirect_uris: vec!["https://app.example/cb".into()],
        ..Registration::default()
    };
    let cases: Vec<(Registration, Vec<&str>)> = vec![
        (Registration { grant_types: vec!["password".into()], ..web() }, vec!["--grant", "password"]),
        (Registration { redirect_uris: vec![], ..web() }, vec!["--grant", "authorization_code"]),
        (
            Registration { redirect_uris: vec!["http://evil.example/cb".into()], ..web() },
            vec!["--grant", "authorization_code", "--redirect-uri", "http://evil.example/cb"],
        ),
        (
            Registration { public: true, grant_types: vec!["client_credentials".into()], ..web() },
            vec!["--public", "--grant", "client_credentials", "--redirect-uri", "https://app.example/cb"],
        ),
        (
            Registration { signing_alg: Some("HS256".into()), ..web() },
            vec!["--grant", "authorization_code", "--redirect-uri", "https://app.example/cb", "--signing-alg", "HS256"],
        ),
        (
            Registration { subject_type: Some("secret".into()), ..web() },
            vec![
                "--grant",
                "authorization_code",
                "--redirect-uri",
                "https://app.example/cb",
                "--subject-type",
                "secret",
            ],
        ),
        (
            Registration { access_token_ttl: Some(-5), ..web() },
            vec!["--grant", "authorization_code", "--redirect-uri", "https://app.example/cb", "--access-token-ttl=-5"],
        ),
    ];
    let before = s.state.store.list_clients().await.expect("clients").len();
    for (reg, flags) in cases {
        let Err(core) = reg.validate(&configured, Issuer::Production) else { unreachable!("core accepts {reg:?}") };
        let mut args = vec!["client", "create", "--name", "App"];
        args.extend(flags);
        let (code, _, err) = run_cli(s.dir.path(), &args, "");
        assert_ne!(code, 0, "{args:?}");
        assert!(err.contains(&core.message), "{args:?}: CLI said {err:?}, core says {core}");
    }
    assert_eq!(s.state.store.list_clients().await.expect("clients").len(), before, "nothing created");
    assert!(web().validate(&configured, Issuer::Production).is_ok());
    let (code, _, err) = run_cli(
        s.dir.path(),
        &[
            "client",
            "create",
            "--name",
            "App",
            "--grant",
            "authorization_code",
            "--redirect-uri",
            "https://app.example/cb",
        ],
        "",
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(s.state.store.list_clients().await.expect("clients").len(), before + 1);
}

/// An unknown key is an error that names it — in a file section, at the top level, or from the
/// environment (naming the variable) — and the server does not start (exit code 2).
#[tokio::test]
async fn config_unknown_key_names_the_key() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("signet.toml");
    let path = file.to_str().expect("utf8");
    for (text, section, key) in [
        ("[session]\nidle_timout = \"5m\"\n", "session", "idle_timout"),
        ("[tokens]\nsigning_algo = \"ES256\"\n", "tokens", "signing_algo"),
        ("lisen = \"127.0.0.1:9000\"\n", "", "lisen"),
    ] {
        std::fs::write(&file, text).expect("write");
        let (code, _, err) = run_cli(dir.path(), &["config", "check", path], "");
        assert_eq!(code, 2, "{err}");
        assert!(err.contains(key) && err.contains("unknown field"), "{err}");
        assert!(err.contains(section), "{err}");
    }
    std::fs::remove_file(&file).expect("rm");
    let out = crate::harness::signet_cmd(dir.path())
        .env("SIGNET_SESSION__IDLE_TIMOT", "5m")
        .arg("serve")
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("SIGNET_SESSION__IDLE_TIMOT") && err.contains("idle_timot"), "{err}");
    // Control: the right spelling starts checking fine.
    std::fs::write(&file, "[session]\nidle_timeout = \"5m\"\n").expect("write");
    let (code, _, err) = run_cli(dir.path(), &["config", "check", path], "");
    assert_eq!(code, 0, "{err}");
}

/// `http://localhost:PORT` redirect URIs (every framework tutorial's) are accepted when the
/// issuer itself is loopback http, refused for an https issuer — at registration and again at
/// the authorization request, should the issuer change after registration.
#[tokio::test]
async fn localhost_redirect_allowed_only_for_loopback_issuer() {
    let s = TestServer::start().await; // issuer https://signet.test
    let create = |issuer: &str| {
        let out = crate::harness::signet_cmd(s.dir.path())
            .env("SIGNET_ISSUER", issuer)
            .args(["client", "create", "--name", "Dev app", "--public", "--grant", "authorization_code"])
            .args(["--redirect-uri", "http://localhost:3000/callback", "--scope", "openid", "--json"])
            .output()
            .expect("run signet");
        (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into_owned(), out.stderr)
    };
    let (code, _, err) = create("https://signet.test");
    assert_eq!(code, 1);
    let err = String::from_utf8_lossy(&err);
    assert!(err.contains("--redirect-uri") && err.contains("http://localhost:3000/callback"), "{err}");
    assert!(s.state.store.list_clients().await.expect("clients").is_empty(), "nothing stored");
    for issuer in ["https://localhost:8443", "http://localhost.example.com"] {
        let (code, _, _) = create(issuer);
        assert_ne!(code, 0, "{issuer}");
    }

    // A development issuer takes it.
    let (code, out, err) = create("http://localhost:8080");
    assert_eq!(code, 0, "{}", String::from_utf8_lossy(&err));
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    let id = v["client_id"].as_str().expect("client_id").to_owned();
    assert_eq!(v["redirect_uris"], serde_json::json!(["http://localhost:3000/callback"]));

    // At the authorization request: the https server refuses it with a page, never a redirect…
    let p = crate::harness::pkce();
    let q = crate::harness::authz_query(&id, &p.challenge, &[("redirect_uri", "http://localhost:3000/callback")]);
    let r = s.browser().get(&format!("/oauth2/authorize?{q}")).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.location().is_empty(), "{}", r.location());
    assert!(r.body.contains("development server"), "{}", r.body);
    // …while a development server on the same database goes on to sign-in.
    let dev = s.another_instance(|c| c.issuer = "auto".into()).await;
    let r = dev.browser().get(&format!("/oauth2/authorize?{q}")).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(r.location().starts_with("/login?return_to="), "{}", r.location());
}

/// `--grant device_code` registers RFC 8628's grant under its full URN.
#[tokio::test]
async fn device_code_short_grant_name() {
    let s = TestServer::start().await;
    let (code, out, err) = run_cli(
        s.dir.path(),
        &["client", "create", "--name", "TV", "--public", "--grant", "device_code", "--json"],
        "",
    );
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["grant_types"], serde_json::json!(["urn:ietf:params:oauth:grant-type:device_code"]));
    // A typo is still an error that lists the names.
    let (code, _, err) = run_cli(s.dir.path(), &["client", "create", "--name", "TV", "--grant", "device"], "");
    assert_eq!(code, 1);
    assert!(err.contains("device_code"), "{err}");
    assert_eq!(s.state.store.list_clients().await.expect("clients").len(), 1);
}

/// The README's command table is the one `signet cli-reference` generates from the clap
/// definitions: a flag added to the CLI and not to the README fails here.
#[test]
fn readme_lists_every_cli_flag() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = crate::harness::signet_cmd(dir.path()).arg("cli-reference").output().expect("run signet");
    assert!(out.status.success());
    let generated = String::from_utf8(out.stdout).expect("utf-8");
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md")).expect("README");
    assert!(
        readme.contains(&generated),
        "README.md's command table is stale; replace it with the output of `signet cli-reference`:\n{generated}"
    );
    for flag in ["--skip-consent", "--post-logout-redirect-uri", "--require-mfa", "--password-stdin", "--alg"] {
        assert!(generated.contains(flag), "{flag}");
    }
    assert_eq!(generated.matches("| `signet ").count(), 59, "every command has a row");
}

#[tokio::test]
async fn cli_sets_profile_and_verifies_email() {
    let s = TestServer::start().await;
    s.create_user("ann@example.com", PASSWORD).await;
    let dir = s.dir.path();
    // A bad value is refused, naming the option, and nothing is stored.
    let (code, _, err) = run_cli(
        dir,
        &["user", "set-profile", "ann@example.com", "--name", "Ann", "--picture", "http://x.example/a"],
        "",
    );
    assert_ne!(code, 0);
    assert!(err.contains("--picture"), "{err}");
    assert!(s.user("ann@example.com").await.profile.is_empty());
    let (code, out, err) =
        run_cli(dir, &["user", "set-profile", "ann@example.com", "--name", "Ann Example", "--locale", "de-CH"], "");
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("\"name\": \"Ann Example\""), "{out}");
    let p = s.user("ann@example.com").await.profile;
    assert_eq!((p.name.as_deref(), p.locale.as_deref()), (Some("Ann Example"), Some("de-CH")));
    // An empty value clears one field and leaves the others.
    assert_eq!(run_cli(dir, &["user", "set-profile", "ann@example.com", "--locale", ""], "").0, 0);
    let p = s.user("ann@example.com").await.profile;
    assert_eq!((p.name.as_deref(), p.locale), (Some("Ann Example"), None));

    // Verification: one of --send or --mark is required.
    assert_ne!(run_cli(dir, &["user", "verify-email", "ann@example.com"], "").0, 0);
    let (code, _, err) = run_cli(dir, &["user", "verify-email", "ann@example.com", "--send"], "");
    assert_eq!(code, 0, "{err}");
    let queued = crate::harness::db_strings(&s, "SELECT kind FROM mail_outbox").await;
    assert!(queued.iter().any(|k| k == "verify_email"), "{queued:?}");
    assert!(!s.user("ann@example.com").await.email_verified());
    assert_eq!(run_cli(dir, &["user", "verify-email", "ann@example.com", "--mark"], "").0, 0);
    assert!(s.user("ann@example.com").await.email_verified());
}
