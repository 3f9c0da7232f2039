//! The sender: delivers spooled batches in order, one at a time, and forgets them only once
//! the collector acknowledges they are stored. Backs off with jitter when it cannot.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::Notify;

use crate::client::{CollectorClient, SendError};
use crate::health::{bump, Counters};
use crate::identity::Identity;
use crate::spool::{lock, Spool};

const MIN_BACKOFF: Duration = Duration::from_millis(250);
const MAX_BACKOFF: Duration = Duration::from_secs(30);
/// After a refusal that needs an operator (revoked, unknown agent), wait longer.
const REFUSED_BACKOFF: Duration = Duration::from_secs(60);

/// Sends until `stop` is notified.
pub async fn run(
    spool: Arc<Mutex<Spool>>,
    client: CollectorClient,
    identity: Arc<Identity>,
    wake: Arc<Notify>,
    counters: Arc<Counters>,
    stop: Arc<Notify>,
) {
    let mut backoff = MIN_BACKOFF;
    loop {
        let next = lock(&spool).peek();
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
        let dropped = lock(&spool).dropped_total();
        let wait = match client.send_batch(&identity, &batch, dropped).await {
            Ok(ack) => {
                bump(&counters.batches_acked);
                if let Err(e) = lock(&spool).ack(ack.acked_through) {
                    tracing::error!(error = %e, "cannot record the acknowledgement");
                }
                backoff = MIN_BACKOFF;
                continue;
            }
            Err(SendError::Retry { reason, after }) => {
                bump(&counters.send_failures);
                tracing::warn!(
                    reason,
                    first_seq = batch.first_seq,
                    "batch not delivered; will retry"
                );
                let wait = after.unwrap_or(backoff).max(jitter(backoff));
                backoff = (backoff * 2).min(MAX_BACKOFF);
                wait
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
                if let Err(e) = lock(&spool).reject_current(&batch) {
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

/// A random duration between half and all of `backoff`, so agents cut off together do not
/// all come back at the same instant.
fn jitter(backoff: Duration) -> Duration {
    let mut byte = [0u8; 1];
    let _ = ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut byte);
    backoff / 2 + backoff / 2 * u32::from(byte[0]) / 255
}
