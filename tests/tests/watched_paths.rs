//! A watched path that does not exist when the agent starts is watched from the moment
//! it appears: many servers have no `/root/.ssh` until an attacker creates it with a key
//! in it. Removed and created again, it is still watched.

use std::process::Command;
use std::time::Duration;

use serde_json::Value;
use vigie_tests::bin;
use vigie_tests::print_agent::PrintAgent;

/// Waits up to 10 s for a file event on a path ending with `suffix` with `action`.
fn file_event(agent: &PrintAgent, suffix: &str, action: &str) -> Option<Value> {
    agent.next_event(Duration::from_secs(10), |e| {
        let path = e["TargetFilename"].as_str().unwrap_or("");
        e["category"] == "file_event" && path.ends_with(suffix) && e["Action"] == action
    })
}

#[test]
fn a_path_created_after_start_is_watched_from_its_first_file() {
    let dir = tempfile::tempdir().unwrap();
    let watched = dir.path().join("notyet");
    let config = dir.path().join("agent.toml");
    std::fs::write(
        &config,
        format!(
            "[fim]\nsettle_ms = 50\nrescan_interval_secs = 3600\n\n[[fim.paths]]\npath = \"{}\"\nseverity = \"high\"\n\n[process]\nenabled = false\nlisteners = false\n\n[network]\nenabled = false\n",
            watched.display()
        ),
    )
    .unwrap();
    let mut command = Command::new(bin("vigie-agent"));
    command.args(["--print", "--config"]).arg(&config);
    let agent = PrintAgent::spawn(command);
    let said_absent = agent
        .wait_log("file baseline ready", Duration::from_secs(60))
        .iter()
        .any(|line| line.contains("watched paths absent") && line.contains("notyet"));
    assert!(said_absent, "the agent says which watched paths are absent");

    // As fast as a shell does it: the folders and the key exist before any watch could be
    // set on them.
    let status = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "mkdir -p {0}/.ssh && echo key > {0}/.ssh/authorized_keys",
            watched.display()
        ))
        .status()
        .unwrap();
    assert!(status.success());
    let created = file_event(&agent, ".ssh/authorized_keys", "created");
    assert!(
        created.is_some(),
        "the key written into a path that appeared is reported"
    );

    // From then on it is watched like any other.
    std::fs::write(watched.join(".ssh/authorized_keys"), "key\nanother key\n").unwrap();
    assert!(
        file_event(&agent, ".ssh/authorized_keys", "modified").is_some(),
        "a change in the path that appeared is reported"
    );

    // Removed and made again: still watched.
    std::fs::remove_dir_all(&watched).unwrap();
    assert!(file_event(&agent, ".ssh/authorized_keys", "deleted").is_some());
    std::thread::sleep(Duration::from_millis(500));
    std::fs::create_dir(&watched).unwrap();
    std::fs::write(watched.join("again"), "x").unwrap();
    assert!(
        file_event(&agent, "notyet/again", "created").is_some(),
        "a watched folder removed and created again is still watched"
    );
}
