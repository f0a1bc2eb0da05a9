//! `[idp.<slug>]`: upstream identity providers (issue 21). `signet idp add` stores the same
//! settings (as JSON, the secret apart and encrypted), so both kinds are read one way.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use signet_core::federation::{LinkPolicy, Preset};
use zeroize::Zeroizing;

/// A client secret or private key from the config file: never printed.
#[derive(Clone, Default)]
pub struct SecretText(pub Zeroizing<String>);

impl<'de> Deserialize<'de> for SecretText {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(SecretText(Zeroizing::new(String::deserialize(d)?)))
    }
}

impl std::fmt::Debug for SecretText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("[redacted]")
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderConfig {
    /// `oidc`, `google`, `github`, `apple` or `microsoft`: how the provider's answers are read.
    pub preset: String,
    /// The sign-in button's label (default: the preset's name, or the slug).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// The issuer; its discovery document is `<issuer>/.well-known/openid-configuration`.
    /// Presets have a default (Microsoft: `…/common/v2.0`, any tenant; name one to allow only it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    pub client_id: String,
    /// The client secret (Apple: the `.p8` private key, PEM). In the file, or
    /// `SIGNET_IDP__<SLUG>__CLIENT_SECRET`; `signet idp add` stores it encrypted instead.
    #[serde(default, skip_serializing)]
    pub client_secret: Option<SecretText>,
    /// How Signet authenticates at the token endpoint: `client_secret_basic` or
    /// `client_secret_post` (default: what the provider supports), or `private_key_jwt`
    /// (RFC 7523: a JWT signed with Signet's own signing key, whose JWKS the provider reads at
    /// `<issuer>/jwks`; no secret at all).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_auth: Option<String>,
    /// Claims holding the address, its verification and the name, where a provider uses others
    /// than `email`, `email_verified` and `name` (the subject is always `sub`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_claim: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_verified_claim: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_claim: Option<String>,
    /// Scopes asked for (default: the preset's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scopes: Option<String>,
    /// `deny`, `confirm` (default) or `automatic`: a first sign-in whose address has an account.
    #[serde(default = "default_linking")]
    pub linking: String,
    /// The provider owns its addresses (Google for gmail.com, a company IdP for its domain):
    /// needed for `automatic` linking.
    #[serde(default)]
    pub email_authoritative: bool,
    /// Create an account at the first sign-in (just in time).
    #[serde(default = "yes")]
    pub create_accounts: bool,
    /// Claims that must hold, e.g. `hd = ["example.com"]` (Google Workspace domain).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub required_claims: BTreeMap<String, Vec<String>>,
    /// The organization (slug) whose verified domains send their addresses here from the login
    /// page (home-realm discovery).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization: Option<String>,
    /// Keep the upstream's tokens (encrypted) for token exchange by `token_exchange_clients`.
    #[serde(default)]
    pub store_tokens: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub token_exchange_clients: Vec<String>,
    /// Endpoints, for an upstream without discovery (GitHub's default to github.com's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization_endpoint: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_endpoint: Option<String>,
    /// GitHub's REST API (default `https://api.github.com`; GitHub Enterprise differs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_base: Option<String>,
    /// Sign in with Apple: the team id and the key id of `client_secret` (the private key).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub apple_team_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub apple_key_id: Option<String>,
}

fn default_linking() -> String {
    "confirm".into()
}

fn yes() -> bool {
    true
}

/// `https://…`, or `http://` on a loopback host (tests, local development).
pub fn check_url(url: &str) -> Result<url::Url, String> {
    let u = url::Url::parse(url).map_err(|e| format!("{url:?} is not a URL: {e}"))?;
    let loopback = matches!(u.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"));
    match u.scheme() {
        "https" => Ok(u),
        "http" if loopback => Ok(u),
        _ => Err(format!("{url:?} must be https (http only on a loopback address)")),
    }
}

/// A provider's slug: it appears in URLs and audit records.
pub fn check_slug(slug: &str) -> Result<(), String> {
    // `confirm` is a page under /login/idp/.
    let ok = slug != "confirm"
        && !slug.is_empty()
        && slug.len() <= 32
        && slug.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if ok {
        Ok(())
    } else {
        Err(format!("{slug:?}: use 1 to 32 of a-z, 0-9 and -"))
    }
}

impl ProviderConfig {
    pub fn preset(&self) -> Preset {
        Preset::parse(&self.preset).unwrap_or(Preset::Oidc)
    }

    pub fn link_policy(&self) -> LinkPolicy {
        LinkPolicy::parse(&self.linking).unwrap_or(LinkPolicy::Confirm)
    }

    pub fn claim_names(&self) -> signet_core::federation::ClaimNames<'_> {
        let d = signet_core::federation::ClaimNames::default();
        signet_core::federation::ClaimNames {
            email: self.email_claim.as_deref().unwrap_or(d.email),
            email_verified: self.email_verified_claim.as_deref().unwrap_or(d.email_verified),
            name: self.name_claim.as_deref().unwrap_or(d.name),
        }
    }

    pub fn private_key_jwt(&self) -> bool {
        self.client_auth.as_deref() == Some("private_key_jwt")
    }

    pub fn issuer(&self) -> Option<&str> {
        self.issuer.as_deref().or(self.preset().default_issuer())
    }

    /// Checks the settings; the message names the field. `has_secret`: a secret is set
    /// (in the file, or stored).
    pub fn validate(&self, slug: &str, has_secret: bool) -> Result<(), (String, String)> {
        let field = |f: &str, m: String| (f.to_owned(), m);
        check_slug(slug).map_err(|m| field("slug", m))?;
        let preset = Preset::parse(&self.preset)
            .ok_or_else(|| field("preset", format!("{:?}: one of {}", self.preset, Preset::ALL.join(", "))))?;
        LinkPolicy::parse(&self.linking)
            .ok_or_else(|| field("linking", format!("{:?}: deny, confirm or automatic", self.linking)))?;
        if self.client_id.trim().is_empty() {
            return Err(field("client_id", "is required".into()));
        }
        let issuer = self.issuer().ok_or_else(|| field("issuer", "is required for a generic OIDC provider".into()))?;
        check_url(issuer).map_err(|m| field("issuer", m))?;
        for (f, v) in [
            ("authorization_endpoint", &self.authorization_endpoint),
            ("token_endpoint", &self.token_endpoint),
            ("api_base", &self.api_base),
        ] {
            if let Some(v) = v {
                check_url(v).map_err(|m| field(f, m))?;
            }
        }
        if preset == Preset::Apple && (self.apple_team_id.is_none() || self.apple_key_id.is_none()) {
            return Err(field("apple_team_id", "Sign in with Apple needs apple_team_id and apple_key_id".into()));
        }
        match self.client_auth.as_deref() {
            None | Some("client_secret_basic" | "client_secret_post") if !has_secret => {
                return Err(field("client_secret", "is required (or client_auth = \"private_key_jwt\")".into()));
            }
            None | Some("client_secret_basic" | "client_secret_post" | "private_key_jwt") => {}
            Some(other) => {
                return Err(field(
                    "client_auth",
                    format!("{other:?}: client_secret_basic, client_secret_post or private_key_jwt"),
                ))
            }
        }
        if self.private_key_jwt() && !matches!(preset, Preset::Oidc | Preset::Google | Preset::Microsoft) {
            return Err(field("client_auth", "private_key_jwt is for OpenID providers (not GitHub or Apple)".into()));
        }
        if self.link_policy() == LinkPolicy::Automatic && !self.email_authoritative {
            return Err(field(
                "linking",
                "automatic linking needs email_authoritative = true (the provider owns its addresses)".into(),
            ));
        }
        if !self.token_exchange_clients.is_empty() && !self.store_tokens {
            return Err(field("token_exchange_clients", "needs store_tokens = true".into()));
        }
        Ok(())
    }
}
