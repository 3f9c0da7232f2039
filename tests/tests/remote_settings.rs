//! Remote agent settings end to end: an admin sets a group's watched paths on the
//! dashboard, moves an agent into the group; the agent fetches them at its next health
//! report, applies them without a restart (a newly watched folder reports), keeps them
//! across a restart, and the fleet page shows the version it runs. Settings that would
//! not work are refused naming the setting; analysts may not change them.

use std::time::Duration;

use serde_json::{json, Value};
use vigie_tests::{csrf_of, http, json_of, sign_in, wait_for, wait_for_log, Stack};

#[tokio::test(flavor = "multi_thread")]
async fn a_group_s_settings_reach_its_agents_without_a_restart() {
    let stack = Stack::start("").await;
    let first = stack.path("first");
    let second = stack.path("second");
    std::fs::create_dir_all(&first).unwrap();
    std::fs::create_dir_all(&second).unwrap();
    let config = stack
        .agent_config("agent", &first, "health_interval_secs = 5", "")
        .await;
    let mut agent = stack.start_agent("agent", &config).await;
    let log = stack.path("agent.log");
    let agent_id = wait_for("the agent registered", Duration::from_secs(30), || async {
        let ids: Vec<String> = stack
            .client
            .query("SELECT agent_id FROM agents")
            .fetch_all()
            .await
            .unwrap();
        ids.into_iter().next()
    })
    .await;

    let dashboard = stack.start_dashboard("settings-password-1").await;
    let port = dashboard.port;
    let admin = ("Cookie", dashboard.session.as_str());
    let csrf = csrf_of(&http(port, "GET", "/alerts", &[admin], "").body);
    let post = |who: (&str, &str), token: &str, path: &str, body: Value| {
        http(
            port,
            "POST",
            path,
            &[
                who,
                ("X-CSRF-Token", token),
                ("Content-Type", "application/json"),
            ],
            &body.to_string(),
        )
    };
    // Refusals: a setting that cannot work, a bad group name, an analyst.
    let bad = post(
        admin,
        &csrf,
        "/api/v1/agent-settings",
        json!({"group": "web", "body": "[[fim.paths]]\npath = \"relative/dir\"\n"}),
    );
    assert_eq!(bad.status, 400);
    assert!(
        json_of(&bad)["detail"]
            .as_str()
            .unwrap()
            .contains("fim.paths[0].path"),
        "{}",
        bad.body
    );
    let bad = post(
        admin,
        &csrf,
        "/api/v1/agent-settings",
        json!({"group": "web", "body": "[[logs.files]]\npath = \"var/log/app.log\"\n"}),
    );
    assert_eq!(bad.status, 400);
    assert!(
        json_of(&bad)["detail"]
            .as_str()
            .unwrap()
            .contains("logs.files[0].path"),
        "{}",
        bad.body
    );
    let bad = post(
        admin,
        &csrf,
        "/api/v1/agent-settings",
        json!({"group": "Web Servers", "body": ""}),
    );
    assert_eq!(json_of(&bad)["code"], "settings_bad_group");
    let made = post(
        admin,
        &csrf,
        "/api/v1/users",
        json!({"username": "ana", "role": "analyst", "password": "long-password-5"}),
    );
    assert_eq!(made.status, 201);
    let ana_cookie = sign_in(port, "ana", "long-password-5");
    let ana_csrf = csrf_of(&http(port, "GET", "/alerts", &[("Cookie", &ana_cookie)], "").body);
    let refused = post(
        ("Cookie", &ana_cookie),
        &ana_csrf,
        "/api/v1/agent-settings",
        json!({"group": "web", "body": ""}),
    );
    assert_eq!(refused.status, 403);

    // Group "web" watches both folders; the agent moves into it. The second already
    // holds files, as /etc would: a starting point, not 50 alerts.
    std::fs::create_dir_all(&second).unwrap();
    for i in 0..50 {
        std::fs::write(second.join(format!("pre{i}.conf")), format!("{i}")).unwrap();
    }
    let app_log = stack.path("app.log");
    let body = format!(
        "[fim]\nrescan_interval_secs = 3600\nsettle_ms = 50\n\n[[fim.paths]]\npath = \"{}\"\nseverity = \"high\"\n\n[[fim.paths]]\npath = \"{}\"\nseverity = \"critical\"\n\n[process]\nenabled = false\nlisteners = false\n\n[network]\nenabled = false\n\n[logs]\npoll_ms = 50\njournal = \"off\"\n\n[[logs.files]]\npath = \"{}\"\n",
        first.display(),
        second.display(),
        app_log.display()
    );
    let saved = post(
        admin,
        &csrf,
        "/api/v1/agent-settings",
        json!({"group": "web", "body": body}),
    );
    assert_eq!(json_of(&saved)["version"], 1, "{}", saved.body);
    let moved = post(
        admin,
        &csrf,
        &format!("/api/v1/agents/{agent_id}/group"),
        json!({"group": "web"}),
    );
    assert_eq!(moved.status, 200, "{}", moved.body);

    // The agent applies them at its next report, without a restart.
    // Once the folder's baseline is recorded (a file written during that walk is part
    // of the starting point), a new file is a change.
    wait_for_log(&log, "remote settings in force", Duration::from_secs(30)).await;
    wait_for("the baseline event", Duration::from_secs(30), || async {
        let n = stack
            .count(
                "SELECT count() FROM events WHERE action = 'baseline' AND target LIKE '%/second'",
            )
            .await;
        (n == 1).then_some(())
    })
    .await;
    std::fs::write(second.join("new.txt"), "new").unwrap();
    wait_for("the newly watched folder reports", Duration::from_secs(30), || async {
        let n = stack
            .count("SELECT count() FROM events WHERE action = 'created' AND target LIKE '%/second/new.txt'")
            .await;
        (n == 1).then_some(())
    })
    .await;
    // The log file the group's settings name is read too.
    let mut line = 0;
    wait_for(
        "a line of the remotely set log file",
        Duration::from_secs(30),
        || {
            line += 1;
            let mut file = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&app_log)
                .unwrap();
            std::io::Write::write_all(
                &mut file,
                format!("Dec  2 10:00:00 h app[1]: remote {line}\n").as_bytes(),
            )
            .unwrap();
            let stack = &stack;
            async move {
                let sql = "SELECT count() FROM events WHERE category = 'log' \
                       AND visitParamExtractString(fields, 'Message') LIKE 'remote %'";
                (stack.count(sql).await > 0).then_some(())
            }
        },
    )
    .await;
    let severity = stack
        .count("SELECT count() FROM alerts WHERE target LIKE '%/second/new.txt' AND severity = 'critical'")
        .await;
    assert_eq!(severity, 1, "the group's severity");
    assert_eq!(
        stack
            .count("SELECT count() FROM alerts WHERE target LIKE '%/second/pre%' OR target LIKE '%/second'")
            .await,
        0,
        "a newly watched folder's existing files raise no alert"
    );
    assert_eq!(
        stack
            .count("SELECT count() FROM events WHERE action = 'baseline' AND target LIKE '%/second' AND fields LIKE '%\"Files\":50%'")
            .await,
        1,
        "one baseline event says how many files were recorded"
    );
    // The fleet page shows the version it runs.
    wait_for("the version reported", Duration::from_secs(30), || async {
        let fleet = json_of(&http(port, "GET", "/api/v1/agents", &[admin], ""));
        let a = fleet["agents"][0].clone();
        (a["group"] == "web" && a["settings_version"] == 1 && a["group_version"] == 1).then_some(())
    })
    .await;
    let page = http(port, "GET", "/fleet?lang=fr", &[admin], "");
    assert!(page.body.contains("Réglages des agents") && page.body.contains("v1"));

    // Across a restart, before any contact: the saved version holds.
    agent.stop();
    let mut agent = stack.start_agent("agent", &config).await;
    std::fs::write(second.join("after-restart.txt"), "x").unwrap();
    wait_for(
        "still watched after a restart",
        Duration::from_secs(30),
        || async {
            let n = stack
                .count("SELECT count() FROM events WHERE target LIKE '%/second/after-restart.txt'")
                .await;
            (n >= 1).then_some(())
        },
    )
    .await;
    assert_eq!(
        stack.count("SELECT count() FROM events WHERE action = 'created' AND target LIKE '%/second/new.txt'").await,
        1,
        "nothing reported twice"
    );
    assert_eq!(
        stack.count("SELECT count() FROM audit_log WHERE action IN ('agent_settings_changed', 'agent_group_set')").await,
        2
    );
    agent.stop();
}
