//! A bounded queue between a sensor's producer thread and its consumer that holds
//! memory only for what waits in it.
//!
//! std's `sync_channel` reserves every slot when it is made: the file sensor's 8,192
//! notify events and the network sensor's 8,192 packets took over a megabyte, held for
//! the agent's whole life on an idle server. This one counts what waits and refuses
//! past the bound, over std's unbounded channel, which allocates small blocks as items
//! come and frees them as they are taken. Hand-written: crossbeam's bounded channel
//! reserves up front as std's does, and a queue over a growing buffer keeps its peak.
//! Errors are std's own, so callers match on them as on a `sync_channel`.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError, TryRecvError, TrySendError};
use std::sync::Arc;
use std::time::Duration;

/// A queue that takes at most `capacity` waiting items.
pub fn bounded<T>(capacity: usize) -> (Sender<T>, Receiver<T>) {
    let (inner_tx, inner_rx) = mpsc::channel();
    let waiting = Arc::new(AtomicUsize::new(0));
    let sender = Sender {
        inner: inner_tx,
        waiting: waiting.clone(),
        capacity,
    };
    (
        sender,
        Receiver {
            inner: inner_rx,
            waiting,
        },
    )
}

/// The producing end; clone it for several producers.
#[derive(Debug, Clone)]
pub struct Sender<T> {
    inner: mpsc::Sender<T>,
    waiting: Arc<AtomicUsize>,
    capacity: usize,
}

impl<T> Sender<T> {
    /// Queues `item`, or gives it back when the queue is full or its receiver gone.
    pub fn try_send(&self, item: T) -> Result<(), TrySendError<T>> {
        // Reserve a place first so that several producers cannot overfill it.
        if self.waiting.fetch_add(1, Ordering::AcqRel) >= self.capacity {
            self.waiting.fetch_sub(1, Ordering::AcqRel);
            return Err(TrySendError::Full(item));
        }
        self.inner.send(item).map_err(|e| {
            self.waiting.fetch_sub(1, Ordering::AcqRel);
            TrySendError::Disconnected(e.0)
        })
    }
}

/// The consuming end.
#[derive(Debug)]
pub struct Receiver<T> {
    inner: mpsc::Receiver<T>,
    waiting: Arc<AtomicUsize>,
}

impl<T> Receiver<T> {
    /// The next item, waiting at most `wait` for one.
    pub fn recv_timeout(&self, wait: Duration) -> Result<T, RecvTimeoutError> {
        let item = self.inner.recv_timeout(wait)?;
        self.waiting.fetch_sub(1, Ordering::AcqRel);
        Ok(item)
    }

    /// The next item if one waits.
    pub fn try_recv(&self) -> Result<T, TryRecvError> {
        let item = self.inner.try_recv()?;
        self.waiting.fetch_sub(1, Ordering::AcqRel);
        Ok(item)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_past_its_bound_and_takes_again_once_drained() {
        let (tx, rx) = bounded(3);
        for i in 0..3 {
            tx.try_send(i).unwrap();
        }
        assert!(matches!(tx.try_send(9), Err(TrySendError::Full(9))));
        assert_eq!(rx.try_recv().unwrap(), 0);
        tx.try_send(3).unwrap();
        assert!(matches!(tx.try_send(9), Err(TrySendError::Full(9))));
        let rest: Vec<i32> = std::iter::from_fn(|| rx.try_recv().ok()).collect();
        assert_eq!(rest, vec![1, 2, 3]);
        assert!(matches!(
            rx.recv_timeout(Duration::from_millis(1)),
            Err(RecvTimeoutError::Timeout)
        ));
    }

    #[test]
    fn several_producers_never_overfill_it() {
        let (tx, rx) = bounded(100);
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let tx = tx.clone();
                std::thread::spawn(move || (0..1_000).filter(|i| tx.try_send(*i).is_ok()).count())
            })
            .collect();
        let accepted: usize = threads.into_iter().map(|t| t.join().unwrap()).sum();
        assert_eq!(accepted, 100);
        assert_eq!(std::iter::from_fn(|| rx.try_recv().ok()).count(), 100);
    }

    #[test]
    fn a_gone_receiver_gives_the_item_back() {
        let (tx, rx) = bounded(2);
        drop(rx);
        assert!(matches!(tx.try_send(1), Err(TrySendError::Disconnected(1))));
    }
}
