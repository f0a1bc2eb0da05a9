//! Where providers come from: `[idp.<slug>]` in `signet.toml`, then those `signet idp add`
//! stored (a stored slug the file also defines is ignored: the file wins).

use signet_store::StoreError;
use zeroize::Zeroizing;

use super::{secret_aad, Provider, Secret};
use crate::config::federation::ProviderConfig;
use crate::state::AppState;

fn from_stored(state: &AppState, row: signet_store::StoredProvider) -> anyhow::Result<Provider> {
    let config: ProviderConfig = serde_json::from_str(&row.config)?;
    let secret = match &row.secret {
        Some(blob) => {
            let plain = crate::kek::open(&state.secrets.kek, &secret_aad(&row.slug), blob)?;
            Secret(Zeroizing::new(String::from_utf8(plain.to_vec())?))
        }
        None => Secret::default(),
    };
    Ok(Provider { slug: row.slug, config, secret, from_file: false })
}

fn from_file(slug: &str, config: &ProviderConfig) -> Provider {
    let secret = config.client_secret.as_ref().map(|s| Secret(s.0.clone())).unwrap_or_default();
    Provider { slug: slug.to_owned(), config: config.clone(), secret, from_file: true }
}

/// Every provider: the file's, then the stored ones.
pub async fn all(state: &AppState) -> Result<Vec<Provider>, StoreError> {
    let mut out: Vec<Provider> = state.config.idp.iter().map(|(slug, c)| from_file(slug, c)).collect();
    for row in state.store.providers().await? {
        if state.config.idp.contains_key(&row.slug) {
            continue;
        }
        match from_stored(state, row) {
            Ok(p) => out.push(p),
            Err(e) => tracing::warn!(error = %format!("{e:#}"), "an identity provider cannot be read; skipped"),
        }
    }
    Ok(out)
}

pub async fn get(state: &AppState, slug: &str) -> Result<Option<Provider>, StoreError> {
    if let Some(c) = state.config.idp.get(slug) {
        return Ok(Some(from_file(slug, c)));
    }
    match state.store.provider(slug).await? {
        Some(row) => Ok(Some(from_stored(state, row).map_err(StoreError::Other)?)),
        None => Ok(None),
    }
}

/// Home-realm discovery: the provider of the organization that holds `email`'s domain (its
/// verified domains, `signet org domains`), if one is linked to it (`organization = …`).
pub async fn home_realm(state: &AppState, email: &signet_core::Email) -> Result<Option<Provider>, StoreError> {
    let Some((_, domain)) = email.as_str().rsplit_once('@') else { return Ok(None) };
    let Some(org) = state.store.org_by_domain(&domain.to_ascii_lowercase()).await? else { return Ok(None) };
    let mine = |p: &Provider| p.config.organization.as_deref().is_some_and(|o| o == org.slug || o == org.public_id);
    Ok(all(state).await?.into_iter().find(mine))
}
