//! The rules page: every rule in force with its source, severity (and any override),
//! ATT&CK techniques, alerts in the last 24 hours and 7 days, last fired, and state;
//! admins turn rules off or set their severity, with a reason.

use maud::{html, Markup};
use vigie_model::Severity;

use crate::auth::Principal;
use crate::i18n::{t, Lang, Msg};
use crate::queries::rules::RuleLine;
use crate::views::alerts::{severity_badge, title};
use crate::views::html::utc;

fn source(lang: Lang, source: &str) -> Markup {
    let key = match source {
        "pack" => Msg::RulesSourcePack,
        "built-in" => Msg::RulesSourceBuiltIn,
        "collector" => Msg::RulesSourceCollector,
        "folder" => Msg::RulesSourceFolder,
        "dashboard" => Msg::RulesSourceDashboard,
        other => return html! { (other) },
    };
    html! { (t(lang, key)) }
}

/// The page's body; `saved` names a rule just changed, `deleted` says a written rule
/// file was just deleted.
pub fn page(
    lang: Lang,
    who: &Principal,
    rules: &[RuleLine],
    saved: Option<&str>,
    deleted: bool,
) -> Markup {
    let admin = who.role.is_admin();
    html! {
        h1 { (t(lang, Msg::NavRules)) }
        p.muted { (t(lang, Msg::RulesHelp)) }
        @if let Some(id) = saved {
            p.ok role="status" { (t(lang, Msg::RulesSaved)) " (" code { (id) } ")" }
        }
        @if deleted {
            p.ok role="status" { (t(lang, Msg::RulesDeleted)) }
        }
        @if admin {
            p { a href="/rules/write" { (t(lang, Msg::RulesWrite)) } }
        }
        table #rules {
            thead { tr {
                @for key in [Msg::Rule, Msg::RulesSource, Msg::RuleLevel, Msg::RuleTechniques, Msg::RulesLast24h, Msg::RulesLast7d, Msg::RulesLastFired, Msg::RulesState] {
                    th { (t(lang, key)) }
                }
            } }
            tbody {
                @for r in rules {
                    tr data-rule-id=(r.rule.rule_id) class=[(!r.enabled).then_some("muted")] {
                        td.wrap {
                            a href={ "/alerts?range=7d&rule=" (r.rule.rule_id) } { (title(lang, &r.rule.title, &r.rule.title_fr)) }
                            br; code.muted { (r.rule.rule_id) }
                        }
                        td { (source(lang, &r.rule.source)) }
                        td {
                            @if let Some(s) = &r.severity_override {
                                s { (Severity::label_of(&r.rule.level, lang)) } " → " (severity_badge(lang, s))
                            } @else {
                                (severity_badge(lang, &r.rule.level))
                            }
                        }
                        td.wrap {
                            @for (id, name) in crate::attack::techniques(&r.rule.tags) {
                                code title=[name] { (id) } " "
                            }
                        }
                        td.n { (r.alerts_24h) }
                        td.n { (r.alerts_7d) }
                        td { (r.last_fired_ms.map(utc).unwrap_or_default()) }
                        td {
                            (t(lang, if r.enabled { Msg::RulesOn } else { Msg::RulesOff }))
                            @if !r.reason.is_empty() { br; span.muted { (r.reason) " — " (r.changed_by) } }
                            @if admin { (change_form(lang, who, r)) }
                        }
                    }
                }
            }
        }
    }
}

fn change_form(lang: Lang, who: &Principal, r: &RuleLine) -> Markup {
    let current = r.severity_override.as_deref().unwrap_or("");
    html! {
        details.rule-change {
            summary { (t(lang, Msg::RulesChange)) }
            form method="post" action={ "/rules/" (r.rule.rule_id) } {
                input type="hidden" name="csrf" value=(who.csrf());
                @if r.rule.source != "collector" {
                    label { input type="checkbox" name="enabled" value="1" checked[r.enabled]; " " (t(lang, Msg::RulesOn)) }
                } @else {
                    input type="hidden" name="enabled" value="1";
                }
                label {
                    (t(lang, Msg::RuleLevel))
                    select name="severity" {
                        option value="" selected[current.is_empty()] { (t(lang, Msg::RulesOwnSeverity)) }
                        @for s in Severity::ALL {
                            option value=(s.as_str()) selected[current == s.as_str()] { (s.label(lang)) }
                        }
                    }
                }
                label { (t(lang, Msg::RulesReason)) input name="reason" required maxlength="500"; }
                button type="submit" { (t(lang, Msg::RulesSave)) }
            }
        }
    }
}
