//! One reading budget for the whole agent (MiB/s), shared by everything that hashes
//! files, so that a baseline or a rescan never starves the server it watches.

use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

struct Budget {
    bytes_per_sec: u64,
    window: Mutex<(Instant, u64)>,
}

static BUDGET: OnceLock<Budget> = OnceLock::new();

/// Sets the budget (0 = unlimited). Only the first call counts: one agent, one budget.
pub fn set_rate(mib_per_sec: u64) {
    let _ = BUDGET.set(Budget {
        bytes_per_sec: mib_per_sec.saturating_mul(1 << 20),
        window: Mutex::new((Instant::now(), 0)),
    });
}

/// Accounts for `bytes` just read, sleeping as long as needed to stay within budget.
pub fn consume(bytes: usize) {
    let Some(budget) = BUDGET.get() else { return };
    if budget.bytes_per_sec == 0 {
        return;
    }
    let wait = {
        let mut window = budget.window.lock().unwrap_or_else(|p| p.into_inner());
        let (start, used) = &mut *window;
        // A fresh window every second keeps bursts short.
        if start.elapsed() >= Duration::from_secs(1) {
            *start = Instant::now();
            *used = 0;
        }
        *used += bytes as u64;
        let allowed_at = Duration::from_secs_f64(*used as f64 / budget.bytes_per_sec as f64);
        allowed_at.saturating_sub(start.elapsed())
    };
    if !wait.is_zero() {
        std::thread::sleep(wait);
    }
}
