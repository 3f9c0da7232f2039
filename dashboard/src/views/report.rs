//! Incident reports as files: PDF (own writer, standard fonts), CSV or JSON, in French or
//! English, from what [`crate::queries::report::gather`] collected.

use std::collections::BTreeMap;

use vigie_model::{AlertStatus, Severity};

use crate::i18n::{t, Lang, Msg};
use crate::queries::report::{Format, ReportData};
use crate::queries::triage::HistoryStep;
use crate::views::html::utc;
use crate::views::pdf::{Pdf, Style};

/// The file name of a report made at `ms` in `format`.
pub fn file_name(data: &ReportData) -> String {
    format!(
        "vigie-report-{}.{}",
        utc(data.generated_ms).replace([' ', ':'], "-"),
        data.request.format.name()
    )
}

/// The report as a file in its format.
pub fn render(data: &ReportData) -> Vec<u8> {
    match data.request.format {
        Format::Json => serde_json::to_vec_pretty(data).expect("serializable"),
        Format::Csv => csv(data).into_bytes(),
        Format::Pdf => pdf(data),
    }
}

fn history_text(lang: Lang, history: &[HistoryStep]) -> Vec<String> {
    history
        .iter()
        .map(|h| {
            let mut what = crate::queries::triage::action_label(&h.action, lang).to_string();
            if !h.status.is_empty() {
                what.push_str(&format!(": {}", AlertStatus::label_of(&h.status, lang)));
            }
            if !h.assignee.is_empty() {
                what.push_str(&format!(" -> {}", h.assignee));
            }
            let why = if h.comment.is_empty() {
                String::new()
            } else {
                format!(" — {}", h.comment)
            };
            format!("{} UTC  {}  {what}{why}", utc(h.ts), h.actor)
        })
        .collect()
}

fn csv(data: &ReportData) -> String {
    let lang = data.request.lang;
    let header: Vec<String> = [
        "alert_id",
        "time_utc",
        "host",
        "agent_id",
        "severity",
        "status",
        "assignee",
        "rule_id",
        "rule",
        "author",
        "tags",
        "summary",
        "target",
        "triage_history",
        "events",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let mut out = crate::views::csv::line(&header);
    for a in &data.alerts {
        out.push_str(&crate::views::csv::line(&[
            a.alert_id.clone(),
            utc(a.ts),
            a.hostname.clone(),
            a.agent_id.clone(),
            a.severity.clone(),
            a.status.clone(),
            a.assignee.clone(),
            a.rule_id.clone(),
            a.rule_title.clone(),
            a.author.clone(),
            a.tags.join(" "),
            a.summary.clone(),
            a.target.clone(),
            history_text(lang, &a.history).join(" | "),
            serde_json::to_string(&a.events).expect("serializable"),
        ]));
    }
    out
}

fn pdf(data: &ReportData) -> Vec<u8> {
    let lang = data.request.lang;
    let r = &data.request;
    let mut doc = Pdf::new(t(lang, Msg::ReportTitle));
    doc.text(Style::Title, t(lang, Msg::ReportTitle));
    for (key, value) in [
        (
            Msg::ReportPeriod,
            format!("{} — {} UTC", utc(r.from_ms), utc(r.to_ms)),
        ),
        (
            Msg::ReportGenerated,
            format!("{} UTC, {}", utc(data.generated_ms), data.generated_by),
        ),
        (Msg::ReportKey, data.key_fingerprint.clone()),
        (
            Msg::ReportFilters,
            format!(
                "{}: {} · {}: {} · {}: {} · {}: {}",
                t(lang, Msg::FilterHost),
                if r.hosts.is_empty() {
                    t(lang, Msg::Any).to_string()
                } else {
                    r.hosts.join(", ")
                },
                t(lang, Msg::FilterSeverity),
                if r.severities.is_empty() {
                    t(lang, Msg::Any).to_string()
                } else {
                    labels(r.severities.iter().map(|s| s.label(lang)))
                },
                t(lang, Msg::FilterStatus),
                if r.statuses.is_empty() {
                    t(lang, Msg::Any).to_string()
                } else {
                    labels(r.statuses.iter().map(|s| s.label(lang)))
                },
                t(lang, Msg::FilterRule),
                if r.rule.is_empty() {
                    t(lang, Msg::Any).to_string()
                } else {
                    r.rule.clone()
                },
            ),
        ),
    ] {
        doc.text(Style::Body, &format!("{}: {value}", t(lang, key)));
    }
    doc.space(8.0);
    doc.text(Style::Heading, t(lang, Msg::ReportSummary));
    doc.text(
        Style::Body,
        &format!("{}: {}", t(lang, Msg::ReportAlerts), data.total_alerts),
    );
    let counts = |map: &BTreeMap<String, u64>, label: fn(&str, Lang) -> &str| -> String {
        map.iter()
            .map(|(k, n)| format!("{} {n}", label(k, lang)))
            .collect::<Vec<_>>()
            .join(" · ")
    };
    doc.text(
        Style::Body,
        &format!(
            "{}: {}",
            t(lang, Msg::FilterSeverity),
            counts(&data.by_severity, Severity::label_of)
        ),
    );
    doc.text(
        Style::Body,
        &format!(
            "{}: {}",
            t(lang, Msg::FilterStatus),
            counts(&data.by_status, AlertStatus::label_of)
        ),
    );
    if data.total_alerts > data.alerts.len() as u64 {
        doc.text(
            Style::Body,
            &t(lang, Msg::ReportTruncated).replace("{n}", &data.alerts.len().to_string()),
        );
    }
    doc.space(6.0);
    doc.text(Style::Heading, t(lang, Msg::ReportTimeline));
    let busiest = data.timeline.values().copied().max().unwrap_or(1).max(1);
    for (day, n) in &data.timeline {
        let bar = "#".repeat(((*n * 60) / busiest).max(1) as usize);
        doc.text(Style::Mono, &format!("{day}  {n:>6}  {bar}"));
    }
    doc.space(6.0);
    doc.text(Style::Heading, t(lang, Msg::ReportHosts));
    for (host, n) in &data.hosts {
        doc.text(Style::Mono, &format!("{n:>6}  {host}"));
    }
    doc.space(6.0);
    doc.text(Style::Heading, t(lang, Msg::RuleTechniques));
    for (id, (name, n)) in &data.techniques {
        doc.text(Style::Mono, &format!("{n:>6}  {id}  {name}"));
    }
    doc.space(6.0);
    doc.text(Style::Heading, t(lang, Msg::ReportSilent));
    if data.silent_agents.is_empty() {
        doc.text(Style::Body, t(lang, Msg::EarlierEmpty));
    }
    for (host, agent, ts) in &data.silent_agents {
        doc.text(Style::Mono, &format!("{} UTC  {host}  ({agent})", utc(*ts)));
    }
    doc.space(6.0);
    doc.text(Style::Heading, t(lang, Msg::ReportAlertList));
    for a in &data.alerts {
        doc.space(6.0);
        doc.text(
            Style::Body,
            &format!(
                "{} · {} UTC · {} · {} · {}",
                a.alert_id,
                utc(a.ts),
                a.hostname,
                Severity::label_of(&a.severity, lang),
                AlertStatus::label_of(&a.status, lang),
            ),
        );
        doc.text(
            Style::Body,
            &format!(
                "{}: {} ({}, {})",
                t(lang, Msg::Rule),
                a.rule_title,
                a.rule_id,
                a.author
            ),
        );
        doc.text(
            Style::Body,
            &format!("{}: {}", t(lang, Msg::ColSummary), a.summary),
        );
        for event in &a.events {
            let mut fields = format!("{} seq {} {} ·", event.category, event.seq, utc(event.ts));
            for (k, v) in &event.fields {
                let v = match v {
                    serde_json::Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                fields.push_str(&format!(" {k}={v}"));
            }
            doc.text(Style::Mono, &fields);
        }
        let history = history_text(lang, &a.history);
        if history.is_empty() {
            doc.text(
                Style::Mono,
                &format!("{}: {}", t(lang, Msg::History), t(lang, Msg::HistoryEmpty)),
            );
        }
        for line in history {
            doc.text(Style::Mono, &format!("{}: {line}", t(lang, Msg::History)));
        }
    }
    doc.finish()
}

/// Words joined for a sentence.
fn labels<'a>(words: impl Iterator<Item = &'a str>) -> String {
    words.collect::<Vec<_>>().join(", ")
}
