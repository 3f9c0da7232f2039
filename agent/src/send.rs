//! The sender: delivers spooled batches in order, one at a time, and forgets them only once
//! the collector acknowledges they are stored. Backs off with jitter when it cannot.

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
    loop {
        let next = spool.run(|s| s.peek()).await;
        let batch = match next {
            Ok(Some(b)) => b,
            Ok(None) => {
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
        let wait = match client.send_batch(&identity, &batch, dropped).await {
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
