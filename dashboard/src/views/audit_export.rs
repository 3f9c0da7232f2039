//! The audit trail as signed files: CSV and JSON with every entry, its hashes and its
//! signature (so each chain can be checked again elsewhere), and a PDF that sums them
//! up — the entries per action and per author, and what the check of each chain found
//! at the time of export.

use std::collections::BTreeMap;

use serde_json::json;
use vigie_model::i18n::{date_time, fill, number};
use vigie_store::audit::triage::TriageVerdict;
use vigie_store::audit::{AuditRow, Verdict};

use crate::i18n::{colon, t, Lang, Msg};
use crate::queries::report::Format;
use crate::views::audit::{action_label, Checked};
use crate::views::html::utc;
use crate::views::pdf::{Doc, Face, Frame, Rgb, Style};

/// An export: what was asked and what was found.
pub struct AuditExport {
    /// Start and end of the period (ms).
    pub from_ms: u64,
    /// End (ms, excluded).
    pub to_ms: u64,
    /// The entries, chain by chain in order.
    pub rows: Vec<AuditRow>,
    /// Whether more entries matched than the file carries.
    pub cut: bool,
    /// Each chain's check at the time of export.
    pub checked: Checked,
    /// When and by whom.
    pub generated_ms: u64,
    /// Who asked.
    pub generated_by: String,
    /// The report key's fingerprint.
    pub key_fingerprint: String,
    /// Language and format.
    pub lang: Lang,
    /// The file's format.
    pub format: Format,
    /// The marking of every page (PDF).
    pub marking: String,
}

/// The file's name.
pub fn file_name(e: &AuditExport) -> String {
    format!(
        "vigie-audit-{}.{}",
        utc(e.generated_ms).replace([' ', ':'], "-"),
        e.format.name()
    )
}

/// The export as a file in its format.
pub fn render(e: &AuditExport) -> Vec<u8> {
    match e.format {
        Format::Csv => csv(e).into_bytes(),
        Format::Json => serde_json::to_vec_pretty(&as_json(e)).expect("serializable"),
        Format::Pdf => pdf(e),
    }
}

/// `en` or `fr`, as `lang` asks.
fn in_lang(lang: Lang, en: &str, fr: &str) -> String {
    match lang {
        Lang::Fr => fr.to_string(),
        Lang::En => en.to_string(),
    }
}

/// A chain's check in words.
fn verdict_text(lang: Lang, v: &Verdict) -> (bool, String) {
    match v {
        Verdict::Intact {
            rows,
            first_seq,
            witnessed,
        } => (
            true,
            format!(
                "{} ({} · {} {first_seq} · {} {witnessed})",
                t(lang, Msg::AuditIntact),
                number(lang, *rows),
                t(lang, Msg::AuditFromSeq),
                t(lang, Msg::AuditWitnessed)
            ),
        ),
        Verdict::Broken {
            reason, reason_fr, ..
        } => (false, in_lang(lang, reason, reason_fr)),
    }
}

fn triage_text(lang: Lang, v: &TriageVerdict) -> (bool, String) {
    match v {
        TriageVerdict::Intact { rows, requests } => (
            true,
            format!(
                "{} ({} · {})",
                t(lang, Msg::AuditIntact),
                number(lang, *rows),
                number(lang, *requests)
            ),
        ),
        TriageVerdict::Broken {
            reason, reason_fr, ..
        } => (false, in_lang(lang, reason, reason_fr)),
    }
}

fn csv(e: &AuditExport) -> String {
    let lang = e.lang;
    let header: Vec<String> = [
        Msg::AuditChain,
        Msg::AuditSeq,
        Msg::ColTime,
        Msg::ColWho,
        Msg::ColAction,
        Msg::ColWhat,
        Msg::ColTarget,
        Msg::AuditDetails,
        Msg::ColPrevHash,
        Msg::ColHash,
        Msg::ColSignature,
    ]
    .iter()
    .map(|m| t(lang, *m).to_string())
    .collect();
    let mut out = crate::views::csv::line(&header);
    for r in &e.rows {
        out.push_str(&crate::views::csv::line(&[
            r.chain.clone(),
            r.seq.to_string(),
            format!("{} UTC", utc(r.ts)),
            r.actor.clone(),
            r.action.clone(),
            action_label(&r.action, lang).to_string(),
            r.target.clone(),
            r.details.clone(),
            r.prev_hash.clone(),
            r.hash.clone(),
            r.signature.clone(),
        ]));
    }
    out
}

fn as_json(e: &AuditExport) -> serde_json::Value {
    let lang = e.lang;
    let chains: Vec<_> = e
        .checked
        .chains
        .iter()
        .map(|(chain, v)| {
            let (intact, text) = verdict_text(lang, v);
            json!({"chain": chain, "intact": intact, "verdict": text})
        })
        .collect();
    let (triage_intact, triage) = triage_text(lang, &e.checked.triage);
    json!({
        "from_ms": e.from_ms, "to_ms": e.to_ms,
        "generated_ms": e.generated_ms, "generated_by": e.generated_by,
        "key_fingerprint": e.key_fingerprint, "cut": e.cut,
        "chains": chains,
        "triage_history": {"intact": triage_intact, "verdict": triage},
        "entries": e.rows,
    })
}

fn pdf(e: &AuditExport) -> Vec<u8> {
    let lang = e.lang;
    let title = t(lang, Msg::AuditExportTitle).to_string();
    let mut doc = Doc::new(Frame {
        title: title.clone(),
        marking: e.marking.clone(),
        page_of: t(lang, Msg::ReportPageOf).to_string(),
        lang: lang.code().to_string(),
        author: e.generated_by.clone(),
        logo: None,
        created_ms: e.generated_ms,
    });
    doc.lines(
        Style {
            face: Face::Bold,
            size: 22.0,
            leading: 28.0,
            color: Rgb::ACCENT,
        },
        &title,
    );
    doc.paragraph(&format!(
        "{} — {}",
        date_time(lang, e.from_ms),
        date_time(lang, e.to_ms)
    ));
    doc.facts(&[
        (
            t(lang, Msg::ReportPreparedBy).to_string(),
            e.generated_by.clone(),
        ),
        (
            t(lang, Msg::ReportGenerated).to_string(),
            format!("{} UTC", date_time(lang, e.generated_ms)),
        ),
        (
            t(lang, Msg::ReportKey).to_string(),
            e.key_fingerprint.clone(),
        ),
    ]);
    doc.heading(t(lang, Msg::ReportSummary));
    let actors: BTreeMap<&str, u64> = e.rows.iter().fold(BTreeMap::new(), |mut m, r| {
        *m.entry(r.actor.as_str()).or_default() += 1;
        m
    });
    let actions: BTreeMap<&str, u64> = e.rows.iter().fold(BTreeMap::new(), |mut m, r| {
        *m.entry(r.action.as_str()).or_default() += 1;
        m
    });
    let chains: std::collections::BTreeSet<&str> =
        e.rows.iter().map(|r| r.chain.as_str()).collect();
    doc.paragraph(&fill(
        lang,
        Msg::AuditExportSentence,
        &[
            ("from", &date_time(lang, e.from_ms)),
            ("to", &date_time(lang, e.to_ms)),
            ("n", &number(lang, e.rows.len() as u64)),
            ("actors", &number(lang, actors.len() as u64)),
            ("chains", &number(lang, chains.len() as u64)),
        ],
    ));
    if e.cut {
        doc.paragraph(&fill(
            lang,
            Msg::AuditExportCut,
            &[("n", &number(lang, e.rows.len() as u64))],
        ));
    }
    doc.paragraph(t(lang, Msg::AuditExportHelp));
    doc.heading(t(lang, Msg::AuditExportChains));
    let mut verdicts: Vec<(String, (bool, String))> = e
        .checked
        .chains
        .iter()
        .map(|(chain, v)| (chain.clone(), verdict_text(lang, v)))
        .collect();
    verdicts.push((
        t(lang, Msg::AuditTriageHistory).to_string(),
        triage_text(lang, &e.checked.triage),
    ));
    for (chain, (intact, text)) in verdicts {
        doc.lines(
            Style {
                color: if intact { Rgb::BLACK } else { Rgb::MARKING },
                ..Style::BODY
            },
            &format!("{chain}{}{text}", colon(lang)),
        );
    }
    doc.space(6.0);
    let table = |doc: &mut Doc, heading: Msg, column: Msg, counts: Vec<(String, u64)>| {
        doc.heading(t(lang, heading));
        let rows: Vec<Vec<String>> = counts
            .into_iter()
            .map(|(k, n)| vec![k, number(lang, n)])
            .collect();
        doc.table(
            &[
                t(lang, column).to_string(),
                t(lang, Msg::ReportCount).to_string(),
            ],
            &[0.75, 0.25],
            &rows,
        );
    };
    let mut by_action: Vec<(String, u64)> = actions
        .iter()
        .map(|(a, n)| (action_label(a, lang).to_string(), *n))
        .collect();
    by_action.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
    table(
        &mut doc,
        Msg::AuditExportByAction,
        Msg::ColAction,
        by_action,
    );
    let mut by_actor: Vec<(String, u64)> =
        actors.iter().map(|(a, n)| (a.to_string(), *n)).collect();
    by_actor.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
    table(&mut doc, Msg::AuditExportByActor, Msg::ColWho, by_actor);
    doc.heading(t(lang, Msg::ReportSignatureFacts));
    crate::views::report_pdf::signature_facts(&mut doc, lang, &file_name(e), &e.key_fingerprint);
    doc.finish()
}
