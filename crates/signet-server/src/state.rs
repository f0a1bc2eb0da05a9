//! Shared application state, passed to every handler. No globals.

use std::sync::Arc;

use signet_core::{Clock, OffsetDateTime, PasswordHasher, PasswordPolicy};
use signet_store::{Ephemeral, Store};

use crate::config::Config;
use crate::hash_pool::HashPool;
use crate::pages::Pages;
use crate::secrets::Secrets;
use crate::tokens::keys::KeyRing;

#[derive(Clone)]
pub struct AppState {
    pub inner: Arc<Inner>,
}

pub struct Inner {
    pub config: Config,
    pub store: Arc<dyn Store>,
    pub ephemeral: Arc<dyn Ephemeral>,
    pub clock: Arc<dyn Clock>,
    pub secrets: Secrets,
    pub hash_pool: HashPool,
    pub policy: PasswordPolicy,
    pub pages: Pages,
    pub cookies: CookieNames,
    pub keys: KeyRing,
    /// Clients for client authentication, briefly cached (see `oauth::client_cache`).
    pub clients: crate::oauth::client_cache::ClientCache,
    /// Access tokens whose signature introspection already checked.
    pub verified: crate::tokens::access::VerifiedCache,
    /// Roles and permissions per (user, organization), valid while the access generations hold.
    pub access: crate::tokens::access_cache::AccessCache,
    /// The WebAuthn relying party (passkeys).
    pub webauthn: Option<webauthn_rs::prelude::Webauthn>,
    /// Parsed `trusted_proxies` (validated at start-up).
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// The discovery document (RFC 8414 / OpenID Connect Discovery), serialized once.
    pub discovery: axum::body::Bytes,
    /// The mail transport the outbox worker delivers with.
    pub mailer: crate::mail::transport::Mailer,
    /// The organizations' relationship graphs (issue 20), kept current from the change log.
    pub authz: crate::authz::Graphs,
    /// Upstream identity providers: HTTP, their discovery documents and keys (`upstream`).
    pub upstream: crate::upstream::Upstreams,
    /// Signs the authorization API's listing cursors.
    pub cursor_key: crate::authz::convert::CursorKey,
    /// This instance's Prometheus counters (`metrics`).
    pub metrics: crate::metrics::Metrics,
    /// Request spans for OTLP, when `[otlp] endpoint` is set; the exporter's end waits in
    /// `tracer_rx` for `run` to start it.
    pub tracer: Option<crate::metrics::otlp::Tracer>,
    pub tracer_rx: std::sync::Mutex<Option<tokio::sync::mpsc::Receiver<crate::metrics::otlp::Span>>>,
}

/// Cookie names and attributes. `__Host-` plus `Secure` unless the issuer is plain-HTTP
/// loopback (local development), where browsers would drop Secure cookies.
#[derive(Debug, Clone)]
pub struct CookieNames {
    pub session: &'static str,
    pub csrf: &'static str,
    /// A password login waiting for its second factor.
    pub mfa: &'static str,
    /// A browser that signed in to an account before (`device_cookie`).
    pub device: &'static str,
    /// An upstream sign-in's binding to this browser (`flows::upstream`).
    pub upstream: &'static str,
    /// A link to an upstream identity waiting for proof of the account (`flows::upstream_link`).
    pub link: &'static str,
    pub secure: bool,
}

impl std::ops::Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.inner
    }
}

/// What the state is built from: everything opened, loaded or derived from the config by
/// `build_state` (the one place that knows how), so this module depends on no feature module.
pub struct Parts {
    pub config: Config,
    pub store: Arc<dyn Store>,
    pub ephemeral: Arc<dyn Ephemeral>,
    pub clock: Arc<dyn Clock>,
    pub secrets: Secrets,
    pub keys: KeyRing,
    /// The WebAuthn relying party (`passkey::relying_party`), if passkeys can work here.
    pub webauthn: Option<webauthn_rs::prelude::Webauthn>,
    /// The discovery document, serialized (`routes::jwks::metadata_document`).
    pub discovery: axum::body::Bytes,
}

impl AppState {
    pub fn new(parts: Parts) -> anyhow::Result<Self> {
        let Parts { config, store, ephemeral, clock, secrets, keys, webauthn, discovery } = parts;
        let hasher = PasswordHasher::new(config.hash_params(), secrets.peppers.clone())?;
        let hash_pool = HashPool::new(hasher, config.password.hash_workers, config.password.hash_queue)?;
        let policy = PasswordPolicy::new(config.password.min_length, config.password.max_length);
        let secure = !config.is_insecure_dev();
        let cookies = if secure {
            CookieNames {
                session: "__Host-signet_session",
                csrf: "__Host-signet_csrf",
                mfa: "__Host-signet_mfa",
                device: "__Host-signet_device",
                upstream: "__Host-signet_upstream",
                link: "__Host-signet_link",
                secure,
            }
        } else {
            CookieNames {
                session: "signet_session",
                csrf: "signet_csrf",
                mfa: "signet_mfa",
                device: "signet_device",
                upstream: "signet_upstream",
                link: "signet_link",
                secure,
            }
        };
        let pages = Pages::new(&config.branding)?;
        let cursor_key = crate::authz::convert::CursorKey::derive(&secrets.kek);
        let mailer = crate::mail::transport::Mailer::new(&config)?;
        let (tracer, tracer_rx) = match config.otlp.endpoint.is_empty() {
            true => (None, None),
            false => {
                let (t, rx) = crate::metrics::otlp::Tracer::new();
                (Some(t), Some(rx))
            }
        };
        let trusted_proxies = config.trusted_proxies.iter().filter_map(|n| crate::config::parse_net(n).ok()).collect();
        Ok(Self {
            inner: Arc::new(Inner {
                config,
                store,
                ephemeral,
                clock,
                secrets,
                hash_pool,
                policy,
                pages,
                cookies,
                trusted_proxies,
                keys,
                webauthn,
                mailer,
                clients: Default::default(),
                verified: Default::default(),
                access: Default::default(),
                cursor_key,
                authz: Default::default(),
                upstream: Default::default(),
                metrics: Default::default(),
                tracer,
                tracer_rx: std::sync::Mutex::new(tracer_rx),
                discovery,
            }),
        })
    }

    pub fn now(&self) -> OffsetDateTime {
        self.clock.now()
    }
}
