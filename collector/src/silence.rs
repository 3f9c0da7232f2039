//! Silent agents: every agent reports its health every minute, so one that has sent
//! nothing for `agent_silent_minutes` is down, cut off or stopped. The collector raises
//! one alert per silence (its id is made from the agent and the time it was last seen,
//! so a restart of the collector does not raise it twice).

use std::time::Duration;

use clickhouse::Row;
use serde::Deserialize;
use vigie_store::rows::AgentRow;
use vigie_store::Client;

use crate::detect;

/// How often agents are checked.
pub const CHECK_EVERY: Duration = Duration::from_secs(30);

#[derive(Row, Deserialize)]
struct Id {
    alert_id: String,
}

/// Raises an alert for each agent silent longer than `silent_after` that has none yet.
/// Returns how many were raised.
pub async fn check(
    client: &Client,
    silent_after: Duration,
    now_ms: u64,
) -> Result<usize, clickhouse::error::Error> {
    let agents: Vec<AgentRow> = client
        .query("SELECT ?fields FROM agents FINAL WHERE revoked = 0 AND last_seen_ms < ?")
        .bind(now_ms.saturating_sub(silent_after.as_millis() as u64))
        .fetch_all()
        .await?;
    if agents.is_empty() {
        return Ok(0);
    }
    let alerts: Vec<_> = agents
        .iter()
        .map(|a| detect::silence_alert(a, now_ms))
        .collect();
    let ids: Vec<String> = alerts.iter().map(|a| a.alert_id.clone()).collect();
    let raised: Vec<Id> = client
        .query("SELECT alert_id FROM alerts WHERE has(?, alert_id)")
        .bind(ids.as_slice())
        .fetch_all()
        .await?;
    let new: Vec<_> = alerts
        .into_iter()
        .filter(|a| !raised.iter().any(|r| r.alert_id == a.alert_id))
        .collect();
    for alert in &new {
        tracing::warn!(
            agent = alert.agent_id,
            host = alert.hostname,
            "agent silent"
        );
    }
    vigie_store::insert_rows(client, "alerts", &new)
        .await
        .map_err(|e| match e {
            vigie_store::StoreError::ClickHouse(e) => e,
            other => clickhouse::error::Error::Custom(other.to_string()),
        })?;
    Ok(new.len())
}
