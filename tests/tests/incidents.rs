//! Incidents over a real collector, dashboard and ClickHouse: an analyst opens one from
//! an alert's line (every alert of the line attached, with its SHA-256, the techniques
//! taken from the rules), changes its status, writes a note and an action, keeps an
//! event and a hunt's results as evidence; the queue and the alert page say which
//! incident an alert is in; auditors read but cannot write; refusals name what; every
//! change is in the incident's history and the audit trail.

use std::time::Duration;

use serde_json::{json, Value};
use vigie_tests::{download, form_body, http, json_of, post_json, wait_for, Stack};

/// The pack's rule on changes to the account files (ATT&CK T1136 among its tags).
const SHADOW_RULE: &str = "1b7e0c2a-4d3f-4e5a-9b6c-7d8e9f0a1b01";

#[tokio::test(flavor = "multi_thread")]
async fn analysts_open_an_incident_from_a_line_and_record_what_was_done() {
    let stack = Stack::start("").await;
    let collector = stack.agent_client();
    let mut agent = stack.sim_agent(&collector, "incident1").await;
    // Three writes to /etc/shadow: one line of three alerts for the account rule.
    agent.send(&collector, 1, 3, 1, Duration::ZERO).await;
    wait_for("the alerts", Duration::from_secs(30), || async {
        (stack
            .count(&format!(
                "SELECT count() FROM alerts WHERE rule_id = '{SHADOW_RULE}'"
            ))
            .await
            == 3)
            .then_some(())
    })
    .await;
    let dashboard = stack.start_dashboard("admin-password-1").await;
    let port = dashboard.port;
    let (ana, ana_csrf) = dashboard.user("ana", "analyst");
    let (aud, aud_csrf) = dashboard.user("aude", "auditor");
    let queue = json_of(&http(
        port,
        "GET",
        &format!("/api/v1/alerts?rule={SHADOW_RULE}"),
        &[("Cookie", &ana)],
        "",
    ));
    let line = queue["alerts"][0].clone();
    assert_eq!(line["count"], 3, "{queue}");
    let anchor = line["alert_id"].as_str().unwrap().to_string();

    // Refusals, naming what; nothing opened.
    let open = |cookie: &str, csrf: &str, body: Value| {
        post_json(port, "/api/v1/incidents", cookie, csrf, &body)
    };
    let r = open(&aud, &aud_csrf, json!({"title": "x", "group_of": anchor}));
    assert_eq!(r.status, 403, "auditors read only");
    let r = open(&ana, &ana_csrf, json!({"title": "  ", "group_of": anchor}));
    assert_eq!(json_of(&r)["code"], "incident_title_required");
    let r = open(
        &ana,
        &ana_csrf,
        json!({"title": "x", "alert_ids": ["nope"]}),
    );
    assert_eq!(r.status, 404, "{}", r.body);
    let r = open(&ana, &ana_csrf, json!({"title": "x", "severity": "urgent"}));
    assert!(json_of(&r)["detail"].as_str().unwrap().contains("severity"));
    assert_eq!(stack.count("SELECT count() FROM incidents").await, 0);

    // Opened from the alert page's form with the whole line.
    let opened = http(
        port,
        "POST",
        "/incidents",
        &[
            ("Cookie", &ana),
            ("Content-Type", "application/x-www-form-urlencoded"),
        ],
        &form_body(&[
            ("csrf", ana_csrf.as_str()),
            ("group_of", anchor.as_str()),
            ("title", "Comptes créés sur web1 — رسالة"),
        ]),
    );
    assert_eq!(opened.status, 303, "{}", opened.body);
    let page_url = opened.header("location").unwrap().to_string();
    let id = page_url.trim_start_matches("/incidents/").to_string();
    assert!(id.starts_with("INC-"), "{id}");
    let incident = json_of(&http(
        port,
        "GET",
        &format!("/api/v1/incidents/{id}"),
        &[("Cookie", &aud)],
        "",
    ));
    assert_eq!(incident["title"], "Comptes créés sur web1 — رسالة");
    assert_eq!(incident["status"], "open");
    assert_eq!(incident["owner"], "ana");
    assert_eq!(incident["severity"], "high", "the highest of its alerts");
    assert_eq!(
        incident["alerts"].as_array().unwrap().len(),
        3,
        "{incident}"
    );
    assert!(incident["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .all(|a| a["sha256"].as_str().unwrap().len() == 64));
    assert!(
        incident["techniques"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t.as_str().unwrap().starts_with("T1136")),
        "{incident}"
    );
    assert_eq!(incident["hosts"].as_array().unwrap().len(), 1);

    // The queue and the alert page say which incident.
    let queue = json_of(&http(
        port,
        "GET",
        &format!("/api/v1/alerts?rule={SHADOW_RULE}"),
        &[("Cookie", &ana)],
        "",
    ));
    assert_eq!(queue["alerts"][0]["incident"], id);
    let page = http(
        port,
        "GET",
        &format!("/alerts/{anchor}"),
        &[("Cookie", &ana)],
        "",
    );
    assert!(page.body.contains(&format!("href=\"/incidents/{id}\"")));
    let detail = json_of(&http(
        port,
        "GET",
        &format!("/api/v1/alerts/{anchor}"),
        &[("Cookie", &ana)],
        "",
    ));
    assert_eq!(detail["incident"], id);
    // What happened and what the rule detects, in French as well (issue #16).
    assert!(
        detail
            .to_string()
            .contains("Base des comptes modifiée\u{a0}: /etc/shadow"),
        "{detail}"
    );
    let page = http(
        port,
        "GET",
        &format!("/alerts/{anchor}?lang=fr"),
        &[("Cookie", &ana)],
        "",
    );
    assert!(
        page.body
            .contains("Base des comptes modifiée\u{a0}: /etc/shadow")
            && page
                .body
                .contains("passwd, shadow, group ou gshadow a changé"),
        "{}",
        page.body
    );
    // What to do next, in French.
    assert!(
        page.body.contains("Que faire maintenant")
            && page
                .body
                .contains("Comparer /etc/passwd, /etc/shadow et /etc/group"),
        "{}",
        page.body
    );

    // Changed, noted, acted on; a bad status refused.
    let path = format!("/api/v1/incidents/{id}");
    let r = post_json(port, &path, &ana, &ana_csrf, &json!({"status": "solved"}));
    assert!(json_of(&r)["detail"].as_str().unwrap().contains("status"));
    let r = post_json(
        port,
        &path,
        &ana,
        &ana_csrf,
        &json!({"status": "contained", "techniques": ["T1136.001", "attack.t1098"],
                "recommendations": "Rotate every password of web1."}),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let r = post_json(port, &path, &aud, &aud_csrf, &json!({"status": "closed"}));
    assert_eq!(r.status, 403);
    for (kind, text) in [
        ("note", "Two accounts were added at 03:12."),
        ("action_taken", "web1 isolated from the network."),
    ] {
        let r = post_json(
            port,
            &format!("{path}/notes"),
            &ana,
            &ana_csrf,
            &json!({"kind": kind, "text": text}),
        );
        assert_eq!(r.status, 200, "{}", r.body);
    }
    let r = post_json(
        port,
        &format!("{path}/notes"),
        &ana,
        &ana_csrf,
        &json!({"kind": "note", "text": " "}),
    );
    assert_eq!(json_of(&r)["code"], "incident_text_required");

    // Evidence: one event, and a hunt's results, each with its SHA-256.
    let event_seq = 2;
    let r = post_json(
        port,
        &format!("{path}/evidence"),
        &ana,
        &ana_csrf,
        &json!({"agent_id": agent.id(), "seq": event_seq}),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let kept = json_of(&r);
    assert_eq!(kept["sha256"].as_str().unwrap().len(), 64);
    let r = post_json(
        port,
        &format!("{path}/evidence"),
        &ana,
        &ana_csrf,
        &json!({"hunt": "category=file_event&f1=TargetFilename&op1=eq&v1=/etc/shadow"}),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let r = post_json(
        port,
        &format!("{path}/evidence"),
        &ana,
        &ana_csrf,
        &json!({"agent_id": agent.id(), "seq": 999}),
    );
    assert_eq!(r.status, 404);

    let incident = json_of(&http(port, "GET", &path, &[("Cookie", &aud)], ""));
    assert_eq!(incident["status"], "contained");
    assert_eq!(incident["techniques"], json!(["T1098", "T1136.001"]));
    let evidence = incident["evidence"].as_array().unwrap();
    assert_eq!(evidence.len(), 2, "{incident}");
    assert_eq!(evidence[0]["kind"], "event");
    let hunt: Value = serde_json::from_str(evidence[1]["content"].as_str().unwrap()).unwrap();
    assert_eq!(hunt["events"].as_array().unwrap().len(), 3, "{hunt}");
    let actions: Vec<&str> = incident["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "opened",
            "changed",
            "note",
            "action_taken",
            "evidence_attached",
            "evidence_attached"
        ]
    );

    // The pages, in French; auditors get no forms.
    let page = http(
        port,
        "GET",
        &format!("/incidents/{id}?lang=fr"),
        &[("Cookie", &ana)],
        "",
    );
    assert!(page.body.contains("contenu") && page.body.contains("web1 isolated"));
    assert!(page.body.contains("رسالة"), "any script, as written");
    let page = http(
        port,
        "GET",
        &format!("/incidents/{id}"),
        &[("Cookie", &aud)],
        "",
    );
    assert!(!page.body.contains("id=\"incident-text\""));
    assert!(
        page.body.contains("id=\"incident-report\""),
        "auditors report on incidents"
    );

    // The incident's report: made by the auditor, signed, about this incident only.
    let r = post_json(
        port,
        "/api/v1/reports",
        &aud,
        &aud_csrf,
        &json!({"incident": id, "format": "pdf", "report_lang": "en"}),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let made = json_of(&r);
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join(made["file_name"].as_str().unwrap());
    std::fs::write(&pdf, download(port, made["file"].as_str().unwrap(), &aud)).unwrap();
    std::fs::write(
        format!("{}.sig", pdf.display()),
        download(port, made["signature"].as_str().unwrap(), &aud),
    )
    .unwrap();
    let verified = std::process::Command::new(vigie_tests::bin("vigie"))
        .args(["report", "verify", pdf.to_str().unwrap()])
        .env("VIGIE_DATA_DIR", stack.path(""))
        .env("VIGIE_DASHBOARD_CONFIG", stack.path("none.toml"))
        .output()
        .unwrap();
    assert_eq!(verified.status.code(), Some(0));
    let text = vigie_tests::pdf_text(&pdf);
    for needle in [
        "Incident report",
        id.as_str(),
        "Two accounts were added at 03:12.",
        "web1 isolated from the network.",
        "Rotate every password of web1.",
        kept["sha256"].as_str().unwrap(),
        "T1136.001",
        "Evidence",
    ] {
        assert!(text.contains(needle), "{needle:?} missing from:\n{text}");
    }
    let r = post_json(
        port,
        "/api/v1/reports",
        &aud,
        &aud_csrf,
        &json!({"incident": "INC-00000000-NOPE", "format": "pdf"}),
    );
    assert_eq!(r.status, 404, "{}", r.body);
    let list = http(port, "GET", "/incidents", &[("Cookie", &aud)], "");
    assert!(list.body.contains(&id));

    // From the hunt page: its results kept in the incident chosen.
    let hunt_query = format!(
        "category=file_event&host={}",
        line["hostname"].as_str().unwrap()
    );
    let hunt = http(
        port,
        "GET",
        &format!("/hunt?{hunt_query}"),
        &[("Cookie", &ana)],
        "",
    );
    assert!(hunt.body.contains("id=\"keep-hunt\""), "{}", hunt.body);
    let kept = http(
        port,
        "POST",
        "/incidents/evidence",
        &[
            ("Cookie", &ana),
            ("Content-Type", "application/x-www-form-urlencoded"),
        ],
        &form_body(&[
            ("csrf", ana_csrf.as_str()),
            ("incident", id.as_str()),
            ("hunt", hunt_query.as_str()),
        ]),
    );
    assert_eq!(kept.status, 303, "{}", kept.body);

    // From the queue: the ticked lines of a grouped queue, whole.
    let second = http(
        port,
        "POST",
        "/incidents",
        &[
            ("Cookie", &ana),
            ("Content-Type", "application/x-www-form-urlencoded"),
        ],
        &form_body(&[
            ("csrf", ana_csrf.as_str()),
            ("grouped", "1"),
            ("id", anchor.as_str()),
            ("incident_title", "Second look"),
            ("action", "acknowledge"),
        ]),
    );
    assert_eq!(second.status, 303, "{}", second.body);
    let second_id = second
        .header("location")
        .unwrap()
        .trim_start_matches("/incidents/")
        .to_string();
    let second = json_of(&http(
        port,
        "GET",
        &format!("/api/v1/incidents/{second_id}"),
        &[("Cookie", &ana)],
        "",
    ));
    assert_eq!(second["alerts"].as_array().unwrap().len(), 3, "{second}");

    // The audit trail has each change.
    let audit = json_of(&http(
        port,
        "GET",
        "/api/v1/audit?actor=ana",
        &[("Cookie", &aud)],
        "",
    ));
    let rows = audit["rows"].as_array().cloned().unwrap_or_default();
    let audited: Vec<&str> = rows.iter().map(|r| r["action"].as_str().unwrap()).collect();
    for action in [
        "incident_opened",
        "incident_changed",
        "incident_note",
        "incident_evidence",
    ] {
        assert!(audited.contains(&action), "{action} in {audited:?}");
    }
}
