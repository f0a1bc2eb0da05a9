//! `signet user …` and `signet audit …`: administration on the same database the server uses
//! (SQLite in WAL mode with a busy timeout, so this is safe while the server runs).

use std::io::{BufRead, Read};
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{bail, Context};
use clap::Subcommand;
use serde::Deserialize;
use signet_core::audit::AuditKind;
use signet_core::password::is_importable;
use signet_core::{Email, OffsetDateTime, Password, PasswordRecord, SystemClock};
use signet_server::admin::{users, Operator};
use signet_server::{AppState, Config};
use signet_store::{NewAudit, NewUser, StoreError, User, UserPatch};

#[derive(Subcommand)]
pub enum UserCmd {
    /// Create an account. The password is read from standard input.
    Create {
        #[arg(long)]
        email: String,
        /// Read the password from standard input (required: never put passwords in arguments).
        #[arg(long, required = true)]
        password_stdin: bool,
        /// Give the account the administrator role.
        #[arg(long)]
        admin: bool,
        /// Print the new account as JSON.
        #[arg(long)]
        json: bool,
    },
    /// List accounts.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Disable an account: it can no longer sign in, and its sessions end.
    Disable { email: String },
    /// Enable a disabled account.
    Enable { email: String },
    /// Remove every second factor (authenticator app, passkeys, backup codes) of an account
    /// whose owner lost them, after you have verified who they are; ends their sessions.
    ResetMfa { email: String },
    /// Set a new password (read from standard input); ends the user's sessions.
    SetPassword {
        email: String,
        #[arg(long, required = true)]
        password_stdin: bool,
    },
    /// Import accounts from JSON Lines: {"email": "...", "password_hash": "$2b$…" | "$argon2id$…", "is_admin": false}
    Import { file: PathBuf },
    /// Verify an account's address: mail it a link and code (`--send`; the running server
    /// delivers it), or mark it verified yourself (`--mark`).
    #[command(group(clap::ArgGroup::new("how").required(true).args(["send", "mark"])))]
    VerifyEmail {
        email: String,
        #[arg(long)]
        send: bool,
        #[arg(long)]
        mark: bool,
    },
    /// Set profile claims (OIDC Core §5.1); an empty value clears one.
    SetProfile {
        email: String,
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        given_name: Option<String>,
        #[arg(long)]
        family_name: Option<String>,
        #[arg(long)]
        nickname: Option<String>,
        /// An https:// URL of an image.
        #[arg(long)]
        picture: Option<String>,
        /// A BCP 47 language tag, e.g. de-CH.
        #[arg(long)]
        locale: Option<String>,
        /// A time-zone name, e.g. Europe/Paris.
        #[arg(long)]
        zoneinfo: Option<String>,
    },
}

#[derive(Subcommand)]
pub enum AuditCmd {
    /// Show recent audit events, newest first.
    List {
        #[arg(long)]
        json: bool,
        #[arg(long)]
        user: Option<String>,
        #[arg(long, default_value_t = 100)]
        limit: u32,
    },
}

pub(crate) async fn state(config: Config) -> anyhow::Result<AppState> {
    signet_server::build_state(config, Arc::new(SystemClock)).await
}

fn read_password() -> anyhow::Result<Password> {
    let mut s = String::new();
    std::io::stdin().read_to_string(&mut s).context("cannot read password from standard input")?;
    // Only the line ending is trimmed: spaces inside or around a password are the user's.
    let line = s.lines().next().unwrap_or("").to_owned();
    s.clear();
    Ok(Password::new(line))
}

pub(crate) async fn find(state: &AppState, email: &str) -> anyhow::Result<User> {
    let e = Email::parse(email).map_err(|e| anyhow::anyhow!("{email:?}: {e}"))?;
    state.store.user_by_email(&e).await?.ok_or_else(|| anyhow::anyhow!("no account with email {email:?}"))
}

pub(crate) async fn write_audit(state: &AppState, kind: AuditKind, user: Option<&User>, detail: &str) {
    let actor = signet_server::audit::Actor::Cli.label();
    let res = state
        .store
        .audit(NewAudit {
            kind,
            at: state.now(),
            user_id: user.map(|u| u.id),
            email: user.map(|u| u.email.as_str()),
            actor: &actor,
            ip: "",
            user_agent: "signet-cli",
            detail,
        })
        .await;
    if let Err(e) = res {
        eprintln!("warning: could not write audit event: {e}");
    }
}

pub async fn user(config: Config, cmd: UserCmd) -> anyhow::Result<()> {
    let state = state(config).await?;
    let now = state.now();
    match cmd {
        UserCmd::Create { email, password_stdin: _, admin, json } => {
            let u = users::create(&state, &Operator::cli(), &email, Some(read_password()?), admin).await?;
            if json {
                println!("{}", serde_json::json!({ "id": u.id, "email": u.email, "is_admin": u.is_admin }));
            } else {
                println!("created {}{} (id {})", u.email, if admin { " [admin]" } else { "" }, u.id);
            }
        }
        UserCmd::List { json } => {
            let users = state.store.list_users().await?;
            if json {
                let v: Vec<_> = users
                    .iter()
                    .map(|u| {
                        serde_json::json!({
                            "id": u.id, "email": u.email, "email_verified": u.email_verified(),
                            "is_admin": u.is_admin, "disabled": u.disabled,
                            "created_at": rfc3339(u.created_at),
                        })
                    })
                    .collect();
                println!("{}", serde_json::to_string_pretty(&v)?);
            } else {
                let rows: Vec<[String; 5]> = users
                    .iter()
                    .map(|u| {
                        [
                            u.id.to_string(),
                            u.email.clone(),
                            u.is_admin.to_string(),
                            u.disabled.to_string(),
                            rfc3339(u.created_at),
                        ]
                    })
                    .collect();
                print!("{}", table(["ID", "EMAIL", "ADMIN", "DISABLED", "CREATED"], &rows));
            }
        }
        UserCmd::Disable { email } => {
            let u = find(&state, &email).await?;
            let patch = UserPatch { disabled: Some(true), ..Default::default() };
            users::patch(&state, &Operator::cli(), u.id, None, patch).await?;
            println!("disabled {}", u.email);
        }
        UserCmd::ResetMfa { email } => {
            let u = find(&state, &email).await?;
            users::reset_mfa(&state, &Operator::cli(), u.id).await?;
            println!("second factors removed for {}; they sign in with their password alone", u.email);
        }
        UserCmd::Enable { email } => {
            let u = find(&state, &email).await?;
            let patch = UserPatch { disabled: Some(false), ..Default::default() };
            users::patch(&state, &Operator::cli(), u.id, None, patch).await?;
            println!("enabled {}", u.email);
        }
        UserCmd::SetPassword { email, password_stdin: _ } => {
            let u = find(&state, &email).await?;
            users::set_password(&state, &Operator::cli(), u.id, read_password()?).await?;
            println!("password set for {}; their sessions were ended", u.email);
        }
        UserCmd::Import { file } => import(&state, &file, now).await?,
        UserCmd::VerifyEmail { email, send, mark: _ } => {
            let u = find(&state, &email).await?;
            if send {
                signet_server::flows::verify::send(&state, &u).await?;
                println!("a verification link and code for {} are queued; the server delivers them", u.email);
            } else {
                state.store.set_email_verified(u.id, &u.email, now).await?;
                write_audit(&state, AuditKind::EmailVerified, Some(&u), "cli").await;
                println!("{} is marked verified", u.email);
            }
        }
        UserCmd::SetProfile { email, name, given_name, family_name, nickname, picture, locale, zoneinfo } => {
            let u = find(&state, &email).await?;
            let mut profile = u.profile.clone();
            let given = [
                ("name", name),
                ("given_name", given_name),
                ("family_name", family_name),
                ("nickname", nickname),
                ("picture", picture),
                ("locale", locale),
                ("zoneinfo", zoneinfo),
            ];
            for (field, value) in given {
                if let Some(v) = value {
                    profile
                        .set(field, &v)
                        .map_err(|_| anyhow::anyhow!("--{}: not a valid value", field.replace('_', "-")))?;
                }
            }
            state.store.set_profile(u.id, &profile, now).await?;
            write_audit(&state, AuditKind::ProfileUpdate, Some(&u), "cli").await;
            println!("{}", serde_json::to_string_pretty(&profile)?);
        }
    }
    Ok(())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ImportLine {
    email: String,
    password_hash: String,
    #[serde(default)]
    is_admin: bool,
}

async fn import(state: &AppState, file: &PathBuf, now: OffsetDateTime) -> anyhow::Result<()> {
    let f = std::fs::File::open(file).with_context(|| format!("cannot open {}", file.display()))?;
    let (mut ok, mut failed) = (0u32, 0u32);
    for (i, line) in std::io::BufReader::new(f).lines().enumerate() {
        let n = i + 1;
        let line = line.with_context(|| format!("line {n}: cannot read"))?;
        if line.trim().is_empty() {
            continue;
        }
        let result: anyhow::Result<User> = async {
            let l: ImportLine = serde_json::from_str(&line).map_err(|e| anyhow::anyhow!("not a valid record ({e})"))?;
            let email = Email::parse(&l.email).map_err(|e| anyhow::anyhow!("{:?}: {e}", l.email))?;
            if !is_importable(&l.password_hash) {
                bail!("password_hash is not a bcrypt ($2a$/$2b$/$2y$) or Argon2 PHC string");
            }
            // Imported hashes carry no pepper; the first successful login re-hashes them with
            // Argon2id and the current pepper.
            let record = PasswordRecord { hash: l.password_hash, pepper_id: None };
            match state
                .store
                .create_user(NewUser { email: &email, password: Some(&record), is_admin: l.is_admin, now })
                .await
            {
                Ok(u) => Ok(u),
                Err(StoreError::Conflict) => bail!("{email} already exists"),
                Err(e) => Err(e.into()),
            }
        }
        .await;
        match result {
            Ok(u) => {
                write_audit(state, AuditKind::UserImport, Some(&u), "").await;
                ok += 1;
            }
            Err(e) => {
                eprintln!("line {n}: {e:#}");
                failed += 1;
            }
        }
    }
    println!("imported {ok} account(s), {failed} failed");
    if failed > 0 {
        bail!("{failed} line(s) could not be imported");
    }
    Ok(())
}

/// Text for a terminal: every control character (C0, DEL, C1, which includes the one-byte CSI
/// that starts escape sequences) and newline is shown escaped (`\u{1b}`, `\n`), so stored
/// values can neither forge output lines nor drive the terminal.
pub(crate) fn printable(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.chars().any(char::is_control) {
        return std::borrow::Cow::Borrowed(s);
    }
    std::borrow::Cow::Owned(
        s.chars().map(|c| if c.is_control() { c.escape_default().to_string() } else { c.to_string() }).collect(),
    )
}

/// Rows under a header, each column as wide as its widest cell (the last is not padded).
/// Cells are shown as [`printable`].
pub(crate) fn table<const N: usize>(header: [&str; N], rows: &[[String; N]]) -> String {
    let cells: Vec<[String; N]> = std::iter::once(header.map(str::to_owned))
        .chain(rows.iter().map(|r| r.clone().map(|c| printable(&c).into_owned())))
        .collect();
    let widths: Vec<usize> = (0..N).map(|i| cells.iter().map(|r| r[i].chars().count()).max().unwrap_or(0)).collect();
    let mut out = String::new();
    for r in &cells {
        let line: Vec<String> = r
            .iter()
            .enumerate()
            .map(|(i, c)| if i + 1 == N { c.clone() } else { format!("{c:<w$}", w = widths[i]) })
            .collect();
        out.push_str(line.join("  ").trim_end());
        out.push('\n');
    }
    out
}

pub(crate) fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
}

async fn audit_list(state: &AppState, json: bool, user: Option<String>, limit: u32) -> anyhow::Result<()> {
    let user_id = match user {
        Some(e) => Some(find(state, &e).await?.id),
        None => None,
    };
    let events = state.store.list_audit(user_id, limit).await?;
    if json {
        println!("{}", serde_json::to_string_pretty(&events)?);
    } else {
        for e in events {
            println!(
                "{} {:<18} user={} email={} actor={} ip={} {}",
                rfc3339(e.at),
                e.kind,
                e.user_id.map(|i| i.to_string()).unwrap_or_else(|| "-".into()),
                printable(e.email.as_deref().unwrap_or("-")),
                printable(&e.actor),
                printable(if e.ip.is_empty() { "-" } else { &e.ip }),
                printable(&e.detail)
            );
        }
    }
    Ok(())
}

pub async fn audit(config: Config, cmd: AuditCmd) -> anyhow::Result<()> {
    let state = state(config).await?;
    match cmd {
        AuditCmd::List { json, user, limit } => audit_list(&state, json, user, limit).await,
    }
}
