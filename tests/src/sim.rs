//! Simulated agents for load and fault tests: each enrolls with a real token and key and
//! sends valid, signed, chained batches through the agent's own client, resending a
//! batch until it is acknowledged — as a real agent's spool does — so that whatever
//! the collector or ClickHouse go through, every event must end up stored once. And the
//! check that says whether it did.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use vigie_agent::client::{CollectorClient, SendError};
use vigie_agent::identity::Identity;
use vigie_model::event::now_ms;
use vigie_model::wire::{self, GENESIS_HASH};
use vigie_model::Event;

/// One simulated agent.
pub struct SimAgent {
    /// Its enrolled identity.
    pub identity: Identity,
    /// Seq of its next event.
    pub next_seq: u64,
    prev_hash: String,
}

/// A point in a simulated agent's chain, to go back to.
#[derive(Clone)]
pub struct Position {
    next_seq: u64,
    prev_hash: String,
}

/// What sending cost.
#[derive(Debug, Default, Clone)]
pub struct SendStats {
    /// Batches acknowledged.
    pub batches: u64,
    /// Events acknowledged.
    pub events: u64,
    /// Refusals and failures that were retried (503s included).
    pub retries: u64,
    /// Latency of each acknowledged batch, from first try to acknowledgement (ms).
    pub latencies_ms: Vec<u64>,
}

impl SendStats {
    /// Adds `other` to these.
    pub fn merge(&mut self, other: SendStats) {
        self.batches += other.batches;
        self.events += other.events;
        self.retries += other.retries;
        self.latencies_ms.extend(other.latencies_ms);
    }

    /// The `p`th percentile latency (0..=100), in ms.
    pub fn percentile(&mut self, p: usize) -> u64 {
        if self.latencies_ms.is_empty() {
            return 0;
        }
        self.latencies_ms.sort_unstable();
        let at = (self.latencies_ms.len() - 1) * p.min(100) / 100;
        self.latencies_ms[at]
    }
}

/// A file event of agent `agent`; every `alert_every`th one touches `/etc/shadow`,
/// which the built-in rules alert on.
pub fn event(agent: &str, seq: u64, alert_every: u64) -> Event {
    let target = if alert_every > 0 && seq.is_multiple_of(alert_every) {
        "/etc/shadow".to_string()
    } else {
        format!("/srv/data/file{seq}.txt")
    };
    Event {
        agent_id: agent.into(),
        hostname: format!("sim-{}", &agent[..8.min(agent.len())]),
        seq,
        ts: now_ms(),
        category: "file_event".into(),
        fields: serde_json::json!({
            "TargetFilename": target,
            "Action": "modified",
            "Sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
            "Size": 4096,
            "User": "www-data",
        })
        .as_object()
        .expect("an object")
        .clone(),
    }
}

impl SimAgent {
    /// Enrolls a simulated agent named `name` with `token`, its identity in `path`.
    pub async fn enroll(
        client: &CollectorClient,
        token: &str,
        name: &str,
        path: &std::path::Path,
    ) -> anyhow::Result<SimAgent> {
        let identity = vigie_agent::enroll::register(client, token, name, path).await?;
        Ok(SimAgent {
            identity,
            next_seq: 1,
            prev_hash: GENESIS_HASH.to_string(),
        })
    }

    /// Its id.
    pub fn id(&self) -> &str {
        &self.identity.agent_id
    }

    /// Where it stands in its chain.
    pub fn position(&self) -> Position {
        Position {
            next_seq: self.next_seq,
            prev_hash: self.prev_hash.clone(),
        }
    }

    /// Goes back to `position`: the next batch sent is the one sent from there before
    /// (same seqs and predecessor), as an agent resends a batch never acknowledged.
    pub fn rewind(&mut self, position: Position) {
        self.next_seq = position.next_seq;
        self.prev_hash = position.prev_hash;
    }

    /// Sends `batches` batches of `size` events, each resent until acknowledged
    /// (waiting as the collector's `Retry-After` says, 200 ms at least), pausing
    /// `pause` between batches.
    pub async fn send(
        &mut self,
        client: &CollectorClient,
        batches: u64,
        size: u64,
        alert_every: u64,
        pause: Duration,
    ) -> SendStats {
        let mut stats = SendStats::default();
        for _ in 0..batches {
            let id = self.identity.agent_id.clone();
            let events: Vec<Event> = (self.next_seq..self.next_seq + size)
                .map(|seq| event(&id, seq, alert_every))
                .collect();
            let batch = wire::seal(&id, &self.prev_hash, events, now_ms());
            let started = Instant::now();
            loop {
                match client.send_batch(&self.identity, &batch, 0).await {
                    Ok(ack) if ack.acked_through >= batch.last_seq => break,
                    Ok(_) => stats.retries += 1,
                    Err(SendError::Refused { status, .. }) if status < 500 && status != 429 => {
                        panic!(
                            "batch {}..{} of {id} refused for good: {status}",
                            batch.first_seq, batch.last_seq
                        )
                    }
                    Err(_) => stats.retries += 1,
                }
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            stats
                .latencies_ms
                .push(started.elapsed().as_millis() as u64);
            stats.batches += 1;
            stats.events += size;
            self.next_seq += size;
            self.prev_hash = batch.hash.clone();
            if !pause.is_zero() {
                tokio::time::sleep(pause).await;
            }
        }
        stats
    }
}

/// What storage holds against what was acknowledged.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct ExactlyOnce {
    /// Events acknowledged.
    pub expected: u64,
    /// Events stored.
    pub stored: u64,
    /// Events stored more than once (by agent and seq).
    pub duplicates: u64,
    /// Acknowledged events not stored.
    pub missing: u64,
    /// Alerts stored more than once (by id).
    pub duplicate_alerts: u64,
}

impl ExactlyOnce {
    /// True when every acknowledged event is stored once and no alert twice.
    pub fn holds(&self) -> bool {
        self.duplicates == 0
            && self.missing == 0
            && self.duplicate_alerts == 0
            && self.stored == self.expected
    }
}

/// Checks storage against `acknowledged` (agent id → events acknowledged, seqs from 1).
pub async fn check_exactly_once(
    client: &vigie_store::Client,
    acknowledged: &HashMap<String, u64>,
) -> ExactlyOnce {
    #[derive(clickhouse::Row, serde::Deserialize)]
    struct PerAgent {
        agent_id: String,
        rows: u64,
        distinct: u64,
        max_seq: u64,
    }
    let per_agent: Vec<PerAgent> = client
        .query(
            "SELECT agent_id, count() AS rows, uniqExact(seq) AS distinct, max(seq) AS max_seq \
             FROM events GROUP BY agent_id",
        )
        .fetch_all()
        .await
        .expect("events counted");
    let mut report = ExactlyOnce {
        expected: acknowledged.values().sum(),
        ..ExactlyOnce::default()
    };
    for row in &per_agent {
        let Some(&expected) = acknowledged.get(&row.agent_id) else {
            continue;
        };
        report.stored += row.rows;
        report.duplicates += row.rows - row.distinct;
        report.missing += expected.saturating_sub(row.distinct.min(row.max_seq));
    }
    for (agent, expected) in acknowledged {
        if !per_agent.iter().any(|r| &r.agent_id == agent) {
            report.missing += expected;
        }
    }
    report.duplicate_alerts = client
        .query("SELECT count() - uniqExact(alert_id) FROM alerts")
        .fetch_one::<u64>()
        .await
        .expect("alerts counted");
    report
}
