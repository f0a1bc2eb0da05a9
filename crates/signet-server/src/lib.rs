//! Signet's HTTP server.
//!
//! [`run`] takes a bound listener, so tests bind port 0 and production binds the configured
//! address; [`build_state`] opens the store and secrets named by the config.

pub mod admin;
pub mod audit;
pub mod authz;
pub mod config;
pub mod csrf;
pub mod device_cookie;
pub mod error;
pub mod flows;
pub mod forms;
pub mod grants;
pub mod hash_pool;
pub mod http;
pub mod kek;
pub mod link_pages;
pub mod mail;
pub mod metrics;
pub mod mfa;
pub mod oauth;
pub mod pages;
pub mod passkey;
pub mod ratelimit;
pub mod request_id;
pub mod routes;
pub mod secrets;
pub mod session;
pub mod state;
pub mod tokens;
pub mod upstream;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::http::header;
use axum::Router;
use signet_core::Clock;
use signet_store::{MemoryEphemeral, PgStore, SqliteStore, Store};
use tokio::net::TcpListener;

pub use config::Config;
pub use state::AppState;

use crate::error::PageError;
use crate::routes::api;

/// Request bodies larger than this are refused with 413: forms here are tiny.
pub const BODY_LIMIT: usize = 64 * 1024;

pub fn router(state: AppState) -> Router {
    // RFC 6797: once a browser has reached an https issuer, it never tries plain HTTP again.
    let hsts = state.config.issuer_base().starts_with("https://");
    let mut api = Router::new();
    let mut app = Router::new();
    for r in routes::table() {
        match r.path.strip_prefix("/api/v1") {
            Some(rest) => api = api.route(rest, r.methods),
            None => app = app.route(r.path, r.methods),
        }
    }
    let mut templates: Vec<&'static str> = routes::table().iter().map(|r| r.path).collect();
    if state.config.metrics.enabled && state.config.metrics.listen.is_empty() {
        app = app.route("/metrics", axum::routing::get(metrics::expose::serve));
        templates.push("/metrics");
    }
    state.metrics.install_routes(templates);
    let api = api.fallback(api::not_found).method_not_allowed_fallback(api::method_not_allowed);
    let app = app
        .nest("/api/v1", api)
        .fallback(|| async { PageError::NotFound })
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(axum::middleware::from_fn_with_state(state.clone(), edge))
        .with_state(state);
    if hsts {
        app.layer(tower_http::set_header::SetResponseHeaderLayer::if_not_present(
            header::STRICT_TRANSPORT_SECURITY,
            axum::http::HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        ))
    } else {
        app
    }
}

/// The per-request work around every route, in one layer (each `from_fn` layer costs the
/// request boxed services and futures: six of them were a third of a check's time), from the
/// outside in: the request counted and timed (`metrics::expose::Timing`); its id and log line
/// (`request_id::Assigned`); the security headers on the response
/// (`http::set_security_headers`); a page's language (`pages::i18n::Negotiated`); a query with a
/// NUL refused; an admin API read audited (`admin::caller::ReadAudit`).
async fn edge(
    axum::extract::State(state): axum::extract::State<AppState>,
    mut req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let timing = metrics::expose::Timing::start(&state, &req);
    let id = request_id::Assigned::of(&req);
    let page = pages::i18n::Negotiated::of(&state, &req);
    let inner = async {
        if let Some(refused) = nul_query_refusal(&req) {
            return refused;
        }
        let read = admin::caller::ReadAudit::start(&mut req);
        let res = next.run(req).await;
        if let Some(read) = read {
            read.finish(&state, res.status().is_success()).await;
        }
        res
    };
    let outer = async {
        let mut res = match page {
            Some(page) => page.run(state.cookies.secure, inner).await,
            None => inner.await,
        };
        http::set_security_headers(res.headers_mut());
        res
    };
    let res = id.run(outer).await;
    timing.finish(&state, &res);
    res
}

/// A query string with a NUL is refused before any handler reads it, in the form the path
/// answers errors in (JSON, an OAuth error, a page).
fn nul_query_refusal(req: &axum::extract::Request) -> Option<axum::response::Response> {
    use axum::response::IntoResponse;
    if !req.uri().query().is_some_and(|q| forms::has_nul(q.as_bytes())) {
        return None;
    }
    let path = req.uri().path();
    let browser = ["/oauth2/authorize", "/oauth2/logout"].iter().any(|p| path.starts_with(p));
    Some(if path.starts_with("/api/") {
        crate::error::ApiError::bad_request("the query string contains a NUL character").into_response()
    } else if path.starts_with("/oauth2/") && !browser {
        crate::oauth::OAuthError::InvalidRequest("the query string contains a NUL character".into()).into_response()
    } else {
        PageError::BadRequest(pages::tr("error-nul")).into_response()
    })
}

/// Serves until `shutdown` resolves, then drains in-flight requests.
pub async fn run(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(());
    let housekeeping = tokio::spawn(housekeeping(state.clone(), stop_rx.clone()));
    let mail_worker = tokio::spawn(mail_worker(state.clone(), stop_rx.clone()));
    let authz_follower = tokio::spawn(authz_follower(state.clone(), stop_rx));
    // Every organization's authorization graph, loaded while the server already answers.
    let s = state.clone();
    tokio::spawn(async move {
        let started = std::time::Instant::now();
        match s.authz.preload(s.store.as_ref()).await {
            Ok((orgs, tuples)) => {
                let ms = started.elapsed().as_millis() as u64;
                tracing::info!(target: "signet::startup", orgs, tuples, ms, "authorization graphs loaded");
            }
            Err(e) => tracing::warn!(error = %format!("{e:#}"), "loading the authorization graphs failed"),
        }
    });
    if let Some(rx) = state.tracer_rx.lock().ok().and_then(|mut r| r.take()) {
        let (endpoint, service) = (state.config.otlp.endpoint.clone(), state.config.otlp.service_name.clone());
        tokio::spawn(metrics::otlp::export(endpoint, service, rx));
    }
    if state.config.metrics.enabled && !state.config.metrics.listen.is_empty() {
        // The metrics' own listener: nothing else is served there.
        let addr = state.config.metrics.listen.clone();
        let metrics_app =
            Router::new().route("/metrics", axum::routing::get(metrics::expose::serve)).with_state(state.clone());
        let l = TcpListener::bind(&addr).await?;
        tracing::info!(target: "signet::startup", listen = %addr, "metrics listening");
        tokio::spawn(async move { axum::serve(l, metrics_app).await });
    }
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    let res = axum::serve(listener, app).with_graceful_shutdown(shutdown).await;
    drop(stop_tx);
    let _ = housekeeping.await;
    let _ = mail_worker.await;
    let _ = authz_follower.await;
    res
}

/// Background upkeep: picks up key changes made by other processes (the CLI, other
/// instances) every 2 s (one small query while nothing changed), rotates keys on schedule, and
/// every 10 minutes purges expired sessions, keys and authorization state.
async fn housekeeping(state: AppState, mut stop: tokio::sync::watch::Receiver<()>) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(2));
    let mut rounds: u64 = 0;
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = stop.changed() => return,
        }
        rounds += 1;
        if let Err(e) = upkeep(&state, rounds % 300 == 1).await {
            tracing::warn!(error = %format!("{e:#}"), "housekeeping failed");
        }
    }
}

/// Delivers the mail outbox every 2 s, on its own task so a slow SMTP server never delays key
/// reloads or purges.
async fn mail_worker(state: AppState, mut stop: tokio::sync::watch::Receiver<()>) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(2));
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = stop.changed() => return,
        }
        // Rounds follow each other at once while full batches come back (a burst of mail).
        loop {
            match mail::deliver_due(&state).await {
                Ok((claimed, _)) if mail::more_waiting(claimed) && !stop.has_changed().unwrap_or(true) => continue,
                Ok(_) => break,
                Err(e) => {
                    tracing::warn!(error = %format!("{e:#}"), "mail delivery round failed");
                    break;
                }
            }
        }
    }
}

/// Follows the authorization change log (`authz`), so that changes made on other instances or
/// by the CLI reach this one within `[authz] follow_interval` even when no revision token asks.
async fn authz_follower(state: AppState, mut stop: tokio::sync::watch::Receiver<()>) {
    let every = std::time::Duration::try_from(state.config.authz.follow_interval).unwrap_or(authz::FOLLOW_EVERY);
    let mut tick = tokio::time::interval(every.max(std::time::Duration::from_millis(10)));
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = stop.changed() => return,
        }
        if let Err(e) = state.authz.follow(state.store.as_ref()).await {
            tracing::warn!(error = %format!("{e:#}"), "following the authorization change log failed");
        }
    }
}

async fn upkeep(state: &AppState, purge: bool) -> anyhow::Result<()> {
    let now = state.now();
    let store = state.store.as_ref();
    state.keys.reload(store).await?;
    state.keys.rotate_due(store, now, state.config.tokens.key_rotation, key_publish_time(&state.config)).await?;
    // Accounts past their deletion grace period (an indexed query that finds nothing, usually).
    flows::deletion::erase_due(state).await?;
    if purge {
        state.store.purge_keys(now).await?;
        purge_expired(state).await?;
        // An instance away longer than this reloads its authorization graphs (`authz`).
        state.store.prune_authz_changes(now - time::Duration::hours(1)).await?;
        prune_audit(state, now - state.config.audit.retention).await?;
    }
    // Replaced client secrets whose overlap ended stop working (they already fail
    // authentication past their time; this forgets them and audits it).
    admin::clients::expire_previous_secrets(state).await?;
    Ok(())
}

/// Audit events deleted per statement: at 1M rows, batches of 500 held the write lock for up
/// to 114 ms at a WAL checkpoint; 200 kept concurrent inserts under 100 ms (bench/README.md).
const AUDIT_BATCH: i64 = 200;

/// Audit retention (`[audit] retention`, the upkeep passes now minus it): deletes events older
/// than `before` in batches of [`AUDIT_BATCH`], oldest first through the `at` index, pausing
/// between them, so a large backlog never holds the write lock long (the `audit_retention`
/// example of signet-store measures it). Returns how many went.
pub async fn prune_audit(state: &AppState, before: time::OffsetDateTime) -> anyhow::Result<u64> {
    let mut total = 0;
    loop {
        let n = state.store.prune_audit(before, AUDIT_BATCH).await?;
        total += n;
        if n < AUDIT_BATCH as u64 {
            return Ok(total);
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

/// Rows deleted per statement per round of [`purge_expired`].
const PURGE_BATCH: i64 = 500;

/// Deletes every expired row (pending authorization requests, codes, device codes, challenges,
/// refresh families, sessions) in batches, yielding between them so requests keep flowing.
/// Returns how many rows went.
pub async fn purge_expired(state: &AppState) -> anyhow::Result<u64> {
    let now = state.now();
    let s = &state.config.session;
    let cutoffs = signet_store::PurgeCutoffs {
        now,
        session_idle_before: now - s.idle_timeout,
        session_created_before: now - s.absolute_timeout,
        keep_spent: time::Duration::days(1),
    };
    let mut total = 0;
    loop {
        let n = state.store.purge_batch(cutoffs, PURGE_BATCH).await?;
        total += n;
        if n < PURGE_BATCH as u64 {
            return Ok(total);
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

/// How long a retired key stays published: longer than any token it signed can live.
pub fn key_publish_time(config: &Config) -> time::Duration {
    config.tokens.max_access_token_ttl + time::Duration::minutes(5)
}

/// Opens the store named by the config (creating the data directory), loads or creates the
/// secrets, and builds the state.
pub async fn build_state(config: Config, clock: Arc<dyn Clock>) -> anyhow::Result<AppState> {
    tokens::provider::install();
    let created = !config.data_dir.exists();
    std::fs::create_dir_all(&config.data_dir)
        .map_err(|e| anyhow::anyhow!("cannot create data_dir {}: {e}", config.data_dir.display()))?;
    let store = open_store(&config).await?;
    restrict_data_files(&config.data_dir, created)?;
    let secrets = secrets::Secrets::load_or_create(&config.secrets_path())?;
    let keys = tokens::KeyRing::load(store.as_ref(), &secrets.kek, config.signing_algs(), clock.now()).await?;
    let ephemeral: Arc<dyn signet_store::Ephemeral> = match &config.redis_url {
        Some(url) => {
            let redis = signet_store::RedisEphemeral::connect(url, &config.redis_prefix)
                .await
                .map_err(|e| anyhow::anyhow!("cannot connect to redis_url: {e}"))?;
            Arc::new(signet_store::FallbackEphemeral::new(redis))
        }
        None => Arc::new(MemoryEphemeral::new()),
    };
    let webauthn = passkey::relying_party(&config)?;
    let discovery = routes::jwks::metadata_document(&config, keys.algs());
    AppState::new(state::Parts { config, store, ephemeral, clock, secrets, keys, webauthn, discovery })
}

/// The data directory holds the database, its WAL and the secrets: only Signet's user may
/// read them (directory 0700 when Signet made it or it already holds the secrets; files 0600).
/// SQLite gives its WAL and shared-memory files the database file's mode, so they stay
/// private too. Only Signet's own files are touched, whatever directory `data_dir` names.
fn restrict_data_files(dir: &std::path::Path, created: bool) -> anyhow::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let set = |p: &std::path::Path, mode: u32| {
            std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode))
                .map_err(|e| anyhow::anyhow!("cannot restrict permissions of {}: {e}", p.display()))
        };
        if created || dir.join("secrets.toml").exists() {
            set(dir, 0o700)?;
        }
        for name in ["signet.db", "signet.db-wal", "signet.db-shm", "secrets.toml", "signet.toml"] {
            let p = dir.join(name);
            if p.is_file() {
                set(&p, 0o600)?;
            }
        }
    }
    #[cfg(not(unix))]
    let _ = (dir, created);
    Ok(())
}

/// Opens the backend the database URL names (the only place that knows there are several).
pub async fn open_store(config: &Config) -> anyhow::Result<Arc<dyn Store>> {
    let url = config.database_url();
    let shown = config.database_url_redacted();
    let store: Arc<dyn Store> = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Arc::new(
            PgStore::open_url(&url, config.database_max_connections)
                .await
                .map_err(|e| redacted_err(e, &url, &shown))?,
        )
    } else {
        Arc::new(SqliteStore::open_url(&url).await.map_err(|e| redacted_err(e, &url, &shown))?)
    };
    Ok(store)
}

/// Driver errors can quote the URL; never let the password through.
fn redacted_err(e: signet_store::StoreError, url: &str, shown: &str) -> anyhow::Error {
    let msg = e.to_string().replace(url, shown);
    anyhow::anyhow!("cannot open database {shown}: {msg}")
}

/// JSON (or human-readable) logs on stderr; level from `SIGNET_LOG` (default `info`).
/// Handlers never log secrets; request logs carry method, path and status only.
pub fn init_logging(format: config::LogFormat) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("SIGNET_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let _ = match format {
        config::LogFormat::Json => {
            builder.json().flatten_event(true).with_current_span(true).with_span_list(false).try_init()
        }
        config::LogFormat::Pretty => builder.try_init(),
    };
}

/// Resolves on SIGTERM or Ctrl-C.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}
