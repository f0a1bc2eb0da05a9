//! Subject identifiers (OIDC Core §2 `sub`, §8): what relying parties key their users by.
//!
//! A public subject is random and opaque: it says nothing about how many users there are and is
//! never given to anyone else, unlike a row number. A pairwise subject (OIDC Core §8.1) differs
//! per sector (the host of a client's redirect URIs), so two relying parties cannot join their
//! records on it; it is derived, so it is stable without being stored.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::secret::random_bytes;

/// A new public subject: 128 random bits, hex.
pub fn new_public() -> String {
    hex::encode(random_bytes::<16>())
}

/// The sector of a client (OIDC Core §8.1): the host of its redirect URIs, which must all
/// share it; `None` when there are none or they name different hosts.
pub fn sector_of<'a>(redirect_uris: impl IntoIterator<Item = &'a str>) -> Option<String> {
    let mut hosts =
        redirect_uris.into_iter().map(|u| url::Url::parse(u).ok().and_then(|u| u.host_str().map(str::to_owned)));
    let first = hosts.next()??;
    hosts.all(|h| h.as_deref() == Some(first.as_str())).then_some(first)
}

/// The pairwise subject of `public` for `sector`, keyed by a deployment secret so nobody
/// outside can compute or reverse it.
pub fn pairwise(key: &[u8], sector: &str, public: &str) -> String {
    // HMAC accepts keys of any length; `new_from_slice` cannot fail for it.
    let mut mac = match <Hmac<Sha256> as Mac>::new_from_slice(key) {
        Ok(m) => m,
        Err(_) => return String::new(),
    };
    mac.update(sector.as_bytes());
    mac.update(&[0]);
    mac.update(public.as_bytes());
    URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_subjects_are_opaque_and_distinct() {
        let (a, b) = (new_public(), new_public());
        assert_eq!(a.len(), 32);
        assert_ne!(a, b);
        assert!(a.parse::<i64>().is_err() || a.len() > 18);
    }

    #[test]
    fn pairwise_differs_per_sector_and_is_stable() {
        let k = [7u8; 32];
        let a = pairwise(&k, "a.example", "u1");
        assert_eq!(a, pairwise(&k, "a.example", "u1"));
        assert_ne!(a, pairwise(&k, "b.example", "u1"));
        assert_ne!(a, pairwise(&k, "a.example", "u2"));
        assert_ne!(a, pairwise(&[8u8; 32], "a.example", "u1"));
    }

    #[test]
    fn sector_needs_one_host() {
        assert_eq!(sector_of(["https://a.example/cb", "https://a.example/other"]), Some("a.example".into()));
        assert_eq!(sector_of(["https://a.example/cb", "https://b.example/cb"]), None);
        assert_eq!(sector_of(Vec::<&str>::new()), None);
    }
}
