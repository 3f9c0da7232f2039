//! Signed incident reports end to end: made by an auditor over seeded alerts and triage
//! history, downloaded with their signature, checked by `vigie report verify`; a changed
//! byte, a swapped signature and another key fail with a clear message; the PDF renders
//! (pdftoppm) and its text (pdftotext) holds the alert ids and the triage history, in
//! English and in French; the export is in the audit trail with its SHA-256.

use std::path::Path;
use std::process::Command;

use base64::Engine;
use serde_json::{json, Value};
use vigie_store::rows::{AlertActionRow, AlertRow};
use vigie_tests::{bin, download, http, json_of, post_json, sign_in, Stack};

fn alert(id: &str, ts: u64, host: &str, severity: &str, tags: &[&str]) -> AlertRow {
    AlertRow {
        date: vigie_store::date_of(ts),
        ts,
        created_ms: ts,
        alert_id: id.into(),
        agent_id: format!("agent-{host}"),
        hostname: host.into(),
        event_seq: 1,
        rule_id: "r-shadow".into(),
        rule_title: "Shadow file changed".into(),
        rule_title_fr: "Fichier shadow modifié".into(),
        severity: severity.into(),
        tags: tags.iter().map(|t| t.to_string()).collect(),
        author: "Vigie".into(),
        summary: format!("/etc/shadow modified on {host}"),
        target: "/etc/shadow".into(),
        action: "modified".into(),
        events: json!([{"agent_id": format!("agent-{host}"), "hostname": host, "seq": 1, "ts": ts, "category": "file_event", "TargetFilename": "/etc/shadow", "Action": "modified"}]).to_string(),
        summary_fr: String::new(),
    }
}

/// `vigie report verify` on a machine whose data folder is `data_dir` (the SOC's, where
/// the installation's report key is, or any other).
fn verify_on(data_dir: &Path, file: &Path, extra: &[&str]) -> (i32, String) {
    let out = Command::new(bin("vigie"))
        .args(["report", "verify", file.to_str().unwrap()])
        .args(extra)
        .env("VIGIE_DATA_DIR", data_dir)
        .env("VIGIE_DASHBOARD_CONFIG", data_dir.join("no-dashboard.toml"))
        .env("VIGIE_LANG", "en")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).to_string(),
    )
}

/// The report key's fingerprint as the reports page shows it.
fn answer_key_fingerprint(page: &str) -> String {
    let label = "Signing key fingerprint (SHA-256): <code>";
    let at = page.find(label).expect("the fingerprint is shown") + label.len();
    page[at..at + 64].to_string()
}

/// A host named in Arabic script: it must come out of the PDF as written.
const ARABIC_HOST: &str = "خادم-المالية";
/// The organisation on the cover, in both scripts.
const ORGANISATION: &str = "Ministère des Finances — وزارة المالية";
/// A one-pixel PNG standing for the organisation's logo.
const PNG: &str = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";

/// Each page's text, from pdftotext (pages end with a form feed).
fn pages_of(text: &str) -> Vec<&str> {
    text.split('\u{c}')
        .filter(|p| !p.trim().is_empty())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn signed_reports_verify_and_tampering_fails() {
    let stack = Stack::start("").await;
    let now = vigie_model::event::now_ms();
    let hour = 3_600_000;
    vigie_store::insert_rows(
        &stack.client,
        "alerts",
        &[
            alert("rep1", now - 5 * hour, "web1", "high", &["attack.t1098"]),
            alert("rep2", now - 4 * hour, "db1", "critical", &["attack.t1098"]),
            alert("silent1", now - 3 * hour, "mail1", "high", &["vigie.fleet"]),
            alert(
                "rep3",
                now - 3 * hour,
                ARABIC_HOST,
                "medium",
                &["attack.persistence"],
            ),
        ],
    )
    .await
    .unwrap();
    let step = |id: &str, ts: u64, action: &str, status: &str, comment: &str| AlertActionRow {
        date: vigie_store::date_of(ts),
        ts,
        alert_id: id.into(),
        action: action.into(),
        status: status.into(),
        assignee: String::new(),
        comment: comment.into(),
        actor: "ana".into(),
        request_id: String::new(),
    };
    vigie_store::insert_rows(
        &stack.client,
        "alert_actions",
        &[
            step(
                "rep1",
                now - 2 * hour,
                "comment",
                "",
                "password hashes checked",
            ),
            step(
                "rep1",
                now - hour,
                "status",
                "resolved",
                "account reset by the DSI",
            ),
        ],
    )
    .await
    .unwrap();
    let logo = stack.path("logo.png");
    std::fs::write(
        &logo,
        base64::engine::general_purpose::STANDARD
            .decode(PNG)
            .unwrap(),
    )
    .unwrap();
    let dashboard = stack
        .start_dashboard_with(
            "report-password-1",
            &format!(
                "[reports]\norganisation = \"{ORGANISATION}\"\nmarking = \"DIFFUSION RESTREINTE\"\nlogo_file = \"{}\"\n",
                logo.display()
            ),
        )
        .await;
    let port = dashboard.port;
    let admin = ("Cookie", dashboard.session.as_str());
    let page = http(port, "GET", "/alerts", &[admin], "");
    let at = page.body.find("name=\"csrf\" value=\"").unwrap();
    let admin_csrf = page.body[at + 19..].split('"').next().unwrap().to_string();
    let made = http(
        port,
        "POST",
        "/api/v1/users",
        &[
            admin,
            ("X-CSRF-Token", &admin_csrf),
            ("Content-Type", "application/json"),
        ],
        &json!({"username": "aud", "role": "auditor", "password": "long-password-4"}).to_string(),
    );
    assert_eq!(made.status, 201, "{}", made.body);
    let aud_cookie = sign_in(port, "aud", "long-password-4");
    let page = http(port, "GET", "/reports", &[("Cookie", &aud_cookie)], "");
    let at = page.body.find("name=\"csrf\" value=\"").unwrap();
    let csrf = page.body[at + 19..].split('"').next().unwrap().to_string();
    let dir = tempfile::tempdir().unwrap();
    let soc = stack.path("");
    let verify = |file: &Path, extra: &[&str]| verify_on(&soc, file, extra);
    let from = now - 24 * hour;
    let to = now + hour;

    let make = |format: &str, lang: &str, extra: Value| -> (std::path::PathBuf, Value) {
        let mut body = json!({"from": from.to_string(), "to": to.to_string(), "format": format, "report_lang": lang});
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        let r = http(
            port,
            "POST",
            "/api/v1/reports",
            &[
                ("Cookie", &aud_cookie),
                ("X-CSRF-Token", &csrf),
                ("Content-Type", "application/json"),
            ],
            &body.to_string(),
        );
        assert_eq!(r.status, 201, "{}", r.body);
        let answer = json_of(&r);
        let file = dir
            .path()
            .join(format!("{lang}-{}", answer["file_name"].as_str().unwrap()));
        std::fs::write(
            &file,
            download(port, answer["file"].as_str().unwrap(), &aud_cookie),
        )
        .unwrap();
        let mut sig = file.clone().into_os_string();
        sig.push(".sig");
        std::fs::write(
            &sig,
            download(port, answer["signature"].as_str().unwrap(), &aud_cookie),
        )
        .unwrap();
        (file, answer)
    };

    let (pdf_en, answer) = make("pdf", "en", json!({}));
    let (code, text) = verify(&pdf_en, &[]);
    assert_eq!(code, 0, "{text}");
    assert!(text.starts_with("valid"), "{text}");
    assert!(
        text.contains("this installation's report key"),
        "pinned by default on the SOC: {text}"
    );
    assert_eq!(
        answer["sha256"],
        vigie_model::hex::sha256(&std::fs::read(&pdf_en).unwrap())
    );

    // The PDF renders (its first two pages kept for a person to look at) and reads
    // back: cover, summary in sentences, every section, the marking and "page N of M"
    // on every page, Arabic script intact, the triage history in the annex.
    let shots = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/test-output");
    std::fs::create_dir_all(&shots).unwrap();
    let rendered = Command::new("pdftoppm")
        .args([
            "-png",
            "-r",
            "60",
            "-f",
            "1",
            "-l",
            "2",
            pdf_en.to_str().unwrap(),
        ])
        .arg(shots.join("report-en"))
        .status()
        .expect("pdftoppm (poppler-utils) is installed by the test command");
    assert!(rendered.success());
    let cover = std::fs::read_dir(&shots)
        .unwrap()
        .filter_map(|e| e.ok())
        .find(|e| e.file_name().to_string_lossy().starts_with("report-en-1"));
    assert!(
        cover.is_some_and(|p| p.metadata().unwrap().len() > 1000),
        "a page image"
    );
    // PDF/A-2b, as poppler reads its metadata (a logo and Arabic script included).
    let info = Command::new("pdfinfo")
        .arg("-meta")
        .arg(&pdf_en)
        .output()
        .expect("pdfinfo (poppler-utils) is installed by the test command");
    let meta = String::from_utf8_lossy(&info.stdout);
    assert!(
        meta.contains("<pdfaid:part>2</pdfaid:part>")
            && meta.contains("<pdfaid:conformance>B</pdfaid:conformance>"),
        "{meta}"
    );
    let pdftotext = |file: &Path| vigie_tests::pdf_text(file);
    let english = pdftotext(&pdf_en);
    for needle in [
        "Security monitoring report",
        "Ministère des Finances",
        "Prepared by",
        "aud",
        "Vigie raised 4 alerts on 4 hosts.",
        "By severity: 1 critical, 2 high and 1 medium.",
        "Executive summary",
        "Alerts over time and by severity",
        "Hosts affected",
        "Detections by rule and host",
        "What was done",
        "Agents that went silent",
        "Recommendations",
        "Persistence: compare cron tables",
        "Account manipulation: compare every",
        "Sign-off",
        "Approved by",
        "This document is signed",
        "Annex: every alert in detail",
        "rep1",
        "rep2",
        "account reset by the DSI",
        "password hashes checked",
        "web1",
        "db1",
        "T1098",
        "Account Manipulation",
        "mail1",
    ] {
        assert!(
            english.contains(needle),
            "{needle:?} missing from:\n{english}"
        );
    }
    // Arabic script intact: both words of the host name, whole, on one line
    // (pdftotext orders right-to-left pieces around the hyphen by its own rules).
    assert!(
        english
            .lines()
            .any(|l| l.contains("خادم") && l.contains("المالية")),
        "{english}"
    );
    assert!(english.contains("وزارة المالية"), "{english}");
    let pages = pages_of(&english);
    assert!(pages.len() >= 4, "{} pages", pages.len());
    for (i, page) in pages.iter().enumerate() {
        let footer = format!("Page {} of {}", i + 1, pages.len());
        assert!(page.contains(&footer), "no {footer:?} on:\n{page}");
        assert!(
            page.matches("DIFFUSION RESTREINTE").count() >= 2,
            "the marking at the top and bottom of page {}:\n{page}",
            i + 1
        );
    }
    // The contents give each section's page.
    let contents = pages[1];
    assert!(contents.contains("Contents"), "{contents}");
    let annex_page = pages
        .iter()
        .position(|p| p.contains("Annex: every alert in detail") && !p.contains("Contents"))
        .unwrap();
    let listed = contents
        .lines()
        .find(|l| l.contains("Annex: every alert in detail"))
        .unwrap();
    assert!(
        listed.trim_end().ends_with(&(annex_page + 1).to_string()),
        "{listed:?} vs page {}",
        annex_page + 1
    );
    // The verification command the report shows works as written, where the file has
    // its own name, on another machine (no installation key there: the fingerprint it
    // carries is what pins the key).
    let command = english
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with("vigie report verify "))
        .expect("the verification command is shown");
    let elsewhere = tempfile::tempdir().unwrap();
    let name = answer["file_name"].as_str().unwrap();
    std::fs::copy(&pdf_en, elsewhere.path().join(name)).unwrap();
    std::fs::copy(
        format!("{}.sig", pdf_en.display()),
        elsewhere.path().join(format!("{name}.sig")),
    )
    .unwrap();
    let words: Vec<&str> = command.split_whitespace().collect();
    assert_eq!(words[0], "vigie");
    let out = Command::new(bin("vigie"))
        .args(&words[1..])
        .current_dir(elsewhere.path())
        .env("VIGIE_DATA_DIR", elsewhere.path())
        .env("VIGIE_DASHBOARD_CONFIG", elsewhere.path().join("none.toml"))
        .env("VIGIE_LANG", "en")
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{command}: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    // Without the annex: the same sections, fewer pages, no alert ids.
    let (short, _) = make("pdf", "en", json!({"annex": "no"}));
    let short_text = pdftotext(&short);
    assert!(short_text.contains("Detections by rule and host"));
    assert!(!short_text.contains("Annex: every alert in detail"));
    assert!(pages_of(&short_text).len() < pages.len());
    let (pdf_fr, _) = make("pdf", "fr", json!({}));
    assert_eq!(verify(&pdf_fr, &[]).0, 0);
    let french = pdftotext(&pdf_fr);
    for needle in [
        "Rapport de surveillance de la sécurité",
        "Synthèse pour la direction",
        // pdftotext gives the no-break space before the colon as a space.
        "Par gravité : 1 critique, 2 élevées et 1 moyenne.",
        "Page 1 sur",
        "rep1",
        "account reset by the DSI",
        "Fichier shadow modifié",
        "résolue",
        "Agents devenus muets",
    ] {
        assert!(
            french.contains(needle),
            "{needle:?} missing from:\n{french}"
        );
    }

    // Filters: one host; CSV and JSON verify too.
    let (csv, _) = make("csv", "en", json!({"hosts": "db1"}));
    assert_eq!(verify(&csv, &[]).0, 0);
    let csv_text = std::fs::read_to_string(&csv).unwrap();
    assert!(
        csv_text.contains("rep2") && !csv_text.contains("rep1"),
        "{csv_text}"
    );
    assert!(
        csv_text.starts_with("Alert id,Time (UTC),Host,"),
        "{csv_text}"
    );
    // The French CSV speaks French, headers and values.
    let (csv_fr, _) = make("csv", "fr", json!({"hosts": "db1"}));
    assert_eq!(verify(&csv_fr, &[]).0, 0);
    let csv_text = std::fs::read_to_string(&csv_fr).unwrap();
    assert!(
        csv_text.starts_with("Identifiant de l'alerte,Heure (UTC),Hôte,"),
        "{csv_text}"
    );
    assert!(csv_text.contains(",critique,nouvelle,"), "{csv_text}");
    let (json_file, _) = make("json", "en", json!({"status": ["resolved"]}));
    assert_eq!(verify(&json_file, &[]).0, 0);
    let data: Value = serde_json::from_slice(&std::fs::read(&json_file).unwrap()).unwrap();
    assert_eq!(data["total_alerts"], 1);
    assert_eq!(
        data["alerts"][0]["history"][1]["comment"],
        "account reset by the DSI"
    );

    // A changed byte, a swapped signature, another key: each fails, saying why.
    let mut bytes = std::fs::read(&pdf_en).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x20;
    let changed = dir.path().join("changed.pdf");
    std::fs::write(&changed, &bytes).unwrap();
    std::fs::copy(
        format!("{}.sig", pdf_en.display()),
        dir.path().join("changed.pdf.sig"),
    )
    .unwrap();
    let (code, text) = verify(&changed, &[]);
    assert_eq!(code, 1);
    assert!(text.contains("the file was changed"), "{text}");
    let mut sig: Value = serde_json::from_str(
        &std::fs::read_to_string(format!("{}.sig", pdf_en.display())).unwrap(),
    )
    .unwrap();
    let other: Value = serde_json::from_str(
        &std::fs::read_to_string(format!("{}.sig", pdf_fr.display())).unwrap(),
    )
    .unwrap();
    sig["signature"] = other["signature"].clone();
    let swapped = dir.path().join("swapped.sig");
    std::fs::write(&swapped, sig.to_string()).unwrap();
    let (code, text) = verify(&pdf_en, &["--sig", swapped.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(text.contains("swapped or forged"), "{text}");
    let stranger = {
        use ring::signature::KeyPair;
        let pkcs8 =
            ring::signature::Ed25519KeyPair::generate_pkcs8(&ring::rand::SystemRandom::new())
                .unwrap();
        let key = ring::signature::Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).unwrap();
        vigie_model::hex::encode(key.public_key().as_ref())
    };
    let (code, text) = verify(&pdf_en, &["--key", &stranger]);
    assert_eq!(code, 1);
    assert!(text.contains("signed by another key"), "{text}");
    // The right key, given as the dashboard's own signature file, passes.
    let (code, _) = verify(&pdf_en, &["--key", &format!("{}.sig", pdf_fr.display())]);
    assert_eq!(code, 0);

    // Issue #12, finding 9: a report altered and re-signed with another key.
    let stranger_key = {
        let pkcs8 =
            ring::signature::Ed25519KeyPair::generate_pkcs8(&ring::rand::SystemRandom::new())
                .unwrap();
        ring::signature::Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).unwrap()
    };
    let resigned = dir.path().join("resigned.pdf");
    std::fs::write(&resigned, &bytes).unwrap();
    let forged = vigie_model::report_sig::sign(&stranger_key, "resigned.pdf", &bytes, now);
    std::fs::write(
        dir.path().join("resigned.pdf.sig"),
        serde_json::to_string(&forged).unwrap(),
    )
    .unwrap();
    // On the SOC the installation's key is pinned: refused.
    let (code, text) = verify(&resigned, &[]);
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("signed by another key"), "{text}");
    // Elsewhere, with nothing to check the key against: never a plain 0.
    let elsewhere = tempfile::tempdir().unwrap();
    let (code, text) = verify_on(elsewhere.path(), &resigned, &[]);
    assert_eq!(code, 3, "{text}");
    assert!(text.contains("NOT checked"), "{text}");
    let (code, _) = verify_on(elsewhere.path(), &pdf_en, &[]);
    assert_eq!(code, 3, "the genuine report, its key unchecked");
    // The fingerprint shown on /reports, given as --key: the genuine report passes,
    // the re-signed one does not.
    let reports_page = http(port, "GET", "/reports", &[("Cookie", &aud_cookie)], "");
    let fingerprint = answer_key_fingerprint(&reports_page.body);
    let (code, text) = verify_on(elsewhere.path(), &pdf_en, &["--key", &fingerprint]);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("the one given with --key"), "{text}");
    let (code, text) = verify_on(elsewhere.path(), &resigned, &["--key", &fingerprint]);
    assert_eq!(code, 1, "{text}");

    // The export is in the audit trail with the file's SHA-256.
    let trail = json_of(&http(
        port,
        "GET",
        "/api/v1/audit?action=report_exported",
        &[("Cookie", &aud_cookie)],
        "",
    ));
    let rows = trail["rows"].as_array().unwrap();
    assert_eq!(
        rows.len(),
        6,
        "PDF (with and without annex), French PDF, CSV in both languages, JSON"
    );
    assert!(rows.iter().any(|r| r["details"]
        .as_str()
        .unwrap()
        .contains(answer["sha256"].as_str().unwrap())));
}

/// The audit trail of a period exported by an auditor as signed CSV, JSON and PDF: each
/// verifies with `vigie report verify`; the CSV speaks the language asked, the JSON
/// carries every entry with its hashes and what each chain's check found, the PDF sums
/// it up. Analysts may not export; a period without its end is refused, naming it.
#[tokio::test(flavor = "multi_thread")]
async fn the_audit_trail_is_exported_signed() {
    let stack = Stack::start("").await;
    let dashboard = stack.start_dashboard("audit-export-1").await;
    let port = dashboard.port;
    let (aud, aud_csrf) = dashboard.user("aude", "auditor");
    let (ana, ana_csrf) = dashboard.user("ana", "analyst");
    let now = vigie_model::event::now_ms();
    let (from, to) = ((now - 3_600_000).to_string(), (now + 60_000).to_string());
    let soc = stack.path("");
    let dir = tempfile::tempdir().unwrap();
    let export = |format: &str, lang: &str| -> (std::path::PathBuf, Value) {
        let r = post_json(
            port,
            "/api/v1/audit/export",
            &aud,
            &aud_csrf,
            &json!({"from": from, "to": to, "format": format, "report_lang": lang}),
        );
        assert_eq!(r.status, 201, "{}", r.body);
        let answer = json_of(&r);
        let file = dir
            .path()
            .join(format!("{lang}-{}", answer["file_name"].as_str().unwrap()));
        std::fs::write(
            &file,
            download(port, answer["file"].as_str().unwrap(), &aud),
        )
        .unwrap();
        std::fs::write(
            format!("{}.sig", file.display()),
            download(port, answer["signature"].as_str().unwrap(), &aud),
        )
        .unwrap();
        let (code, text) = verify_on(&soc, &file, &[]);
        assert_eq!(code, 0, "{text}");
        (file, answer)
    };

    let (csv, answer) = export("csv", "en");
    let entries = answer["entries"].as_u64().unwrap();
    assert!(entries >= 3, "sign-ins and accounts made: {answer}");
    let text = std::fs::read_to_string(&csv).unwrap();
    assert!(
        text.starts_with(
            "Chain,Seq,Time,Who,Action,What,Subject,Details,Previous hash,Hash,Signature"
        ),
        "{text}"
    );
    assert_eq!(text.lines().count() as u64, entries + 1);
    assert!(text.contains("user_created"), "{text}");
    let (csv_fr, _) = export("csv", "fr");
    let text = std::fs::read_to_string(&csv_fr).unwrap();
    assert!(text.starts_with("Chaîne,N°,Heure,Qui"), "{text}");
    assert!(
        text.contains("compte créé") || text.contains("utilisateur"),
        "{text}"
    );

    let (json_file, _) = export("json", "en");
    let data: Value = serde_json::from_slice(&std::fs::read(&json_file).unwrap()).unwrap();
    assert!(data["entries"].as_array().unwrap().len() as u64 >= entries);
    assert!(data["entries"][0]["hash"].as_str().unwrap().len() == 64);
    let chains = data["chains"].as_array().unwrap();
    assert!(!chains.is_empty());
    assert!(chains.iter().all(|c| c["intact"] == true), "{data}");

    let (pdf, _) = export("pdf", "en");
    let text = vigie_tests::pdf_text(&pdf);
    for needle in [
        "Audit trail export",
        "The chains when the trail was exported",
        "dashboard: intact",
        "Entries by action",
        "Entries by author",
        "aude",
        "Page 1 of",
        "vigie report verify vigie-audit-",
    ] {
        assert!(text.contains(needle), "{needle:?} missing from:\n{text}");
    }

    // Analysts may not; a period needs its end.
    let r = post_json(
        port,
        "/api/v1/audit/export",
        &ana,
        &ana_csrf,
        &json!({"from": from, "to": to}),
    );
    assert_eq!(r.status, 403, "{}", r.body);
    let r = post_json(
        port,
        "/api/v1/audit/export",
        &aud,
        &aud_csrf,
        &json!({"from": from, "format": "csv"}),
    );
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(r.body.contains("to: required"), "{}", r.body);

    // Each export is in the trail.
    let trail = json_of(&http(
        port,
        "GET",
        "/api/v1/audit?action=audit_exported",
        &[("Cookie", &aud)],
        "",
    ));
    assert_eq!(trail["rows"].as_array().unwrap().len(), 4);
}
