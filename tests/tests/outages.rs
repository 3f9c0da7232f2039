//! The collector, then ClickHouse, stopped for 30 s while files change: once they are
//! back, every event is stored exactly once.

use std::time::Duration;

use vigie_tests::{wait_for, Stack};

const OUTAGE: Duration = Duration::from_secs(30);

async fn change_files_during(outage: Duration, dir: &std::path::Path, prefix: &str) -> u64 {
    let rounds = 60u64;
    for i in 0..rounds {
        std::fs::write(dir.join(format!("{prefix}{i:02}")), format!("{prefix} {i}")).unwrap();
        tokio::time::sleep(outage / rounds as u32).await;
    }
    rounds
}

async fn assert_exactly_once(stack: &Stack, prefix: &str, expected: u64) {
    let pattern = format!("%/{prefix}%");
    let query =
        format!("SELECT count() FROM events WHERE action = 'created' AND target LIKE '{pattern}'");
    wait_for(
        &format!("{expected} events for {prefix}"),
        Duration::from_secs(120),
        || async { (stack.count(&query).await >= expected).then_some(()) },
    )
    .await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(
        stack.count(&query).await,
        expected,
        "each change stored exactly once"
    );
    assert_eq!(
        stack.count("SELECT count() FROM events").await,
        stack
            .count("SELECT uniqExact(agent_id, seq) FROM events")
            .await,
        "no (agent_id, seq) stored twice"
    );
    let alerts = format!("SELECT count() FROM alerts WHERE target LIKE '{pattern}'");
    assert_eq!(stack.count(&alerts).await, expected, "one alert per change");
    assert_eq!(
        stack
            .count("SELECT count() FROM alerts WHERE has(tags, 'vigie.transport')")
            .await,
        0,
        "no gap or fork"
    );
}

/// A stack with an agent that has already delivered one change.
async fn delivering_agent() -> (Stack, std::path::PathBuf, vigie_tests::Process) {
    let stack = Stack::start("").await;
    let watched = stack.path("watched");
    std::fs::create_dir_all(&watched).unwrap();
    let config = stack.agent_config("agent", &watched, "", "").await;
    let agent = stack.start_agent("agent", &config).await;
    std::fs::write(watched.join("before"), "x").unwrap();
    assert_exactly_once(&stack, "before", 1).await;
    (stack, watched, agent)
}

#[tokio::test(flavor = "multi_thread")]
async fn collector_down_for_30s_loses_nothing() {
    let (mut stack, watched, _agent) = delivering_agent().await;

    stack.stop_collector();
    let made = change_files_during(OUTAGE, &watched, "during").await;
    let restarted_ms = vigie_model::event::now_ms();
    stack.start_collector().await;
    assert_exactly_once(&stack, "during", made).await;
    // The backlog went several batches to a request: batches stored by one request share
    // their receive time.
    let since = format!("FROM batches WHERE received_ms >= {restarted_ms}");
    let batches = stack.count(&format!("SELECT count() {since}")).await;
    let requests = stack
        .count(&format!("SELECT uniqExact(received_ms) {since}"))
        .await;
    assert!(
        batches > 1 && requests < batches,
        "{batches} batches came in {requests} requests"
    );
    println!("backlog: {batches} batches in {requests} requests");
}

#[tokio::test(flavor = "multi_thread")]
async fn clickhouse_down_for_30s_loses_nothing() {
    let (mut stack, watched, _agent) = delivering_agent().await;

    tokio::task::block_in_place(|| stack.clickhouse.stop());
    let made = change_files_during(OUTAGE, &watched, "during").await;
    // The collector refused with 503 meanwhile, and says so in its log.
    let log = std::fs::read_to_string(stack.path("collector.log")).unwrap();
    assert!(log.contains("storage_unavailable"), "collector log: {log}");
    tokio::task::block_in_place(|| stack.clickhouse.restart()).expect("ClickHouse restarts");
    assert_exactly_once(&stack, "during", made).await;
}
