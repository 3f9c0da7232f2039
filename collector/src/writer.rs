//! The collector's one writer to ClickHouse. Batches from many agents are combined into
//! few large inserts — one per table per flush, alerts first, then events and the batch
//! records together — and each batch is acknowledged only once the flush holding it is
//! stored. Many small inserts are what made ClickHouse merge eight rows for each one
//! written.
//!
//! Exactly once, whatever the database does. An insert whose answer never comes (the
//! server hung, the link dropped, the time limit passed) may still be carried out later:
//! a server stopped with SIGSTOP finishes it when it resumes. Every insert therefore
//! carries a query id, and when a flush fails the writer *fences*: it refuses new rows
//! and asks ClickHouse, until it gets an answer, whether any of the flush's queries still
//! runs; only when none does may anyone read from storage how far an agent is stored
//! (`ChainState::load_many`), so what it reads is final. A collector killed mid-insert leaves
//! the same question, asked at start for every query id of ours. A server killed
//! mid-insert stores nothing of that insert: ClickHouse writes a part whole or not at
//! all. What was stored by a flush that failed half-way is found on reload: events by
//! their seq, alerts by their id (`ChainState::alerts_ahead`), looked for only where a
//! batch record stored first shows a flush stopped half-way.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::{mpsc, oneshot};
use vigie_store::rows::{AlertRow, BatchRow, EventRow, SuppressedRow};
use vigie_store::{Client, StoreError};

/// Every insert's query id starts so: at start, those still running are waited for.
const QUERY_PREFIX: &str = "vigie-ingest-";
/// How often, while fenced, ClickHouse is asked whether a failed flush still runs.
const FENCE_POLL: Duration = Duration::from_millis(500);

/// Why a write did not complete.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// ClickHouse refused or is unreachable.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// ClickHouse took too long.
    #[error("storage write timed out after {0:?}")]
    Timeout(Duration),
    /// An earlier write failed and may still be carried out: nothing is written until
    /// ClickHouse says it is over.
    #[error("storage is settling an interrupted write")]
    Fenced,
}

/// The rows of one request's batches.
#[derive(Default)]
pub struct BatchRows {
    /// New alerts (already filtered against those stored by an earlier attempt).
    pub alerts: Vec<AlertRow>,
    /// Alerts exceptions held back (stored once per alert id whatever the retries).
    pub suppressed: Vec<SuppressedRow>,
    /// New events.
    pub events: Vec<EventRow>,
    /// The batch records.
    pub batches: Vec<BatchRow>,
}

impl BatchRows {
    /// Adds `other`'s rows after these.
    pub fn append(&mut self, other: BatchRows) {
        self.alerts.extend(other.alerts);
        self.suppressed.extend(other.suppressed);
        self.events.extend(other.events);
        self.batches.extend(other.batches);
    }
}

/// How the writer combines batches.
#[derive(Debug, Clone, Copy)]
pub struct WriterSettings {
    /// A flush goes when it holds this many events…
    pub max_events: usize,
    /// …or this long after its first batch arrived, when the last flush held more than
    /// one batch (with a single sender, it goes at once).
    pub linger: Duration,
    /// How long a flush may take before it counts as failed.
    pub timeout: Duration,
}

struct Job {
    rows: BatchRows,
    reply: oneshot::Sender<Result<(), WriteError>>,
}

/// Counters, for the log and the figures.
#[derive(Default)]
pub struct WriterStats {
    /// Flushes stored.
    pub flushes: AtomicU64,
    /// Events stored.
    pub events: AtomicU64,
    /// Flushes that failed (each followed by a fence).
    pub failed: AtomicU64,
}

/// A handle on the writer task.
#[derive(Clone)]
pub struct Writer {
    jobs: mpsc::Sender<Job>,
    fenced: Arc<AtomicBool>,
    /// What it has done.
    pub stats: Arc<WriterStats>,
}

impl Writer {
    /// Starts the writer. It begins fenced: queries of an earlier collector may still run.
    pub fn start(client: Client, settings: WriterSettings) -> Writer {
        let (jobs, rx) = mpsc::channel(1024);
        let fenced = Arc::new(AtomicBool::new(true));
        let stats = Arc::new(WriterStats::default());
        tokio::spawn(run(client, settings, rx, fenced.clone(), stats.clone()));
        Writer {
            jobs,
            fenced,
            stats,
        }
    }

    /// Whether storage can be read as final (no interrupted write may still land).
    pub fn settled(&self) -> bool {
        !self.fenced.load(Ordering::Acquire)
    }

    /// Stores `rows` with the next flush; returns once that flush is stored, or failed.
    pub async fn write(&self, rows: BatchRows) -> Result<(), WriteError> {
        if !self.settled() {
            return Err(WriteError::Fenced);
        }
        let (reply, answer) = oneshot::channel();
        self.jobs
            .send(Job { rows, reply })
            .await
            .map_err(|_| WriteError::Fenced)?;
        answer.await.unwrap_or(Err(WriteError::Fenced))
    }
}

async fn run(
    client: Client,
    settings: WriterSettings,
    mut rx: mpsc::Receiver<Job>,
    fenced: Arc<AtomicBool>,
    stats: Arc<WriterStats>,
) {
    settle(&client, &format!("{QUERY_PREFIX}%")).await;
    fenced.store(false, Ordering::Release);
    let mut flush_number = 0u64;
    let incarnation = vigie_model::hex::encode(&rand_bytes());
    let mut busy = false;
    while let Some(first) = rx.recv().await {
        let mut jobs = vec![first];
        let mut events = jobs[0].rows.events.len();
        // Whatever queued during the last flush goes with this one (group commit).
        while events < settings.max_events {
            match rx.try_recv() {
                Ok(job) => {
                    events += job.rows.events.len();
                    jobs.push(job);
                }
                Err(_) => break,
            }
        }
        // Lingering pays only when other agents are sending: it gathers their batches
        // into one insert. A lone agent, waiting for each answer, would only be slowed.
        let linger = if busy {
            settings.linger
        } else {
            Duration::ZERO
        };
        let deadline = tokio::time::Instant::now() + linger;
        while events < settings.max_events {
            match tokio::time::timeout_at(deadline, rx.recv()).await {
                Ok(Some(job)) => {
                    events += job.rows.events.len();
                    jobs.push(job);
                }
                Ok(None) | Err(_) => break,
            }
        }
        busy = jobs.len() > 1;
        flush_number += 1;
        let id = format!("{QUERY_PREFIX}{incarnation}-{flush_number}");
        let started = Instant::now();
        let result = tokio::time::timeout(settings.timeout, flush(&client, &id, &jobs))
            .await
            .map_err(|_| WriteError::Timeout(settings.timeout))
            .and_then(|r| r.map_err(WriteError::from));
        match result {
            Ok(()) => {
                stats.flushes.fetch_add(1, Ordering::Relaxed);
                stats.events.fetch_add(events as u64, Ordering::Relaxed);
                tracing::debug!(batches = jobs.len(), events, took = ?started.elapsed(), "flush stored");
                for job in jobs {
                    let _ = job.reply.send(Ok(()));
                }
            }
            Err(e) => {
                stats.failed.fetch_add(1, Ordering::Relaxed);
                fenced.store(true, Ordering::Release);
                tracing::warn!(error = %e, batches = jobs.len(), events, "flush failed; waiting until ClickHouse has no part of it left running");
                for job in jobs {
                    let _ = job.reply.send(Err(WriteError::Fenced));
                }
                // Batches that came meanwhile are told to come back.
                while let Ok(job) = rx.try_recv() {
                    let _ = job.reply.send(Err(WriteError::Fenced));
                }
                settle(&client, &format!("{id}%")).await;
                while let Ok(job) = rx.try_recv() {
                    let _ = job.reply.send(Err(WriteError::Fenced));
                }
                fenced.store(false, Ordering::Release);
                tracing::info!("interrupted write settled; writing again");
            }
        }
    }
}

/// One flush: four inserts, each with its own query id under `id`, in three steps.
async fn flush(client: &Client, id: &str, jobs: &[Job]) -> Result<(), StoreError> {
    let alerts: Vec<&AlertRow> = jobs.iter().flat_map(|j| &j.rows.alerts).collect();
    let suppressed: Vec<&SuppressedRow> = jobs.iter().flat_map(|j| &j.rows.suppressed).collect();
    let events: Vec<&EventRow> = jobs.iter().flat_map(|j| &j.rows.events).collect();
    let batches: Vec<&BatchRow> = jobs.iter().flat_map(|j| &j.rows.batches).collect();
    // Batch records first: an agent whose latest record is past its stored events is
    // then the only kind that may have alerts stored ahead of its events, and only for
    // those is the alerts table searched when state is reloaded (`ChainState::load_many`).
    // What exceptions held back is stored once per alert id, so it may go at any time
    // before the events.
    let (batches_id, suppressed_id) = (format!("{id}-batches"), format!("{id}-suppressed"));
    let (batches, suppressed) = tokio::join!(
        insert(client, &batches_id, "batches", &batches),
        insert(client, &suppressed_id, "suppressed", &suppressed),
    );
    batches?;
    suppressed?;
    // Alerts before events: a retry re-detects only events not stored, and must find
    // their alerts stored already (never events stored without their alerts).
    insert(client, &format!("{id}-alerts"), "alerts", &alerts).await?;
    insert(client, &format!("{id}-events"), "events", &events).await?;
    Ok(())
}

async fn insert<T>(
    client: &Client,
    query_id: &str,
    table: &str,
    rows: &[&T],
) -> Result<(), StoreError>
where
    T: clickhouse::RowOwned + clickhouse::RowWrite,
{
    if rows.is_empty() {
        return Ok(());
    }
    let client = client.clone().with_setting("query_id", query_id);
    let mut insert = client.insert::<T>(table).await?;
    for row in rows {
        insert.write(*row).await?;
    }
    insert.end().await?;
    Ok(())
}

/// Returns once ClickHouse answers that no query whose id is like `pattern` runs; asks
/// again and again while it does not answer (a hung server answers when it resumes).
async fn settle(client: &Client, pattern: &str) {
    let started = Instant::now();
    let mut asked = 0u64;
    loop {
        asked += 1;
        let running = tokio::time::timeout(
            Duration::from_secs(5),
            client
                .query("SELECT count() FROM system.processes WHERE query_id LIKE ?")
                .bind(pattern)
                .fetch_one::<u64>(),
        )
        .await;
        match running {
            Ok(Ok(0)) => {
                if asked > 1 {
                    tracing::info!(waited = ?started.elapsed(), "no interrupted write left running");
                }
                return;
            }
            Ok(Ok(n)) => tracing::info!(running = n, "an interrupted write still runs; waiting"),
            Ok(Err(e)) => tracing::debug!(error = %e, "ClickHouse not answering yet"),
            Err(_) => tracing::debug!("ClickHouse not answering yet"),
        }
        tokio::time::sleep(FENCE_POLL).await;
    }
}

fn rand_bytes() -> [u8; 6] {
    use ring::rand::SecureRandom;
    let mut bytes = [0u8; 6];
    let _ = ring::rand::SystemRandom::new().fill(&mut bytes);
    bytes
}

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
