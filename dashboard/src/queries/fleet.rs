//! The fleet: every agent with what its own reports say — system, version, when last
//! seen, events per minute, spool backlog and losses — and whether it has gone silent.

use clickhouse::Row;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use vigie_store::rows::AgentRow;
use vigie_store::Client;

/// One agent as the fleet page shows it.
#[derive(Debug, Clone, Serialize)]
pub struct AgentStatus {
    /// Id.
    pub agent_id: String,
    /// Host name.
    pub hostname: String,
    /// Operating system, from its latest inventory.
    pub os: String,
    /// Kernel.
    pub kernel: String,
    /// Agent version.
    pub version: String,
    /// Enrolled (ms).
    pub first_seen_ms: u64,
    /// Last heard from (ms).
    pub last_seen_ms: u64,
    /// Events per minute over the last five minutes.
    pub events_per_minute: f64,
    /// Events waiting in its disk spool (latest health report).
    pub spool_backlog: u64,
    /// Events it dropped before sending (spool full, corrupt, refused).
    pub dropped: u64,
    /// What its sensors could not keep up with (packets, processes, file queue).
    pub sensor_losses: u64,
    /// Where its process events come from (`ebpf`, `connector`, `polling`, `off`;
    /// empty before its first health report).
    pub process_source: String,
    /// Silent longer than allowed.
    pub silent: bool,
    /// Revoked: its batches are refused.
    pub revoked: bool,
    /// Its group of remote settings.
    pub group: String,
    /// The version of its group's settings it runs (latest health report; 0: none).
    pub settings_version: u64,
    /// The group's latest version (0: none set).
    pub group_version: u64,
}

#[derive(Row, Deserialize)]
struct Count {
    agent_id: String,
    count: u64,
}

#[derive(Row, Deserialize)]
struct Latest {
    agent_id: String,
    fields: String,
}

fn sum(fields: &Map<String, Value>, names: &[&str]) -> u64 {
    names
        .iter()
        .filter_map(|n| fields.get(*n).and_then(Value::as_u64))
        .sum()
}

fn text(fields: &Map<String, Value>, name: &str) -> String {
    fields
        .get(name)
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string()
}

async fn latest(
    client: &Client,
    category: &str,
    since_day: &str,
) -> Result<Vec<(String, Map<String, Value>)>, clickhouse::error::Error> {
    let rows: Vec<Latest> = client
        .query(
            "SELECT agent_id, argMax(fields, ts) FROM events \
             WHERE date >= toDate(?) AND category = ? GROUP BY agent_id",
        )
        .bind(since_day)
        .bind(category)
        .fetch_all()
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| Some((r.agent_id, serde_json::from_str(&r.fields).ok()?)))
        .collect())
}

/// Every agent, by host name. `silent_after_ms` without news makes one silent.
pub async fn agents(
    client: &Client,
    now_ms: u64,
    silent_after_ms: u64,
) -> Result<Vec<AgentStatus>, clickhouse::error::Error> {
    let registry: Vec<AgentRow> = client
        .query("SELECT ?fields FROM agents FINAL ORDER BY hostname, agent_id")
        .fetch_all()
        .await?;
    let day = |ms: u64| vigie_model::time::day(ms);
    let window = 5 * 60_000;
    let counts: Vec<Count> = client
        .query(
            "SELECT agent_id, count() FROM events WHERE date >= toDate(?) AND received_ms >= ? \
             GROUP BY agent_id",
        )
        .bind(day(now_ms - window))
        .bind(now_ms - window)
        .fetch_all()
        .await?;
    // Health comes every minute; inventory at start and every six hours.
    let health = latest(client, "agent_health", &day(now_ms - 86_400_000)).await?;
    let inventory = latest(client, "host_inventory", &day(now_ms - 7 * 86_400_000)).await?;
    let members = crate::queries::agent_settings::memberships(client).await?;
    let versions = crate::queries::agent_settings::groups(client)
        .await
        .map_err(|e| clickhouse::error::Error::Custom(e.to_string()))?;
    Ok(registry
        .into_iter()
        .map(|a| {
            let h = health
                .iter()
                .find(|(id, _)| *id == a.agent_id)
                .map(|(_, f)| f);
            let inv = inventory
                .iter()
                .find(|(id, _)| *id == a.agent_id)
                .map(|(_, f)| f);
            let count = counts
                .iter()
                .find(|c| c.agent_id == a.agent_id)
                .map_or(0, |c| c.count);
            let group = members.iter().find(|m| m.agent_id == a.agent_id).map_or(
                crate::queries::agent_settings::DEFAULT_GROUP.to_string(),
                |m| m.group_name.clone(),
            );
            AgentStatus {
                group_version: versions
                    .iter()
                    .find(|v| v.group_name == group)
                    .map_or(0, |v| v.version),
                settings_version: h.map_or(0, |f| sum(f, &["ConfigVersion"])),
                group,
                os: inv.map(|f| text(f, "Os")).unwrap_or_default(),
                kernel: inv.map(|f| text(f, "Kernel")).unwrap_or_default(),
                version: h
                    .map(|f| text(f, "AgentVersion"))
                    .filter(|v| !v.is_empty())
                    .unwrap_or_else(|| a.version.clone()),
                events_per_minute: count as f64 / 5.0,
                spool_backlog: h.map_or(0, |f| sum(f, &["SpoolBacklogEvents"])),
                dropped: h.map_or(0, |f| {
                    sum(
                        f,
                        &["DroppedSpoolFull", "DroppedCorrupt", "DroppedRejected"],
                    )
                }),
                sensor_losses: h.map_or(0, |f| {
                    sum(
                        f,
                        &[
                            "NetworkPacketsDropped",
                            "ProcessLost",
                            "FimQueueOverflows",
                            "NetworkFlowsEvicted",
                            "LogFilesLost",
                            "ReadsLost",
                        ],
                    )
                }),
                // A health report without a process source: the sensor is off.
                process_source: h
                    .map(|f| Some(text(f, "ProcessMode")).filter(|m| !m.is_empty()))
                    .map(|m| m.unwrap_or_else(|| "off".to_string()))
                    .unwrap_or_default(),
                silent: a.revoked == 0 && now_ms.saturating_sub(a.last_seen_ms) > silent_after_ms,
                revoked: a.revoked != 0,
                agent_id: a.agent_id,
                hostname: a.hostname,
                first_seen_ms: a.first_seen_ms,
                last_seen_ms: a.last_seen_ms,
            }
        })
        .collect())
}

/// Revokes agent `agent_id`: the collector refuses its batches from its next registry
/// refresh (seconds). False when there is no such agent.
pub async fn revoke(client: &Client, agent_id: &str) -> Result<bool, vigie_store::StoreError> {
    vigie_store::update_latest(
        client,
        "agents",
        "agent_id",
        agent_id,
        |row: &mut AgentRow| {
            row.revoked = 1;
            true
        },
    )
    .await
}
