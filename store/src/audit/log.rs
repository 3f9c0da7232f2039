//! Appending to one chain: rows hashed, signed and written one at a time, in order,
//! under a lock, the tip kept outside the database after each.

use clickhouse::Row;
use serde::Deserialize;
use tokio::sync::Mutex;

use super::anchor::{row_message, signature_valid, AuditDir, Signer};
use super::{AuditRow, GENESIS, SIGNING_STARTED};
use crate::{Client, StoreError};

/// Appends to one chain.
pub struct AuditLog {
    client: Client,
    signer: Signer,
    /// The last row's sequence number and hash.
    tip: Mutex<(u64, String)>,
}

#[derive(Row, Deserialize)]
struct Stored {
    seq: u64,
    prev_hash: String,
    hash: String,
    signature: String,
}

impl AuditLog {
    /// Opens chain `chain`, its key and tip in `dir`. It continues from the tip kept
    /// there, or from a row after it that this key signed and that links to it (a row
    /// written just before a crash, whose tip was not yet kept) — never from whatever
    /// the database shows last: a chain cut short there stays cut short, a gap
    /// [`super::verify`] names, and a forged last row is not built upon.
    pub async fn open(client: Client, dir: &AuditDir, chain: &str) -> Result<AuditLog, StoreError> {
        let signer = dir.signer(chain)?;
        let witnessed = signer.tip()?;
        let from = witnessed.as_ref().map_or(0, |t| t.seq);
        let stored: Vec<Stored> = client
            .query(
                "SELECT seq, prev_hash, hash, signature FROM audit_log \
                 WHERE chain = ? AND seq >= ? ORDER BY seq",
            )
            .bind(chain)
            .bind(from)
            .fetch_all()
            .await?;
        let mut tip = witnessed
            .as_ref()
            .map_or((0, GENESIS.to_string()), |t| (t.seq, t.hash.clone()));
        let (mut legacy, mut signed_seen) = (false, false);
        for row in &stored {
            if row.seq != tip.0 + 1 || row.prev_hash != tip.1 {
                continue;
            }
            if row.signature.is_empty() && witnessed.is_none() && !signed_seen {
                // Written before rows were signed: followed, and vouched for below.
                legacy = true;
            } else if !signature_valid(signer.public_key(), &row_message(&row.hash), &row.signature)
            {
                break;
            } else {
                signed_seen = true;
            }
            tip = (row.seq, row.hash.clone());
        }
        let last_stored = stored.last().map_or(0, |r| r.seq);
        if last_stored > tip.0 || witnessed.as_ref().is_some_and(|w| last_stored < w.seq) {
            tracing::error!(
                chain,
                continuing_from = tip.0,
                last_in_database = last_stored,
                "the audit chain in the database does not match its anchor: rows were \
                 removed or forged; verification names them"
            );
        }
        let log = AuditLog {
            client,
            signer,
            tip: Mutex::new(tip),
        };
        if legacy && !signed_seen {
            log.record(
                chain,
                SIGNING_STARTED,
                "audit_log",
                serde_json::json!({"unsigned_rows_through": log.tip.lock().await.0}),
            )
            .await?;
        }
        Ok(log)
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
            chain: self.signer.chain().to_string(),
            seq: tip.0 + 1,
            ts,
            actor: actor.to_string(),
            action: action.to_string(),
            target: target.to_string(),
            details: details.to_string(),
            prev_hash: tip.1.clone(),
            hash: String::new(),
            signature: String::new(),
        };
        row.hash = row.expected_hash();
        row.signature = self.signer.sign_row(&row.hash);
        crate::insert_rows(&self.client, "audit_log", std::slice::from_ref(&row)).await?;
        *tip = (row.seq, row.hash.clone());
        // Kept after the row is stored: a crash in between leaves a row past the tip,
        // which the next open finds signed and continues from.
        self.signer.witness(row.seq, &row.hash)?;
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
