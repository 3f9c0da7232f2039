//! Writes one batch's rows to ClickHouse: alerts, then events, then the batch record, each
//! in one INSERT, all within a time limit. Only when all three succeed is the batch
//! acknowledged.

use std::time::Duration;

use vigie_store::rows::{AlertRow, BatchRow, EventRow};
use vigie_store::{Client, StoreError};

/// Why a write did not complete.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// ClickHouse refused or is unreachable.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// ClickHouse took too long.
    #[error("storage write timed out after {0:?}")]
    Timeout(Duration),
}

/// The rows of one batch.
pub struct BatchRows {
    /// New alerts (already filtered against those stored by an earlier attempt).
    pub alerts: Vec<AlertRow>,
    /// New events.
    pub events: Vec<EventRow>,
    /// The batch record.
    pub batch: BatchRow,
}

/// Writes `rows`. Alerts go first: if a later step fails, the retry finds them stored
/// and does not insert them twice (see `ChainState::check_alerts`).
pub async fn write(client: &Client, rows: &BatchRows, timeout: Duration) -> Result<(), WriteError> {
    let work = async {
        vigie_store::insert_rows(client, "alerts", &rows.alerts).await?;
        vigie_store::insert_rows(client, "events", &rows.events).await?;
        vigie_store::insert_rows(client, "batches", std::slice::from_ref(&rows.batch)).await?;
        Ok::<(), StoreError>(())
    };
    tokio::time::timeout(timeout, work)
        .await
        .map_err(|_| WriteError::Timeout(timeout))??;
    Ok(())
}

/// Ids of alerts already stored for `agent_id` from `from_seq` on.
/// The seqs of agent `agent_id`'s events stored between `first` and `last`.
pub async fn stored_seqs(
    client: &Client,
    agent_id: &str,
    first: u64,
    last: u64,
) -> Result<Vec<u64>, StoreError> {
    Ok(client
        .query("SELECT seq FROM events WHERE agent_id = ? AND seq >= ? AND seq <= ?")
        .bind(agent_id)
        .bind(first)
        .bind(last)
        .fetch_all::<u64>()
        .await?)
}

/// The alert ids stored for agent `agent_id` from event seq `from_seq` on.
pub async fn stored_alert_ids(
    client: &Client,
    agent_id: &str,
    from_seq: u64,
) -> Result<Vec<String>, StoreError> {
    Ok(client
        .query("SELECT alert_id FROM alerts WHERE agent_id = ? AND event_seq >= ?")
        .bind(agent_id)
        .bind(from_seq)
        .fetch_all::<String>()
        .await?)
}
