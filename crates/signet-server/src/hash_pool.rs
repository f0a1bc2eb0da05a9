//! Argon2 runs on a fixed pool of dedicated threads fed by a bounded queue. A fixed number of
//! hashes run at once (≈ cores) and a fixed number may wait; past that, callers get
//! [`PoolError::Busy`] and answer 503 with `Retry-After`.
//!
//! Dedicated long-lived threads, rather than tokio's elastic blocking pool, keep memory bounded:
//! each Argon2 call allocates `memory_kib` (19 MiB by default), and the allocator keeps that
//! buffer in the arena of whichever thread ran it. With N fixed threads at most N buffers are
//! ever resident, and they are reused; with an elastic pool every new thread adds one.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{sync_channel, SyncSender, TrySendError};
use std::sync::{Arc, Mutex};

use signet_core::password::HashError;
use signet_core::{HashMemory, Password, PasswordHasher, PasswordRecord, Verified};
use tokio::sync::oneshot;

#[derive(Debug, thiserror::Error)]
pub enum PoolError {
    #[error("password hashing is at capacity")]
    Busy,
    #[error(transparent)]
    Hash(#[from] HashError),
    #[error("hashing worker stopped")]
    Stopped,
}

/// Counters, for tests and metrics.
#[derive(Debug, Default)]
pub struct HashStats {
    pub hashes: AtomicU64,
    pub verifications: AtomicU64,
    /// Verifications against the dummy hash, for unknown accounts.
    pub dummy_verifications: AtomicU64,
    pub rejected_busy: AtomicU64,
    /// Jobs waiting for a worker now (the queue's depth).
    pub queued: AtomicU64,
}

type Job = Box<dyn FnOnce(&PasswordHasher, &mut HashMemory) + Send>;

#[derive(Clone)]
pub struct HashPool {
    hasher: Arc<PasswordHasher>,
    queue: SyncSender<Job>,
    pub stats: Arc<HashStats>,
}

impl std::fmt::Debug for HashPool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HashPool").field("stats", &self.stats).finish_non_exhaustive()
    }
}

impl HashPool {
    /// Starts `workers` threads (0 = one per core) with room for `queue` waiting jobs. The
    /// threads end when the last handle to the pool is dropped.
    pub fn new(hasher: PasswordHasher, workers: usize, queue: usize) -> std::io::Result<Self> {
        let workers =
            if workers == 0 { std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2) } else { workers };
        let hasher = Arc::new(hasher);
        // A rendezvous channel (queue 0) would refuse work whenever no worker is already
        // waiting on it; at least one slot keeps "all workers busy" distinct from "full".
        let (tx, rx) = sync_channel::<Job>(queue.max(1));
        let rx = Arc::new(Mutex::new(rx));
        for i in 0..workers {
            let (rx, hasher) = (rx.clone(), hasher.clone());
            std::thread::Builder::new().name(format!("signet-hash-{i}")).spawn(move || {
                // This thread's Argon2 memory, allocated at its first hash and reused for every
                // later one: resident memory is bounded by workers × memory_kib.
                let mut mem = HashMemory::new();
                loop {
                    // Hold the lock only to take one job, not while hashing.
                    let job = match rx.lock() {
                        Ok(guard) => guard.recv(),
                        Err(poisoned) => poisoned.into_inner().recv(),
                    };
                    match job {
                        Ok(job) => job(&hasher, &mut mem),
                        Err(_) => return, // every sender dropped: shut down
                    }
                }
            })?;
        }
        Ok(Self { hasher, queue: tx, stats: Arc::default() })
    }

    pub fn hasher(&self) -> &PasswordHasher {
        &self.hasher
    }

    async fn run<R: Send + 'static>(
        &self,
        f: impl FnOnce(&PasswordHasher, &mut HashMemory) -> R + Send + 'static,
    ) -> Result<R, PoolError> {
        let (tx, rx) = oneshot::channel();
        let stats = self.stats.clone();
        let job: Job = Box::new(move |h, mem| {
            stats.queued.fetch_sub(1, Ordering::Relaxed);
            let _ = tx.send(f(h, mem));
        });
        self.stats.queued.fetch_add(1, Ordering::Relaxed);
        match self.queue.try_send(job) {
            Ok(()) => rx.await.map_err(|_| PoolError::Stopped),
            Err(e) => {
                self.stats.queued.fetch_sub(1, Ordering::Relaxed);
                match e {
                    TrySendError::Full(_) => {
                        self.stats.rejected_busy.fetch_add(1, Ordering::Relaxed);
                        Err(PoolError::Busy)
                    }
                    TrySendError::Disconnected(_) => Err(PoolError::Stopped),
                }
            }
        }
    }

    pub async fn hash(&self, password: Password) -> Result<PasswordRecord, PoolError> {
        self.stats.hashes.fetch_add(1, Ordering::Relaxed);
        Ok(self.run(move |h, mem| h.hash_with(&password, mem)).await??)
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
                Ok(self.run(move |h, mem| h.verify_with(&rec, &password, mem)).await??)
            }
            None => {
                // Counted by the worker once the dummy verification has run (not when queued),
                // so the count says the work was done.
                let stats = self.stats.clone();
                self.run(move |h, mem| {
                    h.verify_dummy_with(&password, mem);
                    stats.dummy_verifications.fetch_add(1, Ordering::SeqCst);
                })
                .await?;
                Ok(None)
            }
        }
    }
}
