//! A watched path that does not exist when the agent starts is watched from the moment
//! it appears: many servers have no `/root/.ssh` until an attacker creates it with a key
//! in it. Removed and created again, it is still watched.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

use serde_json::Value;
use vigie_tests::bin;

/// Waits up to 10 s for a file event on a path ending with `suffix` with `action`.
fn file_event(events: &Receiver<Value>, suffix: &str, action: &str) -> Option<Value> {
    let deadline = Instant::now() + Duration::from_secs(10);
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        let e = events.recv_timeout(left).ok()?;
        let path = e["TargetFilename"].as_str().unwrap_or("");
        if e["category"] == "file_event" && path.ends_with(suffix) && e["Action"] == action {
            return Some(e);
        }
    }
    None
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
    let mut agent = Command::new(bin("vigie-agent"))
        .args(["--print", "--config"])
        .arg(&config)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = agent.stdout.take().unwrap();
    let (tx, events) = std::sync::mpsc::channel::<Value>();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Ok(v) = serde_json::from_str::<Value>(&line) {
                if tx.send(v).is_err() {
                    return;
                }
            }
        }
    });
    let mut log = BufReader::new(agent.stderr.take().unwrap()).lines();
    let mut said_absent = false;
    for line in log.by_ref().map_while(Result::ok) {
        said_absent |= line.contains("watched paths absent") && line.contains("notyet");
        if line.contains("file baseline ready") {
            break;
        }
    }
    std::thread::spawn(move || for _ in log {});
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
    let created = file_event(&events, ".ssh/authorized_keys", "created");
    assert!(
        created.is_some(),
        "the key written into a path that appeared is reported"
    );

    // From then on it is watched like any other.
    std::fs::write(watched.join(".ssh/authorized_keys"), "key\nanother key\n").unwrap();
    assert!(
        file_event(&events, ".ssh/authorized_keys", "modified").is_some(),
        "a change in the path that appeared is reported"
    );

    // Removed and made again: still watched.
    std::fs::remove_dir_all(&watched).unwrap();
    assert!(file_event(&events, ".ssh/authorized_keys", "deleted").is_some());
    std::thread::sleep(Duration::from_millis(500));
    std::fs::create_dir(&watched).unwrap();
    std::fs::write(watched.join("again"), "x").unwrap();
    assert!(
        file_event(&events, "notyet/again", "created").is_some(),
        "a watched folder removed and created again is still watched"
    );
    let _ = agent.kill();
    let _ = agent.wait();
}
