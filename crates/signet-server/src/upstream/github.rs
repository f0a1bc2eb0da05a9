//! GitHub: OAuth 2, not OpenID Connect — no ID token, no discovery. Its documented endpoints
//! (docs.github.com: "Authorizing OAuth apps"; REST "users" and "emails"): the token endpoint
//! answers form-encoded unless asked for JSON (`Accept: application/json`), and errors with
//! 200; the person is `GET /user`'s numeric `id`; the address is the primary, verified one of
//! `GET /user/emails`.

use serde_json::Value;
use signet_core::federation::{self, Upstream};

use super::{json, Provider, UpstreamError, Upstreams};

pub const AUTHORIZE: &str = "https://github.com/login/oauth/authorize";
pub const TOKEN: &str = "https://github.com/login/oauth/access_token";
pub const API: &str = "https://api.github.com";

pub fn authorization_endpoint(p: &Provider) -> String {
    p.config.authorization_endpoint.clone().unwrap_or_else(|| AUTHORIZE.into())
}

pub fn token_endpoint(p: &Provider) -> String {
    p.config.token_endpoint.clone().unwrap_or_else(|| TOKEN.into())
}

async fn get(up: &Upstreams, p: &Provider, path: &str, token: &str) -> Result<Value, UpstreamError> {
    let base = p.config.api_base.as_deref().unwrap_or(API).trim_end_matches('/');
    let req = up.http.get(format!("{base}{path}")).bearer_auth(token).header("X-GitHub-Api-Version", "2022-11-28");
    let (status, body) = json(&p.display_name(), req).await?;
    if !status.is_success() {
        return Err(UpstreamError::Protocol(p.display_name(), format!("{path}: HTTP {status}")));
    }
    Ok(body)
}

/// The person behind `token`, and `/user` (for required-claims rules).
pub async fn person(up: &Upstreams, p: &Provider, token: &str) -> Result<(Upstream, Value), UpstreamError> {
    let user = get(up, p, "/user", token).await?;
    let emails = get(up, p, "/user/emails", token).await?;
    let person = federation::from_github(p.issuer(), &user, &emails)
        .map_err(|e| UpstreamError::Protocol(p.display_name(), e.to_string()))?;
    Ok((person, user))
}
