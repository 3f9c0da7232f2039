//! Period reports as files: PDF (see [`crate::views::report_pdf`]), CSV or JSON, in
//! French or English, from what [`crate::queries::report::gather`] collected.

use vigie_model::{AlertStatus, Severity};

use crate::i18n::{t, Msg};
use crate::queries::report::{Format, ReportData};
use crate::views::html::utc;
use crate::views::report_pdf::Presentation;

/// The file name of a report made at `ms` in `format`.
pub fn file_name(data: &ReportData) -> String {
    format!(
        "vigie-report-{}.{}",
        utc(data.generated_ms).replace([' ', ':'], "-"),
        data.request.format.name()
    )
}

/// The report as a file in its format.
pub fn render(data: &ReportData, presentation: &Presentation) -> Vec<u8> {
    match data.request.format {
        Format::Json => serde_json::to_vec_pretty(data).expect("serializable"),
        Format::Csv => csv(data).into_bytes(),
        Format::Pdf => crate::views::report_pdf::render(data, presentation, &file_name(data)),
    }
}

fn csv(data: &ReportData) -> String {
    let lang = data.request.lang;
    // Headers and values as a person reads them, in the report's language (the JSON
    // report keeps the stable keys for programs).
    let header: Vec<String> = [
        Msg::ColAlertId,
        Msg::ColTimeUtc,
        Msg::ColHost,
        Msg::ColAgentId,
        Msg::ColSeverity,
        Msg::ColStatus,
        Msg::ColAssignee,
        Msg::ColRuleId,
        Msg::ColRule,
        Msg::RuleAuthor,
        Msg::ColTags,
        Msg::ColSummary,
        Msg::ColTarget,
        Msg::History,
        Msg::ColEvents,
    ]
    .iter()
    .map(|m| t(lang, *m).to_string())
    .collect();
    let mut out = crate::views::csv::line(&header);
    for a in &data.alerts {
        out.push_str(&crate::views::csv::line(&[
            a.alert_id.clone(),
            utc(a.ts),
            a.hostname.clone(),
            a.agent_id.clone(),
            Severity::label_of(&a.severity, lang).to_string(),
            AlertStatus::label_of(&a.status, lang).to_string(),
            a.assignee.clone(),
            a.rule_id.clone(),
            a.rule_title.clone(),
            a.author.clone(),
            a.tags.join(" "),
            a.summary.clone(),
            a.target.clone(),
            crate::views::report_pdf::history_text(lang, &a.history).join(" | "),
            serde_json::to_string(&a.events).expect("serializable"),
        ]));
    }
    out
}
