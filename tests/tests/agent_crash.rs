//! An agent killed with SIGKILL while files change, then restarted: every change is
//! stored, none twice.

use std::time::Duration;

use vigie_tests::{wait_for, Stack};

#[tokio::test(flavor = "multi_thread")]
async fn sigkill_mid_burst_loses_nothing_and_duplicates_nothing() {
    let stack = Stack::start("").await;
    let watched = stack.path("watched");
    std::fs::create_dir_all(&watched).unwrap();
    let config = stack
        .agent_config("agent", &watched, "", "[batch]\nflush_ms = 50\n")
        .await;
    let mut agent = stack.start_agent("agent", &config).await;

    // Files created while the agent runs; it is killed in the middle of the burst.
    for i in 0..300 {
        std::fs::write(watched.join(format!("f{i:03}")), format!("content {i}")).unwrap();
        if i == 150 {
            agent.kill();
        }
        if i % 20 == 0 {
            tokio::time::sleep(Duration::from_millis(30)).await;
        }
    }
    // More changes while it is down: new files, a modified one, a deleted one.
    std::fs::write(watched.join("f000"), "changed while down").unwrap();
    std::fs::remove_file(watched.join("f001")).unwrap();
    let _agent = stack.start_agent("agent", &config).await;

    let created = wait_for("300 created events", Duration::from_secs(60), || async {
        let n = stack
            .count("SELECT uniqExact(target) FROM events WHERE action = 'created'")
            .await;
        (n >= 300).then_some(n)
    })
    .await;
    assert_eq!(created, 300);
    // Give any straggler time to arrive, then count exactly.
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(
        stack
            .count("SELECT count() FROM events WHERE action = 'created'")
            .await,
        300,
        "a creation was reported twice"
    );
    assert_eq!(
        stack.count("SELECT count() FROM events").await,
        stack
            .count("SELECT uniqExact(agent_id, seq) FROM events")
            .await,
        "an event was stored twice"
    );
    let f000_changes = stack
        .count("SELECT count() FROM events WHERE action = 'modified' AND target LIKE '%/f000'")
        .await;
    assert_eq!(
        f000_changes, 1,
        "the change made while the agent was down is reported once"
    );
    assert_eq!(
        stack
            .count("SELECT count() FROM events WHERE action = 'deleted' AND target LIKE '%/f001'")
            .await,
        1
    );
    assert_eq!(
        stack
            .count(
                "SELECT count() FROM events WHERE action = 'modified' AND target NOT LIKE '%/f000'"
            )
            .await,
        0
    );
    // The chain held across the crash: each batch names the one before it, and the
    // collector saw no gap or fork.
    let chain: Vec<(u64, u64, String, String)> = stack
        .client
        .query("SELECT first_seq, last_seq, batch_hash, prev_hash FROM batches ORDER BY first_seq")
        .fetch_all()
        .await
        .unwrap();
    for pair in chain.windows(2) {
        assert_eq!(
            pair[1].0,
            pair[0].1 + 1,
            "batches are contiguous: {chain:?}"
        );
        assert_eq!(pair[1].3, pair[0].2, "each batch names its predecessor");
    }
    assert_eq!(
        stack
            .count("SELECT count() FROM alerts WHERE has(tags, 'vigie.transport')")
            .await,
        0
    );
}
