//! File integrity monitoring: a SHA-256 baseline of every watched file, kept current in
//! real time through `notify` (inotify) and checked again by periodic rescans.
//!
//! The sensor runs on its own thread because hashing and walking folders block. Kernel
//! events mark paths as pending; a path is examined once it has been quiet for
//! `settle_ms`, so a burst of writes to one file gives one event (coalesced per file).
//! Both queues are bounded: when the kernel's queue, ours, or the pending set overflows,
//! the overflow is counted and a full rescan finds every change instead.

mod baseline;
mod state;
mod watch;
mod who;
mod who_filter;
mod who_reader;
mod xattr;

use std::collections::{BTreeSet, HashMap, HashSet};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::RecvTimeoutError;
use std::sync::Arc;
use std::time::{Duration, Instant};

use notify::event::{AccessKind, AccessMode, EventKind, ModifyKind, RenameMode};
use notify::{RecursiveMode, Watcher};
use vigie_model::event::{field, FileAction};
use vigie_model::{Category, EventDraft};

use crate::config::FimConfig;
use crate::health::{bump, Counters};
use crate::pipeline::{Item, Sink};
use crate::queue;
use crate::throttle::Throttle;
pub use baseline::Baseline;
use baseline::DirState;
pub use state::hash_file;
use state::{observe, FileState, Kind};
use watch::WatchSet;

/// How long a path that keeps changing may wait before it is examined anyway.
const MAX_SETTLE: Duration = Duration::from_secs(2);
/// How often the baseline is saved while changes keep coming.
const SNAPSHOT_EVERY: Duration = Duration::from_secs(5);
/// Capacity of the queue between the kernel watcher and this sensor.
const NOTIFY_QUEUE: usize = 8_192;

struct Pending {
    first: Instant,
    last: Instant,
    rename_from: Option<PathBuf>,
    /// The watches said it was created: if it is gone when examined, it lived briefly.
    created: bool,
}

/// The file sensor's state from earlier runs: its baseline, as loaded and caught up from
/// the spool.
pub struct Saved {
    /// The baseline (none on a first run or with `--print`).
    pub baseline: Option<Baseline>,
    /// Where the baseline is saved (none with `--print`).
    pub path: Option<PathBuf>,
}

/// The file sensor, ready to run on its thread.
pub struct FileSensor {
    config: FimConfig,
    watches: WatchSet,
    baseline: Baseline,
    /// Where the baseline is saved; none when running without state (`--print`).
    baseline_path: Option<PathBuf>,
    first_run: bool,
    users: crate::users::UserNames,
    pending: HashMap<PathBuf, Pending>,
    sink: Sink,
    counters: Arc<Counters>,
    throttle: Arc<Throttle>,
    mark: u32,
    changed_since_snapshot: bool,
    /// Configured paths being watched, and the folders watched for them.
    watched_roots: HashSet<PathBuf>,
    watched_targets: HashSet<PathBuf>,
    /// Folders watched because a configured path below them does not exist yet.
    ancestors: HashSet<PathBuf>,
    /// A configured path appeared or vanished: watches are to be set again.
    rewatch: bool,
    /// Newly watched paths, recorded without reporting during the startup scan.
    silent_roots: BTreeSet<PathBuf>,
    /// Who changed what, from eBPF (none when unavailable or turned off).
    who: Option<Arc<who::WhoTable>>,
    /// Files seen created, opened at once and held until examined: one deleted
    /// meanwhile is still read through its handle, so a brief file gets its hash.
    held: HashMap<PathBuf, std::fs::File>,
    stopped: bool,
}

/// Most created files held open at once (file descriptors are a shared budget).
const MAX_HELD: usize = 128;

impl FileSensor {
    /// A sensor over `baseline` (loaded from `baseline_path` and replayed by the caller;
    /// `None` on a first run).
    pub fn new(
        config: FimConfig,
        baseline: Option<Baseline>,
        baseline_path: Option<PathBuf>,
        sink: Sink,
        counters: Arc<Counters>,
        throttle: Arc<Throttle>,
    ) -> FileSensor {
        FileSensor {
            watches: WatchSet::new(&config),
            config,
            first_run: baseline.is_none(),
            baseline: baseline.unwrap_or_default(),
            baseline_path,
            users: Default::default(),
            pending: HashMap::new(),
            sink,
            counters,
            throttle,
            mark: 0,
            changed_since_snapshot: false,
            watched_roots: HashSet::new(),
            watched_targets: HashSet::new(),
            ancestors: HashSet::new(),
            rewatch: false,
            silent_roots: BTreeSet::new(),
            held: HashMap::new(),
            who: None,
            stopped: false,
        }
    }

    /// Runs until `stop` is set or the pipeline closes. Blocks: call it on its own thread.
    fn run_until(mut self, stop: Arc<AtomicBool>) {
        let (tx, rx) = queue::bounded(NOTIFY_QUEUE);
        let overflow = Arc::new(AtomicBool::new(false));
        let overflow_flag = overflow.clone();
        let watcher = notify::recommended_watcher(move |res| {
            if tx.try_send(res).is_err() {
                overflow_flag.store(true, Ordering::Relaxed);
            }
        });
        let mut watcher = match watcher {
            Ok(w) => Some(w),
            Err(e) => {
                tracing::error!(error = %e, "file watcher unavailable: only rescans will detect changes");
                bump(&self.counters.fim_watch_errors);
                None
            }
        };
        if let Some(w) = watcher.as_mut() {
            self.add_watches(w, None);
        }
        // This sensor's claim on the who-data reader ends with it, however it ends; the
        // reader waits a moment for a restarted sensor (see `who_reader`).
        let mut _who_claim = None;
        if self.config.who {
            // A root reached through a linked folder (`/bin` is `/usr/bin` on merged
            // systems) is noted under its real path too: programs write there.
            let mut roots: Vec<PathBuf> = self.watches.roots().into_iter().collect();
            let real: Vec<PathBuf> = roots
                .iter()
                .filter_map(|r| std::fs::canonicalize(r).ok())
                .filter(|r| !roots.contains(r))
                .collect();
            roots.extend(real);
            if let Some((table, claim)) = who_reader::claim(roots, self.counters.clone()) {
                self.who = Some(table);
                _who_claim = Some(claim);
            }
        } else {
            who_reader::stop();
        }
        self.counters
            .set_file_who_mode(if self.who.is_some() { "ebpf" } else { "" });
        let started = Instant::now();
        let roots = self.watches.roots();
        // Paths newly watched (SIGHUP, remote settings) are a starting point, not a change:
        // their files are recorded silently and reported as one baseline event each.
        self.silent_roots = match &self.baseline.roots {
            Some(known) if !self.first_run => roots.difference(known).cloned().collect(),
            _ => BTreeSet::new(),
        };
        if self.first_run {
            self.full_scan(None);
        } else {
            self.full_scan(Some("startup"));
        }
        for root in std::mem::take(&mut self.silent_roots) {
            self.baseline_event(&root);
        }
        self.baseline.roots = Some(roots);
        self.snapshot();
        tracing::info!(
            files = self.baseline.files.len(),
            ms = started.elapsed().as_millis() as u64,
            first_run = self.first_run,
            "file baseline ready"
        );
        let rescan_every = Duration::from_secs(self.config.rescan_interval_secs);
        let mut next_rescan = Instant::now() + rescan_every;
        let mut last_snapshot = Instant::now();
        while !stop.load(Ordering::Relaxed) && !self.stopped {
            self.drain(&rx, Duration::from_millis(50));
            if std::mem::take(&mut self.rewatch) {
                if let Some(w) = watcher.as_mut() {
                    self.add_watches(w, Some("realtime"));
                }
            }
            if overflow.swap(false, Ordering::Relaxed) {
                tracing::warn!("file event queue overflowed: rescanning");
                bump(&self.counters.fim_queue_overflows);
                self.pending.clear();
                self.held.clear();
                self.held.clear();
                self.full_scan(Some("rescan"));
            }
            self.process_due(false);
            if Instant::now() >= next_rescan {
                if let Some(w) = watcher.as_mut() {
                    self.add_watches(w, Some("rescan"));
                }
                self.full_scan(Some("rescan"));
                next_rescan = Instant::now() + rescan_every;
            }
            // Save soon after a burst ends, and now and then during a long one.
            let due = if self.pending.is_empty() {
                last_snapshot.elapsed() >= Duration::from_secs(1)
            } else {
                last_snapshot.elapsed() >= SNAPSHOT_EVERY
            };
            if self.changed_since_snapshot && due {
                self.snapshot();
                last_snapshot = Instant::now();
            }
        }
        self.process_due(true);
        self.snapshot();
    }

    fn drain(&mut self, rx: &queue::Receiver<notify::Result<notify::Event>>, wait: Duration) {
        let first = match rx.recv_timeout(wait) {
            Ok(e) => e,
            Err(RecvTimeoutError::Timeout) => return,
            Err(RecvTimeoutError::Disconnected) => {
                self.stopped = true;
                return;
            }
        };
        self.on_notify(first);
        while let Ok(e) = rx.try_recv() {
            self.on_notify(e);
        }
    }

    /// Watches every configured path not watched yet. One that does not exist yet has
    /// its nearest existing folder watched instead, so it is watched from the moment it
    /// appears. With `report` (how it was detected), what a path that appeared already
    /// holds is reported (`mkdir -p ~/.ssh && echo key > ~/.ssh/authorized_keys` is over
    /// before a watch can be set).
    fn add_watches(&mut self, watcher: &mut dyn Watcher, report: Option<&str>) {
        let mut needed = HashSet::new();
        let mut absent = Vec::new();
        for w in self.watches.watches().to_vec() {
            if self.watched_roots.contains(&w.root) {
                continue;
            }
            let (target, mode) = if w.root.is_dir() {
                let mode = if w.recursive {
                    RecursiveMode::Recursive
                } else {
                    RecursiveMode::NonRecursive
                };
                (w.root.clone(), mode)
            } else if w.root.exists() {
                // A single file: watch its folder, since editors replace files by rename.
                match w.root.parent() {
                    Some(p) => (p.to_path_buf(), RecursiveMode::NonRecursive),
                    None => continue,
                }
            } else {
                if let Some(ancestor) = w.root.ancestors().skip(1).find(|a| a.is_dir()) {
                    needed.insert(ancestor.to_path_buf());
                }
                absent.push(w.root.display().to_string());
                continue;
            };
            match watcher.watch(&target, mode) {
                Ok(()) => {
                    self.watched_roots.insert(w.root.clone());
                    self.watched_targets.insert(target);
                    if let Some(detected_by) = report {
                        tracing::info!(path = %w.root.display(), "watched path appeared; watching it");
                        self.scan_dir(&w.root, detected_by);
                    }
                }
                Err(e) => {
                    tracing::warn!(path = %target.display(), error = %e, "cannot watch; rescans will cover it");
                    bump(&self.counters.fim_watch_errors);
                }
            }
        }
        // Folders already watched for a configured path need no second watch (and must
        // not lose theirs when no longer needed here).
        needed.retain(|a| !self.watched_targets.contains(a));
        for ancestor in needed.difference(&self.ancestors) {
            if let Err(e) = watcher.watch(ancestor, RecursiveMode::NonRecursive) {
                tracing::warn!(path = %ancestor.display(), error = %e, "cannot watch for an absent path to appear; rescans will cover it");
                bump(&self.counters.fim_watch_errors);
            }
        }
        for ancestor in self.ancestors.difference(&needed) {
            let _ = watcher.unwatch(ancestor);
        }
        self.ancestors = needed;
        if !absent.is_empty() && report.is_none() {
            tracing::warn!(paths = ?absent, "watched paths absent; watched from the moment they appear");
        }
        self.counters
            .fim_paths_absent
            .store(absent.len() as u64, Ordering::Relaxed);
    }

    /// Whether `path` changing means watches must be set again: it is on the way to a
    /// configured path that does not exist yet, or it is a watched folder that is gone.
    fn affects_watches(&self, path: &Path) -> bool {
        self.watches.watches().iter().any(|w| {
            if self.watched_roots.contains(&w.root) {
                w.root == path && self.watched_targets.contains(path) && !path.exists()
            } else {
                w.root.starts_with(path)
            }
        })
    }

    fn on_notify(&mut self, event: notify::Result<notify::Event>) {
        let event = match event {
            Ok(e) => e,
            Err(e) => {
                tracing::warn!(error = %e, "file watcher error: rescanning");
                bump(&self.counters.fim_queue_overflows);
                self.full_scan(Some("rescan"));
                return;
            }
        };
        if event.need_rescan() {
            bump(&self.counters.fim_queue_overflows);
            self.pending.clear();
            self.held.clear();
            self.full_scan(Some("rescan"));
            return;
        }
        if !matches!(event.kind, EventKind::Access(_))
            && event.paths.iter().any(|p| self.affects_watches(p))
        {
            for p in &event.paths {
                if !p.exists() && self.watched_roots.remove(p) {
                    self.watched_targets.remove(p);
                }
            }
            self.rewatch = true;
        }
        match event.kind {
            EventKind::Create(_) => {
                for p in &event.paths {
                    self.mark(p.clone(), None);
                    if let Some(pending) = self.pending.get_mut(p) {
                        pending.created = true;
                        self.hold(p);
                    }
                }
            }
            EventKind::Access(AccessKind::Close(AccessMode::Write)) => {
                self.mark_all(&event.paths);
                for p in &event.paths {
                    if self.pending.get(p).is_some_and(|pending| pending.created) {
                        self.hold(p);
                    }
                }
            }
            EventKind::Access(_) => {}
            EventKind::Modify(ModifyKind::Name(RenameMode::Both)) if event.paths.len() == 2 => {
                self.mark_rename(event.paths[0].clone(), event.paths[1].clone());
            }
            _ => self.mark_all(&event.paths),
        }
    }

    /// Opens a file just created, if not yet held and the budget allows: should it be
    /// deleted before it is examined, its content is still read through the handle.
    fn hold(&mut self, path: &Path) {
        if self.held.len() >= MAX_HELD || self.held.contains_key(path) {
            return;
        }
        // Not a FIFO's open that blocks, nor a folder: regular files only.
        let regular = std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_file());
        if !regular {
            return;
        }
        if let Ok(file) = std::fs::File::open(path) {
            self.held.insert(path.to_path_buf(), file);
        }
    }

    fn mark_all(&mut self, paths: &[PathBuf]) {
        for p in paths {
            self.mark(p.clone(), None);
        }
    }

    fn mark(&mut self, path: PathBuf, rename_from: Option<PathBuf>) {
        if self.watches.covering(&path).is_none()
            && rename_from
                .as_ref()
                .is_none_or(|f| self.watches.covering(f).is_none())
        {
            return;
        }
        let now = Instant::now();
        let entry = self.pending.entry(path).or_insert(Pending {
            first: now,
            last: now,
            rename_from: None,
            created: false,
        });
        entry.last = now;
        if rename_from.is_some() {
            entry.rename_from = rename_from;
        }
        if self.pending.len() > self.config.max_pending {
            tracing::warn!(
                max = self.config.max_pending,
                "too many pending paths: rescanning"
            );
            bump(&self.counters.fim_pending_overflows);
            self.pending.clear();
            self.held.clear();
            self.full_scan(Some("rescan"));
        }
    }

    fn mark_rename(&mut self, from: PathBuf, to: PathBuf) {
        // A chain a → b → c within the settle time is one rename a → c.
        self.held.remove(&from);
        let origin = self
            .pending
            .remove(&from)
            .and_then(|p| p.rename_from)
            .unwrap_or(from);
        self.mark(to, Some(origin));
    }

    fn process_due(&mut self, all: bool) {
        let settle = Duration::from_millis(self.config.settle_ms);
        let now = Instant::now();
        let mut due: Vec<PathBuf> = self
            .pending
            .iter()
            .filter(|(_, p)| {
                all || now.duration_since(p.last) >= settle
                    || now.duration_since(p.first) >= MAX_SETTLE
            })
            .map(|(path, _)| path.clone())
            .collect();
        due.sort();
        for path in due {
            if self.stopped {
                return;
            }
            let Some(pending) = self.pending.remove(&path) else {
                continue;
            };
            let held = self.held.remove(&path);
            match pending.rename_from {
                Some(from) => self.renamed(&from, &path),
                None if pending.created && self.lived_briefly(&path) => self.transient(&path, held),
                None => self.examine(&path, "realtime"),
            }
        }
    }

    /// Whether `path`, seen created, is already gone and was never recorded.
    fn lived_briefly(&self, path: &Path) -> bool {
        !self.baseline.files.contains_key(path) && std::fs::symlink_metadata(path).is_err()
    }

    /// A file created and deleted before it could be examined (a dropper's way): both
    /// are reported, marked `Transient`, with the process behind them when known, and
    /// its content's hash and size when it was `held` open in time.
    fn transient(&mut self, path: &Path, held: Option<std::fs::File>) {
        if self.watches.covering(path).is_none() {
            return;
        }
        let content = held.and_then(|file| self.read_held(&file));
        for action in [FileAction::Created, FileAction::Deleted] {
            let mut draft = self
                .file_event(action, path, None, None, "realtime", None)
                .with(field::TRANSIENT, true);
            if let Some((sha256, size)) = &content {
                draft = draft
                    .with(field::SHA256, sha256.clone())
                    .with(field::SIZE, *size);
            }
            self.emit(draft);
        }
    }

    /// SHA-256 and size of a held file, deleted or not (read through `/proc/self/fd`,
    /// which reaches a deleted file's content), within `max_hash_bytes`.
    fn read_held(&self, file: &std::fs::File) -> Option<(String, u64)> {
        use std::os::fd::AsRawFd;
        let size = file.metadata().ok()?.len();
        if size > self.config.max_hash_bytes {
            return None;
        }
        let through = PathBuf::from(format!("/proc/self/fd/{}", file.as_raw_fd()));
        let sha256 = hash_file(&through, &self.throttle).ok()?;
        Some((sha256, size))
    }

    /// Compares one path with the baseline and reports what changed.
    fn examine(&mut self, path: &Path, detected_by: &str) {
        if self.watches.covering(path).is_none() {
            return;
        }
        let previous = self.baseline.files.get(path);
        match observe(path, previous, self.config.max_hash_bytes, &self.throttle) {
            Kind::Tracked(mut new) => {
                new.seen = self.mark;
                self.compare(path, new, Some(detected_by));
            }
            Kind::Dir => {
                self.examine_dir(path, Some(detected_by));
                self.scan_dir(path, detected_by);
            }
            Kind::Missing => self.gone(path, detected_by),
            Kind::Other => {}
        }
    }

    /// Records `new` for `path`, reporting the difference unless this is the silent
    /// first baseline (`detected_by` is `None`).
    fn compare(&mut self, path: &Path, new: FileState, detected_by: Option<&str>) {
        let old = self.baseline.files.get(path).cloned();
        let changed = old
            .as_ref()
            .map(|o| new.changed_attributes(o))
            .unwrap_or_default();
        let action = match &old {
            None => Some(FileAction::Created),
            Some(o) if new.content_differs(o) => Some(FileAction::Modified),
            Some(_) if !changed.is_empty() => Some(FileAction::AttributesChanged),
            Some(_) => None,
        };
        if let (Some(action), Some(by)) = (action, detected_by) {
            let mut draft = self.file_event(action, path, old.as_ref(), Some(&new), by, None);
            if action == FileAction::AttributesChanged {
                draft = draft.with(field::CHANGED, changed.join(","));
                // Timestomping sets a file's time back to hide it among old ones.
                if old.as_ref().is_some_and(|o| new.mtime_ns < o.mtime_ns) {
                    draft = draft.with(field::MTIME_BACKWARDS, true);
                }
            }
            self.emit(draft);
        }
        if old.as_ref() != Some(&new) {
            self.changed_since_snapshot = true;
        }
        self.baseline.files.insert(path.to_path_buf(), new);
    }

    fn scan_dir(&mut self, dir: &Path, detected_by: &str) {
        self.mark = self.mark.wrapping_add(1);
        let (mut found, mut folders) = (Vec::new(), Vec::new());
        self.watches
            .walk(dir, &mut |p| found.push(p.to_path_buf()), &mut |d| {
                folders.push(d.to_path_buf())
            });
        for d in folders {
            self.examine_dir(&d, Some(detected_by));
        }
        for p in found {
            self.examine_seen(&p, Some(detected_by));
        }
        for p in self.baseline.descendants(dir) {
            if self
                .baseline
                .files
                .get(&p)
                .is_some_and(|s| s.seen != self.mark)
            {
                self.examine(&p, detected_by);
            }
        }
    }

    /// Records a folder's mode and owner, reporting a change of either (a folder made
    /// writable by all, or given to another user, opens everything below it).
    fn examine_dir(&mut self, path: &Path, detected_by: Option<&str>) {
        let Ok(meta) = std::fs::symlink_metadata(path) else {
            return;
        };
        if !meta.is_dir() {
            return;
        }
        let new = DirState {
            mode: meta.mode() & 0o7777,
            uid: meta.uid(),
            gid: meta.gid(),
            seen: self.mark,
        };
        let old = self.baseline.dirs.insert(path.to_path_buf(), new);
        let Some(old) = old else {
            self.changed_since_snapshot = true;
            return;
        };
        let changed: Vec<&str> = [
            ("mode", old.mode != new.mode),
            ("owner", old.uid != new.uid),
            ("group", old.gid != new.gid),
        ]
        .into_iter()
        .filter(|(_, c)| *c)
        .map(|(n, _)| n)
        .collect();
        if changed.is_empty() {
            return;
        }
        self.changed_since_snapshot = true;
        let Some(by) = detected_by else {
            return;
        };
        let user = self.users.name(new.uid);
        let draft = self
            .file_event(FileAction::AttributesChanged, path, None, None, by, None)
            .with(field::FILE_TYPE, "directory")
            .with(field::CHANGED, changed.join(","))
            .with(field::OLD_MODE, format!("{:04o}", old.mode))
            .with(field::MODE, format!("{:04o}", new.mode))
            .with(field::OLD_UID, old.uid)
            .with(field::OLD_GID, old.gid)
            .with(field::UID, new.uid)
            .with(field::GID, new.gid)
            .with(field::USER, user);
        self.emit(draft);
    }

    fn examine_seen(&mut self, path: &Path, detected_by: Option<&str>) {
        let previous = self.baseline.files.get(path);
        if let Kind::Tracked(mut new) =
            observe(path, previous, self.config.max_hash_bytes, &self.throttle)
        {
            new.seen = self.mark;
            self.compare(path, new, detected_by);
        }
    }

    /// Walks every watched path; `None` builds the first baseline without reporting.
    fn full_scan(&mut self, detected_by: Option<&str>) {
        bump(&self.counters.fim_rescans);
        self.mark = self.mark.wrapping_add(1);
        for root in self.watches.roots() {
            let (mut found, mut folders) = (Vec::new(), Vec::new());
            self.watches
                .walk(&root, &mut |p| found.push(p.to_path_buf()), &mut |d| {
                    folders.push(d.to_path_buf())
                });
            let silent = self.silent_roots.contains(&root);
            for d in folders {
                self.examine_dir(&d, if silent { None } else { detected_by });
            }
            for p in found {
                if self.stopped {
                    return;
                }
                let silent = self
                    .watches
                    .covering(&p)
                    .is_some_and(|w| self.silent_roots.contains(&w.root));
                self.examine_seen(&p, if silent { None } else { detected_by });
            }
        }
        // Folders not seen are gone or no longer watched: their files say what happened.
        let mark = self.mark;
        let before = self.baseline.dirs.len();
        self.baseline.dirs.retain(|_, d| d.seen == mark);
        self.changed_since_snapshot |= self.baseline.dirs.len() != before;
        let unseen: Vec<PathBuf> = self
            .baseline
            .files
            .iter()
            .filter(|(_, s)| s.seen != self.mark)
            .map(|(p, _)| p.clone())
            .collect();
        for p in unseen {
            if self.watches.covering(&p).is_none() {
                // No longer watched (configuration changed): forget it quietly.
                self.baseline.files.remove(&p);
                self.changed_since_snapshot = true;
            } else if let Some(by) = detected_by {
                self.examine(&p, by);
            }
        }
        self.counters
            .fim_files
            .store(self.baseline.files.len() as u64, Ordering::Relaxed);
    }

    /// `path` is gone: report it and everything the baseline had below it.
    fn gone(&mut self, path: &Path, detected_by: &str) {
        self.baseline.dirs.retain(|d, _| !d.starts_with(path));
        let mut lost: Vec<PathBuf> = self.baseline.descendants(path);
        lost.insert(0, path.to_path_buf());
        for p in lost {
            if let Some(old) = self.baseline.files.remove(&p) {
                self.changed_since_snapshot = true;
                let draft =
                    self.file_event(FileAction::Deleted, &p, Some(&old), None, detected_by, None);
                self.emit(draft);
            }
        }
    }

    fn renamed(&mut self, from: &Path, to: &Path) {
        if self.watches.covering(to).is_none() {
            // Moved out of the watched tree: for us it is deleted.
            self.examine(from, "realtime");
            return;
        }
        match observe(to, None, self.config.max_hash_bytes, &self.throttle) {
            Kind::Tracked(_) => {
                let from_gone = !from.exists();
                match self.baseline.files.get(from).cloned().filter(|_| from_gone) {
                    Some(old) => self.move_one(from, to, old),
                    None => self.examine(to, "realtime"),
                }
            }
            Kind::Dir => {
                for child in self.baseline.descendants(from) {
                    let target = to.join(child.strip_prefix(from).expect("descendant of from"));
                    if let Some(old) = self.baseline.files.get(&child).cloned() {
                        self.move_one(&child, &target, old);
                    }
                }
                self.scan_dir(to, "realtime");
            }
            Kind::Missing => {
                self.examine(from, "realtime");
                self.examine(to, "realtime");
            }
            Kind::Other => self.examine(from, "realtime"),
        }
    }

    fn move_one(&mut self, from: &Path, to: &Path, old: FileState) {
        let Kind::Tracked(mut new) =
            observe(to, Some(&old), self.config.max_hash_bytes, &self.throttle)
        else {
            self.examine(from, "realtime");
            return;
        };
        new.seen = self.mark;
        self.baseline.files.remove(from);
        let mut draft = self.file_event(
            FileAction::Renamed,
            to,
            Some(&old),
            Some(&new),
            "realtime",
            Some(from),
        );
        if let Some(replaced) = self.baseline.files.get(to) {
            draft = draft.with(field::REPLACED_SHA256, replaced.sha256.clone());
        }
        self.baseline.files.insert(to.to_path_buf(), new);
        self.changed_since_snapshot = true;
        self.emit(draft);
    }

    /// One informational event for a newly watched `root`, with how many files it holds.
    fn baseline_event(&mut self, root: &Path) {
        let files = self.baseline.descendants(root).len()
            + usize::from(self.baseline.files.contains_key(root));
        tracing::info!(path = %root.display(), files, "newly watched path recorded (baseline)");
        let draft = EventDraft::now(Category::FileEvent)
            .with(field::TARGET_FILENAME, root.to_string_lossy())
            .with(field::ACTION, FileAction::Baseline.as_str())
            .with(field::DETECTED_BY, "startup")
            .with(field::WATCH_PATH, root.to_string_lossy())
            .with(field::WATCH_SEVERITY, "informational")
            .with(field::FILES, files as u64);
        self.emit(draft);
    }

    fn file_event(
        &mut self,
        action: FileAction,
        path: &Path,
        old: Option<&FileState>,
        new: Option<&FileState>,
        detected_by: &str,
        previous: Option<&Path>,
    ) -> EventDraft {
        let watch = self
            .watches
            .covering(path)
            .or_else(|| previous.and_then(|p| self.watches.covering(p)));
        let (watch_path, severity) = watch
            .map(|w| (w.root.to_string_lossy().into_owned(), w.severity.clone()))
            .unwrap_or_default();
        let mut draft = EventDraft::now(Category::FileEvent)
            .with(field::TARGET_FILENAME, path.to_string_lossy())
            .with(field::ACTION, action.as_str())
            .with(field::DETECTED_BY, detected_by)
            .with(field::WATCH_PATH, watch_path)
            .with(field::WATCH_SEVERITY, severity);
        if let Some(p) = previous {
            draft = draft.with(field::PREVIOUS_FILENAME, p.to_string_lossy());
        }
        if let Some(o) = old {
            draft = draft
                .with(field::OLD_SHA256, o.sha256.clone())
                .with(field::OLD_SIZE, o.size)
                .with(field::OLD_MODE, o.mode_text())
                .with(field::OLD_UID, o.uid)
                .with(field::OLD_GID, o.gid)
                .with(field::OLD_MTIME, (o.mtime_ns / 1_000_000).max(0) as u64);
            if !o.caps.is_empty() {
                draft = draft.with(field::OLD_CAPABILITIES, o.caps.clone());
            }
        }
        let current = new.or(old);
        if let Some(s) = current {
            let user = self.users.name(s.uid);
            draft = draft
                .with(field::UID, s.uid)
                .with(field::GID, s.gid)
                .with(field::USER, user)
                .with(field::MODE, s.mode_text())
                .with(field::SIZE, s.size)
                .with(field::MTIME, (s.mtime_ns / 1_000_000).max(0) as u64)
                .with(field::INODE, s.ino);
            if !s.caps.is_empty() {
                draft = draft.with(field::CAPABILITIES, s.caps.clone());
            }
            if !s.xattrs.is_empty() {
                draft = draft.with(field::XATTR_SHA256, s.xattrs.clone());
            }
        }
        if let Some(n) = new {
            draft = draft.with(field::SHA256, n.sha256.clone());
            if !n.skipped.is_empty() {
                draft = draft.with(field::HASH_SKIPPED, n.skipped.clone());
            }
        }
        let deeds: &[who::Deed] = match action {
            FileAction::Created => &[who::Deed::Wrote, who::Deed::Placed],
            FileAction::Modified => &[who::Deed::Wrote],
            FileAction::Deleted => &[who::Deed::Removed],
            FileAction::Renamed => &[who::Deed::Placed],
            FileAction::AttributesChanged => &[who::Deed::Attributes, who::Deed::Wrote],
            FileAction::Baseline => &[],
        };
        let writer = self.who.as_ref().and_then(|table| {
            table
                .who(path, deeds)
                .or_else(|| table.who(&real_path(path)?, deeds))
        });
        if let Some(w) = writer {
            let user = self.users.name(w.uid);
            draft = draft
                .with(field::PROCESS_ID, w.pid)
                .with(field::IMAGE, w.image)
                .with(field::PROCESS_USER, user);
            if let Some(command_line) = w.command_line {
                draft = draft.with(field::COMMAND_LINE, command_line);
            }
            if let Some(manager) = w.package_manager {
                draft = draft.with(field::PACKAGE_MANAGER, manager);
            }
        }
        draft
    }

    fn emit(&mut self, draft: EventDraft) {
        bump(&self.counters.file_events);
        if self.sink.blocking_send(Item::Event(draft)).is_err() {
            self.stopped = true;
        }
    }

    /// Saves the baseline once everything reported so far is durable in the spool.
    fn snapshot(&mut self) {
        let Some(path) = self.baseline_path.clone() else {
            self.changed_since_snapshot = false;
            return;
        };
        let Some(seq) = crate::pipeline::wait_durable(&self.sink) else {
            self.stopped = true;
            return;
        };
        match self.baseline.save(&path, seq) {
            Ok(()) => {
                self.changed_since_snapshot = false;
                let _ = self.sink.blocking_send(Item::StateSaved {
                    owner: crate::spool::StateOwner::FileBaseline,
                    seq,
                });
            }
            Err(e) => {
                tracing::error!(path = %path.display(), error = %e, "cannot save the file baseline")
            }
        }
    }
}

impl crate::sensors::sensor::Sensor for FileSensor {
    fn name(&self) -> &'static str {
        "vigie-fim"
    }

    fn run(self: Box<Self>, stop: Arc<AtomicBool>) {
        (*self).run_until(stop)
    }
}

/// `path` with its folder's symbolic links resolved (the file itself may be gone), when
/// that differs: the name a program used to write through a linked folder.
fn real_path(path: &Path) -> Option<PathBuf> {
    let real = std::fs::canonicalize(path.parent()?)
        .ok()?
        .join(path.file_name()?);
    (real != path).then_some(real)
}
