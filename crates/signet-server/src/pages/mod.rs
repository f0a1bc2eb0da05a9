//! Server-rendered pages. minijinja auto-escapes every `.html` template, so user input can never
//! become markup. Templates are compiled into the binary.

use std::sync::OnceLock;

use axum::response::Html;
use minijinja::Environment;
use serde::Serialize;

const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("templates/base.html")),
    ("login.html", include_str!("templates/login.html")),
    ("signup.html", include_str!("templates/signup.html")),
    ("account.html", include_str!("templates/account.html")),
    ("password.html", include_str!("templates/password.html")),
    ("message.html", include_str!("templates/message.html")),
    ("consent.html", include_str!("templates/consent.html")),
    ("form_post.html", include_str!("templates/form_post.html")),
    ("logout.html", include_str!("templates/logout.html")),
    ("device.html", include_str!("templates/device.html")),
    ("device_confirm.html", include_str!("templates/device_confirm.html")),
    ("second_factor.html", include_str!("templates/second_factor.html")),
    ("security.html", include_str!("templates/security.html")),
];

pub const STYLESHEET: &str = include_str!("templates/signet.css");
pub const PASSKEY_SCRIPT: &str = include_str!("templates/passkey.js");

/// The template set. Built once; templates are constants, not configuration.
#[derive(Debug, Clone, Copy)]
pub struct Pages;

fn env() -> &'static Result<Environment<'static>, String> {
    static ENV: OnceLock<Result<Environment<'static>, String>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        for (name, src) in TEMPLATES {
            env.add_template(name, src).map_err(|e| format!("template {name}: {e}"))?;
        }
        Ok(env)
    })
}

impl Pages {
    /// Compiles the templates, so a broken one fails at start-up, not on first use.
    pub fn new() -> anyhow::Result<Self> {
        env().as_ref().map_err(|e| anyhow::anyhow!("{e}"))?;
        Ok(Self)
    }

    pub fn render(&self, name: &str, ctx: impl Serialize) -> Result<Html<String>, anyhow::Error> {
        render(name, ctx)
    }
}

fn render(name: &str, ctx: impl Serialize) -> Result<Html<String>, anyhow::Error> {
    let env = env().as_ref().map_err(|e| anyhow::anyhow!("{e}"))?;
    let t = env.get_template(name)?;
    Ok(Html(t.render(ctx)?))
}

/// A simple page with a title and a message; used for errors. Never fails: falls back to
/// plain text if the template cannot render.
pub fn message_page(title: &str, message: &str) -> Html<String> {
    render("message.html", minijinja::context! { title, message })
        .unwrap_or_else(|_| Html("<!doctype html><title>Error</title><p>An error occurred.</p>".into()))
}

/// The auto-submitting page of the form_post response mode; values are escaped by the template.
pub fn render_form_post(action: &str, inputs: &[(String, String)], script: &str) -> String {
    render("form_post.html", minijinja::context! { action, inputs, script })
        .map(|h| h.0)
        .unwrap_or_else(|_| "<!doctype html><title>Error</title><p>An error occurred.</p>".into())
}

pub fn fmt_time(t: signet_core::OffsetDateTime) -> String {
    let f = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute] UTC");
    t.format(&f).unwrap_or_default()
}

/// A short, human description of a user agent: "Firefox on Linux". Display only.
pub fn describe_user_agent(ua: &str) -> String {
    let browser =
        [("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"), ("Safari/", "Safari")]
            .iter()
            .find(|(needle, _)| ua.contains(needle))
            .map(|(_, name)| *name);
    let os = [
        ("Android", "Android"),
        ("iPhone", "iOS"),
        ("iPad", "iPadOS"),
        ("Windows", "Windows"),
        ("Mac OS X", "macOS"),
        ("Linux", "Linux"),
    ]
    .iter()
    .find(|(needle, _)| ua.contains(needle))
    .map(|(_, name)| *name);
    match (browser, os) {
        (Some(b), Some(o)) => format!("{b} on {o}"),
        (Some(b), None) => b.to_owned(),
        (None, Some(o)) => format!("Browser on {o}"),
        (None, None) if ua.is_empty() => "Unknown device".to_owned(),
        (None, None) => ua.chars().take(40).collect(),
    }
}
