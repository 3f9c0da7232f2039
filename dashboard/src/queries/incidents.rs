//! Incidents: alerts, on one host or several, that analysts say are one intrusion, with
//! what was found and done. An incident's state is versioned (`incidents`, the latest
//! wins); everything done to it is appended to its history, never changed. Attached
//! alerts are kept with their SHA-256 and what a report needs of them, so an incident
//! outlives its alerts' retention; evidence (an event, a hunt's results) is copied in
//! with its SHA-256.

use std::collections::{BTreeSet, HashMap};

use clickhouse::Row;
use serde::{Deserialize, Serialize};
use vigie_model::Severity;
use vigie_store::rows::{
    AlertRow, IncidentAlertRow, IncidentEvidenceRow, IncidentHistoryRow, IncidentRow,
};
use vigie_store::{Client, StoreError};

use crate::i18n::Msg;

/// An incident's statuses, in their usual order.
pub const STATUSES: [&str; 4] = ["open", "contained", "eradicated", "closed"];
/// Longest title, in characters.
pub const MAX_TITLE: usize = 200;
/// Longest note, action or recommendation, in characters.
pub const MAX_TEXT: usize = 20_000;
/// Most alerts attached in one go.
pub const MAX_ALERTS_AT_ONCE: usize = 10_000;
/// Most events a hunt's results keep as evidence.
pub const MAX_HUNT_EVIDENCE: u64 = 1_000;

/// Why a change was refused: a catalogue key and what.
#[derive(Debug, PartialEq)]
pub struct Refused {
    /// The message.
    pub key: Msg,
    /// Which value.
    pub detail: String,
}

fn refused<T>(key: Msg, detail: impl Into<String>) -> Result<Result<T, Refused>, StoreError> {
    Ok(Err(Refused {
        key,
        detail: detail.into(),
    }))
}

/// What opening an incident asks.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Opening {
    /// Its title.
    pub title: String,
    /// Its severity; empty: the highest of its alerts' (medium without alerts).
    #[serde(default)]
    pub severity: String,
    /// Who leads it; empty: whoever opens it.
    #[serde(default)]
    pub owner: String,
    /// The alerts it starts with.
    #[serde(default)]
    pub alert_ids: Vec<String>,
}

/// What a change of an incident asks; absent fields stay as they are.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Change {
    /// A new title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// A new severity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<String>,
    /// A new status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// A new owner.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// The ATT&CK techniques (`T1059.004`), replacing those there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub techniques: Option<Vec<String>>,
    /// The recommendations, replacing those there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recommendations: Option<String>,
}

/// An incident, whole.
#[derive(Debug, Clone, Serialize)]
pub struct Incident {
    /// Its state.
    #[serde(flatten)]
    pub state: IncidentRow,
    /// The hosts its alerts and evidence are on.
    pub hosts: Vec<String>,
    /// Its alerts, oldest first.
    pub alerts: Vec<IncidentAlertRow>,
    /// Its evidence, oldest first.
    pub evidence: Vec<IncidentEvidenceRow>,
    /// Everything done to it, oldest first.
    pub history: Vec<IncidentHistoryRow>,
}

/// An incident as the list shows it.
#[derive(Debug, Clone, Serialize)]
pub struct Listed {
    /// Its state.
    #[serde(flatten)]
    pub state: IncidentRow,
    /// Alerts attached.
    pub alerts: u64,
    /// Hosts those alerts are on.
    pub hosts: u64,
}

/// A new incident id: `INC-` and the day, then random.
fn new_id(now_ms: u64) -> String {
    let day = vigie_model::time::utc(now_ms);
    let digits: String = day.chars().filter(char::is_ascii_digit).take(8).collect();
    format!(
        "INC-{digits}-{}",
        crate::sessions::token()[..6].to_ascii_uppercase()
    )
}

fn sha256_hex(text: &str) -> String {
    vigie_model::hex::sha256(text.as_bytes())
}

/// A technique id as written in reports (`T1059.004`), or `None` if it is not one.
fn technique(text: &str) -> Option<String> {
    let t = text
        .trim()
        .trim_start_matches("attack.")
        .to_ascii_uppercase();
    let valid = t.starts_with('T')
        && t.len() >= 5
        && t[1..].chars().all(|c| c.is_ascii_digit() || c == '.');
    valid.then_some(t)
}

/// The techniques `alerts`' tags name, sorted.
fn techniques_of(alerts: &[AlertRow]) -> Vec<String> {
    let set: BTreeSet<String> = alerts
        .iter()
        .flat_map(|a| a.tags.iter())
        .filter(|t| t.starts_with("attack.t"))
        .filter_map(|t| technique(t))
        .collect();
    set.into_iter().collect()
}

/// The stored alerts among `ids`, one row each.
async fn alerts(client: &Client, ids: &[String]) -> Result<Vec<AlertRow>, StoreError> {
    let mut found = Vec::new();
    // Bound inline: ClickHouse 18's queries are at most 256 KiB.
    for chunk in ids.chunks(1_000) {
        let rows: Vec<AlertRow> = client
            .query(
                "SELECT ?fields FROM alerts WHERE alert_id IN (SELECT arrayJoin(?)) \
                 ORDER BY ts LIMIT 1 BY alert_id",
            )
            .bind(chunk)
            .fetch_all()
            .await?;
        found.extend(rows);
    }
    Ok(found)
}

/// The stored alerts `ids` name, or a refusal naming the first that is not stored.
async fn every_alert(
    client: &Client,
    ids: &[String],
) -> Result<Result<Vec<AlertRow>, Refused>, StoreError> {
    let found = alerts(client, ids).await?;
    let stored: std::collections::HashSet<&str> =
        found.iter().map(|a| a.alert_id.as_str()).collect();
    if let Some(missing) = ids.iter().find(|id| !stored.contains(id.as_str())) {
        return refused(Msg::NotFound, format!("alert {missing}"));
    }
    Ok(Ok(found))
}

fn attached_row(incident_id: &str, alert: &AlertRow, by: &str, now: u64) -> IncidentAlertRow {
    let json = serde_json::to_string(alert).expect("an alert row is plain data");
    IncidentAlertRow {
        incident_id: incident_id.into(),
        alert_id: alert.alert_id.clone(),
        attached: 1,
        ts: alert.ts,
        hostname: alert.hostname.clone(),
        rule_id: alert.rule_id.clone(),
        rule_title: alert.rule_title.clone(),
        rule_title_fr: alert.rule_title_fr.clone(),
        severity: alert.severity.clone(),
        tags: alert.tags.clone(),
        summary: alert.summary.clone(),
        sha256: sha256_hex(&json),
        updated_by: by.into(),
        updated_ms: now,
        summary_fr: alert.summary_fr.clone(),
    }
}

async fn history(
    client: &Client,
    incident_id: &str,
    actor: &str,
    action: &str,
    text: &str,
    details: serde_json::Value,
) -> Result<(), StoreError> {
    let row = IncidentHistoryRow {
        incident_id: incident_id.into(),
        ts: vigie_model::event::now_ms(),
        actor: actor.into(),
        action: action.into(),
        text: text.into(),
        details: details.to_string(),
    };
    vigie_store::insert_rows(client, "incident_history", std::slice::from_ref(&row)).await
}

fn check_title(title: &str) -> Result<(), Refused> {
    let title = title.trim();
    if title.is_empty() {
        return Err(Refused {
            key: Msg::IncidentTitleRequired,
            detail: "title".into(),
        });
    }
    if title.chars().count() > MAX_TITLE {
        return Err(Refused {
            key: Msg::BadParameter,
            detail: format!("title: longer than {MAX_TITLE} characters"),
        });
    }
    Ok(())
}

fn check_severity(severity: &str) -> Result<(), Refused> {
    match Severity::parse(severity) {
        Some(_) => Ok(()),
        None => Err(Refused {
            key: Msg::BadParameter,
            detail: format!("severity: {}", Severity::not_one_of(severity)),
        }),
    }
}

fn check_text(name: &str, text: &str) -> Result<(), Refused> {
    if text.chars().count() > MAX_TEXT {
        return Err(Refused {
            key: Msg::BadParameter,
            detail: format!("{name}: longer than {MAX_TEXT} characters"),
        });
    }
    Ok(())
}

/// Opens an incident as `by`; its id, or why not.
pub async fn open(
    client: &Client,
    opening: &Opening,
    by: &str,
) -> Result<Result<String, Refused>, StoreError> {
    if let Err(r) = check_title(&opening.title) {
        return Ok(Err(r));
    }
    if opening.alert_ids.len() > MAX_ALERTS_AT_ONCE {
        return refused(
            Msg::BadParameter,
            format!("alert_ids: more than {MAX_ALERTS_AT_ONCE}"),
        );
    }
    let found = match every_alert(client, &opening.alert_ids).await? {
        Ok(found) => found,
        Err(r) => return Ok(Err(r)),
    };
    let severity = if opening.severity.is_empty() {
        found
            .iter()
            .filter_map(|a| Severity::parse(&a.severity))
            .max()
            .unwrap_or(Severity::Medium)
            .as_str()
            .to_string()
    } else {
        if let Err(r) = check_severity(&opening.severity) {
            return Ok(Err(r));
        }
        opening.severity.clone()
    };
    let now = vigie_model::event::now_ms();
    let id = new_id(now);
    let owner = if opening.owner.trim().is_empty() {
        by
    } else {
        opening.owner.trim()
    };
    let row = IncidentRow {
        incident_id: id.clone(),
        title: opening.title.trim().into(),
        severity,
        status: STATUSES[0].into(),
        owner: owner.into(),
        techniques: techniques_of(&found),
        recommendations: String::new(),
        created_ms: now,
        created_by: by.into(),
        updated_by: by.into(),
        updated_ms: now,
    };
    vigie_store::insert_rows(client, "incidents", std::slice::from_ref(&row)).await?;
    let attached: Vec<IncidentAlertRow> = found
        .iter()
        .map(|a| attached_row(&id, a, by, now))
        .collect();
    vigie_store::insert_rows(client, "incident_alerts", &attached).await?;
    let details = serde_json::json!({
        "title": row.title, "severity": row.severity, "owner": row.owner,
        "alerts": attached.len(),
    });
    history(client, &id, by, "opened", "", details).await?;
    Ok(Ok(id))
}

/// The state of incident `id`, if there is one.
pub async fn state(client: &Client, id: &str) -> Result<Option<IncidentRow>, StoreError> {
    Ok(client
        .query("SELECT ?fields FROM incidents FINAL WHERE incident_id = ?")
        .bind(id)
        .fetch_optional()
        .await?)
}

/// Applies `change` to incident `id` as `by`; what changed (see [`differences`];
/// empty when nothing did), or why not.
pub async fn change(
    client: &Client,
    id: &str,
    change: &Change,
    by: &str,
) -> Result<Result<serde_json::Value, Refused>, StoreError> {
    let Some(before) = state(client, id).await? else {
        return refused(Msg::NotFound, id);
    };
    let mut after = before.clone();
    if let Some(title) = &change.title {
        if let Err(r) = check_title(title) {
            return Ok(Err(r));
        }
        after.title = title.trim().into();
    }
    if let Some(severity) = &change.severity {
        if let Err(r) = check_severity(severity) {
            return Ok(Err(r));
        }
        after.severity = severity.clone();
    }
    if let Some(status) = &change.status {
        if !STATUSES.contains(&status.as_str()) {
            return refused(
                Msg::BadParameter,
                format!("status: {status:?} is not one of {}", STATUSES.join(", ")),
            );
        }
        after.status = status.clone();
    }
    if let Some(owner) = &change.owner {
        after.owner = owner.trim().into();
    }
    if let Some(techniques) = &change.techniques {
        let mut valid = BTreeSet::new();
        for t in techniques.iter().filter(|t| !t.trim().is_empty()) {
            match technique(t) {
                Some(t) => valid.insert(t),
                None => {
                    return refused(
                        Msg::BadParameter,
                        format!("techniques: {t:?} is not an ATT&CK technique id (T1059.004)"),
                    )
                }
            };
        }
        after.techniques = valid.into_iter().collect();
    }
    if let Some(text) = &change.recommendations {
        if let Err(r) = check_text("recommendations", text) {
            return Ok(Err(r));
        }
        after.recommendations = text.trim().into();
    }
    if after == before {
        return Ok(Ok(serde_json::json!({})));
    }
    after.updated_by = by.into();
    // Past both now and the last version, so this one wins even if the clock went back.
    after.updated_ms = vigie_model::event::now_ms().max(before.updated_ms + 1);
    vigie_store::insert_rows(client, "incidents", std::slice::from_ref(&after)).await?;
    let changed = differences(&before, &after);
    history(client, id, by, "changed", "", changed.clone()).await?;
    Ok(Ok(changed))
}

/// What changed between two states, as `{"field": {"before": …, "after": …}}`.
pub fn differences(before: &IncidentRow, after: &IncidentRow) -> serde_json::Value {
    let (b, a) = (
        serde_json::to_value(before).expect("plain data"),
        serde_json::to_value(after).expect("plain data"),
    );
    let mut out = serde_json::Map::new();
    for field in [
        "title",
        "severity",
        "status",
        "owner",
        "techniques",
        "recommendations",
    ] {
        if b[field] != a[field] {
            out.insert(
                field.into(),
                serde_json::json!({"before": b[field], "after": a[field]}),
            );
        }
    }
    serde_json::Value::Object(out)
}

/// Adds a note or an action taken (`kind`: `note` or `action_taken`) to incident `id`.
pub async fn add_text(
    client: &Client,
    id: &str,
    kind: &str,
    text: &str,
    by: &str,
) -> Result<Result<(), Refused>, StoreError> {
    if !matches!(kind, "note" | "action_taken") {
        return refused(
            Msg::BadParameter,
            format!("kind: {kind:?} is not one of note, action_taken"),
        );
    }
    let text = text.trim();
    if text.is_empty() {
        return refused(Msg::IncidentTextRequired, "text");
    }
    if let Err(r) = check_text("text", text) {
        return Ok(Err(r));
    }
    if state(client, id).await?.is_none() {
        return refused(Msg::NotFound, id);
    }
    history(client, id, by, kind, text, serde_json::json!({})).await?;
    Ok(Ok(()))
}

/// Attaches alerts `ids` to incident `id`; how many were not attached before.
pub async fn attach_alerts(
    client: &Client,
    id: &str,
    ids: &[String],
    by: &str,
) -> Result<Result<usize, Refused>, StoreError> {
    if ids.is_empty() {
        return refused(Msg::IncidentNoAlert, "alert_ids");
    }
    if ids.len() > MAX_ALERTS_AT_ONCE {
        return refused(
            Msg::BadParameter,
            format!("alert_ids: more than {MAX_ALERTS_AT_ONCE}"),
        );
    }
    if state(client, id).await?.is_none() {
        return refused(Msg::NotFound, id);
    }
    let found = match every_alert(client, ids).await? {
        Ok(found) => found,
        Err(r) => return Ok(Err(r)),
    };
    let already: BTreeSet<String> = attached(client, id)
        .await?
        .into_iter()
        .map(|a| a.alert_id)
        .collect();
    let now = vigie_model::event::now_ms();
    let new: Vec<IncidentAlertRow> = found
        .iter()
        .filter(|a| !already.contains(&a.alert_id))
        .map(|a| attached_row(id, a, by, now))
        .collect();
    if new.is_empty() {
        return Ok(Ok(0));
    }
    vigie_store::insert_rows(client, "incident_alerts", &new).await?;
    let listed: Vec<&str> = new.iter().map(|a| a.alert_id.as_str()).take(100).collect();
    let details = serde_json::json!({"alerts": new.len(), "alert_ids": listed});
    history(client, id, by, "alerts_attached", "", details).await?;
    Ok(Ok(new.len()))
}

/// The alerts attached to incident `id`, oldest first.
async fn attached(client: &Client, id: &str) -> Result<Vec<IncidentAlertRow>, StoreError> {
    Ok(client
        .query(
            "SELECT ?fields FROM incident_alerts FINAL \
             WHERE incident_id = ? AND attached = 1 ORDER BY ts, alert_id",
        )
        .bind(id)
        .fetch_all()
        .await?)
}

/// Keeps `content` (JSON) as evidence of `kind` (`event`, `hunt`) for incident `id`;
/// its evidence id.
pub async fn attach_evidence(
    client: &Client,
    id: &str,
    kind: &str,
    label: &str,
    content: &str,
    by: &str,
) -> Result<Result<String, Refused>, StoreError> {
    if state(client, id).await?.is_none() {
        return refused(Msg::NotFound, id);
    }
    let row = IncidentEvidenceRow {
        incident_id: id.into(),
        evidence_id: crate::sessions::token()[..12].to_string(),
        kind: kind.into(),
        label: label.chars().take(500).collect(),
        content: content.into(),
        sha256: sha256_hex(content),
        added_by: by.into(),
        added_ms: vigie_model::event::now_ms(),
    };
    vigie_store::insert_rows(client, "incident_evidence", std::slice::from_ref(&row)).await?;
    let details = serde_json::json!({
        "evidence_id": row.evidence_id, "kind": kind, "label": row.label, "sha256": row.sha256,
    });
    history(client, id, by, "evidence_attached", "", details).await?;
    Ok(Ok(row.evidence_id))
}

/// Incident `id`, whole.
pub async fn get(client: &Client, id: &str) -> Result<Option<Incident>, StoreError> {
    let Some(state) = state(client, id).await? else {
        return Ok(None);
    };
    let alerts = attached(client, id).await?;
    let evidence: Vec<IncidentEvidenceRow> = client
        .query("SELECT ?fields FROM incident_evidence WHERE incident_id = ? ORDER BY added_ms")
        .bind(id)
        .fetch_all()
        .await?;
    let history: Vec<IncidentHistoryRow> = client
        .query("SELECT ?fields FROM incident_history WHERE incident_id = ? ORDER BY ts")
        .bind(id)
        .fetch_all()
        .await?;
    let mut hosts: BTreeSet<String> = alerts.iter().map(|a| a.hostname.clone()).collect();
    for e in evidence.iter().filter(|e| e.kind == "event") {
        if let Ok(event) = serde_json::from_str::<vigie_model::Event>(&e.content) {
            hosts.insert(event.hostname);
        }
    }
    Ok(Some(Incident {
        state,
        hosts: hosts.into_iter().collect(),
        alerts,
        evidence,
        history,
    }))
}

#[derive(Row, Deserialize)]
struct Counts {
    incident_id: String,
    alerts: u64,
    hosts: u64,
}

/// Every incident, open ones first, newest first; only those of `status` if given.
pub async fn list(client: &Client, status: Option<&str>) -> Result<Vec<Listed>, StoreError> {
    let states: Vec<IncidentRow> = client
        .query(
            "SELECT ?fields FROM incidents FINAL \
             WHERE (? = '' OR status = ?) \
             ORDER BY status = 'closed', created_ms DESC",
        )
        .bind(status.unwrap_or(""))
        .bind(status.unwrap_or(""))
        .fetch_all()
        .await?;
    let counts: HashMap<String, Counts> = client
        .query(
            "SELECT incident_id, count() AS alerts, uniqExact(hostname) AS hosts \
             FROM incident_alerts FINAL WHERE attached = 1 GROUP BY incident_id",
        )
        .fetch_all::<Counts>()
        .await?
        .into_iter()
        .map(|c| (c.incident_id.clone(), c))
        .collect();
    Ok(states
        .into_iter()
        .map(|state| {
            let c = counts.get(&state.incident_id);
            Listed {
                alerts: c.map_or(0, |c| c.alerts),
                hosts: c.map_or(0, |c| c.hosts),
                state,
            }
        })
        .collect())
}

#[derive(Row, Deserialize)]
struct Membership {
    alert_id: String,
    incident_id: String,
}

/// For each of `alert_ids` in an incident, that incident (the latest attached).
pub async fn of_alerts(
    client: &Client,
    alert_ids: &[String],
) -> Result<HashMap<String, String>, StoreError> {
    let mut out = HashMap::new();
    for chunk in alert_ids.chunks(1_000) {
        let rows: Vec<Membership> = client
            .query(
                "SELECT alert_id, argMax(incident_id, updated_ms) AS incident_id \
                 FROM incident_alerts FINAL \
                 WHERE attached = 1 AND alert_id IN (SELECT arrayJoin(?)) GROUP BY alert_id",
            )
            .bind(chunk)
            .fetch_all()
            .await?;
        out.extend(rows.into_iter().map(|m| (m.alert_id, m.incident_id)));
    }
    Ok(out)
}

/// Incidents not closed, newest first: (id, title), to attach alerts to.
pub async fn open_ones(client: &Client) -> Result<Vec<(String, String)>, StoreError> {
    #[derive(Row, Deserialize)]
    struct Short {
        incident_id: String,
        title: String,
    }
    let rows: Vec<Short> = client
        .query(
            "SELECT incident_id, title FROM incidents FINAL \
             WHERE status != 'closed' ORDER BY created_ms DESC LIMIT 200",
        )
        .fetch_all()
        .await?;
    Ok(rows.into_iter().map(|s| (s.incident_id, s.title)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn techniques_are_read_from_tags_and_checked() {
        assert_eq!(technique("attack.t1059.004"), Some("T1059.004".into()));
        assert_eq!(technique(" T1003 "), Some("T1003".into()));
        assert_eq!(technique("attack.execution"), None);
        assert_eq!(technique("T10"), None);
        assert!(new_id(1_796_208_290_938).starts_with("INC-2026"));
    }

    #[test]
    fn differences_name_only_what_changed() {
        let before = IncidentRow {
            incident_id: "i".into(),
            title: "t".into(),
            severity: "high".into(),
            status: "open".into(),
            owner: "ana".into(),
            techniques: vec![],
            recommendations: String::new(),
            created_ms: 1,
            created_by: "ana".into(),
            updated_by: "ana".into(),
            updated_ms: 1,
        };
        let mut after = before.clone();
        after.status = "contained".into();
        after.updated_ms = 2;
        assert_eq!(
            differences(&before, &after),
            serde_json::json!({"status": {"before": "open", "after": "contained"}})
        );
    }
}
