//! Incident reports, their content: for a period and filters (hosts, severities,
//! statuses, rule), the summary figures, a timeline, every alert with its events and
//! whole triage history, the hosts affected, the ATT&CK techniques seen, and the agents
//! that went silent. Rendered as PDF, CSV or JSON by [`crate::views::report`].

use std::collections::BTreeMap;

use clickhouse::Row;
use serde::{Deserialize, Serialize};
use vigie_model::Event;
use vigie_store::rows::AlertRow;
use vigie_store::Client;

use crate::i18n::Lang;
use crate::params::{bad, one_of, Problem};
use crate::params::{param, Params};
use crate::params::{parse_time, BadParam};
use crate::queries::sql::{Bind, Sql};
use crate::queries::triage::HistoryStep;
use vigie_model::{AlertStatus, Severity};

/// Most alerts one report details; beyond, the report says how many it left out.
pub const MAX_ALERTS: u64 = 5000;

/// A report's format.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// A PDF document.
    Pdf,
    /// One CSV line per alert.
    Csv,
    /// Everything, as JSON.
    Json,
}

impl Format {
    /// The file extension and name used in parameters.
    pub fn name(self) -> &'static str {
        match self {
            Format::Pdf => "pdf",
            Format::Csv => "csv",
            Format::Json => "json",
        }
    }

    /// The MIME type.
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Pdf => "application/pdf",
            Format::Csv => "text/csv; charset=utf-8",
            Format::Json => "application/json",
        }
    }
}

/// What the auditor asked for.
#[derive(Debug, Clone, Serialize)]
pub struct ReportRequest {
    /// Start (ms, included).
    pub from_ms: u64,
    /// End (ms, excluded).
    pub to_ms: u64,
    /// Host names (empty: all).
    pub hosts: Vec<String>,
    /// Severities (empty: all).
    pub severities: Vec<Severity>,
    /// Statuses (empty: all).
    pub statuses: Vec<AlertStatus>,
    /// Rule id (empty: all).
    pub rule: String,
    /// File format.
    pub format: Format,
    /// Classification marking of every page (empty: the configured one).
    pub marking: String,
    /// The analyst's recommendations, one per line.
    pub recommendations: String,
    /// Whether the PDF carries the annex (every alert in detail).
    pub annex: bool,
    /// The incident reported on (empty: a period report). Its alerts make the report,
    /// whatever the period and filters.
    pub incident: String,
    /// Language.
    #[serde(serialize_with = "lang_code")]
    pub lang: Lang,
}

fn lang_code<S: serde::Serializer>(lang: &Lang, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(lang.code())
}

impl ReportRequest {
    /// Reads a request from form fields (repeated `severity` and `status`, `hosts`
    /// separated by commas or spaces).
    pub fn parse(fields: &Params, lang: Lang) -> Result<ReportRequest, BadParam> {
        let time = |name: &str| -> Result<u64, BadParam> {
            let v = param(fields, name).unwrap_or("");
            parse_time(v).ok_or_else(|| bad(name, Problem::NotATime(v.into())))
        };
        let incident = param(fields, "incident").unwrap_or("").trim().to_string();
        if incident.len() > 64 {
            return Err(bad("incident", Problem::TooLong(64)));
        }
        // An incident's report spans its alerts: the period is found, not asked.
        let (from_ms, to_ms) = if incident.is_empty() {
            (time("from")?, time("to")?)
        } else {
            (0, vigie_model::time::MAX_MS)
        };
        if from_ms >= to_ms {
            return Err(bad("to", Problem::EndBeforeStart));
        }
        fn listed<T>(
            fields: &Params,
            name: &str,
            parse: fn(&str) -> Option<T>,
            allowed: &[&str],
        ) -> Result<Vec<T>, BadParam> {
            let mut out = Vec::new();
            for (_, v) in fields.iter().filter(|(k, _)| k == name) {
                if v.is_empty() {
                    continue;
                }
                out.push(parse(v).ok_or_else(|| bad(name, one_of(v, allowed)))?);
            }
            Ok(out)
        }
        let hosts: Vec<String> = param(fields, "hosts")
            .unwrap_or("")
            .split([',', ' ', '\n'])
            .map(str::trim)
            .filter(|h| !h.is_empty())
            .map(str::to_string)
            .collect();
        if hosts.len() > 500 || hosts.iter().any(|h| h.len() > 255) {
            return Err(bad("hosts", Problem::TooManyHosts));
        }
        let format = match param(fields, "format").unwrap_or("pdf") {
            "pdf" => Format::Pdf,
            "csv" => Format::Csv,
            "json" => Format::Json,
            f => return Err(bad("format", one_of(f, &["pdf", "csv", "json"]))),
        };
        let lang = match param(fields, "report_lang").unwrap_or("") {
            "" => lang,
            l => Lang::parse(l).ok_or_else(|| bad("report_lang", one_of(l, &["fr", "en"])))?,
        };
        let rule = param(fields, "rule").unwrap_or("").trim().to_string();
        if rule.len() > 255 {
            return Err(bad("rule", Problem::TooLong(255)));
        }
        let marking = param(fields, "marking").unwrap_or("").trim().to_string();
        if marking.chars().count() > 80 {
            return Err(bad("marking", Problem::TooLong(80)));
        }
        let recommendations = param(fields, "recommendations")
            .unwrap_or("")
            .trim()
            .to_string();
        if recommendations.chars().count() > 10_000 {
            return Err(bad("recommendations", Problem::TooLong(10_000)));
        }
        let annex = match param(fields, "annex").unwrap_or("yes") {
            "yes" | "true" | "on" | "1" => true,
            "no" | "false" | "0" => false,
            other => return Err(bad("annex", one_of(other, &["yes", "no"]))),
        };
        Ok(ReportRequest {
            from_ms,
            to_ms,
            hosts,
            severities: listed(fields, "severity", Severity::parse, &Severity::names())?,
            statuses: listed(fields, "status", AlertStatus::parse, &AlertStatus::names())?,
            rule,
            format,
            marking,
            recommendations,
            annex,
            incident,
            lang,
        })
    }
}

/// One alert of the report.
#[derive(Debug, Clone, Serialize)]
pub struct ReportAlert {
    /// Id.
    pub alert_id: String,
    /// Time (ms).
    pub ts: u64,
    /// Host.
    pub hostname: String,
    /// Agent.
    pub agent_id: String,
    /// Severity.
    pub severity: String,
    /// Current status.
    pub status: String,
    /// Current assignee.
    pub assignee: String,
    /// Rule id.
    pub rule_id: String,
    /// Rule title in the report's language.
    pub rule_title: String,
    /// Rule author.
    pub author: String,
    /// ATT&CK and other tags.
    pub tags: Vec<String>,
    /// What happened.
    pub summary: String,
    /// The file, program or address.
    pub target: String,
    /// The triggering events.
    pub events: Vec<Event>,
    /// Every triage step, oldest first.
    pub history: Vec<HistoryStep>,
}

/// Everything a report holds, whatever its format.
#[derive(Debug, Clone, Serialize)]
pub struct ReportData {
    /// What was asked.
    pub request: ReportRequest,
    /// When made (ms).
    pub generated_ms: u64,
    /// By whom.
    pub generated_by: String,
    /// Fingerprint of the key that signs it.
    pub key_fingerprint: String,
    /// Alerts matching, in all (more than are detailed when truncated).
    pub total_alerts: u64,
    /// Alerts per severity.
    pub by_severity: BTreeMap<String, u64>,
    /// Alerts per status.
    pub by_status: BTreeMap<String, u64>,
    /// Alerts per day (`YYYY-MM-DD`).
    pub timeline: BTreeMap<String, u64>,
    /// Alerts per host.
    pub hosts: BTreeMap<String, u64>,
    /// ATT&CK techniques seen: id → (name, alerts).
    pub techniques: BTreeMap<String, (String, u64)>,
    /// Agents that went silent in the period: host, agent, when.
    pub silent_agents: Vec<(String, String, u64)>,
    /// The alerts, oldest first.
    pub alerts: Vec<ReportAlert>,
    /// The incident, for an incident's report.
    pub incident: Option<crate::queries::incidents::Incident>,
}

impl ReportData {
    /// Counts one alert in the figures (severity, status, day, host, techniques).
    pub fn count(&mut self, severity: &str, status: &str, ts: u64, host: &str, tags: &[String]) {
        self.total_alerts += 1;
        *self.by_severity.entry(severity.into()).or_default() += 1;
        *self.by_status.entry(status.into()).or_default() += 1;
        *self.timeline.entry(vigie_model::time::day(ts)).or_default() += 1;
        *self.hosts.entry(host.into()).or_default() += 1;
        for (id, name) in crate::attack::techniques(tags) {
            self.techniques
                .entry(id)
                .or_insert((name.unwrap_or("").to_string(), 0))
                .1 += 1;
        }
    }
}

#[derive(Row, Deserialize)]
struct Step {
    alert_id: String,
    ts: u64,
    action: String,
    status: String,
    assignee: String,
    comment: String,
    actor: String,
}

#[derive(Row, Deserialize)]
struct Silent {
    hostname: String,
    agent_id: String,
    ts: u64,
}

/// Gathers the report's content; with `only`, of those alerts alone.
pub async fn gather(
    client: &Client,
    request: &ReportRequest,
    only: Option<&[String]>,
    generated_by: &str,
    key_fingerprint: &str,
) -> Result<ReportData, clickhouse::error::Error> {
    let mut sql = Sql::default();
    sql.push(
        "SELECT ?fields FROM alerts WHERE ts >= ? AND ts < ?",
        [Bind::Number(request.from_ms), Bind::Number(request.to_ms)],
    );
    if let Some(ids) = only {
        sql.push(" AND has(?, alert_id)", [Bind::Texts(ids.to_vec())]);
    }
    if !request.hosts.is_empty() {
        sql.push(
            " AND has(?, hostname)",
            [Bind::Texts(request.hosts.clone())],
        );
    }
    if !request.severities.is_empty() {
        sql.push(
            " AND has(?, severity)",
            [Bind::Texts(
                request
                    .severities
                    .iter()
                    .map(|s| s.as_str().into())
                    .collect(),
            )],
        );
    }
    if !request.rule.is_empty() {
        sql.push(" AND rule_id = ?", [Bind::Text(request.rule.clone())]);
    }
    sql.push(" ORDER BY ts, alert_id", []);
    let rows: Vec<AlertRow> = sql.query(client).fetch_all().await?;
    let ids: Vec<String> = rows.iter().map(|r| r.alert_id.clone()).collect();
    let mut steps: BTreeMap<String, Vec<HistoryStep>> = BTreeMap::new();
    for chunk in ids.chunks(10_000) {
        let found: Vec<Step> = client
            .query(
                "SELECT alert_id, ts, action, status, assignee, comment, actor FROM alert_actions \
                 WHERE has(?, alert_id) ORDER BY alert_id, ts",
            )
            .bind(chunk)
            .fetch_all()
            .await?;
        for s in found {
            steps.entry(s.alert_id).or_default().push(HistoryStep {
                ts: s.ts,
                action: s.action,
                status: s.status,
                assignee: s.assignee,
                comment: s.comment,
                actor: s.actor,
            });
        }
    }
    let mut data = ReportData {
        request: request.clone(),
        generated_ms: vigie_model::event::now_ms(),
        generated_by: generated_by.into(),
        key_fingerprint: key_fingerprint.into(),
        total_alerts: 0,
        by_severity: BTreeMap::new(),
        by_status: BTreeMap::new(),
        timeline: BTreeMap::new(),
        hosts: BTreeMap::new(),
        techniques: BTreeMap::new(),
        silent_agents: Vec::new(),
        alerts: Vec::new(),
        incident: None,
    };
    for row in rows {
        let history = steps.remove(&row.alert_id).unwrap_or_default();
        let status = history
            .iter()
            .rev()
            .find(|h| !h.status.is_empty())
            .map_or("new".to_string(), |h| h.status.clone());
        if !request.statuses.is_empty()
            && !request
                .statuses
                .iter()
                .any(|s| s.as_str() == status.as_str())
        {
            continue;
        }
        data.count(&row.severity, &status, row.ts, &row.hostname, &row.tags);
        if data.alerts.len() as u64 >= MAX_ALERTS {
            continue;
        }
        let assignee = history
            .iter()
            .rev()
            .find(|h| h.action == "assign")
            .map_or(String::new(), |h| h.assignee.clone());
        data.alerts.push(ReportAlert {
            rule_title: crate::i18n::rule_title(request.lang, &row.rule_title, &row.rule_title_fr)
                .to_string(),
            events: serde_json::from_str(&row.events).unwrap_or_default(),
            alert_id: row.alert_id,
            ts: row.ts,
            hostname: row.hostname,
            agent_id: row.agent_id,
            severity: row.severity,
            status,
            assignee,
            rule_id: row.rule_id,
            author: row.author,
            tags: row.tags,
            summary: crate::i18n::in_lang(request.lang, &row.summary, &row.summary_fr).to_string(),
            target: row.target,
            history,
        });
    }
    let mut silent = Sql::default();
    silent.push(
        "SELECT hostname, agent_id, ts FROM alerts WHERE ts >= ? AND ts < ? AND has(tags, 'vigie.fleet')",
        [Bind::Number(request.from_ms), Bind::Number(request.to_ms)],
    );
    if !request.hosts.is_empty() {
        silent.push(
            " AND has(?, hostname)",
            [Bind::Texts(request.hosts.clone())],
        );
    }
    silent.push(" ORDER BY ts", []);
    let found: Vec<Silent> = silent.query(client).fetch_all().await?;
    data.silent_agents = found
        .into_iter()
        .map(|s| (s.hostname, s.agent_id, s.ts))
        .collect();
    Ok(data)
}

/// A report made earlier, as the reports page lists it: the columns of
/// [`vigie_store::rows::ReportRow`] a list needs, without the file and its signature,
/// which can weigh megabytes each.
#[derive(Row, Deserialize)]
pub struct Listed {
    /// Its id.
    pub report_id: String,
    /// When it was made (ms).
    pub created_ms: u64,
    /// Who made it.
    pub actor: String,
    /// `pdf`, `csv` or `json`.
    pub format: String,
    /// Its language code.
    pub lang: String,
    /// Start of the period it covers (ms).
    pub from_ms: u64,
    /// End of the period (ms).
    pub to_ms: u64,
    /// The file's name.
    pub file_name: String,
    /// SHA-256 of the file.
    pub sha256: String,
}

/// The 200 latest reports, newest first.
pub async fn list(client: &Client) -> Result<Vec<Listed>, clickhouse::error::Error> {
    client
        .query(
            "SELECT report_id, created_ms, actor, format, lang, from_ms, to_ms, file_name, sha256 \
             FROM reports ORDER BY created_ms DESC LIMIT 200",
        )
        .fetch_all()
        .await
}
