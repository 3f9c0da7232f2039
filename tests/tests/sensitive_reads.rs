//! Reads of sensitive files, seen in the kernel (need root, as CI runs): a password
//! file opened under another name, through a hard link, a key created after the agent
//! started, and another process's memory are each reported with the process that asked;
//! writes and files outside the list are not. Then, through the collector: `cat` of
//! `/etc/shadow` followed by a connection to another host from the same shell raises
//! both the read alert and the "read, then a connection out" correlation.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::Value;
use vigie_tests::peer::Peer;
use vigie_tests::print_agent::PrintAgent;
use vigie_tests::{wait_for, Stack};

const HASHES_READ: &str = "38202f93-dd73-4505-a22d-54f5e9b7747b";
const KEY_READ: &str = "eb2e22e0-4b4d-40df-8156-3e9be17fdb51";
const READ_THEN_OUT: &str = "bcb0b242-380a-4279-92bc-dad34ab5766c";

fn sh(script: &str) -> u32 {
    let mut child = Command::new("/bin/sh")
        .arg("-c")
        .arg(script)
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let pid = child.id();
    assert!(child.wait().unwrap().success(), "{script}");
    pid
}

fn read_by(e: &Value, parent: u32) -> bool {
    e["category"] == "file_access" && e["ParentProcessId"] == parent
}

#[test]
fn sensitive_reads_are_reported_with_their_process_whatever_the_name() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    let config = dir.path().join("agent.toml");
    std::fs::write(
        &config,
        format!(
            "[process]\nenabled = false\nlisteners = false\n\n[network]\nenabled = false\n\n\
             [logs]\nenabled = false\n\n[reads]\npaths = [\"/etc/shadow\", \"{}/*/.ssh/id_{{rsa,ed25519}}\"]\n",
            home.display()
        ),
    )
    .unwrap();
    let watched = dir.path().join("watched");
    std::fs::create_dir_all(&watched).unwrap();
    let agent = PrintAgent::spawn(PrintAgent::command(&config, &watched));
    agent.wait_log(
        "reads of sensitive files, from eBPF",
        Duration::from_secs(30),
    );
    agent.wait_log("file baseline ready", Duration::from_secs(30));

    // Named by a pattern the shell expands: no command line says /etc/shadow.
    let shell = sh("cd /etc && cat shado? > /dev/null");
    let e = agent
        .next_event(Duration::from_secs(20), |e| read_by(e, shell))
        .expect("the read of /etc/shadow is reported");
    assert_eq!(e["TargetFilename"], "/etc/shadow", "{e}");
    assert_eq!(e["SensitiveFile"], "/etc/shadow", "{e}");
    assert_eq!(e["Image"], "/usr/bin/cat", "{e}");
    assert_eq!(e["CommandLine"], "cat shadow", "{e}");
    assert_eq!(e["AccessMode"], "read", "{e}");
    assert_eq!(e["User"], "root", "{e}");

    // Through a hard link on the same file system: the file is still known.
    let link = Path::new("/etc").join(format!(".vigie-test-{}", std::process::id()));
    std::fs::hard_link("/etc/shadow", &link).unwrap();
    let shell = sh(&format!("head -c 1 {} > /dev/null", link.display()));
    std::fs::remove_file(&link).unwrap();
    let e = agent
        .next_event(Duration::from_secs(20), |e| read_by(e, shell))
        .expect("the read through a hard link is reported");
    assert_eq!(e["TargetFilename"], link.to_str().unwrap(), "{e}");
    assert_eq!(e["SensitiveFile"], "/etc/shadow", "{e}");

    // A key written after the agent started is watched from its next look; its public
    // half and writes to it are not reads of a secret.
    let ssh = home.join("ana/.ssh");
    std::fs::create_dir_all(&ssh).unwrap();
    let key = ssh.join("id_ed25519");
    std::fs::write(&key, "-----BEGIN OPENSSH PRIVATE KEY-----\n").unwrap();
    std::fs::write(ssh.join("id_ed25519.pub"), "ssh-ed25519 AAAA ana\n").unwrap();
    std::thread::sleep(Duration::from_millis(2500));
    let quiet = sh(&format!(
        "cat {0}.pub > /dev/null; echo more >> {0}",
        key.display()
    ));
    let shell = sh(&format!("base64 {} > /dev/null", key.display()));
    let e = agent
        .next_event(Duration::from_secs(20), |e| read_by(e, shell))
        .expect("the read of a key made after start is reported");
    assert_eq!(e["SensitiveFile"], key.to_str().unwrap(), "{e}");
    assert_eq!(e["Image"], "/usr/bin/base64", "{e}");

    // Another process's memory.
    let mut target = Command::new("sleep").arg("30").spawn().unwrap();
    let shell = sh(&format!(
        "python3 -c \"open('/proc/{}/mem', 'rb')\"",
        target.id()
    ));
    let e = agent
        .next_event(Duration::from_secs(20), |e| read_by(e, shell))
        .expect("the open of another process's memory is reported");
    let _ = target.kill();
    let _ = target.wait();
    assert_eq!(e["TargetProcessId"], target.id(), "{e}");
    assert_eq!(
        e["TargetFilename"],
        format!("/proc/{}/mem", target.id()),
        "{e}"
    );

    // Nothing came from the public key or the append.
    let stray = agent.collect(Duration::from_secs(2), |_| false);
    assert!(
        !stray.iter().any(|e| read_by(e, quiet)),
        "public key or write reported: {stray:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_shadow_read_then_a_connection_out_raise_both_alerts() {
    let stack = Stack::start("").await;
    let remote = Peer::new(237);
    let watched = stack.path("agent-watched");
    std::fs::create_dir_all(&watched).unwrap();
    let extra = format!(
        "[batch]\nflush_ms = 50\n\n[reads]\npaths = [\"/etc/shadow\", \"{}/.ssh/id_ed25519\"]\n\n\
         [network]\ninterfaces = [\"{}h\"]\n",
        watched.display(),
        remote.ns
    );
    let config = stack.agent_config("agent", &watched, "", &extra).await;
    let _agent = stack.start_agent("agent", &config).await;
    vigie_tests::wait_for_log(
        &stack.path("agent.log"),
        "reads of sensitive files, from eBPF",
        Duration::from_secs(30),
    )
    .await;

    // A listener on the other host, and a key read by its own tool (no alert).
    let port = 9000 + (std::process::id() % 1000) as u16;
    let mut listener = Command::new("ip")
        .args(["netns", "exec", &remote.ns, "python3", "-c"])
        .arg(format!(
            "import socket\ns=socket.socket(); s.bind(('{}', {port})); s.listen()\n\
             while True:\n    c,_=s.accept(); c.recv(4096); c.close()",
            remote.peer_ip
        ))
        .spawn()
        .unwrap();
    std::fs::create_dir_all(watched.join(".ssh")).unwrap();
    let key = watched.join(".ssh/id_ed25519");
    assert!(Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-f"])
        .arg(&key)
        .status()
        .unwrap()
        .success());
    std::thread::sleep(Duration::from_millis(2500));
    assert!(Command::new("ssh-keygen")
        .args(["-y", "-f"])
        .arg(&key)
        .stdout(Stdio::null())
        .status()
        .unwrap()
        .success());

    wait_for("the listener", Duration::from_secs(20), || async {
        let probe = format!(
            "import socket; socket.create_connection(('{}', {port}), 1)",
            remote.peer_ip
        );
        Command::new("ip")
            .args(["netns", "exec", &remote.ns, "python3", "-c", &probe])
            .status()
            .unwrap()
            .success()
            .then_some(())
    })
    .await;
    let send = format!(
        "import socket; s = socket.create_connection(('{}', {port}), 5); s.sendall(b'x')",
        remote.peer_ip
    );
    sh(&format!(
        "cat /etc/shadow > /dev/null; python3 -c \"{send}\""
    ));

    for (rule, what) in [
        (HASHES_READ, "hashes read"),
        (READ_THEN_OUT, "read then out"),
    ] {
        let sql = format!("SELECT count() FROM alerts WHERE rule_id = '{rule}'");
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        while stack.count(&sql).await == 0 {
            if std::time::Instant::now() > deadline {
                let events: Vec<String> = stack
                    .client
                    .query("SELECT concat(category, ' ', fields) FROM events WHERE category IN ('file_access', 'network_connection')")
                    .fetch_all()
                    .await
                    .unwrap();
                let log = std::fs::read_to_string(stack.path("agent.log")).unwrap_or_default();
                panic!("no {what} alert; the events: {events:#?}\n{log}");
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
    let key_reads = format!(
        "SELECT count() FROM events WHERE category = 'file_access' \
         AND visitParamExtractString(fields, 'SensitiveFile') = '{}'",
        key.display()
    );
    assert!(
        stack.count(&key_reads).await >= 1,
        "ssh-keygen's read is an event"
    );
    let key_alerts = format!("SELECT count() FROM alerts WHERE rule_id = '{KEY_READ}'");
    assert_eq!(
        stack.count(&key_alerts).await,
        0,
        "ssh-keygen reading its key is expected"
    );
    let _ = listener.kill();
    let _ = listener.wait();
}
