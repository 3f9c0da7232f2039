//! Turns detections into alert rows, including the collector's own alerts about the
//! transport (chain gaps and forks, agent-side drops).

use std::sync::Arc;

use vigie_model::event::field;
use vigie_model::exception::ExceptionSet;
use vigie_model::i18n::{both, fill, Lang, Msg};
use vigie_model::Event;
use vigie_rules::{Detection, Engine, RuleInfo, Severity};
use vigie_store::rows::{AlertRow, EventRow, SuppressedRow};

use crate::chain::Link;

/// Rule id of "events missing from an agent's chain".
pub const CHAIN_GAP_RULE_ID: &str = "3c1d7c0e-2b55-4a59-9d0e-7f1b9c2a4e10";
/// Rule id of "an agent's batch chain forked".
pub const CHAIN_FORK_RULE_ID: &str = "5e2b8d41-7a6c-4f3e-8b1a-2d9c0e6f7a21";
/// Rule id of "an agent dropped events: its spool was full".
pub const SPOOL_DROP_RULE_ID: &str = "8f4a2c63-1d7e-4b9a-a5c2-6e0d3f8b1c32";

/// Rule id of "detection state was full: correlations may have been missed".
pub const DETECTION_EVICTION_RULE_ID: &str = "b7d3e915-4c2a-4f86-9e1b-3a5c7d9f0e43";

/// Rule id of "a notification channel keeps failing".
pub const NOTIFY_FAILING_RULE_ID: &str = "c2e8a4f1-6b3d-4e7a-9f25-8d1c0b7e3a54";

/// One of the collector's own rules: its id, level and tags, and the catalogue messages
/// of its title, description and what to do next.
struct OwnRule {
    id: &'static str,
    title: Msg,
    level: Severity,
    tags: &'static [&'static str],
    description: Msg,
    guidance: Msg,
}

/// The collector's own rules.
const OWN_RULES: &[OwnRule] = &[
    OwnRule {
        id: CHAIN_GAP_RULE_ID,
        title: Msg::RuleChainGap,
        level: Severity::High,
        tags: &["attack.t1565.002", "vigie.transport"],
        description: Msg::RuleChainGapDescription,
        guidance: Msg::RuleChainGapGuidance,
    },
    OwnRule {
        id: CHAIN_FORK_RULE_ID,
        title: Msg::RuleChainFork,
        level: Severity::High,
        tags: &["attack.t1565.002", "vigie.transport"],
        description: Msg::RuleChainForkDescription,
        guidance: Msg::RuleChainForkGuidance,
    },
    OwnRule {
        id: SPOOL_DROP_RULE_ID,
        title: Msg::RuleSpoolDrop,
        level: Severity::Medium,
        tags: &["attack.t1565.002", "vigie.transport"],
        description: Msg::RuleSpoolDropDescription,
        guidance: Msg::RuleSpoolDropGuidance,
    },
    OwnRule {
        id: AGENT_SILENT_RULE_ID,
        title: Msg::RuleAgentSilent,
        level: Severity::High,
        tags: &["attack.t1562.001", "vigie.fleet"],
        description: Msg::RuleAgentSilentDescription,
        guidance: Msg::RuleAgentSilentGuidance,
    },
    OwnRule {
        id: DETECTION_EVICTION_RULE_ID,
        title: Msg::RuleDetectionEvicted,
        level: Severity::Medium,
        tags: &["vigie.detection"],
        description: Msg::RuleDetectionEvictedDescription,
        guidance: Msg::RuleDetectionEvictedGuidance,
    },
    OwnRule {
        id: NOTIFY_FAILING_RULE_ID,
        title: Msg::RuleNotifyFailing,
        level: Severity::High,
        tags: &["vigie.notify"],
        description: Msg::RuleNotifyFailingDescription,
        guidance: Msg::RuleNotifyFailingGuidance,
    },
];

#[cfg(test)]
#[test]
fn exceptions_can_tell_every_own_rule_by_its_tags() {
    for rule in OWN_RULES {
        assert!(
            rule.tags
                .iter()
                .any(|t| vigie_model::exception::COLLECTOR_OWN_TAGS.contains(t)),
            "{}",
            rule.id
        );
    }
}

/// The collector's own rule `rule_id`, as alerts describe it.
fn own_rule(rule_id: &str) -> Arc<RuleInfo> {
    let rule = OWN_RULES
        .iter()
        .find(|r| r.id == rule_id)
        .expect("one of the collector's own rules");
    Arc::new(RuleInfo {
        id: rule.id.into(),
        title: rule.title.text(Lang::En).into(),
        title_fr: rule.title.text(Lang::Fr).into(),
        level: rule.level,
        tags: rule.tags.iter().map(|t| (*t).to_string()).collect(),
        author: "Vigie".into(),
        description_fr: rule.description.text(Lang::Fr).into(),
        guidance: rule.guidance.text(Lang::En).into(),
        guidance_fr: rule.guidance.text(Lang::Fr).into(),
    })
}

/// The collector's own rules with their descriptions, for the rule catalogue.
pub fn own_rules() -> Vec<(Arc<RuleInfo>, String)> {
    OWN_RULES
        .iter()
        .map(|r| (own_rule(r.id), r.description.text(Lang::En).to_string()))
        .collect()
}

/// Rule id of "an agent has gone silent".
pub const AGENT_SILENT_RULE_ID: &str = "4a8e1f27-9c3b-4d5e-a6f0-2b7c8d9e1f54";

/// Stable alert id: the same event and rule always give the same id, so a retried
/// batch can be recognised.
pub fn alert_id(agent_id: &str, seq: u64, rule_id: &str) -> String {
    let mut digest = ring::digest::Context::new(&ring::digest::SHA256);
    for part in [
        agent_id.as_bytes(),
        b"\n",
        seq.to_string().as_bytes(),
        b"\n",
    ] {
        digest.update(part);
    }
    digest.update(rule_id.as_bytes());
    vigie_model::hex::encode(&digest.finish().as_ref()[..16])
}

/// What detection made of a batch: alerts to store, and those an exception held back.
#[derive(Debug, Default)]
pub struct Detected {
    /// One row per detection no exception suppressed.
    pub alerts: Vec<AlertRow>,
    /// One row per detection an exception suppressed.
    pub suppressed: Vec<SuppressedRow>,
}

/// Runs `engine` over `events`: one alert row per detection, unless one of `exceptions`
/// suppresses it. `stored` are the events' rows, in the same order: their JSON is
/// reused, not made again.
pub fn alerts_for(
    engine: &Engine,
    exceptions: &ExceptionSet,
    settings: &crate::rule_settings::Settings,
    events: &[Event],
    stored: &[EventRow],
    now_ms: u64,
) -> Detected {
    let mut detected = Detected::default();
    for (event, stored) in events.iter().zip(stored) {
        for mut detection in engine.evaluate(event) {
            let rule_id = &detection.rule.id;
            // Admins' settings: a rule turned off raises nothing; a severity set replaces
            // the rule's.
            if let Some(setting) = settings.get(rule_id) {
                if !setting.enabled {
                    continue;
                }
                if let Some(severity) = setting.severity {
                    detection.severity = severity;
                }
            }
            let rule_id = &detection.rule.id;
            if let Some(exception) = exceptions.first_suppressing(rule_id, event, now_ms) {
                detected.suppressed.push(SuppressedRow {
                    date: vigie_store::date_of(event.ts),
                    ts: event.ts,
                    created_ms: now_ms,
                    exception_id: exception.id.clone(),
                    alert_id: alert_id(&event.agent_id, event.seq, rule_id),
                    agent_id: event.agent_id.clone(),
                    hostname: event.hostname.clone(),
                    event_seq: event.seq,
                    rule_id: rule_id.clone(),
                });
                continue;
            }
            let json = format!("[{}]", stored.fields);
            detected.alerts.push(row(event, &detection, now_ms, json));
        }
    }
    detected
}

/// `event` as the one-event JSON list an alert row holds.
fn events_json(event: &Event) -> String {
    serde_json::to_string(&[event]).expect("event serializes")
}

fn row(event: &Event, d: &Detection, now_ms: u64, events_json: String) -> AlertRow {
    AlertRow {
        date: vigie_store::date_of(event.ts),
        ts: event.ts,
        created_ms: now_ms,
        alert_id: alert_id(&event.agent_id, event.seq, &d.rule.id),
        agent_id: event.agent_id.clone(),
        hostname: event.hostname.clone(),
        event_seq: event.seq,
        rule_id: d.rule.id.clone(),
        rule_title: d.rule.title.clone(),
        rule_title_fr: d.rule.title_fr.clone(),
        severity: d.severity.as_str().to_string(),
        tags: d.rule.tags.clone(),
        author: d.rule.author.clone(),
        summary: d.summary.clone(),
        summary_fr: d.summary_fr.clone(),
        target: event
            .str_field(field::TARGET_FILENAME)
            .or_else(|| event.str_field(field::IMAGE))
            .unwrap_or("")
            .to_string(),
        action: event.str_field(field::ACTION).unwrap_or("").to_string(),
        events: events_json,
    }
}

/// The collector's own alert saying that the detectors dropped `evicted` pieces of
/// correlation state while handling the batch that starts with `first`.
pub fn eviction_alert(evicted: u64, first: &Event, now_ms: u64) -> AlertRow {
    let detection = Detection {
        rule: own_rule(DETECTION_EVICTION_RULE_ID),
        severity: Severity::Medium,
        summary: fill(Lang::En, Msg::SummaryEviction, &[("n", &evicted)]),
        summary_fr: fill(Lang::Fr, Msg::SummaryEviction, &[("n", &evicted)]),
    };
    let mut alert = row(first, &detection, now_ms, events_json(first));
    alert.target = String::new();
    alert.action = String::new();
    alert
}

/// The collector's own alert saying that `agent` has been silent since `last_seen_ms`.
/// Its id depends on the agent and that time only, so one silence gives one alert.
pub fn silence_alert(agent: &vigie_store::rows::AgentRow, now_ms: u64) -> AlertRow {
    let rule = own_rule(AGENT_SILENT_RULE_ID);
    let minutes = now_ms.saturating_sub(agent.last_seen_ms) / 60_000;
    AlertRow {
        date: vigie_store::date_of(now_ms),
        ts: now_ms,
        created_ms: now_ms,
        alert_id: alert_id(&agent.agent_id, agent.last_seen_ms, AGENT_SILENT_RULE_ID),
        agent_id: agent.agent_id.clone(),
        hostname: agent.hostname.clone(),
        event_seq: 0,
        rule_id: rule.id.clone(),
        rule_title: rule.title.clone(),
        rule_title_fr: rule.title_fr.clone(),
        severity: rule.level.as_str().into(),
        tags: rule.tags.clone(),
        author: rule.author.clone(),
        summary: fill(
            Lang::En,
            Msg::SummaryAgentSilent,
            &[
                ("agent", &agent.agent_id),
                ("host", &agent.hostname),
                ("minutes", &minutes),
            ],
        ),
        summary_fr: fill(
            Lang::Fr,
            Msg::SummaryAgentSilent,
            &[
                ("agent", &agent.agent_id),
                ("host", &agent.hostname),
                ("minutes", &minutes),
            ],
        ),
        target: agent.hostname.clone(),
        action: String::new(),
        events: "[]".into(),
    }
}

/// A notification channel in an outage, as its alert tells it.
pub struct ChannelOutage<'a> {
    /// The channel's name.
    pub channel: &'a str,
    /// When its oldest undelivered notice that failed was queued.
    pub since_ms: u64,
    /// Notices waiting.
    pub waiting: u64,
    /// The latest error.
    pub last_error: &'a str,
}

/// The collector's own alert "notification channel failing": one per outage (its id is
/// made from the channel and its oldest undelivered notice, so a restart of the
/// collector does not raise it twice). `collector`: this host's name.
pub fn notify_failing_alert(failing: &ChannelOutage, collector: &str, now_ms: u64) -> AlertRow {
    let rule = own_rule(NOTIFY_FAILING_RULE_ID);
    let minutes = now_ms.saturating_sub(failing.since_ms) / 60_000;
    AlertRow {
        date: vigie_store::date_of(now_ms),
        ts: now_ms,
        created_ms: now_ms,
        alert_id: alert_id(
            &format!("notify:{}", failing.channel),
            failing.since_ms,
            NOTIFY_FAILING_RULE_ID,
        ),
        agent_id: String::new(),
        hostname: collector.into(),
        event_seq: 0,
        rule_id: rule.id.clone(),
        rule_title: rule.title.clone(),
        rule_title_fr: rule.title_fr.clone(),
        severity: rule.level.as_str().into(),
        tags: rule.tags.clone(),
        author: rule.author.clone(),
        summary: notify_summary(Lang::En, failing, minutes),
        summary_fr: notify_summary(Lang::Fr, failing, minutes),
        target: failing.channel.into(),
        action: String::new(),
        events: "[]".into(),
    }
}

/// What a failing channel's alert says, in `lang`.
fn notify_summary(lang: Lang, failing: &ChannelOutage, minutes: u64) -> String {
    fill(
        lang,
        Msg::SummaryNotifyFailing,
        &[
            ("channel", &failing.channel),
            ("minutes", &minutes),
            ("waiting", &failing.waiting),
            ("error", &failing.last_error),
        ],
    )
}

/// The collector's own alert about a batch's place in the chain, if it deserves one.
pub fn chain_alert(link: &Link, first: &Event, first_seq: u64, now_ms: u64) -> Option<AlertRow> {
    let (rule_id, severity, (summary, summary_fr)) = match link {
        Link::Continues | Link::Duplicate => return None,
        Link::Gap { missing, explained } if explained == missing => (
            SPOOL_DROP_RULE_ID,
            Severity::Medium,
            both(
                Msg::SummarySpoolDrop,
                &[("n", missing), ("seq", &first_seq)],
            ),
        ),
        Link::Gap { missing, explained } => (
            CHAIN_GAP_RULE_ID,
            Severity::High,
            both(
                Msg::SummaryChainGap,
                &[
                    ("n", &(missing - explained)),
                    ("seq", &first_seq),
                    ("explained", explained),
                ],
            ),
        ),
        Link::Fork { expected, found } => (
            CHAIN_FORK_RULE_ID,
            Severity::High,
            both(
                Msg::SummaryChainFork,
                &[
                    ("seq", &first_seq),
                    ("found", found),
                    ("expected", expected),
                ],
            ),
        ),
        Link::BelowWatermark {
            watermark,
            unstored,
        } => (
            CHAIN_FORK_RULE_ID,
            Severity::High,
            both(
                Msg::SummaryBelowWatermark,
                &[
                    ("seq", &first_seq),
                    ("watermark", watermark),
                    ("unstored", unstored),
                ],
            ),
        ),
    };
    let detection = Detection {
        rule: own_rule(rule_id),
        severity,
        summary,
        summary_fr,
    };
    let mut alert = row(first, &detection, now_ms, events_json(first));
    alert.target = String::new();
    alert.action = String::new();
    Some(alert)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Alert ids must not change between versions: a batch retried after an upgrade
    /// finds its alerts stored by the old version through them.
    #[test]
    fn alert_ids_are_what_earlier_versions_computed() {
        let earlier = |agent: &str, seq: u64, rule: &str| {
            vigie_model::hex::sha256(format!("{agent}\n{seq}\n{rule}").as_bytes())[..32].to_string()
        };
        for (agent, seq, rule) in [
            ("5f3c9a1e2b7d4c6a8e0f1a2b3c4d5e6f", 1, "vigie-fim-change"),
            ("a", u64::MAX, "règle-été"),
            ("", 0, ""),
        ] {
            assert_eq!(alert_id(agent, seq, rule), earlier(agent, seq, rule));
        }
    }
}
