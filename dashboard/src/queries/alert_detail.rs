//! Everything about one alert: the alert, its rule, the triggering events, the process
//! lineage rebuilt from stored process events, the host's events around it, the
//! rule's earlier alerts on the host, and the triage history.

use clickhouse::Row;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use vigie_model::Event;
use vigie_store::rows::{AlertRow, RuleRow};
use vigie_store::Client;

use crate::queries::context::{self, Anchor, Context};
use crate::queries::triage::HistoryStep;

/// How far the lineage climbs.
const LINEAGE_DEPTH: usize = 12;

/// One process of the lineage, the alert's own first.
#[derive(Debug, Clone, Serialize)]
pub struct Process {
    /// When it started (ms), when known.
    pub ts: Option<u64>,
    /// Its id.
    pub pid: u64,
    /// Program.
    pub image: String,
    /// Command line.
    pub command_line: String,
    /// User.
    pub user: String,
    /// True when known from a stored process event; false when only named by its
    /// child (it started before the agent watched).
    pub seen: bool,
}

/// An earlier alert of the same rule on the same host.
#[derive(Debug, Clone, Row, Deserialize, Serialize)]
pub struct EarlierAlert {
    /// Its id.
    pub alert_id: String,
    /// When (ms).
    pub ts: u64,
    /// Severity.
    pub severity: String,
    /// Summary.
    pub summary: String,
    /// The same in French (empty for older alerts).
    pub summary_fr: String,
}

/// The whole picture of one alert.
#[derive(Debug, Serialize)]
pub struct AlertDetail {
    /// The alert.
    #[serde(skip)]
    pub alert: AlertRow,
    /// Its triggering events.
    pub events: Vec<Event>,
    /// The rule, if the catalogue knows it.
    #[serde(skip)]
    pub rule: Option<RuleRow>,
    /// Current status.
    pub status: String,
    /// Current assignee.
    pub assignee: String,
    /// Triage history, oldest first.
    pub history: Vec<HistoryStep>,
    /// Processes, the alert's own first, then its parent, and so on.
    pub lineage: Vec<Process>,
    /// The host's events around the alert (or where the analyst paged to).
    pub context: Context,
    /// Earlier alerts of the rule on the host, newest first.
    pub earlier: Vec<EarlierAlert>,
}

fn number(fields: &Map<String, Value>, name: &str) -> Option<u64> {
    match fields.get(name)? {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

fn text(fields: &Map<String, Value>, name: &str) -> String {
    fields
        .get(name)
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string()
}

#[derive(Row, Deserialize)]
struct ProcessRow {
    ts: u64,
    fields: String,
}

/// Climbs from `event`'s process through stored `process_creation` events of the same
/// agent; a parent never seen is still listed from what its child names.
async fn lineage(client: &Client, event: &Event) -> Result<Vec<Process>, clickhouse::error::Error> {
    let mut chain = Vec::new();
    let mut fields = event.fields.clone();
    let mut ts = event.ts;
    let Some(mut pid) = number(&fields, "ProcessId") else {
        return Ok(chain);
    };
    // A process event is the first of the chain; any other event names the process
    // that acted, whose start is looked up first.
    if event.category == "process_creation" {
        chain.push(process_of(Some(ts), &fields, pid, true));
    }
    while chain.len() < LINEAGE_DEPTH {
        let parent_pid = if chain.is_empty() {
            pid
        } else {
            match number(&fields, "ParentProcessId") {
                Some(p) if p > 0 && p != pid => p,
                _ => break,
            }
        };
        let found: Option<ProcessRow> = client
            .query(
                "SELECT ts, fields FROM events WHERE agent_id = ? AND category = 'process_creation' \
                 AND ts <= ? AND visitParamExtractUInt(fields, 'ProcessId') = ? \
                 ORDER BY ts DESC LIMIT 1",
            )
            .bind(event.agent_id.as_str())
            .bind(ts)
            .bind(parent_pid)
            .fetch_optional()
            .await?;
        match found.and_then(|row| {
            serde_json::from_str::<Map<String, Value>>(&row.fields)
                .ok()
                .map(|f| (row.ts, f))
        }) {
            Some((parent_ts, parent_fields)) => {
                chain.push(process_of(
                    Some(parent_ts),
                    &parent_fields,
                    parent_pid,
                    true,
                ));
                fields = parent_fields;
                ts = parent_ts;
                pid = parent_pid;
            }
            None => {
                // Known only from its child.
                let image = text(&fields, "ParentImage");
                if !image.is_empty() || !chain.is_empty() {
                    chain.push(Process {
                        ts: None,
                        pid: parent_pid,
                        image,
                        command_line: text(&fields, "ParentCommandLine"),
                        user: String::new(),
                        seen: false,
                    });
                }
                break;
            }
        }
    }
    Ok(chain)
}

fn process_of(ts: Option<u64>, fields: &Map<String, Value>, pid: u64, seen: bool) -> Process {
    Process {
        ts,
        pid,
        image: text(fields, "Image"),
        command_line: text(fields, "CommandLine"),
        user: text(fields, "User"),
        seen,
    }
}

/// Everything about alert `alert_id`, or `None` if there is no such alert; its host's
/// events centred on `centre`, or on the alert's own event.
pub async fn load(
    client: &Client,
    alert_id: &str,
    centre: Option<Anchor>,
) -> Result<Option<AlertDetail>, clickhouse::error::Error> {
    let alert: Option<AlertRow> = client
        .query("SELECT ?fields FROM alerts WHERE alert_id = ? LIMIT 1")
        .bind(alert_id)
        .fetch_optional()
        .await?;
    let Some(alert) = alert else {
        return Ok(None);
    };
    let events: Vec<Event> = serde_json::from_str(&alert.events).unwrap_or_default();
    let rule: Option<RuleRow> = client
        .query("SELECT ?fields FROM rules FINAL WHERE rule_id = ?")
        .bind(alert.rule_id.as_str())
        .fetch_optional()
        .await?;
    let history = crate::queries::triage::history(client, alert_id).await?;
    let status = history
        .iter()
        .rev()
        .find(|h| !h.status.is_empty())
        .map_or("new".to_string(), |h| h.status.clone());
    let assignee = history
        .iter()
        .rev()
        .find(|h| h.action == "assign")
        .map_or(String::new(), |h| h.assignee.clone());
    let lineage = match events.first() {
        Some(e) => lineage(client, e).await?,
        None => Vec::new(),
    };
    let at_alert = Anchor {
        ts: alert.ts,
        seq: alert.event_seq,
    };
    let context = context::around(
        client,
        &alert.agent_id,
        centre.unwrap_or(at_alert),
        at_alert,
    )
    .await?;
    let earlier: Vec<EarlierAlert> = client
        .query(
            "SELECT alert_id, ts, severity, summary, summary_fr FROM alerts \
             WHERE rule_id = ? AND hostname = ? AND ts < ? ORDER BY ts DESC LIMIT 20",
        )
        .bind(alert.rule_id.as_str())
        .bind(alert.hostname.as_str())
        .bind(alert.ts)
        .fetch_all()
        .await?;
    Ok(Some(AlertDetail {
        alert,
        events,
        rule,
        status,
        assignee,
        history,
        lineage,
        context,
        earlier,
    }))
}
