//! Incidents: the list, and one incident whole — its state (changed by a form), hosts,
//! ATT&CK techniques, alerts, evidence with their SHA-256, and its history, with the
//! forms to note what was found and done.

use maud::{html, Markup};
use vigie_model::Severity;

use crate::auth::Principal;
use crate::i18n::{colon, rule_title, t, Lang, Msg};
use crate::queries::incidents::{Incident, Listed, STATUSES};
use crate::views::alerts::severity_badge;
use crate::views::html::utc;

/// A status in words.
pub fn status_label(lang: Lang, status: &str) -> &str {
    let key = match status {
        "open" => Msg::IncidentStatusOpen,
        "contained" => Msg::IncidentStatusContained,
        "eradicated" => Msg::IncidentStatusEradicated,
        "closed" => Msg::IncidentStatusClosed,
        other => return other,
    };
    t(lang, key)
}

/// What a history entry did, in words.
pub fn did(lang: Lang, action: &str) -> &str {
    let key = match action {
        "opened" => Msg::IncidentDidOpened,
        "changed" => Msg::IncidentDidChanged,
        "note" => Msg::IncidentDidNote,
        "action_taken" => Msg::IncidentDidActionTaken,
        "alerts_attached" => Msg::IncidentDidAlertsAttached,
        "evidence_attached" => Msg::IncidentDidEvidenceAttached,
        other => return other,
    };
    t(lang, key)
}

fn kind_label(lang: Lang, kind: &str) -> &str {
    match kind {
        "event" => t(lang, Msg::EvidenceKindEvent),
        "hunt" => t(lang, Msg::EvidenceKindHunt),
        other => other,
    }
}

/// The list page's body.
pub fn list(lang: Lang, incidents: &[Listed]) -> Markup {
    html! {
        h1 { (t(lang, Msg::NavIncidents)) }
        p.muted { (t(lang, Msg::IncidentsHelp)) }
        @if incidents.is_empty() {
            p #no-incidents { (t(lang, Msg::IncidentsEmpty)) }
        } @else {
            table #incidents {
                thead { tr {
                    @for key in [Msg::IncidentTitle, Msg::ColSeverity, Msg::ColStatus, Msg::IncidentOwner, Msg::NavAlerts, Msg::IncidentHosts, Msg::IncidentOpenedAt] {
                        th { (t(lang, key)) }
                    }
                } }
                tbody {
                    @for i in incidents {
                        tr data-incident-id=(i.state.incident_id) {
                            td.wrap {
                                a href={ "/incidents/" (i.state.incident_id) } { (i.state.title) }
                                br; code.muted { (i.state.incident_id) }
                            }
                            td { (severity_badge(lang, &i.state.severity)) }
                            td { (status_label(lang, &i.state.status)) }
                            td { (i.state.owner) }
                            td.n { (i.alerts) }
                            td.n { (i.hosts) }
                            td { (utc(i.state.created_ms)) }
                        }
                    }
                }
            }
        }
    }
}

/// One incident's page; `writer`: the user may change it.
pub fn page(lang: Lang, who: &Principal, i: &Incident, notice: bool) -> Markup {
    let writer = who.role.can_triage();
    let s = &i.state;
    let path = format!("/incidents/{}", s.incident_id);
    html! {
        h1 { (s.title) " " code.muted { (s.incident_id) } }
        @if notice { p.ok role="status" { (t(lang, Msg::IncidentSaved)) } }
        dl #incident-state {
            dt { (t(lang, Msg::ColSeverity)) } dd { (severity_badge(lang, &s.severity)) }
            dt { (t(lang, Msg::ColStatus)) } dd #incident-status { (status_label(lang, &s.status)) }
            dt { (t(lang, Msg::IncidentOwner)) } dd { (s.owner) }
            dt { (t(lang, Msg::IncidentOpenedAt)) } dd { (utc(s.created_ms)) " — " (s.created_by) }
            dt { (t(lang, Msg::IncidentHosts)) } dd #incident-hosts { (i.hosts.join(", ")) }
            dt { (t(lang, Msg::RuleTechniques)) }
            dd #incident-techniques {
                @for (id, name) in crate::attack::techniques(&s.techniques.iter().map(|t| format!("attack.{}", t.to_ascii_lowercase())).collect::<Vec<_>>()) {
                    code { (id) } @if let Some(n) = name { " " (n) } br;
                }
            }
            dt { (t(lang, Msg::IncidentRecommendations)) } dd.pre { (s.recommendations) }
        }
        @if writer { (change_form(lang, who, i, &path)) }

        h2 { (t(lang, Msg::NavAlerts)) " (" (i.alerts.len()) ")" }
        table #incident-alerts {
            thead { tr {
                @for key in [Msg::ColTime, Msg::ColSeverity, Msg::ColHost, Msg::ColRule, Msg::ColSummary] { th { (t(lang, key)) } }
                th { "SHA-256" }
            } }
            tbody {
                @for a in &i.alerts {
                    tr data-alert-id=(a.alert_id) {
                        td { a href={ "/alerts/" (a.alert_id) } { (utc(a.ts)) } }
                        td { (severity_badge(lang, &a.severity)) }
                        td { (a.hostname) }
                        td.wrap { (rule_title(lang, &a.rule_title, &a.rule_title_fr)) }
                        td.wrap { (crate::i18n::in_lang(lang, &a.summary, &a.summary_fr)) }
                        td { code.muted title=(a.sha256) { (&a.sha256[..12.min(a.sha256.len())]) "…" } }
                    }
                }
            }
        }

        h2 { (t(lang, Msg::IncidentEvidence)) }
        table #incident-evidence {
            thead { tr {
                @for key in [Msg::ColTime, Msg::ColCategory, Msg::ColTarget, Msg::ColWho] { th { (t(lang, key)) } }
                th { "SHA-256" }
            } }
            tbody {
                @for e in &i.evidence {
                    tr data-evidence-id=(e.evidence_id) {
                        td { (utc(e.added_ms)) }
                        td { (kind_label(lang, &e.kind)) }
                        td.wrap { code { (e.label) } }
                        td { (e.added_by) }
                        td { code { (e.sha256) } }
                    }
                }
            }
        }

        h2 { (t(lang, Msg::IncidentHistory)) }
        ol #incident-history {
            @for h in &i.history {
                li {
                    (utc(h.ts)) " — " strong { (h.actor) } " " (did(lang, &h.action))
                    @if !h.text.is_empty() { (colon(lang)) span.pre { (h.text) } }
                    (details(lang, &h.action, &h.details))
                }
            }
        }
        @if writer {
            form #incident-text method="post" action={ (path) "/notes" } {
                input type="hidden" name="csrf" value=(who.csrf());
                select name="kind" {
                    option value="note" { (t(lang, Msg::IncidentNote)) }
                    option value="action_taken" { (t(lang, Msg::IncidentActionTaken)) }
                }
                textarea name="text" rows="3" cols="80" required {}
                button type="submit" { (t(lang, Msg::IncidentAddText)) }
            }
        }
        // Everyone who reads the incident may report on it (auditors first of all).
        form #incident-report method="post" action="/reports" {
            input type="hidden" name="csrf" value=(who.csrf());
            input type="hidden" name="incident" value=(s.incident_id);
            (crate::views::forms::file_options(lang, &["pdf", "csv", "json"]))
            label { (t(lang, Msg::ReportAnnex))
                select name="annex" {
                    option value="yes" { (t(lang, Msg::Yes)) }
                    option value="no" { (t(lang, Msg::No)) }
                }
            }
            button type="submit" { (t(lang, Msg::ReportMake)) }
        }
    }
}

fn change_form(lang: Lang, who: &Principal, i: &Incident, path: &str) -> Markup {
    let s = &i.state;
    html! {
        details #incident-change {
            summary { (t(lang, Msg::RulesChange)) }
            form method="post" action=(path) {
                input type="hidden" name="csrf" value=(who.csrf());
                label { (t(lang, Msg::IncidentTitle)) input name="title" value=(s.title) required maxlength="200"; }
                label { (t(lang, Msg::ColSeverity))
                    select name="severity" {
                        @for sev in Severity::ALL {
                            option value=(sev.as_str()) selected[s.severity == sev.as_str()] { (sev.label(lang)) }
                        }
                    }
                }
                label { (t(lang, Msg::ColStatus))
                    select name="status" {
                        @for st in STATUSES {
                            option value=(st) selected[s.status == st] { (status_label(lang, st)) }
                        }
                    }
                }
                label { (t(lang, Msg::IncidentOwner)) input name="owner" value=(s.owner); }
                label { (t(lang, Msg::RuleTechniques)) input name="techniques" value=(s.techniques.join(" ")); }
                label { (t(lang, Msg::IncidentRecommendations))
                    textarea name="recommendations" rows="4" cols="80" { (s.recommendations) }
                }
                button type="submit" { (t(lang, Msg::IncidentSaveChanges)) }
            }
        }
    }
}

/// On an alert's page: the incident it is in, or the forms to open one with its line
/// or to add the line to an open one.
pub fn on_alert(
    lang: Lang,
    who: &Principal,
    alert_id: &str,
    incident: Option<&str>,
    open: &[(String, String)],
) -> Markup {
    html! {
        section #alert-incident {
            @if let Some(id) = incident {
                p { (t(lang, Msg::IncidentIn)) " " a href={ "/incidents/" (id) } { code { (id) } } }
            }
            @if who.role.can_triage() {
                form method="post" action="/incidents" {
                    input type="hidden" name="csrf" value=(who.csrf());
                    input type="hidden" name="group_of" value=(alert_id);
                    label { (t(lang, Msg::IncidentTitle)) input name="title" required maxlength="200"; }
                    button type="submit" { (t(lang, Msg::IncidentOpenWithLine)) }
                }
                @if !open.is_empty() {
                    form method="post" action="/incidents/attach" {
                        input type="hidden" name="csrf" value=(who.csrf());
                        input type="hidden" name="group_of" value=(alert_id);
                        label { (t(lang, Msg::IncidentAddTo)) " "
                            select name="incident" {
                                @for (id, title) in open { option value=(id) { (id) " — " (title) } }
                            }
                        }
                        button type="submit" { (t(lang, Msg::IncidentAttach)) }
                    }
                }
            }
        }
    }
}

/// On the hunt page: keep these results as evidence in an open incident.
pub fn keep_hunt(lang: Lang, who: &Principal, query: &str, open: &[(String, String)]) -> Markup {
    html! {
        @if !open.is_empty() {
            form #keep-hunt method="post" action="/incidents/evidence" {
                input type="hidden" name="csrf" value=(who.csrf());
                input type="hidden" name="hunt" value=(query);
                label { (t(lang, Msg::IncidentKeepHunt)) " "
                    select name="incident" {
                        @for (id, title) in open { option value=(id) { (id) " — " (title) } }
                    }
                }
                " "
                button type="submit" { (t(lang, Msg::IncidentAttach)) }
            }
        }
    }
}

/// What a history entry's details say, in words: each field changed with its before
/// and after, how many alerts, which evidence.
fn details(lang: Lang, action: &str, details: &str) -> Markup {
    let value: serde_json::Value = serde_json::from_str(details).unwrap_or_default();
    let text = |v: &serde_json::Value| match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Array(items) => items
            .iter()
            .filter_map(|i| i.as_str())
            .collect::<Vec<_>>()
            .join(" "),
        other => other.to_string(),
    };
    let field_label = |field: &str| -> String {
        let key = match field {
            "title" => Msg::IncidentTitle,
            "severity" => Msg::ColSeverity,
            "status" => Msg::ColStatus,
            "owner" => Msg::IncidentOwner,
            "techniques" => Msg::RuleTechniques,
            "recommendations" => Msg::IncidentRecommendations,
            other => return other.to_string(),
        };
        t(lang, key).to_string()
    };
    let shown = |field: &str, v: &serde_json::Value| match field {
        "status" => status_label(lang, &text(v)).to_string(),
        "severity" => Severity::label_of(&text(v), lang).to_string(),
        _ => text(v),
    };
    html! {
        @match action {
            "changed" => {
                @if let Some(fields) = value.as_object() {
                    @for (field, change) in fields {
                        " · " (field_label(field)) (colon(lang))
                        s.muted { (shown(field, &change["before"])) } " → " (shown(field, &change["after"]))
                    }
                }
            }
            "alerts_attached" | "opened" => {
                @if let Some(n) = value["alerts"].as_u64() { " · " (t(lang, Msg::NavAlerts)) (colon(lang)) (n) }
            }
            "evidence_attached" => {
                " · " (kind_label(lang, value["kind"].as_str().unwrap_or(""))) " "
                code { (value["label"].as_str().unwrap_or("")) }
                " " code.muted { "SHA-256 " (value["sha256"].as_str().unwrap_or("")) }
            }
            _ => {}
        }
    }
}
