//! Triage controls (shared by the queue and the alert page), and the confirmation asked
//! before one action is recorded for every alert a filter matches.

use maud::{html, Markup};
use vigie_model::AlertStatus;

use crate::i18n::{fill, t, Lang, Msg};
use crate::queries::alerts::{AlertFilter, RANGES};
use crate::queries::triage::{action_label, TriageRequest, ACTIONS};
use crate::views::html::utc;

/// One choice of what the triage applies to (a radio button named `scope`).
pub struct ScopeChoice {
    /// The value sent.
    pub value: &'static str,
    /// What the person reads.
    pub label: String,
    /// Chosen by default.
    pub checked: bool,
}

/// The triage controls, inside a form that carries the alert ids and the CSRF token;
/// `assignees` are the accounts that may triage, `scopes` what it may apply to (none:
/// the form says itself).
pub fn triage_controls(lang: Lang, assignees: &[String], scopes: &[ScopeChoice]) -> Markup {
    html! {
        fieldset.triage {
            legend { (t(lang, Msg::Triage)) }
            @if !scopes.is_empty() {
                fieldset.scope {
                    legend { (t(lang, Msg::TriageScope)) }
                    @for choice in scopes {
                        label {
                            input type="radio" name="scope" value=(choice.value) checked[choice.checked];
                            " " (choice.label)
                        }
                        " "
                    }
                }
            }
            label {
                (t(lang, Msg::TriageAction))
                select name="action" {
                    @for action in ACTIONS {
                        option value=(action) { (action_label(action, lang)) }
                    }
                }
            }
            label {
                (t(lang, Msg::FilterStatus))
                select name="status" {
                    @for status in AlertStatus::ALL {
                        option value=(status.as_str()) { (status.label(lang)) }
                    }
                }
            }
            label {
                (t(lang, Msg::TriageAssignee))
                select name="assignee" {
                    option value="" { "—" }
                    @for name in assignees {
                        option value=(name) { (name) }
                    }
                }
            }
            label { (t(lang, Msg::TriageComment)) input name="comment" maxlength="2000" size="40"; }
            button type="submit" { (t(lang, Msg::TriageApply)) }
        }
    }
}

/// The filter in words, one line per criterion.
pub fn filter_words(lang: Lang, f: &AlertFilter) -> Vec<(&'static str, String)> {
    let mut words = Vec::new();
    if !f.severities.is_empty() {
        let names: Vec<&str> = f.severities.iter().map(|s| s.label(lang)).collect();
        words.push((t(lang, Msg::FilterSeverity), names.join(", ")));
    }
    words.push((
        t(lang, Msg::FilterStatus),
        f.status
            .map_or(t(lang, Msg::AllStatuses), |s| s.label(lang))
            .to_string(),
    ));
    for (key, value) in [
        (Msg::FilterHost, &f.host),
        (Msg::FilterRule, &f.rule),
        (Msg::FilterTag, &f.tag),
        (Msg::FilterText, &f.text),
    ] {
        if !value.is_empty() {
            words.push((t(lang, key), value.clone()));
        }
    }
    let period = match RANGES.iter().find(|(name, _, _)| *name == f.range) {
        Some((_, _, label)) => t(lang, *label).to_string(),
        None => format!(
            "{} {} — {} {} (UTC)",
            t(lang, Msg::FilterFrom),
            f.from_ms.map(utc).unwrap_or_else(|| "…".into()),
            t(lang, Msg::FilterTo),
            f.to_ms.map(utc).unwrap_or_else(|| "…".into()),
        ),
    };
    words.push((t(lang, Msg::FilterRange), period));
    words
}

/// What a triage by filter asks to be confirmed.
pub struct Confirmation<'a> {
    /// The filter, and its query string (sent back on confirmation).
    pub filter: &'a AlertFilter,
    /// The filter as a query string.
    pub filter_query: &'a str,
    /// How many alerts it matches now.
    pub matching: usize,
    /// The action, as asked.
    pub request: &'a TriageRequest,
    /// True when the count differs from one confirmed before.
    pub changed: bool,
    /// The session's CSRF token.
    pub csrf: &'a str,
}

/// The confirmation page's body.
pub fn confirm(lang: Lang, c: &Confirmation<'_>) -> Markup {
    let action = action_label(&c.request.action, lang);
    let n = c.matching.to_string();
    html! {
        section.confirm {
        h1 { (fill(lang, Msg::TriageConfirmTitle, &[("action", &action), ("n", &n)])) }
        @if c.changed {
            p.err role="alert" { (t(lang, Msg::TriageConfirmCount)) }
        }
        p { (fill(lang, Msg::TriageConfirmText, &[("n", &n)])) }
        dl #bulk-filter {
            @for (label, value) in filter_words(lang, c.filter) {
                dt { (label) } dd { (value) }
            }
        }
        dl #bulk-action {
            dt { (t(lang, Msg::TriageAction)) } dd { (action) }
            @if c.request.action == "status" {
                dt { (t(lang, Msg::FilterStatus)) } dd { (AlertStatus::label_of(&c.request.status, lang)) }
            }
            @if c.request.action == "assign" {
                dt { (t(lang, Msg::TriageAssignee)) } dd { (c.request.assignee) }
            }
            @if !c.request.comment.is_empty() {
                dt { (t(lang, Msg::TriageComment)) } dd.wrap { (c.request.comment) }
            }
        }
        form method="post" action="/alerts/triage" {
            input type="hidden" name="csrf" value=(c.csrf);
            input type="hidden" name="scope" value="filter";
            input type="hidden" name="filter" value=(c.filter_query);
            input type="hidden" name="expected" value=(n);
            @for (name, value) in [
                ("action", &c.request.action),
                ("status", &c.request.status),
                ("assignee", &c.request.assignee),
                ("comment", &c.request.comment),
            ] {
                input type="hidden" name=(name) value=(value);
            }
            button #bulk-confirm type="submit" { (t(lang, Msg::TriageConfirm)) }
            " "
            a href={ "/alerts?" (c.filter_query) } { (t(lang, Msg::TriageCancel)) }
        }
        }
    }
}
