//! Retention: old data goes by whole partitions, and only partitions whose newest day is
//! older than the table's retention — so nothing inside its retention is ever dropped.
//! Before audit rows go, a checkpoint per chain is written in the collector's chain: the
//! last sequence number dropped and the link of the first row kept, so the chains stay
//! verifiable.

use clickhouse::Row;
use serde::Deserialize;

use crate::audit::{self, AuditLog};
use crate::{Client, StoreError, DATABASE};

/// Days each table keeps (0: forever).
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Retention {
    /// Every event (the bulk): short.
    pub events_days: u32,
    /// Batch records (transport bookkeeping).
    pub batches_days: u32,
    /// Alerts: long.
    pub alerts_days: u32,
    /// Triage history: as long as the alerts.
    pub alert_actions_days: u32,
    /// Audit trail: longest.
    pub audit_days: u32,
}

impl Default for Retention {
    fn default() -> Retention {
        Retention {
            events_days: 90,
            batches_days: 90,
            alerts_days: 730,
            alert_actions_days: 730,
            audit_days: 1825,
        }
    }
}

impl Retention {
    /// Each table with its retention.
    pub fn tables(&self) -> [(&'static str, u32); 7] {
        [
            ("events", self.events_days),
            ("batches", self.batches_days),
            ("alerts", self.alerts_days),
            // What exceptions held back is kept as long as the alerts it would have been.
            ("suppressed", self.alerts_days),
            ("notifications", self.alerts_days),
            ("alert_actions", self.alert_actions_days),
            ("audit_log", self.audit_days),
        ]
    }
}

#[derive(Debug, Row, Deserialize)]
struct Partition {
    partition_id: String,
    newest_day: u16,
}

/// A partition dropped: its table and id.
#[derive(Debug, Clone, PartialEq)]
pub struct Dropped {
    /// Table.
    pub table: &'static str,
    /// Partition id (`20261128`, `202611`).
    pub partition: String,
}

async fn expired(
    client: &Client,
    table: &str,
    cutoff_day: u16,
) -> Result<Vec<Partition>, StoreError> {
    Ok(client
        .query(
            "SELECT partition_id, max(max_date) AS newest FROM system.parts \
             WHERE database = ? AND table = ? AND active GROUP BY partition_id \
             HAVING newest < toDate(?) ORDER BY partition_id",
        )
        .bind(DATABASE)
        .bind(table)
        .bind(vigie_model::time::day(u64::from(cutoff_day) * 86_400_000))
        .fetch_all()
        .await?)
}

#[derive(Row, Deserialize)]
struct Last {
    chain: String,
    seq: u64,
    hash: String,
}

/// Writes, in `log` (the collector's chain), one checkpoint per chain with rows in the
/// audit partitions about to go.
async fn checkpoint(
    client: &Client,
    log: &AuditLog,
    partitions: &[Partition],
) -> Result<(), StoreError> {
    let ids: Vec<String> = partitions.iter().map(|p| p.partition_id.clone()).collect();
    let last: Vec<Last> = client
        .query(
            "SELECT chain, max(seq) AS last, argMax(hash, seq) FROM audit_log \
             WHERE has(?, toString(toYYYYMM(date))) GROUP BY chain ORDER BY chain",
        )
        .bind(ids.as_slice())
        .fetch_all()
        .await?;
    for l in last {
        log.record(
            "collector",
            audit::CHECKPOINT,
            "audit_log",
            audit::checkpoint_details(&l.chain, l.seq, &l.hash),
        )
        .await?;
    }
    Ok(())
}

/// Drops every partition past its table's retention, as of day `today` (days since the
/// epoch); returns what went. `log` receives the audit checkpoints.
pub async fn apply(
    client: &Client,
    retention: &Retention,
    today: u16,
    log: &AuditLog,
) -> Result<Vec<Dropped>, StoreError> {
    let mut dropped = Vec::new();
    for (table, days) in retention.tables() {
        if days == 0 {
            continue;
        }
        let cutoff = today.saturating_sub(days.min(u16::MAX as u32) as u16);
        let partitions = expired(client, table, cutoff).await?;
        if partitions.is_empty() {
            continue;
        }
        if table == "audit_log" {
            checkpoint(client, log, &partitions).await?;
        }
        for p in partitions {
            client
                .query(&format!("ALTER TABLE {table} DROP PARTITION ID ?"))
                .bind(p.partition_id.as_str())
                .execute()
                .await?;
            tracing::info!(
                table,
                partition = p.partition_id,
                newest_day = p.newest_day,
                "retention: partition dropped"
            );
            // Signed in the collector's chain: verification tells rows retention
            // dropped from rows someone deleted.
            log.record(
                "collector",
                audit::RETENTION_DROPPED,
                table,
                serde_json::json!({"partition": p.partition_id, "newest_day": p.newest_day}),
            )
            .await?;
            dropped.push(Dropped {
                table,
                partition: p.partition_id,
            });
        }
    }
    Ok(dropped)
}
