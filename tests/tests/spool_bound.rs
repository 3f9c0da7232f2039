//! An agent whose spool reaches its bound while the collector is away drops the oldest
//! events, counts them, and says so: in `agent_health` and, through the collector, as an
//! alert that tells an explained drop from tampering.

use std::time::Duration;

use vigie_collector::detect::{CHAIN_GAP_RULE_ID, SPOOL_DROP_RULE_ID};
use vigie_tests::{wait_for, Stack};

#[tokio::test(flavor = "multi_thread")]
async fn a_full_spool_drops_oldest_first_and_reports_it() {
    let mut stack = Stack::start("").await;
    let watched = stack.path("watched");
    std::fs::create_dir_all(&watched).unwrap();
    let config = stack
        .agent_config(
            "agent",
            &watched,
            "health_interval_secs = 1",
            "[batch]\nmax_events = 50\n\n[spool]\nmax_bytes = 65536\nsegment_bytes = 8192\n",
        )
        .await;
    let _agent = stack.start_agent("agent", &config).await;
    stack.stop_collector();

    let total = 3000u64;
    for i in 0..total {
        // Content the compressor cannot shrink, so the spool really fills.
        let noise = vigie_model::hex::sha256(&i.to_le_bytes());
        std::fs::write(watched.join(format!("file-{i:05}-{noise}")), noise).unwrap();
    }
    let log = stack.path("agent.log");
    vigie_tests::wait_for_log(
        &log,
        "spool full: oldest events dropped",
        Duration::from_secs(60),
    )
    .await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    stack.start_collector().await;

    let explained = SPOOL_DROP_RULE_ID;
    let alert: (String, String) =
        wait_for("the spool-drop alert", Duration::from_secs(90), || async {
            stack
                .client
                .query("SELECT severity, summary FROM alerts WHERE rule_id = ? LIMIT 1")
                .bind(explained)
                .fetch_optional::<(String, String)>()
                .await
                .unwrap()
        })
        .await;
    assert!(alert.1.contains("dropped by the agent"), "{alert:?}");
    assert_eq!(
        stack
            .count(&format!(
                "SELECT count() FROM alerts WHERE rule_id = '{CHAIN_GAP_RULE_ID}'"
            ))
            .await,
        0,
        "an explained drop is not reported as tampering"
    );
    // Every change is either stored or counted as dropped in the agent's health report.
    let (stored_created, dropped) = wait_for("stored + dropped to cover every change", Duration::from_secs(90), || async {
        let dropped = stack
            .count("SELECT max(toUInt64(visitParamExtractUInt(fields, 'DroppedSpoolFull'))) FROM events WHERE category = 'agent_health'")
            .await;
        let stored = stack.count("SELECT count() FROM events WHERE action = 'created'").await;
        (dropped > 0 && stored + dropped >= total).then_some((stored, dropped))
    })
    .await;
    assert!(stored_created < total, "some events were dropped");
    // Health events are dropped too when they are among the oldest, so the count of
    // dropped events may exceed the missing file events, never fall short of them.
    assert!(
        dropped >= total - stored_created,
        "{dropped} dropped, {stored_created} stored of {total}"
    );
    // Oldest first: what survived is the newest files.
    let oldest_kept = stack
        .client
        .query("SELECT min(target) FROM events WHERE action = 'created'")
        .fetch_one::<String>()
        .await
        .unwrap();
    assert!(
        !oldest_kept.contains("file-00000-"),
        "the oldest event was dropped, not kept: {oldest_kept}"
    );
}
