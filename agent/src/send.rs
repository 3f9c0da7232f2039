//! The sender: delivers spooled batches in order and forgets them only once the collector
//! acknowledges they are stored. Backs off with jitter when it cannot.
//!
//! When a backlog built up (an outage, a burst), the batches waiting go several to a
//! request, so the backlog drains at the collector's pace rather than one round trip and
//! one storage flush per batch. A collector too old for that (404) is sent one at a time;
//! one that refuses a request of several (a malformed batch among them, a body over its
//! limit) gets the first batch alone next, so the single-batch path can set a bad one
//! aside, and smaller requests after.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Notify;

use crate::client::{CollectorClient, SendError};
use crate::health::{bump, Counters};
use crate::identity::Identity;
use crate::retry::Backoff;
use crate::spool::SharedSpool;

const MIN_BACKOFF: Duration = Duration::from_millis(250);
const MAX_BACKOFF: Duration = Duration::from_secs(30);
/// After a refusal that needs an operator (revoked, unknown agent), wait longer.
const REFUSED_BACKOFF: Duration = Duration::from_secs(60);
/// Most batch bytes in one request of several (the collector accepts 8 MiB by default).
const MAX_REQUEST_BYTES: usize = 4 << 20;

/// How many batches the next request may carry.
struct RequestSize {
    /// The collector takes several batches per request.
    many: bool,
    /// Bytes of batches one request may carry (halved when the collector finds it too big).
    bytes: usize,
    /// The next request carries the first batch alone (one of several was refused).
    one_next: bool,
}

impl RequestSize {
    fn batches(&self) -> usize {
        if self.many && !self.one_next {
            vigie_model::wire::MAX_BATCHES_PER_REQUEST
        } else {
            1
        }
    }
}

/// Sends until `stop` is notified.
pub async fn run(
    spool: SharedSpool,
    client: CollectorClient,
    identity: Arc<Identity>,
    wake: Arc<Notify>,
    counters: Arc<Counters>,
    stop: Arc<Notify>,
) {
    let mut backoff = Backoff::new(MIN_BACKOFF, MAX_BACKOFF);
    let mut size = RequestSize {
        many: true,
        bytes: MAX_REQUEST_BYTES,
        one_next: false,
    };
    loop {
        let (count, bytes) = (size.batches(), size.bytes);
        let next = spool.run(move |s| s.peek_many(count, bytes)).await;
        size.one_next = false;
        let batches = match next {
            Ok(b) if !b.is_empty() => b,
            Ok(_) => {
                tokio::select! {
                    _ = wake.notified() => continue,
                    _ = stop.notified() => return,
                }
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot read the spool");
                if pause(&stop, REFUSED_BACKOFF).await {
                    return;
                }
                continue;
            }
        };
        let dropped = spool.blocking().dropped_total();
        let batch = &batches[0];
        let sent = if batches.len() > 1 {
            client.send_batches(&identity, &batches, dropped).await
        } else {
            client.send_batch(&identity, batch, dropped).await
        };
        let wait = match sent {
            Err(SendError::Refused { status, .. }) if batches.len() > 1 => {
                match status {
                    404 | 405 => {
                        tracing::info!("the collector takes one batch per request; sending so");
                        size.many = false;
                    }
                    413 => size.bytes /= 2,
                    _ => {}
                }
                size.one_next = true;
                continue;
            }
            Ok(ack) => {
                bump(&counters.batches_acked);
                let through = ack.acked_through;
                if let Err(e) = spool.run(move |s| s.ack(through)).await {
                    tracing::error!(error = %e, "cannot record the acknowledgement");
                }
                backoff.reset();
                continue;
            }
            Err(SendError::Retry { reason, after }) => {
                bump(&counters.send_failures);
                tracing::warn!(
                    reason,
                    first_seq = batch.first_seq,
                    "batch not delivered; will retry"
                );
                backoff.next_wait(after)
            }
            Err(SendError::Refused { status, refusal }) if status == 400 || status == 413 => {
                bump(&counters.send_failures);
                tracing::error!(
                    status,
                    code = refusal.code,
                    message = refusal.message,
                    first_seq = batch.first_seq,
                    last_seq = batch.last_seq,
                    "collector refused a batch as malformed; set aside and counted"
                );
                let rejected = batch.clone();
                if let Err(e) = spool.run(move |s| s.reject_current(&rejected)).await {
                    tracing::error!(error = %e, "cannot record the refusal");
                }
                continue;
            }
            Err(SendError::Refused { status, refusal }) => {
                bump(&counters.send_failures);
                tracing::error!(
                    status,
                    code = refusal.code,
                    message = refusal.message,
                    "collector refused this agent; events stay in the spool"
                );
                REFUSED_BACKOFF
            }
        };
        if pause(&stop, wait).await {
            return;
        }
    }
}

/// Sleeps `wait`; true if asked to stop meanwhile.
async fn pause(stop: &Notify, wait: Duration) -> bool {
    tokio::select! {
        _ = tokio::time::sleep(wait) => false,
        _ = stop.notified() => true,
    }
}
