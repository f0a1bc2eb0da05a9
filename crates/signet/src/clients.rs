//! `signet client …` and `signet keys …`.

use std::sync::Arc;

use anyhow::bail;
use clap::Subcommand;
use serde_json::json;
use signet_core::audit::AuditKind;
use signet_core::{PlainToken, SystemClock};
use signet_server::admin::clients::{self, ClientSpec};
use signet_server::admin::{keys, AdminError, Operator};
use signet_server::{AppState, Config};
use signet_store::{Client, NewAudit};

/// The command-line flag for a registration field (`signet_core::client` names fields as
/// RFC 7591 does).
fn flag_of(field: &str) -> &'static str {
    match field {
        "client_name" => "--name",
        "redirect_uris" => "--redirect-uri",
        "post_logout_redirect_uris" => "--post-logout-redirect-uri",
        "grant_types" => "--grant",
        "scope" => "--scope",
        "access_token_signed_response_alg" => "--signing-alg",
        "id_token_signed_response_alg" => "--id-token-alg",
        "subject_type" => "--subject-type",
        "access_token_ttl" => "--access-token-ttl",
        "logo_uri" => "--logo-uri",
        "client_uri" => "--client-uri",
        _ => "registration",
    }
}

// Parsed once per run: the size of the largest variant does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand)]
pub enum ClientCmd {
    /// Register a client. Prints the client_id and, for confidential clients, a client_secret
    /// that is shown only this once.
    Create {
        /// The name users see on the consent page and under Connected apps.
        #[arg(long, value_name = "NAME")]
        name: String,
        /// A public client (native app, SPA): no secret; authenticates by PKCE alone.
        #[arg(long)]
        public: bool,
        /// Comma-separated grant types: authorization_code, refresh_token, client_credentials,
        /// device_code.
        #[arg(long, value_name = "G1,G2", value_delimiter = ',', default_value = "client_credentials")]
        grant: Vec<String>,
        /// Space-separated scopes the client may request.
        #[arg(long, value_name = "\"A B\"", default_value = "")]
        scope: String,
        /// Access-token audiences (resource URIs) the client may request; the first is the default.
        #[arg(long, value_name = "URI")]
        audience: Vec<String>,
        /// Where codes may be sent (exact match): https, http://127.0.0.1 or [::1] on any port
        /// (native apps), a reverse-domain scheme (com.example.app:/cb), or http://localhost
        /// while the issuer itself is a loopback http development issuer.
        #[arg(long, value_name = "URI")]
        redirect_uri: Vec<String>,
        /// Access-token lifetime in seconds (capped by tokens.max_access_token_ttl).
        #[arg(long, value_name = "SECONDS")]
        access_token_ttl: Option<i64>,
        /// Signing algorithm for this client's access tokens: ES256, EdDSA or RS256 (must be
        /// configured).
        #[arg(long, value_name = "ALG")]
        signing_alg: Option<String>,
        /// A first-party client: users are not asked for consent (and the consent page's
        /// "unverified app" hint does not apply).
        #[arg(long)]
        skip_consent: bool,
        /// Where RP-initiated logout may send the browser afterwards (exact match).
        #[arg(long, value_name = "URI")]
        post_logout_redirect_uri: Vec<String>,
        /// Users must complete a second factor (TOTP, backup code or passkey) before this
        /// client gets a code; users without one are asked to set it up.
        #[arg(long)]
        require_mfa: bool,
        /// Every sign-in to this client happens in an organization: `organization=` on the
        /// request, or the user picks one of theirs.
        #[arg(long)]
        require_organization: bool,
        /// `pairwise`: the client sees a different `sub` per user than clients on other hosts
        /// (OIDC Core §8.1; its redirect URIs must share one host).
        #[arg(long, value_name = "public|pairwise", default_value = "public")]
        subject_type: String,
        /// The algorithm of this client's ID tokens (default RS256, OIDC Core §3.1.3.7).
        #[arg(long, value_name = "ALG")]
        id_token_alg: Option<String>,
        /// An https URL of the app's logo, shown on the consent page (RFC 7591 §2).
        #[arg(long, value_name = "URL")]
        logo_uri: Option<String>,
        /// The app's home page, linked from the consent page (RFC 7591 §2).
        #[arg(long, value_name = "URL")]
        client_uri: Option<String>,
        /// Print the client as JSON (with the secret, once).
        #[arg(long)]
        json: bool,
    },
    /// List registered clients.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Show one client's registration.
    Show {
        client_id: String,
        #[arg(long)]
        json: bool,
    },
    /// Replace a confidential client's secret; the old one stops working at once, or after
    /// `--overlap` seconds (at most 30 days) so deployments can switch over.
    RotateSecret {
        client_id: String,
        #[arg(long, value_name = "SECONDS", default_value_t = 0)]
        overlap: u64,
        #[arg(long)]
        json: bool,
    },
    /// Delete a client and revoke its refresh tokens.
    Delete {
        client_id: String,
        #[arg(long)]
        json: bool,
    },
    /// Grant a client permissions of an API for its own tokens (client credentials); the API
    /// must be one of the client's audiences.
    Grant {
        client_id: String,
        api: String,
        #[arg(required = true)]
        permissions: Vec<String>,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
pub enum KeysCmd {
    /// List signing keys and their states.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Promote `next` to `current`, retire the old `current`, pre-generate a new `next`.
    Rotate {
        /// Only this algorithm (default: every configured one).
        #[arg(long, value_name = "ALG")]
        alg: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Remove a compromised key from JWKS at once; tokens it signed become inactive.
    Revoke {
        kid: String,
        #[arg(long)]
        json: bool,
    },
}

async fn state(config: Config) -> anyhow::Result<AppState> {
    signet_server::build_state(config, Arc::new(SystemClock)).await
}

async fn audit(state: &AppState, kind: AuditKind, detail: &str) {
    let actor = signet_server::audit::Actor::Cli.label();
    let e = NewAudit {
        kind,
        at: state.now(),
        user_id: None,
        email: None,
        actor: &actor,
        ip: "",
        user_agent: "signet-cli",
        detail,
    };
    if let Err(err) = state.store.audit(e).await {
        eprintln!("warning: could not write audit event: {err}");
    }
}

fn client_json(c: &Client) -> serde_json::Value {
    json!({
        "client_id": c.client_id,
        "name": c.name,
        "public": c.is_public,
        "grant_types": c.grant_types,
        "scope": c.scopes,
        "audiences": c.audiences,
        "redirect_uris": c.redirect_uris,
        "access_token_ttl": c.access_token_ttl,
        "signing_alg": c.signing_alg,
        "skip_consent": c.skip_consent,
        "post_logout_redirect_uris": c.post_logout_redirect_uris,
        "require_mfa": c.require_mfa,
        "require_organization": c.require_organization,
        "subject_type": if c.pairwise_subjects { "pairwise" } else { "public" },
        "id_token_alg": c.id_token_alg,
        "logo_uri": c.logo_uri,
        "client_uri": c.client_uri,
    })
}

/// `device_code` and `token_exchange` for the URNs of RFC 8628 and RFC 8693, in tables.
/// A registration error names the command-line flag of the field.
fn flagged(e: AdminError) -> anyhow::Error {
    match e {
        AdminError::Invalid { field, message } => anyhow::anyhow!("{}: {}", flag_of(field), message),
        other => other.into(),
    }
}

fn short_grant(g: &str) -> &str {
    match signet_core::client::GrantType::parse(g) {
        Some(signet_core::client::GrantType::DeviceCode) => "device_code",
        Some(signet_core::client::GrantType::TokenExchange) => "token_exchange",
        _ => g,
    }
}

pub async fn client(config: Config, cmd: ClientCmd) -> anyhow::Result<()> {
    let state = state(config).await?;
    match cmd {
        ClientCmd::Create {
            name,
            public,
            grant,
            scope,
            audience,
            redirect_uri,
            access_token_ttl,
            signing_alg,
            skip_consent,
            post_logout_redirect_uri,
            require_mfa,
            require_organization,
            subject_type,
            id_token_alg,
            logo_uri,
            client_uri,
            json,
        } => {
            let spec = ClientSpec {
                name,
                public,
                grant_types: grant,
                scope,
                audiences: audience,
                redirect_uris: redirect_uri,
                post_logout_redirect_uris: post_logout_redirect_uri,
                access_token_ttl,
                signing_alg,
                id_token_alg,
                subject_type: Some(subject_type),
                logo_uri,
                client_uri,
                skip_consent,
                require_mfa,
                require_organization,
            };
            let (c, secret) = clients::create(&state, &Operator::cli(), spec).await.map_err(flagged)?;
            print_client_with_secret(&c, secret.as_ref(), json)?;
        }
        ClientCmd::List { json } => {
            let clients = state.store.list_clients().await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&clients.iter().map(client_json).collect::<Vec<_>>())?);
            } else {
                let rows: Vec<[String; 4]> = clients
                    .iter()
                    .map(|c| {
                        let kind = if c.is_public { "public" } else { "confidential" };
                        let grants = c.grant_types.iter().map(|g| short_grant(g)).collect::<Vec<_>>().join(",");
                        [c.client_id.clone(), kind.to_owned(), grants, c.name.clone()]
                    })
                    .collect();
                print!("{}", crate::admin::table(["CLIENT_ID", "TYPE", "GRANTS", "NAME"], &rows));
            }
        }
        ClientCmd::Show { client_id, json } => {
            let c = state.store.client(&client_id).await?.ok_or_else(|| anyhow::anyhow!("no client {client_id:?}"))?;
            let v = client_json(&c);
            if json {
                println!("{}", serde_json::to_string_pretty(&v)?);
            } else if let serde_json::Value::Object(m) = v {
                let rows: Vec<[String; 2]> = m
                    .into_iter()
                    .map(|(k, v)| {
                        let text = match v {
                            serde_json::Value::String(s) => s,
                            serde_json::Value::Array(a) => a
                                .iter()
                                .map(|x| x.as_str().map_or_else(|| x.to_string(), str::to_owned))
                                .collect::<Vec<_>>()
                                .join(" "),
                            serde_json::Value::Null => "-".into(),
                            other => other.to_string(),
                        };
                        [format!("{k}:"), text]
                    })
                    .collect();
                print!("{}", crate::admin::table(["", ""], &rows).split_once('\n').map_or("", |(_, rest)| rest));
            }
        }
        ClientCmd::RotateSecret { client_id, overlap, json } => {
            let (c, secret) = clients::rotate_secret(&state, &Operator::cli(), &client_id, None, overlap).await?;
            print_client_with_secret(&c, Some(&secret), json)?;
            if overlap > 0 && !json {
                println!("(the old secret keeps working for {overlap} s)");
            }
        }
        ClientCmd::Delete { client_id, json } => {
            clients::delete(&state, &Operator::cli(), &client_id).await?;
            if json {
                println!("{}", json!({ "deleted": client_id }));
            } else {
                println!("deleted client {client_id}; its refresh tokens are revoked");
            }
        }
        ClientCmd::Grant { client_id, api, permissions, json } => {
            let c = state.store.client(&client_id).await?.ok_or_else(|| anyhow::anyhow!("no client {client_id:?}"))?;
            let a = state.store.api(&api).await?.ok_or_else(|| anyhow::anyhow!("no API {api:?}"))?;
            if !c.audiences.contains(&api) {
                bail!("{api} is not among the client's audiences (--audience at creation)");
            }
            if let Some(bad) = permissions.iter().find(|p| !a.permissions.contains(p)) {
                bail!("{api} has no permission {bad:?}");
            }
            for p in &permissions {
                state.store.grant_client(&client_id, a.id, p).await?;
            }
            let detail = format!("client:{client_id} api:{api} {}", permissions.join(" "));
            audit(&state, AuditKind::ClientGrant, &detail).await;
            if json {
                println!("{}", json!({ "client_id": client_id, "api": api, "granted": permissions }));
            } else {
                println!("{client_id} may ask {api} for: {}", permissions.join(" "));
            }
        }
    }
    Ok(())
}

fn print_client_with_secret(c: &Client, secret: Option<&PlainToken>, json: bool) -> anyhow::Result<()> {
    if json {
        let mut v = client_json(c);
        if let (Some(s), serde_json::Value::Object(m)) = (secret, &mut v) {
            m.insert("client_secret".into(), json!(s.expose()));
        }
        println!("{}", serde_json::to_string_pretty(&v)?);
    } else {
        println!("client_id:     {}", c.client_id);
        if let Some(s) = secret {
            println!("client_secret: {}", s.expose());
            println!("(the secret is shown only now; store it safely)");
        }
    }
    Ok(())
}

pub async fn keys(config: Config, cmd: KeysCmd) -> anyhow::Result<()> {
    let state = state(config.clone()).await?;
    match cmd {
        KeysCmd::List { json } => {
            let keys = state.store.list_keys().await?;
            let rows: Vec<_> = keys
                .iter()
                .map(|k| {
                    json!({
                        "kid": k.kid, "alg": k.alg, "state": k.state.as_str(),
                        "created_at": k.created_at.unix_timestamp(),
                        "activated_at": k.activated_at.map(|t| t.unix_timestamp()),
                        "retired_at": k.retired_at.map(|t| t.unix_timestamp()),
                        "revoked_at": k.revoked_at.map(|t| t.unix_timestamp()),
                    })
                })
                .collect();
            if json {
                println!("{}", serde_json::to_string_pretty(&rows)?);
            } else {
                let rows: Vec<[String; 3]> =
                    keys.iter().map(|k| [k.kid.clone(), k.alg.clone(), k.state.as_str().to_owned()]).collect();
                print!("{}", crate::admin::table(["KID", "ALG", "STATE"], &rows));
            }
        }
        KeysCmd::Rotate { alg, json } => {
            let algs = keys::rotate(&state, &Operator::cli(), alg.as_deref()).await?;
            if json {
                println!("{}", json!({ "rotated": algs }));
            } else {
                for a in &algs {
                    println!("rotated {a}");
                }
            }
        }
        KeysCmd::Revoke { kid, json } => {
            keys::revoke(&state, &Operator::cli(), &kid).await?;
            if json {
                println!("{}", json!({ "revoked": kid }));
            } else {
                println!(
                    "revoked {kid}; it is gone from JWKS and its tokens are inactive (running servers pick this up within 2 s)"
                );
            }
        }
    }
    Ok(())
}
