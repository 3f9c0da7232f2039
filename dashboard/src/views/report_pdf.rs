//! The period report as a PDF a director reads in five minutes: a cover (organisation,
//! logo, title, period, marking, author, date), the contents, an executive summary
//! written from the figures, charts drawn as vector shapes, the hosts, the detections
//! grouped by rule and host, the ATT&CK techniques with their names, what analysts did,
//! recommendations (the analyst's, then those that follow from the techniques seen), a
//! sign-off block and how to check the signature; then, unless left out, an annex with
//! every alert, its events and its triage history.

use std::collections::BTreeMap;

use vigie_model::i18n::{date, date_time, fill, number};
use vigie_model::{AlertStatus, Severity};

use crate::i18n::{t, Lang, Msg};
use crate::queries::report::{ReportAlert, ReportData};
use crate::queries::triage::HistoryStep;
use crate::views::pdf::{Bar, Doc, Face, Frame, Op, Rgb, Style, CONTENT, MARGIN, WIDTH};

/// How the organisation presents its reports (from `[reports]`).
#[derive(Debug, Clone, Default)]
pub struct Presentation {
    /// Name on the cover.
    pub organisation: String,
    /// Logo (PNG or JPEG).
    pub logo: Option<Vec<u8>>,
    /// Marking when the report sets none.
    pub marking: String,
}

/// The colour of a severity in charts.
pub fn severity_color(severity: &str) -> Rgb {
    match severity {
        "critical" => Rgb(0x8b, 0x0f, 0x0f),
        "high" => Rgb(0xd9, 0x48, 0x0f),
        "medium" => Rgb(0xe0, 0x9b, 0x00),
        "low" => Rgb(0x2b, 0x6c, 0xb0),
        _ => Rgb(0x80, 0x80, 0x80),
    }
}

/// Most rule and host pairs the body lists (the most severe, then the most frequent).
const MOST_GROUPS: usize = 40;
/// Most triage comments the body quotes (the latest).
const LATEST_COMMENTS: usize = 15;

const SEVERITIES: [&str; 5] = ["critical", "high", "medium", "low", "informational"];

/// The report's marking: its own, else the configured one.
fn marking(data: &ReportData, presentation: &Presentation) -> String {
    if data.request.marking.is_empty() {
        presentation.marking.clone()
    } else {
        data.request.marking.clone()
    }
}

/// The PDF of `data`, named `file_name`.
pub fn render(data: &ReportData, presentation: &Presentation, file_name: &str) -> Vec<u8> {
    let lang = data.request.lang;
    let title = match &data.incident {
        Some(i) => format!("{} — {}", t(lang, Msg::ReportTitle), i.state.incident_id),
        None => t(lang, Msg::ReportPeriodTitle).to_string(),
    };
    let mut doc = Doc::new(Frame {
        title: title.clone(),
        marking: marking(data, presentation),
        page_of: t(lang, Msg::ReportPageOf).to_string(),
        lang: lang.code().to_string(),
        author: data.generated_by.clone(),
        logo: presentation.logo.clone(),
        created_ms: data.generated_ms,
    });
    cover(&mut doc, data, presentation, &title);
    doc.contents_here(t(lang, Msg::ReportContents));
    summary(&mut doc, data);
    charts(&mut doc, data);
    hosts(&mut doc, data);
    grouped(&mut doc, data);
    techniques(&mut doc, data);
    evidence(&mut doc, data);
    done(&mut doc, data);
    silent(&mut doc, data);
    recommendations(&mut doc, data);
    sign_off(&mut doc, data, file_name);
    if data.request.annex {
        annex(&mut doc, data);
    }
    doc.finish()
}

fn cover(doc: &mut Doc, data: &ReportData, presentation: &Presentation, title: &str) {
    let lang = data.request.lang;
    let r = &data.request;
    if presentation.logo.is_some() {
        doc.draw(Op::Logo {
            x: MARGIN,
            y: 80.0,
            w: 140.0,
            h: 70.0,
        });
    }
    doc.set_y(170.0);
    if !presentation.organisation.is_empty() {
        doc.lines(
            Style {
                face: Face::Bold,
                size: 14.0,
                leading: 19.0,
                color: Rgb::BLACK,
            },
            &presentation.organisation,
        );
    }
    doc.set_y(300.0);
    doc.lines(
        Style {
            face: Face::Bold,
            size: 26.0,
            leading: 32.0,
            color: Rgb::ACCENT,
        },
        title,
    );
    if let Some(i) = &data.incident {
        doc.lines(
            Style {
                face: Face::Bold,
                size: 16.0,
                leading: 22.0,
                color: Rgb::BLACK,
            },
            &i.state.title,
        );
    }
    doc.space(8.0);
    doc.lines(
        Style {
            face: Face::Regular,
            size: 14.0,
            leading: 20.0,
            color: Rgb::BLACK,
        },
        &format!(
            "{} — {}",
            date_time(lang, r.from_ms),
            date_time(lang, r.to_ms)
        ),
    );
    let marking = marking(data, presentation);
    if !marking.is_empty() {
        doc.space(30.0);
        doc.lines(
            Style {
                face: Face::Bold,
                size: 16.0,
                leading: 22.0,
                color: Rgb::MARKING,
            },
            &marking,
        );
    }
    doc.set_y(600.0);
    doc.facts(&[
        (
            t(lang, Msg::ReportPreparedBy).to_string(),
            data.generated_by.clone(),
        ),
        (
            t(lang, Msg::ReportGenerated).to_string(),
            format!("{} UTC", date_time(lang, data.generated_ms)),
        ),
        (t(lang, Msg::ReportFilters).to_string(), filters(data)),
        (
            t(lang, Msg::ReportKey).to_string(),
            data.key_fingerprint.clone(),
        ),
    ]);
}

/// The filters in words.
fn filters(data: &ReportData) -> String {
    let lang = data.request.lang;
    let r = &data.request;
    // French agrees: "Hôte : tous", "Gravité : toutes".
    let any = || t(lang, Msg::Any).to_string();
    let any_f = || t(lang, Msg::AnyFeminine).to_string();
    let sep = crate::i18n::colon(lang);
    [
        (
            Msg::FilterHost,
            if r.hosts.is_empty() {
                any()
            } else {
                r.hosts.join(", ")
            },
        ),
        (
            Msg::FilterSeverity,
            if r.severities.is_empty() {
                any_f()
            } else {
                r.severities
                    .iter()
                    .map(|s| s.label(lang))
                    .collect::<Vec<_>>()
                    .join(", ")
            },
        ),
        (
            Msg::FilterStatus,
            if r.statuses.is_empty() {
                any()
            } else {
                r.statuses
                    .iter()
                    .map(|s| s.label(lang))
                    .collect::<Vec<_>>()
                    .join(", ")
            },
        ),
        (
            Msg::FilterRule,
            if r.rule.is_empty() {
                any_f()
            } else {
                r.rule.clone()
            },
        ),
    ]
    .iter()
    .map(|(k, v)| format!("{}{sep}{v}", t(lang, *k)))
    .collect::<Vec<_>>()
    .join(" · ")
}

/// "3 critical, 10 high and 5 medium".
fn severity_list(data: &ReportData) -> String {
    let lang = data.request.lang;
    let parts: Vec<String> = SEVERITIES
        .iter()
        .filter_map(|s| {
            let n = *data.by_severity.get(*s)?;
            (n > 0).then(|| {
                let label = Severity::label_of(s, lang).to_lowercase();
                // French adjectives agree: "2 élevées".
                let plural = if lang == Lang::Fr && n > 1 { "s" } else { "" };
                format!("{} {label}{plural}", number(lang, n))
            })
        })
        .collect();
    let and = format!(" {} ", t(lang, Msg::And));
    match parts.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{}{and}{last}", rest.join(", ")),
    }
}

/// The detected alerts grouped by rule and host: rule, host, highest severity, count,
/// first, last.
struct Group<'a> {
    rule: &'a str,
    host: &'a str,
    severity: &'a str,
    count: u64,
    first: u64,
    last: u64,
}

fn groups(alerts: &[ReportAlert]) -> Vec<Group<'_>> {
    let mut map: BTreeMap<(&str, &str), Group<'_>> = BTreeMap::new();
    for a in alerts {
        let g = map
            .entry((a.rule_title.as_str(), a.hostname.as_str()))
            .or_insert(Group {
                rule: &a.rule_title,
                host: &a.hostname,
                severity: &a.severity,
                count: 0,
                first: a.ts,
                last: a.ts,
            });
        g.count += 1;
        g.first = g.first.min(a.ts);
        g.last = g.last.max(a.ts);
        if rank(&a.severity) < rank(g.severity) {
            g.severity = &a.severity;
        }
    }
    let mut out: Vec<Group<'_>> = map.into_values().collect();
    out.sort_by(|a, b| {
        rank(a.severity)
            .cmp(&rank(b.severity))
            .then(b.count.cmp(&a.count))
    });
    out
}

fn rank(severity: &str) -> usize {
    SEVERITIES
        .iter()
        .position(|s| *s == severity)
        .unwrap_or(SEVERITIES.len())
}

/// "1 alert", "12 alerts" (or hosts) in `lang`.
fn counted(lang: Lang, n: u64, one: Msg, many: Msg) -> String {
    if n == 1 {
        t(lang, one).to_string()
    } else {
        fill(lang, many, &[("n", &number(lang, n))])
    }
}

fn alerts(lang: Lang, n: u64) -> String {
    counted(lang, n, Msg::AlertsOne, Msg::AlertsMany)
}

fn summary(doc: &mut Doc, data: &ReportData) {
    let lang = data.request.lang;
    let r = &data.request;
    doc.heading(t(lang, Msg::ReportExecutive));
    if let Some(i) = &data.incident {
        let s = &i.state;
        let mut text = fill(
            lang,
            Msg::ReportIncidentSentence,
            &[
                ("id", &s.incident_id),
                ("title", &s.title),
                ("by", &s.created_by),
                ("date", &date_time(lang, s.created_ms)),
                (
                    "severity",
                    &Severity::label_of(&s.severity, lang).to_lowercase(),
                ),
                (
                    "status",
                    &crate::views::incidents::status_label(lang, &s.status).to_lowercase(),
                ),
            ],
        );
        text.push(' ');
        if s.owner.is_empty() {
            text.push_str(t(lang, Msg::ReportIncidentNoOwner));
        } else {
            text.push_str(&fill(
                lang,
                Msg::ReportIncidentOwner,
                &[("owner", &s.owner)],
            ));
        }
        doc.paragraph(&text);
    }
    let from = date_time(lang, r.from_ms);
    let to = date_time(lang, r.to_ms);
    let n = alerts(lang, data.total_alerts);
    if data.total_alerts == 0 {
        doc.paragraph(&fill(
            lang,
            Msg::ReportSentenceNone,
            &[("from", &from), ("to", &to)],
        ));
    } else if data.hosts.len() == 1 {
        let host = data.hosts.keys().next().cloned().unwrap_or_default();
        doc.paragraph(&fill(
            lang,
            Msg::ReportSentencePeriodOne,
            &[
                ("from", &from),
                ("to", &to),
                ("alerts", &n),
                ("host", &host),
            ],
        ));
    } else {
        doc.paragraph(&fill(
            lang,
            Msg::ReportSentencePeriod,
            &[
                ("from", &from),
                ("to", &to),
                ("alerts", &n),
                (
                    "hosts",
                    &counted(lang, data.hosts.len() as u64, Msg::HostsOne, Msg::HostsMany),
                ),
            ],
        ));
    }
    if data.total_alerts > 0 {
        doc.paragraph(&fill(
            lang,
            Msg::ReportSentenceSeverity,
            &[("list", &severity_list(data))],
        ));
        let count = |names: &[&str]| -> String {
            number(
                lang,
                names
                    .iter()
                    .map(|s| data.by_status.get(*s).copied().unwrap_or(0))
                    .sum(),
            )
        };
        doc.paragraph(&fill(
            lang,
            Msg::ReportSentenceStatus,
            &[
                ("open", &count(&["new", "acknowledged"])),
                ("resolved", &count(&["resolved"])),
                ("fp", &count(&["false_positive"])),
            ],
        ));
        if let Some((day, n)) = data.timeline.iter().max_by_key(|(_, n)| **n) {
            let ms = vigie_model::time::parse_time(&format!("{day}T00:00")).unwrap_or(0);
            doc.paragraph(&fill(
                lang,
                Msg::ReportSentenceBusiest,
                &[("day", &date(lang, ms)), ("alerts", &alerts(lang, *n))],
            ));
        }
        if data.hosts.len() > 1 {
            if let Some((host, n)) = data.hosts.iter().max_by_key(|(_, n)| **n) {
                doc.paragraph(&fill(
                    lang,
                    Msg::ReportSentenceHost,
                    &[("host", host), ("alerts", &alerts(lang, *n))],
                ));
            }
        }
        let mut by_rule: BTreeMap<&str, u64> = BTreeMap::new();
        for a in &data.alerts {
            *by_rule.entry(&a.rule_title).or_default() += 1;
        }
        if let Some((rule, n)) = by_rule.iter().max_by_key(|(_, n)| **n) {
            doc.paragraph(&fill(
                lang,
                Msg::ReportSentenceRule,
                &[("rule", rule), ("alerts", &alerts(lang, *n))],
            ));
        }
        if let Some((id, (name, _))) = data.techniques.iter().max_by_key(|(_, (_, n))| *n) {
            doc.paragraph(&fill(
                lang,
                Msg::ReportSentenceTechniques,
                &[
                    ("n", &number(lang, data.techniques.len() as u64)),
                    ("id", id),
                    ("name", name),
                ],
            ));
        }
    }
    if data.silent_agents.is_empty() {
        doc.paragraph(t(lang, Msg::ReportSentenceNoSilent));
    } else {
        doc.paragraph(&fill(
            lang,
            Msg::ReportSentenceSilent,
            &[("n", &number(lang, data.silent_agents.len() as u64))],
        ));
    }
    if data.total_alerts > data.alerts.len() as u64 {
        doc.paragraph(&fill(
            lang,
            Msg::ReportTruncated,
            &[("n", &number(lang, data.alerts.len() as u64))],
        ));
    }
}

fn charts(doc: &mut Doc, data: &ReportData) {
    let lang = data.request.lang;
    doc.heading(t(lang, Msg::ReportCharts));
    if !data.timeline.is_empty() {
        doc.subheading(t(lang, Msg::ReportTimeline));
        let bars: Vec<Bar> = data
            .timeline
            .iter()
            .map(|(day, n)| Bar {
                label: day[5..].to_string(),
                value: *n,
                color: Rgb::ACCENT,
            })
            .collect();
        let every = (bars.len() / 10).max(1);
        doc.space(12.0);
        doc.column_chart(&bars, 110.0, every);
    }
    doc.subheading(t(lang, Msg::FilterSeverity));
    let bars: Vec<Bar> = SEVERITIES
        .iter()
        .map(|s| Bar {
            label: Severity::label_of(s, lang).to_string(),
            value: data.by_severity.get(*s).copied().unwrap_or(0),
            color: severity_color(s),
        })
        .collect();
    doc.bar_chart(&bars);
    doc.subheading(t(lang, Msg::ReportByStatus));
    let bars: Vec<Bar> = AlertStatus::names()
        .iter()
        .map(|s| Bar {
            label: AlertStatus::label_of(s, lang).to_string(),
            value: data.by_status.get(*s).copied().unwrap_or(0),
            color: Rgb::GREY,
        })
        .collect();
    doc.bar_chart(&bars);
}

fn hosts(doc: &mut Doc, data: &ReportData) {
    let lang = data.request.lang;
    doc.heading(t(lang, Msg::ReportHosts));
    if data.hosts.is_empty() {
        doc.paragraph(t(lang, Msg::EarlierEmpty));
        return;
    }
    doc.paragraph(&fill(
        lang,
        Msg::ReportHostsSentence,
        &[("n", &number(lang, data.hosts.len() as u64))],
    ));
    let mut rows: Vec<(&String, &u64)> = data.hosts.iter().collect();
    rows.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    let rows: Vec<Vec<String>> = rows
        .into_iter()
        .map(|(host, n)| {
            let mine = data.alerts.iter().filter(|a| &a.hostname == host);
            let highest = mine
                .clone()
                .map(|a| a.severity.as_str())
                .min_by_key(|s| rank(s))
                .unwrap_or("");
            let first = mine.clone().map(|a| a.ts).min();
            let last = mine.map(|a| a.ts).max();
            vec![
                host.clone(),
                number(lang, *n),
                Severity::label_of(highest, lang).to_string(),
                first.map(|ms| date_time(lang, ms)).unwrap_or_default(),
                last.map(|ms| date_time(lang, ms)).unwrap_or_default(),
            ]
        })
        .collect();
    doc.table(
        &[
            t(lang, Msg::ColHost).to_string(),
            t(lang, Msg::ReportCount).to_string(),
            t(lang, Msg::ReportHighest).to_string(),
            t(lang, Msg::ReportFirst).to_string(),
            t(lang, Msg::ReportLast).to_string(),
        ],
        &[0.3, 0.1, 0.18, 0.21, 0.21],
        &rows,
    );
}

fn grouped(doc: &mut Doc, data: &ReportData) {
    let lang = data.request.lang;
    doc.heading(t(lang, Msg::ReportGrouped));
    let rows: Vec<Vec<String>> = groups(&data.alerts)
        .into_iter()
        .map(|g| {
            vec![
                g.rule.to_string(),
                g.host.to_string(),
                Severity::label_of(g.severity, lang).to_string(),
                number(lang, g.count),
                date_time(lang, g.first),
                date_time(lang, g.last),
            ]
        })
        .collect();
    if rows.is_empty() {
        doc.paragraph(t(lang, Msg::EarlierEmpty));
        return;
    }
    let more = rows.len().saturating_sub(MOST_GROUPS);
    let rows = &rows[..rows.len().min(MOST_GROUPS)];
    if more > 0 {
        doc.paragraph(&fill(
            lang,
            Msg::ReportMoreGroups,
            &[
                ("shown", &number(lang, MOST_GROUPS as u64)),
                ("more", &number(lang, more as u64)),
            ],
        ));
    }
    doc.table(
        &[
            t(lang, Msg::Rule).to_string(),
            t(lang, Msg::ColHost).to_string(),
            t(lang, Msg::ReportHighest).to_string(),
            t(lang, Msg::ReportCount).to_string(),
            t(lang, Msg::ReportFirst).to_string(),
            t(lang, Msg::ReportLast).to_string(),
        ],
        &[0.3, 0.15, 0.13, 0.08, 0.17, 0.17],
        rows,
    );
}

fn techniques(doc: &mut Doc, data: &ReportData) {
    let lang = data.request.lang;
    doc.heading(t(lang, Msg::RuleTechniques));
    // An incident's techniques, as the analysts set them, with those of its alerts.
    let mut all = data.techniques.clone();
    for id in data.incident.iter().flat_map(|i| &i.state.techniques) {
        let tag = format!("attack.{}", id.to_lowercase());
        for (id, name) in crate::attack::techniques(&[tag]) {
            all.entry(id).or_insert((name.unwrap_or("").to_string(), 0));
        }
    }
    if all.is_empty() {
        doc.paragraph(t(lang, Msg::EarlierEmpty));
        return;
    }
    let mut rows: Vec<(&String, &(String, u64))> = all.iter().collect();
    rows.sort_by_key(|r| std::cmp::Reverse(r.1 .1));
    let rows: Vec<Vec<String>> = rows
        .into_iter()
        .map(|(id, (name, n))| vec![id.clone(), name.clone(), number(lang, *n)])
        .collect();
    doc.table(
        &[
            "ATT&CK".to_string(),
            t(lang, Msg::ReportTechniqueName).to_string(),
            t(lang, Msg::ReportCount).to_string(),
        ],
        &[0.15, 0.7, 0.15],
        &rows,
    );
}

fn done(doc: &mut Doc, data: &ReportData) {
    let lang = data.request.lang;
    doc.heading(t(lang, Msg::ReportDone));
    if let Some(i) = &data.incident {
        let rows: Vec<Vec<String>> = i
            .history
            .iter()
            .filter(|h| !h.text.is_empty())
            .map(|h| {
                vec![
                    date_time(lang, h.ts),
                    h.actor.clone(),
                    crate::views::incidents::did(lang, &h.action).to_string(),
                    h.text.clone(),
                ]
            })
            .collect();
        if !rows.is_empty() {
            doc.paragraph(t(lang, Msg::ReportIncidentLog));
            doc.table(
                &[
                    t(lang, Msg::ColTime).to_string(),
                    t(lang, Msg::ReportAnalyst).to_string(),
                    t(lang, Msg::ColAction).to_string(),
                    t(lang, Msg::ReportComment).to_string(),
                ],
                &[0.18, 0.14, 0.18, 0.5],
                &rows,
            );
        }
    }
    let steps: usize = data.alerts.iter().map(|a| a.history.len()).sum();
    if steps == 0 {
        doc.paragraph(t(lang, Msg::ReportDoneNone));
        return;
    }
    doc.paragraph(&fill(
        lang,
        Msg::ReportDoneSentence,
        &[("n", &number(lang, steps as u64))],
    ));
    let mut rows: Vec<(u64, Vec<String>)> = Vec::new();
    for a in &data.alerts {
        for h in a.history.iter().filter(|h| !h.comment.is_empty()) {
            let mut what = crate::queries::triage::action_label(&h.action, lang).to_string();
            if !h.status.is_empty() {
                what.push_str(&format!(" → {}", AlertStatus::label_of(&h.status, lang)));
            }
            rows.push((
                h.ts,
                vec![
                    date_time(lang, h.ts),
                    h.actor.clone(),
                    format!("{} ({})", a.rule_title, a.hostname),
                    what,
                    h.comment.clone(),
                ],
            ));
        }
    }
    // Who did what, in a few lines; then the latest comments only: every step is in
    // the annex, and the body stays short enough to read.
    let mut by_analyst: BTreeMap<&str, (u64, u64, u64)> = BTreeMap::new();
    for h in data.alerts.iter().flat_map(|a| &a.history) {
        let entry = by_analyst.entry(h.actor.as_str()).or_default();
        entry.0 += 1;
        match h.status.as_str() {
            "resolved" => entry.1 += 1,
            "false_positive" => entry.2 += 1,
            _ => {}
        }
    }
    doc.table(
        &[
            t(lang, Msg::ReportAnalyst).to_string(),
            t(lang, Msg::ReportSteps).to_string(),
            AlertStatus::label_of("resolved", lang).to_string(),
            AlertStatus::label_of("false_positive", lang).to_string(),
        ],
        &[0.4, 0.2, 0.2, 0.2],
        &by_analyst
            .iter()
            .map(|(who, (n, resolved, fp))| {
                vec![
                    who.to_string(),
                    number(lang, *n),
                    number(lang, *resolved),
                    number(lang, *fp),
                ]
            })
            .collect::<Vec<_>>(),
    );
    rows.sort_by_key(|(ts, _)| std::cmp::Reverse(*ts));
    let all = rows.len();
    rows.truncate(LATEST_COMMENTS);
    rows.reverse();
    let rows: Vec<Vec<String>> = rows.into_iter().map(|(_, r)| r).collect();
    if all > rows.len() {
        doc.paragraph(&fill(
            lang,
            Msg::ReportLatestComments,
            &[
                ("n", &number(lang, rows.len() as u64)),
                ("all", &number(lang, all as u64)),
            ],
        ));
    }
    if !rows.is_empty() {
        doc.table(
            &[
                t(lang, Msg::ColTime).to_string(),
                t(lang, Msg::ReportAnalyst).to_string(),
                t(lang, Msg::ColRule).to_string(),
                t(lang, Msg::ColAction).to_string(),
                t(lang, Msg::ReportComment).to_string(),
            ],
            &[0.17, 0.12, 0.25, 0.16, 0.3],
            &rows,
        );
    }
}

/// An incident's evidence: what it is and its SHA-256, who kept it and when.
fn evidence(doc: &mut Doc, data: &ReportData) {
    let Some(i) = &data.incident else { return };
    let lang = data.request.lang;
    doc.heading(t(lang, Msg::IncidentEvidence));
    if i.evidence.is_empty() {
        doc.paragraph(t(lang, Msg::EarlierEmpty));
        return;
    }
    // A list, not a table: each SHA-256 stays whole on its line.
    for e in &i.evidence {
        doc.keep(40.0);
        doc.lines(Style::BOLD, &format!("{} ({})", e.label, e.kind));
        doc.lines(
            Style::SMALL,
            &format!("{}, {}", e.added_by, date_time(lang, e.added_ms)),
        );
        doc.lines(
            Style {
                face: Face::Mono,
                size: 7.0,
                leading: 10.0,
                color: Rgb::BLACK,
            },
            &format!("SHA-256 {}", e.sha256),
        );
        doc.space(4.0);
    }
}

fn silent(doc: &mut Doc, data: &ReportData) {
    let lang = data.request.lang;
    doc.heading(t(lang, Msg::ReportSilent));
    if data.silent_agents.is_empty() {
        doc.paragraph(t(lang, Msg::ReportSentenceNoSilent));
        return;
    }
    let rows: Vec<Vec<String>> = data
        .silent_agents
        .iter()
        .map(|(host, agent, ts)| vec![date_time(lang, *ts), host.clone(), agent.clone()])
        .collect();
    doc.table(
        &[
            t(lang, Msg::ColTime).to_string(),
            t(lang, Msg::ColHost).to_string(),
            "Agent".to_string(),
        ],
        &[0.25, 0.35, 0.4],
        &rows,
    );
}

fn recommendations(doc: &mut Doc, data: &ReportData) {
    let lang = data.request.lang;
    doc.heading(t(lang, Msg::ReportRecommendations));
    let incident = data
        .incident
        .as_ref()
        .map_or("", |i| i.state.recommendations.as_str());
    let mut items: Vec<String> = incident
        .lines()
        .chain(data.request.recommendations.lines())
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect();
    items.extend(
        super::recommendations::defaults(data)
            .iter()
            .map(|r| r.text(lang)),
    );
    if items.is_empty() {
        doc.paragraph(t(lang, Msg::EarlierEmpty));
    }
    for (i, item) in items.iter().enumerate() {
        let number = format!("{}.", i + 1);
        let top = doc.y();
        doc.lines_at(Style::BOLD, &number, MARGIN, 20.0);
        doc.set_y(top);
        doc.lines_at(Style::BODY, item, MARGIN + 20.0, CONTENT - 20.0);
        doc.space(4.0);
    }
}

fn sign_off(doc: &mut Doc, data: &ReportData, file_name: &str) {
    let lang = data.request.lang;
    doc.heading(t(lang, Msg::ReportSignOff));
    doc.sign_off(&[
        (
            t(lang, Msg::ReportPreparedBy).to_string(),
            format!(
                "{}\n{}",
                data.generated_by,
                date_time(lang, data.generated_ms)
            ),
        ),
        (t(lang, Msg::ReportApprovedBy).to_string(), String::new()),
        (t(lang, Msg::ReportDateSignature).to_string(), String::new()),
    ]);
    doc.subheading(t(lang, Msg::ReportSignatureFacts));
    signature_facts(doc, lang, file_name, &data.key_fingerprint);
}

/// How the file is signed and the command that checks it, on a line of its own, small
/// enough never to wrap.
pub fn signature_facts(doc: &mut Doc, lang: Lang, file_name: &str, fingerprint: &str) {
    doc.paragraph(&fill(
        lang,
        Msg::ReportSignatureText,
        &[("file", &file_name)],
    ));
    doc.lines(
        Style {
            face: Face::Mono,
            size: 6.0,
            leading: 9.0,
            color: Rgb::BLACK,
        },
        &format!("vigie report verify {file_name} --key {fingerprint}"),
    );
}

fn annex(doc: &mut Doc, data: &ReportData) {
    let lang = data.request.lang;
    doc.new_page();
    doc.heading(t(lang, Msg::ReportAnnexTitle));
    for a in &data.alerts {
        doc.keep(60.0);
        doc.lines(
            Style::BOLD,
            &format!(
                "{} — {} — {}",
                a.rule_title,
                a.hostname,
                Severity::label_of(&a.severity, lang)
            ),
        );
        doc.lines(
            Style::SMALL,
            &format!(
                "{} · {} UTC · {} · {}",
                a.alert_id,
                date_time(lang, a.ts),
                AlertStatus::label_of(&a.status, lang),
                a.summary
            ),
        );
        for event in &a.events {
            let mut fields = format!(
                "{} seq {} {} ·",
                event.category,
                event.seq,
                date_time(lang, event.ts)
            );
            for (k, v) in &event.fields {
                let v = match v {
                    serde_json::Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                fields.push_str(&format!(" {k}={v}"));
            }
            doc.lines(Style::MONO, &fields);
        }
        for line in history_text(lang, &a.history) {
            doc.lines(Style::MONO, &line);
        }
        doc.draw(Op::Line {
            x1: MARGIN,
            y1: doc.y() + 3.0,
            x2: WIDTH - MARGIN,
            y2: doc.y() + 3.0,
            color: Rgb::RULE,
        });
        doc.space(8.0);
    }
}

/// Each triage step as a line of text.
pub fn history_text(lang: Lang, history: &[HistoryStep]) -> Vec<String> {
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
            format!(
                "{} UTC  {}  {what}{why}",
                crate::views::html::utc(h.ts),
                h.actor
            )
        })
        .collect()
}
