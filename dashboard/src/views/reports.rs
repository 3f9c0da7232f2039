//! The reports page: the installation's signing key, the form to make a report (period,
//! hosts, rule, severities, statuses, format, language, marking, annex,
//! recommendations), and the reports made so far.

use maud::{html, Markup};
use vigie_model::{AlertStatus, Severity};

use crate::auth::Principal;
use crate::i18n::{colon, t, Lang, Msg};
use crate::queries::report::Listed;
use crate::views::html::{head, utc};

/// The page's body: `made` names a report just made.
pub fn page(
    lang: Lang,
    who: &Principal,
    key_fingerprint: &str,
    made: Option<&str>,
    reports: &[Listed],
    now_ms: u64,
    marking: &str,
) -> Markup {
    let input_time = |ms: u64| utc(ms).replace(' ', "T")[..16].to_string();
    html! {
        h1 { (t(lang, Msg::NavReports)) }
        p.muted { (t(lang, Msg::ReportKey)) (colon(lang)) code { (key_fingerprint) } }
        @if let Some(id) = made {
            p.ok role="status" {
                (t(lang, Msg::ReportMade)) " "
                a href={ "/reports/" (id) "/file" } { (t(lang, Msg::ReportDownload)) }
                " · "
                a href={ "/reports/" (id) "/sig" } { ".sig" }
            }
        }
        form.filters method="post" action="/reports" {
            input type="hidden" name="csrf" value=(who.csrf());
            label { (t(lang, Msg::FilterFrom)) " (UTC)" input type="datetime-local" name="from" value=(input_time(now_ms.saturating_sub(7 * 86_400_000))) required; }
            label { (t(lang, Msg::FilterTo)) " (UTC)" input type="datetime-local" name="to" value=(input_time(now_ms + 60_000)) required; }
            label { (t(lang, Msg::FilterHost)) input name="hosts" placeholder="web1, db1"; }
            label { (t(lang, Msg::FilterRule)) input name="rule"; }
            fieldset {
                legend { (t(lang, Msg::FilterSeverity)) }
                @for s in Severity::ALL.iter().rev() {
                    label { input type="checkbox" name="severity" value=(s.as_str()); " " (s.label(lang)) }
                    " "
                }
            }
            fieldset {
                legend { (t(lang, Msg::FilterStatus)) }
                @for s in AlertStatus::ALL {
                    label { input type="checkbox" name="status" value=(s.as_str()); " " (s.label(lang)) }
                    " "
                }
            }
            (crate::views::forms::file_options(lang, &["pdf", "csv", "json"]))
            label { (t(lang, Msg::ReportMarking)) input name="marking" maxlength="80" placeholder=(marking); }
            label {
                (t(lang, Msg::ReportAnnex))
                select name="annex" {
                    option value="yes" { (t(lang, Msg::Yes)) }
                    option value="no" { (t(lang, Msg::No)) }
                }
            }
            label.wide {
                (t(lang, Msg::ReportRecommendations))
                textarea name="recommendations" rows="4" maxlength="10000" placeholder=(t(lang, Msg::ReportRecommendationsHint)) {}
            }
            button type="submit" { (t(lang, Msg::ReportMake)) }
        }
        table {
            (head(lang, &[Msg::ColCreated, Msg::ColWho, Msg::ReportPeriod, Msg::ReportFormat, Msg::ReportSha256, Msg::ReportDownload]))
            tbody {
                @for r in reports {
                    tr {
                        td { (utc(r.created_ms)) }
                        td { (r.actor) }
                        td { (utc(r.from_ms)) " — " (utc(r.to_ms)) }
                        td { (r.format) " (" (r.lang) ")" }
                        td { code { (r.sha256) } }
                        td {
                            a href={ "/reports/" (r.report_id) "/file" } { (r.file_name) }
                            " · "
                            a href={ "/reports/" (r.report_id) "/sig" } { ".sig" }
                        }
                    }
                }
            }
        }
    }
}
