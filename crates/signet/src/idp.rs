//! `signet idp …`: upstream identity providers ("Sign in with Google", a company's own IdP).
//! A provider added here is stored in the database with its secret encrypted under the
//! key-encryption key; providers in `signet.toml` (`[idp.<slug>]`) are listed but not changed.

use std::collections::BTreeMap;
use std::io::Read as _;

use anyhow::{bail, Context as _};
use clap::Subcommand;
use signet_server::config::federation::ProviderConfig;
use signet_server::upstream::{registry, secret_aad};
use zeroize::Zeroizing;

use crate::admin::state;

// Parsed once per run: the size of the largest variant does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand)]
pub enum IdpCmd {
    /// Add a provider. Register `<issuer>/login/idp/SLUG/callback` at the provider as the
    /// redirect URI (printed on success).
    Add {
        /// Its name in URLs and the audit log (a-z, 0-9, -).
        slug: String,
        /// oidc, google, github, apple or microsoft.
        #[arg(long)]
        preset: String,
        #[arg(long)]
        client_id: String,
        /// A file holding the client secret (Apple: the .p8 private key); `-`: standard input.
        /// Not needed with `--client-auth private_key_jwt`.
        #[arg(long)]
        client_secret_file: Option<String>,
        /// client_secret_basic, client_secret_post, or private_key_jwt (Signet signs with its own
        /// key; register `<issuer>/jwks` at the provider). Default: what the provider supports.
        #[arg(long)]
        client_auth: Option<String>,
        /// The issuer (required for oidc; presets have a default).
        #[arg(long)]
        issuer: Option<String>,
        /// The sign-in button's label.
        #[arg(long)]
        display_name: Option<String>,
        /// Scopes to ask for (default: the preset's).
        #[arg(long)]
        scopes: Option<String>,
        /// The claim holding the address, if not `email` (the subject is always `sub`).
        #[arg(long)]
        email_claim: Option<String>,
        /// The claim saying the address is verified, if not `email_verified`.
        #[arg(long)]
        email_verified_claim: Option<String>,
        /// The claim holding the person's name, if not `name`.
        #[arg(long)]
        name_claim: Option<String>,
        /// deny, confirm or automatic: a first sign-in whose address has an account here.
        #[arg(long, default_value = "confirm")]
        linking: String,
        /// The provider owns its addresses (needed for --linking automatic).
        #[arg(long)]
        email_authoritative: bool,
        /// Never create an account at a first sign-in.
        #[arg(long)]
        no_create_accounts: bool,
        /// A claim that must hold, NAME=VALUE (repeatable; values of one name are alternatives).
        #[arg(long = "require-claim")]
        require_claims: Vec<String>,
        /// The organization whose verified domains are sent to this provider from the login page.
        #[arg(long)]
        organization: Option<String>,
        /// Keep the upstream's tokens (encrypted) for token exchange.
        #[arg(long)]
        store_tokens: bool,
        /// A client that may exchange a user's token for the upstream's (repeatable).
        #[arg(long = "token-exchange-client")]
        token_exchange_clients: Vec<String>,
        /// Sign in with Apple: the team id and key id of the private key.
        #[arg(long)]
        apple_team_id: Option<String>,
        #[arg(long)]
        apple_key_id: Option<String>,
        /// Endpoints for an upstream without discovery (GitHub Enterprise).
        #[arg(long)]
        authorization_endpoint: Option<String>,
        #[arg(long)]
        token_endpoint: Option<String>,
        #[arg(long)]
        api_base: Option<String>,
    },
    /// List the providers (from signet.toml and added here).
    List {
        #[arg(long)]
        json: bool,
    },
    /// Remove a provider added here. Identities linked through it stay (re-adding it brings
    /// them back); they cannot sign in meanwhile.
    Remove { slug: String },
}

fn read_secret(file: &str) -> anyhow::Result<Zeroizing<String>> {
    let mut s = Zeroizing::new(String::new());
    if file == "-" {
        std::io::stdin().read_to_string(&mut s).context("standard input")?;
    } else {
        *s = std::fs::read_to_string(file).with_context(|| format!("cannot read {file}"))?;
    }
    let trimmed = Zeroizing::new(s.trim().to_owned());
    if trimmed.is_empty() {
        bail!("the client secret is empty");
    }
    Ok(trimmed)
}

fn claims(rules: &[String]) -> anyhow::Result<BTreeMap<String, Vec<String>>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for r in rules {
        let (k, v) = r.split_once('=').with_context(|| format!("{r:?}: use NAME=VALUE"))?;
        out.entry(k.trim().to_owned()).or_default().push(v.trim().to_owned());
    }
    Ok(out)
}

pub async fn idp(config: signet_server::config::Config, cmd: IdpCmd) -> anyhow::Result<()> {
    let state = state(config).await?;
    match cmd {
        IdpCmd::Add {
            slug,
            preset,
            client_id,
            client_secret_file,
            client_auth,
            issuer,
            display_name,
            scopes,
            email_claim,
            email_verified_claim,
            name_claim,
            linking,
            email_authoritative,
            no_create_accounts,
            require_claims,
            organization,
            store_tokens,
            token_exchange_clients,
            apple_team_id,
            apple_key_id,
            authorization_endpoint,
            token_endpoint,
            api_base,
        } => {
            if state.config.idp.contains_key(&slug) {
                bail!("{slug:?} is defined in the config file; change it there");
            }
            let secret = client_secret_file.as_deref().map(read_secret).transpose()?;
            let config = ProviderConfig {
                preset,
                display_name,
                issuer,
                client_id,
                client_secret: None,
                client_auth,
                email_claim,
                email_verified_claim,
                name_claim,
                scopes,
                linking,
                email_authoritative,
                create_accounts: !no_create_accounts,
                required_claims: claims(&require_claims)?,
                organization,
                store_tokens,
                token_exchange_clients,
                authorization_endpoint,
                token_endpoint,
                api_base,
                apple_team_id,
                apple_key_id,
            };
            config.validate(&slug, secret.is_some()).map_err(|(field, m)| anyhow::anyhow!("{field}: {m}"))?;
            if let Some(org) = &config.organization {
                state.store.org(org).await?.with_context(|| format!("no organization {org:?}"))?;
            }
            for c in &config.token_exchange_clients {
                state.store.client(c).await?.with_context(|| format!("no client {c:?}"))?;
            }
            let sealed = secret
                .map(|s| signet_server::kek::seal(&state.secrets.kek, &secret_aad(&slug), s.as_bytes()))
                .transpose()?;
            let json = serde_json::to_string(&config)?;
            match state.store.add_provider(&slug, &json, sealed.as_deref(), state.now()).await {
                Err(signet_store::StoreError::Conflict) => bail!("a provider {slug:?} exists already"),
                r => r?,
            }
            let detail = format!("{slug}: {} {}", config.preset, config.issuer().unwrap_or_default());
            crate::admin::write_audit(&state, signet_core::audit::AuditKind::IdpAdd, None, &detail).await;
            println!("added {slug}");
            println!(
                "redirect URI to register at the provider: {}/login/idp/{slug}/callback",
                state.config.issuer_base()
            );
        }
        IdpCmd::List { json } => {
            let all = registry::all(&state).await?;
            if json {
                let rows: Vec<_> = all
                    .iter()
                    .map(|p| {
                        serde_json::json!({
                            "slug": p.slug, "source": if p.from_file { "config" } else { "stored" },
                            "settings": p.config,
                            "redirect_uri": p.redirect_uri(state.config.issuer_base()),
                        })
                    })
                    .collect();
                println!("{}", serde_json::to_string_pretty(&rows)?);
            } else {
                for p in &all {
                    let source = if p.from_file { "config" } else { "stored" };
                    println!(
                        "{}\t{}\t{}\t{}\tlinking={}\t{}",
                        p.slug,
                        p.config.preset,
                        source,
                        p.issuer(),
                        p.config.linking,
                        p.redirect_uri(state.config.issuer_base())
                    );
                }
            }
        }
        IdpCmd::Remove { slug } => {
            if state.config.idp.contains_key(&slug) {
                bail!("{slug:?} is defined in the config file; remove it there");
            }
            if !state.store.remove_provider(&slug).await? {
                bail!("no provider {slug:?}");
            }
            crate::admin::write_audit(&state, signet_core::audit::AuditKind::IdpRemove, None, &slug).await;
            println!("removed {slug}");
        }
    }
    Ok(())
}
