//! The durable outbox, in ClickHouse: which stored alerts each channel is to be told,
//! and how each delivery went (`notifications`, latest row per channel and alert wins);
//! and how far the stored alerts were read (`notify_cursor`). A notice is queued
//! before its first attempt and marked only after delivery, so a crash or an outage
//! repeats a notice (with the same id) and never loses one.

use std::collections::HashSet;

use clickhouse::Row;
use serde::Deserialize;
use vigie_store::rows::NotificationRow;
use vigie_store::{Client, StoreError};

use super::message::Alert;

/// The cursor's name in `notify_cursor`.
const CURSOR: &str = "alerts";

#[derive(Row, Deserialize)]
struct Cursor {
    created_ms: u64,
}

/// How far stored alerts were read (their `created_ms`), if ever.
pub async fn cursor(client: &Client) -> Result<Option<u64>, StoreError> {
    let found: Option<Cursor> = client
        .query("SELECT created_ms FROM notify_cursor FINAL WHERE name = ?")
        .bind(CURSOR)
        .fetch_optional()
        .await?;
    Ok(found.map(|c| c.created_ms))
}

/// Records that stored alerts were read up to `created_ms`.
pub async fn save_cursor(client: &Client, created_ms: u64) -> Result<(), StoreError> {
    #[derive(Row, serde::Serialize)]
    struct Saved {
        name: String,
        created_ms: u64,
        updated_ms: u64,
    }
    let row = Saved {
        name: CURSOR.into(),
        created_ms,
        updated_ms: vigie_model::event::now_ms(),
    };
    vigie_store::insert_rows(client, "notify_cursor", std::slice::from_ref(&row)).await
}

/// The columns of `alerts` a notice tells.
const ALERT_COLUMNS: &str = "alert_id, ts, created_ms, agent_id, hostname, rule_id, \
    rule_title, rule_title_fr, severity, tags, summary, summary_fr, target";

/// Alerts stored from `since_ms` on, oldest first, at most `limit`.
pub async fn stored_since(
    client: &Client,
    since_ms: u64,
    limit: u64,
) -> Result<Vec<Alert>, StoreError> {
    Ok(client
        .query(&format!(
            "SELECT {ALERT_COLUMNS} FROM alerts WHERE created_ms >= ? \
             ORDER BY created_ms, alert_id LIMIT ?"
        ))
        .bind(since_ms)
        .bind(limit)
        .fetch_all()
        .await?)
}

/// The alerts `ids`.
pub async fn alerts(client: &Client, ids: &[String]) -> Result<Vec<Alert>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(client
        .query(&format!(
            "SELECT {ALERT_COLUMNS} FROM alerts WHERE has(?, alert_id) LIMIT 1 BY alert_id"
        ))
        .bind(ids)
        .fetch_all()
        .await?)
}

#[derive(Row, Deserialize)]
struct Queued {
    channel: String,
    alert_id: String,
}

/// Which of `ids` are already in the outbox, as `(channel, alert_id)`.
pub async fn queued(
    client: &Client,
    ids: &[String],
) -> Result<HashSet<(String, String)>, StoreError> {
    if ids.is_empty() {
        return Ok(HashSet::new());
    }
    let rows: Vec<Queued> = client
        .query("SELECT DISTINCT channel, alert_id FROM notifications WHERE has(?, alert_id)")
        .bind(ids)
        .fetch_all()
        .await?;
    Ok(rows.into_iter().map(|q| (q.channel, q.alert_id)).collect())
}

/// Pending notices due at `now_ms`, oldest first, at most `limit`.
pub async fn due(
    client: &Client,
    now_ms: u64,
    limit: u64,
) -> Result<Vec<NotificationRow>, StoreError> {
    Ok(client
        .query(
            "SELECT ?fields FROM notifications FINAL WHERE state = 'pending' AND next_ms <= ? \
             ORDER BY created_ms, alert_id LIMIT ?",
        )
        .bind(now_ms)
        .bind(limit)
        .fetch_all()
        .await?)
}

/// A channel that keeps failing.
#[derive(Debug, Clone, Row, Deserialize)]
pub struct Failing {
    /// Its name.
    pub channel: String,
    /// When its oldest notice that failed was queued: about when the outage began.
    pub since_ms: u64,
    /// Notices waiting that failed at least once.
    pub waiting: u64,
    /// The latest error.
    pub last_error: String,
}

/// Channels whose oldest notice that failed was queued before `since_ms` and is still
/// undelivered.
pub async fn failing(client: &Client, since_ms: u64) -> Result<Vec<Failing>, StoreError> {
    Ok(client
        .query(
            "SELECT channel, min(created_ms) AS since_ms, count() AS waiting, \
             argMax(last_error, updated_ms) AS last_error \
             FROM notifications FINAL WHERE state = 'pending' AND attempts >= 1 \
             GROUP BY channel HAVING since_ms <= ?",
        )
        .bind(since_ms)
        .fetch_all()
        .await?)
}

/// Which of `ids` are stored alerts.
pub async fn existing_alerts(
    client: &Client,
    ids: &[String],
) -> Result<HashSet<String>, StoreError> {
    #[derive(Row, Deserialize)]
    struct Id {
        alert_id: String,
    }
    let rows: Vec<Id> = client
        .query("SELECT alert_id FROM alerts WHERE has(?, alert_id)")
        .bind(ids)
        .fetch_all()
        .await?;
    Ok(rows.into_iter().map(|r| r.alert_id).collect())
}

/// Writes `rows` (new notices, or new states of old ones).
pub async fn write(client: &Client, rows: &[NotificationRow]) -> Result<(), StoreError> {
    if rows.is_empty() {
        return Ok(());
    }
    vigie_store::insert_rows(client, "notifications", rows).await
}

#[derive(Row, Deserialize)]
struct AgentGroup {
    agent_id: String,
    group_name: String,
}

/// Each agent's group.
pub async fn groups(
    client: &Client,
) -> Result<std::collections::HashMap<String, String>, StoreError> {
    let rows: Vec<AgentGroup> = client
        .query("SELECT agent_id, group_name FROM agent_groups FINAL")
        .fetch_all()
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| (r.agent_id, r.group_name))
        .collect())
}
