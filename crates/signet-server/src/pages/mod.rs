//! Server-rendered pages. minijinja auto-escapes every `.html` template, so user input can never
//! become markup. Templates are compiled into the binary; an operator's `branding.templates_dir`
//! replaces them by name. Every string comes from a translation catalog ([`i18n`]); the
//! operator's name, logo, links and colours ([`theme`]) reach every template as `brand`.

pub mod i18n;
pub mod theme;

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use axum::response::Html;
use minijinja::Environment;
use serde::Serialize;

use crate::config::BrandingConfig;

/// The built-in templates; `branding.templates_dir` may replace any of them by name.
pub const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("templates/base.html")),
    ("login.html", include_str!("templates/login.html")),
    ("signup.html", include_str!("templates/signup.html")),
    ("verify.html", include_str!("templates/verify.html")),
    ("confirm.html", include_str!("templates/confirm.html")),
    ("invite.html", include_str!("templates/invite.html")),
    ("upstream_confirm.html", include_str!("templates/upstream_confirm.html")),
    ("identities.html", include_str!("templates/identities.html")),
    ("pick_org.html", include_str!("templates/pick_org.html")),
    ("organizations.html", include_str!("templates/organizations.html")),
    ("org_admin.html", include_str!("templates/org_admin.html")),
    ("admin.html", include_str!("templates/admin.html")),
    ("profile.html", include_str!("templates/profile.html")),
    ("delete.html", include_str!("templates/delete.html")),
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
    ("help.html", include_str!("templates/help.html")),
    ("mail_layout.html", include_str!("templates/mail_layout.html")),
    ("mail_test.html", include_str!("templates/mail_test.html")),
    ("mail_test.txt", include_str!("templates/mail_test.txt")),
    ("recover.html", include_str!("templates/recover.html")),
    ("mail_password_reset.html", include_str!("templates/mail_password_reset.html")),
    ("mail_password_reset.txt", include_str!("templates/mail_password_reset.txt")),
    ("mail_password_changed.html", include_str!("templates/mail_password_changed.html")),
    ("mail_password_changed.txt", include_str!("templates/mail_password_changed.txt")),
    ("mail_notice.html", include_str!("templates/mail_notice.html")),
    ("mail_notice.txt", include_str!("templates/mail_notice.txt")),
];

/// What every template receives as `brand`.
#[derive(Debug, Clone, Serialize)]
pub struct Brand {
    pub name: String,
    /// `/static/NAME` of the logo, if any.
    pub logo: Option<String>,
    pub favicon: String,
    pub support_url: Option<String>,
    pub terms_url: Option<String>,
    pub privacy_url: Option<String>,
    /// The accent and the text on it (light palette, AA contrast), for e-mail, which cannot
    /// load the stylesheet.
    pub accent: String,
    pub on_accent: String,
}

impl Brand {
    fn from_config(b: &BrandingConfig) -> Self {
        let accent =
            b.accent_color.as_deref().and_then(crate::config::parse_hex_colour).unwrap_or(theme::DEFAULT_ACCENT);
        let palette = theme::Palette::for_accent(accent);
        Self {
            name: b.product_name.trim().to_owned(),
            logo: b.logo.as_ref().map(|l| format!("/static/{l}")),
            favicon: format!("/static/{}", b.favicon.as_deref().unwrap_or("favicon.svg")),
            support_url: b.support_url.clone(),
            terms_url: b.terms_url.clone(),
            privacy_url: b.privacy_url.clone(),
            accent: theme::hex(palette.light_accent),
            on_accent: theme::hex(palette.light_on_accent),
        }
    }
}

struct Theme {
    env: Environment<'static>,
    brand: Brand,
    statics: HashMap<String, theme::StaticFile>,
}

/// The template set and static files, with the operator's branding. Cheap to clone.
#[derive(Clone)]
pub struct Pages(Arc<Theme>);

impl std::fmt::Debug for Pages {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pages").field("brand", &self.0.brand).finish_non_exhaustive()
    }
}

fn environment(overrides: &[(String, String)]) -> anyhow::Result<Environment<'static>> {
    let mut env = Environment::new();
    for (name, src) in TEMPLATES {
        env.add_template(name, src).map_err(|e| anyhow::anyhow!("template {name}: {e}"))?;
    }
    for (name, src) in overrides {
        env.add_template_owned(name.clone(), src.clone())
            .map_err(|e| anyhow::anyhow!("branding.templates_dir: {name}: {e}"))?;
    }
    env.add_function("t", i18n::template_fn);
    Ok(env)
}

/// The templates in `dir` that replace built-in ones; a file with another name is an error
/// (a typo would otherwise be silently ignored).
fn template_overrides(dir: &std::path::Path) -> anyhow::Result<Vec<(String, String)>> {
    let mut out = Vec::new();
    let entries =
        std::fs::read_dir(dir).map_err(|e| anyhow::anyhow!("branding.templates_dir {}: {e}", dir.display()))?;
    for entry in entries {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if !entry.file_type()?.is_file() || name.starts_with('.') {
            continue;
        }
        if !TEMPLATES.iter().any(|(n, _)| *n == name) {
            let names: Vec<&str> = TEMPLATES.iter().map(|(n, _)| *n).collect();
            anyhow::bail!("branding.templates_dir: {name:?} is not one of Signet's templates ({})", names.join(", "));
        }
        out.push((name, std::fs::read_to_string(entry.path())?));
    }
    Ok(out)
}

/// The built-in theme, for pages rendered outside a request (never in practice).
fn builtin() -> &'static Option<Pages> {
    static P: OnceLock<Option<Pages>> = OnceLock::new();
    P.get_or_init(|| Pages::new(&BrandingConfig::default()).ok())
}

impl Pages {
    /// Compiles the templates and catalogs and loads the static files, so a broken template, a
    /// catalog error or a missing logo fails at start-up, not on first use.
    pub fn new(b: &BrandingConfig) -> anyhow::Result<Self> {
        i18n::check()?;
        let overrides = match &b.templates_dir {
            Some(d) => template_overrides(d)?,
            None => Vec::new(),
        };
        let theme =
            Theme { env: environment(&overrides)?, brand: Brand::from_config(b), statics: theme::static_files(b)? };
        let p = Self(Arc::new(theme));
        // Render each template once with an empty context: an override that does not render
        // fails now.
        for (name, _) in TEMPLATES {
            if *name != "base.html" {
                p.render_html(name, minijinja::context! {})
                    .map_err(|e| anyhow::anyhow!("template {name} does not render: {e:#}"))?;
            }
        }
        Ok(p)
    }

    pub fn brand(&self) -> &Brand {
        &self.0.brand
    }

    /// A file under `/static/`.
    pub fn static_file(&self, name: &str) -> Option<&theme::StaticFile> {
        self.0.statics.get(name)
    }

    pub fn render(&self, name: &str, ctx: impl Serialize) -> Result<Html<String>, anyhow::Error> {
        self.render_html(name, ctx).map(Html)
    }

    fn render_html(&self, name: &str, ctx: impl Serialize) -> Result<String, anyhow::Error> {
        let lang = i18n::current();
        let back =
            url::form_urlencoded::Serializer::new(String::new()).append_pair("return_to", &i18n::here()).finish();
        let languages: Vec<minijinja::Value> = i18n::LANGUAGES
            .iter()
            .map(|(code, name)| {
                let href = format!("/language/{code}?{back}");
                minijinja::context! { code, name, href, current => *code == lang }
            })
            .collect();
        let t = self.0.env.get_template(name)?;
        let ctx = minijinja::context! {
            lang, languages, brand => &self.0.brand,
            ..minijinja::Value::from_serialize(&ctx)
        };
        Ok(t.render(ctx)?)
    }
}

/// A rendered e-mail: subject (catalog `mail-KIND-subject`), text and HTML
/// (`mail_KIND.txt`, `mail_KIND.html`), in the current language and the operator's brand.
#[derive(Debug, Clone)]
pub struct RenderedMail {
    pub subject: String,
    pub text: String,
    pub html: String,
}

impl Pages {
    pub fn render_mail(&self, kind: &str, ctx: impl Serialize) -> Result<RenderedMail, anyhow::Error> {
        let subject = tr_args(
            &format!("mail-{}-subject", kind.replace('_', "-")),
            &[("product", self.0.brand.name.clone().into())],
        );
        let ctx = minijinja::Value::from_serialize(&ctx);
        let with_subject = minijinja::context! { subject => &subject, ..ctx };
        // A message without templates of its own uses the generic notice (paragraphs, a code,
        // a button, notes); an operator may still give it its own `mail_KIND.*`.
        let base = match self.0.env.get_template(&format!("mail_{kind}.txt")) {
            Ok(_) => format!("mail_{kind}"),
            Err(_) => "mail_notice".to_owned(),
        };
        let text = self.render_html(&format!("{base}.txt"), &with_subject)?;
        let html = self.render_html(&format!("{base}.html"), &with_subject)?;
        Ok(RenderedMail { subject, text, html })
    }
}

fn current() -> Option<Pages> {
    i18n::current_pages().or_else(|| builtin().clone())
}

/// A simple page with a title and a message; used for errors. Never fails: falls back to
/// plain text if the template cannot render.
pub fn message_page(title: &str, message: &str) -> Html<String> {
    current()
        .and_then(|p| p.render("message.html", minijinja::context! { title, message }).ok())
        .unwrap_or_else(|| Html("<!doctype html><title>Error</title><p>An error occurred.</p>".into()))
}

/// The auto-submitting page of the form_post response mode; values are escaped by the template.
pub fn render_form_post(action: &str, inputs: &[(String, String)], script: &str) -> String {
    current()
        .and_then(|p| p.render_html("form_post.html", minijinja::context! { action, inputs, script }).ok())
        .unwrap_or_else(|| "<!doctype html><title>Error</title><p>An error occurred.</p>".into())
}

pub use i18n::{tr, tr_args};

/// A moment in the page's language: `30 Nov 2026, 14:05 UTC`, `30.11.2026, 14:05 UTC`,
/// `30/11/2026 14:05 UTC`. Times are shown in UTC: the server does not know the user's zone.
pub fn fmt_time(t: signet_core::OffsetDateTime) -> String {
    use time::macros::format_description as fd;
    let t = t.to_offset(time::UtcOffset::UTC);
    let s = match i18n::current() {
        "de" => t.format(&fd!("[day].[month].[year], [hour]:[minute] UTC")),
        "fr" => t.format(&fd!("[day]/[month]/[year] [hour]:[minute] UTC")),
        _ => t.format(&fd!("[day padding:none] [month repr:short] [year], [hour]:[minute] UTC")),
    };
    s.unwrap_or_default()
}

/// Recent moments relative to `now` ("just now", "5 minutes ago", "3 hours ago"), older ones
/// as [`fmt_time`].
pub fn fmt_relative(t: signet_core::OffsetDateTime, now: signet_core::OffsetDateTime) -> String {
    let secs = (now - t).whole_seconds();
    match secs {
        s if s < 0 => fmt_time(t),
        0..=59 => tr("just-now"),
        60..=3599 => tr_args("minutes-ago", &[("n", (secs / 60).into())]),
        3600..=86_399 => tr_args("hours-ago", &[("n", (secs / 3600).into())]),
        _ => fmt_time(t),
    }
}

/// A wait in words: "40 seconds", "5 minutes" (rounded up).
pub fn human_duration(secs: u64) -> String {
    if secs < 60 {
        return tr_args("duration-seconds", &[("n", secs.max(1).into())]);
    }
    tr_args("duration-minutes", &[("n", secs.div_ceil(60).into())])
}

/// A scope in plain words, as the consent page, Connected apps and the device page show it.
pub fn describe_scope(scope: &str) -> String {
    match scope {
        "openid" | "profile" | "email" | "offline_access" => tr(&format!("scope-{scope}")),
        other => tr_args("scope-other", &[("scope", other.to_owned().into())]),
    }
}

/// The `?notice=` a page shows after a redirect ("You have signed out."): only these keys,
/// so a link cannot put words of its own on a page.
pub fn notice_text(key: &str) -> Option<String> {
    let id = match key {
        "signed_out" => "notice-signed-out",
        "password_reset" => "notice-password-reset",
        "signed_out_everywhere" => "notice-signed-out-everywhere",
        "mfa_expired" => "notice-mfa-expired",
        "reauth" => "notice-reauth",
        "password_changed" => "notice-password-changed",
        "session_revoked" => "notice-session-revoked",
        "app_revoked" => "notice-app-revoked",
        "totp_on" => "notice-totp-on",
        "totp_off" => "notice-totp-off",
        "passkey_added" => "notice-passkey-added",
        "passkey_removed" => "notice-passkey-removed",
        "passkey_renamed" => "notice-passkey-renamed",
        "mfa_required" => "notice-mfa-required",
        "email_verified" => "notice-email-verified",
        "email_changed" => "notice-email-changed",
        "profile_saved" => "notice-profile-saved",
        "deletion_scheduled" => "notice-deletion-scheduled",
        "deletion_cancelled" => "notice-deletion-cancelled",
        "org_joined" => "notice-org-joined",
        "org_left" => "notice-org-left",
        "org_saved" => "notice-org-saved",
        "org_invited" => "notice-org-invited",
        "identity_linked" => "notice-identity-linked",
        "identity_unlinked" => "notice-identity-unlinked",
        _ => return None,
    };
    Some(tr(id))
}

/// A password-policy refusal in the page's language.
pub fn policy_message(v: &signet_core::policy::PolicyViolation) -> String {
    use signet_core::policy::PolicyViolation as P;
    match v {
        P::TooShort(n) => tr_args("password-too-short", &[("min", (*n).into())]),
        P::TooLong(n) => tr_args("password-too-long", &[("max", (*n).into())]),
        P::Common => tr("password-too-common"),
        P::SameAsEmail => tr("password-same-as-email"),
    }
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
        (Some(b), Some(o)) => tr_args("device-browser-on", &[("browser", b.into()), ("os", o.into())]),
        (Some(b), None) => b.to_owned(),
        (None, Some(o)) => tr_args("device-browser-on-unknown", &[("os", o.into())]),
        (None, None) if ua.is_empty() => tr("device-unknown"),
        (None, None) => ua.chars().take(40).collect(),
    }
}
