//! Notifications against real servers started here: a real SMTP server (aiosmtpd,
//! STARTTLS and authentication required), a webhook receiver and a syslog listener on
//! TLS, all on real sockets. The mail server is down at first (which raises the
//! collector's own alert, once) and the collector is killed (-9) while mails wait: once
//! the server is up every alert is mailed all the
//! same, in French, with its link and a stable id; the webhook's signature checks; the
//! SIEM gets RFC 5424 lines with CEF; a storm becomes one digest, not forty mails.

use std::collections::HashSet;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;
use vigie_tests::{free_port, wait_for, Stack};

/// The pack's rule on changes to the account files (`fim_account_files.yml`), high.
const SHADOW_RULE: &str = "1b7e0c2a-4d3f-4e5a-9b6c-7d8e9f0a1b01";
/// The collector's own rule "notification channel failing".
const NOTIFY_FAILING_RULE: &str = "c2e8a4f1-6b3d-4e7a-9f25-8d1c0b7e3a54";
const HOOK_SECRET: &str = "a-long-shared-webhook-secret";

/// What the webhook receiver got: headers (lowercase names) and body.
type Received = Arc<Mutex<Vec<(Vec<(String, String)>, Vec<u8>)>>>;

/// A plain HTTP/1.1 receiver on 127.0.0.1:`port`, answering 200 to each request.
fn webhook_receiver(port: u16) -> Received {
    let received: Received = Arc::default();
    let listener = std::net::TcpListener::bind(("127.0.0.1", port)).unwrap();
    let store = received.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            let mut reader = BufReader::new(stream);
            let mut headers = Vec::new();
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            loop {
                line.clear();
                if reader.read_line(&mut line).unwrap() == 0 || line == "\r\n" {
                    break;
                }
                if let Some((k, v)) = line.trim_end().split_once(':') {
                    headers.push((k.to_ascii_lowercase(), v.trim().to_string()));
                }
            }
            let length: usize = headers
                .iter()
                .find(|(k, _)| k == "content-length")
                .map_or(0, |(_, v)| v.parse().unwrap());
            let mut body = vec![0; length];
            reader.read_exact(&mut body).unwrap();
            store.lock().unwrap().push((headers, body));
            let mut stream = reader.into_inner();
            let _ = stream
                .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        }
    });
    received
}

/// A syslog listener on TLS (RFC 5425) at 127.0.0.1:`port`, certificate `cert`; keeps
/// each message of each connection, unframed (RFC 6587 octet counting).
async fn syslog_listener(port: u16, cert: &Path, key: &Path) -> Arc<Mutex<Vec<String>>> {
    use rustls_pki_types::pem::PemObject;
    use rustls_pki_types::{CertificateDer, PrivateKeyDer};
    use tokio::io::AsyncReadExt;
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let key = PrivateKeyDer::from_pem_file(key).unwrap();
    let config = rustls::ServerConfig::builder_with_provider(
        rustls::crypto::ring::default_provider().into(),
    )
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(chain, key)
    .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .unwrap();
    let lines: Arc<Mutex<Vec<String>>> = Arc::default();
    let store = lines.clone();
    tokio::spawn(async move {
        loop {
            let (tcp, _) = listener.accept().await.unwrap();
            let (acceptor, store) = (acceptor.clone(), store.clone());
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let mut all = Vec::new();
                let _ = tls.read_to_end(&mut all).await;
                let mut rest = all.as_slice();
                while let Some(space) = rest.iter().position(|b| *b == b' ') {
                    let length: usize = std::str::from_utf8(&rest[..space])
                        .unwrap()
                        .parse()
                        .unwrap();
                    let message = &rest[space + 1..space + 1 + length];
                    store
                        .lock()
                        .unwrap()
                        .push(String::from_utf8(message.to_vec()).unwrap());
                    rest = &rest[space + 1 + length..];
                }
            });
        }
    });
    lines
}

/// The mails the SMTP server received, decoded (`*.eml.json`), in order.
fn mails(dir: &Path) -> Vec<Value> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.retain(|p| p.to_string_lossy().ends_with(".eml.json"));
    files.sort();
    files
        .iter()
        .map(|p| serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap())
        .collect()
}

fn hmac_hex(key: &[u8], data: &[u8]) -> String {
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, key);
    ring::hmac::sign(&key, data)
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn alerts_reach_mail_webhook_and_siem_through_an_outage_and_a_storm() {
    let mut stack = Stack::start("").await;
    let pki = stack.path("pki");
    let (ca, cert, key) = (
        pki.join("ca.pem"),
        pki.join("collector.pem"),
        pki.join("collector-key.pem"),
    );
    let (smtp_port, hook_port, syslog_port) = (free_port(), free_port(), free_port());
    std::fs::write(stack.path("smtp.pass"), "mail-password-1\n").unwrap();
    std::fs::write(stack.path("hook.secret"), HOOK_SECRET).unwrap();
    let hook = webhook_receiver(hook_port);
    let siem = syslog_listener(syslog_port, &cert, &key).await;
    stack.collector_extra = format!(
        r#"
[notify]
dashboard_url = "https://soc.example"
failing_alert_after_secs = 2

[[notify.channels]]
name = "soc-mail"
language = "fr"
min_severity = "high"
tags = ["attack.t1136"]
max_per_minute = 5
[notify.channels.smtp]
server = "localhost"
port = {smtp_port}
ca_file = "{ca}"
user = "vigie"
password_file = "{pass}"
from = "vigie@soc.example"
to = ["soc@ministere.example"]

[[notify.channels]]
name = "hook"
min_severity = "medium"
max_per_minute = 1000
[notify.channels.webhook]
url = "http://127.0.0.1:{hook_port}/vigie"
secret_file = "{secret}"

[[notify.channels]]
name = "cert-siem"
min_severity = "low"
max_per_minute = 1000
[notify.channels.syslog]
address = "127.0.0.1:{syslog_port}"
server_name = "localhost"
ca_file = "{ca}"
format = "cef"
"#,
        ca = ca.display(),
        pass = stack.path("smtp.pass").display(),
        secret = stack.path("hook.secret").display(),
    );
    stack.stop_collector();
    stack.start_collector().await;

    // Three writes to /etc/shadow while the mail server is down.
    let collector = stack.agent_client();
    let mut agent = stack.sim_agent(&collector, "ministry1").await;
    let sent_at = Instant::now();
    agent.send(&collector, 1, 3, 1, Duration::ZERO).await;
    let account_alerts = |stack: &Stack| {
        let client = stack.client.clone();
        async move {
            client
                .query("SELECT alert_id FROM alerts WHERE rule_id = ? ORDER BY alert_id")
                .bind(SHADOW_RULE)
                .fetch_all::<String>()
                .await
                .unwrap()
        }
    };
    let first_three = wait_for("the alerts", Duration::from_secs(30), || async {
        let ids = account_alerts(&stack).await;
        (ids.len() == 3).then_some(ids)
    })
    .await;
    // The mails wait in the outbox, tried and failed…
    wait_for("failed mail attempts", Duration::from_secs(30), || async {
        let tried = stack
            .count(
                "SELECT count() FROM notifications FINAL WHERE channel = 'soc-mail' \
                 AND state = 'pending' AND attempts > 0 AND last_error != ''",
            )
            .await;
        (tried == 3).then_some(())
    })
    .await;
    // The overview says the mail channel is failing, and why.
    let dashboard = stack.start_dashboard("admin-password-1").await;
    let overview = |dashboard: &vigie_tests::Dashboard| {
        let r = vigie_tests::http(
            dashboard.port,
            "GET",
            "/api/v1/overview",
            &[("Cookie", &dashboard.session)],
            "",
        );
        let o = vigie_tests::json_of(&r);
        o["notifications"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["channel"] == "soc-mail")
            .cloned()
            .expect("the mail channel on the overview")
    };
    let mail = overview(&dashboard);
    assert_eq!(
        (mail["waiting"].as_u64(), mail["failing"].as_u64()),
        (Some(3), Some(3)),
        "{mail}"
    );
    assert!(!mail["last_error"].as_str().unwrap().is_empty(), "{mail}");
    // The outage raises the collector's own alert, once, naming the channel.
    let outage_alerts = |stack: &Stack| {
        let client = stack.client.clone();
        async move {
            client
                .query("SELECT alert_id, target, summary FROM alerts WHERE rule_id = ?")
                .bind(NOTIFY_FAILING_RULE)
                .fetch_all::<(String, String, String)>()
                .await
                .unwrap()
        }
    };
    let outage = wait_for(
        "the failing channel's alert",
        Duration::from_secs(60),
        || async {
            let alerts = outage_alerts(&stack).await;
            (!alerts.is_empty()).then_some(alerts)
        },
    )
    .await;
    assert_eq!(outage.len(), 1, "{outage:?}");
    assert_eq!(outage[0].1, "soc-mail");
    assert!(outage[0].2.contains("3 notices waiting"), "{outage:?}");
    // …and survive a kill -9 of the collector, which does not raise that alert again.
    stack.collector.as_mut().unwrap().kill();
    stack.start_collector().await;

    // The webhook got each alert, signed, and the outage's; the SIEM each as RFC 5424
    // with CEF.
    wait_for("webhook deliveries", Duration::from_secs(30), || async {
        let received = hook.lock().unwrap();
        let outage_told = received
            .iter()
            .any(|(_, body)| String::from_utf8_lossy(body).contains(&outage[0].0));
        (received.len() >= 4 && outage_told).then_some(())
    })
    .await;
    // The restarted collector checked at once (its first round): still one.
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(
        outage_alerts(&stack).await.len(),
        1,
        "raised once per outage"
    );
    for (headers, body) in hook.lock().unwrap().iter() {
        let header = |name: &str| {
            headers
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
                .unwrap_or_else(|| panic!("no {name}"))
        };
        let mut signed = header("x-vigie-timestamp").into_bytes();
        signed.push(b'.');
        signed.extend_from_slice(body);
        assert_eq!(
            header("x-vigie-signature"),
            format!("sha256={}", hmac_hex(HOOK_SECRET.as_bytes(), &signed))
        );
        let json: Value = serde_json::from_slice(body).unwrap();
        assert_eq!(json["id"].as_str().unwrap(), header("x-vigie-delivery"));
        assert!(json["alert"]["url"]
            .as_str()
            .unwrap()
            .starts_with("https://soc.example/alerts/"));
    }
    wait_for("syslog lines", Duration::from_secs(30), || async {
        let lines = siem.lock().unwrap();
        first_three
            .iter()
            .all(|id| {
                lines
                    .iter()
                    .any(|l| l.contains(&format!("externalId={id}")))
            })
            .then_some(())
    })
    .await;
    for line in siem.lock().unwrap().iter() {
        assert!(line.starts_with('<') && line.contains(">1 "), "{line}");
        assert!(line.contains(" vigie - alert [vigie@32473 id=\""), "{line}");
        assert!(line.contains("CEF:0|Vigie|Vigie|"), "{line}");
    }
    assert!(mails(&stack.path("mail")).is_empty());

    // The mail server comes up: every alert is mailed, in French, with its link.
    let mut sink = std::process::Command::new("/usr/bin/python3")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/smtp_sink.py"))
        .args([&smtp_port.to_string()])
        .arg(&cert)
        .arg(&key)
        .arg(stack.path("mail"))
        .args(["vigie", "mail-password-1"])
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("python3 with aiosmtpd (Debian's python3-aiosmtpd)");
    let delivered = wait_for("the mails", Duration::from_secs(60), || async {
        let m = mails(&stack.path("mail"));
        (m.len() >= 3).then_some(m)
    })
    .await;
    println!(
        "from the events to the third mail, through the outage: {} s",
        sent_at.elapsed().as_secs()
    );
    let mut ids = HashSet::new();
    for mail in &delivered {
        let subject = mail["subject"].as_str().unwrap();
        assert!(
            subject.starts_with("[Vigie] ÉLEVÉE — Base des comptes modifiée — sim-"),
            "{subject}"
        );
        let text = mail["text"].as_str().unwrap();
        assert!(text.contains("Hôte\u{a0}: sim-"), "{text}");
        assert!(
            text.contains("Ce qui s'est passé\u{a0}: Base des comptes modifiée\u{a0}: /etc/shadow"),
            "what happened, in French: {text}"
        );
        let id = first_three
            .iter()
            .find(|id| text.contains(&format!("https://soc.example/alerts/{id}")))
            .unwrap_or_else(|| panic!("no alert link in {text}"));
        assert_eq!(mail["message_id"], format!("<{id}.soc-mail@vigie>"));
        assert_eq!(mail["to"][0], "soc@ministere.example");
        ids.insert(id.clone());
    }
    assert_eq!(ids.len(), 3, "each alert mailed");

    // A storm of forty: the channel's limit (5 a minute) turns them into one digest.
    let before = mails(&stack.path("mail")).len();
    let storm_at = Instant::now();
    agent.send(&collector, 1, 40, 1, Duration::ZERO).await;
    let digest = wait_for("the digest", Duration::from_secs(90), || async {
        mails(&stack.path("mail"))
            .into_iter()
            .skip(before)
            .find(|m| m["subject"].as_str().unwrap().contains("alertes en rafale"))
    })
    .await;
    println!(
        "from the storm's events sent to its digest mailed: {} ms",
        storm_at.elapsed().as_millis()
    );
    assert!(digest["subject"]
        .as_str()
        .unwrap()
        .starts_with("[Vigie] 40 alertes en rafale"));
    let storm: Vec<String> = account_alerts(&stack)
        .await
        .into_iter()
        .filter(|id| !first_three.contains(id))
        .collect();
    assert_eq!(storm.len(), 40);
    let text = digest["text"].as_str().unwrap();
    assert!(storm.iter().all(|id| text.contains(id.as_str())), "{text}");
    assert!(
        mails(&stack.path("mail")).len() <= before + 2,
        "not a mail per alert"
    );
    assert_eq!(
        stack
            .count("SELECT count() FROM notifications FINAL WHERE channel = 'soc-mail' AND state = 'digested'")
            .await,
        40
    );
    // One more event: the time to the webhook, whose limit is far.
    let one_at = Instant::now();
    agent.send(&collector, 1, 1, 1, Duration::ZERO).await;
    let last = wait_for("the last alert", Duration::from_secs(30), || async {
        account_alerts(&stack)
            .await
            .into_iter()
            .find(|id| !first_three.contains(id) && !storm.contains(id))
    })
    .await;
    wait_for("its webhook", Duration::from_secs(30), || async {
        hook.lock()
            .unwrap()
            .iter()
            .any(|(_, body)| String::from_utf8_lossy(body).contains(&last))
            .then_some(())
    })
    .await;
    println!(
        "from an event sent to its webhook delivered: {} ms",
        one_at.elapsed().as_millis()
    );
    let mail = overview(&dashboard);
    assert_eq!(mail["waiting"], 0, "{mail}");
    assert_eq!(mail["digested"], 40, "{mail}");
    let _ = sink.kill();
    let _ = sink.wait();
}

/// `security = "tls"`: the mail server speaks TLS from the first byte (SMTPS, port 465
/// style), authentication inside it; the alert is mailed all the same.
#[tokio::test(flavor = "multi_thread")]
async fn mail_goes_out_over_implicit_tls_too() {
    let mut stack = Stack::start("").await;
    let pki = stack.path("pki");
    let (ca, cert, key) = (
        pki.join("ca.pem"),
        pki.join("collector.pem"),
        pki.join("collector-key.pem"),
    );
    let smtp_port = free_port();
    std::fs::write(stack.path("smtp.pass"), "mail-password-1\n").unwrap();
    let mut sink = std::process::Command::new("/usr/bin/python3")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/smtp_sink.py"))
        .args([&smtp_port.to_string()])
        .arg(&cert)
        .arg(&key)
        .arg(stack.path("mail"))
        .args(["vigie", "mail-password-1", "implicit"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("python3 with aiosmtpd (Debian's python3-aiosmtpd)");
    let mut ready = String::new();
    BufReader::new(sink.stdout.take().unwrap())
        .read_line(&mut ready)
        .unwrap();
    assert_eq!(ready.trim(), "listening");
    stack.collector_extra = format!(
        r#"
[notify]
dashboard_url = "https://soc.example"

[[notify.channels]]
name = "smtps"
tags = ["attack.t1136"]
[notify.channels.smtp]
server = "localhost"
port = {smtp_port}
security = "tls"
ca_file = "{ca}"
user = "vigie"
password_file = "{pass}"
from = "vigie@soc.example"
to = ["soc@ministere.example"]
"#,
        ca = ca.display(),
        pass = stack.path("smtp.pass").display(),
    );
    stack.stop_collector();
    stack.start_collector().await;
    let collector = stack.agent_client();
    let mut agent = stack.sim_agent(&collector, "smtps1").await;
    agent.send(&collector, 1, 1, 1, Duration::ZERO).await;
    let mail = wait_for("the mail over TLS", Duration::from_secs(30), || async {
        mails(&stack.path("mail")).into_iter().next()
    })
    .await;
    assert!(
        mail["subject"]
            .as_str()
            .unwrap()
            .starts_with("[Vigie] HIGH — Account database changed — sim-"),
        "{mail}"
    );
    assert!(mail["message_id"]
        .as_str()
        .unwrap()
        .ends_with(".smtps@vigie>"));
    let _ = sink.kill();
    let _ = sink.wait();
}
