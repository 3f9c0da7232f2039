//! Per-agent delivery state: how far the agent's events are stored and the hash of its
//! last batch, to store each event once and to check the batch chain for gaps and forks.

use std::collections::{HashMap, HashSet};

use clickhouse::Row;
use serde::Deserialize;
use vigie_model::wire::GENESIS_HASH;
use vigie_store::Client;

/// What the collector knows of one agent's delivery.
#[derive(Debug, Clone, PartialEq)]
pub struct ChainState {
    /// Every event up to this seq is stored.
    pub last_seq: u64,
    /// Hash of the batch that ended at `last_seq`; `None` if unknown (events stored
    /// without their batch record by an earlier version), which skips one fork check.
    pub last_hash: Option<String>,
    /// The agent's cumulative drop count when it sent that batch.
    pub dropped_total: u64,
    /// Alerts already stored for events past `last_seq` (an earlier attempt failed
    /// half-way), read with the state; `None` once a write of ours has succeeded.
    pub alerts_ahead: Option<HashSet<String>>,
    /// When the last [`Link::BelowWatermark`] alert was raised (ms; 0: never since
    /// start): one an hour is enough to tell the SOC, every batch would flood it.
    pub below_watermark_alerted_ms: u64,
}

#[derive(Row, Deserialize)]
struct StoredSeq {
    agent_id: String,
    last_seq: u64,
}

#[derive(Row, Deserialize)]
struct LastBatch {
    agent_id: String,
    top_seq: u64,
    top_hash: String,
    top_dropped: u64,
}

#[derive(Row, Deserialize)]
struct AlertAhead {
    agent_id: String,
    alert_id: String,
}

/// Most agents whose state one query reads (keeps the query text small).
pub const MAX_AGENTS_PER_LOAD: usize = 500;

impl ChainState {
    /// Rebuilds the state of each of `agent_ids` from what is stored, in two queries
    /// whatever their number: after a restart, thousands of agents come back at once,
    /// and queries one by one would keep ClickHouse busy for minutes. Events are the
    /// truth for how far an agent is stored; the batches table supplies the hash.
    ///
    /// Alerts stored past that point (an earlier write failed half-way) must be known so
    /// a retry does not store them twice. The writer stores a flush's batch records
    /// before its alerts, so only an agent whose latest batch record is past its stored
    /// events can have any: the alerts table, which is ordered by time and cannot be
    /// searched by agent cheaply, is read for those agents alone. Before this, each
    /// group of agents scanned it whole, which made 5,000 returning agents wait seconds.
    pub async fn load_many(
        client: &Client,
        agent_ids: &[String],
    ) -> Result<HashMap<String, ChainState>, clickhouse::error::Error> {
        let mut states = HashMap::with_capacity(agent_ids.len());
        if agent_ids.is_empty() {
            return Ok(states);
        }
        let list = vec!["?"; agent_ids.len()].join(",");
        let mut seqs = client.query(&format!(
            "SELECT agent_id, max(seq) AS last_seq FROM events WHERE agent_id IN ({list}) GROUP BY agent_id"
        ));
        for id in agent_ids {
            seqs = seqs.bind(id);
        }
        let last_seqs: HashMap<String, u64> = seqs
            .fetch_all::<StoredSeq>()
            .await?
            .into_iter()
            .map(|s| (s.agent_id, s.last_seq))
            .collect();
        let last_seq_of = |id: &str| last_seqs.get(id).copied().unwrap_or(0);
        let mut batches = client.query(&format!(
            "SELECT agent_id, max(last_seq) AS top_seq, argMax(batch_hash, last_seq) AS top_hash, argMax(dropped_total, last_seq) AS top_dropped FROM batches WHERE agent_id IN ({list}) GROUP BY agent_id"
        ));
        for id in agent_ids {
            batches = batches.bind(id);
        }
        let mut last_batches: HashMap<String, LastBatch> = batches
            .fetch_all::<LastBatch>()
            .await?
            .into_iter()
            .map(|b| (b.agent_id.clone(), b))
            .collect();
        let interrupted: Vec<(&str, u64)> = last_batches
            .values()
            .filter(|b| b.top_seq > last_seq_of(&b.agent_id))
            .map(|b| (b.agent_id.as_str(), last_seq_of(&b.agent_id)))
            .collect();
        let mut interrupted_states = Interrupted::load(client, &interrupted).await?;
        for id in agent_ids {
            let last_seq = last_seq_of(id);
            let top = last_batches.remove(id);
            let (last_hash, dropped_total) = match top {
                _ if last_seq == 0 => (Some(GENESIS_HASH.to_string()), 0),
                Some(b) if b.top_seq == last_seq => (Some(b.top_hash), b.top_dropped),
                // A write stopped half-way left a record past the stored events (or an
                // earlier version stored events without their record).
                Some(b) => match interrupted_states.batches.remove(id) {
                    Some((hash, dropped)) => (Some(hash), dropped),
                    None => (None, b.top_dropped),
                },
                None => (None, 0),
            };
            states.insert(
                id.clone(),
                ChainState {
                    last_seq,
                    last_hash,
                    dropped_total,
                    alerts_ahead: Some(interrupted_states.alerts.remove(id).unwrap_or_default()),
                    below_watermark_alerted_ms: 0,
                },
            );
        }
        Ok(states)
    }
}

/// What is read of agents whose last write stopped half-way: the batch record at their
/// stored seq, and the alerts stored past it.
#[derive(Default)]
struct Interrupted {
    /// Hash and drop count of the batch that ended at the stored seq, by agent.
    batches: HashMap<String, (String, u64)>,
    /// Alert ids stored past the stored seq, by agent.
    alerts: HashMap<String, HashSet<String>>,
}

#[derive(Row, Deserialize)]
struct BatchAt {
    agent_id: String,
    batch_hash: String,
    dropped_total: u64,
}

impl Interrupted {
    /// Reads them for `agents` (agent id, stored seq): rare, so simple queries do.
    async fn load(
        client: &Client,
        agents: &[(&str, u64)],
    ) -> Result<Interrupted, clickhouse::error::Error> {
        let mut found = Interrupted::default();
        if agents.is_empty() {
            return Ok(found);
        }
        let pairs = vec!["(?, ?)"; agents.len()].join(",");
        let mut batches = client.query(&format!(
            "SELECT agent_id, any(batch_hash) AS batch_hash, any(dropped_total) AS dropped_total FROM batches WHERE (agent_id, last_seq) IN ({pairs}) GROUP BY agent_id"
        ));
        for (id, seq) in agents {
            batches = batches.bind(*id).bind(*seq);
        }
        for b in batches.fetch_all::<BatchAt>().await? {
            found
                .batches
                .insert(b.agent_id, (b.batch_hash, b.dropped_total));
        }
        let list = vec!["?"; agents.len()].join(",");
        let ahead = vec!["(agent_id = ? AND event_seq > ?)"; agents.len()].join(" OR ");
        let mut alerts = client.query(&format!(
            "SELECT agent_id, alert_id FROM alerts PREWHERE agent_id IN ({list}) WHERE {ahead}"
        ));
        for (id, _) in agents {
            alerts = alerts.bind(*id);
        }
        for (id, seq) in agents {
            alerts = alerts.bind(*id).bind(*seq);
        }
        for a in alerts.fetch_all::<AlertAhead>().await? {
            found
                .alerts
                .entry(a.agent_id)
                .or_default()
                .insert(a.alert_id);
        }
        Ok(found)
    }
}

/// What a new batch says about the chain.
#[derive(Debug, Clone, PartialEq)]
pub enum Link {
    /// Follows the last stored batch exactly.
    Continues,
    /// Already stored (a resend or a replay): store nothing, acknowledge again.
    Duplicate,
    /// Starts after a hole of `missing` events, of which the agent says it dropped
    /// `explained` itself (spool full).
    Gap {
        /// Events missing between the stored ones and this batch.
        missing: u64,
        /// How many of them the agent reports having dropped.
        explained: u64,
    },
    /// Follows on by seq but names another predecessor: the chain was tampered with, or
    /// the agent's state was restored from an old copy.
    Fork {
        /// The hash the collector holds.
        expected: String,
        /// The hash the batch names.
        found: String,
    },
    /// At or below what is stored by seq, yet holding `unstored` events never stored: a
    /// batch jumped the agent's sequence ahead (a forged one, with the agent's key) or
    /// the agent's state was restored. Its events are stored all the same: a resend is
    /// told apart from this by what is stored, never by the seq alone.
    BelowWatermark {
        /// How far the stored seq reaches.
        watermark: u64,
        /// This batch's events not stored yet.
        unstored: u64,
    },
}

/// Classifies a batch `first_seq..=last_seq` naming `prev_hash`, sent by an agent that
/// reports `dropped_total` drops in all.
pub fn link(
    state: &ChainState,
    first_seq: u64,
    last_seq: u64,
    prev_hash: &str,
    dropped_total: u64,
) -> Link {
    if last_seq <= state.last_seq {
        return Link::Duplicate;
    }
    if first_seq > state.last_seq + 1 {
        let missing = first_seq - state.last_seq - 1;
        let explained = dropped_total
            .saturating_sub(state.dropped_total)
            .min(missing);
        return Link::Gap { missing, explained };
    }
    match &state.last_hash {
        Some(expected) if first_seq == state.last_seq + 1 && expected != prev_hash => Link::Fork {
            expected: expected.clone(),
            found: prev_hash.to_string(),
        },
        _ => Link::Continues,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(last_seq: u64, hash: &str, dropped: u64) -> ChainState {
        ChainState {
            last_seq,
            last_hash: Some(hash.into()),
            dropped_total: dropped,
            alerts_ahead: None,
            below_watermark_alerted_ms: 0,
        }
    }

    #[test]
    fn classifies_every_kind_of_link() {
        let s = state(10, "h10", 0);
        assert_eq!(link(&s, 11, 20, "h10", 0), Link::Continues);
        assert_eq!(link(&s, 5, 10, "h4", 0), Link::Duplicate);
        assert_eq!(
            link(&s, 15, 20, "hx", 0),
            Link::Gap {
                missing: 4,
                explained: 0
            }
        );
        assert_eq!(
            link(&s, 15, 20, "hx", 4),
            Link::Gap {
                missing: 4,
                explained: 4
            }
        );
        assert_eq!(
            link(&s, 11, 20, "evil", 0),
            Link::Fork {
                expected: "h10".into(),
                found: "evil".into()
            }
        );
        // Unknown hash after a crash: continue without a fork check.
        let unknown = ChainState {
            last_hash: None,
            ..s
        };
        assert_eq!(link(&unknown, 11, 20, "anything", 0), Link::Continues);
    }
}
