//! The spool as the agent's tasks share it: every call that may touch the disk (append
//! with its fsync, reads, acknowledgements) runs on tokio's blocking pool, never on an
//! async worker, so a slow disk stalls one thread and not the runtime.

use std::sync::{Arc, Mutex, MutexGuard};

use super::Spool;

/// A spool shared between the batcher, the sender, the health report and reloads.
#[derive(Clone)]
pub struct SharedSpool(Arc<Mutex<Spool>>);

impl SharedSpool {
    /// Shares `spool`.
    pub fn new(spool: Spool) -> SharedSpool {
        SharedSpool(Arc::new(Mutex::new(spool)))
    }

    /// Runs `job` on the spool from the blocking pool and returns its result.
    pub async fn run<R, F>(&self, job: F) -> R
    where
        F: FnOnce(&mut Spool) -> R + Send + 'static,
        R: Send + 'static,
    {
        let spool = self.0.clone();
        tokio::task::spawn_blocking(move || job(&mut lock(&spool)))
            .await
            .expect("spool jobs do not panic: every spool error is a returned value")
    }

    /// Locks the spool from a thread that may block (start-up, sensors' threads).
    pub fn blocking(&self) -> MutexGuard<'_, Spool> {
        lock(&self.0)
    }
}

/// Locks the spool even after a panic elsewhere (its state is consistent between calls).
fn lock(spool: &Mutex<Spool>) -> MutexGuard<'_, Spool> {
    spool
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}
