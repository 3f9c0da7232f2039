//! The log sensor: follows the configured log files (auth, system, audit, web server)
//! across rotations and restarts, and turns each line into an event (`log`, or
//! `webserver` for access logs) with the fields Sigma rules use.
//!
//! Files are looked at every `poll_ms` rather than watched through inotify: a handful
//! of `stat` calls per look cost nothing, and polling sees a file replaced, truncated or
//! rotated the same way whatever the file system (inotify misses some on NFS and in
//! containers' overlays). Every line carries its file, inode and end offset, so the
//! positions ([`positions`]) can be rebuilt from the spool after a crash.

pub mod journal;
pub mod parse;
pub mod positions;
pub mod reader;
pub mod rotated;
pub mod sudo_groups;
pub mod tail;
pub mod web_roots;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use vigie_model::agent_config::{JournalSetting, LogFormat, LogsConfig};
use vigie_model::event::{field, Category};
use vigie_model::glob::PathGlob;
use vigie_model::EventDraft;

use crate::health::{bump, Counters};
use crate::pipeline::{Item, Sink};
use crate::spool::StateOwner;
use crate::throttle::Throttle;
use parse::Format;
use positions::{PathState, Positions};
use tail::{Out, Tail};

/// How often the saved positions are brought up to date while lines flow.
const SAVE_EVERY: Duration = Duration::from_secs(2);
/// How often patterns are matched again (new files).
const EXPAND_EVERY: Duration = Duration::from_secs(2);

/// The positions as the last run left them, and where they are saved (none with
/// `--print`).
pub struct Saved {
    /// The positions, caught up from the spool; `None` on a first run.
    pub positions: Option<Positions>,
    /// Where to save them.
    pub path: Option<PathBuf>,
}

/// Whether `config` has the journal read: always, never, or (`auto`) when none of its
/// syslog-format files exists — a host where journald alone keeps the logs — or when
/// it names a folder of journal files.
pub fn reads_journal(config: &LogsConfig) -> bool {
    match config.journal {
        JournalSetting::On => true,
        JournalSetting::Off => false,
        JournalSetting::Auto if config.journal_directory.is_some() => true,
        JournalSetting::Auto => !config.files.iter().any(|source| {
            let path = Path::new(&source.path);
            let syslog = Format::of(path, source.format, None).format == LogFormat::Syslog;
            syslog && (path.exists() || !matching(path).is_empty())
        }),
    }
}

/// The log sensor.
pub struct LogSensor {
    config: LogsConfig,
    saved: Saved,
    sink: Sink,
    counters: Arc<Counters>,
}

impl LogSensor {
    /// A sensor for `config`, resuming from `saved`.
    pub fn new(config: LogsConfig, saved: Saved, sink: Sink, counters: Arc<Counters>) -> LogSensor {
        LogSensor {
            config,
            saved,
            sink,
            counters,
        }
    }
}

/// One followed path, its format, and whether lines flowed since the last save.
struct Followed {
    tail: Tail,
    format: Format,
    /// The last audit event's records, held for one look in case the rest of them is
    /// still being written.
    held: Vec<EventDraft>,
}

struct Run {
    config: LogsConfig,
    sink: Sink,
    counters: Arc<Counters>,
    positions: Positions,
    positions_path: Option<PathBuf>,
    followed: BTreeMap<PathBuf, Followed>,
    /// Since when a save waits for held audit records.
    save_deferred: Option<Instant>,
    groups: crate::groups::Groups,
    dirty: bool,
    stopped: bool,
}

impl crate::sensors::sensor::Sensor for LogSensor {
    fn name(&self) -> &'static str {
        "vigie-logs"
    }

    fn run(self: Box<Self>, stop: Arc<AtomicBool>) {
        let LogSensor {
            config,
            saved,
            sink,
            counters,
        } = *self;
        let throttle = Throttle::new(config.read_rate_mib_s);
        let mut run = Run {
            positions: saved.positions.unwrap_or_default(),
            positions_path: saved.path,
            config,
            sink,
            counters,
            followed: BTreeMap::new(),
            save_deferred: None,
            groups: crate::groups::Groups::default(),
            // The first look is always recorded, even when no file matches yet.
            dirty: true,
            stopped: false,
        };
        let poll = Duration::from_millis(run.config.poll_ms.max(1));
        // Per look, at most what the budget allows in one interval (bounded even without
        // a budget, so a huge backlog never keeps the sensor from its stop flag).
        let per_look = match run.config.read_rate_mib_s {
            0 => 16 << 20,
            mib => ((mib << 20) * poll.as_millis() as u64 / 1000).max(64 << 10),
        };
        // Saved right after the first look too: a first run must be on record (files
        // read from their end) before a crash, or the restart would take the lines sent
        // meanwhile for history and skip what followed them.
        let (mut expanded, mut saved_at) = (None::<Instant>, None::<Instant>);
        while !stop.load(Ordering::Relaxed) && !run.stopped {
            if expanded.is_none_or(|t| t.elapsed() >= EXPAND_EVERY) {
                run.expand(expanded.is_none());
                expanded = Some(Instant::now());
            }
            let mut budget = per_look;
            run.look(&mut budget);
            let used = per_look - budget;
            throttle.consume(used as usize);
            if run.dirty && saved_at.is_none_or(|t| t.elapsed() >= SAVE_EVERY) && run.save() {
                saved_at = Some(Instant::now());
            }
            if budget > 0 {
                std::thread::sleep(poll);
            }
        }
        if !run.stopped {
            run.flush_held();
            run.save();
        }
    }
}

impl Run {
    /// Follows every file the configuration names (patterns matched now); on the first
    /// expansion, files never seen before are read from their end.
    fn expand(&mut self, first: bool) {
        for source in self.config.files.clone() {
            let path = PathBuf::from(&source.path);
            let paths = if source.path.contains(['*', '?', '[']) {
                matching(&path)
            } else {
                vec![path]
            };
            for path in paths {
                if self.followed.contains_key(&path) {
                    continue;
                }
                let state = self.positions.paths.get(&path).cloned();
                let start_at_end = first && state.is_none();
                let format = Format::of(&path, source.format, source.service.as_deref());
                let seen_absent = state.as_ref().is_some_and(|s| s.seen_absent);
                let resumed = state.map(|s| (s.files, self.positions.recorded_ms));
                let tail = Tail::new(path.clone(), resumed, seen_absent, start_at_end);
                let held = Vec::new();
                self.followed.insert(path, Followed { tail, format, held });
                self.dirty = true;
            }
        }
    }

    /// Looks at every followed path once.
    fn look(&mut self, budget: &mut u64) {
        let max_line = self.config.max_line_bytes;
        let mut outs = Vec::new();
        for (path, followed) in &mut self.followed {
            if *budget == 0 {
                break;
            }
            let was_absent = followed.tail.seen_absent();
            let result = followed.tail.poll(max_line, budget, &mut |o| outs.push(o));
            if let Err(e) = result {
                bump(&self.counters.log_read_errors);
                tracing::warn!(path = %path.display(), error = %e, "cannot read a log file");
            }
            if followed.tail.seen_absent() != was_absent {
                self.dirty = true;
            }
            let mut drafts = Vec::with_capacity(outs.len());
            for out in outs.drain(..) {
                match out {
                    Out::Line(line) => {
                        bump(&self.counters.log_lines);
                        let text = String::from_utf8_lossy(&line.text);
                        let mut draft = parse::draft(&followed.format, &text);
                        if line.cut {
                            bump(&self.counters.log_lines_cut);
                            draft = draft.with(field::LINE_TRUNCATED, true);
                        }
                        drafts.push(located(draft, path, line.inode, line.end));
                    }
                    Out::Truncated { inode, was, now } => {
                        bump(&self.counters.log_truncations);
                        let draft = EventDraft::now(Category::Log)
                            .with(field::SERVICE, followed.format.service.as_str())
                            .with("LogTruncated", true)
                            .with(field::OLD_SIZE, was)
                            .with(field::SIZE, now)
                            .with(
                                field::MESSAGE,
                                format!(
                                    "log file cut from {was} to {now} bytes with no rotated copy"
                                ),
                            );
                        drafts.push(located(draft, path, inode, 0));
                    }
                    Out::Lost { inode, offset } => {
                        bump(&self.counters.log_files_lost);
                        tracing::warn!(path = %path.display(), inode, offset,
                            "a log file rotated while the agent was stopped is gone: its last lines were not read");
                        self.dirty = true;
                    }
                }
            }
            if followed.format.service == "sudo" {
                parse::join_sudo_lines(&followed.format, &mut drafts);
            }
            for draft in &mut drafts {
                sudo_groups::add(draft, &mut self.groups, &self.config.admin_groups);
            }
            if followed.format.format == LogFormat::Access {
                let now_secs = vigie_model::event::now_ms() as i64 / 1000;
                for draft in &mut drafts {
                    let stem = draft.fields.get("cs-uri-stem").and_then(|v| v.as_str());
                    let age = stem.and_then(|stem| {
                        web_roots::script_age_secs(&self.config.web_roots, stem, now_secs)
                    });
                    if let Some(age) = age {
                        draft
                            .fields
                            .insert(field::SCRIPT_AGE_SECS.into(), age.into());
                    }
                }
            }
            // The records of one audit event may straddle two looks: the last event
            // waits for the next look, and goes when a look brings nothing more.
            if followed.format.format == LogFormat::Audit {
                drafts = parse::audit::hold_last_event(&mut followed.held, drafts);
                parse::audit::assemble(&mut drafts);
            }
            for draft in drafts {
                self.dirty = true;
                if self.sink.blocking_send(Item::Event(draft)).is_err() {
                    self.stopped = true;
                    return;
                }
            }
        }
    }

    /// Sends the audit records held, as they are.
    fn flush_held(&mut self) {
        for followed in self.followed.values_mut() {
            let mut held = std::mem::take(&mut followed.held);
            parse::audit::assemble(&mut held);
            for draft in held {
                if self.sink.blocking_send(Item::Event(draft)).is_err() {
                    self.stopped = true;
                    return;
                }
            }
        }
    }

    /// Saves the positions once every line reported so far is durable in the spool;
    /// false when it waits for held audit records (the positions cover them), at most
    /// [`SAVE_EVERY`], after which they are sent as they are.
    fn save(&mut self) -> bool {
        if self.followed.values().any(|f| !f.held.is_empty()) {
            let since = *self.save_deferred.get_or_insert_with(Instant::now);
            if since.elapsed() < SAVE_EVERY {
                return false;
            }
            self.flush_held();
        }
        self.save_deferred = None;
        self.positions.paths = self
            .followed
            .iter()
            .map(|(path, f)| {
                let state = PathState {
                    files: f.tail.known(),
                    seen_absent: f.tail.seen_absent(),
                };
                (path.clone(), state)
            })
            .collect();
        let Some(path) = self.positions_path.clone() else {
            self.dirty = false;
            return true;
        };
        let Some(seq) = crate::pipeline::wait_durable(&self.sink) else {
            self.stopped = true;
            return true;
        };
        match self.positions.save(&path, seq) {
            Ok(()) => {
                self.dirty = false;
                let owner = StateOwner::LogPositions;
                let _ = self.sink.blocking_send(Item::StateSaved { owner, seq });
            }
            Err(e) => {
                tracing::error!(path = %path.display(), error = %e, "cannot save the log positions")
            }
        }
        true
    }
}

/// `draft` with where its line lies: file, inode, offset just past it.
fn located(draft: EventDraft, path: &Path, inode: u64, end: u64) -> EventDraft {
    draft
        .with(field::LOG_FILE, path.to_string_lossy().as_ref())
        .with(field::LOG_INODE, inode)
        .with(field::LOG_OFFSET, end)
}

/// The files matching `pattern` (a pattern in the file name only), leaving out rotated
/// copies (`.1`, `.gz`, `-20261202`…), which are read through their live file.
fn matching(pattern: &Path) -> Vec<PathBuf> {
    let (Some(dir), Some(name)) = (
        pattern.parent(),
        pattern.file_name().and_then(|n| n.to_str()),
    ) else {
        return Vec::new();
    };
    let Ok(glob) = PathGlob::new(name) else {
        return Vec::new();
    };
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut found: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .map(|e| e.path())
        .filter(|p| glob.matches(p) && !looks_rotated(p))
        .collect();
    found.sort();
    found
}

fn looks_rotated(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let last = name.rsplit(['.', '-']).next().unwrap_or("");
    matches!(last, "gz" | "bz2" | "xz" | "zst" | "old")
        || (!last.is_empty()
            && last.bytes().all(|b| b.is_ascii_digit())
            && last.len() != name.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_leave_rotated_copies_out() {
        let dir = tempfile::tempdir().unwrap();
        for name in [
            "access.log",
            "shop-access.log",
            "access.log.1",
            "access.log.2.gz",
            "access.log-20261202",
            "error.log",
        ] {
            std::fs::write(dir.path().join(name), "").unwrap();
        }
        let found = matching(&dir.path().join("*access.log*"));
        let names: Vec<_> = found
            .iter()
            .map(|p| p.file_name().unwrap().to_str().unwrap())
            .collect();
        assert_eq!(names, ["access.log", "shop-access.log"]);
    }
}
