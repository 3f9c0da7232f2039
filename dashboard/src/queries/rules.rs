//! The rules page's data: the rules in force (the collector's latest published
//! catalogue) with where each comes from, what admins set for it, and how often it fired;
//! and admins' changes, written as new versions of `rule_settings`.

use std::collections::HashMap;

use clickhouse::Row;
use serde::{Deserialize, Serialize};
use vigie_model::Severity;
use vigie_store::rows::{RuleRow, RuleSettingRow};
use vigie_store::{Client, StoreError};

use crate::i18n::Msg;

/// One rule as the page shows it.
#[derive(Debug, Clone, Serialize)]
pub struct RuleLine {
    /// The rule.
    #[serde(flatten)]
    pub rule: RuleRow,
    /// False when an admin turned it off.
    pub enabled: bool,
    /// The severity its alerts take instead of its own, if set.
    pub severity_override: Option<String>,
    /// Why it was changed, by whom.
    pub reason: String,
    /// Who changed it last.
    pub changed_by: String,
    /// Alerts in the last 24 hours.
    pub alerts_24h: u64,
    /// Alerts in the last 7 days.
    pub alerts_7d: u64,
    /// Its latest alert's time (ms), if any.
    pub last_fired_ms: Option<u64>,
}

#[derive(Row, Deserialize)]
struct Fired {
    rule_id: String,
    day: u64,
    week: u64,
    last: u64,
}

/// Every rule in force, by title, with its settings and figures as of `now_ms`.
pub async fn list(client: &Client, now_ms: u64) -> Result<Vec<RuleLine>, StoreError> {
    let rules: Vec<RuleRow> = client
        .query(
            "SELECT ?fields FROM rules FINAL \
             WHERE updated_ms = (SELECT max(updated_ms) FROM rules) ORDER BY title",
        )
        .fetch_all()
        .await?;
    let settings: HashMap<String, RuleSettingRow> = client
        .query("SELECT ?fields FROM rule_settings FINAL")
        .fetch_all::<RuleSettingRow>()
        .await?
        .into_iter()
        .map(|s| (s.rule_id.clone(), s))
        .collect();
    let fired: HashMap<String, Fired> = client
        .query(
            "SELECT rule_id, countIf(ts >= ?) AS day, countIf(ts >= ?) AS week, max(ts) AS last \
             FROM alerts GROUP BY rule_id",
        )
        .bind(now_ms.saturating_sub(86_400_000))
        .bind(now_ms.saturating_sub(7 * 86_400_000))
        .fetch_all::<Fired>()
        .await?
        .into_iter()
        .map(|f| (f.rule_id.clone(), f))
        .collect();
    Ok(rules
        .into_iter()
        .map(|rule| {
            let setting = settings.get(&rule.rule_id);
            let fired = fired.get(&rule.rule_id);
            RuleLine {
                enabled: setting.is_none_or(|s| s.enabled != 0),
                severity_override: setting
                    .map(|s| s.severity.clone())
                    .filter(|s| !s.is_empty()),
                reason: setting.map(|s| s.reason.clone()).unwrap_or_default(),
                changed_by: setting.map(|s| s.updated_by.clone()).unwrap_or_default(),
                alerts_24h: fired.map_or(0, |f| f.day),
                alerts_7d: fired.map_or(0, |f| f.week),
                last_fired_ms: fired.map(|f| f.last),
                rule,
            }
        })
        .collect())
}

/// What an admin asks for one rule.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Change {
    /// On or off.
    pub enabled: bool,
    /// A severity for its alerts; empty or absent: the rule's own.
    #[serde(default)]
    pub severity: String,
    /// Why (required).
    #[serde(default)]
    pub reason: String,
}

/// Why a change was refused: a catalogue key and what.
#[derive(Debug, PartialEq)]
pub struct Refused {
    /// The message.
    pub key: Msg,
    /// Which value.
    pub detail: String,
}

/// Records `change` for rule `rule_id` by `by`; what it was before (`None`: as written),
/// or why not.
pub async fn change(
    client: &Client,
    rule_id: &str,
    change: &Change,
    by: &str,
) -> Result<Result<Option<RuleSettingRow>, Refused>, StoreError> {
    let refused = |key, detail: &str| {
        Ok(Err(Refused {
            key,
            detail: detail.into(),
        }))
    };
    let reason = change.reason.trim();
    if reason.is_empty() {
        return refused(Msg::RulesReasonRequired, "reason");
    }
    if reason.chars().count() > 500 {
        return refused(Msg::BadParameter, "reason: longer than 500 characters");
    }
    if !change.severity.is_empty() && Severity::parse(&change.severity).is_none() {
        return refused(
            Msg::BadParameter,
            &format!("severity: {}", Severity::not_one_of(&change.severity)),
        );
    }
    let rule: Option<RuleRow> = client
        .query("SELECT ?fields FROM rules FINAL WHERE rule_id = ?")
        .bind(rule_id)
        .fetch_optional()
        .await?;
    let Some(rule) = rule else {
        return refused(Msg::NotFound, rule_id);
    };
    if rule.source == "collector" && !change.enabled {
        return refused(Msg::RulesCannotTurnOff, rule_id);
    }
    let before: Option<RuleSettingRow> = client
        .query("SELECT ?fields FROM rule_settings FINAL WHERE rule_id = ?")
        .bind(rule_id)
        .fetch_optional()
        .await?;
    let now = vigie_model::event::now_ms();
    let row = RuleSettingRow {
        rule_id: rule_id.into(),
        enabled: u8::from(change.enabled),
        severity: change.severity.clone(),
        reason: reason.into(),
        updated_by: by.into(),
        // Past both now and the last version, so this one wins even if the clock went back.
        updated_ms: now.max(before.as_ref().map_or(0, |b| b.updated_ms + 1)),
    };
    vigie_store::insert_rows(client, "rule_settings", std::slice::from_ref(&row)).await?;
    Ok(Ok(before))
}
