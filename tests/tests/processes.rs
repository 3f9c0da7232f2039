//! Process creation from the kernel's process connector (needs root, as CI runs): a
//! marked shell command with its program, arguments, parent, user and hash; processes
//! that live a millisecond; 500 in a burst, none missed.

use std::collections::HashSet;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use vigie_tests::bin;

/// Runs `vigie-agent --print`, collecting process events on a thread.
struct PrintAgent {
    child: std::process::Child,
    events: std::sync::mpsc::Receiver<Value>,
    _watched: tempfile::TempDir,
}

impl PrintAgent {
    fn start() -> PrintAgent {
        let watched = tempfile::tempdir().unwrap();
        let config = watched.path().join("agent.toml");
        std::fs::write(&config, "[process]\nlisten_interval_secs = 1\n").unwrap();
        let mut child = Command::new(bin("vigie-agent"))
            .arg("--print")
            .arg("--config")
            .arg(&config)
            .env("VIGIE_WATCH", watched.path())
            .env("VIGIE_LOG", "info")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let stderr = child.stderr.take().unwrap();
        let (tx, events) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Ok(v) = serde_json::from_str::<Value>(&line) {
                    let wanted =
                        v["category"] == "process_creation" || v["category"] == "listening_socket";
                    if wanted && tx.send(v).is_err() {
                        return;
                    }
                }
            }
        });
        // Ready once the process sensor says how it watches.
        let mut lines = BufReader::new(stderr).lines();
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            match lines.next() {
                Some(Ok(line)) if line.contains("process events from the kernel connector") => {
                    break
                }
                Some(Ok(line)) if line.contains("polling /proc") => {
                    panic!("the connector is needed for this test (run as root): {line}")
                }
                Some(_) => {}
                None => panic!("the agent exited"),
            }
        }
        std::thread::spawn(move || for _ in lines {});
        PrintAgent {
            child,
            events,
            _watched: watched,
        }
    }

    /// Events until `done` says enough, or `timeout`.
    fn collect(&self, timeout: Duration, mut done: impl FnMut(&[Value]) -> bool) -> Vec<Value> {
        let deadline = Instant::now() + timeout;
        let mut seen = Vec::new();
        while Instant::now() < deadline && !done(&seen) {
            if let Ok(v) = self.events.recv_timeout(Duration::from_millis(100)) {
                seen.push(v);
            }
        }
        seen
    }
}

impl Drop for PrintAgent {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn a_marked_command_a_brief_process_and_a_burst_are_all_reported() {
    let agent = PrintAgent::start();

    let marker = format!("vigie-marker-{}", std::process::id());
    let mut sh = Command::new("/bin/sh")
        .arg("-c")
        .arg(format!("sleep 0.3; echo {marker} >/dev/null"))
        .spawn()
        .unwrap();
    let sh_pid = sh.id();
    sh.wait().unwrap();
    let events = agent.collect(Duration::from_secs(10), |seen| {
        seen.iter().any(|e| e["ProcessId"] == sh_pid)
    });
    let e = events
        .iter()
        .find(|e| e["ProcessId"] == sh_pid)
        .expect("the shell is reported");
    assert!(e["CommandLine"].as_str().unwrap().contains(&marker), "{e}");
    let image = std::fs::canonicalize("/bin/sh").unwrap();
    assert_eq!(e["Image"], image.to_str().unwrap(), "{e}");
    assert_eq!(e["User"], "root", "{e}");
    assert_eq!(e["ParentProcessId"], std::process::id(), "{e}");
    let test_exe = std::fs::read_link("/proc/self/exe").unwrap();
    assert_eq!(e["ParentImage"], test_exe.to_str().unwrap(), "{e}");
    let expected = vigie_model::hex::sha256(&std::fs::read(&image).unwrap());
    assert_eq!(e["Sha256"], expected);

    // 500 short processes in a burst (each lives about a millisecond): every pid is
    // reported, with as much as could be read before it was gone.
    let mut pids = HashSet::new();
    for _ in 0..500 {
        let mut c = Command::new("/bin/true").spawn().unwrap();
        pids.insert(c.id());
        c.wait().unwrap();
    }
    let mut missing = pids.clone();
    agent.collect(Duration::from_secs(30), |seen| {
        if let Some(last) = seen.last() {
            if let Some(pid) = last["ProcessId"].as_u64() {
                missing.remove(&(pid as u32));
            }
        }
        missing.is_empty()
    });
    assert!(
        missing.is_empty(),
        "{} of 500 short processes not reported",
        missing.len()
    );

    // A new listener appears, then goes away: both reported, with its owner.
    let socket = std::net::TcpListener::bind("0.0.0.0:0").unwrap();
    let port = socket.local_addr().unwrap().port();
    let is = |e: &Value, action: &str| {
        e["category"] == "listening_socket" && e["LocalPort"] == port && e["Action"] == action
    };
    let events = agent.collect(Duration::from_secs(15), |seen| {
        seen.iter().any(|e| is(e, "opened"))
    });
    let opened = events
        .iter()
        .find(|e| is(e, "opened"))
        .expect("the new listener is reported");
    assert_eq!(opened["ProcessId"], std::process::id(), "{opened}");
    assert_eq!(opened["Image"], test_exe.to_str().unwrap(), "{opened}");
    assert_eq!(opened["Protocol"], "tcp");
    drop(socket);
    let events = agent.collect(Duration::from_secs(15), |seen| {
        seen.iter().any(|e| is(e, "closed"))
    });
    assert!(
        events.iter().any(|e| is(e, "closed")),
        "the closed listener is reported"
    );
}
