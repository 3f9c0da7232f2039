//! The reading budget (MiB/s) shared by everything in the agent that hashes files, so
//! that a baseline or a rescan never starves the server it watches.
//!
//! One [`Throttle`] is made at start and handed to each sensor that reads files; its rate
//! changes in place when the configuration is reloaded (SIGHUP or remote settings), so
//! the new budget applies at once to reads already under way.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// A shared reading budget in bytes per second (0 = unlimited).
#[derive(Debug)]
pub struct Throttle {
    bytes_per_sec: AtomicU64,
    /// Start of the current one-second window and the bytes read in it.
    window: Mutex<(Instant, u64)>,
}

impl Throttle {
    /// A budget of `mib_per_sec` MiB/s (0 = unlimited).
    pub fn new(mib_per_sec: u64) -> Throttle {
        Throttle {
            bytes_per_sec: AtomicU64::new(mib_per_sec.saturating_mul(1 << 20)),
            window: Mutex::new((Instant::now(), 0)),
        }
    }

    /// No budget at all (tests, one-off reads).
    pub fn unlimited() -> Throttle {
        Throttle::new(0)
    }

    /// Changes the budget; reads under way follow the new rate from their next piece.
    pub fn set_rate(&self, mib_per_sec: u64) {
        self.bytes_per_sec
            .store(mib_per_sec.saturating_mul(1 << 20), Ordering::Relaxed);
        // A new rate starts a new window: bytes read under the old one do not count.
        let mut window = self.window.lock().unwrap_or_else(|p| p.into_inner());
        *window = (Instant::now(), 0);
    }

    /// The budget in MiB/s (0 = unlimited).
    pub fn rate_mib_s(&self) -> u64 {
        self.bytes_per_sec.load(Ordering::Relaxed) >> 20
    }

    /// Accounts for `bytes` just read, sleeping as long as needed to stay within budget.
    pub fn consume(&self, bytes: usize) {
        let rate = self.bytes_per_sec.load(Ordering::Relaxed);
        if rate == 0 {
            return;
        }
        let wait = {
            let mut window = self.window.lock().unwrap_or_else(|p| p.into_inner());
            let (start, used) = &mut *window;
            // A fresh window every second keeps bursts short.
            if start.elapsed() >= Duration::from_secs(1) {
                *start = Instant::now();
                *used = 0;
            }
            *used += bytes as u64;
            let allowed_at = Duration::from_secs_f64(*used as f64 / rate as f64);
            allowed_at.saturating_sub(start.elapsed())
        };
        if !wait.is_zero() {
            std::thread::sleep(wait);
        }
    }
}
