//! Rules written in the dashboard, over a real collector, dashboard and ClickHouse: a
//! text with problems gets exactly the errors `vigie rules check` gives for the same
//! file, and nothing is saved; a good one is tried on the stored events ("would have
//! fired 5 times"), saved, put in force by the collector within seconds (the next
//! matching event raises its alert, the catalogue says "dashboard"), then deleted
//! (the next one raises none). An id already in force elsewhere is refused; analysts
//! may try but not save, auditors neither; saves and deletes are audited with the text.

use std::process::Command;
use std::time::Duration;

use serde_json::{json, Value};
use vigie_tests::{bin, form_body, http, json_of, post_json, wait_for, Stack};

const RULE_ID: &str = "0d5b7a10-3c2e-4f61-9a8b-6e4d2c1b0a97";

/// A rule on the simulated agents' files whose name ends in 7 (`/srv/data/file7.txt`…).
fn rule(level: &str) -> String {
    format!(
        "title: Data file ending in 7\nid: {RULE_ID}\nstatus: test\nlevel: {level}\n\
         logsource:\n  product: linux\n  category: file_event\ndetection:\n  sel:\n    \
         TargetFilename|endswith: '7.txt'\n  condition: sel\n"
    )
}

/// Two problems: an unknown modifier and a condition naming no selection.
const BROKEN: &str = "title: Broken\nid: 9a1e2b3c-0000-4000-8000-000000000001\nlogsource:\n  category: process_creation\ndetection:\n  sel:\n    Image|endswiht: /nc\n  condition: sel\n---\ntitle: Broken too\nid: 9a1e2b3c-0000-4000-8000-000000000002\nlogsource:\n  category: process_creation\ndetection:\n  sel:\n    Image: /bin/nc\n  condition: other\n";

/// What `vigie rules check` says of `text` as a file: its FAILED lines, without the
/// file's path.
fn cli_check(stack: &Stack, text: &str) -> Vec<String> {
    let file = stack.path("written.yml");
    std::fs::write(&file, text).unwrap();
    let out = Command::new(bin("vigie"))
        .args(["rules", "check"])
        .arg(&file)
        .output()
        .unwrap();
    let prefix = format!("FAILED  {}:", file.display());
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.strip_prefix(&prefix).map(str::to_string))
        .collect()
}

async fn alerts_of_rule(stack: &Stack) -> u64 {
    stack
        .count(&format!(
            "SELECT count() FROM alerts WHERE rule_id = '{RULE_ID}'"
        ))
        .await
}

fn catalogue_source(port: u16, cookie: &str) -> Option<String> {
    let rules = json_of(&http(
        port,
        "GET",
        "/api/v1/rules",
        &[("Cookie", cookie)],
        "",
    ));
    rules["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["rule_id"] == RULE_ID)
        .map(|r| r["source"].as_str().unwrap().to_string())
}

#[tokio::test(flavor = "multi_thread")]
async fn admins_write_try_save_and_delete_rules_that_the_collector_runs() {
    let stack = Stack::start("").await;
    let collector = stack.agent_client();
    let mut agent = stack.sim_agent(&collector, "writer1").await;
    // Files 1..=50: five end in 7.
    agent.send(&collector, 1, 50, 0, Duration::ZERO).await;
    wait_for("the events stored", Duration::from_secs(30), || async {
        (stack.count("SELECT count() FROM events").await >= 50).then_some(())
    })
    .await;
    let dashboard = stack.start_dashboard("admin-password-1").await;
    let port = dashboard.port;
    let admin = dashboard.session.clone();
    let admin_csrf =
        vigie_tests::csrf_of(&http(port, "GET", "/alerts", &[("Cookie", &admin)], "").body);
    let (ana, ana_csrf) = dashboard.user("ana", "analyst");
    let (aud, aud_csrf) = dashboard.user("aude", "auditor");

    // Problems: the same as `vigie rules check` on the same file, line by line.
    let checked = json_of(&post_json(
        port,
        "/api/v1/custom-rules/check",
        &admin,
        &admin_csrf,
        &json!({"yaml": BROKEN}),
    ));
    let api_errors: Vec<String> = checked["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| match e["line"].as_u64() {
            Some(line) => format!("{line}: {}", e["reason"].as_str().unwrap()),
            None => format!(" {}", e["reason"].as_str().unwrap()),
        })
        .collect();
    assert_eq!(api_errors.len(), 2, "{checked}");
    assert_eq!(api_errors, cli_check(&stack, BROKEN), "{checked}");
    assert!(checked["trial"].is_null(), "a broken text is not tried");
    let refused = post_json(
        port,
        "/api/v1/custom-rules",
        &admin,
        &admin_csrf,
        &json!({"yaml": BROKEN}),
    );
    assert_eq!(refused.status, 400, "{}", refused.body);
    let refused = json_of(&refused);
    assert_eq!(refused["code"], "rules_invalid");
    assert_eq!(refused["errors"].as_array().unwrap().len(), 2);

    // The page shows them in place, with their line, the text kept.
    let page = http(
        port,
        "POST",
        "/rules/write",
        &[
            ("Cookie", &admin),
            ("Content-Type", "application/x-www-form-urlencoded"),
        ],
        &form_body(&[
            ("csrf", admin_csrf.as_str()),
            ("yaml", BROKEN),
            ("hours", "24"),
            ("do", "save"),
        ]),
    );
    assert_eq!(page.status, 400, "{}", page.body);
    assert!(page.body.contains("id=\"rule-problems\""), "{}", page.body);
    assert!(page.body.contains("line 6: "), "{}", page.body);
    assert!(
        page.body.contains("line 17: "),
        "in the file, not its document"
    );
    assert!(page.body.contains("Broken too"), "the text is kept");
    assert_eq!(
        stack.count("SELECT count() FROM custom_rules").await,
        0,
        "nothing saved"
    );

    // A good rule, tried on the stored events: five of the fifty files end in 7.
    let tried = json_of(&post_json(
        port,
        "/api/v1/custom-rules/check",
        &ana,
        &ana_csrf,
        &json!({"yaml": rule("high"), "hours": 1}),
    ));
    assert_eq!(tried["errors"], json!([]), "{tried}");
    assert_eq!(tried["rules"][0]["id"], RULE_ID);
    assert_eq!(tried["trial"]["fired"], 5, "{tried}");
    assert_eq!(tried["trial"]["examined"], 50, "{tried}");
    assert_eq!(tried["trial"]["samples"].as_array().unwrap().len(), 5);
    assert!(tried["trial"]["samples"][0]["subject"]
        .as_str()
        .unwrap()
        .ends_with("7.txt"));
    let page = http(
        port,
        "POST",
        "/rules/write?lang=fr",
        &[
            ("Cookie", &admin),
            ("Content-Type", "application/x-www-form-urlencoded"),
        ],
        &form_body(&[
            ("csrf", admin_csrf.as_str()),
            ("yaml", rule("high").as_str()),
            ("hours", "1"),
            ("do", "try"),
        ]),
    );
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.body
            .contains("Se serait déclenchée 5 fois sur les 50 événements"),
        "{}",
        page.body
    );

    // Who may: analysts try but do not save; auditors do neither.
    let save = |cookie: &str, csrf: &str, body: Value| {
        post_json(port, "/api/v1/custom-rules", cookie, csrf, &body)
    };
    assert_eq!(
        save(&ana, &ana_csrf, json!({"yaml": rule("high")})).status,
        403
    );
    let tried = post_json(
        port,
        "/api/v1/custom-rules/check",
        &aud,
        &aud_csrf,
        &json!({"yaml": rule("high")}),
    );
    assert_eq!(tried.status, 403);
    let form = http(port, "GET", "/rules/write", &[("Cookie", &ana)], "");
    assert_eq!(form.status, 403);

    // An id in force elsewhere (the pack's account-file rule) is refused, naming it.
    let taken = rule("high").replace(RULE_ID, "1b7e0c2a-4d3f-4e5a-9b6c-7d8e9f0a1b01");
    let refused = json_of(&save(&admin, &admin_csrf, json!({"yaml": taken})));
    assert!(
        refused["detail"].as_str().unwrap().contains("(pack)"),
        "{refused}"
    );

    // Saved from the page: in force within seconds, listed as written in Vigie.
    let saved = http(
        port,
        "POST",
        "/rules/write",
        &[
            ("Cookie", &admin),
            ("Content-Type", "application/x-www-form-urlencoded"),
        ],
        &form_body(&[
            ("csrf", admin_csrf.as_str()),
            ("yaml", rule("high").as_str()),
            ("hours", "24"),
            ("do", "save"),
        ]),
    );
    assert_eq!(saved.status, 303, "{}", saved.body);
    assert_eq!(
        saved.header("location"),
        Some(format!("/rules?saved={RULE_ID}#written").as_str())
    );
    wait_for("the rule in force", Duration::from_secs(30), || async {
        (catalogue_source(port, &ana).as_deref() == Some("dashboard")).then_some(())
    })
    .await;
    let rules_page = http(port, "GET", "/rules", &[("Cookie", &admin)], "");
    assert!(rules_page.body.contains("id=\"written-rules\""));
    assert!(rules_page
        .body
        .contains(&format!("/rules/write?file={RULE_ID}")));
    // Files 51..=60: file57 raises the rule's alert.
    agent.send(&collector, 1, 10, 0, Duration::ZERO).await;
    wait_for(
        "the written rule's alert",
        Duration::from_secs(30),
        || async { (alerts_of_rule(&stack).await == 1).then_some(()) },
    )
    .await;

    // Changed (another level) through the API: the same file, a new version.
    let changed = save(
        &admin,
        &admin_csrf,
        json!({"yaml": rule("critical"), "file_id": RULE_ID}),
    );
    assert_eq!(changed.status, 201, "{}", changed.body);
    let listed = json_of(&http(
        port,
        "GET",
        "/api/v1/custom-rules",
        &[("Cookie", &aud)],
        "",
    ));
    assert_eq!(listed["files"].as_array().unwrap().len(), 1, "{listed}");
    assert!(listed["files"][0]["yaml"]
        .as_str()
        .unwrap()
        .contains("level: critical"));

    // Deleted: out of the catalogue, and the next file ending in 7 raises nothing.
    let deleted = post_json(
        port,
        &format!("/api/v1/custom-rules/{RULE_ID}/delete"),
        &admin,
        &admin_csrf,
        &json!({}),
    );
    assert_eq!(deleted.status, 200, "{}", deleted.body);
    wait_for("the rule out of force", Duration::from_secs(30), || async {
        catalogue_source(port, &ana).is_none().then_some(())
    })
    .await;
    agent.send(&collector, 1, 10, 0, Duration::ZERO).await;
    wait_for(
        "the last events stored",
        Duration::from_secs(30),
        || async { (stack.count("SELECT count() FROM events").await >= 70).then_some(()) },
    )
    .await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(alerts_of_rule(&stack).await, 1, "no alert once deleted");

    // Audited: each save and the delete, with the text's SHA-256.
    let audit = json_of(&http(
        port,
        "GET",
        "/api/v1/audit?action=rules_written",
        &[("Cookie", &aud)],
        "",
    ));
    let rows = audit["rows"].as_array().expect("audit rows");
    assert_eq!(rows.len(), 2, "{audit}");
    for row in rows {
        let details: Value = serde_json::from_str(row["details"].as_str().unwrap()).unwrap();
        assert_eq!(details["sha256"].as_str().unwrap().len(), 64, "{details}");
        assert!(details["yaml"].as_str().unwrap().contains(RULE_ID));
    }
    let audit = json_of(&http(
        port,
        "GET",
        "/api/v1/audit?action=rules_deleted",
        &[("Cookie", &aud)],
        "",
    ));
    assert_eq!(audit["rows"].as_array().unwrap().len(), 1, "{audit}");
}
