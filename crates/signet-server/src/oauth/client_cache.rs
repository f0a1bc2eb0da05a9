//! Registered clients, cached briefly for client authentication — the hot path of the token,
//! introspection and revocation endpoints. Without it every request is a database round trip
//! (on SQLite a hand-off to the connection's thread), which profiling showed to cost more than
//! the ES256 signature itself.
//!
//! Entries are trusted for [`TTL`] of real (monotonic) time, so a secret rotation or a deletion
//! by the CLI or another instance takes effect everywhere within that time — the same bound as
//! signing-key changes (re-read every 2 s). Only clients that exist are cached: an unknown id is
//! looked up every time, so guessing ids cannot fill the cache.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use signet_store::{Client, Store, StoreError};

pub const TTL: Duration = Duration::from_secs(2);
/// Beyond this many clients the cache starts over (a bound on memory, not an eviction policy).
const MAX_ENTRIES: usize = 10_000;

#[derive(Default)]
pub struct ClientCache {
    map: RwLock<HashMap<String, (Instant, Arc<Client>)>>,
}

impl std::fmt::Debug for ClientCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ClientCache")
    }
}

impl ClientCache {
    /// Drops a client changed on this instance, so the change takes effect here at once (other
    /// instances see it within [`TTL`]).
    pub fn forget(&self, client_id: &str) {
        if let Ok(mut map) = self.map.write() {
            map.remove(client_id);
        }
    }

    pub async fn get(&self, store: &dyn Store, client_id: &str) -> Result<Option<Arc<Client>>, StoreError> {
        let now = Instant::now();
        if let Ok(map) = self.map.read() {
            if let Some((at, c)) = map.get(client_id) {
                if now.duration_since(*at) < TTL {
                    return Ok(Some(c.clone()));
                }
            }
        }
        let Some(client) = store.client(client_id).await?.map(Arc::new) else {
            if let Ok(mut map) = self.map.write() {
                map.remove(client_id);
            }
            return Ok(None);
        };
        if let Ok(mut map) = self.map.write() {
            if map.len() >= MAX_ENTRIES {
                map.clear();
            }
            map.insert(client_id.to_owned(), (now, client.clone()));
        }
        Ok(Some(client))
    }
}
