//! Short-lived state: fixed-window counters for rate limits and lockouts.
//!
//! Fixed windows: the first hit opens a window of `window` length; hits inside it count up;
//! the first hit after it ends opens a new one. Simple, one write per hit, and the same
//! semantics map onto Redis `INCR` + `EXPIRE NX` for the scale-out backend.

use std::collections::HashMap;
use std::sync::Mutex;

use async_trait::async_trait;
use signet_core::OffsetDateTime;
use time::Duration;

use crate::Result;

/// A counter's value and when its window ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counter {
    pub count: u32,
    pub resets_at: OffsetDateTime,
}

#[async_trait]
pub trait Ephemeral: Send + Sync + 'static {
    /// Adds one hit to `key` and returns the counter after it.
    async fn hit(&self, key: &str, window: Duration, now: OffsetDateTime) -> Result<Counter>;
    /// Reads `key` without counting; an expired or absent key reads as zero.
    async fn peek(&self, key: &str, now: OffsetDateTime) -> Result<Counter>;
    async fn reset(&self, key: &str) -> Result<()>;
    /// Takes one hit back (never below zero), e.g. when a reserved attempt succeeded.
    async fn undo(&self, key: &str, now: OffsetDateTime) -> Result<()>;
    /// Sets a flag that reads as present until `until` (e.g. a revoked access token's `jti`,
    /// kept until the token would have expired anyway).
    async fn set_flag(&self, key: &str, until: OffsetDateTime, now: OffsetDateTime) -> Result<()>;
    async fn has_flag(&self, key: &str, now: OffsetDateTime) -> Result<bool>;
    /// Is the backend reachable? For `/readyz`.
    async fn ping(&self) -> Result<()> {
        Ok(())
    }
}

/// In-process counters: the default for a single instance.
#[derive(Debug, Default)]
pub struct MemoryEphemeral {
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    map: HashMap<String, Counter>,
    /// Expired entries are swept when the map doubles past this, so memory stays bounded by
    /// the number of keys that are live at once.
    sweep_at: usize,
}

impl MemoryEphemeral {
    pub fn new() -> Self {
        Self { inner: Mutex::new(Inner { map: HashMap::new(), sweep_at: 1024 }) }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A poisoned lock only means another thread panicked mid-update of plain counters;
        // the data is still usable.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[async_trait]
impl Ephemeral for MemoryEphemeral {
    async fn hit(&self, key: &str, window: Duration, now: OffsetDateTime) -> Result<Counter> {
        let mut g = self.lock();
        if g.map.len() >= g.sweep_at {
            g.map.retain(|_, c| c.resets_at > now);
            g.sweep_at = (g.map.len() * 2).max(1024);
        }
        let c = g.map.entry(key.to_owned()).or_insert(Counter { count: 0, resets_at: now + window });
        if c.resets_at <= now {
            *c = Counter { count: 0, resets_at: now + window };
        }
        c.count = c.count.saturating_add(1);
        Ok(*c)
    }

    async fn peek(&self, key: &str, now: OffsetDateTime) -> Result<Counter> {
        let g = self.lock();
        Ok(match g.map.get(key) {
            Some(c) if c.resets_at > now => *c,
            _ => Counter { count: 0, resets_at: now },
        })
    }

    async fn reset(&self, key: &str) -> Result<()> {
        self.lock().map.remove(key);
        Ok(())
    }

    async fn set_flag(&self, key: &str, until: OffsetDateTime, now: OffsetDateTime) -> Result<()> {
        if until > now {
            let window = until - now;
            self.hit(key, window, now).await?;
        }
        Ok(())
    }

    async fn has_flag(&self, key: &str, now: OffsetDateTime) -> Result<bool> {
        Ok(self.peek(key, now).await?.count > 0)
    }

    async fn undo(&self, key: &str, now: OffsetDateTime) -> Result<()> {
        if let Some(c) = self.lock().map.get_mut(key) {
            if c.resets_at > now {
                c.count = c.count.saturating_sub(1);
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[tokio::test]
    async fn fixed_window() {
        let e = MemoryEphemeral::new();
        let t0 = datetime!(2026-01-01 0:00 UTC);
        let w = Duration::minutes(15);
        for i in 1..=5 {
            assert_eq!(e.hit("k", w, t0).await.expect("hit").count, i);
        }
        assert_eq!(e.peek("k", t0 + Duration::minutes(14)).await.expect("peek").count, 5);
        assert_eq!(e.peek("k", t0 + w).await.expect("peek").count, 0);
        assert_eq!(e.hit("k", w, t0 + w).await.expect("hit").count, 1);
        e.undo("k", t0 + w).await.expect("undo");
        assert_eq!(e.peek("k", t0 + w).await.expect("peek").count, 0);
        e.undo("k", t0 + w).await.expect("undo never goes below zero");
        e.reset("k").await.expect("reset");
        assert_eq!(e.peek("k", t0 + w).await.expect("peek").count, 0);
    }
}
