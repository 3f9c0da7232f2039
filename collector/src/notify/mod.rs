//! Notifications: telling people and systems of alerts as they are stored — by e-mail,
//! webhook or syslog to a SIEM — routed by severity, tag and agent group, at least
//! once, and never thousands at a time.
//!
//! Every second the notifier reads the alerts stored since its cursor, queues in the
//! [`outbox`] those each channel's route takes, then delivers what is due. A delivery
//! that fails is retried later (doubling up to five minutes) and the outbox keeps it
//! across restarts; a crash between delivering and recording repeats the notice with
//! the same id. Past a channel's `max_per_minute`, what waits goes out as one digest.

pub mod config;
pub mod message;
pub mod outbox;
pub mod transport;

use std::collections::HashMap;

use vigie_model::Severity;
use vigie_store::rows::NotificationRow;
use vigie_store::Client;

use config::{ChannelConfig, NotifyConfig};
use message::{Alert, Notice};

/// How often the notifier runs.
pub const TICK: std::time::Duration = std::time::Duration::from_secs(1);
/// Alerts stored this long before the cursor are read again: a write that started
/// before the cursor moved but landed after it is not missed (the outbox knows what
/// was queued already).
const OVERLAP_MS: u64 = 60_000;
/// Alerts read per tick.
const READ_PER_TICK: u64 = 5_000;
/// Notices delivered per tick, all channels together.
const DUE_PER_TICK: u64 = 2_000;
/// Longest wait between two attempts.
const MAX_BACKOFF_MS: u64 = 300_000;
/// How often channels are checked for an outage worth an alert.
const FAILING_CHECK_EVERY: std::time::Duration = std::time::Duration::from_secs(10);

/// The notifier's state between ticks.
#[derive(Default)]
pub struct Notifier {
    /// How far stored alerts were read; `None` until loaded.
    cursor: Option<u64>,
    /// Per channel: the minute and how many messages went in it.
    sent_in_minute: HashMap<String, (u64, u32)>,
    /// When channels were last checked for an outage.
    failing_checked: Option<std::time::Instant>,
}

/// Whether `channel`'s route takes `alert` (`group`: its agent's group, if any).
pub fn routed(channel: &ChannelConfig, alert: &Alert, group: Option<&str>) -> bool {
    let severe_enough = match (
        Severity::parse(&alert.severity),
        Severity::parse(&channel.min_severity),
    ) {
        (Some(s), Some(min)) => s >= min,
        _ => false,
    };
    let tagged = channel.tags.is_empty()
        || channel.tags.iter().any(|wanted| {
            let wanted = wanted.to_ascii_lowercase();
            alert
                .tags
                .iter()
                .any(|t| t.to_ascii_lowercase().starts_with(&wanted))
        });
    let grouped =
        channel.groups.is_empty() || group.is_some_and(|g| channel.groups.iter().any(|w| w == g));
    severe_enough && tagged && grouped
}

/// A digest's id: the same for the same alerts, so a digest sent again is recognisable.
fn digest_id(ids: &[&str]) -> String {
    let mut joined = ids.to_vec();
    joined.sort_unstable();
    format!(
        "digest-{}",
        &vigie_model::hex::sha256(joined.join(",").as_bytes())[..24]
    )
}

fn queued_row(channel: &str, alert: &Alert, now_ms: u64) -> NotificationRow {
    NotificationRow {
        date: vigie_store::date_of(now_ms),
        channel: channel.into(),
        alert_id: alert.alert_id.clone(),
        alert_ms: alert.ts,
        created_ms: now_ms,
        state: "pending".into(),
        attempts: 0,
        next_ms: now_ms,
        last_error: String::new(),
        digest_id: String::new(),
        updated_ms: now_ms,
    }
}

impl Notifier {
    /// One round: queue what was stored, deliver what is due.
    pub async fn tick(&mut self, client: &Client, config: &NotifyConfig, hostname: &str) {
        if config.channels.is_empty() {
            return;
        }
        if let Err(e) = self.queue_new(client, config).await {
            tracing::warn!(error = %e, "notifications: cannot read new alerts; retried");
            return;
        }
        if let Err(e) = self.deliver_due(client, config, hostname).await {
            tracing::warn!(error = %e, "notifications: cannot read the outbox; retried");
        }
        if self
            .failing_checked
            .is_none_or(|at| at.elapsed() >= FAILING_CHECK_EVERY)
        {
            self.failing_checked = Some(std::time::Instant::now());
            if let Err(e) = raise_failing_alerts(client, config, hostname).await {
                tracing::warn!(error = %e, "notifications: cannot check for failing channels; retried");
            }
        }
    }

    /// Queues, for each channel whose route takes it, every alert stored since the
    /// cursor; then moves the cursor.
    async fn queue_new(&mut self, client: &Client, config: &NotifyConfig) -> anyhow::Result<()> {
        let now = vigie_model::event::now_ms();
        let cursor = match self.cursor {
            Some(c) => c,
            None => match outbox::cursor(client).await? {
                Some(c) => c,
                None => {
                    // First start: alerts from before notifications existed are not news.
                    outbox::save_cursor(client, now).await?;
                    now
                }
            },
        };
        self.cursor = Some(cursor);
        let alerts =
            outbox::stored_since(client, cursor.saturating_sub(OVERLAP_MS), READ_PER_TICK).await?;
        if alerts.is_empty() {
            return Ok(());
        }
        let ids: Vec<String> = alerts.iter().map(|a| a.alert_id.clone()).collect();
        let known = outbox::queued(client, &ids).await?;
        let groups = if config.channels.iter().any(|c| !c.groups.is_empty()) {
            outbox::groups(client).await?
        } else {
            HashMap::new()
        };
        let mut rows = Vec::new();
        for channel in &config.channels {
            for alert in &alerts {
                let group = groups.get(&alert.agent_id).map(String::as_str);
                if routed(channel, alert, group)
                    && !known.contains(&(channel.name.clone(), alert.alert_id.clone()))
                {
                    rows.push(queued_row(&channel.name, alert, now));
                }
            }
        }
        outbox::write(client, &rows).await?;
        let newest = alerts.iter().map(|a| a.created_ms).max().unwrap_or(cursor);
        if newest > cursor {
            outbox::save_cursor(client, newest).await?;
            self.cursor = Some(newest);
        }
        Ok(())
    }

    /// How many more messages `channel` may send this minute.
    fn budget(&mut self, channel: &ChannelConfig, minute: u64) -> u32 {
        let (m, n) = self
            .sent_in_minute
            .entry(channel.name.clone())
            .or_insert((minute, 0));
        if *m != minute {
            *m = minute;
            *n = 0;
        }
        channel.max_per_minute.saturating_sub(*n)
    }

    fn spend(&mut self, channel: &str) {
        if let Some((_, n)) = self.sent_in_minute.get_mut(channel) {
            *n += 1;
        }
    }

    /// Delivers due notices: one message each while the channel's budget lasts, else
    /// all that wait in one digest.
    async fn deliver_due(
        &mut self,
        client: &Client,
        config: &NotifyConfig,
        hostname: &str,
    ) -> anyhow::Result<()> {
        let now = vigie_model::event::now_ms();
        let due = outbox::due(client, now, DUE_PER_TICK).await?;
        if due.is_empty() {
            return Ok(());
        }
        let ids: Vec<String> = due.iter().map(|r| r.alert_id.clone()).collect();
        let alerts: HashMap<String, Alert> = outbox::alerts(client, &ids)
            .await?
            .into_iter()
            .map(|a| (a.alert_id.clone(), a))
            .collect();
        let minute = now / 60_000;
        for channel in &config.channels {
            let rows: Vec<&NotificationRow> = due
                .iter()
                .filter(|r| r.channel == channel.name && alerts.contains_key(&r.alert_id))
                .collect();
            if rows.is_empty() {
                continue;
            }
            let budget = self.budget(channel, minute);
            if budget == 0 {
                continue;
            }
            let batches: Vec<(Notice, Vec<&NotificationRow>)> = if rows.len() as u32 <= budget {
                rows.iter()
                    .map(|r| (Notice::One(Box::new(alerts[&r.alert_id].clone())), vec![*r]))
                    .collect()
            } else {
                let id = digest_id(&rows.iter().map(|r| r.alert_id.as_str()).collect::<Vec<_>>());
                let listed = rows.iter().map(|r| alerts[&r.alert_id].clone()).collect();
                vec![(Notice::Digest { id, alerts: listed }, rows.clone())]
            };
            let mut written = Vec::new();
            for (notice, rows) in batches {
                let outcome =
                    transport::deliver(channel, &notice, &config.dashboard_url, hostname).await;
                let now = vigie_model::event::now_ms();
                if outcome.is_ok() {
                    // Only what reached someone counts against the rate limit.
                    self.spend(&channel.name);
                }
                match &outcome {
                    Ok(()) => tracing::info!(
                        channel = channel.name,
                        notice = notice.id(),
                        alerts = rows.len(),
                        "notification delivered"
                    ),
                    Err(e) => tracing::warn!(
                        channel = channel.name,
                        notice = notice.id(),
                        error = format!("{e:#}"),
                        "notification not delivered; retried later"
                    ),
                }
                for row in rows {
                    let mut next = row.clone();
                    next.updated_ms = now.max(row.updated_ms + 1);
                    next.attempts += 1;
                    match &outcome {
                        Ok(()) => {
                            if let Notice::Digest { id, .. } = &notice {
                                next.state = "digested".into();
                                next.digest_id = id.clone();
                            } else {
                                next.state = "sent".into();
                            }
                            next.last_error.clear();
                        }
                        Err(e) => {
                            let wait = (1_000u64 << next.attempts.min(20)).min(MAX_BACKOFF_MS);
                            next.next_ms = now + wait;
                            next.last_error = format!("{e:#}").chars().take(500).collect();
                        }
                    }
                    written.push(next);
                }
                if outcome.is_err() {
                    // The channel is down: the rest waits for the next attempt.
                    break;
                }
            }
            outbox::write(client, &written).await?;
        }
        Ok(())
    }
}

/// Raises the collector's own alert for each channel of `config` that has failed for
/// longer than `failing_alert_after_secs`, once per outage; returns how many.
async fn raise_failing_alerts(
    client: &Client,
    config: &NotifyConfig,
    hostname: &str,
) -> anyhow::Result<usize> {
    let now = vigie_model::event::now_ms();
    let after_ms = config.failing_alert_after_secs.saturating_mul(1_000);
    let failing: Vec<outbox::Failing> = outbox::failing(client, now.saturating_sub(after_ms))
        .await?
        .into_iter()
        .filter(|f| config.channels.iter().any(|c| c.name == f.channel))
        .collect();
    if failing.is_empty() {
        return Ok(0);
    }
    let alerts: Vec<_> = failing
        .iter()
        .map(|f| {
            let outage = crate::detect::ChannelOutage {
                channel: &f.channel,
                since_ms: f.since_ms,
                waiting: f.waiting,
                last_error: &f.last_error,
            };
            crate::detect::notify_failing_alert(&outage, hostname, now)
        })
        .collect();
    let ids: Vec<String> = alerts.iter().map(|a| a.alert_id.clone()).collect();
    let raised = outbox::existing_alerts(client, &ids).await?;
    let new: Vec<_> = alerts
        .into_iter()
        .filter(|a| !raised.contains(&a.alert_id))
        .collect();
    for alert in &new {
        tracing::warn!(
            channel = alert.target,
            summary = alert.summary,
            "notification channel failing"
        );
    }
    vigie_store::insert_rows(client, "alerts", &new).await?;
    Ok(new.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alert(severity: &str, tags: &[&str]) -> Alert {
        Alert {
            alert_id: "a1".into(),
            ts: 1,
            created_ms: 1,
            agent_id: "ag".into(),
            hostname: "web1".into(),
            rule_id: "r".into(),
            rule_title: "R".into(),
            rule_title_fr: "R".into(),
            severity: severity.into(),
            tags: tags.iter().map(|t| t.to_string()).collect(),
            summary: String::new(),
            summary_fr: String::new(),
            target: String::new(),
        }
    }

    fn channel(text: &str) -> ChannelConfig {
        toml::from_str(&format!(
            "name = \"c\"\n{text}\n[syslog]\naddress = \"h:1\""
        ))
        .unwrap()
    }

    #[test]
    fn routes_take_severity_tags_and_groups() {
        let c = channel("min_severity = \"high\"\ntags = [\"attack.T1059\"]\ngroups = [\"web\"]");
        assert!(routed(
            &c,
            &alert("critical", &["attack.t1059.004"]),
            Some("web")
        ));
        assert!(
            !routed(&c, &alert("medium", &["attack.t1059.004"]), Some("web")),
            "too mild"
        );
        assert!(
            !routed(&c, &alert("high", &["attack.t1021"]), Some("web")),
            "other tag"
        );
        assert!(
            !routed(&c, &alert("high", &["attack.t1059"]), Some("db")),
            "other group"
        );
        assert!(
            !routed(&c, &alert("high", &["attack.t1059"]), None),
            "no group"
        );
        let all = channel("min_severity = \"informational\"");
        assert!(routed(&all, &alert("informational", &[]), None));
    }

    #[test]
    fn a_digest_id_depends_on_its_alerts_not_their_order() {
        assert_eq!(digest_id(&["b", "a"]), digest_id(&["a", "b"]));
        assert_ne!(digest_id(&["a", "b"]), digest_id(&["a", "b", "c"]));
    }
}
