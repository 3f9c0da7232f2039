//! Dashboard figures over a loaded store: 10 million events (7 days, 200 hosts) and
//! 1 million alerts (30 days, 150 rules, 100,000 triaged), generated inside a throwaway
//! ClickHouse, then each page and filter asked through the release dashboard's HTTP API
//! 20 times: p50 and p95. Also the first load's weight. Prints figures; asserts nothing.
//! Mesures du tableau de bord sur une base chargée ; affiche des chiffres.
//!
//! cargo build --release --bins && cargo bench -p vigie-tests --bench dashboard
//! (bench/dashboard.sh does both.) Sizes: VIGIE_BENCH_EVENTS, VIGIE_BENCH_ALERTS.

use std::io::Write;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use vigie_store::managed::{Component, ManagedClickHouse};
use vigie_tests::{free_port, http, sign_in, wait_for_log, Process};

const RUNS: usize = 20;

fn count(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

async fn generate(client: &vigie_store::Client, events: u64, alerts: u64, now: u64) {
    let started = Instant::now();
    let week = 7 * 86_400_000;
    let month = 30 * 86_400_000;
    client
        .query(
            "INSERT INTO events (date, ts, received_ms, agent_id, hostname, seq, category, action, target, image, user, sha256, fields) \
             SELECT toDate(toDateTime(intDiv(t, 1000))), t, t, concat('agent-', toString(number % 200)), \
             concat('host-', toString(number % 200)), intDiv(number, 200), \
             ['process_creation', 'file_event', 'network_connection', 'dns_query'][number % 4 + 1], \
             '', concat('/var/lib/app/', toString(number % 5000)), \
             ['/usr/bin/bash', '/usr/bin/python3', '/usr/sbin/nginx'][number % 3 + 1], 'www-data', '', \
             concat('{\"ProcessId\":', toString(number % 65000), ',\"Image\":\"', ['/usr/bin/bash', '/usr/bin/python3', '/usr/sbin/nginx'][number % 3 + 1], \
             '\",\"CommandLine\":\"job ', toString(number % 1000), '\",\"DestinationPort\":', toString(number % 1024), '}') \
             FROM (SELECT number, toUInt64(? + number * ?) AS t FROM numbers(?))",
        )
        .bind(now - week)
        .bind(week / events.max(1))
        .bind(events)
        .execute()
        .await
        .expect("events generated");
    client
        .query(
            "INSERT INTO alerts (date, ts, created_ms, alert_id, agent_id, hostname, event_seq, rule_id, rule_title, rule_title_fr, severity, tags, author, summary, target, action, events) \
             SELECT toDate(toDateTime(intDiv(t, 1000))), t, t, lower(hex(MD5(toString(number)))), \
             concat('agent-', toString(number % 200)), concat('host-', toString(number % 200)), number, \
             concat('rule-', toString(number % 150)), concat('Rule ', toString(number % 150)), concat('Règle ', toString(number % 150)), \
             ['informational', 'low', 'medium', 'high', 'critical'][number % 5 + 1], \
             ['attack.execution', concat('attack.t1', toString(100 + number % 50))], 'Vigie', \
             concat('Rule ', toString(number % 150), ' on host-', toString(number % 200), ': /etc/file', toString(number % 3000)), \
             concat('/etc/file', toString(number % 3000)), '', '[]' \
             FROM (SELECT number, toUInt64(? + number * ?) AS t FROM numbers(?))",
        )
        .bind(now - month)
        .bind(month / alerts.max(1))
        .bind(alerts)
        .execute()
        .await
        .expect("alerts generated");
    client
        .query(
            "INSERT INTO alert_actions (date, ts, alert_id, action, status, assignee, comment, actor) \
             SELECT date, ts + 60000, alert_id, 'status', ['in_progress', 'resolved', 'false_positive'][event_seq % 3 + 1], \
             '', 'bench', 'bench' FROM alerts WHERE event_seq % 10 = 0",
        )
        .execute()
        .await
        .expect("triage generated");
    println!(
        "generated {events} events and {alerts} alerts ({} triaged) in {:.1} s",
        alerts / 10,
        started.elapsed().as_secs_f64()
    );
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn time(port: u16, cookie: &str, label: &str, path: &str) {
    let mut ms = Vec::new();
    let mut status = 0;
    for _ in 0..RUNS {
        let start = Instant::now();
        let r = http(port, "GET", path, &[("Cookie", cookie)], "");
        ms.push(start.elapsed().as_secs_f64() * 1000.0);
        status = r.status;
    }
    ms.sort_by(|a, b| a.partial_cmp(b).expect("numbers"));
    println!(
        "{label:<44} p50 {:>7.1} ms  p95 {:>7.1} ms  (HTTP {status})",
        percentile(&ms, 0.5),
        percentile(&ms, 0.95)
    );
}

fn gzip_size(bytes: &[u8]) -> usize {
    let mut child = std::process::Command::new("gzip")
        .arg("-c")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("gzip");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(bytes)
        .expect("gzip input");
    child.wait_with_output().expect("gzip output").stdout.len()
}

#[tokio::main]
async fn main() {
    let events = count("VIGIE_BENCH_EVENTS", 10_000_000);
    let alerts = count("VIGIE_BENCH_ALERTS", 1_000_000);
    let dir = tempfile::tempdir().expect("temp dir");
    let clickhouse =
        tokio::task::block_in_place(|| ManagedClickHouse::start(&dir.path().join("ch")))
            .expect("ClickHouse starts");
    let endpoint = clickhouse.endpoint(Component::Dashboard);
    vigie_store::schema::migrate(&endpoint)
        .await
        .expect("schema");
    let client = vigie_store::connect(&endpoint);
    let now = vigie_model::event::now_ms();
    generate(&client, events, alerts, now).await;

    let release =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/release/vigie-dashboard");
    assert!(
        release.is_file(),
        "build first: cargo build --release --bins"
    );
    let port = free_port();
    let config = dir.path().join("dashboard.toml");
    std::fs::write(
        &config,
        format!(
            "listen = \"127.0.0.1:{port}\"\nclickhouse_url = \"{}\"\nclickhouse_user = \"{}\"\nclickhouse_password_file = \"{}\"\nadmin_password = \"bench-password-1\"\n",
            clickhouse.url(),
            Component::Dashboard.user(),
            clickhouse.password_file(Component::Dashboard).display()
        ),
    )
    .expect("config");
    let log = dir.path().join("dashboard.log");
    let _dashboard = Process::spawn(
        "dashboard",
        &release,
        &["--config", config.to_str().expect("utf-8")],
        &[],
        &log,
    );
    wait_for_log(&log, "dashboard listening", Duration::from_secs(30)).await;
    let cookie = sign_in(port, "admin", "bench-password-1");

    // The cursor of page 10, to time a deep page.
    let mut path = "/api/v1/alerts?range=30d&group=0".to_string();
    for _ in 0..9 {
        let r = http(port, "GET", &path, &[("Cookie", &cookie)], "");
        let json: serde_json::Value = serde_json::from_str(&r.body).expect("JSON");
        let next = json["next"].as_str().expect("a next page").to_string();
        path = format!("/api/v1/alerts?range=30d&group=0&after={next}");
    }
    let some_alert = {
        let r = http(
            port,
            "GET",
            "/api/v1/alerts?range=30d&group=0&limit=1",
            &[("Cookie", &cookie)],
            "",
        );
        let json: serde_json::Value = serde_json::from_str(&r.body).expect("JSON");
        json["alerts"][0]["alert_id"]
            .as_str()
            .expect("an alert")
            .to_string()
    };
    println!(
        "\n{alerts} alerts, {events} events; {RUNS} requests each through the dashboard's API:"
    );
    for (label, query) in [
        (
            "queue, 7 days, grouped (default)",
            "/api/v1/alerts".to_string(),
        ),
        (
            "queue, 7 days, one line per alert",
            "/api/v1/alerts?group=0".into(),
        ),
        ("queue, 30 days, grouped", "/api/v1/alerts?range=30d".into()),
        (
            "filter severity=critical, 30 days",
            "/api/v1/alerts?range=30d&severity=critical".into(),
        ),
        (
            "filter host, 30 days",
            "/api/v1/alerts?range=30d&host=host-17".into(),
        ),
        (
            "filter rule, 30 days",
            "/api/v1/alerts?range=30d&rule=rule-42".into(),
        ),
        (
            "filter ATT&CK tag, 30 days",
            "/api/v1/alerts?range=30d&tag=T1105".into(),
        ),
        (
            "filter free text, 30 days",
            "/api/v1/alerts?range=30d&q=file2999".into(),
        ),
        (
            "status tab resolved, 30 days",
            "/api/v1/alerts?range=30d&status=resolved".into(),
        ),
        ("page 10 (keyset), 30 days", path.clone()),
        ("alert detail", format!("/api/v1/alerts/{some_alert}")),
        (
            "hunt: Image contains python, 24 h",
            "/api/v1/events?f1=Image&op1=contains&v1=python".into(),
        ),
        ("overview, 24 h", "/api/v1/overview".into()),
        ("fleet", "/api/v1/agents".into()),
    ] {
        time(port, &cookie, label, &query);
    }

    // First load of the queue page: HTML, style sheet and script.
    let page = http(port, "GET", "/alerts", &[("Cookie", &cookie)], "");
    let css = http(port, "GET", "/static/vigie.css", &[], "");
    let js = http(port, "GET", "/static/vigie.js", &[], "");
    let raw = page.body.len() + css.body.len() + js.body.len();
    let gz = gzip_size(page.body.as_bytes())
        + gzip_size(css.body.as_bytes())
        + gzip_size(js.body.as_bytes());
    println!(
        "\nfirst load of /alerts (50 lines): {:.1} KB (HTML {:.1} KB, CSS {:.1} KB, JS {:.1} KB); {:.1} KB gzipped, {:.1} s at 64 kbit/s",
        raw as f64 / 1024.0,
        page.body.len() as f64 / 1024.0,
        css.body.len() as f64 / 1024.0,
        js.body.len() as f64 / 1024.0,
        gz as f64 / 1024.0,
        raw as f64 * 8.0 / 64_000.0,
    );
    drop(clickhouse);
}
