//! Translations. Every string a page or a page error shows comes from a Fluent catalog
//! (`locales/*.ftl`, compiled in); `every_catalog_has_every_key` keeps the catalogs complete.
//!
//! The language of a request is chosen once, by [`scope`] (a middleware): `ui_locales` on an
//! authorization request (OIDC Core §3.1.2.1; remembered in a cookie for the pages that
//! follow), then the language the user picked (`signet_lang` cookie), then `Accept-Language`
//! (RFC 9110 §12.5.4), else English. It is kept in a task-local for the rest of the request, so
//! handlers, page errors and templates translate without passing it around.

use std::sync::OnceLock;

use axum::extract::Request;
use axum::http::{header, HeaderValue};
use axum::response::Response;
use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};

use super::Pages;
use crate::state::AppState;

/// The languages Signet ships, the default first, with their names in their own language.
pub const LANGUAGES: &[(&str, &str)] = &[("en", "English"), ("de", "Deutsch"), ("fr", "Français")];
pub const DEFAULT: &str = "en";
/// The cookie that keeps the language a user picked (or an app asked for with `ui_locales`).
pub const LANG_COOKIE: &str = "signet_lang";

pub(crate) const CATALOGS: &[(&str, &str)] = &[
    ("en", include_str!("locales/en.ftl")),
    ("de", include_str!("locales/de.ftl")),
    ("fr", include_str!("locales/fr.ftl")),
];

/// What a request renders with: its language and the operator's theme.
#[derive(Clone)]
pub struct PageCtx {
    pub lang: &'static str,
    pub pages: Pages,
    /// Where the language switcher returns to: this page (a GET), else the page a form was
    /// posted from when it has one.
    pub here: String,
}

tokio::task_local! {
    static CTX: PageCtx;
}

type Bundles = Vec<(&'static str, FluentBundle<FluentResource>)>;

fn bundles() -> &'static Result<Bundles, String> {
    static B: OnceLock<Result<Bundles, String>> = OnceLock::new();
    B.get_or_init(|| {
        CATALOGS
            .iter()
            .map(|(lang, src)| {
                let res = FluentResource::try_new((*src).to_owned())
                    .map_err(|(_, errs)| format!("catalog {lang}: {errs:?}"))?;
                let id: unic_langid::LanguageIdentifier = lang.parse().map_err(|e| format!("catalog {lang}: {e}"))?;
                let mut b = FluentBundle::new_concurrent(vec![id]);
                // Latin-script languages only: no bidi isolation marks around arguments.
                b.set_use_isolating(false);
                b.add_resource(res).map_err(|e| format!("catalog {lang}: {e:?}"))?;
                Ok((*lang, b))
            })
            .collect()
    })
}

/// Parses every catalog, so a broken one fails at start-up.
pub fn check() -> anyhow::Result<()> {
    bundles().as_ref().map(|_| ()).map_err(|e| anyhow::anyhow!("{e}"))
}

/// The language of the current request (English outside one).
pub fn current() -> &'static str {
    CTX.try_with(|c| c.lang).unwrap_or(DEFAULT)
}

/// The theme of the current request, if inside one.
pub(crate) fn current_pages() -> Option<Pages> {
    CTX.try_with(|c| c.pages.clone()).ok()
}

/// Runs `f` with `lang` (one of [`LANGUAGES`], else English) and `pages` as the current ones:
/// for work outside a request, such as the CLI rendering a message.
pub async fn in_language<F: std::future::Future>(lang: &str, pages: Pages, f: F) -> F::Output {
    let lang = LANGUAGES.iter().map(|(c, _)| *c).find(|c| *c == lang).unwrap_or(DEFAULT);
    CTX.scope(PageCtx { lang, pages, here: "/".into() }, f).await
}

/// The current page, for the language switcher's `return_to`.
pub(crate) fn here() -> String {
    CTX.try_with(|c| c.here.clone()).unwrap_or_else(|_| "/".into())
}

/// Message `id` in the current language.
pub fn tr(id: &str) -> String {
    tr_in(current(), id, &[])
}

/// Message `id` with arguments (`{ $name }` in the catalog).
pub fn tr_args(id: &str, args: &[(&str, FluentValue<'_>)]) -> String {
    tr_in(current(), id, args)
}

/// Message `id` in `lang`; English if that language lacks it, the id itself if English does
/// too (a bug `every_catalog_has_every_key` and `every_message_id_in_code_exists` catch).
pub fn tr_in(lang: &str, id: &str, args: &[(&str, FluentValue<'_>)]) -> String {
    let Ok(all) = bundles() else { return id.to_owned() };
    let mut fargs = FluentArgs::new();
    for (k, v) in args {
        fargs.set(*k, v.clone());
    }
    for (_, b) in all.iter().filter(|(l, _)| *l == lang).chain(all.iter().filter(|(l, _)| *l == DEFAULT)) {
        if let Some(pattern) = b.get_message(id).and_then(|m| m.value()) {
            let mut errors = Vec::new();
            let text = b.format_pattern(pattern, (!args.is_empty()).then_some(&fargs), &mut errors);
            if errors.is_empty() {
                return text.into_owned();
            }
        }
    }
    id.to_owned()
}

/// Endpoints that answer machines (JSON, JWKS, static files): no page, so no language to pick.
/// Skipping them keeps the token paths free of this middleware's work.
fn answers_machines(path: &str) -> bool {
    const PREFIXES: &[&str] = &[
        "/oauth2/token",
        "/oauth2/introspect",
        "/oauth2/revoke",
        "/oauth2/device_authorization",
        "/oauth2/userinfo",
        "/jwks",
        "/.well-known/",
        "/api/",
        "/healthz",
        "/readyz",
        "/static/",
        "/favicon.ico",
    ];
    PREFIXES.iter().any(|p| path.starts_with(p))
}

/// A page request's language, chosen before the handler runs ([`Negotiated::of`]) and run
/// with ([`Negotiated::run`]); the router's edge layer (`crate::edge`) does both.
pub struct Negotiated {
    ctx: PageCtx,
    /// The app's `ui_locales` choice, remembered in a cookie for the pages that follow.
    from_ui: Option<&'static str>,
}

impl Negotiated {
    /// The language for `req`, or none for endpoints that answer machines.
    pub fn of(state: &AppState, req: &Request) -> Option<Self> {
        if answers_machines(req.uri().path()) {
            return None;
        }
        let supported: Vec<&'static str> = LANGUAGES.iter().map(|(l, _)| *l).collect();
        let headers = req.headers();
        let ui_locales = (req.uri().path() == "/oauth2/authorize")
            .then(|| crate::http::query_param(req.uri(), "ui_locales"))
            .flatten();
        let from_ui =
            ui_locales.as_deref().and_then(|u| signet_core::locale::negotiate(&supported, Some(u), None, None));
        let cookie = crate::http::cookie(headers, LANG_COOKIE);
        let accept = headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok());
        let lang =
            from_ui.or_else(|| signet_core::locale::negotiate(&supported, None, cookie, accept)).unwrap_or(DEFAULT);
        let here = if req.method() == axum::http::Method::GET {
            req.uri().path_and_query().map(|p| p.as_str().to_owned()).unwrap_or_else(|| "/".into())
        } else {
            match req.uri().path() {
                p @ ("/login" | "/signup" | "/device" | "/account/password" | "/login/second-factor") => p.to_owned(),
                _ => "/account".into(),
            }
        };
        Some(Negotiated { ctx: PageCtx { lang, pages: state.pages.clone(), here }, from_ui })
    }

    /// Runs `inner` (the rest of the request) in this language and labels the page it answers.
    pub async fn run(self, secure: bool, inner: impl std::future::Future<Output = Response>) -> Response {
        let lang = self.ctx.lang;
        let mut res = CTX.scope(self.ctx, inner).await;
        let h = res.headers_mut();
        if h.get(header::CONTENT_TYPE).is_some_and(|v| v.as_bytes().starts_with(b"text/html")) {
            h.insert(header::CONTENT_LANGUAGE, HeaderValue::from_static(lang));
            h.append(header::VARY, HeaderValue::from_static("Accept-Language, Cookie"));
        }
        // An app's ui_locales carries over to the login and consent pages that follow.
        if let Some(l) = self.from_ui {
            h.append(header::SET_COOKIE, lang_cookie(l, secure));
        }
        res
    }
}

/// The language cookie: a preference, not a secret; a year.
pub fn lang_cookie(lang: &str, secure: bool) -> HeaderValue {
    crate::http::set_cookie(LANG_COOKIE, lang, 365 * 24 * 3600, secure)
}

/// The template function `t("id", name=value, …)`.
pub(crate) fn template_fn(id: String, kwargs: minijinja::value::Kwargs) -> Result<String, minijinja::Error> {
    let mut args: Vec<(String, FluentValue<'static>)> = Vec::new();
    for k in kwargs.args() {
        let v: minijinja::Value = kwargs.get(k)?;
        let fv = match v.as_i64() {
            Some(n) if v.kind() == minijinja::value::ValueKind::Number => FluentValue::from(n),
            _ => FluentValue::from(v.to_string()),
        };
        args.push((k.to_owned(), fv));
    }
    kwargs.assert_all_used()?;
    let borrowed: Vec<(&str, FluentValue<'_>)> = args.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
    Ok(tr_args(&id, &borrowed))
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use fluent_bundle::FluentResource;
    use fluent_syntax::ast;

    use super::*;

    /// Every message of a catalog with the variables its text uses (`$app`, `$n`, …).
    fn messages(src: &str) -> BTreeMap<String, BTreeSet<String>> {
        let res = FluentResource::try_new(src.to_owned()).map_err(|(_, e)| format!("{e:?}")).expect("parses");
        let mut out = BTreeMap::new();
        for entry in res.entries() {
            if let ast::Entry::Message(m) = entry {
                let mut vars = BTreeSet::new();
                if let Some(p) = &m.value {
                    collect_vars(p, &mut vars);
                }
                out.insert(m.id.name.to_owned(), vars);
            }
        }
        out
    }

    fn collect_vars(p: &ast::Pattern<&str>, vars: &mut BTreeSet<String>) {
        for el in &p.elements {
            if let ast::PatternElement::Placeable { expression } = el {
                collect_expr(expression, vars);
            }
        }
    }

    fn collect_expr(e: &ast::Expression<&str>, vars: &mut BTreeSet<String>) {
        match e {
            ast::Expression::Inline(ast::InlineExpression::VariableReference { id }) => {
                vars.insert(id.name.to_owned());
            }
            ast::Expression::Select { selector, variants } => {
                if let ast::InlineExpression::VariableReference { id } = selector {
                    vars.insert(id.name.to_owned());
                }
                for v in variants {
                    collect_vars(&v.value, vars);
                }
            }
            _ => {}
        }
    }

    /// Every catalog has exactly English's keys, each with the same variables (a translation
    /// that drops `{ $app }` would hide the app's name), and no message is left in English.
    #[test]
    fn every_catalog_has_every_key() {
        let en = messages(CATALOGS[0].1);
        assert!(en.len() > 200, "{}", en.len());
        for (lang, src) in &CATALOGS[1..] {
            let other = messages(src);
            let missing: Vec<_> = en.keys().filter(|k| !other.contains_key(*k)).collect();
            let extra: Vec<_> = other.keys().filter(|k| !en.contains_key(*k)).collect();
            assert!(missing.is_empty() && extra.is_empty(), "{lang}: missing {missing:?}, extra {extra:?}");
            for (k, vars) in &en {
                assert_eq!(&other[k], vars, "{lang}: {k} uses other variables");
            }
            // Untranslated: the same text as English, beyond words that are the same in both.
            // Words that are the same in that language.
            let same_ok = [
                "action",
                "actions",
                "apps-app",
                "passkeys-heading",
                "passkeys-name",
                "passkey-default-name",
                "account-role-admin",
                "error-hint-client-mismatch",
                "verify-code-label",
                "invite-title",
                "org-api",
                // The admin console: words German or French share with English.
                "admin-console",
                "account-admin-console",
                "admin-client",
                "admin-clients",
                "admin-client-name",
                "admin-client-kind",
                "admin-status",
                "admin-sessions",
                "admin-apis",
            ];
            let en_text: BTreeMap<_, _> = text_of(CATALOGS[0].1);
            let untranslated: Vec<_> = text_of(src)
                .into_iter()
                .filter(|(k, v)| en_text.get(k) == Some(v) && !same_ok.contains(&k.as_str()))
                .map(|(k, _)| k)
                .collect();
            assert!(untranslated.is_empty(), "{lang}: still English: {untranslated:?}");
        }
    }

    fn text_of(src: &str) -> BTreeMap<String, String> {
        src.lines()
            .filter_map(|l| l.split_once(" = "))
            .filter(|(k, v)| !k.starts_with(' ') && !k.starts_with('#') && !v.ends_with("->"))
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect()
    }

    /// Every message id the templates and the code ask for exists (else the page would show
    /// the id itself).
    #[test]
    fn every_message_id_in_code_exists() {
        let en = messages(CATALOGS[0].1);
        let prefixes: BTreeSet<&str> = en.keys().filter_map(|k| k.split('-').next()).collect();
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/src");
        let mut asked = BTreeSet::new();
        let mut stack = vec![std::path::PathBuf::from(root)];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).expect("src") {
                let path = entry.expect("entry").path();
                if path.is_dir() {
                    stack.push(path);
                    continue;
                }
                let Some(ext) = path.extension().and_then(|e| e.to_str()) else { continue };
                if !matches!(ext, "rs" | "html") || path.ends_with("i18n.rs") {
                    continue;
                }
                let text = std::fs::read_to_string(&path).expect("read");
                // Templates: the arguments of t(…). Code: string literals that look like message
                // ids (kebab-case with a catalog prefix).
                let literals: Vec<&str> = if ext == "html" {
                    text.split("t(").skip(1).filter_map(|rest| rest.get(1..)?.split(['"', '\'']).next()).collect()
                } else {
                    text.split('"').skip(1).step_by(2).collect()
                };
                for quoted in literals {
                    let kebab = quoted.contains('-')
                        && quoted
                            .bytes()
                            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
                    if kebab && quoted.split('-').next().is_some_and(|p| prefixes.contains(p)) {
                        asked.insert((path.display().to_string(), quoted.to_owned()));
                    }
                }
            }
        }
        // Built at run time: scope-{name}.
        for s in ["openid", "profile", "email", "offline_access"] {
            asked.insert(("pages/mod.rs".into(), format!("scope-{s}")));
        }
        // Built at run time: profile-{field}, -help, -invalid.
        for f in signet_core::profile::FIELDS {
            for suffix in ["", "-help", "-invalid"] {
                asked.insert(("routes/profile.rs".into(), format!("profile-{}{suffix}", f.replace('_', "-"))));
            }
        }
        let unknown: Vec<_> = asked.iter().filter(|(_, id)| !en.contains_key(id)).collect();
        assert!(asked.len() > 150, "{}", asked.len());
        assert!(unknown.is_empty(), "ids not in en.ftl: {unknown:?}");
    }

    #[test]
    fn translates_with_arguments_and_falls_back() {
        assert_eq!(tr_in("de", "login-title", &[]), "Anmelden");
        assert_eq!(
            tr_in("fr", "consent-heading", &[("app", "Notes".into())]),
            "Autoriser Notes à accéder à votre compte ?"
        );
        assert_eq!(tr_in("de", "duration-minutes", &[("n", 1.into())]), "1 Minute");
        assert_eq!(tr_in("de", "duration-minutes", &[("n", 5.into())]), "5 Minuten");
        assert_eq!(tr_in("xx", "login-title", &[]), "Sign in");
        assert_eq!(tr_in("de", "no-such-message", &[]), "no-such-message");
    }
}
