//! The batcher: gives events their `seq`, seals them into batches (at most `max_events`
//! events or `max_bytes` of JSON, and within `flush_ms` of the first), and makes each
//! batch durable in the spool, or prints events with `--print`.

use std::io::Write;
use std::sync::Arc;

use tokio::sync::{mpsc, Notify};
use tokio::time::{sleep_until, Instant};
use vigie_model::{wire, Event, EventDraft};

use crate::config::BatchConfig;
use crate::health::{bump, Counters};
use crate::pipeline::Item;
use crate::spool::SharedSpool;

/// How long the batcher lets events gather once it has taken all that waited. Sensors
/// send from their own threads, and each event that finds the batcher waiting wakes the
/// runtime (an eventfd write and a switch of threads: a tenth of the agent's time under
/// an exec storm went there). Gathering for a moment lets a burst arrive without waking
/// anyone; an event waits at most this much longer, far inside `flush_ms`.
const GATHER: std::time::Duration = std::time::Duration::from_millis(5);

/// Where sealed events go.
pub enum Output {
    /// Into the spool; `wake` tells the sender there is something new.
    Spool {
        /// The spool.
        spool: SharedSpool,
        /// Woken after each append.
        wake: Arc<Notify>,
    },
    /// One JSON object per line on stdout (`--print`).
    Print {
        /// Next `seq` to give.
        next_seq: u64,
    },
}

/// The batcher's settings and output.
pub struct Batcher {
    /// The agent's id.
    pub agent_id: String,
    /// This host's name.
    pub hostname: String,
    /// Limits.
    pub config: BatchConfig,
    /// Destination.
    pub output: Output,
    /// Counters.
    pub counters: Arc<Counters>,
}

impl Batcher {
    /// Runs until every sender of `rx` is gone, then seals what is left.
    pub async fn run(mut self, mut rx: mpsc::Receiver<Item>) {
        let flush_every = std::time::Duration::from_millis(self.config.flush_ms.max(1));
        let mut pending: Vec<EventDraft> = Vec::new();
        let mut pending_bytes = 0usize;
        let mut deadline: Option<Instant> = None;
        loop {
            tokio::select! {
                item = rx.recv() => match item {
                    None => break,
                    Some(Item::Event(draft)) => {
                        self.counters.count_event(draft.category.as_str());
                        pending_bytes += estimate(&draft);
                        pending.push(draft);
                        deadline.get_or_insert_with(|| Instant::now() + flush_every);
                        if pending.len() >= self.config.max_events || pending_bytes >= self.config.max_bytes {
                            self.flush(&mut pending).await;
                            pending_bytes = 0;
                            deadline = None;
                        } else if rx.is_empty() {
                            tokio::time::sleep(GATHER).await;
                        }
                    }
                    Some(Item::Barrier(reply)) => {
                        self.flush(&mut pending).await;
                        pending_bytes = 0;
                        deadline = None;
                        let _ = reply.send(self.last_durable_seq());
                    }
                    Some(Item::StateSaved { owner, seq }) => {
                        if let Output::Spool { spool, .. } = &self.output {
                            if let Err(e) = spool.run(move |s| s.retain_from(owner, seq + 1)).await {
                                tracing::error!(error = %e, "spool cleanup failed");
                            }
                        }
                    }
                },
                _ = sleep_until(deadline.unwrap_or_else(Instant::now)), if deadline.is_some() => {
                    self.flush(&mut pending).await;
                    pending_bytes = 0;
                    deadline = None;
                }
            }
        }
        self.flush(&mut pending).await;
    }

    fn last_durable_seq(&self) -> u64 {
        match &self.output {
            Output::Spool { spool, .. } => spool.blocking().next_seq() - 1,
            Output::Print { next_seq } => next_seq - 1,
        }
    }

    async fn flush(&mut self, pending: &mut Vec<EventDraft>) {
        if pending.is_empty() {
            return;
        }
        let drafts = std::mem::take(pending);
        match &mut self.output {
            Output::Print { next_seq } => {
                let stdout = std::io::stdout();
                let mut out = stdout.lock();
                for draft in drafts {
                    let event = finish(&self.agent_id, &self.hostname, *next_seq, draft);
                    *next_seq += 1;
                    let _ = serde_json::to_writer(&mut out, &event);
                    let _ = out.write_all(b"\n");
                }
                let _ = out.flush();
            }
            Output::Spool { spool, wake } => {
                let sealed = {
                    let spool = spool.blocking();
                    let first = spool.next_seq();
                    let events: Vec<Event> = drafts
                        .into_iter()
                        .enumerate()
                        .map(|(i, d)| finish(&self.agent_id, &self.hostname, first + i as u64, d))
                        .collect();
                    wire::seal(
                        &self.agent_id,
                        spool.last_hash(),
                        events,
                        vigie_model::event::now_ms(),
                    )
                };
                // The spool is the only place events live. If it cannot take them (disk
                // full, I/O error), hold this batch and retry: sensors wait meanwhile
                // (the pipeline is bounded) and the sender keeps freeing space.
                let sealed = Arc::new(sealed);
                loop {
                    let batch = sealed.clone();
                    let result = spool.run(move |s| s.append(&batch)).await;
                    match result {
                        Ok(_) => break,
                        Err(e) => {
                            bump(&self.counters.spool_write_errors);
                            tracing::error!(error = %e, "cannot write to the spool; retrying in 1 s");
                            tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                        }
                    }
                }
                bump(&self.counters.batches_sealed);
                wake.notify_one();
            }
        }
    }
}

fn finish(agent_id: &str, hostname: &str, seq: u64, draft: EventDraft) -> Event {
    Event {
        agent_id: agent_id.to_string(),
        hostname: hostname.to_string(),
        seq,
        ts: draft.ts,
        category: draft.category.as_str().to_string(),
        fields: draft.fields,
    }
}

/// Rough JSON size of an event, to bound batches without serializing twice.
fn estimate(draft: &EventDraft) -> usize {
    96 + draft
        .fields
        .iter()
        .map(|(k, v)| k.len() + 6 + v.as_str().map_or(24, str::len))
        .sum::<usize>()
}
