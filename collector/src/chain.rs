//! Per-agent delivery state: how far the agent's events are stored and the hash of its
//! last batch, to store each event once and to check the batch chain for gaps and forks.

use clickhouse::Row;
use serde::Deserialize;
use vigie_model::wire::GENESIS_HASH;
use vigie_store::Client;

/// What the collector knows of one agent's delivery.
#[derive(Debug, Clone, PartialEq)]
pub struct ChainState {
    /// Every event up to this seq is stored.
    pub last_seq: u64,
    /// Hash of the batch that ended at `last_seq`; `None` if unknown (after a crash
    /// between storing events and recording their batch), which skips one fork check.
    pub last_hash: Option<String>,
    /// The agent's cumulative drop count when it sent that batch.
    pub dropped_total: u64,
    /// Alerts for events past `last_seq` may already be stored (an earlier attempt
    /// failed half-way): check before inserting.
    pub check_alerts: bool,
    /// When the last [`Link::BelowWatermark`] alert was raised (ms; 0: never since
    /// start): one an hour is enough to tell the SOC, every batch would flood it.
    pub below_watermark_alerted_ms: u64,
}

#[derive(Row, Deserialize)]
struct LastBatch {
    last_seq: u64,
    batch_hash: String,
    dropped_total: u64,
}

impl ChainState {
    /// Rebuilds the state from what is stored. Events are the truth for how far the
    /// agent is stored; the batches table supplies the hash when it agrees.
    pub async fn load(
        client: &Client,
        agent_id: &str,
    ) -> Result<ChainState, clickhouse::error::Error> {
        let last_seq: u64 = client
            .query("SELECT max(seq) FROM events WHERE agent_id = ?")
            .bind(agent_id)
            .fetch_one()
            .await?;
        let last: Option<LastBatch> = client
            .query("SELECT last_seq, batch_hash, dropped_total FROM batches WHERE agent_id = ? ORDER BY last_seq DESC LIMIT 1")
            .bind(agent_id)
            .fetch_optional()
            .await?;
        let (last_hash, dropped_total) = match last {
            None if last_seq == 0 => (Some(GENESIS_HASH.to_string()), 0),
            Some(b) if b.last_seq == last_seq => (Some(b.batch_hash), b.dropped_total),
            Some(b) => (None, b.dropped_total),
            None => (None, 0),
        };
        Ok(ChainState {
            last_seq,
            last_hash,
            dropped_total,
            check_alerts: true,
            below_watermark_alerted_ms: 0,
        })
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
            check_alerts: false,
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
