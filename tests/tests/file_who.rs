//! Who-data and brief files (need root, as CI runs): a file change names the process
//! and user behind it, from eBPF; files created and deleted at once are still reported,
//! both ways, each with its process.

use std::collections::HashSet;
use std::process::Command;
use std::time::Duration;

use serde_json::Value;
use vigie_tests::print_agent::PrintAgent;

fn start(watched: &std::path::Path) -> PrintAgent {
    let config = watched.with_extension("toml");
    std::fs::write(
        &config,
        "health_interval_secs = 1\n\n[process]\nenabled = false\nlisteners = false\n\n[network]\nenabled = false\n",
    )
    .unwrap();
    let agent = PrintAgent::spawn(PrintAgent::command(&config, watched));
    agent.wait_log(
        "file changes with their process, from eBPF",
        Duration::from_secs(30),
    );
    agent.wait_log("file baseline ready", Duration::from_secs(30));
    agent
}

fn file_event(e: &Value, action: &str, name: &str) -> bool {
    e["category"] == "file_event"
        && e["Action"] == action
        && e["TargetFilename"]
            .as_str()
            .is_some_and(|t| t.ends_with(name))
}

#[test]
fn an_authorized_key_names_the_process_that_wrote_it() {
    let dir = tempfile::tempdir().unwrap();
    let watched = dir.path().join("root");
    std::fs::create_dir_all(watched.join(".ssh")).unwrap();
    let agent = start(&watched);

    let marker = format!("vigie-who-{}", std::process::id());
    let keys = watched.join(".ssh/authorized_keys");
    let status = Command::new("/bin/sh")
        .arg("-c")
        .arg(format!(
            "sleep 0.2; echo 'ssh-ed25519 AAAA attacker' >> {} # {marker}",
            keys.display()
        ))
        .status()
        .unwrap();
    assert!(status.success());
    let e = agent
        .next_event(Duration::from_secs(20), |e| {
            file_event(e, "created", "/.ssh/authorized_keys")
        })
        .expect("the key file is reported");
    let image = std::fs::canonicalize("/bin/sh").unwrap();
    assert_eq!(e["Image"], image.to_str().unwrap(), "{e}");
    assert!(e["CommandLine"].as_str().unwrap().contains(&marker), "{e}");
    assert_eq!(e["ProcessUser"], "root", "{e}");
    assert!(e["ProcessId"].as_u64().is_some(), "{e}");
    let health = agent
        .next_event(Duration::from_secs(10), |e| e["category"] == "agent_health")
        .unwrap();
    assert_eq!(health["FileWhoMode"], "ebpf");
}

#[test]
fn a_thousand_brief_files_are_each_reported_with_their_process() {
    let dir = tempfile::tempdir().unwrap();
    let watched = dir.path().join("drop");
    std::fs::create_dir_all(&watched).unwrap();
    let agent = start(&watched);

    // A dropper's way: write, run (here: nothing), delete, a thousand times.
    let status = Command::new("/bin/bash")
        .arg("-c")
        .arg("for i in $(seq 1 1000); do echo payload > brief-$i; rm brief-$i; done")
        .current_dir(&watched)
        .status()
        .unwrap();
    assert!(status.success());
    let (mut created, mut deleted) = (HashSet::new(), HashSet::new());
    let bash = std::fs::canonicalize("/bin/bash").unwrap();
    let rm = std::fs::canonicalize("/bin/rm").unwrap();
    let mut without_process = Vec::new();
    // Transient as a rule: gone before examined (a writer paused longer than the
    // settle time between the two would get an ordinary pair, also right).
    let (mut transient, mut hashed) = (0, 0);
    agent.collect(Duration::from_secs(120), |seen| {
        if let Some(e) = seen.last() {
            let name = e["TargetFilename"].as_str().unwrap_or_default();
            if let Some(n) = name.rsplit('/').next().filter(|n| n.starts_with("brief-")) {
                let by = e["Image"].as_str().unwrap_or_default();
                match e["Action"].as_str() {
                    Some("created") if by == bash.to_str().unwrap() => {
                        created.insert(n.to_string())
                    }
                    Some("deleted") if by == rm.to_str().unwrap() => deleted.insert(n.to_string()),
                    _ => {
                        without_process.push(e.clone());
                        false
                    }
                };
                transient += usize::from(e["Transient"] == true);
                hashed += usize::from(e["Action"] == "created" && e["Sha256"].is_string());
            }
        }
        created.len() == 1000 && deleted.len() == 1000
    });
    assert!(
        without_process.is_empty(),
        "{} events without the right process, first: {}",
        without_process.len(),
        without_process[0]
    );
    assert_eq!((created.len(), deleted.len()), (1000, 1000));
    assert!(transient > 0, "brief files are marked Transient");
    // Deleted within microseconds: a hash when the sensor opened the file in time.
    println!("brief files: {transient} transient events, {hashed} of 1000 with their hash");
}

/// A dropper that writes its payload, runs it a moment, then deletes it: the file is
/// gone before it is examined, yet its pair of events carries the payload's SHA-256
/// (read through the handle the sensor opened when the file appeared).
#[test]
fn a_brief_file_is_reported_with_its_hash() {
    let dir = tempfile::tempdir().unwrap();
    let watched = dir.path().join("drop");
    std::fs::create_dir_all(&watched).unwrap();
    let agent = start(&watched);

    let payload = format!("#!/bin/sh\necho dropped {}\n", std::process::id());
    let status = Command::new("/bin/sh")
        .arg("-c")
        .arg(format!(
            "printf '%s' '{payload}' > stage2; sleep 0.02; rm stage2"
        ))
        .current_dir(&watched)
        .status()
        .unwrap();
    assert!(status.success());
    let digest = ring::digest::digest(&ring::digest::SHA256, payload.as_bytes());
    let expected: String = digest.as_ref().iter().map(|b| format!("{b:02x}")).collect();
    for action in ["created", "deleted"] {
        let e = agent
            .next_event(Duration::from_secs(20), |e| {
                file_event(e, action, "/stage2")
            })
            .unwrap_or_else(|| panic!("stage2 {action}"));
        assert_eq!(e["Transient"], true, "{e}");
        assert_eq!(e["Sha256"], expected, "{e}");
        assert_eq!(e["Size"], payload.len(), "{e}");
    }
}

#[test]
fn a_folder_s_mode_file_capabilities_and_a_time_set_back_are_each_reported() {
    let dir = tempfile::tempdir().unwrap();
    let watched = dir.path().join("srv");
    std::fs::create_dir_all(watched.join("uploads")).unwrap();
    std::fs::write(watched.join("uploads/index.php"), "<?php").unwrap();
    std::fs::copy("/bin/true", watched.join("helper")).unwrap();
    let agent = start(&watched);

    let run = |program: &str, args: &[&str]| {
        let status = Command::new(program)
            .args(args)
            .current_dir(&watched)
            .status();
        assert!(status.unwrap().success(), "{program} {args:?}");
    };
    run("chmod", &["0777", "uploads"]);
    let e = agent
        .next_event(Duration::from_secs(20), |e| {
            file_event(e, "attributes_changed", "/uploads")
        })
        .expect("the folder's new mode is reported");
    assert_eq!(e["FileType"], "directory", "{e}");
    assert_eq!(
        (e["OldMode"].as_str(), e["Mode"].as_str()),
        (Some("0755"), Some("0777")),
        "{e}"
    );
    assert_eq!(e["Changed"], "mode", "{e}");
    assert!(e["Image"].as_str().unwrap().ends_with("/chmod"), "{e}");

    run("setcap", &["cap_setuid=ep", "helper"]);
    let e = agent
        .next_event(Duration::from_secs(20), |e| {
            file_event(e, "attributes_changed", "/helper")
        })
        .expect("the file capabilities are reported");
    assert_eq!(e["Capabilities"], "cap_setuid=ep", "{e}");
    assert!(
        e["Changed"].as_str().unwrap().contains("capabilities"),
        "{e}"
    );
    assert!(e["Image"].as_str().unwrap().ends_with("/setcap"), "{e}");

    run("touch", &["-m", "-t", "201901010000", "uploads/index.php"]);
    let e = agent
        .next_event(Duration::from_secs(20), |e| {
            file_event(e, "attributes_changed", "/index.php")
        })
        .expect("the time set back is reported");
    assert_eq!(e["Changed"], "mtime", "{e}");
    assert_eq!(e["MtimeBackwards"], true, "{e}");
    assert!(
        e["Mtime"].as_u64().unwrap() < e["OldMtime"].as_u64().unwrap(),
        "{e}"
    );
}

/// Only calls that may touch a watched path leave the kernel; names it cannot judge by
/// their text (`..`, `/./`, `//`) and a file moved in from elsewhere must still bring
/// their process.
#[test]
fn roundabout_names_still_name_their_process() {
    let dir = tempfile::tempdir().unwrap();
    let watched = dir.path().join("root");
    let outside = dir.path().join("elsewhere");
    std::fs::create_dir_all(&watched).unwrap();
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::write(outside.join("incoming"), "x").unwrap();
    let agent = start(&watched);

    let (root, parent) = (watched.display(), dir.path().display());
    let cases = [
        (
            "dotdot",
            format!("cd {} && echo x > ../root/dotdot", outside.display()),
        ),
        ("dotslash", format!("echo x > {parent}/./root/dotslash")),
        ("double", format!("echo x > {root}//double")),
        (
            "moved",
            format!("mv {}/incoming {root}/moved", outside.display()),
        ),
    ];
    for (name, command) in cases {
        let marker = format!("vigie-{name}-{}", std::process::id());
        let status = Command::new("/bin/sh")
            .arg("-c")
            .arg(format!("sleep 0.1; {command} # {marker}"))
            .status()
            .unwrap();
        assert!(status.success(), "{command}");
        let e = agent
            .next_event(Duration::from_secs(20), |e| {
                e["category"] == "file_event"
                    && e["TargetFilename"]
                        .as_str()
                        .is_some_and(|t| t.ends_with(&format!("/root/{name}")))
            })
            .unwrap_or_else(|| panic!("{name} reported"));
        // The shell writes with `echo` itself; `mv` is a program of its own.
        let expected = if name == "moved" { "mv " } else { &marker };
        assert!(
            e["CommandLine"]
                .as_str()
                .is_some_and(|c| c.contains(expected)),
            "{name} names its process: {e}"
        );
    }
}
