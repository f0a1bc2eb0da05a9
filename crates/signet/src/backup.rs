//! `signet backup FILE` and `signet restore FILE`: the SQLite database copied while the server
//! runs (a consistent snapshot, `signet_store::sqlite::backup`), and put back. PostgreSQL has
//! its own tools (`pg_dump`, `pg_restore`; see the README). Either way the secrets file must be
//! kept too: without its pepper and key-encryption key, passwords, TOTP secrets, signing keys
//! and stored upstream tokens cannot be used.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context as _};
use signet_server::config::Config;

const PG: &str = "this server uses PostgreSQL: back it up with pg_dump (and restore with pg_restore \
or psql), and keep a copy of the secrets file; see the README";

/// The SQLite file of `config`, or `None` for PostgreSQL.
fn sqlite_path(config: &Config) -> Option<PathBuf> {
    let url = config.database_url();
    let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))?;
    Some(PathBuf::from(rest.split('?').next().unwrap_or(rest)))
}

pub async fn backup(config: Config, file: PathBuf) -> anyhow::Result<()> {
    if sqlite_path(&config).is_none() {
        bail!("{PG}");
    }
    match signet_store::sqlite::backup(&config.database_url(), &file).await {
        Err(signet_store::StoreError::Conflict) => bail!("{} exists: name a new file", file.display()),
        r => r.context("backup failed")?,
    }
    println!("backed up {} to {}", config.database_url_redacted(), file.display());
    println!("keep the secrets file with it: {}", config.secrets_path().display());
    Ok(())
}

fn sidecar(db: &Path, suffix: &str) -> PathBuf {
    let mut s = db.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

pub async fn restore(config: Config, file: PathBuf, force: bool) -> anyhow::Result<()> {
    let Some(target) = sqlite_path(&config) else { bail!("{PG}") };
    let migrations = signet_store::sqlite::check_backup(&file)
        .await
        .with_context(|| format!("{} is not a Signet backup", file.display()))?;
    // A server still running keeps a write-ahead log beside the database; restoring under it
    // would lose whatever it writes next. (A clean stop removes the log.)
    let wal = sidecar(&target, "-wal");
    if !force && std::fs::metadata(&wal).is_ok_and(|m| m.len() > 0) {
        bail!("{} exists: stop the server first (or --force after a crash)", wal.display());
    }
    let tmp = sidecar(&target, ".restoring");
    std::fs::copy(&file, &tmp).with_context(|| format!("cannot copy to {}", tmp.display()))?;
    std::fs::File::open(&tmp).and_then(|f| f.sync_all()).context("sync")?;
    for s in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(sidecar(&target, s));
    }
    std::fs::rename(&tmp, &target).with_context(|| format!("cannot replace {}", target.display()))?;
    println!(
        "restored {} from {} ({migrations} migrations; newer ones apply at the next start)",
        target.display(),
        file.display()
    );
    println!("the secrets file must be the one the backup was made with: {}", config.secrets_path().display());
    Ok(())
}
