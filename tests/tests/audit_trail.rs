//! The audit trail end to end: what people do in the dashboard and what the collector
//! does are rows of hash chains; auditors read them, analysts may not; `vigie audit
//! verify` and the dashboard name a row changed in the database.

use std::time::Duration;

use serde_json::{json, Value};
use vigie_tests::{bin, csrf_of, http, json_of, sign_in, Stack};

#[tokio::test(flavor = "multi_thread")]
async fn actions_chain_and_tampering_is_named() {
    let stack = Stack::start("").await;
    let dashboard = stack.start_dashboard("audit-password-1").await;
    let port = dashboard.port;
    let admin = ("Cookie", dashboard.session.as_str());
    let csrf = csrf_of(&http(port, "GET", "/alerts", &[admin], "").body);
    for (name, role) in [("ana", "analyst"), ("aud", "auditor")] {
        let r = http(
            port,
            "POST",
            "/api/v1/users",
            &[
                admin,
                ("X-CSRF-Token", &csrf),
                ("Content-Type", "application/json"),
            ],
            &json!({"username": name, "role": role, "password": "long-password-3"}).to_string(),
        );
        assert_eq!(r.status, 201, "{}", r.body);
    }
    // A failed login, a search, an export.
    let login = http(port, "GET", "/login", &[], "");
    let cookie = login
        .cookies()
        .into_iter()
        .find(|c| c.starts_with("vigie_login_csrf="))
        .unwrap();
    let token = cookie.split_once('=').unwrap().1.to_string();
    let failed = http(
        port,
        "POST",
        "/login",
        &[
            ("Cookie", &cookie),
            ("Content-Type", "application/x-www-form-urlencoded"),
        ],
        &format!("username=ana&password=wrong&csrf={token}"),
    );
    assert_eq!(failed.status, 401);
    let ana_cookie = sign_in(port, "ana", "long-password-3");
    let ana = ("Cookie", ana_cookie.as_str());
    assert_eq!(
        http(port, "GET", "/hunt?category=process_creation", &[ana], "").status,
        200
    );
    let csv = http(port, "GET", "/hunt.csv?category=file_event", &[ana], "");
    assert_eq!(csv.status, 200);

    // Auditors read the trail; analysts may not.
    let aud_cookie = sign_in(port, "aud", "long-password-3");
    let aud = ("Cookie", aud_cookie.as_str());
    assert_eq!(http(port, "GET", "/api/v1/audit", &[ana], "").status, 403);
    let trail = json_of(&http(
        port,
        "GET",
        "/api/v1/audit?chain=dashboard",
        &[aud],
        "",
    ));
    let rows = trail["rows"].as_array().unwrap();
    let has = |actor: &str, action: &str| {
        rows.iter()
            .any(|r| r["actor"] == actor && r["action"] == action)
    };
    assert!(has("admin", "user_created") && has("ana", "login_failed") && has("ana", "login"));
    assert!(
        has("ana", "search") && has("ana", "export_csv") && has("aud", "login"),
        "{trail}"
    );
    let export = rows.iter().find(|r| r["action"] == "export_csv").unwrap();
    let details: Value = serde_json::from_str(export["details"].as_str().unwrap()).unwrap();
    assert_eq!(
        details["sha256"],
        vigie_model::hex::sha256(csv.body.as_bytes()),
        "the export's SHA-256"
    );
    let filtered = json_of(&http(
        port,
        "GET",
        "/api/v1/audit?actor=ana&action=login_failed",
        &[aud],
        "",
    ));
    assert_eq!(filtered["rows"].as_array().unwrap().len(), 1);
    // The collector's chain holds its rule loading.
    let collector = json_of(&http(
        port,
        "GET",
        "/api/v1/audit?chain=collector",
        &[aud],
        "",
    ));
    assert!(collector["rows"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["action"] == "rules_loaded"));

    // Every chain verifies, by the dashboard and by the command line.
    let verified = json_of(&http(port, "GET", "/api/v1/audit?verify=1", &[aud], ""));
    for chain in verified["chains"].as_array().unwrap() {
        assert_eq!(chain["intact"], true, "{chain}");
    }
    let cli = || {
        std::process::Command::new(bin("vigie"))
            .args(["audit", "verify"])
            .envs(stack.cli_env())
            .output()
            .expect("vigie audit verify runs")
    };
    let out = cli();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("dashboard: intact"));
    // On a packaged site the command line finds ClickHouse and the anchor through the
    // collector's configuration.
    let empty = tempfile::tempdir().unwrap();
    let packaged = std::process::Command::new(bin("vigie"))
        .args(["audit", "verify"])
        .env_remove("VIGIE_CLICKHOUSE_URL")
        .env("VIGIE_DATA_DIR", empty.path())
        .env("VIGIE_COLLECTOR_CONFIG", stack.path("collector.toml"))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&packaged.stdout);
    assert!(packaged.status.success(), "{text}{packaged:?}");
    assert!(text.contains("collector: intact"), "{text}");

    // Someone edits a row in the database: both name it.
    let victim = rows.iter().find(|r| r["action"] == "login_failed").unwrap()["seq"]
        .as_u64()
        .unwrap();
    stack
        .client
        .query(
            "ALTER TABLE audit_log UPDATE actor = 'nobody' WHERE chain = 'dashboard' AND seq = ?",
        )
        .bind(victim)
        .execute()
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let out = cli();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains(&format!("row seq {victim} was altered")),
        "{text}"
    );
    let verified = json_of(&http(port, "GET", "/api/v1/audit?verify=1", &[aud], ""));
    let dashboard_chain = verified["chains"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["chain"] == "dashboard")
        .unwrap()
        .clone();
    assert_eq!(dashboard_chain["intact"], false);
    assert_eq!(dashboard_chain["seq"], victim);
    let page = http(port, "GET", "/audit?verify=1&lang=fr", &[aud], "");
    assert!(
        page.body
            .contains(&format!("la ligne {victim} a été modifiée")),
        "{}",
        page.body
    );
}

/// Issue #12, finding 2: someone who can write ClickHouse rewrites history the way the
/// review did, and both `vigie audit verify` and the dashboard name it — even after a
/// restart, which used to trust whatever the database showed last.
#[tokio::test(flavor = "multi_thread")]
async fn a_database_writer_cannot_rewrite_history_unseen() {
    use vigie_store::audit::{AuditRow, CHECKPOINT, GENESIS};
    let stack = Stack::start("").await;
    let mut dashboard = stack.start_dashboard("audit-password-2").await;
    for _ in 0..5 {
        sign_in(dashboard.port, "admin", "audit-password-2");
    }
    let rows_of = |chain: &'static str| {
        let client = stack.client.clone();
        async move {
            client
                .query("SELECT ?fields FROM audit_log WHERE chain = ? ORDER BY seq")
                .bind(chain)
                .fetch_all::<AuditRow>()
                .await
                .unwrap()
        }
    };
    let mutate = |sql: String| {
        let client = stack.client.clone();
        async move {
            client.query(&sql).execute().await.unwrap();
            tokio::time::sleep(Duration::from_millis(1500)).await;
        }
    };
    let dashboard_rows = rows_of("dashboard").await;
    assert!(dashboard_rows.len() >= 6, "{}", dashboard_rows.len());
    assert!(dashboard_rows.iter().all(|r| !r.signature.is_empty()));

    // A middle row rewritten, every later hash recomputed, the newest two dropped.
    let mut rewritten = dashboard_rows.clone();
    rewritten[2].actor = "mallory".into();
    for i in 2..rewritten.len() {
        if i > 2 {
            rewritten[i].prev_hash = rewritten[i - 1].hash.clone();
        }
        rewritten[i].hash = rewritten[i].expected_hash();
    }
    rewritten.truncate(rewritten.len() - 2);
    mutate("ALTER TABLE audit_log DELETE WHERE chain = 'dashboard'".into()).await;
    vigie_store::insert_rows(&stack.client, "audit_log", &rewritten)
        .await
        .unwrap();
    // The command line's oldest row deleted, with a checkpoint forged to explain it, in
    // a chain of its own.
    for _ in 0..3 {
        let made = std::process::Command::new(bin("vigie"))
            .args(["token", "create"])
            .envs(stack.cli_env())
            .output()
            .unwrap();
        assert!(made.status.success(), "{made:?}");
    }
    mutate("ALTER TABLE audit_log DELETE WHERE chain = 'cli' AND seq = 1".into()).await;
    let second = rows_of("cli").await[0].clone();
    let mut forged = AuditRow {
        chain: "retention".into(),
        seq: 1,
        action: CHECKPOINT.into(),
        details: vigie_store::audit::checkpoint_details("cli", 1, &second.prev_hash).to_string(),
        prev_hash: GENESIS.into(),
        signature: String::new(),
        ..second.clone()
    };
    forged.hash = forged.expected_hash();
    vigie_store::insert_rows(&stack.client, "audit_log", &[forged])
        .await
        .unwrap();

    // A restart: the dashboard goes on from its signed tip, not from the forged rows.
    dashboard.process.stop();
    let dashboard = stack.start_dashboard("audit-password-2").await;
    let after = rows_of("dashboard").await;
    let newest = after.last().unwrap();
    assert_eq!(
        newest.seq,
        dashboard_rows.last().unwrap().seq + 1,
        "the sign-in after the restart follows the witnessed tip"
    );

    let out = std::process::Command::new(bin("vigie"))
        .args(["audit", "verify"])
        .envs(stack.cli_env())
        .env("VIGIE_LANG", "en")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    for expected in [
        "dashboard: BROKEN",
        "row seq 3 is not signed by its writer's key",
        "rows before seq 2 are missing",
        "chain retention has no key pinned",
    ] {
        assert!(text.contains(expected), "{expected:?} in {text}");
    }
    let aud = ("Cookie", dashboard.session.as_str());
    let verified = json_of(&http(
        dashboard.port,
        "GET",
        "/api/v1/audit?verify=1",
        &[aud],
        "",
    ));
    let intact: Vec<(String, bool)> = verified["chains"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["chain"].as_str().unwrap().to_string(),
                c["intact"] == true,
            )
        })
        .collect();
    assert_eq!(
        intact,
        [
            ("cli".to_string(), false),
            ("collector".to_string(), true),
            ("dashboard".to_string(), false),
            ("retention".to_string(), false)
        ],
        "{verified}"
    );
}

/// Issue #12, finding 4: the triage history is checked against the audit trail. A row
/// changed (resolved → false positive), added, or every row of an alert deleted in the
/// database is named by `vigie audit verify` and by the dashboard.
#[tokio::test(flavor = "multi_thread")]
async fn triage_history_tampering_is_named() {
    use vigie_store::rows::AlertRow;
    let stack = Stack::start("").await;
    let now = vigie_model::event::now_ms();
    let alerts: Vec<AlertRow> = ["t1", "t2", "t3"]
        .iter()
        .map(|id| AlertRow {
            date: vigie_store::date_of(now),
            ts: now,
            created_ms: now,
            alert_id: id.to_string(),
            agent_id: "agent-web1".into(),
            hostname: "web1".into(),
            event_seq: 1,
            rule_id: "r".into(),
            rule_title: "R".into(),
            rule_title_fr: "R".into(),
            severity: "high".into(),
            tags: vec![],
            author: "Vigie".into(),
            summary: "s".into(),
            target: "/etc/shadow".into(),
            action: "modified".into(),
            events: "[]".into(),
            summary_fr: String::new(),
        })
        .collect();
    vigie_store::insert_rows(&stack.client, "alerts", &alerts)
        .await
        .unwrap();
    let dashboard = stack.start_dashboard("audit-password-3").await;
    let port = dashboard.port;
    let admin = ("Cookie", dashboard.session.as_str());
    let csrf = csrf_of(&http(port, "GET", "/alerts", &[admin], "").body);
    let triage = |ids: &[&str], body: Value| {
        let mut body = body;
        body["ids"] = json!(ids);
        let r = http(
            port,
            "POST",
            "/api/v1/alerts/triage",
            &[
                admin,
                ("X-CSRF-Token", &csrf),
                ("Content-Type", "application/json"),
            ],
            &body.to_string(),
        );
        assert_eq!(r.status, 200, "{}", r.body);
    };
    triage(
        &["t1", "t2"],
        json!({"action": "status", "status": "resolved", "comment": "patched"}),
    );
    triage(&["t3"], json!({"action": "comment", "comment": "looking"}));
    let check = || {
        let out = std::process::Command::new(bin("vigie"))
            .args(["audit", "verify"])
            .envs(stack.cli_env())
            .env("VIGIE_LANG", "en")
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).to_string(),
        )
    };
    let (code, text) = check();
    assert_eq!(code, Some(0), "{text}");
    assert!(
        text.contains("triage history: intact, 3 rows in 2 requests"),
        "{text}"
    );
    let mutate = |sql: &'static str| {
        let client = stack.client.clone();
        async move {
            client.query(sql).execute().await.unwrap();
            tokio::time::sleep(Duration::from_millis(1500)).await;
        }
    };

    // resolved → false_positive on one alert.
    mutate("ALTER TABLE alert_actions UPDATE status = 'false_positive' WHERE alert_id = 't2'")
        .await;
    let (code, text) = check();
    assert_eq!(code, Some(1), "{text}");
    assert!(
        text.contains("triage history: BROKEN") && text.contains("changed or deleted"),
        "{text}"
    );
    let verified = json_of(&http(port, "GET", "/api/v1/audit?verify=1", &[admin], ""));
    assert_eq!(verified["triage"]["intact"], false, "{verified}");
    mutate("ALTER TABLE alert_actions UPDATE status = 'resolved' WHERE alert_id = 't2'").await;
    assert_eq!(check().0, Some(0), "put back as it was");

    // A row added by hand, claiming to be from before request ids.
    stack
        .client
        .query(
            "INSERT INTO alert_actions (date, ts, alert_id, action, status, assignee, comment, actor, request_id) \
             VALUES (today(), ?, 't3', 'status', 'false_positive', '', 'nothing', 'admin', '')",
        )
        .bind(now + 1000)
        .execute()
        .await
        .unwrap();
    let (code, text) = check();
    assert_eq!(code, Some(1), "{text}");
    assert!(
        text.contains("alert t3") && text.contains("added in the database"),
        "{text}"
    );
    mutate("ALTER TABLE alert_actions DELETE WHERE comment = 'nothing'").await;
    assert_eq!(check().0, Some(0));

    // Every row of an alert deleted.
    mutate("ALTER TABLE alert_actions DELETE WHERE alert_id = 't3'").await;
    let (code, text) = check();
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("alert t3"), "{text}");
    let page = http(port, "GET", "/audit?verify=1&lang=fr", &[admin], "");
    assert!(
        page.body.contains("historique de tri de l&#39;alerte t3")
            || page.body.contains("historique de tri de l'alerte t3"),
        "{}",
        page.body
    );
}
