//! One agent key cannot damage storage with times (issue #12, finding 7): a batch of
//! 1,000 events on 1,000 different days, one of them in 2180, is stored — each impossible
//! time kept, flagged and stored at the receive time — instead of failing its insert on
//! too many partitions and being resent forever; sequence numbers near the end of `u64`
//! are refused for good (400), not stored.

use vigie_model::event::now_ms;
use vigie_model::wire::{self, GENESIS_HASH};
use vigie_model::Event;
use vigie_tests::Stack;

const DAY_MS: u64 = 86_400_000;

fn event(agent: &str, seq: u64, ts: u64) -> Event {
    Event {
        agent_id: agent.into(),
        hostname: "h".into(),
        seq,
        ts,
        category: "file_event".into(),
        fields: serde_json::json!({"TargetFilename": format!("/etc/t{seq}"), "Action": "created"})
            .as_object()
            .unwrap()
            .clone(),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn impossible_times_are_stored_flagged_and_huge_sequences_refused() {
    let stack = Stack::start("").await;
    let client = stack.agent_client();
    let agent = stack.enroll(&client, "h").await;
    let id = agent.agent_id.clone();
    let now = now_ms();
    let mut events: Vec<Event> = (0..999)
        .map(|i| event(&id, i + 1, now - i * DAY_MS))
        .collect();
    events.push(event(&id, 1000, 6_700_000_000_000)); // year 2182
    let batch = wire::seal(&id, GENESIS_HASH, events, now);
    let ack = client
        .send_batch(&agent, &batch, 0)
        .await
        .expect("stored, not refused and not retried forever");
    assert_eq!(ack.acked_through, 1000);
    assert_eq!(stack.count("SELECT count() FROM events").await, 1000);
    let flagged = stack
        .count("SELECT count() FROM events WHERE position(fields, '\"ClockSuspect\":true') > 0")
        .await;
    assert!(flagged >= 600, "{flagged} flagged");
    let days = stack.count("SELECT uniqExact(date) FROM events").await;
    assert!(days <= 4, "{days} day partitions");

    // A batch numbered at the end of u64 is refused for good and stores nothing.
    let forged = wire::seal(
        &id,
        &batch.hash,
        vec![event(&id, u64::MAX - 1, now), event(&id, u64::MAX, now)],
        now,
    );
    match client.send_batch(&agent, &forged, 0).await {
        Err(vigie_agent::client::SendError::Refused { status, refusal }) => {
            assert_eq!(status, 400);
            assert_eq!(refusal.code, "batch_inconsistent", "{refusal:?}");
        }
        other => panic!("accepted: {other:?}"),
    }
    // The real agent goes on.
    let next = wire::seal(&id, &batch.hash, vec![event(&id, 1001, now)], now);
    let ack = client.send_batch(&agent, &next, 0).await.unwrap();
    assert_eq!(ack.acked_through, 1001);

    // A batch forged with the agent's key jumps the sequence far ahead, under 2^53: the
    // real agent's next batches are not taken for resends and dropped — they are
    // stored, and the SOC is told (once), with the jump itself as a gap.
    let jump = wire::seal(
        &id,
        &next.hash,
        vec![event(&id, 1_000_000_000_000, now)],
        now,
    );
    client.send_batch(&agent, &jump, 0).await.unwrap();
    let mut prev = next.hash.clone();
    for seq in 1002..1005 {
        let real = wire::seal(&id, &prev, vec![event(&id, seq, now)], now);
        let ack = client.send_batch(&agent, &real, 0).await.unwrap();
        assert_eq!(ack.acked_through, seq, "acknowledged as stored");
        assert_eq!(ack.stored, 1);
        prev = real.hash.clone();
    }
    // Resending one of them now is a real duplicate: nothing stored twice.
    let again = wire::seal(&id, &next.hash, vec![event(&id, 1002, now)], now);
    let ack = client.send_batch(&agent, &again, 0).await.unwrap();
    assert_eq!(ack.stored, 0);
    assert_eq!(
        stack
            .count(&format!(
                "SELECT count() FROM events WHERE agent_id = '{id}' AND seq BETWEEN 1002 AND 1004"
            ))
            .await,
        3,
        "each real event stored once"
    );
    assert_eq!(
        stack
            .count("SELECT count() FROM alerts WHERE position(summary, 'below the stored seq') > 0")
            .await,
        1,
        "one alert, not one per batch"
    );
}
