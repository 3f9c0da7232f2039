//! The reads sensor: reports each open for reading of a sensitive file — password
//! hashes, private keys, shell histories, credential stores (`[reads] paths`) — and each
//! open of a process's memory by another (`/proc/PID/mem`), with the process that asked,
//! as `file_access` events. Opens are seen in the kernel ([`probe`]), so a `cat` that
//! lives a millisecond is still named with its arguments, and every other open costs
//! one hash lookup there.
//!
//! The files are found again every second ([`scan`]): one created later, or replaced
//! (as `passwd` replaces `/etc/shadow`), is watched from the next look. Not seen: a read
//! in the second after a file is created or replaced, a file read through a copy made
//! by a program that does not open it (a block-device read, a backup of the disk), and
//! the memory of a process read with `process_vm_readv` or `ptrace` rather than through
//! `/proc/PID/mem`.

mod probe;
mod scan;

use std::cell::RefCell;
use std::collections::HashSet;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use vigie_model::agent_config::ReadsConfig;
use vigie_model::event::{field, Category};
use vigie_model::EventDraft;

use crate::ebpf;
use crate::health::{bump, Counters};
use crate::lineage::Lineage;
use crate::pipeline::{Item, Sink};
use crate::procfs;

use crate::users::UserNames;
use probe::{Kind, Read, ReadProbe};
use scan::Found;

/// How often the sensitive files are looked for again.
const RESCAN_EVERY: Duration = Duration::from_secs(1);

/// The reads sensor.
pub struct ReadSensor {
    config: ReadsConfig,
    sink: Sink,
    counters: Arc<Counters>,
}

impl ReadSensor {
    /// A sensor for `config`.
    pub fn new(config: ReadsConfig, sink: Sink, counters: Arc<Counters>) -> ReadSensor {
        ReadSensor {
            config,
            sink,
            counters,
        }
    }
}

/// What the sensor knows between two records.
struct Watch {
    found: Found,
    /// The inode numbers in the kernel's map.
    watched: HashSet<u64>,
    last_scan: Option<Instant>,
    users: UserNames,
    lineage: Lineage,
}

impl crate::sensors::sensor::Sensor for ReadSensor {
    fn name(&self) -> &'static str {
        "vigie-reads"
    }

    fn run(self: Box<Self>, stop: Arc<AtomicBool>) {
        let probe = match ReadProbe::load() {
            Ok(probe) => probe,
            Err(e) => {
                tracing::warn!(error = %e, "reads of sensitive files unavailable (eBPF): they are not reported");
                self.counters.set_reads_mode("");
                return;
            }
        };
        self.counters.set_reads_mode(probe.mode);
        tracing::info!(mode = probe.mode, "reads of sensitive files, from eBPF");
        let watch = RefCell::new(Watch {
            found: Found::default(),
            watched: HashSet::new(),
            last_scan: None,
            users: UserNames::default(),
            lineage: Lineage::default(),
        });
        self.rescan(&probe, &mut watch.borrow_mut());
        let followed = ebpf::follow_with_progress(
            probe.object(),
            "read_events",
            "read_drops",
            &stop,
            probe::parse,
            |read| {
                let mut watch = watch.borrow_mut();
                let Some(draft) = self.event(&read, &mut watch) else {
                    return true;
                };
                bump(&self.counters.file_reads);
                self.sink.blocking_send(Item::Event(draft)).is_ok()
            },
            |dropped| {
                self.counters
                    .reads_lost
                    .fetch_add(dropped, Ordering::Relaxed);
                tracing::warn!(
                    dropped,
                    "the kernel dropped reads of sensitive files (ring buffer full)"
                );
            },
            |_| {
                let mut watch = watch.borrow_mut();
                if watch
                    .last_scan
                    .is_none_or(|at| at.elapsed() >= RESCAN_EVERY)
                {
                    self.rescan(&probe, &mut watch);
                }
            },
        );
        if let Err(e) = followed {
            tracing::error!(error = %e, "reads of sensitive files stopped");
        }
    }
}

impl ReadSensor {
    /// Finds the sensitive files again and brings the kernel's map in step.
    fn rescan(&self, probe: &ReadProbe, watch: &mut Watch) {
        watch.last_scan = Some(Instant::now());
        let found = Found::scan(&self.config.paths);
        let now: HashSet<u64> = found.by_inode.keys().copied().collect();
        for gone in watch.watched.difference(&now) {
            if let Err(e) = probe.set_watched(*gone, false) {
                tracing::debug!(error = %e, inode = gone, "could not stop watching an inode");
            }
        }
        watch.watched.retain(|inode| now.contains(inode));
        for inode in now {
            if watch.watched.contains(&inode) {
                continue;
            }
            if watch.watched.len() >= probe::MAX_WATCHED {
                bump(&self.counters.reads_lost);
                continue;
            }
            match probe.set_watched(inode, true) {
                Ok(()) => {
                    watch.watched.insert(inode);
                }
                Err(e) => {
                    bump(&self.counters.reads_lost);
                    tracing::warn!(error = %e, inode, "could not watch a sensitive file");
                }
            }
        }
        self.counters
            .reads_watched
            .store(watch.watched.len() as u64, Ordering::Relaxed);
        watch.found = found;
    }

    /// The event for `read`, or `None` when it is not one to report.
    fn event(&self, read: &Read, watch: &mut Watch) -> Option<EventDraft> {
        let mut draft = EventDraft::now(Category::FileAccess)
            .with(field::TARGET_FILENAME, read.path.display().to_string())
            .with(
                field::ACCESS_MODE,
                if read.read_write {
                    "read_write"
                } else {
                    "read"
                },
            );
        match read.kind {
            Kind::Watched => {
                let sensitive = watch.found.which(read.dev, read.inode, &read.path)?;
                draft = draft.with(field::SENSITIVE_FILE, sensitive.display().to_string());
            }
            Kind::ProcMem => {
                let target = memory_of(&read.path)?;
                if !self.config.proc_mem || target == read.pid {
                    return None;
                }
                draft = draft.with(field::TARGET_PROCESS_ID, target);
            }
        }
        draft = draft
            .with(field::IMAGE, read.image.clone())
            .with(field::PROCESS_ID, read.pid)
            .with(field::PARENT_PROCESS_ID, read.ppid)
            .with(field::USER, watch.users.name(read.uid));
        if let Some(command_line) = &read.command_line {
            draft = draft.with(field::COMMAND_LINE, command_line.clone());
        }
        let manager = watch
            .lineage
            .package_manager(read.pid)
            .or_else(|| watch.lineage.package_manager(read.ppid));
        if let Some(manager) = manager {
            draft = draft.with(field::PACKAGE_MANAGER, manager);
        }
        // The parent usually outlives the read (a script waits for its `cp`): what it
        // runs tells a nightly backup from a shell an intruder typed in.
        let proc = Path::new("/proc");
        if let Ok(image) = std::fs::read_link(procfs::process::exe_path(proc, read.ppid)) {
            let image = image.to_string_lossy();
            draft = draft.with(field::PARENT_IMAGE, image.trim_end_matches(" (deleted)"));
        }
        if let Some(command_line) = procfs::process::command_line(proc, read.ppid) {
            draft = draft.with(field::PARENT_COMMAND_LINE, command_line);
        }
        Some(draft)
    }
}

/// The process whose memory `path` (`/proc/PID/mem`) is.
fn memory_of(path: &Path) -> Option<u32> {
    let mut parts = path.strip_prefix("/proc").ok()?.components();
    let pid = parts.next()?.as_os_str().to_str()?.parse().ok()?;
    (parts.next()?.as_os_str() == "mem" && parts.next().is_none()).then_some(pid)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_process_whose_memory_is_opened() {
        assert_eq!(memory_of(Path::new("/proc/812/mem")), Some(812));
        assert_eq!(memory_of(Path::new("/proc/self/mem")), None);
        assert_eq!(memory_of(Path::new("/proc/812/maps")), None);
        assert_eq!(memory_of(Path::new("/tmp/812/mem")), None);
    }
}
