//! The rule editor: a Sigma text, its problems (line and reason) or the rules it holds,
//! and how often it would have fired over the stored events; the list of rule files
//! written in the dashboard, each to edit or delete.

use maud::{html, Markup};

use crate::auth::Principal;
use crate::i18n::{fill, t, Lang, Msg};
use crate::queries::custom_rules::{Checked, Trial, MAX_EXAMINED, MAX_TEXT_BYTES};
use crate::views::alerts::severity_badge;
use crate::views::html::utc;
use vigie_store::rows::CustomRuleRow;

/// Look-back choices offered, in hours.
pub const HOURS: [u64; 5] = [1, 6, 24, 72, 168];

/// What the editor shows.
pub struct Editor<'a> {
    /// The file being changed (`None`: a new one).
    pub file_id: Option<&'a str>,
    /// The text.
    pub text: &'a str,
    /// Hours to try it over.
    pub hours: u64,
    /// Its check, once asked.
    pub checked: Option<&'a Checked>,
    /// Its trial, when it was tried and had no problem.
    pub trial: Option<&'a Trial>,
}

/// The editor page's body.
pub fn page(lang: Lang, who: &Principal, editor: &Editor) -> Markup {
    let heading = if editor.file_id.is_some() {
        Msg::RulesEditText
    } else {
        Msg::RulesWrite
    };
    html! {
        h1 { (t(lang, heading)) @if let Some(id) = editor.file_id { " " code { (id) } } }
        p.muted { (t(lang, Msg::RulesWriteHelp)) }
        @if let Some(checked) = editor.checked { (check_result(lang, checked)) }
        @if let Some(trial) = editor.trial { (trial_result(lang, trial)) }
        form #rule-editor method="post" action="/rules/write" {
            input type="hidden" name="csrf" value=(who.csrf());
            @if let Some(id) = editor.file_id { input type="hidden" name="file_id" value=(id); }
            label for="rule-text" { (t(lang, Msg::RulesText)) }
            textarea #rule-text name="yaml" rows="22" cols="100" spellcheck="false" required
                maxlength=(MAX_TEXT_BYTES) { (editor.text) }
            p {
                label {
                    (t(lang, Msg::RulesTryOver)) " "
                    select name="hours" {
                        @for h in HOURS {
                            option value=(h) selected[h == editor.hours] { (fill(lang, Msg::RulesHours, &[("n", &h)])) }
                        }
                    }
                }
                " "
                button type="submit" name="do" value="try" { (t(lang, Msg::RulesTry)) }
                " "
                button type="submit" name="do" value="save" { (t(lang, Msg::RulesSaveRule)) }
            }
        }
    }
}

fn check_result(lang: Lang, checked: &Checked) -> Markup {
    html! {
        @if !checked.errors.is_empty() {
            div.refused #rule-problems role="alert" {
                p { (t(lang, Msg::RulesProblems)) }
                ul {
                    @for e in &checked.errors {
                        li {
                            @if let Some(line) = e.line { (fill(lang, Msg::RulesLine, &[("n", &line)])) }
                            code { (e.reason) }
                        }
                    }
                }
            }
        }
        @if !checked.rules.is_empty() {
            h2 { (t(lang, Msg::RulesInText)) }
            ul #rules-in-text {
                @for r in &checked.rules {
                    li {
                        (severity_badge(lang, &r.level)) " " (r.title) " " code.muted { (r.id) }
                        @if r.correlation { " (" (t(lang, Msg::RulesCorrelation)) ")" }
                    }
                }
            }
        }
    }
}

fn trial_result(lang: Lang, trial: &Trial) -> Markup {
    html! {
        section #rule-trial {
            p.ok role="status" {
                (fill(lang, Msg::RulesTrialFired, &[("n", &trial.fired), ("examined", &trial.examined), ("hours", &trial.hours)]))
            }
            @if trial.cut {
                p.muted { (fill(lang, Msg::RulesTrialCut, &[("max", &MAX_EXAMINED), ("from", &utc(trial.from_ms))])) }
            }
            @if !trial.by_host.is_empty() {
                p { (t(lang, Msg::RulesTrialHosts))
                    @for (i, (host, n)) in trial.by_host.iter().enumerate() {
                        @if i > 0 { " · " } (host) " (" (n) ")"
                    }
                }
            }
            @if !trial.samples.is_empty() {
                h2 { (t(lang, Msg::RulesTrialFirst)) }
                table #trial-samples {
                    thead { tr {
                        @for key in [Msg::ColTime, Msg::ColHost, Msg::ColCategory, Msg::ColTarget, Msg::ColRule] {
                            th { (t(lang, key)) }
                        }
                    } }
                    tbody {
                        @for s in &trial.samples {
                            tr {
                                td { (utc(s.ts)) }
                                td { (s.hostname) }
                                td { (vigie_model::event::category_label(&s.category, lang)) }
                                td.wrap { code { (s.subject) } }
                                td { code { (s.rule_id) } }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The rule files written in the dashboard, for the rules page: each to edit or delete
/// (admins).
pub fn written(lang: Lang, who: &Principal, files: &[CustomRuleRow]) -> Markup {
    let admin = who.role.is_admin();
    html! {
        @if !files.is_empty() {
            h2 #written { (t(lang, Msg::RulesWritten)) }
            table #written-rules {
                thead { tr {
                    @for key in [Msg::ColRule, Msg::ColWho, Msg::ColTime] { th { (t(lang, key)) } }
                    @if admin { th {} }
                } }
                tbody {
                    @for f in files {
                        tr data-file-id=(f.file_id) {
                            td.wrap { @for id in &f.rule_ids { code { (id) } " " } }
                            td { (f.updated_by) }
                            td { (utc(f.updated_ms)) }
                            @if admin {
                                td {
                                    a href={ "/rules/write?file=" (f.file_id) } { (t(lang, Msg::RulesEditText)) }
                                    details.revoke {
                                        summary { (t(lang, Msg::RulesDelete)) }
                                        form method="post" action={ "/rules/write/" (f.file_id) "/delete" } {
                                            input type="hidden" name="csrf" value=(who.csrf());
                                            p { (t(lang, Msg::RulesDeleteConfirm)) }
                                            button type="submit" { (t(lang, Msg::RulesDelete)) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
