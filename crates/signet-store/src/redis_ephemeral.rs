//! Ephemeral state in Redis, shared by every Signet instance: rate-limit counters, lockouts and
//! the access-token denylist. Windows are decided by Signet's (injected) clock inside atomic Lua
//! scripts; Redis TTLs only collect garbage.

use async_trait::async_trait;
use redis::aio::ConnectionManager;
use redis::Script;
use signet_core::OffsetDateTime;
use time::Duration;

use crate::{Counter, Ephemeral, MemoryEphemeral, Result, StoreError};

/// Fixed-window counter: hash {c: count, r: window end (ms)}.
const HIT: &str = r#"
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local r = tonumber(redis.call('HGET', KEYS[1], 'r'))
if (not r) or r <= now then
  r = now + window
  redis.call('HSET', KEYS[1], 'c', 0, 'r', r)
end
local c = redis.call('HINCRBY', KEYS[1], 'c', 1)
redis.call('PEXPIRE', KEYS[1], (r - now) + 60000)
return {c, r}
"#;

const PEEK: &str = r#"
local now = tonumber(ARGV[1])
local v = redis.call('HMGET', KEYS[1], 'c', 'r')
local c, r = tonumber(v[1]), tonumber(v[2])
if (not r) or r <= now then return {0, now} end
return {c, r}
"#;

const UNDO: &str = r#"
local now = tonumber(ARGV[1])
local r = tonumber(redis.call('HGET', KEYS[1], 'r'))
if r and r > now and tonumber(redis.call('HGET', KEYS[1], 'c')) > 0 then
  redis.call('HINCRBY', KEYS[1], 'c', -1)
end
return 0
"#;

/// Flags hold their expiry time; reads compare it with Signet's clock.
const HAS_FLAG: &str = r#"
local expires = tonumber(redis.call('GET', KEYS[1]))
if expires and expires > tonumber(ARGV[1]) then return 1 end
return 0
"#;

fn ms(t: OffsetDateTime) -> i64 {
    (t.unix_timestamp_nanos() / 1_000_000) as i64
}

fn from_ms(v: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(v as i128 * 1_000_000).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

fn unavailable(e: redis::RedisError) -> StoreError {
    StoreError::Unavailable(format!("redis: {e}"))
}

#[derive(Clone)]
pub struct RedisEphemeral {
    conn: ConnectionManager,
    prefix: String,
}

impl std::fmt::Debug for RedisEphemeral {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisEphemeral").field("prefix", &self.prefix).finish_non_exhaustive()
    }
}

impl RedisEphemeral {
    /// Connects to `url` (`redis://host:port/db`); keys are namespaced by `prefix`. The
    /// connection manager reconnects by itself when Redis comes back.
    pub async fn connect(url: &str, prefix: &str) -> Result<Self> {
        let client =
            redis::Client::open(url).map_err(|e| StoreError::Other(anyhow::anyhow!("invalid redis URL: {e}")))?;
        let config = redis::aio::ConnectionManagerConfig::new()
            // Fail fast: while Redis is down, every request would otherwise wait out the timeout
            // before falling back (counters) or answering 503 (revocation checks).
            .set_connection_timeout(std::time::Duration::from_millis(500))
            .set_response_timeout(std::time::Duration::from_millis(500))
            .set_number_of_retries(0);
        let conn = ConnectionManager::new_with_config(client, config).await.map_err(unavailable)?;
        Ok(Self { conn, prefix: prefix.to_owned() })
    }

    fn key(&self, k: &str) -> String {
        format!("{}{k}", self.prefix)
    }
}

#[async_trait]
impl Ephemeral for RedisEphemeral {
    async fn hit(&self, key: &str, window: Duration, now: OffsetDateTime) -> Result<Counter> {
        let (c, r): (i64, i64) = Script::new(HIT)
            .key(self.key(key))
            .arg(ms(now))
            .arg(window.whole_milliseconds() as i64)
            .invoke_async(&mut self.conn.clone())
            .await
            .map_err(unavailable)?;
        Ok(Counter { count: c.clamp(0, u32::MAX as i64) as u32, resets_at: from_ms(r) })
    }

    async fn peek(&self, key: &str, now: OffsetDateTime) -> Result<Counter> {
        let (c, r): (i64, i64) = Script::new(PEEK)
            .key(self.key(key))
            .arg(ms(now))
            .invoke_async(&mut self.conn.clone())
            .await
            .map_err(unavailable)?;
        Ok(Counter { count: c.clamp(0, u32::MAX as i64) as u32, resets_at: from_ms(r) })
    }

    async fn reset(&self, key: &str) -> Result<()> {
        redis::cmd("DEL").arg(self.key(key)).query_async::<()>(&mut self.conn.clone()).await.map_err(unavailable)
    }

    async fn undo(&self, key: &str, now: OffsetDateTime) -> Result<()> {
        Script::new(UNDO)
            .key(self.key(key))
            .arg(ms(now))
            .invoke_async::<i64>(&mut self.conn.clone())
            .await
            .map_err(unavailable)?;
        Ok(())
    }

    async fn set_flag(&self, key: &str, until: OffsetDateTime, now: OffsetDateTime) -> Result<()> {
        if until <= now {
            return Ok(());
        }
        // Garbage-collected a minute after the flag stops mattering.
        let ttl = (until - now).whole_milliseconds() as i64 + 60_000;
        redis::cmd("SET")
            .arg(self.key(key))
            .arg(ms(until))
            .arg("PX")
            .arg(ttl)
            .query_async::<()>(&mut self.conn.clone())
            .await
            .map_err(unavailable)
    }

    async fn has_flag(&self, key: &str, now: OffsetDateTime) -> Result<bool> {
        let v: i64 = Script::new(HAS_FLAG)
            .key(self.key(key))
            .arg(ms(now))
            .invoke_async(&mut self.conn.clone())
            .await
            .map_err(unavailable)?;
        Ok(v == 1)
    }

    async fn ping(&self) -> Result<()> {
        redis::cmd("PING").query_async::<()>(&mut self.conn.clone()).await.map_err(unavailable)
    }
}

/// Redis with a decided failure behaviour:
/// - counters (rate limits, lockouts) fall back to this instance's memory, with a warning, so
///   logins stay rate-limited (per instance) while Redis is down;
/// - flags (the revocation denylist) **fail closed**: an error propagates, and introspection
///   answers 503 rather than "active" for a token that may have been revoked.
#[derive(Debug)]
pub struct FallbackEphemeral {
    redis: RedisEphemeral,
    local: MemoryEphemeral,
}

impl FallbackEphemeral {
    pub fn new(redis: RedisEphemeral) -> Self {
        Self { redis, local: MemoryEphemeral::new() }
    }

    fn degraded(e: &StoreError) {
        tracing::warn!(error = %e, "redis unavailable: rate limiting falls back to this instance's memory");
    }
}

#[async_trait]
impl Ephemeral for FallbackEphemeral {
    async fn hit(&self, key: &str, window: Duration, now: OffsetDateTime) -> Result<Counter> {
        match self.redis.hit(key, window, now).await {
            Ok(c) => Ok(c),
            Err(e) => {
                Self::degraded(&e);
                self.local.hit(key, window, now).await
            }
        }
    }

    async fn peek(&self, key: &str, now: OffsetDateTime) -> Result<Counter> {
        match self.redis.peek(key, now).await {
            Ok(c) => Ok(c),
            Err(e) => {
                Self::degraded(&e);
                self.local.peek(key, now).await
            }
        }
    }

    async fn reset(&self, key: &str) -> Result<()> {
        let _ = self.local.reset(key).await;
        if let Err(e) = self.redis.reset(key).await {
            Self::degraded(&e);
        }
        Ok(())
    }

    async fn undo(&self, key: &str, now: OffsetDateTime) -> Result<()> {
        if let Err(e) = self.redis.undo(key, now).await {
            Self::degraded(&e);
            return self.local.undo(key, now).await;
        }
        Ok(())
    }

    async fn set_flag(&self, key: &str, until: OffsetDateTime, now: OffsetDateTime) -> Result<()> {
        self.redis.set_flag(key, until, now).await
    }

    async fn has_flag(&self, key: &str, now: OffsetDateTime) -> Result<bool> {
        self.redis.has_flag(key, now).await
    }

    async fn ping(&self) -> Result<()> {
        self.redis.ping().await
    }
}
