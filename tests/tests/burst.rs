//! 10,000 changes in a burst are all reported, once per file, even when the agent's
//! bounded pending set overflows and it falls back to a rescan.

use std::time::Duration;

use vigie_tests::{wait_for, Stack};

#[tokio::test(flavor = "multi_thread")]
async fn ten_thousand_changes_in_a_burst_are_all_reported_once() {
    let stack = Stack::start("").await;
    let watched = stack.path("watched");
    std::fs::create_dir_all(&watched).unwrap();
    let config = stack
        .agent_config("agent", &watched, "health_interval_secs = 1", "")
        .await;
    // A small pending set, so the burst overflows it: memory stays bounded and the
    // rescan still finds every change.
    let text = std::fs::read_to_string(&config)
        .unwrap()
        .replace("[fim]\n", "[fim]\nmax_pending = 500\n");
    std::fs::write(&config, text).unwrap();
    let _agent = stack.start_agent("agent", &config).await;

    let total = 10_000u64;
    for d in 0..100 {
        let dir = watched.join(format!("d{d:02}"));
        std::fs::create_dir(&dir).unwrap();
        for f in 0..100 {
            std::fs::write(dir.join(format!("f{f:02}")), format!("{d}/{f}")).unwrap();
        }
    }
    // And the first folder's files rewritten five times in a row: coalesced per file.
    for round in 0..5 {
        for f in 0..100 {
            std::fs::write(
                watched.join("d00").join(format!("f{f:02}")),
                format!("round {round}"),
            )
            .unwrap();
        }
    }

    wait_for("10,000 created files", Duration::from_secs(120), || async {
        let n = stack
            .count("SELECT uniqExact(target) FROM events WHERE action = 'created'")
            .await;
        (n >= total).then_some(())
    })
    .await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(
        stack
            .count("SELECT count() FROM events WHERE action = 'created'")
            .await,
        total
    );
    assert_eq!(
        stack.count("SELECT count() FROM events").await,
        stack
            .count("SELECT uniqExact(agent_id, seq) FROM events")
            .await
    );
    // Rewrites are coalesced: at most one event per file per quiet period, and the last
    // event of each file carries its final content's hash.
    let rewrites = stack
        .count("SELECT count() FROM events WHERE action = 'modified'")
        .await;
    assert!(
        rewrites < 500,
        "{rewrites} modified events for 500 rewrites of 100 files"
    );
    let final_hash = vigie_model::hex::sha256(b"round 4");
    let stale = stack
        .count(&format!(
            "SELECT count() FROM (SELECT target, argMax(sha256, seq) AS last FROM events \
             WHERE target LIKE '%/d00/%' AND action IN ('created', 'modified') GROUP BY target) WHERE last != '{final_hash}'"
        ))
        .await;
    assert_eq!(stale, 0, "every rewritten file ends at its final content");
    let overflows = wait_for("a health report", Duration::from_secs(30), || async {
        let n = stack
            .count("SELECT max(toUInt64(visitParamExtractUInt(fields, 'FimPendingOverflows'))) FROM events WHERE category = 'agent_health'")
            .await;
        (n > 0).then_some(n)
    })
    .await;
    assert!(overflows >= 1, "the pending set overflowed and was counted");
}
