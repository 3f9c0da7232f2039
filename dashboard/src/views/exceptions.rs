//! Exceptions: the list with what each held back, and the form that creates or changes
//! one (prefilled from an alert), with its preview and its refusal shown in place.

use maud::{html, Markup};
use vigie_model::exception::{Condition, ExceptionSpec, Op};

use crate::auth::Principal;
use crate::i18n::{fill, t, Lang, Msg};
use crate::queries::exceptions::{Listed, Preview};
use crate::views::html::utc;

/// Empty condition lines a form offers beyond those filled in.
const SPARE_LINES: usize = 2;
/// Expiry choices offered, in days (0: never).
pub const EXPIRY_DAYS: [u64; 5] = [0, 1, 7, 30, 90];

/// The label of `op`.
pub fn op_label(lang: Lang, op: Op) -> &'static str {
    t(
        lang,
        match op {
            Op::Is => Msg::ExceptionOpIs,
            Op::Contains => Msg::ExceptionOpContains,
            Op::StartsWith => Msg::ExceptionOpStartsWith,
            Op::EndsWith => Msg::ExceptionOpEndsWith,
            Op::Glob => Msg::ExceptionOpGlob,
        },
    )
}

/// The conditions as one line of text.
pub fn conditions_text(lang: Lang, spec: &ExceptionSpec) -> String {
    spec.conditions
        .iter()
        .map(|c| {
            let (open, close) = match lang {
                Lang::Fr => ("«\u{a0}", "\u{a0}»"),
                Lang::En => ("\u{201c}", "\u{201d}"),
            };
            format!(
                "{} {} {open}{}{close}",
                c.field,
                op_label(lang, c.op),
                c.value
            )
        })
        .collect::<Vec<_>>()
        .join(" · ")
}

/// The list page's body.
pub fn list(
    lang: Lang,
    who: &Principal,
    exceptions: &[Listed],
    rule_title: &dyn Fn(&str) -> String,
    notice: Option<Msg>,
) -> Markup {
    html! {
        h1 { (t(lang, Msg::NavExceptions)) }
        p.muted { (t(lang, Msg::ExceptionsHelp)) }
        @if let Some(key) = notice {
            p.ok role="status" { (t(lang, key)) }
        }
        @if who.role.can_triage() {
            p { a href="/exceptions/new" { (t(lang, Msg::ExceptionNew)) } }
        }
        @if exceptions.is_empty() {
            p.muted { (t(lang, Msg::ExceptionNone)) }
        } @else {
            table #exceptions {
                (crate::views::html::head(lang, &[
                    Msg::ExceptionRule, Msg::ExceptionConditions, Msg::ExceptionReason,
                    Msg::ExceptionBy, Msg::ExceptionExpires, Msg::ExceptionState,
                    Msg::ExceptionHeldBack, Msg::ExceptionLastHeldBack,
                ]))
                tbody {
                    @for x in exceptions {
                        tr data-exception=(x.exception_id) {
                            td { @if x.spec.rule_id.is_empty() { em { (t(lang, Msg::ExceptionAllRules)) } } @else { (rule_title(&x.spec.rule_id)) } }
                            td.wrap { (conditions_text(lang, &x.spec)) }
                            td.wrap { (x.spec.reason) }
                            td { (x.author) br; span.muted { (utc(x.created_ms)) } }
                            td { @if x.spec.expires_ms == 0 { (t(lang, Msg::ExceptionNever)) } @else { (utc(x.spec.expires_ms)) } }
                            td { (state_label(lang, x.state)) }
                            td.held { (x.suppressed) br; span.muted { (x.suppressed_7d) " · " (t(lang, Msg::ExceptionHeldBackWeek)) } }
                            td { @if x.last_suppressed_ms > 0 { (utc(x.last_suppressed_ms)) } }
                            @if who.role.can_triage() && x.state != "removed" {
                                td {
                                    a href={ "/exceptions/" (x.exception_id) "/edit" } { (t(lang, Msg::ExceptionEdit)) }
                                    details {
                                        summary { (t(lang, Msg::ExceptionRemove)) }
                                        form method="post" action={ "/exceptions/" (x.exception_id) "/remove" } {
                                            input type="hidden" name="csrf" value=(who.csrf());
                                            button type="submit" { (t(lang, Msg::ExceptionRemoveConfirm)) }
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

fn state_label(lang: Lang, state: &str) -> &'static str {
    t(
        lang,
        match state {
            "removed" => Msg::ExceptionRemovedState,
            "expired" => Msg::ExceptionExpired,
            _ => Msg::ExceptionActive,
        },
    )
}

/// What the form shows: the exception being written and what came of the last action.
pub struct Draft<'a> {
    /// The exception being changed, or `None` for a new one.
    pub id: Option<&'a str>,
    /// The rule as chosen, and its title.
    pub rule: (&'a str, String),
    /// Conditions so far (empty values are spare lines).
    pub conditions: Vec<Condition>,
    /// The reason so far.
    pub reason: &'a str,
    /// The expiry kept when changing an exception (ms; 0: never).
    pub expires_ms: u64,
    /// The expiry chosen on the form: `keep` or a number of days.
    pub expiry_choice: &'a str,
    /// The last preview.
    pub preview: Option<Preview>,
    /// Why the last save was refused.
    pub error: Option<String>,
    /// The alert it came from, for the way back.
    pub alert: Option<&'a str>,
}

/// The form page's body.
pub fn form(lang: Lang, who: &Principal, draft: &Draft<'_>) -> Markup {
    let spare = (0..SPARE_LINES).map(|_| Condition {
        field: String::new(),
        op: Op::Is,
        value: String::new(),
    });
    let lines: Vec<Condition> = draft.conditions.iter().cloned().chain(spare).collect();
    html! {
        h1 { (t(lang, if draft.id.is_some() { Msg::ExceptionEdit } else { Msg::ExceptionNew })) }
        p.muted { (t(lang, Msg::ExceptionsHelp)) }
        @if let Some(error) = &draft.error {
            p.err role="alert" { (t(lang, Msg::ExceptionInvalid)) " — " (error) }
        }
        @if let Some(p) = draft.preview {
            p.ok #preview role="status" data-would-suppress=(p.would_suppress) {
                (fill(lang, if p.capped { Msg::ExceptionWouldSuppressCapped } else { Msg::ExceptionWouldSuppress },
                    &[("n", &p.would_suppress), ("examined", &p.examined)]))
            }
        }
        form #exception method="post" action="/exceptions" {
            input type="hidden" name="csrf" value=(who.csrf());
            @if let Some(id) = draft.id { input type="hidden" name="id" value=(id); }
            @if let Some(alert) = draft.alert { input type="hidden" name="alert" value=(alert); }
            label { (t(lang, Msg::ExceptionRule)) " "
                select name="rule_id" {
                    @if !draft.rule.0.is_empty() {
                        option value=(draft.rule.0) selected { (draft.rule.1) }
                    }
                    option value="" selected[draft.rule.0.is_empty()] { (t(lang, Msg::ExceptionAllRules)) }
                }
            }
            fieldset {
                legend { (t(lang, Msg::ExceptionConditions)) }
                table {
                    (crate::views::html::head(lang, &[Msg::ExceptionField, Msg::ExceptionOp, Msg::ExceptionValue]))
                    tbody {
                        @for (i, c) in lines.iter().enumerate() {
                            tr {
                                td { input name={ "field" (i) } value=(c.field) size="18" aria-label=(t(lang, Msg::ExceptionField)); }
                                td { select name={ "op" (i) } aria-label=(t(lang, Msg::ExceptionOp)) {
                                    @for op in Op::ALL {
                                        option value=(op.as_str()) selected[op == c.op] { (op_label(lang, op)) }
                                    }
                                } }
                                td { input name={ "value" (i) } value=(c.value) size="60" aria-label=(t(lang, Msg::ExceptionValue)); }
                            }
                        }
                    }
                }
            }
            label { (t(lang, Msg::ExceptionReason)) br;
                textarea name="reason" rows="2" cols="90" required { (draft.reason) }
            }
            br;
            label { (t(lang, Msg::ExceptionExpires)) " "
                select name="expires_days" {
                    @if draft.id.is_some() {
                        option value="keep" selected[draft.expiry_choice == "keep"] {
                            @if draft.expires_ms == 0 { (t(lang, Msg::ExceptionNever)) } @else { (utc(draft.expires_ms)) }
                        }
                    }
                    @for days in EXPIRY_DAYS {
                        option value=(days) selected[draft.expiry_choice == days.to_string()] {
                            @if days == 0 { (t(lang, Msg::ExceptionNever)) } @else { (fill(lang, Msg::ExceptionInDays, &[("days", &days)])) }
                        }
                    }
                }
            }
            p {
                button type="submit" name="action" value="preview" { (t(lang, Msg::ExceptionPreview)) }
                " "
                button type="submit" name="action" value="save" { (t(lang, Msg::ExceptionSave)) }
            }
        }
        @if let Some(alert) = draft.alert {
            p { a href={ "/alerts/" (alert) } { (t(lang, Msg::BackToAlerts)) } }
        }
    }
}
