//! Argon2 runs on a bounded pool of blocking threads. A fixed number of hashes run at once
//! (≈ cores) and a fixed number may wait; past that, callers get [`PoolBusy`] and answer 503
//! with `Retry-After`, so memory stays bounded under a login flood (each Argon2 call holds
//! `memory_kib` of RAM while it runs).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use signet_core::password::HashError;
use signet_core::{Password, PasswordHasher, PasswordRecord, Verified};
use tokio::sync::Semaphore;

#[derive(Debug, thiserror::Error)]
pub enum PoolError {
    #[error("password hashing is at capacity")]
    Busy,
    #[error(transparent)]
    Hash(#[from] HashError),
    #[error("hashing task failed")]
    Join,
}

/// Counters, for tests and metrics.
#[derive(Debug, Default)]
pub struct HashStats {
    pub hashes: AtomicU64,
    pub verifications: AtomicU64,
    /// Verifications against the dummy hash, for unknown accounts.
    pub dummy_verifications: AtomicU64,
    pub rejected_busy: AtomicU64,
}

#[derive(Debug, Clone)]
pub struct HashPool {
    hasher: Arc<PasswordHasher>,
    admit: Arc<Semaphore>,
    workers: Arc<Semaphore>,
    pub stats: Arc<HashStats>,
}

impl HashPool {
    pub fn new(hasher: PasswordHasher, workers: usize, queue: usize) -> Self {
        let workers = if workers == 0 {
            std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(2)
        } else {
            workers
        };
        Self {
            hasher: Arc::new(hasher),
            admit: Arc::new(Semaphore::new(workers + queue)),
            workers: Arc::new(Semaphore::new(workers)),
            stats: Arc::default(),
        }
    }

    pub fn hasher(&self) -> &PasswordHasher {
        &self.hasher
    }

    async fn run<R: Send + 'static>(
        &self,
        f: impl FnOnce(&PasswordHasher) -> R + Send + 'static,
    ) -> Result<R, PoolError> {
        let Ok(admitted) = self.admit.clone().try_acquire_owned() else {
            self.stats.rejected_busy.fetch_add(1, Ordering::Relaxed);
            return Err(PoolError::Busy);
        };
        let worker = self
            .workers
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| PoolError::Busy)?;
        let hasher = self.hasher.clone();
        // The permits move into the blocking task, so they are held until the hash is done even
        // if the client disconnects and this future is dropped.
        tokio::task::spawn_blocking(move || {
            let r = f(&hasher);
            drop((worker, admitted));
            r
        })
        .await
        .map_err(|_| PoolError::Join)
    }

    pub async fn hash(&self, password: Password) -> Result<PasswordRecord, PoolError> {
        self.stats.hashes.fetch_add(1, Ordering::Relaxed);
        Ok(self.run(move |h| h.hash(&password)).await??)
    }

    /// Verifies against `record`, or against the dummy hash when there is no account, so both
    /// cases take the same time. `Ok(None)` means "no match".
    pub async fn verify(
        &self,
        record: Option<PasswordRecord>,
        password: Password,
    ) -> Result<Option<Verified>, PoolError> {
        match record {
            Some(rec) => {
                self.stats.verifications.fetch_add(1, Ordering::Relaxed);
                Ok(self.run(move |h| h.verify(&rec, &password)).await??)
            }
            None => {
                self.stats
                    .dummy_verifications
                    .fetch_add(1, Ordering::Relaxed);
                self.run(move |h| h.verify_dummy(&password)).await?;
                Ok(None)
            }
        }
    }
}
