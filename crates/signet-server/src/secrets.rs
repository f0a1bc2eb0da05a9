//! Server secrets: peppers, the cookie/CSRF key and the key-encryption key. Generated on first
//! start into a 0600 file beside the database, never stored in the database itself.

use std::io::Write;
use std::path::Path;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde::{Deserialize, Serialize};
use signet_core::secret::random_bytes;
use signet_core::Pepper;
use zeroize::{Zeroize, ZeroizeOnDrop};

#[derive(Serialize, Deserialize, Zeroize, ZeroizeOnDrop)]
#[serde(deny_unknown_fields)]
struct SecretsFile {
    cookie_key: String,
    kek: String,
    /// The last pepper signs new hashes; keep old ones so existing hashes still verify.
    pepper: Vec<PepperEntry>,
}

#[derive(Serialize, Deserialize, Zeroize, ZeroizeOnDrop)]
#[serde(deny_unknown_fields)]
struct PepperEntry {
    id: String,
    key: String,
}

/// Decoded secrets held in memory.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct Secrets {
    pub cookie_key: Vec<u8>,
    pub kek: Vec<u8>,
    #[zeroize(skip)]
    pub peppers: Vec<Pepper>,
}

impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secrets(<redacted>)")
    }
}

impl Secrets {
    /// Reads `path`, or creates it with fresh random secrets (mode 0600) if it does not exist.
    /// Creation uses `create_new`, so two processes starting at once cannot both write it.
    pub fn load_or_create(path: &Path) -> anyhow::Result<Self> {
        match std::fs::read_to_string(path) {
            Ok(text) => Self::parse(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                if let Some(dir) = path.parent() {
                    std::fs::create_dir_all(dir)?;
                }
                let file = SecretsFile {
                    cookie_key: STANDARD.encode(random_bytes::<32>()),
                    kek: STANDARD.encode(random_bytes::<32>()),
                    pepper: vec![PepperEntry { id: "p1".into(), key: STANDARD.encode(random_bytes::<32>()) }],
                };
                let text = format!(
                    "# Signet secrets, generated on first start. Keep this file private and backed up:\n\
                     # without the pepper no password can be verified. To rotate the pepper, append a\n\
                     # new [[pepper]] entry with a new id; old entries keep verifying existing hashes.\n{}",
                    toml::to_string(&file)?
                );
                let mut opts = std::fs::OpenOptions::new();
                opts.write(true).create_new(true);
                #[cfg(unix)]
                {
                    use std::os::unix::fs::OpenOptionsExt;
                    opts.mode(0o600);
                }
                match opts.open(path) {
                    Ok(mut f) => {
                        f.write_all(text.as_bytes())?;
                        f.sync_all()?;
                        Self::parse(&text)
                    }
                    // Another process won the race: use what it wrote.
                    Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Self::load_or_create(path),
                    Err(e) => Err(anyhow::anyhow!("cannot create {}: {e}", path.display())),
                }
            }
            Err(e) => Err(anyhow::anyhow!("cannot read {}: {e}", path.display())),
        }
    }

    fn parse(text: &str) -> anyhow::Result<Self> {
        let f: SecretsFile = toml::from_str(text)?;
        let dec = |name: &str, v: &str| -> anyhow::Result<Vec<u8>> {
            let b = STANDARD.decode(v.trim()).map_err(|_| anyhow::anyhow!("{name} is not base64"))?;
            if b.len() < 32 {
                anyhow::bail!("{name} must be at least 32 bytes");
            }
            Ok(b)
        };
        if f.pepper.is_empty() {
            anyhow::bail!("at least one [[pepper]] is required");
        }
        let peppers = f
            .pepper
            .iter()
            .map(|p| Ok(Pepper::new(p.id.clone(), dec("pepper.key", &p.key)?)))
            .collect::<anyhow::Result<_>>()?;
        Ok(Self { cookie_key: dec("cookie_key", &f.cookie_key)?, kek: dec("kek", &f.kek)?, peppers })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn created_once_with_private_mode() {
        let dir = std::env::temp_dir().join(format!("signet-secrets-{}", hex::encode(random_bytes::<8>())));
        let path = dir.join("secrets.toml");
        let a = Secrets::load_or_create(&path).expect("create");
        let b = Secrets::load_or_create(&path).expect("read");
        assert_eq!(a.cookie_key, b.cookie_key);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).expect("meta").permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert!(!format!("{a:?}").contains(&STANDARD.encode(&a.cookie_key)));
        let _ = std::fs::remove_dir_all(dir);
    }
}
