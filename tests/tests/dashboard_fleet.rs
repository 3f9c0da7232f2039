//! The fleet, hunting and the overview, over a real ClickHouse and a real collector:
//! a silent agent is flagged and raises exactly one alert, health figures reach the
//! fleet page, admins revoke, hunts find events by field with bound values only, CSV
//! downloads are proper files, and the overview draws its charts.

use std::time::Duration;

use serde_json::{json, Value};
use vigie_store::rows::{AgentRow, EventRow};
use vigie_tests::{http, json_of, sign_in, wait_for, HttpResponse, Stack};

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
            && page.body.contains("dégradé : connecteur du noyau"),
        "{}",
        page.body
    );
    assert!(
        !page.body.contains("/fleet/ag-live/revoke"),
        "analysts get no revoke button"
    );

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

    // The overview: charts drawn by the dashboard itself.
    let overview = json_of(&http(port, "GET", "/api/v1/overview?range=24h", &[ana], ""));
    assert_eq!(overview["top_hosts"][0][0], "db1", "{overview}");
    assert!(overview["events_per_second"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c[0] == "network_connection"));
    assert_eq!(overview["agents"], json!([1, 0, 1]));
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
