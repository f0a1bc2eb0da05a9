//! Client authentication at the token, revocation and introspection endpoints (RFC 6749
//! §2.3.1): `client_secret_basic` or `client_secret_post`, never both; public clients identify
//! themselves with `client_id` alone.

use axum::http::{header, HeaderMap};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use signet_core::secret::ct_eq;
use signet_core::TokenHash;
use signet_store::Client;

use super::OAuthError;
use crate::state::AppState;

/// Credentials as they arrived.
struct Presented {
    client_id: String,
    secret: Option<String>,
}

fn form_decode(s: &str) -> Option<String> {
    // RFC 6749 §2.3.1: id and secret are form-urlencoded before Basic encoding.
    url::form_urlencoded::parse(format!("v={s}").as_bytes()).next().map(|(_, v)| v.into_owned())
}

fn basic(headers: &HeaderMap) -> Result<Option<Presented>, OAuthError> {
    let Some(v) = headers.get(header::AUTHORIZATION) else { return Ok(None) };
    let bad = || OAuthError::InvalidClient("malformed Basic credentials".into());
    let v = v.to_str().map_err(|_| bad())?;
    let Some((scheme, rest)) = v.split_once(' ') else { return Err(bad()) };
    if !scheme.eq_ignore_ascii_case("basic") {
        return Err(OAuthError::InvalidClient("unsupported authentication scheme; use Basic".into()));
    }
    let decoded = STANDARD.decode(rest.trim()).map_err(|_| bad())?;
    let decoded = String::from_utf8(decoded).map_err(|_| bad())?;
    if crate::forms::has_nul(decoded.as_bytes()) {
        return Err(bad());
    }
    let (id, secret) = decoded.split_once(':').ok_or_else(bad)?;
    Ok(Some(Presented {
        client_id: form_decode(id).ok_or_else(bad)?,
        secret: Some(form_decode(secret).ok_or_else(bad)?),
    }))
}

/// Authenticates the client of a request. Every failure is `invalid_client` (401), with the
/// same message whether the client is unknown or the secret is wrong.
pub async fn authenticate_client(
    state: &AppState,
    headers: &HeaderMap,
    form_client_id: Option<&str>,
    form_secret: Option<&str>,
) -> Result<std::sync::Arc<Client>, OAuthError> {
    let from_header = basic(headers)?;
    let presented = match (from_header, form_secret) {
        (Some(_), Some(_)) => {
            // RFC 6749 §2.3: a client MUST NOT use more than one authentication method.
            return Err(OAuthError::InvalidRequest(
                "use either HTTP Basic or client_secret in the body, not both".into(),
            ));
        }
        (Some(p), None) => {
            if form_client_id.is_some_and(|id| id != p.client_id) {
                return Err(OAuthError::InvalidRequest(
                    "client_id in the body differs from the authenticated client".into(),
                ));
            }
            p
        }
        (None, secret) => match form_client_id {
            Some(id) => Presented { client_id: id.to_owned(), secret: secret.map(str::to_owned) },
            None => return Err(OAuthError::InvalidClient("client authentication required".into())),
        },
    };
    let failed = || OAuthError::InvalidClient("client authentication failed".into());
    let client = state.clients.get(state.store.as_ref(), &presented.client_id).await?;
    // Hash whatever was presented even for an unknown client, so timing does not tell.
    let presented_hash = presented.secret.as_deref().map(|s| TokenHash::of(s.as_bytes()));
    let client = client.ok_or_else(failed)?;
    match (&client.secret_hash, presented_hash) {
        (Some(stored), Some(given)) if ct_eq(stored.as_bytes(), given.as_str().as_bytes()) => Ok(client),
        // A secret replaced with an overlap (the admin API's rotation) works until it expires.
        (Some(_), Some(given))
            if client.previous_secret.as_ref().is_some_and(|(old, until)| {
                state.now() < *until && ct_eq(old.as_bytes(), given.as_str().as_bytes())
            }) =>
        {
            Ok(client)
        }
        (None, None) if client.is_public => Ok(client),
        // A public client sending a secret, or a confidential client without (or with a wrong) one.
        _ => Err(failed()),
    }
}
