//! Peers that open connections to the collector and then send almost nothing never stop
//! real agents from delivering (issue #12, finding 1: eight idle connections used to take
//! every processing slot). A slot is taken only by a request whose agent and signature
//! have been checked, and a body must arrive within its deadline.

use std::time::Duration;

use rustls_pki_types::ServerName;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use vigie_model::event::now_ms;
use vigie_model::wire::{self, GENESIS_HASH};
use vigie_model::Event;
use vigie_tests::Stack;

fn events(agent: &str, first: u64, n: u64) -> Vec<Event> {
    (first..first + n)
        .map(|seq| Event {
            agent_id: agent.into(),
            hostname: "real".into(),
            seq,
            ts: now_ms(),
            category: "file_event".into(),
            fields: serde_json::json!({"TargetFilename": format!("/etc/real{seq}"), "Action": "created"})
                .as_object()
                .unwrap()
                .clone(),
        })
        .collect()
}

/// A TLS connection that announces an 8 MB batch from `agent`, sends one byte of it, and
/// then nothing: the worst case, with a real agent's id in its headers.
async fn slow_peer(
    port: u16,
    connector: &tokio_rustls::TlsConnector,
    agent: &str,
) -> tokio_rustls::client::TlsStream<TcpStream> {
    let tcp = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    let name = ServerName::try_from("127.0.0.1").unwrap().to_owned();
    let mut tls = connector.connect(name, tcp).await.unwrap();
    let head = format!(
        "POST {} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 8000000\r\n{}: {agent}\r\n{}: {}\r\n{}: 0\r\n{}: AAAA\r\n\r\nx",
        wire::BATCH_PATH,
        wire::HEADER_AGENT,
        wire::HEADER_TIME,
        now_ms(),
        wire::HEADER_DROPPED,
        wire::HEADER_SIGNATURE,
    );
    tls.write_all(head.as_bytes()).await.unwrap();
    tls.flush().await.unwrap();
    tls
}

#[tokio::test(flavor = "multi_thread")]
async fn idle_connections_do_not_stop_ingestion() {
    let stack = Stack::start("max_inflight = 2\n").await;
    let client = stack.agent_client();
    let agent = stack.enroll(&client, "real").await;

    let connector = vigie_tests::tls_connector(&stack.ca);
    let port: u16 = stack
        .collector_url()
        .rsplit(':')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    // Four times as many stalled requests as processing slots.
    let mut stalled = Vec::new();
    for _ in 0..8 {
        stalled.push(slow_peer(port, &connector, &agent.agent_id).await);
    }
    tokio::time::sleep(Duration::from_millis(500)).await;

    // The real agent's batches are stored, one after the other, while they wait.
    let mut prev = GENESIS_HASH.to_string();
    for first in [1, 3, 5] {
        let batch = wire::seal(
            &agent.agent_id,
            &prev,
            events(&agent.agent_id, first, 2),
            now_ms(),
        );
        let ack = tokio::time::timeout(
            Duration::from_secs(10),
            client.send_batch(&agent, &batch, 0),
        )
        .await
        .expect("answered while slow peers wait")
        .expect("stored, not refused as overloaded");
        assert_eq!(ack.acked_through, first + 1);
        prev = batch.hash.clone();
    }
    assert_eq!(stack.count("SELECT count() FROM events").await, 6);
    drop(stalled);
}

/// One source opening connections by the hundred gets no more than its share, and a
/// peer that sends its headers a byte at a time is cut off at the headers' deadline;
/// a real agent elsewhere delivers meanwhile.
#[tokio::test(flavor = "multi_thread")]
async fn one_source_cannot_hold_every_connection_nor_trickle_headers_forever() {
    let stack = Stack::start("max_connections_per_source = 20\n").await;
    let client = stack.agent_client();
    let agent = stack.enroll(&client, "real").await;
    let connector = vigie_tests::tls_connector(&stack.ca);
    let port: u16 = stack
        .collector_url()
        .rsplit(':')
        .next()
        .unwrap()
        .parse()
        .unwrap();

    // 100 connections from 127.0.0.2: 20 are served, the rest closed at once.
    let mut held = Vec::new();
    let mut refused = 0;
    for _ in 0..100 {
        match vigie_tests::connect_tls_from("127.0.0.2", port, &connector).await {
            Ok(tls) => held.push(tls),
            Err(_) => refused += 1,
        }
    }
    assert_eq!(held.len(), 20, "{refused} refused");
    // A header byte every 2 s from one of them: cut off at the deadline (20 s).
    let mut trickle = held.pop().unwrap();
    let started = std::time::Instant::now();
    let cut_off = tokio::spawn(async move {
        for byte in
            b"POST /api/v1/batches HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: aaaaaaaaaaaaaaaaaaaa"
                .iter()
        {
            if trickle.write_all(&[*byte]).await.is_err() || trickle.flush().await.is_err() {
                return true;
            }
            tokio::time::sleep(Duration::from_secs(2)).await;
        }
        false
    });

    // The real agent (from 127.0.0.1) delivers while 127.0.0.2 holds its share.
    let batch = wire::seal(
        &agent.agent_id,
        GENESIS_HASH,
        events(&agent.agent_id, 1, 3),
        now_ms(),
    );
    let ack = tokio::time::timeout(
        Duration::from_secs(10),
        client.send_batch(&agent, &batch, 0),
    )
    .await
    .expect("answered")
    .expect("stored");
    assert_eq!(ack.acked_through, 3);

    assert!(cut_off.await.unwrap(), "the trickling peer was cut off");
    let took = started.elapsed();
    assert!(
        took < Duration::from_secs(40),
        "cut off after {took:?}, not at the end of its headers"
    );
    drop(held);
    let log = std::fs::read_to_string(stack.path("collector.log")).unwrap();
    assert!(log.contains("connection refused: too many open"), "{log}");
}
