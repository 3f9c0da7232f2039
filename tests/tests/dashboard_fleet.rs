//! The fleet, hunting and the overview, over a real ClickHouse and a real collector:
//! a silent agent is flagged and raises exactly one alert, health figures reach the
//! fleet page, admins revoke, hunts find events by field with bound values only, CSV
//! downloads are proper files, and the overview draws its charts.

use std::time::Duration;

use serde_json::{json, Value};
use vigie_store::rows::{AgentRow, EventRow};
use vigie_tests::{csrf_of, http, json_of, sign_in, wait_for, HttpResponse, Stack};

fn agent(id: &str, host: &str, last_seen_ms: u64) -> AgentRow {
    AgentRow {
        agent_id: id.into(),
        hostname: host.into(),
        public_key: String::new(),
        key_fingerprint: String::new(),
        version: "0.1.0".into(),
        token_id: String::new(),
        first_seen_ms: last_seen_ms - 86_400_000,
        last_seen_ms,
        revoked: 0,
        updated_ms: last_seen_ms,
    }
}

fn event(agent: &str, host: &str, seq: u64, ts: u64, category: &str, fields: Value) -> EventRow {
    let e = vigie_model::Event {
        agent_id: agent.into(),
        hostname: host.into(),
        seq,
        ts,
        category: category.into(),
        fields: fields.as_object().unwrap().clone(),
    };
    EventRow::received(&e, ts)
}

#[tokio::test(flavor = "multi_thread")]
async fn fleet_hunt_and_overview() {
    let stack = Stack::start("agent_silent_minutes = 1\n").await;
    let now = vigie_model::event::now_ms();
    vigie_store::insert_rows(
        &stack.client,
        "agents",
        &[
            agent("ag-live", "web1", now),
            agent("ag-quiet", "db1", now - 10 * 60_000),
        ],
    )
    .await
    .unwrap();
    let events = vec![
        event(
            "ag-live",
            "web1",
            1,
            now - 60_000,
            "host_inventory",
            json!({"Os": "Debian GNU/Linux 12 (bookworm)", "Kernel": "6.1.0"}),
        ),
        event(
            "ag-live",
            "web1",
            2,
            now - 30_000,
            "agent_health",
            json!({"AgentVersion": "0.1.0", "SpoolBacklogEvents": 7, "DroppedSpoolFull": 2, "NetworkPacketsDropped": 3, "ProcessMode": "connector"}),
        ),
        event(
            "ag-live",
            "web1",
            3,
            now - 20_000,
            "process_creation",
            json!({"Image": "/tmp/evil", "CommandLine": "/tmp/evil -x", "User": "www-data", "ProcessId": 4242}),
        ),
        event(
            "ag-live",
            "web1",
            4,
            now - 10_000,
            "network_connection",
            json!({"Image": "/tmp/evil", "DestinationIp": "10.9.9.9", "DestinationPort": 4444, "Initiated": "true"}),
        ),
        event(
            "ag-live",
            "web1",
            5,
            now - 5_000,
            "network_connection",
            json!({"Image": "/usr/bin/curl", "DestinationIp": "10.0.0.1", "DestinationPort": 443, "Initiated": "true"}),
        ),
    ];
    vigie_store::insert_rows(&stack.client, "events", &events)
        .await
        .unwrap();

    // The collector raises one alert for the silent agent, none for the live one.
    let silence = format!(
        "SELECT count() FROM alerts WHERE rule_id = '{}' AND agent_id = 'ag-quiet'",
        vigie_collector::detect::AGENT_SILENT_RULE_ID
    );
    wait_for(
        "the silent-agent alert",
        Duration::from_secs(60),
        || async { (stack.count(&silence).await == 1).then_some(()) },
    )
    .await;
    let live = format!(
        "SELECT count() FROM alerts WHERE rule_id = '{}' AND agent_id = 'ag-live'",
        vigie_collector::detect::AGENT_SILENT_RULE_ID
    );
    assert_eq!(stack.count(&live).await, 0);

    let dashboard = stack.start_dashboard("admin-password-2").await;
    let port = dashboard.port;
    let admin = ("Cookie", dashboard.session.as_str());
    let page = http(port, "GET", "/alerts", &[admin], "");
    let at = page.body.find("name=\"csrf\" value=\"").unwrap();
    let csrf = page.body[at + 19..].split('"').next().unwrap().to_string();
    let made = http(
        port,
        "POST",
        "/api/v1/users",
        &[
            admin,
            ("X-CSRF-Token", &csrf),
            ("Content-Type", "application/json"),
        ],
        &json!({"username": "ana", "role": "analyst", "password": "long-password-2"}).to_string(),
    );
    assert_eq!(made.status, 201, "{}", made.body);
    let ana_cookie = sign_in(port, "ana", "long-password-2");
    let ana = ("Cookie", ana_cookie.as_str());

    // The fleet: health figures, system, silence.
    let fleet = json_of(&http(port, "GET", "/api/v1/agents", &[ana], ""));
    let find = |fleet: &Value, id: &str| -> Value {
        fleet["agents"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["agent_id"] == id)
            .unwrap()
            .clone()
    };
    let live = find(&fleet, "ag-live");
    assert_eq!(live["silent"], false);
    assert_eq!(live["spool_backlog"], 7);
    assert_eq!(live["dropped"], 2);
    assert_eq!(live["sensor_losses"], 3);
    assert_eq!(live["process_source"], "connector");
    assert_eq!(live["os"], "Debian GNU/Linux 12 (bookworm)");
    assert!(live["events_per_minute"].as_f64().unwrap() > 0.0);
    assert_eq!(find(&fleet, "ag-quiet")["silent"], true);
    let page = http(port, "GET", "/fleet?lang=fr", &[ana], "");
    assert!(
        page.body.contains("muet")
            && page.body.contains("Debian")
            && page.body.contains("dégradé\u{a0}: connecteur du noyau"),
        "{}",
        page.body
    );
    assert!(
        !page.body.contains("/fleet/ag-live/revoke"),
        "analysts get no revoke button"
    );
    assert!(
        page.body.contains("title=\"événements perdus sur cet agent\u{a0}: 2 jetés de son tampon, 3 perdus par ses capteurs\">dégradé<"),
        "an agent that lost events is not green"
    );
    assert!(
        !page.body.contains("id=\"enroll\""),
        "enrollment is for admins"
    );

    // Adding a server from the fleet page: a token shown once, its command, then used.
    let made = http(
        port,
        "POST",
        "/fleet/enrollment",
        &[admin, ("Content-Type", "application/x-www-form-urlencoded")],
        &format!("csrf={csrf}&hours=2&max_uses=1&note=web2+DGI"),
    );
    assert_eq!(made.status, 200, "{}", made.body);
    let secret = made.body.split("<code id=\"new-token\">").nth(1).unwrap();
    let secret = secret[..secret.find('<').unwrap()].to_string();
    assert!(made.body.contains(&format!(
        "sudo -u vigie-agent vigie-agent enroll --config /etc/vigie/agent.toml --token {secret}"
    )));
    let data = stack.path("web2-agent");
    let enrolled = std::process::Command::new(vigie_tests::bin("vigie-agent"))
        .args([
            "enroll",
            "--collector",
            &stack.collector_url(),
            "--token",
            &secret,
            "--ca",
        ])
        .arg(&stack.ca)
        .arg("--data-dir")
        .arg(&data)
        .output()
        .unwrap();
    assert!(
        enrolled.status.success(),
        "{}",
        String::from_utf8_lossy(&enrolled.stderr)
    );
    let listed = json_of(&http(
        port,
        "GET",
        "/api/v1/enrollment-tokens",
        &[admin],
        "",
    ));
    let token = listed["tokens"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["note"] == "web2 DGI")
        .unwrap()
        .clone();
    assert_eq!(
        (token["uses"].as_u64(), token["max_uses"].as_u64()),
        (Some(1), Some(1))
    );
    assert!(http(port, "GET", "/fleet", &[admin], "")
        .body
        .contains("used up"));
    // By the API: made, refused with the field named, revoked, then useless.
    let api = |who: (&str, &str), token: &str, path: &str, body: Value| {
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
    let made = api(
        admin,
        &csrf,
        "/api/v1/enrollment-tokens",
        json!({"hours": 1, "max_uses": 3}),
    );
    assert_eq!(made.status, 201, "{}", made.body);
    let made = json_of(&made);
    let (id, secret) = (
        made["token_id"].as_str().unwrap(),
        made["secret"].as_str().unwrap(),
    );
    assert!(made["command"].as_str().unwrap().ends_with(secret));
    let bad = api(
        admin,
        &csrf,
        "/api/v1/enrollment-tokens",
        json!({"hours": 0}),
    );
    assert_eq!(bad.status, 400);
    assert!(json_of(&bad)["detail"]
        .as_str()
        .unwrap()
        .starts_with("hours"));
    let ana_csrf_now = csrf_of(&http(port, "GET", "/alerts", &[ana], "").body);
    assert_eq!(
        api(ana, &ana_csrf_now, "/api/v1/enrollment-tokens", json!({})).status,
        403,
        "analysts make no tokens"
    );
    let revoked = api(
        admin,
        &csrf,
        &format!("/api/v1/enrollment-tokens/{id}/revoke"),
        json!({}),
    );
    assert_eq!(revoked.status, 200, "{}", revoked.body);
    let refused = std::process::Command::new(vigie_tests::bin("vigie-agent"))
        .args([
            "enroll",
            "--collector",
            &stack.collector_url(),
            "--token",
            secret,
            "--ca",
        ])
        .arg(&stack.ca)
        .arg("--data-dir")
        .arg(stack.path("web3-agent"))
        .output()
        .unwrap();
    assert_eq!(
        refused.status.code(),
        Some(5),
        "a revoked token enrolls nobody"
    );
    let audited = stack
        .count(&format!(
            "SELECT count() FROM audit_log WHERE action IN ('enrollment_token_created', \
             'enrollment_token_revoked') AND position(details, '{secret}') = 0"
        ))
        .await;
    assert_eq!(audited, 3, "made twice, revoked once, never the secret");
    // Groups come from a list: a typo makes no new group.
    let moved = api(
        admin,
        &csrf,
        "/api/v1/agents/ag-live/group",
        json!({"group": "wbe"}),
    );
    assert_eq!(moved.status, 400);
    assert_eq!(json_of(&moved)["code"], "settings_unknown_group");
    let moved = api(
        admin,
        &csrf,
        "/api/v1/agents/ag-live/group",
        json!({"group": "default"}),
    );
    assert_eq!(moved.status, 200, "{}", moved.body);

    // Revocation: admins only.
    let revoke = |who: (&str, &str), token: &str| {
        http(
            port,
            "POST",
            "/api/v1/agents/ag-quiet/revoke",
            &[who, ("X-CSRF-Token", token)],
            "",
        )
    };
    let ana_csrf = {
        let p = http(port, "GET", "/alerts", &[ana], "");
        let at = p.body.find("name=\"csrf\" value=\"").unwrap();
        p.body[at + 19..].split('"').next().unwrap().to_string()
    };
    assert_eq!(revoke(ana, &ana_csrf).status, 403);
    assert_eq!(revoke(admin, "forged").status, 403);
    assert_eq!(revoke(admin, &csrf).status, 200);
    let fleet = json_of(&http(port, "GET", "/api/v1/agents", &[ana], ""));
    assert_eq!(find(&fleet, "ag-quiet")["revoked"], true);
    assert_eq!(
        find(&fleet, "ag-quiet")["silent"],
        false,
        "revoked agents are not silent"
    );

    // Hunting: by category and field conditions; values are only values.
    let hunt = |query: &str| -> HttpResponse {
        http(port, "GET", &format!("/api/v1/events?{query}"), &[ana], "")
    };
    let found = |query: &str| -> Vec<u64> {
        let r = hunt(query);
        assert_eq!(r.status, 200, "{query}: {}", r.body);
        json_of(&r)["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["seq"].as_u64().unwrap())
            .collect()
    };
    assert_eq!(
        found("category=network_connection&f1=DestinationPort&op1=eq&v1=4444"),
        [4]
    );
    assert_eq!(
        found("category=network_connection&f1=DestinationPort&op1=gt&v1=1000"),
        [4]
    );
    assert_eq!(found("f1=Image&op1=contains&v1=TMP%2FEVIL"), [4, 3]);
    assert_eq!(found("f1=Image&op1=prefix&v1=%2Fusr&host=web1"), [5]);
    assert_eq!(
        found("f1=Image&op1=neq&v1=%2Ftmp%2Fevil&category=network_connection"),
        [5]
    );
    assert!(found("f1=Image&op1=eq&v1=%27%20OR%201%3D1%20--").is_empty());
    assert!(found("host=db1").is_empty());
    // Every category the agents emit; counts by a field (stacking); unknown names refused.
    assert!(found("category=listening_socket").is_empty());
    let counts = json_of(&hunt("count_by=Image"));
    assert_eq!(counts["field"], "Image");
    assert_eq!(counts["counts"][0]["value"], "/tmp/evil", "{counts}");
    assert_eq!(counts["counts"][0]["count"], 2);
    assert_eq!(counts["counts"][1]["value"], "/usr/bin/curl");
    let unknown = hunt("categroy=process_creation");
    assert_eq!(unknown.status, 400);
    assert!(json_of(&unknown)["detail"]
        .as_str()
        .unwrap()
        .starts_with("categroy"));
    // Chosen fields as columns, every value a pivot into a narrower hunt.
    let page = http(
        port,
        "GET",
        "/hunt?category=network_connection&columns=Image,DestinationIp,DestinationPort",
        &[ana],
        "",
    );
    // Each column says what it holds, with the name hunts and rules use beside it.
    assert!(
        page.body
            .contains("<th>Destination address <code class=\"muted\">DestinationIp</code></th>"),
        "{}",
        page.body
    );
    let pivot = page
        .body
        .split("href=\"")
        .map(|h| h[..h.find('"').unwrap()].replace("&amp;", "&"))
        .find(|h| h.starts_with("/hunt?") && h.contains("v1=10.9.9.9"))
        .expect("a pivot on the address");
    let narrowed = http(port, "GET", &pivot, &[ana], "");
    assert!(narrowed.body.contains("/tmp/evil") && !narrowed.body.contains("/usr/bin/curl"));
    let stacked = http(port, "GET", "/hunt?count_by=DestinationPort", &[ana], "");
    assert!(stacked.body.contains("id=\"counts\"") && stacked.body.contains("4444"));
    let bad = hunt("f1=Image%27--&v1=x");
    assert_eq!(bad.status, 400);
    assert!(
        json_of(&bad)["detail"].as_str().unwrap().starts_with("f1"),
        "{}",
        bad.body
    );
    let csv = http(
        port,
        "GET",
        "/hunt.csv?category=process_creation",
        &[ana],
        "",
    );
    assert_eq!(csv.status, 200);
    assert!(csv
        .headers
        .iter()
        .any(|(k, v)| k.eq_ignore_ascii_case("content-type") && v.starts_with("text/csv")));
    let mut lines = csv.body.lines();
    assert!(lines.next().unwrap().starts_with("time_utc,ts_ms,agent_id"));
    assert!(lines.next().unwrap().contains("/tmp/evil -x"));
    let page = http(
        port,
        "GET",
        "/hunt?category=process_creation&lang=fr",
        &[ana],
        "",
    );
    assert!(page.body.contains("Télécharger en CSV") && page.body.contains("/tmp/evil"));
    assert!(
        page.body
            .contains("Ligne de commande <code class=\"muted\">CommandLine</code>"),
        "{}",
        page.body
    );

    // The overview: charts drawn by the dashboard itself.
    let overview = json_of(&http(port, "GET", "/api/v1/overview?range=24h", &[ana], ""));
    assert_eq!(overview["top_hosts"][0][0], "db1", "{overview}");
    assert!(overview["events_per_second"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c[0] == "network_connection"));
    // ag-live and the server enrolled above; ag-quiet revoked.
    assert_eq!(overview["agents"], json!([2, 0, 1]));
    let page = http(port, "GET", "/overview?lang=fr", &[ana], "");
    assert!(page.body.contains("<svg") && page.body.contains("Vue d'ensemble"));
    // Every bar leads to the queue filtered as it counts, and the queue reads the link.
    assert!(
        page.body
            .contains("href=\"/alerts?host=db1&amp;range=24h\""),
        "host bars"
    );
    assert!(
        page.body.contains("connexion réseau"),
        "categories in words"
    );
    let segment = page
        .body
        .split("href=\"/alerts?range=custom&amp;from=")
        .nth(1)
        .expect("a time segment leads to the queue");
    let segment = format!(
        "/alerts?range=custom&from={}",
        segment[..segment.find('"').unwrap()].replace("&amp;", "&")
    );
    let queue = http(port, "GET", &segment, &[ana], "");
    assert_eq!(queue.status, 200, "{segment}: {}", queue.body);
    assert!(
        queue.body.contains("data-alert-id="),
        "{segment} finds its alerts"
    );
    assert_eq!(
        http(port, "GET", "/api/v1/overview?range=1y", &[ana], "").status,
        400
    );
}
