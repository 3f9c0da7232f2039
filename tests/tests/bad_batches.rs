//! Whatever reaches the ingest API that is not a good batch (garbage, unsigned, signed by
//! another key, replayed, over-size, a decompression bomb, from an unknown or revoked
//! agent) is refused with a clear status and code, stores nothing, and leaves the
//! collector serving everyone else.

use std::time::Duration;

use serde_json::Value;
use vigie_agent::client::CollectorClient;
use vigie_agent::identity::Identity;
use vigie_model::event::now_ms;
use vigie_model::wire::{self, GENESIS_HASH};
use vigie_model::Event;
use vigie_tests::Stack;

fn events(agent_id: &str, first: u64, count: u64) -> Vec<Event> {
    (first..first + count)
        .map(|seq| Event {
            agent_id: agent_id.into(),
            hostname: "probe".into(),
            seq,
            ts: now_ms(),
            category: "file_event".into(),
            fields: serde_json::json!({"TargetFilename": format!("/etc/probe{seq}"), "Action": "created"})
                .as_object()
                .unwrap()
                .clone(),
        })
        .collect()
}

fn signed(id: &Identity, as_agent: &str, body: &[u8], time: u64) -> Vec<(&'static str, String)> {
    let message = wire::signing_message(
        wire::Purpose::Batch,
        as_agent,
        time,
        0,
        &vigie_model::hex::sha256(body),
    );
    vec![
        (wire::HEADER_AGENT, as_agent.to_string()),
        (wire::HEADER_TIME, time.to_string()),
        (wire::HEADER_DROPPED, "0".to_string()),
        (wire::HEADER_SIGNATURE, id.sign(&message)),
    ]
}

async fn post(client: &CollectorClient, headers: &[(&str, String)], body: Vec<u8>) -> (u16, Value) {
    let (status, bytes) = client
        .post_raw(wire::BATCH_PATH, headers, body)
        .await
        .expect("collector answers");
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_batches_are_refused_and_change_nothing() {
    let stack = Stack::start("max_body_bytes = 65536\n").await;
    let client = stack.agent_client();
    let alice = stack.enroll(&client, "alice").await;
    let mallory = stack.enroll(&client, "mallory").await;
    let a = alice.agent_id.clone();
    // A wrong token, or one already used up, enrolls nobody.
    for token in ["not-a-token".to_string(), stack.token().await] {
        if token != "not-a-token" {
            vigie_agent::enroll::register(&client, &token, "once", &stack.path("once.json"))
                .await
                .unwrap();
        }
        let Err(err) =
            vigie_agent::enroll::register(&client, &token, "again", &stack.path("again.json"))
                .await
        else {
            panic!("token {token} enrolled a second agent");
        };
        assert!(format!("{err:#}").contains("token_refused"), "{err:#}");
    }
    let good = wire::seal(&a, GENESIS_HASH, events(&a, 1, 2), now_ms());

    let refused = |(status, body): (u16, Value), expected_status: u16, code: &str| {
        assert_eq!(status, expected_status, "{body}");
        assert_eq!(body["code"], code, "{body}");
        assert!(
            !body["message"].as_str().unwrap().is_empty()
                && !body["message_fr"].as_str().unwrap().is_empty()
        );
    };

    let garbage = b"this is not a batch".to_vec();
    refused(
        post(&client, &signed(&alice, &a, &garbage, now_ms()), garbage).await,
        400,
        "batch_not_zstd",
    );

    let mut unsigned = signed(&alice, &a, &good.bytes, now_ms());
    unsigned.retain(|(k, _)| *k != wire::HEADER_SIGNATURE);
    refused(
        post(&client, &unsigned, good.bytes.clone()).await,
        401,
        "missing_header",
    );

    refused(
        post(
            &client,
            &signed(&mallory, &a, &good.bytes, now_ms()),
            good.bytes.clone(),
        )
        .await,
        401,
        "bad_signature",
    );
    refused(
        post(
            &client,
            &signed(&alice, "no-such-agent", &good.bytes, now_ms()),
            good.bytes.clone(),
        )
        .await,
        401,
        "unknown_agent",
    );

    let mut tampered = good.bytes.clone();
    let last = tampered.len() - 1;
    tampered[last] ^= 1;
    refused(
        post(
            &client,
            &signed(&alice, &a, &good.bytes, now_ms()),
            tampered,
        )
        .await,
        401,
        "bad_signature",
    );

    let huge: Vec<u8> = (0..100_000u32)
        .map(|i| (i.wrapping_mul(2654435761) >> 24) as u8)
        .collect();
    refused(
        post(&client, &signed(&alice, &a, &huge, now_ms()), huge).await,
        413,
        "batch_too_large",
    );

    let bomb = zstd::bulk::compress(&vec![b' '; 200 << 20], 3).unwrap();
    assert!(bomb.len() < 65536);
    refused(
        post(&client, &signed(&alice, &a, &bomb, now_ms()), bomb).await,
        413,
        "batch_too_large",
    );

    // Only version 1 names an agent per event; the current layout cannot say another.
    let other_agents_events =
        wire::seal_v1(&a, GENESIS_HASH, events("someone-else", 1, 1), now_ms());
    refused(
        post(
            &client,
            &signed(&alice, &a, &other_agents_events.bytes, now_ms()),
            other_agents_events.bytes.clone(),
        )
        .await,
        400,
        "batch_inconsistent",
    );
    assert_eq!(
        stack.count("SELECT count() FROM events").await,
        0,
        "nothing refused was stored"
    );

    // The good batch is stored; replaying the very same request stores nothing more.
    let request = signed(&alice, &a, &good.bytes, now_ms());
    let (status, ack) = post(&client, &request, good.bytes.clone()).await;
    assert_eq!(
        (status, ack["status"].as_str(), ack["stored"].as_u64()),
        (200, Some("stored"), Some(2))
    );
    let (status, ack) = post(&client, &request, good.bytes.clone()).await;
    assert_eq!(
        (status, ack["status"].as_str(), ack["stored"].as_u64()),
        (200, Some("duplicate"), Some(0))
    );
    // A signature made for a batch is refused on another endpoint (issue #11: one tag
    // served both, so a captured batch signature opened the settings endpoint).
    let empty = signed(&alice, &a, b"", now_ms());
    let (status, bytes) = client
        .post_raw(wire::CONFIG_PATH, &empty, Vec::new())
        .await
        .expect("collector answers");
    refused(
        (
            status,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        ),
        401,
        "bad_signature",
    );
    // A captured request replayed an hour later is refused outright.
    let old = signed(&alice, &a, &good.bytes, now_ms() - 3_600_000);
    refused(
        post(&client, &old, good.bytes.clone()).await,
        401,
        "stale_request",
    );
    assert_eq!(stack.count("SELECT count() FROM events").await, 2);

    // A revoked agent is refused (the collector picks up the revocation within seconds).
    let mut row: vigie_store::rows::AgentRow = stack
        .client
        .query("SELECT ?fields FROM agents FINAL WHERE agent_id = ?")
        .bind(&mallory.agent_id)
        .fetch_one()
        .await
        .unwrap();
    row.revoked = 1;
    row.updated_ms = now_ms();
    vigie_store::insert_rows(&stack.client, "agents", &[row])
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_secs(4)).await;
    let m = mallory.agent_id.clone();
    let theirs = wire::seal(&m, GENESIS_HASH, events(&m, 1, 1), now_ms());
    refused(
        post(
            &client,
            &signed(&mallory, &m, &theirs.bytes, now_ms()),
            theirs.bytes.clone(),
        )
        .await,
        403,
        "revoked_agent",
    );

    // Through all of it the collector kept serving: the next good batch is stored.
    let next = wire::seal(&a, &good.hash, events(&a, 3, 1), now_ms());
    let (status, ack) = post(
        &client,
        &signed(&alice, &a, &next.bytes, now_ms()),
        next.bytes.clone(),
    )
    .await;
    assert_eq!((status, ack["acked_through"].as_u64()), (200, Some(3)));
    assert_eq!(stack.count("SELECT count() FROM events").await, 3);

    // An agent of before wire format 2 keeps working: its version 1 batch is stored too.
    let older = wire::seal_v1(&a, &next.hash, events(&a, 4, 2), now_ms());
    let (status, ack) = post(
        &client,
        &signed(&alice, &a, &older.bytes, now_ms()),
        older.bytes.clone(),
    )
    .await;
    assert_eq!(
        (status, ack["acked_through"].as_u64()),
        (200, Some(5)),
        "{ack}"
    );
    assert_eq!(stack.count("SELECT count() FROM events").await, 5);
    let log = std::fs::read_to_string(stack.path("collector.log")).unwrap();
    for code in [
        "batch_not_zstd",
        "bad_signature",
        "unknown_agent",
        "batch_too_large",
        "stale_request",
        "revoked_agent",
    ] {
        assert!(
            log.contains(code),
            "the collector logs each refusal ({code} missing)"
        );
    }
}

/// Several batches in one request (what an agent sends to drain a backlog): stored once
/// even when sent again or overlapping what is stored, and refused whole, storing
/// nothing, when one of them is bad, out of order, of another agent, or a signature was
/// made for one batch.
#[tokio::test(flavor = "multi_thread")]
async fn several_batches_in_one_request_are_stored_once_or_refused_whole() {
    let stack = Stack::start("").await;
    let client = stack.agent_client();
    let alice = stack.enroll(&client, "alice").await;
    let a = alice.agent_id.clone();
    let mut prev = GENESIS_HASH.to_string();
    let chain: Vec<wire::SealedBatch> = (0..6)
        .map(|i| {
            let sealed = wire::seal(&a, &prev, events(&a, 1 + i * 5, 5), now_ms());
            prev = sealed.hash.clone();
            sealed
        })
        .collect();
    let post_many = |batches: Vec<&wire::SealedBatch>, purpose: wire::Purpose| {
        let body = wire::frame(batches.iter().map(|b| b.bytes.as_slice()));
        let time = now_ms();
        let message = wire::signing_message(purpose, &a, time, 0, &vigie_model::hex::sha256(&body));
        let headers = vec![
            (wire::HEADER_AGENT, a.clone()),
            (wire::HEADER_TIME, time.to_string()),
            (wire::HEADER_DROPPED, "0".to_string()),
            (wire::HEADER_SIGNATURE, alice.sign(&message)),
        ];
        let client = client.clone();
        async move {
            let (status, bytes) = client
                .post_raw(wire::BATCHES_PATH, &headers, body)
                .await
                .expect("collector answers");
            (
                status,
                serde_json::from_slice::<Value>(&bytes).unwrap_or(Value::Null),
            )
        }
    };
    let stored = || stack.count("SELECT count() FROM events");

    // Refused whole: a bad one among good ones, out of order, a signature for one batch.
    let mut broken = chain[1].clone();
    broken.bytes.truncate(broken.bytes.len() / 2);
    let (status, body) = post_many(vec![&chain[0], &broken], wire::Purpose::Batches).await;
    assert_eq!(status, 400, "{body}");
    assert!(
        body["message"].as_str().unwrap().contains("batch 2 of 2"),
        "{body}"
    );
    let (status, body) = post_many(vec![&chain[1], &chain[0]], wire::Purpose::Batches).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (400, Some("batch_inconsistent")),
        "{body}"
    );
    let (status, _) = post_many(vec![&chain[0], &chain[1]], wire::Purpose::Batch).await;
    assert_eq!(status, 401, "a signature made for another purpose");
    assert_eq!(stored().await, 0, "nothing stored from a refused request");

    // Stored once, acknowledged through the last.
    let (status, ack) = post_many(
        vec![&chain[0], &chain[1], &chain[2]],
        wire::Purpose::Batches,
    )
    .await;
    assert_eq!(status, 200, "{ack}");
    assert_eq!(
        (ack["acked_through"].as_u64(), ack["stored"].as_u64()),
        (Some(15), Some(15))
    );
    // Sent again: nothing stored twice.
    let (status, ack) = post_many(
        vec![&chain[0], &chain[1], &chain[2]],
        wire::Purpose::Batches,
    )
    .await;
    assert_eq!(
        (status, ack["status"].as_str()),
        (200, Some("duplicate")),
        "{ack}"
    );
    // Overlapping what is stored: only the new ones.
    let (status, ack) = post_many(
        vec![&chain[2], &chain[3], &chain[4], &chain[5]],
        wire::Purpose::Batches,
    )
    .await;
    assert_eq!(status, 200, "{ack}");
    assert_eq!(
        (ack["acked_through"].as_u64(), ack["stored"].as_u64()),
        (Some(30), Some(15))
    );
    assert_eq!(stored().await, 30);
    assert_eq!(
        stack.count("SELECT uniqExact(seq) FROM events").await,
        30,
        "every event once"
    );
    assert_eq!(
        stack
            .count("SELECT count() FROM alerts WHERE has(tags, 'vigie.transport')")
            .await,
        0,
        "the chain checked across the batches of a request: no gap or fork"
    );
}
