//! Process creation: every exec, in real time, with its program, arguments, parent and
//! user, and the SHA-256 of the program. Three sources, the best that works first:
//!
//! 1. eBPF ([`ebpf`]): the kernel hands over the whole exec, arguments included, so a
//!    process that lives a microsecond is still reported whole;
//! 2. the kernel's audit subsystem ([`audit`]), where eBPF is refused: each exec's
//!    program, arguments and folder written by the kernel before the process can exit;
//! 3. the kernel's process connector ([`connector`]): says a process exec'd, the rest
//!    is read from `/proc`, so a process that exits first is reported with what is
//!    known (`Incomplete`) and counted;
//! 4. listing `/proc` every second (not root, no connector).
//!
//! Which one runs is in `agent_health` (`ProcessMode`): a degraded sensor is visible.

mod audit;
mod connector;
mod ebpf;
mod exec_record;
mod readable;

use std::collections::{HashMap, HashSet};
use std::os::unix::fs::MetadataExt;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use vigie_model::event::field;
use vigie_model::{Category, EventDraft};

use crate::health::{bump, Counters};
use crate::lineage::Lineage;
use crate::pipeline::{Item, Sink};
use crate::procfs::process::{self as procfs, ProcInfo};
use crate::throttle::Throttle;
use crate::users::UserNames;
use connector::{Connector, ProcEvent};

/// Most parent links remembered from fork events (for processes gone before we read
/// them); past it the table is cleared and the clearing counted.
const MAX_PARENTS: usize = 65_536;
/// Most program hashes cached.
const MAX_HASHES: usize = 4_096;
/// How long a parent read from `/proc` is reused for its next children: a shell
/// starting commands in a loop is read once a second, not once a command (a quarter of
/// the agent's time in an exec storm went to reading parents and their ancestries).
/// A parent that runs a new program is read again at once.
const PARENT_KEEP: Duration = Duration::from_secs(1);
/// Most parents kept from `/proc` reads.
const MAX_PARENTS_READ: usize = 4_096;

/// The process sensor.
pub struct ProcessSensor {
    sink: Sink,
    counters: Arc<Counters>,
    proc_root: PathBuf,
    users: UserNames,
    parents: HashMap<u32, u32>,
    /// Processes seen exec'ing through eBPF, for children whose parent is gone.
    recent: HashMap<u32, ProcInfo>,
    /// Parents lately read from `/proc`, and when.
    parents_read: HashMap<u32, (Instant, ProcInfo)>,
    hashes: HashMap<(u64, u64, u64, i64), String>,
    lineage: Lineage,
    own_pid: u32,
    stopped: bool,
    use_ebpf: bool,
    use_audit: bool,
    use_connector: bool,
    throttle: Arc<Throttle>,
}

/// Which kernel sources the sensor may use, best first (from `[process]`).
#[derive(Debug, Clone, Copy)]
pub struct Sources {
    /// eBPF.
    pub ebpf: bool,
    /// The audit subsystem.
    pub audit: bool,
    /// The process connector (false: listing `/proc`, and nothing better).
    pub connector: bool,
}

impl ProcessSensor {
    /// A sensor sending to `sink`, from the best of `sources` that works; without the
    /// connector, it lists `/proc` (the better sources need the same privileges).
    pub fn new(
        sink: Sink,
        counters: Arc<Counters>,
        throttle: Arc<Throttle>,
        sources: Sources,
    ) -> ProcessSensor {
        ProcessSensor {
            throttle,
            sink,
            counters,
            proc_root: PathBuf::from("/proc"),
            users: UserNames::default(),
            parents: HashMap::new(),
            recent: HashMap::new(),
            parents_read: HashMap::new(),
            hashes: HashMap::new(),
            lineage: Lineage::default(),
            own_pid: std::process::id(),
            stopped: false,
            use_ebpf: sources.ebpf && sources.connector,
            use_audit: sources.audit && sources.connector,
            use_connector: sources.connector,
        }
    }

    /// Runs until `stop` is set. Blocks: call it on its own thread.
    fn run_until(mut self, stop: Arc<AtomicBool>) {
        if self.use_ebpf {
            self.follow_ebpf(&stop);
            if stop.load(Ordering::Relaxed) || self.stopped {
                return;
            }
        }
        if self.use_audit {
            self.follow_audit(&stop);
            if stop.load(Ordering::Relaxed) || self.stopped {
                return;
            }
        }
        let connector = if self.use_connector {
            Connector::open()
        } else {
            Err(std::io::Error::other(
                "disabled by configuration (process.connector = false)",
            ))
        };
        match connector {
            Ok(mut connector) => {
                self.counters.set_process_mode("connector");
                tracing::info!("process events from the kernel connector");
                while !stop.load(Ordering::Relaxed) && !self.stopped {
                    match connector.read(200) {
                        Ok(events) => {
                            for event in events {
                                self.on_event(event);
                            }
                        }
                        Err(e) if e.raw_os_error() == Some(libc::ENOBUFS) => {
                            bump(&self.counters.process_lost);
                            tracing::warn!(
                                "the kernel dropped process events (receive buffer full)"
                            );
                        }
                        Err(e) => {
                            tracing::error!(error = %e, "process connector failed; polling /proc instead");
                            break;
                        }
                    }
                }
                if stop.load(Ordering::Relaxed) || self.stopped {
                    return;
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "process connector unavailable; listing processes every second")
            }
        }
        self.counters.set_process_mode("polling");
        self.poll(stop);
    }

    /// Follows execs through eBPF until stopped; returns at once (logged) when eBPF
    /// cannot be used, or when it fails, for the caller to fall back.
    fn follow_ebpf(&mut self, stop: &AtomicBool) {
        let probe = match ebpf::ExecProbe::load() {
            Ok(probe) => probe,
            Err(e) => {
                tracing::warn!(error = %e, "eBPF unavailable; process events from the kernel connector instead");
                return;
            }
        };
        self.counters.set_process_mode("ebpf");
        tracing::info!("process events from eBPF (exec tracepoint)");
        let counters = self.counters.clone();
        let followed = probe.follow(
            stop,
            |record| {
                self.on_exec_record(record, "ebpf");
                !self.stopped
            },
            |dropped| {
                counters.process_lost.fetch_add(dropped, Ordering::Relaxed);
                tracing::warn!(
                    dropped,
                    "the kernel dropped exec records (ring buffer full)"
                );
            },
        );
        if let Err(e) = followed {
            tracing::error!(error = %e, "eBPF process sensor failed; falling back to the kernel connector");
        }
    }

    /// Follows execs through the audit subsystem until stopped; returns at once (logged)
    /// when it cannot be used, or when it fails, for the caller to fall back.
    fn follow_audit(&mut self, stop: &AtomicBool) {
        let audit = match audit::AuditExec::open() {
            Ok(audit) => audit,
            Err(e) => {
                tracing::warn!(error = %e, "kernel audit unavailable; process events from the kernel connector instead");
                return;
            }
        };
        self.counters.set_process_mode("audit");
        match audit.role() {
            audit::Role::Daemon { .. } => tracing::info!(
                "process events from the kernel audit subsystem (as its daemon: no auditd runs)"
            ),
            audit::Role::Reader => tracing::info!(
                "process events from the kernel audit subsystem (reading beside auditd)"
            ),
        }
        let counters = self.counters.clone();
        let followed = audit.follow(
            stop,
            |record| {
                self.on_exec_record(record, "audit");
                !self.stopped
            },
            |lost| {
                counters.process_lost.fetch_add(lost, Ordering::Relaxed);
                tracing::warn!(lost, "the kernel lost audit records (queue full)");
            },
        );
        if let Err(e) = followed {
            tracing::error!(error = %e, "audit process sensor failed; falling back to the kernel connector");
        }
    }

    /// One exec from eBPF or audit: all of it came from the kernel; only the parent (alive, as a
    /// rule) and the program's hash are read here.
    fn on_exec_record(&mut self, r: exec_record::ExecRecord, detected_by: &str) {
        if r.pid == self.own_pid {
            return;
        }
        let command_line = (!r.args.is_empty()).then(|| r.args.join(" "));
        let info = ProcInfo {
            ppid: Some(r.ppid),
            image: Some(r.image),
            command_line,
            cwd: r.cwd,
            uid: Some(r.uid),
            login_uid: r.login_uid,
        };
        // This process runs a new program: what was read of it as a parent is stale.
        self.parents_read.remove(&r.pid);
        let parent = self.parent(r.ppid);
        if self.recent.len() >= MAX_PARENTS {
            self.recent.clear();
            bump(&self.counters.process_parents_cleared);
        }
        self.recent.insert(r.pid, info.clone());
        self.emit(r.pid, detected_by, info, parent, r.args_truncated);
    }

    /// What is known of parent `ppid`: read from `/proc` (reused for [`PARENT_KEEP`]),
    /// or, when it is gone already, what its own exec said if it was seen.
    fn parent(&mut self, ppid: u32) -> ProcInfo {
        if let Some((at, info)) = self.parents_read.get(&ppid) {
            if at.elapsed() < PARENT_KEEP {
                return info.clone();
            }
        }
        let parent = procfs::read(&self.proc_root, ppid);
        if parent.image.is_none() {
            return self.recent.get(&ppid).cloned().unwrap_or(parent);
        }
        if self.parents_read.len() >= MAX_PARENTS_READ {
            self.parents_read.clear();
        }
        self.parents_read
            .insert(ppid, (Instant::now(), parent.clone()));
        parent
    }

    fn on_event(&mut self, event: ProcEvent) {
        match event {
            ProcEvent::Fork { parent, child } => {
                if self.parents.len() >= MAX_PARENTS {
                    self.parents.clear();
                    bump(&self.counters.process_parents_cleared);
                }
                self.parents.insert(child, parent);
            }
            ProcEvent::Exec { pid } => self.report(pid, "connector"),
            ProcEvent::Exit { pid } => {
                self.parents.remove(&pid);
            }
        }
    }

    /// Without the connector: list processes with `sysinfo` every second and report the
    /// new ones (a process shorter than the interval can be missed; `ProcessMode` says
    /// `polling` so analysts know).
    fn poll(&mut self, stop: Arc<AtomicBool>) {
        let Ok(mut system) = sysinfo::System::new() else {
            tracing::error!("cannot list processes: process monitoring is off");
            self.counters.set_process_mode("off");
            return;
        };
        let list = |system: &mut sysinfo::System| -> HashSet<u32> {
            system.refresh_processes_specifics(
                sysinfo::ProcessesToUpdate::All,
                true,
                sysinfo::ProcessRefreshKind::nothing(),
            );
            system.processes().keys().map(|p| p.as_u32()).collect()
        };
        let mut known = list(&mut system);
        tracing::info!(
            processes = known.len(),
            "processes listed; new ones reported from now on"
        );
        while !stop.load(Ordering::Relaxed) && !self.stopped {
            std::thread::sleep(Duration::from_secs(1));
            let now = list(&mut system);
            let mut new: Vec<u32> = now.difference(&known).copied().collect();
            new.sort_unstable();
            for pid in new {
                self.report(pid, "polling");
            }
            known = now;
        }
    }

    /// A process the connector or the listing found: read from `/proc`.
    fn report(&mut self, pid: u32, detected_by: &str) {
        if pid == self.own_pid {
            return;
        }
        let mut info = procfs::read(&self.proc_root, pid);
        info.ppid = info.ppid.or_else(|| self.parents.get(&pid).copied());
        self.parents_read.remove(&pid);
        let parent = info.ppid.map(|p| self.parent(p)).unwrap_or_default();
        self.emit(pid, detected_by, info, parent, false);
    }

    fn emit(
        &mut self,
        pid: u32,
        detected_by: &str,
        info: ProcInfo,
        parent: ProcInfo,
        args_truncated: bool,
    ) {
        let complete = info.image.is_some() && info.command_line.is_some();
        if !complete {
            bump(&self.counters.process_exited_early);
        }
        let ppid = info.ppid;
        let mut draft = EventDraft::now(Category::ProcessCreation)
            .with(field::PROCESS_ID, pid)
            .with(field::DETECTED_BY, detected_by);
        if let Some(p) = ppid {
            draft = draft.with(field::PARENT_PROCESS_ID, p);
        }
        draft = with_info(draft, "", &info);
        draft = with_info(draft, "Parent", &parent);
        if let Some(uid) = info.uid {
            let user = self.users.name(uid);
            draft = draft.with(field::USER, user).with(field::UID, uid);
        }
        if let Some(login) = info.login_uid {
            draft = draft.with(field::LOGON_ID, login);
        }
        // It has just run a new program: what was known of it no longer holds.
        self.lineage.forget(pid);
        let manager = self
            .lineage
            .package_manager(pid)
            .or_else(|| ppid.and_then(|p| self.lineage.package_manager(p)));
        if let Some(manager) = manager {
            draft = draft.with(field::PACKAGE_MANAGER, manager);
        }
        if let Some(hash) = self.program_hash(pid, info.image.as_deref()) {
            draft = draft.with(field::SHA256, hash);
        }
        if !complete {
            draft = draft.with(field::INCOMPLETE, true);
        }
        if args_truncated {
            draft = draft.with(field::COMMAND_LINE_TRUNCATED, true);
        }
        bump(&self.counters.process_events);
        if self.sink.blocking_send(Item::Event(draft)).is_err() {
            self.stopped = true;
        }
    }

    /// SHA-256 of the program `pid` runs (through `/proc`, which holds even a deleted
    /// or replaced program; from `image` once the process is gone), cached by device,
    /// inode, size and mtime so a busy server does not rehash `/bin/sh` for every exec.
    fn program_hash(&mut self, pid: u32, image: Option<&str>) -> Option<String> {
        let mut exe = procfs::exe_path(&self.proc_root, pid);
        let meta = match std::fs::metadata(&exe) {
            Ok(meta) => meta,
            Err(_) => {
                exe = PathBuf::from(image?);
                std::fs::metadata(&exe).ok()?
            }
        };
        let key = (meta.dev(), meta.ino(), meta.size(), meta.mtime());
        if let Some(hash) = self.hashes.get(&key) {
            return Some(hash.clone());
        }
        let hash = crate::sensors::file::hash_file(&exe, &self.throttle).ok()?;
        if self.hashes.len() >= MAX_HASHES {
            self.hashes.clear();
        }
        self.hashes.insert(key, hash.clone());
        Some(hash)
    }
}

fn with_info(mut draft: EventDraft, prefix: &str, info: &ProcInfo) -> EventDraft {
    if let Some(image) = &info.image {
        draft = draft.with(&format!("{prefix}{}", field::IMAGE), image.clone());
    }
    if let Some(cmd) = &info.command_line {
        draft = draft.with(&format!("{prefix}{}", field::COMMAND_LINE), cmd.clone());
    }
    if prefix.is_empty() {
        if let Some(cwd) = &info.cwd {
            draft = draft.with(field::CURRENT_DIRECTORY, cwd.clone());
        }
    }
    draft
}

impl crate::sensors::sensor::Sensor for ProcessSensor {
    fn name(&self) -> &'static str {
        "vigie-process"
    }

    fn run(self: Box<Self>, stop: Arc<AtomicBool>) {
        (*self).run_until(stop)
    }
}
