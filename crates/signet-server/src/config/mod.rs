//! Typed configuration: `signet.toml` overlaid with `SIGNET_*` environment variables,
//! validated at start-up with errors that name the key.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use signet_core::client::SigningAlg;
use signet_core::HashParams;
use time::Duration;

mod accounts;
mod branding;
pub mod federation;
mod mail;
mod observability;
pub use accounts::AccountsConfig;
pub use branding::{is_static_name, parse_hex_colour, BrandingConfig};
pub use mail::MailConfig;
pub use observability::{AuditConfig, MetricsConfig, OtlpConfig};

/// Every setting. Unknown keys are errors, so a typo never silently falls back to a default.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Address to listen on.
    pub listen: String,
    /// The public base URL; cookies, CSRF and (later) token `iss` derive from it.
    pub issuer: String,
    /// Where the SQLite database, secrets and generated config live.
    pub data_dir: PathBuf,
    /// `sqlite://path` (default: `data_dir/signet.db`) or `postgres://user:pass@host/db` for
    /// several instances sharing one database.
    pub database_url: Option<String>,
    /// PostgreSQL connection pool size per instance.
    pub database_max_connections: u32,
    /// `redis://host:port/db`: share rate limits and the revocation denylist between instances.
    /// Without it, that state lives in this process.
    pub redis_url: Option<String>,
    /// Prefix for every Redis key, so several deployments can share one Redis.
    pub redis_prefix: String,
    /// Secrets file (pepper, cookie key, key-encryption key). Default `data_dir/secrets.toml`.
    pub secrets_file: Option<PathBuf>,
    /// `json` (default) or `pretty`.
    pub log_format: LogFormat,
    /// Whether `/signup` is open to anyone.
    pub signup_enabled: bool,
    /// Reverse proxies / load balancers (IP or CIDR) whose `X-Forwarded-For` is believed.
    /// Without this, behind a proxy every request would appear to come from the proxy, and the
    /// per-IP login limit would lock everyone out together.
    pub trusted_proxies: Vec<String>,
    /// WebAuthn relying-party id for passkeys: the issuer's host (default) or a registrable
    /// suffix of it (e.g. `example.com` for `https://login.example.com`), so passkeys keep
    /// working if the login host moves within the domain.
    pub passkey_rp_id: Option<String>,
    pub password: PasswordConfig,
    pub session: SessionConfig,
    pub rate_limit: RateLimitConfig,
    pub tokens: TokensConfig,
    pub branding: BrandingConfig,
    pub mail: MailConfig,
    pub accounts: AccountsConfig,
    pub authz: AuthzConfig,
    pub audit: AuditConfig,
    pub metrics: MetricsConfig,
    pub otlp: OtlpConfig,
    /// `[idp.<slug>]`: upstream identity providers (`config::federation`).
    pub idp: std::collections::BTreeMap<String, federation::ProviderConfig>,
}

/// `[authz]`: the relationship engine (issue 20).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AuthzConfig {
    /// How often each instance reads the authorization change log: the longest a change made
    /// on another instance takes to show in a check that passes no revision token.
    #[serde(deserialize_with = "de_duration")]
    pub follow_interval: Duration,
}

impl Default for AuthzConfig {
    fn default() -> Self {
        Self { follow_interval: Duration::milliseconds(250) }
    }
}

/// Token service settings.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TokensConfig {
    /// Signing algorithm for tokens: `ES256` (default), `EdDSA` or `RS256`.
    pub signing_alg: SigningAlg,
    /// The default algorithm of ID tokens (OIDC Core §3.1.3.7: RS256 unless a client registered
    /// another); keys are always kept for it.
    pub id_token_signing_alg: SigningAlg,
    /// Further algorithms to keep keys for, so clients can be configured to use them.
    pub extra_algs: Vec<SigningAlg>,
    #[serde(deserialize_with = "de_duration")]
    pub access_token_ttl: Duration,
    /// Upper bound for per-client access-token lifetimes; retired keys stay published this long.
    #[serde(deserialize_with = "de_duration")]
    pub max_access_token_ttl: Duration,
    #[serde(deserialize_with = "de_duration")]
    pub refresh_idle_ttl: Duration,
    #[serde(deserialize_with = "de_duration")]
    pub refresh_absolute_ttl: Duration,
    /// A retry of a just-used refresh token by the same client within this window does not
    /// revoke the family; "0s" disables.
    #[serde(deserialize_with = "de_duration")]
    pub refresh_grace: Duration,
    /// How often signing keys rotate automatically.
    #[serde(deserialize_with = "de_duration")]
    pub key_rotation: Duration,
}

impl Default for TokensConfig {
    fn default() -> Self {
        Self {
            signing_alg: SigningAlg::Es256,
            id_token_signing_alg: SigningAlg::Rs256,
            extra_algs: Vec::new(),
            access_token_ttl: Duration::minutes(10),
            max_access_token_ttl: Duration::hours(1),
            refresh_idle_ttl: Duration::days(14),
            refresh_absolute_ttl: Duration::days(30),
            refresh_grace: Duration::seconds(5),
            key_rotation: Duration::days(30),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Json,
    Pretty,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PasswordConfig {
    pub min_length: usize,
    pub max_length: usize,
    pub memory_kib: u32,
    pub iterations: u32,
    pub parallelism: u32,
    /// Hashes computed at once; 0 means one per CPU core.
    pub hash_workers: usize,
    /// Hash requests allowed to wait for a worker; beyond that, 503 + Retry-After.
    pub hash_queue: usize,
    /// Permit Argon2 parameters below the OWASP minimum. For tests only.
    pub allow_weak_params: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SessionConfig {
    #[serde(deserialize_with = "de_duration")]
    pub idle_timeout: Duration,
    #[serde(deserialize_with = "de_duration")]
    pub absolute_timeout: Duration,
    /// Sensitive account actions (change password, remove a second factor, new backup codes)
    /// need a sign-in at most this old; otherwise the user is asked to sign in again.
    #[serde(deserialize_with = "de_duration")]
    pub reauth_window: Duration,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RateLimitConfig {
    /// Failed logins per account per window before 429.
    pub login_failures_per_account: u32,
    /// Failed logins per client IP per window before 429.
    pub login_failures_per_ip: u32,
    #[serde(deserialize_with = "de_duration")]
    pub window: Duration,
    /// Ceiling on requests to authentication endpoints per client IP per minute.
    pub auth_requests_per_ip_per_minute: u32,
    /// Authorization requests that must be stored (the user has to sign in or consent), per
    /// client IP and per OAuth client per minute: each costs storage until it expires.
    pub pending_authorizations_per_ip_per_minute: u32,
    pub pending_authorizations_per_client_per_minute: u32,
    /// Device authorization requests (RFC 8628 §3.1) per client IP and per client per minute.
    pub device_authorizations_per_ip_per_minute: u32,
    pub device_authorizations_per_client_per_minute: u32,
    /// User-code lookups at /device per signed-in user and per client IP per `window`
    /// (RFC 8628 §5.1: user codes are short, so guessing must be limited).
    pub device_lookups_per_user: u32,
    pub device_lookups_per_ip: u32,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: "127.0.0.1:8080".into(),
            issuer: "http://localhost:8080".into(),
            data_dir: PathBuf::from("signet-data"),
            database_url: None,
            database_max_connections: 16,
            redis_url: None,
            redis_prefix: "signet:".into(),
            secrets_file: None,
            log_format: LogFormat::Json,
            signup_enabled: true,
            trusted_proxies: Vec::new(),
            passkey_rp_id: None,
            password: PasswordConfig::default(),
            session: SessionConfig::default(),
            rate_limit: RateLimitConfig::default(),
            tokens: TokensConfig::default(),
            branding: BrandingConfig::default(),
            mail: MailConfig::default(),
            accounts: AccountsConfig::default(),
            authz: AuthzConfig::default(),
            audit: AuditConfig::default(),
            metrics: MetricsConfig::default(),
            otlp: OtlpConfig::default(),
            idp: Default::default(),
        }
    }
}

impl Default for PasswordConfig {
    fn default() -> Self {
        let p = HashParams::default();
        Self {
            min_length: 8,
            max_length: 128,
            memory_kib: p.memory_kib,
            iterations: p.iterations,
            parallelism: p.parallelism,
            hash_workers: 0,
            hash_queue: 64,
            allow_weak_params: false,
        }
    }
}

impl Default for SessionConfig {
    fn default() -> Self {
        Self {
            idle_timeout: Duration::minutes(30),
            absolute_timeout: Duration::hours(24),
            reauth_window: Duration::minutes(10),
        }
    }
}

impl Default for RateLimitConfig {
    fn default() -> Self {
        Self {
            login_failures_per_account: 5,
            login_failures_per_ip: 5,
            window: Duration::minutes(15),
            auth_requests_per_ip_per_minute: 60,
            pending_authorizations_per_ip_per_minute: 60,
            pending_authorizations_per_client_per_minute: 1200,
            device_authorizations_per_ip_per_minute: 10,
            device_authorizations_per_client_per_minute: 120,
            device_lookups_per_user: 10,
            device_lookups_per_ip: 30,
        }
    }
}

/// A configuration problem, naming the key and the value that caused it.
#[derive(Debug, thiserror::Error)]
#[error("{key}: {message}")]
pub struct ConfigError {
    pub key: String,
    pub message: String,
}

impl ConfigError {
    fn new(key: impl Into<String>, message: impl Into<String>) -> Self {
        Self { key: key.into(), message: message.into() }
    }
}

/// Environment variables that are ours but not config keys.
const ENV_NOT_KEYS: &[&str] = &["SIGNET_CONFIG", "SIGNET_LOG"];

impl Config {
    /// Where to look for the config file when none is named: `$SIGNET_DATA_DIR/signet.toml`,
    /// else `./signet-data/signet.toml`.
    pub fn default_path(env: &[(String, String)]) -> PathBuf {
        let dir = env
            .iter()
            .find(|(k, _)| k == "SIGNET_DATA_DIR")
            .map(|(_, v)| PathBuf::from(v))
            .unwrap_or_else(|| PathBuf::from("signet-data"));
        dir.join("signet.toml")
    }

    /// Parses `file_text` (may be empty), overlays `SIGNET_*` variables from `env` (nested keys
    /// with `__`), and validates. Layering is figment's; errors name the key, and the variable
    /// when the value came from the environment.
    pub fn load(file_text: &str, file_name: &str, env: &[(String, String)]) -> Result<Self, ConfigError> {
        use figment::providers::{Format, Toml};
        // A file that is not TOML at all is named as such (figment would report no key).
        toml::from_str::<toml::Table>(file_text).map_err(|e| ConfigError::new(file_name, e.message().to_string()))?;
        let mut figment = figment::Figment::new().merge(Toml::string(file_text));
        // Which keys came from the environment, so errors can name the variable.
        let mut from_env: Vec<(String, String)> = Vec::new();
        for (k, v) in env {
            let Some(rest) = k.strip_prefix("SIGNET_") else { continue };
            if ENV_NOT_KEYS.contains(&k.as_str()) || rest.starts_with("TEST_") {
                continue;
            }
            let key = rest.to_lowercase().replace("__", ".");
            // Numbers, booleans and `[a, b]` lists as figment reads environment values.
            let value: figment::value::Value = v.parse().unwrap_or_else(|_| v.as_str().into());
            figment = figment.merge(figment::providers::Serialized::default(&key, value));
            from_env.push((key, k.clone()));
        }
        let cfg: Config = figment.extract().map_err(|e| config_error(e, file_name, &from_env))?;
        cfg.validate()?;
        Ok(cfg)
    }

    /// Reads `path` if it exists (a missing default file is fine) and calls [`Config::load`].
    pub fn load_file(path: &Path, must_exist: bool, env: &[(String, String)]) -> Result<Self, ConfigError> {
        let name = path.display().to_string();
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !must_exist => String::new(),
            Err(e) => return Err(ConfigError::new(name, format!("cannot read: {e}"))),
        };
        Self::load(&text, &name, env)
    }

    fn validate(&self) -> Result<(), ConfigError> {
        self.listen.parse::<SocketAddr>().map_err(|_| {
            ConfigError::new("listen", format!("{:?} is not an address like 127.0.0.1:8080", self.listen))
        })?;
        let iss =
            parse_issuer(&self.issuer).map_err(|m| ConfigError::new("issuer", format!("{:?}: {m}", self.issuer)))?;
        let _ = iss;
        self.branding.validate()?;
        self.mail.validate()?;
        for (slug, p) in &self.idp {
            p.validate(slug, p.client_secret.is_some())
                .map_err(|(field, m)| ConfigError::new(format!("idp.{slug}.{field}"), m))?;
        }
        if let Some(url) = &self.database_url {
            if !["sqlite:", "postgres://", "postgresql://"].iter().any(|p| url.starts_with(p)) {
                return Err(ConfigError::new(
                    "database_url",
                    format!("{:?}: expected sqlite://… or postgres://…", redact_url(url)),
                ));
            }
        }
        if !(1..=1000).contains(&self.database_max_connections) {
            return Err(ConfigError::new("database_max_connections", "must be between 1 and 1000"));
        }
        for (i, net) in self.trusted_proxies.iter().enumerate() {
            parse_net(net).map_err(|m| ConfigError::new(format!("trusted_proxies[{i}]"), format!("{net:?}: {m}")))?;
        }
        if let Some(url) = &self.redis_url {
            if !url.starts_with("redis://") && !url.starts_with("rediss://") {
                return Err(ConfigError::new("redis_url", format!("{:?} is not a redis:// URL", redact_url(url))));
            }
        }
        let p = &self.password;
        if p.min_length < signet_core::policy::ABSOLUTE_MIN_LENGTH {
            return Err(ConfigError::new(
                "password.min_length",
                format!("{} is below 8, the minimum NIST SP 800-63B allows", p.min_length),
            ));
        }
        if p.max_length < p.min_length || p.max_length > 1024 {
            return Err(ConfigError::new(
                "password.max_length",
                format!("{} must be between min_length and 1024", p.max_length),
            ));
        }
        if self.hash_params().is_below_owasp_minimum() && !p.allow_weak_params {
            return Err(ConfigError::new(
                "password.memory_kib",
                format!(
                    "m={} KiB, t={} is below the OWASP minimum (m=19456, t=2); set password.allow_weak_params = true only for tests",
                    p.memory_kib, p.iterations
                ),
            ));
        }
        if p.parallelism == 0 || p.iterations == 0 {
            return Err(ConfigError::new("password.parallelism", "iterations and parallelism must be at least 1"));
        }
        let s = &self.session;
        if !s.idle_timeout.is_positive() || s.idle_timeout > s.absolute_timeout {
            return Err(ConfigError::new(
                "session.idle_timeout",
                "must be positive and not longer than session.absolute_timeout",
            ));
        }
        if !s.reauth_window.is_positive() {
            return Err(ConfigError::new("session.reauth_window", "must be positive"));
        }
        let r = &self.rate_limit;
        if r.login_failures_per_account == 0 || r.login_failures_per_ip == 0 || r.auth_requests_per_ip_per_minute == 0 {
            return Err(ConfigError::new("rate_limit", "limits must be at least 1"));
        }
        if !r.window.is_positive() {
            return Err(ConfigError::new("rate_limit.window", "must be positive"));
        }
        if !self.metrics.listen.is_empty() && self.metrics.listen.parse::<std::net::SocketAddr>().is_err() {
            return Err(ConfigError::new("metrics.listen", "must be an address and port, e.g. 127.0.0.1:9464"));
        }
        if !self.otlp.endpoint.is_empty()
            && !url::Url::parse(&self.otlp.endpoint).is_ok_and(|u| matches!(u.scheme(), "http" | "https"))
        {
            return Err(ConfigError::new("otlp.endpoint", "must be an http(s) URL, e.g. http://127.0.0.1:4318"));
        }
        if self.audit.retention < Duration::days(1) {
            return Err(ConfigError::new("audit.retention", "must be at least 1d"));
        }
        // Algorithms are `SigningAlg`s, checked as they are read: it has no HS* (shared-secret
        // signatures would let every verifier mint tokens).
        let t = &self.tokens;
        let positive = [
            ("tokens.access_token_ttl", t.access_token_ttl),
            ("tokens.refresh_idle_ttl", t.refresh_idle_ttl),
            ("tokens.refresh_absolute_ttl", t.refresh_absolute_ttl),
            ("tokens.key_rotation", t.key_rotation),
        ];
        for (key, d) in positive {
            if !d.is_positive() {
                return Err(ConfigError::new(key, "must be positive"));
            }
        }
        if t.access_token_ttl > t.max_access_token_ttl {
            return Err(ConfigError::new("tokens.access_token_ttl", "must not exceed tokens.max_access_token_ttl"));
        }
        if t.refresh_idle_ttl > t.refresh_absolute_ttl {
            return Err(ConfigError::new("tokens.refresh_idle_ttl", "must not exceed tokens.refresh_absolute_ttl"));
        }
        if t.refresh_grace.is_negative() || t.refresh_grace > Duration::minutes(1) {
            return Err(ConfigError::new("tokens.refresh_grace", "must be between 0s and 60s"));
        }
        Ok(())
    }

    pub fn hash_params(&self) -> HashParams {
        HashParams {
            memory_kib: self.password.memory_kib,
            iterations: self.password.iterations,
            parallelism: self.password.parallelism,
        }
    }

    pub fn database_url(&self) -> String {
        self.database_url.clone().unwrap_or_else(|| format!("sqlite://{}", self.data_dir.join("signet.db").display()))
    }

    /// The database URL without its password, for messages and logs.
    pub fn database_url_redacted(&self) -> String {
        redact_url(&self.database_url())
    }

    pub fn secrets_path(&self) -> PathBuf {
        self.secrets_file.clone().unwrap_or_else(|| self.data_dir.join("secrets.toml"))
    }

    /// Every algorithm keys are kept for, the default first.
    pub fn signing_algs(&self) -> Vec<String> {
        let mut v = vec![self.tokens.signing_alg.as_str().to_owned()];
        for a in std::iter::once(&self.tokens.id_token_signing_alg).chain(&self.tokens.extra_algs).map(|a| a.as_str()) {
            if !v.iter().any(|x| x == a) {
                v.push(a.to_owned());
            }
        }
        v
    }

    /// Plain HTTP is allowed only for a loopback issuer (local development).
    pub fn is_insecure_dev(&self) -> bool {
        parse_issuer(&self.issuer).map(|u| u.scheme() == "http").unwrap_or(false)
    }

    /// The issuer without a trailing slash, for building absolute URLs.
    pub fn issuer_base(&self) -> &str {
        self.issuer.trim_end_matches('/')
    }
}

/// An IP address or CIDR network.
pub fn parse_net(s: &str) -> Result<ipnet::IpNet, &'static str> {
    s.parse::<ipnet::IpNet>()
        .or_else(|_| s.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
        .map_err(|_| "not an IP address or CIDR network like 10.0.0.0/8")
}

/// An issuer is an https URL with no query or fragment (OIDC Discovery §3); http is allowed
/// for loopback hosts only.
fn parse_issuer(s: &str) -> Result<url::Url, String> {
    let u = url::Url::parse(s).map_err(|e| format!("not a URL ({e})"))?;
    if u.query().is_some() || u.fragment().is_some() {
        return Err("must not have a query or fragment".into());
    }
    if !u.username().is_empty() || u.password().is_some() {
        return Err("must not contain credentials".into());
    }
    match u.scheme() {
        "https" => Ok(u),
        "http" => {
            let loopback = match u.host() {
                Some(url::Host::Domain(d)) => d == "localhost",
                Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
                Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
                None => false,
            };
            if loopback {
                Ok(u)
            } else {
                Err("must be https (http is allowed only for localhost/127.0.0.1/[::1])".into())
            }
        }
        other => Err(format!("scheme {other:?} is not https")),
    }
}

/// Turns figment's error into one naming the key (and the variable, for a value or an unknown
/// key that came from the environment).
fn config_error(e: figment::Error, file_name: &str, from_env: &[(String, String)]) -> ConfigError {
    use figment::error::Kind;
    // `tokens.extra_algs[1]`, as the key is written in the file.
    let mut path = String::new();
    for seg in &e.path {
        match seg.parse::<usize>() {
            Ok(i) => path.push_str(&format!("[{i}]")),
            Err(_) if path.is_empty() => path.push_str(seg),
            Err(_) => path.push_str(&format!(".{seg}")),
        }
    }
    // Name an unknown key itself, not only its section.
    if let Kind::UnknownField(field, _) = &e.kind {
        if e.path.last() != Some(field) {
            path = if path.is_empty() { field.clone() } else { format!("{path}.{field}") };
        }
    }
    let message = e.kind.to_string();
    let key = match from_env.iter().find(|(p, _)| *p == path) {
        Some((_, var)) => format!("{path} (from environment variable {var})"),
        None if path.is_empty() => file_name.to_owned(),
        None => path,
    };
    ConfigError::new(key, message)
}

/// Durations in config are strings such as `90s`, `30m`, `24h`, `14d` (humantime's format).
fn de_duration<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
    let s = String::deserialize(d)?;
    parse_duration(&s)
        .ok_or_else(|| serde::de::Error::custom(format!("invalid duration {s:?} (use e.g. 90s, 30m, 24h, 14d)")))
}

pub fn parse_duration(s: &str) -> Option<Duration> {
    humantime::parse_duration(s.trim()).ok().and_then(|d| Duration::try_from(d).ok())
}

/// A URL with any password replaced by `***`, so it can be printed.
pub fn redact_url(raw: &str) -> String {
    match url::Url::parse(raw) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        Ok(_) => raw.to_owned(),
        Err(_) => "(unparseable URL)".to_owned(),
    }
}

/// The config file written on first start, so a new user has something to edit.
pub const DEFAULT_CONFIG_TOML: &str = include_str!("../default_config.toml");

#[cfg(test)]
mod tests;
