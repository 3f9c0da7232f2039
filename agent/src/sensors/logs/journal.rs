//! The systemd journal, read through `journalctl --follow --output=json` rather than
//! libsystemd: `journalctl` is on every host that has a journal and always reads its
//! own files' format, and the agent stays free of a C binding (Vector's journald
//! source makes the same choice).
//!
//! Each entry becomes a `log` event like a syslog line (`Program` from
//! `SYSLOG_IDENTIFIER`, `Message`, `ProcessId`, the sshd/sudo/account fields), plus
//! `Unit`, `Priority`, `Uid` and its `JournalCursor`. The cursor is saved with the
//! spool's crash-safety (a snapshot naming the last spooled event, the entries spooled
//! after it replayed at start), so a SIGKILL repeats and loses nothing. A first run
//! starts at the journal's end (its history is not sent).

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use vigie_model::event::{field, Category};
use vigie_model::{Event, EventDraft};

use super::parse::auth;
use crate::health::{bump, Counters};
use crate::pipeline::{Item, Sink};
use crate::retry::Backoff;
use crate::spool::{Spool, StateOwner};

/// The event field holding an entry's cursor.
pub const CURSOR_FIELD: &str = "JournalCursor";
/// How often the saved cursor is brought up to date while entries flow.
const SAVE_EVERY: Duration = Duration::from_secs(2);

/// The cursor as saved: the last entry spooled, and the last `seq` it includes.
#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cursor {
    /// Last event `seq` the snapshot includes.
    pub seq: u64,
    /// The journal's cursor of the last entry sent (`None`: the journal's end).
    pub cursor: Option<String>,
}

impl Cursor {
    /// Loads the snapshot at `path` and moves it past the entries spooled after it;
    /// the spool keeps those until a newer snapshot covers them. `Ok(None)` on a first
    /// run.
    pub fn load_caught_up(path: &Path, spool: &mut Spool) -> anyhow::Result<Option<Cursor>> {
        let mut saved: Cursor = match std::fs::read(path) {
            Ok(bytes) => serde_json::from_slice(&bytes)
                .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(anyhow::anyhow!("{}: {e}", path.display())),
        };
        let since = saved.seq;
        spool.for_each_after(since, |batch| {
            if let Ok(body) = vigie_model::wire::open(&batch.bytes, usize::MAX >> 1) {
                for event in body.events.iter().filter(|e| e.seq > since) {
                    saved.apply(event);
                }
            }
        })?;
        spool.retain_from(StateOwner::JournalCursor, since + 1)?;
        Ok(Some(saved))
    }

    /// Moves the cursor to a journal entry already spooled.
    pub fn apply(&mut self, event: &Event) {
        if let Some(cursor) = event.str_field(CURSOR_FIELD) {
            self.cursor = Some(cursor.to_string());
        }
    }

    fn save(&mut self, path: &Path, seq: u64) -> std::io::Result<()> {
        self.seq = seq;
        let json = serde_json::to_vec(self).map_err(std::io::Error::other)?;
        vigie_daemon::files::write_atomic(path, &json)
    }
}

/// The cursor as the last run left it, and where it is saved (none with `--print`).
pub struct Saved {
    /// The cursor, caught up from the spool; `None` on a first run.
    pub cursor: Option<Cursor>,
    /// Where to save it.
    pub path: Option<PathBuf>,
}

/// The journal sensor.
pub struct JournalSensor {
    directory: Option<PathBuf>,
    saved: Saved,
    sink: Sink,
    counters: Arc<Counters>,
    admin_groups: Vec<String>,
}

impl JournalSensor {
    /// Reads the system's journal, or the journal files in `directory`; sudo entries
    /// say whether their user is in one of `admin_groups`.
    pub fn new(
        directory: Option<PathBuf>,
        saved: Saved,
        sink: Sink,
        counters: Arc<Counters>,
        admin_groups: Vec<String>,
    ) -> JournalSensor {
        JournalSensor {
            directory,
            saved,
            sink,
            counters,
            admin_groups,
        }
    }
}

/// A running `journalctl` and the lines it prints, read on a thread of their own so the
/// sensor can look at its stop flag.
struct Follow {
    child: Child,
    lines: Receiver<String>,
}

impl Follow {
    fn start(directory: Option<&Path>, after: Option<&str>) -> std::io::Result<Follow> {
        let mut command = Command::new("journalctl");
        command.args(["--follow", "--output=json", "--no-pager", "--all"]);
        // `--follow` alone shows only the last 10 entries: everything after the cursor
        // is asked for explicitly.
        match after {
            Some(cursor) => {
                command.args([format!("--after-cursor={cursor}"), "--lines=all".into()])
            }
            None => command.arg("--lines=0"),
        };
        if let Some(dir) = directory {
            command.arg(format!("--directory={}", dir.display()));
        }
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()?;
        let stdout = child.stdout.take().expect("piped");
        // Small: journalctl waits when it is full, and the journal keeps what waits.
        let (tx, lines) = mpsc::sync_channel(256);
        std::thread::Builder::new()
            .name("vigie-journalctl".into())
            .spawn(move || {
                for line in BufReader::new(stdout).lines() {
                    let Ok(line) = line else { return };
                    if tx.send(line).is_err() {
                        return;
                    }
                }
            })?;
        Ok(Follow { child, lines })
    }

    /// What journalctl said on its way out.
    fn stop(mut self) -> String {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let mut said = String::new();
        if let Some(mut err) = self.child.stderr.take() {
            let _ = std::io::Read::read_to_string(&mut err, &mut said);
        }
        said.trim().to_string()
    }
}

impl crate::sensors::sensor::Sensor for JournalSensor {
    fn name(&self) -> &'static str {
        "vigie-journal"
    }

    fn run(self: Box<Self>, stop: Arc<AtomicBool>) {
        let JournalSensor {
            directory,
            saved,
            sink,
            counters,
            admin_groups,
        } = *self;
        let mut groups = crate::groups::Groups::default();
        let mut cursor = saved.cursor.unwrap_or_default();
        // A first run is put on record at once: a restart must not take what was sent
        // meanwhile for history.
        let mut dirty = true;
        let mut saved_at: Option<Instant> = None;
        let mut backoff = Backoff::new(Duration::from_secs(1), Duration::from_secs(60));
        'restart: while !stop.load(Ordering::Relaxed) {
            let follow = match Follow::start(directory.as_deref(), cursor.cursor.as_deref()) {
                Ok(f) => f,
                Err(e) => {
                    tracing::error!(error = %e, "cannot run journalctl: the journal is not read");
                    bump(&counters.log_read_errors);
                    return;
                }
            };
            let started = Instant::now();
            loop {
                if stop.load(Ordering::Relaxed) {
                    follow.stop();
                    break 'restart;
                }
                match follow.lines.recv_timeout(Duration::from_millis(250)) {
                    Ok(line) => {
                        let Some(mut draft) = entry(&line) else {
                            bump(&counters.log_read_errors);
                            continue;
                        };
                        super::sudo_groups::add(&mut draft, &mut groups, &admin_groups);
                        bump(&counters.log_lines);
                        let next = draft.fields.get(CURSOR_FIELD).and_then(Value::as_str);
                        cursor.cursor = next.map(str::to_string).or(cursor.cursor.take());
                        dirty = true;
                        if sink.blocking_send(Item::Event(draft)).is_err() {
                            follow.stop();
                            return;
                        }
                    }
                    Err(RecvTimeoutError::Timeout) => {}
                    Err(RecvTimeoutError::Disconnected) => {
                        let said = follow.stop();
                        bump(&counters.log_read_errors);
                        // A cursor the journal no longer has (vacuumed): start again at its
                        // end, and say what may be missing.
                        if cursor.cursor.is_some()
                            && started.elapsed() < Duration::from_secs(2)
                            && said.contains("cursor")
                        {
                            bump(&counters.log_files_lost);
                            tracing::warn!(said, "the journal no longer holds the saved cursor: reading from its end; entries in between are not read");
                            cursor.cursor = None;
                        } else {
                            tracing::warn!(said, "journalctl stopped; starting it again");
                        }
                        let wait = backoff.next_wait(None);
                        std::thread::sleep(wait);
                        continue 'restart;
                    }
                }
                if dirty && saved_at.is_none_or(|t| t.elapsed() >= SAVE_EVERY) {
                    if !save(&sink, &mut cursor, saved.path.as_deref()) {
                        follow.stop();
                        return;
                    }
                    dirty = false;
                    saved_at = Some(Instant::now());
                }
            }
        }
        if dirty {
            save(&sink, &mut cursor, saved.path.as_deref());
        }
    }
}

/// Saves the cursor once every entry sent so far is durable in the spool; false when
/// the pipeline is gone.
fn save(sink: &Sink, cursor: &mut Cursor, path: Option<&Path>) -> bool {
    let Some(path) = path else {
        return true;
    };
    let Some(seq) = crate::pipeline::wait_durable(sink) else {
        return false;
    };
    match cursor.save(path, seq) {
        Ok(()) => {
            let owner = StateOwner::JournalCursor;
            let _ = sink.blocking_send(Item::StateSaved { owner, seq });
        }
        Err(e) => {
            tracing::error!(path = %path.display(), error = %e, "cannot save the journal cursor")
        }
    }
    true
}

/// The event of one journal entry (a line of `journalctl --output=json`).
pub fn entry(line: &str) -> Option<EventDraft> {
    let fields: Map<String, Value> = serde_json::from_str(line).ok()?;
    let text = |name: &str| -> Option<String> {
        match fields.get(name)? {
            Value::String(s) => Some(s.clone()),
            // A field that is not valid UTF-8 comes as an array of bytes.
            Value::Array(bytes) => {
                let bytes: Vec<u8> = bytes
                    .iter()
                    .filter_map(|b| b.as_u64())
                    .map(|b| b as u8)
                    .collect();
                Some(String::from_utf8_lossy(&bytes).into_owned())
            }
            _ => None,
        }
    };
    let message = text("MESSAGE").unwrap_or_default();
    let program = text("SYSLOG_IDENTIFIER")
        .or_else(|| text("_COMM"))
        .unwrap_or_default();
    let mut draft = EventDraft::now(Category::Log)
        .with(field::PROGRAM, program.as_str())
        .with(field::MESSAGE, message.as_str());
    let number = |name: &str| text(name).and_then(|v| v.parse::<u64>().ok());
    if let Some(pid) = number("_PID").or_else(|| number("SYSLOG_PID")) {
        draft = draft.with(field::PROCESS_ID, pid);
    }
    if let Some(uid) = number("_UID") {
        draft = draft.with(field::UID, uid);
    }
    if let Some(priority) = number("PRIORITY") {
        draft = draft.with("Priority", priority);
    }
    if let Some(unit) = text("_SYSTEMD_UNIT") {
        draft = draft.with("Unit", unit);
    }
    if let Some(host) = text("_HOSTNAME") {
        draft = draft.with(field::LOG_HOST, host);
    }
    if let Some(us) = number("__REALTIME_TIMESTAMP") {
        draft = draft.with(field::LOG_TIME, vigie_model::time::utc(us / 1000));
    }
    if let Some(cursor) = text("__CURSOR") {
        draft = draft.with(CURSOR_FIELD, cursor);
    }
    let service = auth::service_of(&program);
    if matches!(service, Some("sshd" | "sudo" | "auth")) {
        auth::fields(&program, &message, &mut draft.fields);
    }
    Some(draft.with(field::SERVICE, service.unwrap_or("syslog")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_becomes_a_log_event_with_its_cursor() {
        let d = entry(r#"{"MESSAGE":"Failed password for root from 203.0.113.9 port 4444 ssh2","SYSLOG_IDENTIFIER":"sshd","_PID":"812","_UID":"0","PRIORITY":"6","_SYSTEMD_UNIT":"ssh.service","_HOSTNAME":"web1","__REALTIME_TIMESTAMP":"1764692707000000","__CURSOR":"s=1;i=2"}"#).unwrap();
        assert_eq!(d.category, Category::Log);
        assert_eq!(d.fields["service"], "sshd");
        assert_eq!(d.fields["Outcome"], "failure");
        assert_eq!(d.fields["ProcessId"], 812);
        assert_eq!(d.fields["Unit"], "ssh.service");
        assert_eq!(d.fields["LogTime"], "2025-12-02 16:25:07");
        assert_eq!(d.fields[CURSOR_FIELD], "s=1;i=2");
        let d = entry(r#"{"MESSAGE":[104,105,255],"_COMM":"app"}"#).unwrap();
        assert_eq!(d.fields["Message"], "hi\u{fffd}");
        assert_eq!(d.fields["service"], "syslog");
        assert!(entry("not json").is_none());
    }
}
