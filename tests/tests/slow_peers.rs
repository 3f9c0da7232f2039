//! Peers that open connections to the collector and then send almost nothing never stop
//! real agents from delivering (issue #12, finding 1: eight idle connections used to take
//! every processing slot). A slot is taken only by a request whose agent and signature
//! have been checked, and a body must arrive within its deadline.

use std::sync::Arc;
use std::time::Duration;

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, ServerName};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use vigie_agent::client::CollectorClient;
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
    let client = CollectorClient::new(&stack.collector_url(), &stack.ca).unwrap();
    let agent = vigie_agent::enroll::register(
        &client,
        &stack.token().await,
        "real",
        &stack.path("real.json"),
    )
    .await
    .unwrap();

    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_file_iter(&stack.ca).unwrap() {
        roots.add(cert.unwrap()).unwrap();
    }
    let config = rustls::ClientConfig::builder_with_provider(
        rustls::crypto::ring::default_provider().into(),
    )
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_root_certificates(roots)
    .with_no_client_auth();
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
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
