//! The audit trail: every action of a person or an administrator process, as rows of
//! `audit_log` forming hash chains. Each writer (the dashboard, the collector, the
//! command line) keeps a chain of its own, so one process's rows never race another's:
//! a row carries its chain, a sequence number, the SHA-256 of the previous row of its
//! chain, and the SHA-256 of its own content and that link. [`verify`] walks a chain and
//! names the first row altered, deleted or inserted. Retention drops old partitions only
//! after writing, in the collector's chain, a checkpoint row per chain that anchors what
//! remains of it (the checkpoint is itself chained, so it cannot be forged unseen).

use clickhouse::Row;
use serde::{Deserialize, Serialize};
use tokio::sync::Mutex;
use vigie_model::i18n::{self, Msg};

use crate::{Client, StoreError};

/// The `prev_hash` of a chain's first row.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";
/// The action of retention checkpoints.
pub const CHECKPOINT: &str = "retention_checkpoint";

/// A row of `audit_log`.
#[derive(Debug, Clone, PartialEq, Row, Serialize, Deserialize)]
pub struct AuditRow {
    /// Day of `ts`: the partition (retention drops whole months).
    pub date: u16,
    /// The writer's chain: `dashboard`, `collector`, `cli`.
    pub chain: String,
    /// Position in the chain, from 1, without gaps.
    pub seq: u64,
    /// When (ms).
    pub ts: u64,
    /// Who: a user name, or the process for automatic actions.
    pub actor: String,
    /// What: `login`, `login_failed`, `triage`, `user_created`…
    pub action: String,
    /// On what: an alert, a user, an agent, a file…
    pub target: String,
    /// The rest, as JSON.
    pub details: String,
    /// `hash` of the previous row of the chain ([`GENESIS`] for the first).
    pub prev_hash: String,
    /// SHA-256 of this row's content and `prev_hash`.
    pub hash: String,
}

impl AuditRow {
    /// The hash this row must carry: SHA-256 over every field but `hash` and `date`,
    /// each preceded by its length so that no two rows share an encoding.
    pub fn expected_hash(&self) -> String {
        let mut text = String::from("vigie-audit-v1");
        for field in [
            self.chain.as_str(),
            &self.seq.to_string(),
            &self.ts.to_string(),
            &self.actor,
            &self.action,
            &self.target,
            &self.details,
            &self.prev_hash,
        ] {
            text.push_str(&format!("\n{}:{field}", field.len()));
        }
        vigie_model::hex::sha256(text.as_bytes())
    }
}

/// Appends to one chain. Rows are written one at a time, in order, under a lock.
pub struct AuditLog {
    client: Client,
    chain: String,
    /// The last row's sequence number and hash.
    tip: Mutex<(u64, String)>,
}

#[derive(Row, Deserialize)]
struct Tip {
    seq: u64,
    hash: String,
}

impl AuditLog {
    /// Opens chain `chain`, continuing from its last stored row.
    pub async fn open(client: Client, chain: &str) -> Result<AuditLog, StoreError> {
        let tip: Option<Tip> = client
            .query("SELECT seq, hash FROM audit_log WHERE chain = ? ORDER BY seq DESC LIMIT 1")
            .bind(chain)
            .fetch_optional()
            .await?;
        let tip = tip.map_or((0, GENESIS.to_string()), |t| (t.seq, t.hash));
        Ok(AuditLog {
            client,
            chain: chain.to_string(),
            tip: Mutex::new(tip),
        })
    }

    /// Records that `actor` did `action` on `target`; `details` is any JSON.
    pub async fn record(
        &self,
        actor: &str,
        action: &str,
        target: &str,
        details: serde_json::Value,
    ) -> Result<AuditRow, StoreError> {
        let mut tip = self.tip.lock().await;
        let ts = vigie_model::event::now_ms();
        let mut row = AuditRow {
            date: crate::date_of(ts),
            chain: self.chain.clone(),
            seq: tip.0 + 1,
            ts,
            actor: actor.to_string(),
            action: action.to_string(),
            target: target.to_string(),
            details: details.to_string(),
            prev_hash: tip.1.clone(),
            hash: String::new(),
        };
        row.hash = row.expected_hash();
        crate::insert_rows(&self.client, "audit_log", std::slice::from_ref(&row)).await?;
        *tip = (row.seq, row.hash.clone());
        Ok(row)
    }

    /// Like [`AuditLog::record`], logging instead of failing: an action already done
    /// must not be undone because its trail could not be written, but it is said.
    pub async fn note(&self, actor: &str, action: &str, target: &str, details: serde_json::Value) {
        if let Err(e) = self.record(actor, action, target, details).await {
            tracing::error!(error = %e, actor, action, target, "audit trail not written");
        }
    }
}

/// What a walk of a chain found.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// Every row is in place.
    Intact {
        /// Rows checked.
        rows: u64,
        /// First sequence number (above 1 when retention dropped older rows).
        first_seq: u64,
    },
    /// The first problem found.
    Broken {
        /// The row concerned.
        seq: u64,
        /// What is wrong, in English.
        reason: String,
        /// The same in French.
        reason_fr: String,
    },
}

/// The chains present in `audit_log`.
pub async fn chains(client: &Client) -> Result<Vec<String>, StoreError> {
    #[derive(Row, Deserialize)]
    struct Name {
        chain: String,
    }
    let names: Vec<Name> = client
        .query("SELECT DISTINCT chain FROM audit_log ORDER BY chain")
        .fetch_all()
        .await?;
    Ok(names.into_iter().map(|n| n.chain).collect())
}

/// Walks chain `chain` and names the first row altered, deleted or inserted.
pub async fn verify(client: &Client, chain: &str) -> Result<Verdict, StoreError> {
    let rows: Vec<AuditRow> = client
        .query("SELECT ?fields FROM audit_log WHERE chain = ? ORDER BY seq, ts")
        .bind(chain)
        .fetch_all()
        .await?;
    let checkpoints: Vec<AuditRow> = client
        .query("SELECT ?fields FROM audit_log WHERE action = ? ORDER BY chain, seq")
        .bind(CHECKPOINT)
        .fetch_all()
        .await?;
    Ok(walk(&rows, &checkpoints))
}

/// The details of a checkpoint saying chain `chain` was dropped through `seq`, its
/// next row linking to `next_prev_hash`.
pub fn checkpoint_details(chain: &str, seq: u64, next_prev_hash: &str) -> serde_json::Value {
    serde_json::json!({
        "chain": chain,
        "dropped_through_seq": seq,
        "next_prev_hash": next_prev_hash,
    })
}

fn broken(seq: u64, msg: Msg, values: &[(&str, &dyn std::fmt::Display)]) -> Verdict {
    let (reason, reason_fr) = i18n::both(msg, values);
    Verdict::Broken {
        seq,
        reason,
        reason_fr,
    }
}

/// Checks rows of one chain, sorted by sequence number; `checkpoints` are the retention
/// checkpoints of every chain (those naming this chain may anchor its first row).
pub fn walk(rows: &[AuditRow], checkpoints: &[AuditRow]) -> Verdict {
    let Some(first) = rows.first() else {
        return Verdict::Intact {
            rows: 0,
            first_seq: 0,
        };
    };
    // Where the chain may start: its beginning, or where a retention checkpoint says
    // older rows were dropped.
    if first.seq != 1 || first.prev_hash != GENESIS {
        let anchored = checkpoints.iter().any(|r| {
            r.action == CHECKPOINT
                && r.hash == r.expected_hash()
                && serde_json::from_str::<serde_json::Value>(&r.details).is_ok_and(|d| {
                    d["chain"].as_str() == Some(first.chain.as_str())
                        && d["dropped_through_seq"].as_u64() == Some(first.seq - 1)
                        && d["next_prev_hash"].as_str() == Some(first.prev_hash.as_str())
                })
        });
        if !anchored {
            return broken(
                first.seq.saturating_sub(1).max(1),
                Msg::AuditRowsMissingBefore,
                &[("seq", &first.seq)],
            );
        }
    }
    let mut previous: Option<&AuditRow> = None;
    for row in rows {
        if row.hash != row.expected_hash() {
            return broken(row.seq, Msg::AuditRowAltered, &[("seq", &row.seq)]);
        }
        if let Some(prev) = previous {
            if row.seq == prev.seq {
                return broken(row.seq, Msg::AuditSeqTwice, &[("seq", &row.seq)]);
            }
            if row.seq > prev.seq + 1 {
                return broken(
                    prev.seq + 1,
                    Msg::AuditRowsMissing,
                    &[("from", &(prev.seq + 1)), ("to", &(row.seq - 1))],
                );
            }
            if row.prev_hash != prev.hash {
                return broken(
                    row.seq,
                    Msg::AuditRowNotFollowing,
                    &[("seq", &row.seq), ("prev", &prev.seq)],
                );
            }
        }
        previous = Some(row);
    }
    Verdict::Intact {
        rows: rows.len() as u64,
        first_seq: first.seq,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: u64) -> Vec<AuditRow> {
        let mut rows: Vec<AuditRow> = Vec::new();
        for seq in 1..=n {
            let mut row = AuditRow {
                date: 0,
                chain: "dashboard".into(),
                seq,
                ts: 1000 + seq,
                actor: "ana".into(),
                action: "triage".into(),
                target: format!("alert{seq}"),
                details: "{}".into(),
                prev_hash: rows.last().map_or(GENESIS.to_string(), |r| r.hash.clone()),
                hash: String::new(),
            };
            row.hash = row.expected_hash();
            rows.push(row);
        }
        rows
    }

    fn broken_at(v: Verdict) -> u64 {
        match v {
            Verdict::Broken { seq, .. } => seq,
            other => panic!("intact: {other:?}"),
        }
    }

    #[test]
    fn an_intact_chain_verifies() {
        assert_eq!(
            walk(&chain(5), &[]),
            Verdict::Intact {
                rows: 5,
                first_seq: 1
            }
        );
    }

    #[test]
    fn the_first_altered_deleted_or_inserted_row_is_named() {
        let mut altered = chain(5);
        altered[2].target = "alert99".into();
        assert_eq!(broken_at(walk(&altered, &[])), 3);

        let mut deleted = chain(5);
        deleted.remove(3);
        assert_eq!(broken_at(walk(&deleted, &[])), 4);

        let mut inserted = chain(5);
        let mut forged = inserted[2].clone();
        forged.actor = "mallory".into();
        forged.hash = forged.expected_hash();
        inserted.insert(3, forged);
        assert_eq!(broken_at(walk(&inserted, &[])), 3);

        // A rewritten row with a fresh hash still breaks the next link.
        let mut rewritten = chain(5);
        rewritten[1].actor = "mallory".into();
        rewritten[1].hash = rewritten[1].expected_hash();
        assert_eq!(broken_at(walk(&rewritten, &[])), 3);

        let headless = chain(5)[2..].to_vec();
        assert_eq!(broken_at(walk(&headless, &[])), 2);
    }

    #[test]
    fn a_checkpoint_anchors_what_retention_kept() {
        let rows = chain(5);
        let mut checkpoint = AuditRow {
            date: 0,
            chain: "collector".into(),
            seq: 9,
            ts: 2000,
            actor: "collector".into(),
            action: CHECKPOINT.into(),
            target: "audit_log".into(),
            details: checkpoint_details("dashboard", 2, &rows[2].prev_hash).to_string(),
            prev_hash: "elsewhere".into(),
            hash: String::new(),
        };
        checkpoint.hash = checkpoint.expected_hash();
        let kept = rows[2..].to_vec();
        assert_eq!(
            walk(&kept, std::slice::from_ref(&checkpoint)),
            Verdict::Intact {
                rows: 3,
                first_seq: 3
            }
        );
        // A forged checkpoint (its hash does not match its content) anchors nothing.
        let mut forged = checkpoint.clone();
        forged.details = checkpoint_details("dashboard", 2, &rows[2].prev_hash).to_string() + " ";
        assert_eq!(broken_at(walk(&kept, &[forged])), 2);
    }
}
