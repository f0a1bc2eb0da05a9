//! How a user authenticated (`amr`, RFC 8176), the assurance level that follows from it
//! (`acr`, OIDC Core §2), and backup codes.

use zeroize::Zeroizing;

use crate::secret::random_bytes;

/// One authentication method reference (RFC 8176 §2). Only what Signet performs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Method {
    /// Password.
    Pwd,
    /// One-time password: a TOTP code or a backup code.
    Otp,
    /// Proof of possession of a hardware-secured key: a passkey.
    Hwk,
    /// User presence and verification on the authenticator (a passkey's UV flag).
    User,
    /// A federated assertion: the person signed in at an upstream identity provider (the
    /// value Microsoft's identity platform uses; RFC 8176 §1 allows values beyond its list).
    Fed,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Pwd => "pwd",
            Method::Otp => "otp",
            Method::Hwk => "hwk",
            Method::User => "user",
            Method::Fed => "fed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "pwd" => Method::Pwd,
            "otp" => Method::Otp,
            "hwk" => Method::Hwk,
            "user" => Method::User,
            "fed" => Method::Fed,
            _ => return None,
        })
    }
}

/// Authentication context classes, weakest first. `acr_values` names the minimum a client wants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Acr {
    /// One factor: a password, or a passkey without user verification.
    SingleFactor,
    /// Two independent factors (NIST SP 800-63B AAL2): password + TOTP/backup code/passkey, or a
    /// passkey with user verification (possession + the PIN/biometric the authenticator checked).
    MultiFactor,
}

impl Acr {
    pub const SUPPORTED: [&'static str; 2] = ["urn:signet:acr:pwd", "urn:signet:acr:mfa"];

    pub fn as_str(self) -> &'static str {
        match self {
            Acr::SingleFactor => Self::SUPPORTED[0],
            Acr::MultiFactor => Self::SUPPORTED[1],
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "urn:signet:acr:pwd" => Some(Acr::SingleFactor),
            "urn:signet:acr:mfa" => Some(Acr::MultiFactor),
            _ => None,
        }
    }

    /// The level an `acr_values` request asks for: the weakest value we know among those listed
    /// (OIDC Core §3.1.2.1: the list is of acceptable values, in order of preference). `None`
    /// when it names nothing we support; the request is then voluntary and served as usual.
    pub fn required_by(acr_values: &str) -> Option<Self> {
        acr_values.split(' ').filter_map(Self::parse).min()
    }
}

/// The methods of one authentication event, in a canonical order, deduplicated.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Amr(Vec<Method>);

impl Amr {
    pub fn new(methods: impl IntoIterator<Item = Method>) -> Self {
        let mut v: Vec<Method> = methods.into_iter().collect();
        v.sort();
        v.dedup();
        Self(v)
    }

    pub fn password() -> Self {
        Self(vec![Method::Pwd])
    }

    /// Parses the stored form (space-separated); unknown words are dropped.
    pub fn parse(s: &str) -> Self {
        Self::new(s.split(' ').filter_map(Method::parse))
    }

    /// The stored form, e.g. `"pwd otp"`.
    pub fn to_stored(&self) -> String {
        self.0.iter().map(|m| m.as_str()).collect::<Vec<_>>().join(" ")
    }

    /// The `amr` claim value.
    pub fn to_claim(&self) -> Vec<String> {
        self.0.iter().map(|m| m.as_str().to_owned()).collect()
    }

    pub fn methods(&self) -> &[Method] {
        &self.0
    }

    pub fn contains(&self, m: Method) -> bool {
        self.0.contains(&m)
    }

    pub fn with(&self, m: Method) -> Self {
        Self::new(self.0.iter().copied().chain([m]))
    }

    /// Independent factors: knowledge (password), possession (TOTP device, backup code sheet,
    /// passkey) and the authenticator's own user verification (PIN or biometric).
    pub fn acr(&self) -> Acr {
        // An upstream sign-in stands for one factor, whatever the upstream did: its `amr` is
        // not ours to vouch for.
        let knowledge = self.contains(Method::Pwd) || self.contains(Method::Fed);
        let possession = self.contains(Method::Otp) || self.contains(Method::Hwk);
        let verified_on_device = self.contains(Method::Hwk) && self.contains(Method::User);
        if (knowledge && possession) || verified_on_device {
            Acr::MultiFactor
        } else {
            Acr::SingleFactor
        }
    }
}

/// Backup codes per set.
pub const BACKUP_CODE_COUNT: usize = 10;
/// 12 characters from a 32-letter alphabet: 60 bits each (the issue asks for at least 50).
const BACKUP_CODE_CHARS: usize = 12;
/// Crockford's base32 (lower case): no i, l, o or u; typed look-alikes are read as 0 and 1.
const ALPHABET: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";

/// A fresh backup code, grouped for reading: `xxxx-xxxx-xxxx`.
pub fn generate_backup_code() -> Zeroizing<String> {
    let bytes = Zeroizing::new(random_bytes::<BACKUP_CODE_CHARS>());
    let mut s = Zeroizing::new(String::with_capacity(BACKUP_CODE_CHARS + 2));
    for (i, b) in bytes.iter().enumerate() {
        if i > 0 && i % 4 == 0 {
            s.push('-');
        }
        // 256 is a multiple of 32, so `b % 32` is uniform.
        s.push(char::from(ALPHABET[usize::from(*b) % 32]));
    }
    s
}

/// A fresh code of `n` decimal digits (e-mail verification), uniform: bytes of 250 and above
/// are drawn again, so `b % 10` has no bias.
pub fn generate_digits(n: usize) -> Zeroizing<String> {
    let mut s = Zeroizing::new(String::with_capacity(n));
    while s.len() < n {
        for b in Zeroizing::new(random_bytes::<16>()).iter() {
            if *b < 250 && s.len() < n {
                s.push(char::from(b'0' + b % 10));
            }
        }
    }
    s
}

/// The canonical form of a typed backup code: case, spaces and dashes do not matter, and the
/// look-alikes o, i and l read as 0, 1 and 1. `None` if it cannot be one of ours.
pub fn normalize_backup_code(input: &str) -> Option<Zeroizing<String>> {
    let s: Zeroizing<String> = Zeroizing::new(
        input
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .map(|c| match c.to_ascii_lowercase() {
                'o' => '0',
                'i' | 'l' => '1',
                c => c,
            })
            .collect(),
    );
    (s.len() == BACKUP_CODE_CHARS && s.bytes().all(|b| ALPHABET.contains(&b))).then_some(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amr_builders() {
        assert_eq!(Amr::password().to_stored(), "pwd");
        assert_eq!(Amr::password().methods(), &[Method::Pwd]);
        let two = Amr::password().with(Method::Otp);
        assert_eq!(two.methods(), &[Method::Pwd, Method::Otp]);
        assert_eq!(two.to_stored(), "pwd otp");
        assert_eq!(two.acr(), Acr::MultiFactor);
    }

    /// Every letter of the alphabet is used: a code carries its full 60 bits.
    #[test]
    fn backup_codes_use_the_whole_alphabet() {
        let mut seen = std::collections::HashSet::new();
        for _ in 0..400 {
            seen.extend(generate_backup_code().chars().filter(|c| *c != '-'));
        }
        assert_eq!(seen.len(), 32, "{seen:?}");
    }

    #[test]
    fn method_and_acr_names_round_trip() {
        for (m, name) in [(Method::Pwd, "pwd"), (Method::Otp, "otp"), (Method::Hwk, "hwk"), (Method::User, "user")] {
            assert_eq!(m.as_str(), name);
            assert_eq!(Method::parse(name), Some(m));
        }
        assert_eq!(Method::parse("PWD"), None);
        for (a, name) in [(Acr::SingleFactor, "urn:signet:acr:pwd"), (Acr::MultiFactor, "urn:signet:acr:mfa")] {
            assert_eq!(a.as_str(), name);
            assert_eq!(Acr::parse(name), Some(a));
        }
    }

    #[test]
    fn amr_is_canonical_and_round_trips() {
        let a = Amr::new([Method::Otp, Method::Pwd, Method::Otp]);
        assert_eq!(a.to_stored(), "pwd otp");
        assert_eq!(Amr::parse("otp pwd bogus"), a);
        assert_eq!(a.to_claim(), vec!["pwd", "otp"]);
    }

    #[test]
    fn acr_levels() {
        assert_eq!(Amr::password().acr(), Acr::SingleFactor);
        assert_eq!(Amr::new([Method::Pwd, Method::Otp]).acr(), Acr::MultiFactor);
        assert_eq!(Amr::new([Method::Hwk, Method::User]).acr(), Acr::MultiFactor);
        assert_eq!(Amr::new([Method::Hwk]).acr(), Acr::SingleFactor);
        assert_eq!(Amr::new([Method::Pwd, Method::Hwk]).acr(), Acr::MultiFactor);
        assert_eq!(Amr::new([Method::Otp]).acr(), Acr::SingleFactor);
    }

    #[test]
    fn acr_values_takes_weakest_known() {
        assert_eq!(Acr::required_by("urn:signet:acr:mfa"), Some(Acr::MultiFactor));
        assert_eq!(Acr::required_by("urn:signet:acr:mfa urn:signet:acr:pwd"), Some(Acr::SingleFactor));
        assert_eq!(Acr::required_by("urn:other:gold"), None);
    }

    #[test]
    fn backup_codes_have_sixty_bits_and_normalize() {
        let c = generate_backup_code();
        assert_eq!(c.len(), 14);
        assert_eq!(c.matches('-').count(), 2);
        let typed = format!(" {} ", c.to_uppercase().replace('-', " "));
        assert_eq!(normalize_backup_code(&typed).as_deref().map(String::as_str), Some(c.replace('-', "").as_str()));
        assert_eq!(normalize_backup_code("OOOO-IIII-LLLL").as_deref().map(String::as_str), Some("000011111111"));
        assert!(normalize_backup_code("uuuu-uuuu-uuuu").is_none());
        assert!(normalize_backup_code("abcd").is_none());
        assert_ne!(generate_backup_code(), generate_backup_code());
        // 32 symbols → 5 bits each.
        const { assert!(BACKUP_CODE_CHARS * 5 >= 50) };
    }
}
