//! Encryption at rest under the key-encryption key (AES-256-GCM, a fresh 96-bit nonce per
//! message, stored as nonce ‖ ciphertext). The associated data binds each ciphertext to its row,
//! so a blob copied into another row (another user's TOTP secret, another key id) fails to open.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use signet_core::secret::random_bytes;
use zeroize::Zeroizing;

const NONCE: usize = 12;

fn cipher(kek: &[u8]) -> anyhow::Result<Aes256Gcm> {
    Aes256Gcm::new_from_slice(kek).map_err(|_| anyhow::anyhow!("key-encryption key must be 32 bytes"))
}

pub fn seal(kek: &[u8], aad: &[u8], plaintext: &[u8]) -> anyhow::Result<Vec<u8>> {
    let nonce = random_bytes::<NONCE>();
    let ct = cipher(kek)?
        .encrypt(Nonce::from_slice(&nonce), Payload { msg: plaintext, aad })
        .map_err(|_| anyhow::anyhow!("encryption failed"))?;
    let mut out = nonce.to_vec();
    out.extend_from_slice(&ct);
    Ok(out)
}

pub fn open(kek: &[u8], aad: &[u8], blob: &[u8]) -> anyhow::Result<Zeroizing<Vec<u8>>> {
    if blob.len() < NONCE {
        anyhow::bail!("ciphertext too short");
    }
    let (nonce, ct) = blob.split_at(NONCE);
    cipher(kek)?
        .decrypt(Nonce::from_slice(nonce), Payload { msg: ct, aad })
        .map(Zeroizing::new)
        .map_err(|_| anyhow::anyhow!("cannot decrypt: wrong key-encryption key or tampered data"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_binding() {
        let kek = random_bytes::<32>();
        let blob = seal(&kek, b"row:1", b"secret").expect("seal");
        assert_eq!(open(&kek, b"row:1", &blob).expect("open").as_slice(), b"secret");
        assert!(open(&kek, b"row:2", &blob).is_err(), "bound to its row");
        assert!(open(&random_bytes::<32>(), b"row:1", &blob).is_err(), "needs the key");
        assert!(open(&kek, b"row:1", &blob[..5]).is_err());
    }
}
