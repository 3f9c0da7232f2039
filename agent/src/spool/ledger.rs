//! The spool's ledger: what the collector has acknowledged and what was dropped, kept in a
//! small JSON file replaced atomically (write, fsync, rename).

use std::path::Path;

use serde::{Deserialize, Serialize};

/// What survives restarts besides the segments themselves.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Ledger {
    /// Every seq up to this one is stored by the collector.
    pub acked_through: u64,
    /// Hash of the last batch acknowledged (chains the next batch when the spool is empty).
    pub acked_hash: String,
    /// Events dropped because the spool was full, in all.
    pub dropped_full: u64,
    /// Records found corrupt on disk and skipped, in all.
    pub dropped_corrupt: u64,
    /// Batches the collector refused as malformed and that were set aside, in all.
    pub dropped_rejected: u64,
}

impl Ledger {
    /// Reads the ledger, or a fresh one if the file does not exist.
    pub fn load(path: &Path) -> std::io::Result<Ledger> {
        match std::fs::read(path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| {
                std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    format!("{}: {e}", path.display()),
                )
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Ledger::default()),
            Err(e) => Err(e),
        }
    }

    /// Replaces the ledger on disk atomically.
    pub fn save(&self, path: &Path) -> std::io::Result<()> {
        vigie_daemon::files::write_atomic(
            path,
            &serde_json::to_vec(self).expect("ledger serializes"),
        )
    }
}

/// Events dropped in all, whatever the reason.
pub fn total_dropped(ledger: &Ledger) -> u64 {
    ledger.dropped_full + ledger.dropped_rejected
}
