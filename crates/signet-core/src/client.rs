//! Client registration rules (RFC 7591 §2 metadata, RFC 6749 §2): one implementation, used by
//! `signet client create` and, later, the admin API. A registration names grant types, scopes,
//! redirect URIs and algorithms as strings; [`Registration::validate`] checks them together and
//! returns typed values, or the first problem with the metadata field it concerns.

use std::fmt;

use crate::{redirect_uri, subject, Scope};

/// The grant types Signet implements.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GrantType {
    /// RFC 6749 §4.1 with PKCE (OAuth 2.1 §4.1).
    AuthorizationCode,
    /// RFC 6749 §4.4.
    ClientCredentials,
    /// RFC 6749 §6.
    RefreshToken,
    /// RFC 8628 §3.4.
    DeviceCode,
    /// RFC 8693 §2.1: here, a user's access token for an upstream's (the token vault).
    TokenExchange,
}

impl GrantType {
    pub const ALL: [GrantType; 5] =
        [Self::AuthorizationCode, Self::ClientCredentials, Self::RefreshToken, Self::DeviceCode, Self::TokenExchange];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::AuthorizationCode => "authorization_code",
            Self::ClientCredentials => "client_credentials",
            Self::RefreshToken => "refresh_token",
            Self::DeviceCode => "urn:ietf:params:oauth:grant-type:device_code",
            Self::TokenExchange => "urn:ietf:params:oauth:grant-type:token-exchange",
        }
    }

    /// The `grant_type` parameter of a token request: exact names only (RFC 6749 §4.1.3,
    /// RFC 8628 §3.4).
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|g| g.as_str() == s)
    }

    /// A grant type in a registration: the exact name, or `device_code` / `token_exchange` for
    /// the URNs of RFC 8628 and RFC 8693.
    /// Stored (and published) as the exact name.
    pub fn parse_registered(s: &str) -> Option<Self> {
        match s {
            "device_code" => Some(Self::DeviceCode),
            "token_exchange" => Some(Self::TokenExchange),
            _ => Self::parse(s),
        }
    }

    /// Does a client registered with `grants` (as stored) have this one?
    pub fn allowed_in(self, grants: &[String]) -> bool {
        grants.iter().any(|g| g == self.as_str())
    }
}

impl fmt::Display for GrantType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The JWS algorithms Signet signs with (RFC 7518 §3.1, RFC 8037). HS* is deliberately absent:
/// shared-secret tokens would let every resource server mint tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SigningAlg {
    Es256,
    EdDsa,
    Rs256,
}

impl SigningAlg {
    pub const ALL: [SigningAlg; 3] = [Self::Es256, Self::EdDsa, Self::Rs256];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Es256 => "ES256",
            Self::EdDsa => "EdDSA",
            Self::Rs256 => "RS256",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == s)
    }

    /// "ES256, EdDSA, RS256", for messages.
    pub fn names() -> String {
        Self::ALL.map(Self::as_str).join(", ")
    }
}

/// Read from configuration by name; anything else (HS256, `none`) is an error listing the names.
impl<'de> serde::Deserialize<'de> for SigningAlg {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <String as serde::Deserialize>::deserialize(d)?;
        SigningAlg::parse(&s)
            .ok_or_else(|| serde::de::Error::custom(format!("{s:?} is not one of {}", SigningAlg::names())))
    }
}

impl fmt::Display for SigningAlg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a registration asks for, as given (command-line flags, later a JSON body).
#[derive(Debug, Clone, Default)]
pub struct Registration {
    pub name: String,
    /// A public client (native app, SPA): no secret (RFC 6749 §2.1).
    pub public: bool,
    pub grant_types: Vec<String>,
    pub scope: String,
    pub audiences: Vec<String>,
    pub redirect_uris: Vec<String>,
    pub post_logout_redirect_uris: Vec<String>,
    pub access_token_ttl: Option<i64>,
    pub signing_alg: Option<String>,
    pub id_token_alg: Option<String>,
    /// `public` (default) or `pairwise` (OIDC Core §8).
    pub subject_type: Option<String>,
    /// RFC 7591 §2: a logo and the client's home page, shown on the consent page.
    pub logo_uri: Option<String>,
    pub client_uri: Option<String>,
}

/// A registration that passed every rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidRegistration {
    pub grant_types: Vec<GrantType>,
    pub scope: Scope,
    pub signing_alg: Option<SigningAlg>,
    pub id_token_alg: Option<SigningAlg>,
    pub pairwise_subjects: bool,
}

/// A broken rule: the metadata field (RFC 7591 §2 names) and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistrationError {
    pub field: &'static str,
    pub message: String,
}

impl RegistrationError {
    fn new(field: &'static str, message: impl Into<String>) -> Self {
        Self { field, message: message.into() }
    }

    /// RFC 7591 §3.2.2: `invalid_redirect_uri` for redirect URIs, `invalid_client_metadata` else.
    pub fn code(&self) -> crate::protocol::ErrorCode {
        match self.field {
            "redirect_uris" | "post_logout_redirect_uris" => crate::protocol::ErrorCode::InvalidRedirectUri,
            _ => crate::protocol::ErrorCode::InvalidClientMetadata,
        }
    }
}

impl fmt::Display for RegistrationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

impl std::error::Error for RegistrationError {}

impl Registration {
    /// Checks the registration. `configured` are the algorithms this server keeps keys for.
    /// `issuer` decides whether `http://localhost` redirect URIs are accepted.
    pub fn validate(
        &self,
        configured: &[SigningAlg],
        issuer: redirect_uri::Issuer,
    ) -> Result<ValidRegistration, RegistrationError> {
        if self.name.trim().is_empty() {
            return Err(RegistrationError::new("client_name", "a name is required"));
        }
        for (field, uris) in
            [("redirect_uris", &self.redirect_uris), ("post_logout_redirect_uris", &self.post_logout_redirect_uris)]
        {
            for u in uris {
                redirect_uri::validate_registration(u, issuer)
                    .map_err(|e| RegistrationError::new(field, format!("{u:?}: {e}")))?;
            }
        }
        let mut grant_types = Vec::new();
        for g in &self.grant_types {
            let Some(grant) = GrantType::parse_registered(g) else {
                let all = GrantType::ALL.map(GrantType::as_str).join(", ") + " (or device_code)";
                return Err(RegistrationError::new(
                    "grant_types",
                    format!("unknown grant type {g:?}; use one of {all}"),
                ));
            };
            if !grant_types.contains(&grant) {
                grant_types.push(grant);
            }
        }
        if grant_types.contains(&GrantType::AuthorizationCode) && self.redirect_uris.is_empty() {
            return Err(RegistrationError::new(
                "redirect_uris",
                "the authorization_code grant needs at least one redirect URI",
            ));
        }
        if self.public && grant_types.contains(&GrantType::ClientCredentials) {
            return Err(RegistrationError::new(
                "grant_types",
                "public clients cannot use client_credentials (RFC 6749 §4.4)",
            ));
        }
        let scope = Scope::parse(&self.scope).map_err(|e| RegistrationError::new("scope", e.to_string()))?;
        let alg = |field: &'static str, v: &Option<String>| -> Result<Option<SigningAlg>, RegistrationError> {
            let Some(v) = v else { return Ok(None) };
            match SigningAlg::parse(v) {
                Some(a) if configured.contains(&a) => Ok(Some(a)),
                _ => Err(RegistrationError::new(
                    field,
                    format!("{v:?} is not configured (tokens.signing_alg / tokens.extra_algs)"),
                )),
            }
        };
        let signing_alg = alg("access_token_signed_response_alg", &self.signing_alg)?;
        let id_token_alg = alg("id_token_signed_response_alg", &self.id_token_alg)?;
        let pairwise_subjects = match self.subject_type.as_deref() {
            None | Some("public") => false,
            Some("pairwise") => true,
            Some(other) => {
                return Err(RegistrationError::new("subject_type", format!("{other:?}: use public or pairwise")))
            }
        };
        if pairwise_subjects && subject::sector_of(self.redirect_uris.iter().map(String::as_str)).is_none() {
            return Err(RegistrationError::new(
                "subject_type",
                "pairwise needs redirect URIs that all share one host (OIDC Core §8.1)",
            ));
        }
        for (field, v) in [("logo_uri", &self.logo_uri), ("client_uri", &self.client_uri)] {
            if let Some(v) = v {
                display_uri(v, issuer).map_err(|m| RegistrationError::new(field, format!("{v:?}: {m}")))?;
            }
        }
        if self.access_token_ttl.is_some_and(|t| t <= 0) {
            return Err(RegistrationError::new("access_token_ttl", "must be positive"));
        }
        Ok(ValidRegistration { grant_types, scope, signing_alg, id_token_alg, pairwise_subjects })
    }
}

/// A logo or home-page URL shown to users: https (plain http only under a development issuer),
/// no credentials, no fragment tricks; a page links to it and loads the logo from it.
fn display_uri(v: &str, issuer: redirect_uri::Issuer) -> Result<(), &'static str> {
    if v.len() > 2048 || v.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err("must be a URL without spaces or control characters");
    }
    let u = url::Url::parse(v).map_err(|_| "not an absolute URL")?;
    if !u.username().is_empty() || u.password().is_some() {
        return Err("must not contain user information");
    }
    match u.scheme() {
        "https" => Ok(()),
        "http" if issuer == redirect_uri::Issuer::LoopbackDev => Ok(()),
        _ => Err("must be an https URL"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PROD: redirect_uri::Issuer = redirect_uri::Issuer::Production;

    fn web() -> Registration {
        Registration {
            name: "App".into(),
            grant_types: vec!["authorization_code".into(), "refresh_token".into()],
            scope: "openid email".into(),
            redirect_uris: vec!["https://app.example/cb".into()],
            ..Registration::default()
        }
    }

    /// Each rule, broken once, with the field it reports; a valid registration beside them.
    #[test]
    fn registration_rules() {
        let algs = [SigningAlg::Es256, SigningAlg::Rs256];
        let shown = Registration {
            logo_uri: Some("https://cdn.example/logo.png".into()),
            client_uri: Some("https://app.example/".into()),
            ..web()
        };
        assert!(shown.validate(&algs, PROD).is_ok());
        let dev_logo = Registration { logo_uri: Some("http://localhost:3000/logo.png".into()), ..web() };
        assert!(dev_logo.validate(&algs, redirect_uri::Issuer::LoopbackDev).is_ok());
        let ok = web().validate(&algs, PROD);
        assert_eq!(ok.map(|v| v.grant_types), Ok(vec![GrantType::AuthorizationCode, GrantType::RefreshToken]));
        let cases: Vec<(Registration, &str)> = vec![
            (Registration { name: " ".into(), ..web() }, "client_name"),
            (Registration { redirect_uris: vec!["http://evil.example/cb".into()], ..web() }, "redirect_uris"),
            (Registration { redirect_uris: vec![], ..web() }, "redirect_uris"),
            (
                Registration { post_logout_redirect_uris: vec!["https://a/#x".into()], ..web() },
                "post_logout_redirect_uris",
            ),
            (Registration { grant_types: vec!["password".into()], ..web() }, "grant_types"),
            (Registration { grant_types: vec!["implicit".into()], ..web() }, "grant_types"),
            (Registration { public: true, grant_types: vec!["client_credentials".into()], ..web() }, "grant_types"),
            (Registration { scope: "bad\"scope".into(), ..web() }, "scope"),
            (Registration { signing_alg: Some("HS256".into()), ..web() }, "access_token_signed_response_alg"),
            (Registration { signing_alg: Some("EdDSA".into()), ..web() }, "access_token_signed_response_alg"),
            (Registration { id_token_alg: Some("none".into()), ..web() }, "id_token_signed_response_alg"),
            (Registration { logo_uri: Some("javascript:alert(1)".into()), ..web() }, "logo_uri"),
            (Registration { logo_uri: Some("http://cdn.example/logo.png".into()), ..web() }, "logo_uri"),
            (Registration { client_uri: Some("https://u:p@app.example/".into()), ..web() }, "client_uri"),
            (Registration { client_uri: Some("https://app.example/ x".into()), ..web() }, "client_uri"),
            (Registration { subject_type: Some("secret".into()), ..web() }, "subject_type"),
            (
                Registration {
                    subject_type: Some("pairwise".into()),
                    redirect_uris: vec!["https://a.example/cb".into(), "https://b.example/cb".into()],
                    ..web()
                },
                "subject_type",
            ),
            (Registration { access_token_ttl: Some(0), ..web() }, "access_token_ttl"),
        ];
        for (reg, field) in cases {
            assert_eq!(reg.validate(&algs, PROD).map_err(|e| e.field), Err(field), "{reg:?}");
        }
        let pairwise = Registration { subject_type: Some("pairwise".into()), ..web() }.validate(&algs, PROD);
        assert_eq!(pairwise.map(|v| v.pairwise_subjects), Ok(true));
        let rs = Registration { signing_alg: Some("RS256".into()), ..web() }.validate(&algs, PROD);
        assert_eq!(rs.map(|v| v.signing_alg), Ok(Some(SigningAlg::Rs256)));
    }

    /// A machine client (client credentials only) needs no redirect URI; its errors name the
    /// field and carry the RFC 7591 code.
    #[test]
    fn machine_client_and_error_codes() {
        let algs = [SigningAlg::Es256];
        let cc = Registration {
            name: "Job".into(),
            grant_types: vec!["client_credentials".into()],
            ..Registration::default()
        };
        assert_eq!(cc.validate(&algs, PROD).map(|v| v.grant_types), Ok(vec![GrantType::ClientCredentials]));
        let bad_uri =
            Registration { redirect_uris: vec!["http://evil.example/cb".into()], ..web() }.validate(&algs, PROD);
        let e = bad_uri.err().unwrap_or_else(|| RegistrationError::new("none", ""));
        assert_eq!(e.code(), crate::protocol::ErrorCode::InvalidRedirectUri);
        assert!(e.to_string().starts_with("redirect_uris: \"http://evil.example/cb\""), "{e}");
        let post = Registration { post_logout_redirect_uris: vec!["ftp://x/".into()], ..web() }.validate(&algs, PROD);
        assert_eq!(post.map_err(|e| e.code()).err(), Some(crate::protocol::ErrorCode::InvalidRedirectUri));
        let bad_scope = Registration { scope: "a\"b".into(), ..web() }.validate(&algs, PROD);
        assert_eq!(bad_scope.map_err(|e| e.code()).err(), Some(crate::protocol::ErrorCode::InvalidClientMetadata));
    }

    #[test]
    fn grants_of_a_stored_client() {
        let stored = vec!["authorization_code".to_owned(), "refresh_token".to_owned()];
        assert!(GrantType::AuthorizationCode.allowed_in(&stored));
        assert!(GrantType::RefreshToken.allowed_in(&stored));
        assert!(!GrantType::ClientCredentials.allowed_in(&stored));
        assert!(!GrantType::DeviceCode.allowed_in(&[]));
        assert_eq!(GrantType::DeviceCode.to_string(), "urn:ietf:params:oauth:grant-type:device_code");
        assert_eq!(SigningAlg::EdDsa.to_string(), "EdDSA");
        assert_eq!(SigningAlg::names(), "ES256, EdDSA, RS256");
    }

    #[test]
    fn names_round_trip() {
        for g in GrantType::ALL {
            assert_eq!(GrantType::parse(g.as_str()), Some(g));
            assert_eq!(GrantType::parse_registered(g.as_str()), Some(g));
        }
        // The short name is for registrations; a token request must spell the URN (RFC 8628 §3.4).
        assert_eq!(GrantType::parse_registered("device_code"), Some(GrantType::DeviceCode));
        assert_eq!(GrantType::parse("device_code"), None);
        assert_eq!(GrantType::parse_registered("device"), None);
        for a in SigningAlg::ALL {
            assert_eq!(SigningAlg::parse(a.as_str()), Some(a));
        }
        assert_eq!(SigningAlg::parse("HS256"), None);
        assert_eq!(SigningAlg::parse("none"), None);
    }
}
