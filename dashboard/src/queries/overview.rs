//! The overview's figures: alerts over time by severity, top rules and hosts, events per
//! second by category, and agent states — each one ClickHouse query.

use clickhouse::Row;
use serde::{Deserialize, Serialize};
use vigie_store::Client;

use vigie_model::Severity;

/// Everything the overview shows.
#[derive(Debug, Serialize)]
pub struct Overview {
    /// Start of the period (ms).
    pub from_ms: u64,
    /// Length of a bucket (ms).
    pub bucket_ms: u64,
    /// Per bucket start: alerts per severity (in [`Severity::ALL`] order).
    pub alerts_over_time: Vec<(u64, Vec<u64>)>,
    /// Rules with the most alerts: id, title, French title, count.
    pub top_rules: Vec<(String, String, String, u64)>,
    /// Hosts with the most alerts.
    pub top_hosts: Vec<(String, u64)>,
    /// Events per second by category over the last five minutes.
    pub events_per_second: Vec<(String, f64)>,
    /// Agents reporting, silent, revoked.
    pub agents: (usize, usize, usize),
    /// Each notification channel's outbox.
    pub notifications: Vec<ChannelState>,
}

/// How a notification channel's outbox stands.
#[derive(Debug, Clone, Row, Deserialize, serde::Serialize)]
pub struct ChannelState {
    /// The channel's name.
    pub channel: String,
    /// Alerts told one by one.
    pub sent: u64,
    /// Alerts told within a digest.
    pub digested: u64,
    /// Alerts waiting to be told.
    pub waiting: u64,
    /// Of those, how many failed at least once (the channel is down or refuses).
    pub failing: u64,
    /// Since when the oldest waits (ms; 0 when none waits).
    pub oldest_waiting_ms: u64,
    /// The latest delivery error.
    pub last_error: String,
}

#[derive(Row, Deserialize)]
struct Bucket {
    bucket: u64,
    severity: String,
    count: u64,
}

#[derive(Row, Deserialize)]
struct RuleCount {
    rule_id: String,
    title: String,
    title_fr: String,
    count: u64,
}

#[derive(Row, Deserialize)]
struct KeyCount {
    key: String,
    count: u64,
}

/// The overview of the `hours` before `now_ms`.
pub async fn load(
    client: &Client,
    now_ms: u64,
    hours: u64,
    silent_after_ms: u64,
) -> Result<Overview, clickhouse::error::Error> {
    let bucket_ms = if hours <= 48 { 3_600_000 } else { 86_400_000 };
    let from_ms = (now_ms.saturating_sub(hours * 3_600_000) / bucket_ms) * bucket_ms;
    let rows: Vec<Bucket> = client
        .query(
            "SELECT intDiv(ts, ?) * ? AS bucket, severity, count() FROM alerts \
             WHERE ts >= ? GROUP BY bucket, severity",
        )
        .bind(bucket_ms)
        .bind(bucket_ms)
        .bind(from_ms)
        .fetch_all()
        .await?;
    let mut alerts_over_time: Vec<(u64, Vec<u64>)> = (from_ms..=now_ms)
        .step_by(bucket_ms as usize)
        .map(|b| (b, vec![0; Severity::ALL.len()]))
        .collect();
    for r in rows {
        let (Some(slot), Some(s)) = (
            alerts_over_time.iter_mut().find(|(b, _)| *b == r.bucket),
            Severity::ALL.iter().position(|s| s.as_str() == r.severity),
        ) else {
            continue;
        };
        slot.1[s] += r.count;
    }
    let top_rules: Vec<RuleCount> = client
        .query(
            "SELECT rule_id, any(rule_title), any(rule_title_fr), count() AS n FROM alerts \
             WHERE ts >= ? GROUP BY rule_id ORDER BY n DESC, rule_id LIMIT 10",
        )
        .bind(from_ms)
        .fetch_all()
        .await?;
    let top_hosts: Vec<KeyCount> = client
        .query(
            "SELECT hostname, count() AS n FROM alerts WHERE ts >= ? \
             GROUP BY hostname ORDER BY n DESC, hostname LIMIT 10",
        )
        .bind(from_ms)
        .fetch_all()
        .await?;
    let window_ms = 5 * 60_000;
    let recent: Vec<KeyCount> = client
        .query(
            "SELECT category, count() AS n FROM events WHERE date >= toDate(?) AND received_ms >= ? \
             GROUP BY category ORDER BY n DESC, category",
        )
        .bind(vigie_model::time::day(now_ms - window_ms))
        .bind(now_ms - window_ms)
        .fetch_all()
        .await?;
    let notifications: Vec<ChannelState> = client
        .query(
            "SELECT channel, countIf(state = 'sent'), countIf(state = 'digested'), \
             countIf(state = 'pending'), countIf(state = 'pending' AND attempts > 0), \
             minIf(created_ms, state = 'pending'), argMaxIf(last_error, updated_ms, last_error != '') \
             FROM notifications FINAL GROUP BY channel ORDER BY channel",
        )
        .fetch_all()
        .await?;
    let fleet = crate::queries::fleet::agents(client, now_ms, silent_after_ms).await?;
    let silent = fleet.iter().filter(|a| a.silent).count();
    let revoked = fleet.iter().filter(|a| a.revoked).count();
    Ok(Overview {
        from_ms,
        bucket_ms,
        alerts_over_time,
        top_rules: top_rules
            .into_iter()
            .map(|r| (r.rule_id, r.title, r.title_fr, r.count))
            .collect(),
        top_hosts: top_hosts.into_iter().map(|h| (h.key, h.count)).collect(),
        events_per_second: recent
            .into_iter()
            .map(|c| (c.key, c.count as f64 / (window_ms / 1000) as f64))
            .collect(),
        agents: (fleet.len() - silent - revoked, silent, revoked),
        notifications,
    })
}
