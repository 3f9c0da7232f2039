//! One alert, whole: what fired, the rule with its ATT&CK techniques, the triggering
//! events with every field, the process lineage, the triage history and controls, the
//! host's events around it and earlier alerts of the same kind.

use maud::{html, Markup};
use vigie_model::{AlertStatus, Severity};

use crate::auth::Principal;
use crate::i18n::{colon, fill, t, Lang, Msg};
use crate::queries::alert_detail::AlertDetail;
use crate::queries::alerts::GroupMember;
use crate::views::alerts::{severity_badge, status_badge, title};
use crate::views::html::{field_name, head, utc};
use crate::views::triage::{triage_controls, ScopeChoice};

/// What the alert page shows beside the alert itself.
pub struct Around<'a> {
    /// The alerts of its queue line (itself included), latest first.
    pub group: &'a [GroupMember],
    /// True when reached from a grouped queue line: triage applies to the whole line
    /// unless the person chooses otherwise.
    pub from_group: bool,
    /// Who alerts may be assigned to.
    pub assignees: &'a [String],
    /// How many alerts were just triaged, to say so.
    pub done: Option<u64>,
    /// Why the last triage was refused, and what.
    pub refused: Option<(Msg, String)>,
}

/// Most alerts of a group listed on the page.
const GROUP_SHOWN: usize = 50;

/// The page's body.
pub fn page(lang: Lang, who: &Principal, d: &AlertDetail, around: &Around<'_>) -> Markup {
    let a = &d.alert;
    let done = around.done;
    html! {
        p { a href="/alerts" { "← " (t(lang, Msg::BackToAlerts)) } }
        @if let Some(n) = done {
            p.ok role="status" { (crate::i18n::fill(lang, Msg::TriageDone, &[("n", &n)])) }
        }
        h1 { (severity_badge(lang, &a.severity)) " " (title(lang, &a.rule_title, &a.rule_title_fr)) }
        dl {
            dt { (t(lang, Msg::ColTime)) } dd { (utc(a.ts)) }
            dt { (t(lang, Msg::ColStatus)) } dd { (status_badge(lang, &d.status)) }
            dt { (t(lang, Msg::ColAssignee)) } dd { (d.assignee) }
            dt { (t(lang, Msg::ColHost)) } dd { (a.hostname) }
            dt { (t(lang, Msg::ColTarget)) } dd { (a.target) }
            dt { (t(lang, Msg::ColSummary)) } dd.wrap { (crate::i18n::in_lang(lang, &a.summary, &a.summary_fr)) }
        }
        (group_section(lang, around.group))
        (rule_section(lang, d))
        (events_section(lang, d))
        (lineage_section(lang, d))
        (history_section(lang, who, d, around))
        (context_section(lang, d, around.from_group))
        (earlier_section(lang, d))
    }
}

fn rule_section(lang: Lang, d: &AlertDetail) -> Markup {
    html! {
        section {
            h2 { (t(lang, Msg::Rule)) }
            @if let Some(rule) = &d.rule {
                dl {
                    dt { (t(lang, Msg::Rule)) } dd { (title(lang, &rule.title, &rule.title_fr)) }
                    dt { "id" } dd { code { (rule.rule_id) } }
                    dt { (t(lang, Msg::RuleDescription)) }
                    dd {
                        (crate::i18n::in_lang(lang, &rule.description, &rule.description_fr))
                        @if lang == Lang::Fr && rule.description_fr.is_empty() && !rule.description.is_empty() {
                            " " span.muted { (t(lang, Msg::InEnglishOnly)) }
                        }
                    }
                    @if !rule.guidance.is_empty() {
                        dt { (t(lang, Msg::RuleGuidance)) }
                        dd #rule-guidance {
                            (crate::i18n::in_lang(lang, &rule.guidance, &rule.guidance_fr))
                            @if lang == Lang::Fr && rule.guidance_fr.is_empty() {
                                " " span.muted { (t(lang, Msg::InEnglishOnly)) }
                            }
                        }
                    }
                    dt { (t(lang, Msg::RuleLevel)) } dd { (Severity::label_of(&rule.level, lang)) }
                    dt { (t(lang, Msg::RuleAuthor)) } dd { (rule.author) }
                    dt { (t(lang, Msg::RuleTechniques)) }
                    dd { ul {
                        @for (id, name) in crate::attack::techniques(&rule.tags) {
                            li { code { (id) } @if let Some(name) = name { " " (name) } }
                        }
                    } }
                }
            } @else {
                p.muted { (t(lang, Msg::RuleUnknown)) " (" (d.alert.rule_id) ")" }
                p { (t(lang, Msg::RuleAuthor)) (colon(lang)) (d.alert.author) }
            }
        }
    }
}

fn events_section(lang: Lang, d: &AlertDetail) -> Markup {
    html! {
        section {
            h2 { (t(lang, Msg::TriggerEvents)) }
            @for event in &d.events {
                table {
                    (head(lang, &[Msg::ColField, Msg::ColValue]))
                    tbody {
                        @for (k, v) in [
                            ("agent_id", event.agent_id.clone()),
                            ("hostname", event.hostname.clone()),
                            ("seq", event.seq.to_string()),
                            ("ts", format!("{} ({})", event.ts, utc(event.ts))),
                            ("category", event.category.clone()),
                        ] {
                            tr { td { (field_name(lang, k)) } td.wrap { (v) } }
                        }
                        @for (k, v) in &event.fields {
                            @let text = match v {
                                serde_json::Value::String(s) => s.clone(),
                                other => other.to_string(),
                            };
                            tr {
                                td { (field_name(lang, k)) }
                                td.wrap {
                                    (text) " "
                                    a.pivot href=(hunt_link(&event.hostname, event.ts, k, &text)) title=(t(lang, Msg::HuntPivot)) { "⌕" }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// A hunt for `field` = `value` on `host`, an hour either side of `ts`: a pivot from the
/// alert's event.
fn hunt_link(host: &str, ts: u64, field: &str, value: &str) -> String {
    let pairs = [
        ("host", host.to_string()),
        ("from", ts.saturating_sub(3_600_000).to_string()),
        ("to", (ts + 3_600_000).to_string()),
        ("f1", field.to_string()),
        ("op1", "eq".to_string()),
        ("v1", value.to_string()),
    ];
    format!(
        "/hunt?{}",
        serde_urlencoded::to_string(pairs).expect("text pairs")
    )
}

fn lineage_section(lang: Lang, d: &AlertDetail) -> Markup {
    html! {
        section {
            h2 { (t(lang, Msg::Lineage)) }
            @if d.lineage.is_empty() {
                p.muted { (t(lang, Msg::LineageEmpty)) }
            } @else {
                table {
                    (head(lang, &[Msg::ColTime, Msg::ColPid, Msg::ColImage, Msg::ColCommand, Msg::ColUser]))
                    tbody {
                        @for p in &d.lineage {
                            tr class=[(!p.seen).then_some("muted")] {
                                td { (p.ts.map(utc).unwrap_or_default()) }
                                td.n { (p.pid) }
                                td.wrap { (p.image) }
                                td.wrap { code { (p.command_line) } }
                                td { (p.user) }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The alerts folded with this one into a queue line, with their statuses.
fn group_section(lang: Lang, group: &[GroupMember]) -> Markup {
    if group.len() < 2 {
        return html! {};
    }
    let (first, last) = (utc(group.last().expect("two or more").ts), utc(group[0].ts));
    html! {
        section #group {
            h2 { (t(lang, Msg::GroupTitle)) }
            p { (fill(lang, Msg::GroupText, &[("n", &group.len()), ("first", &first), ("last", &last)])) }
            table {
                (head(lang, &[Msg::ColTime, Msg::ColSeverity, Msg::ColStatus]))
                tbody {
                    @for m in group.iter().take(GROUP_SHOWN) {
                        tr data-alert-id=(m.alert_id) {
                            td { a href={ "/alerts/" (m.alert_id) } { (utc(m.ts)) } }
                            td { (severity_badge(lang, &m.severity)) }
                            td { (status_badge(lang, &m.status)) }
                        }
                    }
                }
            }
            @if group.len() > GROUP_SHOWN {
                p.muted { (fill(lang, Msg::GroupMore, &[("n", &(group.len() - GROUP_SHOWN))])) }
            }
        }
    }
}

fn history_section(lang: Lang, who: &Principal, d: &AlertDetail, around: &Around<'_>) -> Markup {
    let scopes = if around.group.len() > 1 {
        vec![
            ScopeChoice {
                value: "alert",
                label: t(lang, Msg::TriageScopeAlert).into(),
                checked: !around.from_group,
            },
            ScopeChoice {
                value: "group",
                label: fill(lang, Msg::TriageScopeGroup, &[("n", &around.group.len())]),
                checked: around.from_group,
            },
        ]
    } else {
        Vec::new()
    };
    html! {
        section {
            h2 { (t(lang, Msg::History)) }
            @if d.history.is_empty() {
                p.muted { (t(lang, Msg::HistoryEmpty)) }
            } @else {
                table {
                    (head(lang, &[Msg::ColTime, Msg::ColWho, Msg::ColWhat, Msg::ColWhy]))
                    tbody {
                        @for h in &d.history {
                            tr {
                                td { (utc(h.ts)) }
                                td { (h.actor) }
                                td {
                                    (crate::queries::triage::action_label(&h.action, lang))
                                    @if !h.status.is_empty() { ": " (AlertStatus::label_of(&h.status, lang)) }
                                    @if !h.assignee.is_empty() { " → " (h.assignee) }
                                }
                                td.wrap { (h.comment) }
                            }
                        }
                    }
                }
            }
            @if who.role.can_triage() {
                @if let Some((key, what)) = &around.refused {
                    p.err #triage role="alert" { (t(lang, *key)) @if !what.is_empty() { " (" (what) ")" } }
                }
                form method="post" action="/alerts/triage" {
                    input type="hidden" name="csrf" value=(who.csrf());
                    input type="hidden" name="id" value=(d.alert.alert_id);
                    input type="hidden" name="alert" value=(d.alert.alert_id);
                    (triage_controls(lang, around.assignees, &scopes))
                }
                @if !d.events.is_empty() {
                    p { a #new-exception href={ "/exceptions/new?alert=" (d.alert.alert_id) } { (t(lang, Msg::ExceptionFromAlert)) } }
                }
            }
        }
    }
}

/// The host's events around the alert, the alert's own marked, with links to page
/// earlier and later and a word when more lies beyond either end.
fn context_section(lang: Lang, d: &AlertDetail, from_group: bool) -> Markup {
    let c = &d.context;
    let link = |e: &crate::queries::context::ContextEvent| {
        let anchor = crate::queries::context::Anchor {
            ts: e.ts,
            seq: e.seq,
        };
        format!(
            "/alerts/{}?around={}{}#context",
            d.alert.alert_id,
            anchor.encode(),
            if from_group { "&group=1" } else { "" }
        )
    };
    html! {
        section #context {
            h2 { (t(lang, Msg::NearbyEvents)) }
            @if c.events.is_empty() {
                p.muted { (t(lang, Msg::NearbyEmpty)) }
            } @else {
                @let (first, last) = (&c.events[0], &c.events[c.events.len() - 1]);
                p {
                    (fill(lang, Msg::ContextShown, &[("n", &c.events.len()), ("first", &utc(first.ts)), ("last", &utc(last.ts))]))
                }
                @if c.more_before {
                    p.more { a #context-earlier href=(link(first)) { "← " (t(lang, Msg::ContextEarlier)) } }
                }
                table {
                    (head(lang, &[Msg::ColTime, Msg::ColCategory, Msg::ColAction, Msg::ColTarget, Msg::ColImage, Msg::ColUser]))
                    tbody {
                        @for e in &c.events {
                            tr class=[e.is_alert.then_some("here")] {
                                td { (utc(e.ts)) }
                                td title=(e.category) { (vigie_model::event::category_label(&e.category, lang)) }
                                td {
                                    @if e.is_alert { strong { (t(lang, Msg::ContextThisAlert)) } " " }
                                    (vigie_model::event::action_label(&e.action, lang))
                                }
                                td.wrap { code { (e.subject) } }
                                td.wrap { (e.image) }
                                td { (e.user) }
                            }
                        }
                    }
                }
                @if c.more_after {
                    p.more { a #context-later href=(link(last)) { (t(lang, Msg::ContextLater)) " →" } }
                }
            }
        }
    }
}

fn earlier_section(lang: Lang, d: &AlertDetail) -> Markup {
    html! {
        section {
            h2 { (t(lang, Msg::EarlierAlerts)) }
            @if d.earlier.is_empty() {
                p.muted { (t(lang, Msg::EarlierEmpty)) }
            } @else {
                ul {
                    @for e in &d.earlier {
                        li {
                            a href={ "/alerts/" (e.alert_id) } { (utc(e.ts)) }
                            " " (severity_badge(lang, &e.severity)) " " (crate::i18n::in_lang(lang, &e.summary, &e.summary_fr))
                        }
                    }
                }
            }
        }
    }
}
