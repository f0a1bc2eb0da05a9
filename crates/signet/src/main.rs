//! The `signet` binary: a thin CLI over signet-server and signet-store.

mod admin;
mod authz;
mod backup;
mod clients;
mod groups;
mod idp;
mod mail;
mod orgs;
mod reference;

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{CommandFactory, Parser, Subcommand};
use signet_core::SystemClock;
use signet_server::config::{Config, ConfigError, DEFAULT_CONFIG_TOML};

#[derive(Parser)]
#[command(name = "signet", version, about = "Signet identity server: OAuth 2.1 / OpenID Provider")]
struct Cli {
    /// Config file (default: $SIGNET_CONFIG, else ./signet-data/signet.toml).
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

// Parsed once per run: the size of the largest variant does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand)]
enum Command {
    /// Run the server. With no config, creates ./signet-data with a database, secrets and a
    /// default config, and listens on 127.0.0.1:8080.
    Serve,
    /// Create or upgrade the database schema (and the secrets file and first signing keys), then exit.
    Migrate,
    /// Configuration commands.
    #[command(subcommand)]
    Config(ConfigCmd),
    /// Manage user accounts.
    #[command(subcommand)]
    User(admin::UserCmd),
    /// Read the audit log.
    #[command(subcommand)]
    Audit(admin::AuditCmd),
    /// Manage OAuth clients.
    #[command(subcommand)]
    Client(clients::ClientCmd),
    /// Manage signing keys.
    #[command(subcommand)]
    Keys(clients::KeysCmd),
    /// Check the mail settings.
    #[command(subcommand)]
    Mail(mail::MailCmd),
    /// Manage organizations (tenants) and their members.
    #[command(subcommand)]
    Org(orgs::OrgCmd),
    /// Manage APIs (resource servers) and their permissions.
    #[command(subcommand)]
    Api(orgs::ApiCmd),
    /// Manage roles: named sets of API permissions, global or per organization.
    #[command(subcommand)]
    Role(orgs::RoleCmd),
    /// Object-level authorization: schemas, tuples, checks, policy tests.
    #[command(subcommand)]
    Authz(authz::AuthzCmd),
    /// Upstream identity providers: sign in with Google, GitHub, Apple, Microsoft or an OpenID provider.
    #[command(subcommand)]
    Idp(idp::IdpCmd),
    /// Copy the SQLite database to FILE while the server runs (a consistent snapshot).
    /// Keep the secrets file with it. PostgreSQL: use pg_dump.
    Backup { file: PathBuf },
    /// Put a backup made by `signet backup` back in place. Stop the server first.
    Restore {
        file: PathBuf,
        /// Restore even though a write-ahead log is present (after a crash).
        #[arg(long)]
        force: bool,
    },
    /// Print the README's command table (generated from these definitions).
    #[command(hide = true)]
    CliReference,
}

#[derive(Subcommand)]
enum ConfigCmd {
    /// Validate a config file (and SIGNET_* variables); prints the problem and exits 2 if invalid.
    Check { file: Option<PathBuf> },
}

/// Exit code for configuration errors, so scripts can tell them apart from runtime failures.
const EXIT_CONFIG: u8 = 2;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let env: Vec<(String, String)> = std::env::vars().collect();
    let explicit = cli.config.clone().or_else(|| std::env::var_os("SIGNET_CONFIG").map(PathBuf::from));

    if let Command::CliReference = cli.command {
        print!("{}", reference::markdown(&Cli::command()));
        return ExitCode::SUCCESS;
    }
    if let Command::Config(ConfigCmd::Check { file }) = &cli.command {
        let path = file.clone().or(explicit).unwrap_or_else(|| Config::default_path(&env));
        return match Config::load_file(&path, true, &env) {
            Ok(_) => {
                println!("{}: OK", path.display());
                ExitCode::SUCCESS
            }
            Err(e) => config_error(&e),
        };
    }

    let path = explicit.clone().unwrap_or_else(|| Config::default_path(&env));
    let config = match Config::load_file(&path, explicit.is_some(), &env) {
        Ok(c) => c,
        Err(e) => return config_error(&e),
    };
    let write_default = explicit.is_none() && !path.exists();

    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("signet: cannot start runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async move {
        match cli.command {
            Command::Serve => serve(config, write_default.then_some(path)).await,
            Command::Migrate => {
                // Everything a first start would create, so several instances can then start
                // together: schema, secrets file, first signing keys.
                signet_server::build_state(config.clone(), Arc::new(SystemClock)).await?;
                println!("database is up to date: {}", config.database_url_redacted());
                println!("secrets file: {} (every instance needs this same file)", config.secrets_path().display());
                Ok(())
            }
            Command::User(cmd) => admin::user(config, cmd).await,
            Command::Audit(cmd) => admin::audit(config, cmd).await,
            Command::Client(cmd) => clients::client(config, cmd).await,
            Command::Keys(cmd) => clients::keys(config, cmd).await,
            Command::Mail(cmd) => mail::mail(config, cmd).await,
            Command::Org(cmd) => orgs::org(config, cmd).await,
            Command::Api(cmd) => orgs::api(config, cmd).await,
            Command::Role(cmd) => orgs::role(config, cmd).await,
            Command::Authz(cmd) => authz::authz(config, cmd).await,
            Command::Idp(cmd) => idp::idp(config, cmd).await,
            Command::Backup { file } => backup::backup(config, file).await,
            Command::Restore { file, force } => backup::restore(config, file, force).await,
            Command::Config(_) | Command::CliReference => Ok(()),
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("signet: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn config_error(e: &ConfigError) -> ExitCode {
    eprintln!("signet: config error: {e}");
    ExitCode::from(EXIT_CONFIG)
}

async fn serve(config: Config, write_default_to: Option<PathBuf>) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    signet_server::init_logging(config.log_format);
    let state = signet_server::build_state(config.clone(), Arc::new(SystemClock)).await?;
    if let Some(path) = write_default_to {
        let text = DEFAULT_CONFIG_TOML
            .replace("data_dir = \"signet-data\"", &format!("data_dir = {:?}", config.data_dir.display().to_string()));
        if let Err(e) = std::fs::write(&path, text) {
            tracing::warn!(error = %e, path = %path.display(), "could not write default config");
        }
    }
    let listener = tokio::net::TcpListener::bind(&config.listen)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", config.listen))?;
    let addr = listener.local_addr()?;
    if config.is_insecure_dev() {
        tracing::warn!(
            issuer = %config.issuer,
            "plain-HTTP loopback issuer: session cookies are sent without Secure/__Host-; for local development only"
        );
    }
    let has_admin = state.store.list_users().await?.iter().any(|u| u.is_admin);
    println!("Signet {} listening on http://{addr}", env!("CARGO_PKG_VERSION"));
    println!("issuer:   {}", config.issuer);
    println!("data dir: {} ({})", config.data_dir.display(), config.database_url_redacted());
    if !has_admin {
        println!("No administrator yet. Create one (in another terminal, same directory):");
        println!("  signet user create --admin --email you@example.com --password-stdin");
    }
    println!("ready in {} ms", started.elapsed().as_millis());
    tracing::info!(addr = %addr, issuer = %config.issuer, "listening");
    signet_server::run(listener, state, signet_server::shutdown_signal()).await?;
    tracing::info!("shut down");
    Ok(())
}
