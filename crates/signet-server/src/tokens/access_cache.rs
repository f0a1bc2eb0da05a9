//! What a user holds in an organization (or outside one), cached per instance and checked
//! against the database's access generations on every use — so resolving roles costs one
//! indexed query (the organization lookup, which carries the generations) instead of the full
//! role and permission join, and a change is never missed (issue 19's bar).
//!
//! Database triggers bump an organization's generation with every change to its memberships,
//! role assignments, role definitions and groups, and the global generation with every change to
//! global roles (`migrations/*/…_groups_access_gen.sql`), in the same transaction, whichever
//! path made the change: this instance, another instance, the CLI. An entry is used only while
//! both generations equal the ones it was resolved under. The generations are read *before* the
//! roles, so an entry can only be older than its stamp says, never newer: a change committed
//! between the two reads makes the entry stale at the next lookup, not stuck.

use std::sync::Arc;

use quick_cache::sync::Cache;
use quick_cache::Weighter;
use signet_store::{Access, AccessStamp, Org, Store, StoreError};

/// Weight units the cache holds: one per role or permission an entry carries (about 100 bytes
/// each), so a few tens of megabytes at most whatever the role sizes.
const CAPACITY: u64 = 500_000;
/// Entries expected (sizes the cache's tables).
const ITEMS: usize = 20_000;

#[derive(Clone)]
struct Entry {
    stamp: AccessStamp,
    /// The organization's public id (random, never reused): SQLite can give a new organization
    /// the row id of a deleted one, whose generation then restarts at 0 — the stamp alone could
    /// match the old organization's entry (`org_row_id_reuse_does_not_reuse_cached_roles`).
    org: Option<String>,
    access: Arc<Access>,
}

#[derive(Clone)]
struct ByRoles;

impl Weighter<(i64, i64), Entry> for ByRoles {
    fn weight(&self, _key: &(i64, i64), e: &Entry) -> u64 {
        1 + e.access.roles.len() as u64 + e.access.permission_count() as u64
    }
}

/// Cached [`Access`] per (user row id, organization row id or 0).
pub struct AccessCache {
    cache: Cache<(i64, i64), Entry, ByRoles>,
}

impl Default for AccessCache {
    fn default() -> Self {
        AccessCache { cache: Cache::with_weighter(ITEMS, CAPACITY, ByRoles) }
    }
}

impl std::fmt::Debug for AccessCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AccessCache")
    }
}

/// A resolution: the organization asked for (`None` when none was asked, or when it does not
/// exist) and what the user holds there now.
pub struct Resolved {
    pub org: Option<Org>,
    pub access: Arc<Access>,
}

impl AccessCache {
    /// What `user_id` holds in the organization `org` (public id or slug; `None`: outside
    /// organizations, global roles only).
    pub async fn resolve(&self, store: &dyn Store, user_id: i64, org: Option<&str>) -> Result<Resolved, StoreError> {
        let (found, stamp) = store.access_stamp(org).await?;
        if org.is_some() && found.is_none() {
            return Ok(Resolved { org: None, access: Arc::default() });
        }
        let key = (user_id, found.as_ref().map_or(0, |o| o.id));
        let public = found.as_ref().map(|o| o.public_id.as_str());
        if let Some(e) = self.cache.get(&key) {
            if e.stamp == stamp && e.org.as_deref() == public {
                return Ok(Resolved { org: found, access: e.access });
            }
        }
        let access = Arc::new(store.access(user_id, found.as_ref().map(|o| o.id)).await?);
        self.cache.insert(key, Entry { stamp, org: public.map(str::to_owned), access: access.clone() });
        Ok(Resolved { org: found, access })
    }
}
