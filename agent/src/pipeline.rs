//! What sensors send to the batcher: events, and barriers that say "tell me once
//! everything I sent before this is safely on disk".

use tokio::sync::{mpsc, oneshot};
use vigie_model::EventDraft;

use crate::spool::StateOwner;

/// One item in the pipeline from sensors to the batcher.
#[derive(Debug)]
pub enum Item {
    /// An event to batch, spool and send.
    Event(EventDraft),
    /// Answered with the last durable `seq` once every earlier item is spooled.
    Barrier(oneshot::Sender<u64>),
    /// A sensor's snapshot on disk now includes every event up to `seq`: the spool may
    /// forget acknowledged batches before it, as far as that owner is concerned.
    StateSaved {
        /// Whose snapshot.
        owner: StateOwner,
        /// The last `seq` it includes.
        seq: u64,
    },
}

/// The sending end sensors hold. Bounded: a full pipeline slows sensors down rather than
/// growing memory; sensors that cannot wait (packets) count what they drop.
pub type Sink = mpsc::Sender<Item>;

/// How many items the pipeline holds before senders wait.
pub const CAPACITY: usize = 8192;

/// A new pipeline.
pub fn channel() -> (Sink, mpsc::Receiver<Item>) {
    mpsc::channel(CAPACITY)
}

/// Waits until every item sent on `sink` so far is durable, and returns the last durable
/// `seq`; `None` when the pipeline is gone (the agent stops).
pub fn wait_durable(sink: &Sink) -> Option<u64> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    sink.blocking_send(Item::Barrier(tx)).ok()?;
    rx.blocking_recv().ok()
}
