//! Live alert streams in use, bounded per user and in total: each open stream asks
//! ClickHouse every two seconds, so one account opening them by the dozen would slow
//! the dashboard for everyone. Refusals are counted and logged.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// Streams one user may hold at once (a few browser tabs).
pub const PER_USER: usize = 4;
/// Streams the dashboard serves at once.
pub const TOTAL: usize = 64;

/// The streams open now, by user.
#[derive(Default)]
pub struct StreamSlots {
    in_use: Mutex<HashMap<String, usize>>,
    refused: AtomicU64,
}

/// One open stream; its slot is given back when it is dropped (the stream ended).
pub struct Slot {
    slots: Arc<StreamSlots>,
    user: String,
}

impl StreamSlots {
    /// A slot for `user`, unless they or the dashboard hold as many as allowed.
    pub fn take(self: &Arc<Self>, user: &str) -> Option<Slot> {
        let mut in_use = self.in_use.lock().expect("stream slots lock");
        let total: usize = in_use.values().sum();
        let mine = in_use.get(user).copied().unwrap_or(0);
        if mine >= PER_USER || total >= TOTAL {
            let refused = self.refused.fetch_add(1, Ordering::Relaxed) + 1;
            tracing::warn!(
                user,
                mine,
                total,
                refused,
                "live stream refused: too many open"
            );
            return None;
        }
        *in_use.entry(user.to_string()).or_default() += 1;
        Some(Slot {
            slots: self.clone(),
            user: user.to_string(),
        })
    }

    /// Streams refused since start.
    pub fn refused(&self) -> u64 {
        self.refused.load(Ordering::Relaxed)
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut in_use = self.slots.in_use.lock().expect("stream slots lock");
        if let Some(n) = in_use.get_mut(&self.user) {
            *n -= 1;
            if *n == 0 {
                in_use.remove(&self.user);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_bounded_per_user_and_given_back() {
        let slots = Arc::new(StreamSlots::default());
        let held: Vec<Slot> = (0..PER_USER).map(|_| slots.take("ana").unwrap()).collect();
        assert!(slots.take("ana").is_none(), "a fifth for ana");
        assert!(slots.take("bob").is_some(), "others still get theirs");
        drop(held);
        assert!(slots.take("ana").is_some(), "given back when streams end");
        assert_eq!(slots.refused(), 1);
        let many: Vec<Slot> = (0..TOTAL)
            .filter_map(|i| slots.take(&format!("user{}", i / PER_USER)))
            .collect();
        assert_eq!(many.len(), TOTAL);
        assert!(slots.take("zoe").is_none(), "the total is bounded too");
    }
}
