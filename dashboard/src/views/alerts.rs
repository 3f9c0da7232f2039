//! The alert queue: filters, tabs per status with counts, the lines (grouped repeats
//! with a count), bulk triage controls, pages; and the badges other pages reuse.

use maud::{html, Markup};
use vigie_model::{AlertStatus, Severity};

use crate::auth::Principal;
use crate::i18n::{fill, t, Lang, Msg};
use crate::queries::alerts::{AlertFilter, AlertLine, Sort, RANGES};
use crate::views::html::utc;
use crate::views::triage::{triage_controls, ScopeChoice};

/// A severity badge.
pub fn severity_badge(lang: Lang, severity: &str) -> Markup {
    html! { span class={ "sev sev-" (severity) } { (Severity::label_of(severity, lang)) } }
}

/// A status badge.
pub fn status_badge(lang: Lang, status: &str) -> Markup {
    html! { span class={ "st st-" (status) } { (AlertStatus::label_of(status, lang)) } }
}

/// The rule title in the user's language.
pub fn title<'a>(lang: Lang, en: &'a str, fr: &'a str) -> &'a str {
    crate::i18n::rule_title(lang, en, fr)
}

/// What the queue page needs.
pub struct Queue<'a> {
    /// The filter in force.
    pub filter: &'a AlertFilter,
    /// This page's lines.
    pub lines: &'a [AlertLine],
    /// Whether a next page exists.
    pub more: bool,
    /// Alerts per status under the filter.
    pub counts: &'a [(String, u64)],
    /// Alerts just triaged, to say so.
    pub done: Option<u64>,
    /// Who alerts may be assigned to.
    pub assignees: &'a [String],
    /// Why the last triage was refused, and what.
    pub refused: Option<(Msg, String)>,
}

/// The page's body.
pub fn page(lang: Lang, who: &Principal, q: &Queue<'_>) -> Markup {
    html! {
        h1 { (t(lang, Msg::AlertsTitle)) }
        @if let Some(n) = q.done {
            p.ok role="status" { (crate::i18n::fill(lang, Msg::TriageDone, &[("n", &n)])) }
        }
        (filter_form(lang, q.filter))
        (status_tabs(lang, q.filter, q.counts))
        (queue(lang, who, q))
    }
}

fn filter_form(lang: Lang, f: &AlertFilter) -> Markup {
    let custom_value = |ms: Option<u64>| match (f.range.as_str(), ms) {
        ("custom", Some(ms)) => utc(ms).replace(' ', "T")[..16].to_string(),
        _ => String::new(),
    };
    html! {
        form.filters method="get" action="/alerts" {
            @if let Some(s) = f.status {
                input type="hidden" name="status" value=(s.as_str());
            }
            fieldset {
                legend { (t(lang, Msg::FilterSeverity)) }
                @for s in Severity::ALL.iter().rev() {
                    label {
                        input type="checkbox" name="severity" value=(s.as_str()) checked[f.severities.contains(s)];
                        " " (s.label(lang))
                    }
                    " "
                }
            }
            @for (name, key, value, hint) in [
                ("host", Msg::FilterHost, &f.host, None),
                ("rule", Msg::FilterRule, &f.rule, Some(Msg::FilterRuleHint)),
                ("tag", Msg::FilterTag, &f.tag, None),
                ("q", Msg::FilterText, &f.text, None),
            ] {
                label { (t(lang, key)) input name=(name) value=(value) placeholder=[hint.map(|h| t(lang, h))]; }
            }
            label {
                (t(lang, Msg::FilterRange))
                select name="range" {
                    @for (name, _, label) in RANGES {
                        option value=(name) selected[f.range == name] { (t(lang, label)) }
                    }
                    option value="custom" selected[f.range == "custom"] {
                        (t(lang, Msg::FilterFrom)) " / " (t(lang, Msg::FilterTo))
                    }
                }
            }
            @for (name, key, value) in [("from", Msg::FilterFrom, f.from_ms), ("to", Msg::FilterTo, f.to_ms)] {
                label { (t(lang, key)) " (UTC)" input type="datetime-local" name=(name) value=(custom_value(value)); }
            }
            label {
                (t(lang, Msg::FilterSort))
                select name="sort" {
                    @for (sort, name, label) in Sort::ALL {
                        option value=(name) selected[f.sort == sort] { (t(lang, label)) }
                    }
                }
            }
            label {
                (t(lang, Msg::FilterGroup))
                select name="group" {
                    option value="1" selected[f.group] { "✓" }
                    option value="0" selected[!f.group] { "✗" }
                }
            }
            button type="submit" { (t(lang, Msg::Filter)) }
        }
    }
}

fn status_tabs(lang: Lang, f: &AlertFilter, counts: &[(String, u64)]) -> Markup {
    let total: u64 = counts.iter().map(|(_, n)| n).sum();
    let current = f.status.map(AlertStatus::as_str);
    html! {
        nav.tabs {
            a href={ "/alerts?" (f.query_string(None, None)) } class=[(current.is_none()).then_some("on")] {
                (t(lang, Msg::AllStatuses)) " (" (total) ")"
            }
            @for (status, n) in counts {
                a href={ "/alerts?" (f.query_string(Some(status), None)) } class=[(current == Some(status.as_str())).then_some("on")] {
                    (AlertStatus::label_of(status, lang)) " (" (n) ")"
                }
            }
        }
    }
}

fn queue(lang: Lang, who: &Principal, q: &Queue<'_>) -> Markup {
    let (f, lines, more) = (q.filter, q.lines, q.more);
    let status = f.status.map(AlertStatus::as_str);
    // Every alert the filter matches, on every page: the tab's count.
    let matching: u64 = q
        .counts
        .iter()
        .filter(|(s, _)| status.is_none_or(|wanted| s == wanted))
        .map(|(_, n)| n)
        .sum();
    let scopes = [
        ScopeChoice {
            value: "selected",
            label: t(lang, Msg::TriageScopeSelected).into(),
            checked: true,
        },
        ScopeChoice {
            value: "filter",
            label: fill(lang, Msg::TriageScopeFilter, &[("n", &matching)]),
            checked: false,
        },
    ];
    let triage = who.role.can_triage();
    let table = html! {
        table {
            thead { tr {
                @if triage {
                    th { input type="checkbox" data-select-all aria-label=(t(lang, Msg::SelectAll)); }
                }
                @for key in [
                    Msg::ColTime, Msg::ColSeverity, Msg::ColStatus, Msg::ColHost,
                    Msg::ColRule, Msg::ColTarget, Msg::ColCount, Msg::ColAssignee,
                ] {
                    th { (t(lang, key)) }
                }
            } }
            tbody {
                @for line in lines {
                    tr data-alert-id=(line.alert_id) {
                        @if triage {
                            td { input type="checkbox" name="id" value=(line.alert_id); }
                        }
                        td {
                            @if line.count > 1 {
                                (utc(line.first_ts)) " – " (utc(line.last_ts))
                            } @else {
                                (utc(line.last_ts))
                            }
                        }
                        td { (severity_badge(lang, &line.severity)) }
                        td { (status_mix(lang, line)) }
                        td { (line.hostname) }
                        td {
                            a href={ "/alerts/" (line.alert_id) @if line.count > 1 { "?group=1" } } title=(crate::i18n::in_lang(lang, &line.summary, &line.summary_fr)) {
                                (title(lang, &line.rule_title, &line.rule_title_fr))
                            }
                            @if !line.incident.is_empty() {
                                " " a.incident href={ "/incidents/" (line.incident) } title=(t(lang, Msg::IncidentIn)) { (line.incident) }
                            }
                        }
                        td.wrap { (subject(lang, line)) }
                        td.n { (line.count) }
                        td { (line.assignee) }
                    }
                }
            }
        }
    };
    html! {
        p #new-alerts .banner hidden {
            a href={ "/alerts?" (f.query_string(status, None)) } {
                span data-count { "0" } " " (t(lang, Msg::NewAlerts))
            }
        }
        @if lines.is_empty() {
            p { (t(lang, Msg::AlertsNoneMatch)) }
        } @else {
            @if triage {
                form method="post" action="/alerts/triage" {
                    input type="hidden" name="csrf" value=(who.csrf());
                    input type="hidden" name="grouped" value=(if f.group { "1" } else { "0" });
                    input type="hidden" name="return" value=(f.query_string(status, f.after.as_ref()));
                    input type="hidden" name="filter" value=(f.query_string(status, None));
                    @if let Some(s) = status {
                        input type="hidden" name="status_filter" value=(s);
                    }
                    (table)
                    @if let Some((key, what)) = &q.refused {
                        p.err #triage role="alert" { (t(lang, *key)) @if !what.is_empty() { " (" (what) ")" } }
                    }
                    (triage_controls(lang, q.assignees, &scopes))
                    details #open-incident {
                        summary { (t(lang, Msg::IncidentOpen)) }
                        // Not `required`: the form's triage buttons must still submit.
                        label { (t(lang, Msg::IncidentTitle)) " " input name="incident_title" maxlength="200"; }
                        " "
                        button type="submit" formaction="/incidents" { (t(lang, Msg::IncidentOpenSelected)) }
                    }
                }
            } @else {
                (table)
            }
            p {
                @if f.after.is_some() {
                    a href={ "/alerts?" (f.query_string(status, None)) } { (t(lang, Msg::FirstPage)) }
                    " "
                }
                @if more {
                    @let last = lines.last().expect("not empty").cursor();
                    a href={ "/alerts?" (f.query_string(status, Some(&last))) } rel="next" { (t(lang, Msg::NextPage)) }
                }
            }
        }
    }
}

/// A line's status: one badge, or for a group whose alerts differ, how many in each
/// ("10 new · 1 resolved").
fn status_mix(lang: Lang, line: &AlertLine) -> Markup {
    html! {
        @if line.statuses.len() > 1 {
            span.mix {
                @for (i, share) in line.statuses.iter().enumerate() {
                    @if i > 0 { " · " }
                    (share.count) " " (status_badge(lang, &share.status))
                }
            }
        } @else {
            (status_badge(lang, &line.status))
        }
    }
}

/// The file, program or address, and what happened to a file.
fn subject(lang: Lang, line: &AlertLine) -> Markup {
    html! {
        (line.target)
        @if !line.action.is_empty() {
            " "
            span.muted {
                "(" (vigie_model::event::action_label(&line.action, lang)) ")"
            }
        }
    }
}
