//! `vigie-agent enroll` against a real collector: success stores an owner-only identity;
//! a wrong, expired or revoked token, a wrong CA and an unreachable collector each fail
//! with their own exit code and a clear message; `vigie token list` and `revoke` work.

use std::os::unix::fs::PermissionsExt;
use std::process::{Command, Output};
use std::time::Duration;

use vigie_tests::{bin, free_port, Stack};

fn enroll(url: &str, token: &str, ca: &std::path::Path, data: &std::path::Path) -> Output {
    Command::new(bin("vigie-agent"))
        .env("VIGIE_LANG", "en")
        .args(["enroll", "--collector", url, "--token", token, "--ca"])
        .arg(ca)
        .arg("--data-dir")
        .arg(data)
        .output()
        .expect("vigie-agent runs")
}

fn said(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn enrollment_succeeds_once_and_refusals_say_why() {
    let stack = Stack::start("").await;
    let url = stack.collector_url();
    let vigie = |args: &[&str]| {
        Command::new(bin("vigie"))
            .args(args)
            .env("VIGIE_LANG", "en")
            .envs(stack.cli_env())
            .output()
            .expect("vigie runs")
    };

    // Success: an owner-only identity, a registered agent.
    let data = stack.path("agent1");
    let out = enroll(&url, &stack.token().await, &stack.ca, &data);
    assert!(out.status.success(), "{}", said(&out));
    assert!(said(&out).contains("enrolled as agent"));
    let mode = std::fs::metadata(data.join("identity.json"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    assert_eq!(stack.count("SELECT count() FROM agents").await, 1);
    // Once only.
    let again = enroll(&url, &stack.token().await, &stack.ca, &data);
    assert_eq!(again.status.code(), Some(2), "{}", said(&again));
    assert!(said(&again).contains("already enrolled"));

    // A wrong token.
    let out = enroll(&url, "0000.ffff", &stack.ca, &stack.path("a2"));
    assert_eq!(out.status.code(), Some(5), "{}", said(&out));
    assert!(said(&out).contains("refused the token"));
    // An expired token.
    let expired =
        vigie_store::enrollment::create(&stack.client, Duration::from_millis(1), 1, "short")
            .await
            .unwrap();
    tokio::time::sleep(Duration::from_millis(20)).await;
    let out = enroll(&url, &expired.secret, &stack.ca, &stack.path("a3"));
    assert_eq!(out.status.code(), Some(5), "{}", said(&out));
    // A revoked token, revoked with the command line, which lists it so.
    let token = vigie_store::enrollment::create(
        &stack.client,
        Duration::from_secs(3600),
        5,
        "for revocation",
    )
    .await
    .unwrap();
    let revoked = vigie(&["token", "revoke", &token.token_id]);
    assert!(revoked.status.success(), "{}", said(&revoked));
    let listed = String::from_utf8_lossy(&vigie(&["token", "list"]).stdout).to_string();
    assert!(
        listed
            .lines()
            .any(|l| l.starts_with(&token.token_id) && l.contains("revoked")),
        "{listed}"
    );
    assert!(
        listed
            .lines()
            .any(|l| l.starts_with(&expired.token_id) && l.contains("expired")),
        "{listed}"
    );
    let out = enroll(&url, &token.secret, &stack.ca, &stack.path("a4"));
    assert_eq!(out.status.code(), Some(5), "{}", said(&out));
    assert_eq!(vigie(&["token", "revoke", "nosuch"]).status.code(), Some(1));

    // A CA that did not sign the collector's certificate: refused before the token is spent.
    let other =
        vigie_collector::pki::ensure(&stack.path("other-pki"), &["127.0.0.1".into()]).unwrap();
    let fresh = stack.token().await;
    let out = enroll(&url, &fresh, &other.ca_cert, &stack.path("a5"));
    assert_eq!(out.status.code(), Some(3), "{}", said(&out));
    assert!(
        said(&out).contains("not signed by the CA"),
        "{}",
        said(&out)
    );
    // Nobody listening.
    let nowhere = format!("https://127.0.0.1:{}", free_port());
    let out = enroll(&nowhere, &fresh, &stack.ca, &stack.path("a6"));
    assert_eq!(out.status.code(), Some(3), "{}", said(&out));
    assert!(
        said(&out).contains("cannot reach the collector"),
        "{}",
        said(&out)
    );
    // The token the failures did not spend still enrolls.
    let out = enroll(&url, &fresh, &stack.ca, &stack.path("a7"));
    assert!(out.status.success(), "{}", said(&out));
    // As the deployment guide, the package and agent.toml write it: the collector and
    // its CA from the configuration file, given after `enroll`.
    let config = stack.path("agent-enroll.toml");
    std::fs::write(
        &config,
        format!(
            "data_dir = \"{}\"\n\n[collector]\nurl = \"{url}\"\nca_file = \"{}\"\n",
            stack.path("a8").display(),
            stack.ca.display()
        ),
    )
    .unwrap();
    let out = Command::new(bin("vigie-agent"))
        .env("VIGIE_LANG", "en")
        .args(["enroll", "--config"])
        .arg(&config)
        .args(["--token", &stack.token().await])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", said(&out));
    assert!(stack.path("a8").join("identity.json").exists());
    // The enrollments and the revocation are in the audit trail.
    assert!(
        stack
            .count("SELECT count() FROM audit_log WHERE action = 'agent_enrolled'")
            .await
            >= 3
    );
    assert_eq!(
        stack
            .count("SELECT count() FROM audit_log WHERE action = 'enrollment_token_revoked'")
            .await,
        1
    );
}
