//! The pages as a user and an operator meet them: language, branding, theme files, naming the
//! app, and errors tied to their fields. (Accessibility, phone widths and screenshots are
//! checked in Chromium: interop/tests/pages_a11y.test.mjs.)

use reqwest::StatusCode;

use crate::harness::{authz_query, hidden_field, pkce, Browser, TestServer, PASSWORD};

/// The pages a signed-in user and a visitor can open, for checks that hold on every page.
async fn every_page(s: &TestServer, b: &mut Browser) -> Vec<(String, crate::harness::Resp)> {
    let mut out = Vec::new();
    for path in [
        "/account",
        "/account/security",
        "/account/password",
        "/device",
        "/help/sign-in",
        "/no-such-page",
        "/oauth2/authorize?client_id=unknown",
    ] {
        out.push((path.to_owned(), b.get(path).await));
    }
    let mut anon = s.browser();
    anon.headers = b.headers.clone();
    for path in ["/login", "/signup", "/help/sign-in"] {
        out.push((format!("{path} (signed out)"), anon.get(path).await));
    }
    out
}

#[tokio::test]
async fn accept_language_de_renders_german() {
    let s = TestServer::start().await;
    let mut b = s.browser();
    b.headers.push(("accept-language".into(), "de-CH, de;q=0.9, en;q=0.5".into()));
    let page = b.get("/login").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("<html lang=\"de\""), "{}", page.body);
    assert!(page.body.contains("<h1>Anmelden</h1>"));
    assert!(page.body.contains("Passwort"));
    assert!(!page.body.contains("Password<"), "no English left on the page");
    assert_eq!(page.header("content-language"), Some("de"));
    // Errors are German too, field errors and page errors alike.
    let r = b.post_form("/login", &[("csrf", &page.csrf()), ("email", "ann@example.com"), ("password", "x")]).await;
    assert!(r.body.contains("E-Mail-Adresse oder Passwort ist falsch."), "{}", r.body);
    let missing = b.get("/no-such-page").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(missing.body.contains("Nicht gefunden"));
    // Control: no preference is English; an unsupported one falls back to English.
    let en = s.browser().get("/login").await;
    assert!(en.body.contains("<html lang=\"en\"") && en.body.contains("<h1>Sign in</h1>"));
    let mut ja = s.browser();
    ja.headers.push(("accept-language".into(), "ja".into()));
    assert!(ja.get("/login").await.body.contains("<h1>Sign in</h1>"));
}

#[tokio::test]
async fn ui_locales_overrides_accept_language() {
    let s = TestServer::start().await;
    let c = s.code_client("openid", false, false).await;
    let p = pkce();
    let mut b = s.browser();
    b.headers.push(("accept-language".into(), "de".into()));
    // OIDC Core §3.1.2.1: the app asks for French; the login page that follows is French.
    let r =
        b.get(&format!("/oauth2/authorize?{}", authz_query(&c.id, &p.challenge, &[("ui_locales", "fr-CA de")]))).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let login = b.get(r.location()).await;
    assert!(login.body.contains("<html lang=\"fr\""), "{}", login.body);
    assert!(login.body.contains("<h1>Se connecter</h1>"));
    // The user's own choice in the footer wins afterwards.
    let switch = b.get("/language/de?return_to=%2Flogin").await;
    assert_eq!(switch.status, StatusCode::SEE_OTHER);
    assert_eq!(switch.location(), "/login");
    assert!(b.get("/login").await.body.contains("<h1>Anmelden</h1>"));
    // The switcher only goes back to this site, and only knows its languages.
    assert_eq!(b.get("/language/fr?return_to=%2F%2Fevil.example%2F").await.location(), "/account");
    assert_eq!(b.get("/language/xx?return_to=%2Flogin").await.status, StatusCode::NOT_FOUND);
    // An unsupported ui_locales leaves the choice alone.
    let r = b.get(&format!("/oauth2/authorize?{}", authz_query(&c.id, &p.challenge, &[("ui_locales", "ja")]))).await;
    assert!(r.set_cookies().iter().all(|c| !c.contains("signet_lang")), "{:?}", r.set_cookies());
}

fn branded_server_dirs() -> (tempfile::TempDir, std::path::PathBuf, std::path::PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let statics = dir.path().join("static");
    let templates = dir.path().join("templates");
    std::fs::create_dir_all(&statics).expect("static dir");
    std::fs::create_dir_all(&templates).expect("templates dir");
    std::fs::write(statics.join("acme-logo.svg"), "<svg xmlns=\"http://www.w3.org/2000/svg\"/>").expect("logo");
    std::fs::write(statics.join("acme.png"), [0x89, b'P', b'N', b'G']).expect("favicon");
    (dir, statics, templates)
}

#[tokio::test]
async fn branding_config_applied_to_every_page() {
    let (_dir, statics, _) = branded_server_dirs();
    let s = TestServer::with(|c| {
        c.branding.product_name = "Acme ID".into();
        c.branding.static_dir = Some(statics.clone());
        c.branding.logo = Some("acme-logo.svg".into());
        c.branding.favicon = Some("acme.png".into());
        c.branding.support_url = Some("https://help.acme.example/".into());
        c.branding.privacy_url = Some("https://acme.example/privacy".into());
    })
    .await;
    let mut b = s.signed_in("ann@example.com").await;
    let pages = every_page(&s, &mut b).await;
    assert_eq!(pages.len(), 10);
    for (path, page) in &pages {
        // (minijinja writes "/" in attribute values as "&#x2f;"; a browser reads it as "/".)
        let body = page.body.replace("&#x2f;", "/");
        assert!(body.contains("· Acme ID</title>"), "{path}: {body}");
        assert!(body.contains("<img src=\"/static/acme-logo.svg\""), "{path}");
        assert!(body.contains("<link rel=\"icon\" href=\"/static/acme.png\">"), "{path}");
        assert!(body.contains("href=\"https://help.acme.example/\""), "{path}");
        assert!(body.contains("href=\"https://acme.example/privacy\""), "{path}");
        assert!(!body.contains("Signet"), "{path}: the product is Acme ID here");
    }
    let logo = b.get("/static/acme-logo.svg").await;
    assert_eq!(logo.header("content-type"), Some("image/svg+xml"));
    assert_eq!(b.get("/favicon.ico").await.header("content-type"), Some("image/png"));
    assert_eq!(b.get("/static/..%2Fsecrets.toml").await.status, StatusCode::NOT_FOUND);
    // Copy names the product: the sign-out question and the passkey relying party.
    let c = s.code_client("openid", false, true).await;
    let q = format!("/oauth2/logout?client_id={}", c.id);
    assert!(b.get(&q).await.body.contains("Sign out of Acme ID?"));
    // Control: without branding, Signet's own name and icon.
    let plain = TestServer::start().await;
    let login = plain.browser().get("/login").await.body.replace("&#x2f;", "/");
    assert!(login.contains("· Signet</title>") && login.contains("href=\"/static/favicon.svg\""));
    assert_eq!(plain.browser().get("/favicon.ico").await.header("content-type"), Some("image/svg+xml"));
}

#[tokio::test]
async fn template_override_replaces_builtin() {
    let (_dir, _, templates) = branded_server_dirs();
    std::fs::write(
        templates.join("login.html"),
        "{% extends \"base.html\" %}{% block main %}<h1 id=\"acme-login\">{{ t(\"login-title\") }} – Acme</h1>\
         <form method=\"post\" action=\"/login\"><input type=\"hidden\" name=\"csrf\" value=\"{{ csrf }}\"></form>{% endblock %}",
    )
    .expect("template");
    let t = templates.clone();
    let s = TestServer::with(move |c| c.branding.templates_dir = Some(t)).await;
    let page = s.browser().get("/login").await;
    assert!(page.body.contains("<h1 id=\"acme-login\">Sign in – Acme</h1>"), "{}", page.body);
    assert!(!page.csrf().is_empty(), "the override gets the same variables");
    // Other pages keep the built-in templates.
    assert!(s.browser().get("/signup").await.body.contains("<h1>Create an account</h1>"));
    // A file that replaces nothing, or a template that does not compile, stops the start.
    std::fs::write(templates.join("logn.html"), "typo").expect("write");
    let mut config = signet_server::Config::default();
    config.branding.templates_dir = Some(templates.clone());
    let err = signet_server::pages::Pages::new(&config.branding).expect_err("unknown template name");
    assert!(err.to_string().contains("\"logn.html\" is not one of Signet's templates"), "{err}");
    std::fs::remove_file(templates.join("logn.html")).expect("rm");
    std::fs::write(templates.join("signup.html"), "{% if %}").expect("write");
    let err = signet_server::pages::Pages::new(&config.branding).expect_err("broken template");
    assert!(err.to_string().contains("signup.html"), "{err}");
}

/// The accent pair served in the stylesheet, for light and dark mode.
fn accents(css: &str) -> Vec<([u8; 3], [u8; 3])> {
    let colour = |s: &str, key: &str| {
        let at = s.find(key).expect(key) + key.len();
        signet_server::config::parse_hex_colour(s[at..].trim_start().get(..7).expect("hex")).expect("colour")
    };
    let generated = &css[css.find("/* accent (generated").expect("generated block")..];
    generated
        .split(":root {")
        .skip(1)
        .map(|block| (colour(block, "--accent:"), colour(block, "--on-accent:")))
        .collect()
}

#[tokio::test]
async fn operator_accent_colour_keeps_contrast() {
    use signet_server::pages::theme::{contrast, AA};
    for accent in ["#ffff00", "#7aa2ff", "#000000", "#e91e63"] {
        let s = TestServer::with(|c| c.branding.accent_color = Some(accent.into())).await;
        let css = s.browser().get("/static/signet.css").await.body;
        let pairs = accents(&css);
        assert_eq!(pairs.len(), 2, "light and dark: {css}");
        let (light, on_light) = pairs[0];
        let (dark, on_dark) = pairs[1];
        for bg in [[0xff, 0xff, 0xff], [0xf6, 0xf7, 0xf9]] {
            assert!(contrast(light, bg) >= AA, "{accent}: links in light mode");
        }
        for bg in [[0x1b, 0x1f, 0x24], [0x11, 0x14, 0x18]] {
            assert!(contrast(dark, bg) >= AA, "{accent}: links in dark mode");
        }
        assert!(contrast(on_light, light) >= AA, "{accent}: button text, light");
        assert!(contrast(on_dark, dark) >= AA, "{accent}: button text, dark");
    }
    // A colour that is not one is refused at start, naming the key.
    let err =
        signet_server::Config::load("[branding]\naccent_color = \"blue\"\n", "signet.toml", &[]).expect_err("bad");
    assert_eq!(err.key, "branding.accent_color");
}

#[tokio::test]
async fn login_from_app_names_the_app() {
    let s = TestServer::start().await;
    s.create_user("ann@example.com", PASSWORD).await;
    let c = s.code_client("openid", false, false).await;
    let p = pkce();
    let mut b = s.browser();
    let r = b.get(&format!("/oauth2/authorize?{}", authz_query(&c.id, &p.challenge, &[]))).await;
    let login = b.get(r.location()).await;
    assert!(login.body.contains("Sign in to continue to Example App."), "{}", login.body);
    // A wrong password keeps the app named (the form carries return_to).
    let return_to = hidden_field(&login.body, "return_to").expect("return_to");
    let again = b
        .post_form(
            "/login",
            &[("csrf", &login.csrf()), ("email", "ann@example.com"), ("password", "no"), ("return_to", &return_to)],
        )
        .await;
    assert!(again.body.contains("Sign in to continue to Example App."));
    // Control: the plain login page names no app.
    assert!(!s.browser().get("/login").await.body.contains("continue to"));
    // The consent page names it and says it is not the operator's own.
    let r = b
        .post_form(
            "/login",
            &[("csrf", &login.csrf()), ("email", "ann@example.com"), ("password", PASSWORD), ("return_to", &return_to)],
        )
        .await;
    let consent = b.follow(r).await;
    assert!(consent.body.contains("Example App is not run by Signet."), "{}", consent.body);
    // Connected apps and consent use the same plain words for scopes.
    assert!(consent.body.contains("Confirm who you are (your account id)"));
}

#[tokio::test]
async fn logout_confirmation_names_the_app() {
    let s = TestServer::start().await;
    let c = s.code_client("openid", false, true).await;
    let mut b = s.signed_in("ann@example.com").await;
    let page = b.get(&format!("/oauth2/logout?client_id={}", c.id)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("<span id=\"logout-app\">Example App asked to sign you out.</span>"), "{}", page.body);
    // Without client_id, the request names no app, and the page does not pretend to.
    let anonymous = b.get("/oauth2/logout").await;
    assert!(anonymous.body.contains("An application asked to sign you out."));
    assert!(!anonymous.body.contains("logout-app"));
}

#[tokio::test]
async fn invalid_field_marked_and_focused() {
    let s = TestServer::start().await;
    let mut b = s.browser();
    let page = b.get("/signup").await;
    let short =
        b.post_form("/signup", &[("csrf", &page.csrf()), ("email", "new@example.com"), ("password", "short")]).await;
    assert_eq!(short.status, StatusCode::BAD_REQUEST);
    let field = |body: &str, id: &str| {
        let at = body.find(&format!("id=\"{id}\"")).expect(id);
        body[at..at + body[at..].find('>').expect("tag end")].to_owned()
    };
    let pw = field(&short.body, "password");
    assert!(pw.contains("aria-invalid=\"true\"") && pw.contains("autofocus"), "{pw}");
    assert!(pw.contains("aria-describedby=\"signup-error password-help\""), "{pw}");
    let email = field(&short.body, "email");
    assert!(!email.contains("aria-invalid") && !email.contains("autofocus"), "{email}");
    // The bad address: the email field instead.
    let bad =
        b.post_form("/signup", &[("csrf", &page.csrf()), ("email", "not-an-address"), ("password", PASSWORD)]).await;
    let email = field(&bad.body, "email");
    assert!(email.contains("aria-invalid=\"true\"") && email.contains("autofocus"), "{email}");
    assert!(!field(&bad.body, "password").contains("aria-invalid"));
    // A registered address gets the same answer as a new one (no "already exists").
    s.create_user("ann@example.com", PASSWORD).await;
    let taken =
        b.post_form("/signup", &[("csrf", &page.csrf()), ("email", "ann@example.com"), ("password", PASSWORD)]).await;
    assert_eq!(taken.status, StatusCode::OK);
    assert!(!taken.body.contains("aria-invalid") && !taken.body.contains("already exists"), "{}", taken.body);
    // Control: a fresh form marks nothing.
    assert!(!b.get("/signup").await.body.contains("aria-invalid"));
}

/// A client registered with a logo and home page (RFC 7591 §2) shows both on the consent page;
/// only that logo's origin joins the page's `img-src`.
#[tokio::test]
async fn consent_shows_client_logo_and_homepage() {
    let s = TestServer::start().await;
    let (code, out, err) = crate::harness::run_cli(
        s.dir.path(),
        &[
            "client",
            "create",
            "--name",
            "Notes",
            "--grant",
            "authorization_code",
            "--scope",
            "openid",
            "--redirect-uri",
            "https://app.example.com/cb",
            "--logo-uri",
            "https://cdn.example.com/notes.png",
            "--client-uri",
            "https://notes.example.com/",
            "--json",
        ],
        "",
    );
    assert_eq!(code, 0, "{err}");
    let id =
        serde_json::from_str::<serde_json::Value>(&out).expect("json")["client_id"].as_str().expect("id").to_owned();
    let mut b = s.signed_in("ann@example.com").await;
    let p = pkce();
    let consent =
        b.get_follow(&format!("/oauth2/authorize?{}", authz_query(&id, &p.challenge, &[("scope", "openid")]))).await;
    let body = consent.body.replace("&#x2f;", "/");
    assert!(body.contains("<img src=\"https://cdn.example.com/notes.png\""), "{body}");
    assert!(body.contains("<a href=\"https://notes.example.com/\""), "{body}");
    let csp = consent.header("content-security-policy").expect("csp");
    assert!(csp.contains("img-src 'self' data: https://cdn.example.com;"), "{csp}");
    // Control: a client without them shows neither and keeps img-src to this site.
    let plain = s.code_client("openid", false, false).await;
    let other = b
        .get_follow(&format!("/oauth2/authorize?{}", authz_query(&plain.id, &p.challenge, &[("scope", "openid")])))
        .await;
    assert!(!other.body.contains("<img") && !other.body.contains("consent-client-uri"));
    assert!(other.header("content-security-policy").expect("csp").contains("img-src 'self' data:;"));
    // Registration refuses a logo that is not https.
    let (code, _, err) = crate::harness::run_cli(
        s.dir.path(),
        &["client", "create", "--name", "Bad", "--logo-uri", "javascript:alert(1)"],
        "",
    );
    assert_eq!(code, 1);
    assert!(err.contains("--logo-uri"), "{err}");
}
