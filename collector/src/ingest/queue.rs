//! Batches waiting for a processing slot: counted, bounded, and told how long to wait
//! when the queue is full. The waiting itself is the semaphore's (first come, first
//! served); this only keeps the line from growing without end.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

/// The line of waiting batches.
pub(crate) struct WaitQueue {
    bound: usize,
    slots: usize,
    waiting: AtomicUsize,
    refused: AtomicU64,
}

/// A place in the line, given back when dropped (the batch got its slot, or its agent
/// went away).
pub(crate) struct Place<'a> {
    queue: &'a WaitQueue,
}

impl WaitQueue {
    /// A line of at most `bound` batches, served by `slots` processing slots.
    pub(crate) fn new(bound: usize, slots: usize) -> WaitQueue {
        WaitQueue {
            bound,
            slots,
            waiting: AtomicUsize::new(0),
            refused: AtomicU64::new(0),
        }
    }

    /// A place, unless the line is full (counted).
    pub(crate) fn join(&self) -> Option<Place<'_>> {
        let joined = self
            .waiting
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < self.bound).then_some(n + 1)
            })
            .is_ok();
        if joined {
            Some(Place { queue: self })
        } else {
            self.refused.fetch_add(1, Ordering::Relaxed);
            None
        }
    }

    /// How long a refused agent should wait: a second per round of slots ahead of it,
    /// between 1 and 30 s.
    pub(crate) fn suggested_wait_secs(&self) -> u64 {
        let rounds = self.waiting.load(Ordering::Relaxed) / self.slots.max(1);
        (rounds as u64).clamp(1, 30)
    }

    /// Batches waiting now.
    pub(crate) fn waiting(&self) -> usize {
        self.waiting.load(Ordering::Relaxed)
    }

    /// Batches refused since start for a full line.
    pub(crate) fn refused(&self) -> u64 {
        self.refused.load(Ordering::Relaxed)
    }
}

impl Drop for Place<'_> {
    fn drop(&mut self) {
        self.queue.waiting.fetch_sub(1, Ordering::AcqRel);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_is_bounded_and_counts_refusals() {
        let queue = WaitQueue::new(2, 1);
        let a = queue.join().unwrap();
        let _b = queue.join().unwrap();
        assert!(queue.join().is_none());
        assert_eq!(queue.refused(), 1);
        assert_eq!(queue.suggested_wait_secs(), 2);
        drop(a);
        assert!(queue.join().is_some());
        assert_eq!(
            queue.waiting(),
            1,
            "the place just taken was given back at once"
        );
    }
}
