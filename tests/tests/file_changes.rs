//! A file's life under a watched path ends up in `vigie.events`, `vigie.alerts` and the
//! dashboard's alert API, with the right actions and hashes.

use std::time::Duration;

use serde::Deserialize;
use vigie_tests::{wait_for, Stack};

#[derive(Debug, clickhouse::Row, Deserialize)]
struct Change {
    seq: u64,
    action: String,
    target: String,
    sha256: String,
    fields: String,
}

#[tokio::test(flavor = "multi_thread")]
async fn a_files_life_becomes_events_alerts_and_api_results() {
    let stack = Stack::start("").await;
    let watched = stack.path("watched");
    std::fs::create_dir_all(&watched).unwrap();
    std::fs::write(watched.join("already-there"), "old").unwrap();
    let config = stack.agent_config("agent", &watched, "", "").await;
    let _agent = stack.start_agent("agent", &config).await;

    let file = watched.join("passwd");
    std::fs::write(&file, "root:x:0:0\n").unwrap();
    tokio::time::sleep(Duration::from_millis(400)).await;
    std::fs::write(&file, "root:x:0:0\nevil:x:0:0\n").unwrap();
    tokio::time::sleep(Duration::from_millis(400)).await;
    let moved = watched.join("passwd.moved");
    std::fs::rename(&file, &moved).unwrap();
    tokio::time::sleep(Duration::from_millis(400)).await;
    std::fs::set_permissions(&moved, std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();
    tokio::time::sleep(Duration::from_millis(400)).await;
    std::fs::remove_file(&moved).unwrap();

    let changes: Vec<Change> = wait_for("five file events", Duration::from_secs(30), || async {
        let rows: Vec<Change> = stack
            .client
            .query("SELECT seq, action, target, sha256, fields FROM events WHERE category = 'file_event' ORDER BY seq")
            .fetch_all()
            .await
            .unwrap();
        (rows.len() >= 5).then_some(rows)
    })
    .await;
    let summary: Vec<(&str, &str)> = changes
        .iter()
        .map(|c| (c.action.as_str(), c.target.rsplit('/').next().unwrap()))
        .collect();
    assert_eq!(
        summary,
        vec![
            ("created", "passwd"),
            ("modified", "passwd"),
            ("renamed", "passwd.moved"),
            ("attributes_changed", "passwd.moved"),
            ("deleted", "passwd.moved"),
        ],
        "{changes:#?}"
    );
    let sha = |text: &str| vigie_model::hex::sha256(text.as_bytes());
    assert_eq!(changes[0].sha256, sha("root:x:0:0\n"));
    assert_eq!(changes[1].sha256, sha("root:x:0:0\nevil:x:0:0\n"));
    let modified: serde_json::Value = serde_json::from_str(&changes[1].fields).unwrap();
    assert_eq!(modified["OldSha256"], sha("root:x:0:0\n"));
    assert_eq!(modified["WatchSeverity"], "high");
    assert!(modified["User"].is_string() && modified["Mtime"].as_u64().unwrap() > 0);
    let renamed: serde_json::Value = serde_json::from_str(&changes[2].fields).unwrap();
    assert!(renamed["PreviousFilename"]
        .as_str()
        .unwrap()
        .ends_with("/passwd"));
    let chmod: serde_json::Value = serde_json::from_str(&changes[3].fields).unwrap();
    assert_eq!(
        (chmod["OldMode"].as_str(), chmod["Mode"].as_str()),
        (Some("0644"), Some("0600"))
    );
    // The file that existed before the agent started is baseline, not news.
    assert!(!changes.iter().any(|c| c.target.ends_with("already-there")));
    assert!(
        changes.windows(2).all(|w| w[0].seq < w[1].seq),
        "seq grows with each change"
    );
    // Sequence numbers are unique.
    assert_eq!(
        stack.count("SELECT count() FROM events").await,
        stack
            .count("SELECT uniqExact(agent_id, seq) FROM events")
            .await
    );

    // Every change is an alert of the built-in rule, with the path's severity.
    let alerts = wait_for("five alerts", Duration::from_secs(10), || async {
        let n = stack
            .count("SELECT count() FROM alerts WHERE severity = 'high'")
            .await;
        (n == 5).then_some(n)
    })
    .await;
    assert_eq!(alerts, 5);

    let dashboard = stack.start_dashboard("test-password-1").await;
    let response = vigie_tests::http(
        dashboard.port,
        "GET",
        "/api/v1/alerts?group=0",
        &[("Cookie", &dashboard.session)],
        "",
    );
    assert_eq!(response.status, 200, "{}", response.body);
    let json: serde_json::Value = serde_json::from_str(&response.body).unwrap();
    let listed = json["alerts"].as_array().unwrap();
    assert_eq!(listed.len(), 5);
    assert_eq!(listed[0]["action"], "deleted", "newest first");
    assert_eq!(listed[0]["severity"], "high");
    assert_eq!(listed[0]["author"], "Vigie");
    // Without a session the API refuses.
    let anonymous = vigie_tests::http(dashboard.port, "GET", "/api/v1/alerts", &[], "");
    assert_eq!(anonymous.status, 401);
    // The page lists them too, in French on request.
    let page = vigie_tests::http(
        dashboard.port,
        "GET",
        "/alerts?lang=fr&group=0",
        &[("Cookie", &dashboard.session)],
        "",
    );
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("attributs modifiés") && page.body.contains("passwd.moved"),
        "{}",
        page.body
    );
}
