//! `vigie-agent --print` as a child process: its events (stdout, one JSON object per
//! line) and its log (stderr) read on threads, so a test can wait for either.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::{Duration, Instant};

use serde_json::Value;

/// A running `vigie-agent --print`, killed when dropped.
pub struct PrintAgent {
    child: Child,
    events: Receiver<Value>,
    log: Receiver<String>,
}

impl PrintAgent {
    /// The command that runs the agent with `config`, watching `watch`, logging at info.
    pub fn command(config: &Path, watch: &Path) -> Command {
        let mut command = Command::new(crate::bin("vigie-agent"));
        command
            .args(["--print", "--config"])
            .arg(config)
            .env("VIGIE_WATCH", watch)
            .env("VIGIE_LOG", "info");
        command
    }

    /// Starts `command` (the agent, or a wrapper such as `ip netns exec` around it).
    pub fn spawn(mut command: Command) -> PrintAgent {
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the agent starts");
        let (events_tx, events) = channel();
        let stdout = child.stdout.take().expect("stdout");
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Ok(v) = serde_json::from_str::<Value>(&line) {
                    if events_tx.send(v).is_err() {
                        return;
                    }
                }
            }
        });
        let (log_tx, log) = channel();
        let stderr = child.stderr.take().expect("stderr");
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let _ = log_tx.send(line);
            }
        });
        PrintAgent { child, events, log }
    }

    /// The log lines up to the first that contains `needle` (the last one); panics
    /// naming `needle` after `timeout` or when the agent exits first.
    pub fn wait_log(&self, needle: &str, timeout: Duration) -> Vec<String> {
        let deadline = Instant::now() + timeout;
        let mut lines = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.log.recv_timeout(left) {
                Ok(line) => {
                    let found = line.contains(needle);
                    lines.push(line);
                    if found {
                        return lines;
                    }
                }
                Err(_) => panic!(
                    "{needle:?} not in the agent's log after {timeout:?}:\n{}",
                    lines.join("\n")
                ),
            }
        }
    }

    /// Events until `done` says enough (given all seen so far), or `timeout`.
    pub fn collect(&self, timeout: Duration, mut done: impl FnMut(&[Value]) -> bool) -> Vec<Value> {
        let deadline = Instant::now() + timeout;
        let mut seen = Vec::new();
        while Instant::now() < deadline && !done(&seen) {
            if let Ok(v) = self.events.recv_timeout(Duration::from_millis(100)) {
                seen.push(v);
            }
        }
        seen
    }

    /// The next event that `wanted` accepts, within `timeout`.
    pub fn next_event(&self, timeout: Duration, wanted: impl Fn(&Value) -> bool) -> Option<Value> {
        let deadline = Instant::now() + timeout;
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            match self.events.recv_timeout(left) {
                Ok(v) if wanted(&v) => return Some(v),
                Ok(_) => {}
                Err(_) => return None,
            }
        }
        None
    }

    /// Whether the agent is still running.
    pub fn running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// The agent's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for PrintAgent {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
