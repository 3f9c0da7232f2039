//! Period reports as files: PDF (see [`crate::views::report_pdf`]), CSV or JSON, in
//! French or English, from what [`crate::queries::report::gather`] collected.

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
    let header: Vec<String> = [
        "alert_id",
        "time_utc",
        "host",
        "agent_id",
        "severity",
        "status",
        "assignee",
        "rule_id",
        "rule",
        "author",
        "tags",
        "summary",
        "target",
        "triage_history",
        "events",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let mut out = crate::views::csv::line(&header);
    for a in &data.alerts {
        out.push_str(&crate::views::csv::line(&[
            a.alert_id.clone(),
            utc(a.ts),
            a.hostname.clone(),
            a.agent_id.clone(),
            a.severity.clone(),
            a.status.clone(),
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
