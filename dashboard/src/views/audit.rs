//! The audit trail page: each chain's verdict on request, filters, rows, pages.

use maud::{html, Markup};
use vigie_store::audit::triage::TriageVerdict;
use vigie_store::audit::{AuditRow, Verdict};

use crate::i18n::{colon, t, Lang, Msg};
use crate::queries::audit::AuditFilter;
use crate::views::html::{head, utc};

/// What a check of the audit trail found.
pub struct Checked {
    /// Each chain's verdict.
    pub chains: Vec<(String, Verdict)>,
    /// The triage history's, against the trail.
    pub triage: TriageVerdict,
}

/// The page's body. `checked` is there when a check was asked for; `more` when a next
/// page exists.
pub fn page(
    lang: Lang,
    who: &crate::auth::Principal,
    filter: &AuditFilter,
    checked: Option<&Checked>,
    rows: &[AuditRow],
    more: bool,
) -> Markup {
    let time_value = |ms: Option<u64>| {
        ms.map(|m| utc(m).replace(' ', "T")[..16].to_string())
            .unwrap_or_default()
    };
    html! {
        h1 { (t(lang, Msg::NavAudit)) }
        @if let Some(checked) = checked {
            section {
                h2 { (t(lang, Msg::AuditVerify)) }
                ul {
                    @for (chain, verdict) in &checked.chains { (verdict_line(lang, chain, verdict)) }
                    (triage_line(lang, &checked.triage))
                }
            }
        } @else {
            p { a href="/audit?verify=1" { (t(lang, Msg::AuditVerify)) } }
        }
        form.filters method="get" action="/audit" {
            @for (name, key, value) in [
                ("chain", Msg::AuditChain, &filter.chain),
                ("actor", Msg::ColWho, &filter.actor),
                ("action", Msg::ColWhat, &filter.action),
            ] {
                label { (t(lang, key)) input name=(name) value=(value); }
            }
            @for (name, key, ms) in [("from", Msg::FilterFrom, filter.from_ms), ("to", Msg::FilterTo, filter.to_ms)] {
                label { (t(lang, key)) " (UTC)" input type="datetime-local" name=(name) value=(time_value(ms)); }
            }
            button type="submit" { (t(lang, Msg::Filter)) }
        }
        details #audit-export {
            summary { (t(lang, Msg::AuditExportMake)) }
            p.muted { (t(lang, Msg::AuditExportHelp)) }
            form method="post" action="/audit/export" {
                input type="hidden" name="csrf" value=(who.csrf());
                @for (name, value) in [("chain", &filter.chain), ("actor", &filter.actor), ("action", &filter.action)] {
                    input type="hidden" name=(name) value=(value);
                }
                @for (name, key, ms) in [("from", Msg::FilterFrom, filter.from_ms), ("to", Msg::FilterTo, filter.to_ms)] {
                    label { (t(lang, key)) " (UTC)" input type="datetime-local" name=(name) value=(time_value(ms)) required; }
                }
                (crate::views::forms::file_options(lang, &["csv", "json", "pdf"]))
                button type="submit" { (t(lang, Msg::AuditExportMake)) }
            }
        }
        table {
            (head(lang, &[Msg::ColTime, Msg::AuditChain, Msg::AuditSeq, Msg::ColWho, Msg::ColWhat, Msg::ColTarget, Msg::AuditDetails]))
            tbody {
                @for r in rows {
                    tr {
                        td { (utc(r.ts)) }
                        td { (r.chain) }
                        td.n { (r.seq) }
                        td { (r.actor) }
                        td title=(r.action) { (action_label(&r.action, lang)) }
                        td.wrap { (r.target) }
                        td.wrap { (details(lang, &r.details)) }
                    }
                }
            }
        }
        @if more {
            @if let Some(last) = rows.last() {
                p { a href={ "/audit?" (filter.query_string(Some(last.ts))) } rel="next" { (t(lang, Msg::NextPage)) } }
            }
        }
    }
}

/// What a person reads for an audit action (shown as stored when unknown).
pub fn action_label(action: &str, lang: Lang) -> &str {
    let msg = match action {
        "agent_enrolled" => Msg::AuditAgentEnrolled,
        "agent_group_set" => Msg::AuditAgentGroupSet,
        "agent_revoked" => Msg::AuditAgentRevoked,
        "agent_settings_changed" => Msg::AuditAgentSettingsChanged,
        "alert_viewed" => Msg::AuditAlertViewed,
        "enrollment_token_created" => Msg::AuditEnrollmentTokenCreated,
        "enrollment_token_revoked" => Msg::AuditEnrollmentTokenRevoked,
        "exception_changed" => Msg::AuditExceptionChanged,
        "exception_created" => Msg::AuditExceptionCreated,
        "exception_removed" => Msg::AuditExceptionRemoved,
        "export_csv" => Msg::AuditExportCsv,
        "hunt" => Msg::AuditHunt,
        "login" => Msg::AuditLogin,
        "login_failed" => Msg::AuditLoginFailed,
        "logout" => Msg::AuditLogout,
        "logout_everywhere" => Msg::AuditLogoutEverywhere,
        "password_changed" => Msg::AuditPasswordChanged,
        "report_downloaded" => Msg::AuditReportDownloaded,
        "report_exported" => Msg::AuditReportExported,
        "audit_exported" => Msg::AuditAuditExported,
        "retention_dropped" => Msg::AuditRetentionDropped,
        "rules_changed" => Msg::AuditRulesChanged,
        "rules_written" => Msg::AuditRulesWritten,
        "incident_opened" => Msg::AuditIncidentOpened,
        "incident_changed" => Msg::AuditIncidentChanged,
        "incident_note" => Msg::AuditIncidentNote,
        "incident_alerts" => Msg::AuditIncidentAlerts,
        "incident_evidence" => Msg::AuditIncidentEvidence,
        "rules_deleted" => Msg::AuditRulesDeleted,
        "rules_loaded" => Msg::AuditRulesLoaded,
        "search" => Msg::AuditSearch,
        "token_created" => Msg::AuditTokenCreated,
        "token_revoked" => Msg::AuditTokenRevoked,
        "triage" => Msg::AuditTriage,
        "user_changed" => Msg::AuditUserChanged,
        "user_created" => Msg::AuditUserCreated,
        other => return other,
    };
    t(lang, msg)
}

/// An entry's details, readable: one line per value (statuses in words), the JSON
/// itself on hover.
fn details(lang: Lang, text: &str) -> Markup {
    let Ok(serde_json::Value::Object(fields)) = serde_json::from_str::<serde_json::Value>(text)
    else {
        return html! { code { (text) } };
    };
    html! {
        dl.details title=(text) {
            @for (key, value) in &fields {
                @if !value.is_null() && value != "" {
                    dt { (key) }
                    dd {
                        @match value {
                            serde_json::Value::String(s) if key == "status" => (vigie_model::AlertStatus::label_of(s, lang)),
                            serde_json::Value::String(s) if key == "action" => (crate::queries::triage::action_label(s, lang)),
                            serde_json::Value::String(s) => (s),
                            other => (other.to_string()),
                        }
                    }
                }
            }
        }
    }
}

fn triage_line(lang: Lang, v: &TriageVerdict) -> Markup {
    match v {
        TriageVerdict::Intact { rows, requests } => html! {
            li.ok {
                strong { (t(lang, Msg::AuditTriageHistory)) } (colon(lang)) (t(lang, Msg::AuditIntact))
                " (" (rows) " · " (requests) ")"
            }
        },
        TriageVerdict::Broken {
            reason, reason_fr, ..
        } => html! {
            li.err {
                strong { (t(lang, Msg::AuditTriageHistory)) } (colon(lang)) (if lang == Lang::Fr { reason_fr } else { reason })
            }
        },
    }
}

fn verdict_line(lang: Lang, chain: &str, v: &Verdict) -> Markup {
    match v {
        Verdict::Intact {
            rows,
            first_seq,
            witnessed,
        } => html! {
            li.ok {
                strong { (chain) } (colon(lang)) (t(lang, Msg::AuditIntact))
                " (" (rows) " · " (t(lang, Msg::AuditFromSeq)) " " (first_seq)
                " · " (t(lang, Msg::AuditWitnessed)) " " (witnessed) ")"
            }
        },
        Verdict::Broken {
            reason, reason_fr, ..
        } => html! {
            li.err {
                strong { (chain) } ": " (if lang == Lang::Fr { reason_fr } else { reason })
            }
        },
    }
}
