//! The fault suite (issue #13): simulated agents send signed, chained batches while the
//! world does its worst — ClickHouse hung past the write time limit (SIGSTOP), ClickHouse
//! killed, the collector killed mid-insert — and each run ends with the same check:
//! every acknowledged event stored once, no gap, no duplicate event, no duplicate alert.
//! A write stopped between its alerts and its events is also made on purpose, so the
//! path that finds alerts stored ahead of their events runs every time.
//! (Agent kill -9, link cuts and a full spool have their own tests: `agent_crash.rs`,
//! `fleet_netns.rs`, `spool_bound.rs`.)

use std::collections::HashMap;
use std::time::Duration;

use vigie_tests::sim::{check_exactly_once, SendStats, SimAgent};
use vigie_tests::{send_signal, Stack};

const AGENTS: usize = 8;
const BATCHES: u64 = 30;
const SIZE: u64 = 50;
/// One event in ten touches /etc/shadow: an alert each (other rules add theirs).
const ALERT_EVERY: u64 = 10;

/// Simulated agents sending until each has its events acknowledged.
type Senders = Vec<tokio::task::JoinHandle<(String, SendStats)>>;

/// Starts `AGENTS` simulated agents.
async fn start_load(stack: &Stack) -> Senders {
    let client = stack.agent_client();
    let mut senders = Vec::new();
    for i in 0..AGENTS {
        let mut agent = SimAgent::enroll(
            &client,
            &stack.token().await,
            &format!("sim{i}"),
            &stack.path(&format!("sim{i}.json")),
        )
        .await
        .unwrap();
        let client = client.clone();
        senders.push(tokio::spawn(async move {
            let stats = agent
                .send(
                    &client,
                    BATCHES,
                    SIZE,
                    ALERT_EVERY,
                    Duration::from_millis(60),
                )
                .await;
            (agent.id().to_string(), stats)
        }));
    }
    senders
}

/// Waits for every agent to be acknowledged, then checks storage.
async fn finish(stack: &Stack, senders: Senders) -> (SendStats, String) {
    let mut total = SendStats::default();
    let mut acknowledged = HashMap::new();
    for sender in senders {
        let (id, stats) = tokio::time::timeout(Duration::from_secs(300), sender)
            .await
            .expect("every agent's events acknowledged in the end")
            .unwrap();
        acknowledged.insert(id, stats.events);
        total.merge(stats);
    }
    let report = check_exactly_once(&stack.client, &acknowledged).await;
    let alerts = stack
        .count("SELECT count() FROM alerts WHERE rule_id != ''")
        .await;
    let line = format!(
        "expected {} stored {} duplicates {} missing {} duplicate alerts {} (alerts {alerts}) retries {}",
        report.expected, report.stored, report.duplicates, report.missing, report.duplicate_alerts, total.retries
    );
    assert!(report.holds(), "{line}");
    let shadow = stack
        .count("SELECT uniqExact(agent_id, event_seq) FROM alerts WHERE target = '/etc/shadow'")
        .await;
    assert_eq!(
        shadow,
        AGENTS as u64 * BATCHES * SIZE / ALERT_EVERY,
        "every /etc/shadow event alerted on: {line}"
    );
    (total, line)
}

fn pause(pid: i32, signal: i32) {
    send_signal(pid as u32, signal);
}

#[tokio::test(flavor = "multi_thread")]
async fn clickhouse_hung_past_the_write_time_limit_stores_everything_once() {
    let stack = Stack::start("store_timeout_secs = 2\n").await;
    let senders = start_load(&stack).await;
    let pid = stack.clickhouse.pid().expect("ClickHouse runs");
    for _ in 0..2 {
        tokio::time::sleep(Duration::from_secs(2)).await;
        pause(pid, libc::SIGSTOP);
        tokio::time::sleep(Duration::from_secs(6)).await;
        pause(pid, libc::SIGCONT);
    }
    let (stats, line) = finish(&stack, senders).await;
    println!("ClickHouse hung twice for 6 s (write limit 2 s): {line}");
    assert!(stats.retries > 0, "the hangs were felt: {line}");
    let log = std::fs::read_to_string(stack.path("collector.log")).unwrap();
    assert!(
        log.contains("flush failed"),
        "a write timed out during the hang"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn clickhouse_killed_mid_load_stores_everything_once() {
    let mut stack = Stack::start("store_timeout_secs = 2\n").await;
    let senders = start_load(&stack).await;
    for _ in 0..2 {
        tokio::time::sleep(Duration::from_secs(2)).await;
        let pid = stack.clickhouse.pid().expect("ClickHouse runs");
        pause(pid, libc::SIGKILL);
        tokio::time::sleep(Duration::from_secs(2)).await;
        tokio::task::block_in_place(|| stack.clickhouse.restart()).expect("ClickHouse restarts");
    }
    let (_, line) = finish(&stack, senders).await;
    println!("ClickHouse killed twice: {line}");
}

#[tokio::test(flavor = "multi_thread")]
async fn collector_killed_mid_insert_stores_everything_once() {
    let mut stack = Stack::start("").await;
    let senders = start_load(&stack).await;
    for _ in 0..3 {
        tokio::time::sleep(Duration::from_millis(1500)).await;
        let pid = stack
            .collector
            .as_ref()
            .and_then(|c| c.pid())
            .expect("collector runs");
        send_signal(pid, libc::SIGKILL);
        stack.collector.take();
        stack.start_collector().await;
    }
    let (_, line) = finish(&stack, senders).await;
    println!("collector killed three times: {line}");
}

/// The writer stores a flush's batch records, then its alerts, then its events. A flush
/// that stops after its alerts leaves them ahead of the events; made here by storing a
/// batch whole and removing its events while the collector is down. When the agent
/// resends that batch, its events are stored and not one alert twice.
#[tokio::test(flavor = "multi_thread")]
async fn a_write_stopped_between_its_alerts_and_its_events_stores_no_alert_twice() {
    let mut stack = Stack::start("").await;
    let client = stack.agent_client();
    let mut agent = SimAgent::enroll(
        &client,
        &stack.token().await,
        "halfway",
        &stack.path("halfway.json"),
    )
    .await
    .unwrap();
    agent
        .send(&client, 1, SIZE, ALERT_EVERY, Duration::ZERO)
        .await;
    let before_second = agent.position();
    agent
        .send(&client, 1, SIZE, ALERT_EVERY, Duration::ZERO)
        .await;
    let alerts_whole = stack.count("SELECT count() FROM alerts").await;

    let pid = stack.collector.as_ref().and_then(|c| c.pid()).unwrap();
    send_signal(pid, libc::SIGKILL);
    stack.collector.take();
    let id = agent.id().to_string();
    stack
        .client
        .query("ALTER TABLE events DELETE WHERE agent_id = ? AND seq > ?")
        .bind(&id)
        .bind(SIZE)
        .execute()
        .await
        .unwrap();
    vigie_tests::wait_for(
        "the second batch's events removed",
        Duration::from_secs(30),
        || async { (stack.count("SELECT count() FROM events").await == SIZE).then_some(()) },
    )
    .await;
    assert_eq!(
        stack.count("SELECT count() FROM alerts").await,
        alerts_whole,
        "the second batch's alerts are still stored, ahead of its events"
    );

    stack.start_collector().await;
    agent.rewind(before_second);
    let stats = agent
        .send(&client, 1, SIZE, ALERT_EVERY, Duration::ZERO)
        .await;
    assert_eq!(stats.events, SIZE);
    let report = check_exactly_once(&stack.client, &HashMap::from([(id, 2 * SIZE)])).await;
    assert!(report.holds(), "{report:?}");
    assert_eq!(
        stack.count("SELECT count() FROM alerts").await,
        alerts_whole,
        "no alert stored twice"
    );
}
