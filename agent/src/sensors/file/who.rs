//! Who changed a file: `agent/bpf/files.bpf.c` reports, from the system call
//! tracepoints, each open for writing, deletion, rename, new folder or link, and change of mode,
//! owner, size, times or extended attributes, with the process that asked for it. Records under a watched path are kept for
//! [`WINDOW`] in a [`WhoTable`] that the file sensor reads when it reports a change,
//! so a file event names the process and user behind it (Wazuh's who-data, without
//! auditd).
//!
//! The kernel sends the path as the process gave it, with the folder it is relative to;
//! it is joined here without resolving symbolic links. What can still go unattributed:
//! a change through a linked folder, writes through a file opened long before (more
//! than [`WINDOW`]) or mapped in memory, and changes when eBPF is unavailable (the
//! events themselves are still reported by the watches and the rescans). A call that
//! the kernel then refuses is noted too: the author is the latest process that asked.

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use libbpf_rs::{Link, Object};

use super::who_filter::RootFilter;
use crate::ebpf::{self, components, text, u32_at};

/// The compiled eBPF program (see `build.rs`).
const PROGRAM: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/files.bpf.o"));

/// How long a process stays the known author of a path.
pub(super) const WINDOW: Duration = Duration::from_secs(30);
/// Most paths remembered; past it the oldest half goes (counted).
const MAX_PATHS: usize = 16_384;

// Layout of `struct file_record` in files.bpf.c.
const NAME_BUF: usize = 512;
const PATH_BUF: usize = 1024 + 256;
const PPID_AT: usize = 28;
const COMM_AT: usize = 32;
/// The header of a record; its fields follow, packed, in the order of their lengths.
const HEADER: usize = 48;
const ARGS_READ: usize = 1024;
/// Where each field's length is, and its longest, in the order the fields follow.
const NAME_LEN_AT: (usize, usize) = (16, NAME_BUF);
const NAME2_LEN_AT: (usize, usize) = (18, NAME_BUF);
const BASE_LEN_AT: (usize, usize) = (20, PATH_BUF);
const BASE2_LEN_AT: (usize, usize) = (22, PATH_BUF);
const EXE_LEN_AT: (usize, usize) = (24, PATH_BUF);
const ARGS_LEN_AT: (usize, usize) = (26, ARGS_READ);

/// What a process did to a path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum FileOp {
    /// Opened it for writing (perhaps creating it).
    Write,
    /// Deleted it.
    Unlink,
    /// Renamed it (the record's second path is the new name).
    Rename,
    /// Changed its mode.
    Chmod,
    /// Changed its owner.
    Chown,
    /// Truncated it.
    Truncate,
    /// Set its times.
    Utimes,
    /// Made a folder.
    Mkdir,
    /// Removed a folder.
    Rmdir,
    /// Set an extended attribute (file capabilities, ACLs).
    Setxattr,
    /// Made a symbolic or hard link (the path is the new name).
    Link,
}

/// The kind of change a record stands for, to match it with what the watches saw.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum Deed {
    /// Wrote (or created, or truncated) the file.
    Wrote,
    /// Removed it, or renamed it away.
    Removed,
    /// Made it appear: a new folder, or a rename to it.
    Placed,
    /// Changed its mode, owner, times or extended attributes.
    Attributes,
}

impl FileOp {
    /// What this did to the path it names (a rename's new path was [`Deed::Placed`]).
    fn deed(self) -> Deed {
        match self {
            FileOp::Write | FileOp::Truncate => Deed::Wrote,
            FileOp::Unlink | FileOp::Rmdir | FileOp::Rename => Deed::Removed,
            FileOp::Mkdir | FileOp::Link => Deed::Placed,
            FileOp::Chmod | FileOp::Chown | FileOp::Utimes | FileOp::Setxattr => Deed::Attributes,
        }
    }

    fn from_code(code: u32) -> Option<FileOp> {
        Some(match code {
            1 => FileOp::Write,
            3 => FileOp::Unlink,
            4 => FileOp::Rename,
            5 => FileOp::Chmod,
            6 => FileOp::Chown,
            7 => FileOp::Truncate,
            8 => FileOp::Utimes,
            9 => FileOp::Mkdir,
            10 => FileOp::Rmdir,
            11 => FileOp::Setxattr,
            12 => FileOp::Link,
            _ => return None,
        })
    }
}

/// One record from the kernel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct FileAccess {
    /// What was done.
    pub op: FileOp,
    /// The process (thread group) id.
    pub pid: u32,
    /// Its parent's.
    pub ppid: u32,
    /// Its real user id.
    pub uid: u32,
    /// The path acted on.
    pub path: PathBuf,
    /// The new path of a rename.
    pub new_path: Option<PathBuf>,
    /// The program's real path, or its name when the path could not be read.
    pub image: String,
    /// Its arguments joined by spaces (the first 1 KiB), when it had any.
    pub command_line: Option<String>,
}

/// The process behind a change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Writer {
    /// Process id.
    pub pid: u32,
    /// Real user id.
    pub uid: u32,
    /// Its program.
    pub image: String,
    /// Its arguments (the first 1 KiB, read in the kernel), when it had any.
    pub command_line: Option<String>,
    /// The package manager it ran under, looked up when the record arrived (the
    /// writer and its parents may be gone by the time the change is reported).
    pub package_manager: Option<&'static str>,
}

/// Recent authors of watched paths, shared by the reader thread and the file sensor.
#[derive(Debug, Default)]
pub(super) struct WhoTable {
    paths: Mutex<HashMap<(PathBuf, Deed), (Instant, Writer)>>,
}

impl WhoTable {
    /// Records `writer` as the latest to have done `deed` to `path`; returns how many
    /// entries had to be forgotten early to make room.
    pub(super) fn note(&self, path: PathBuf, deed: Deed, writer: Writer) -> usize {
        let mut paths = self.paths.lock().expect("who lock");
        let mut forgotten = 0;
        if paths.len() >= MAX_PATHS {
            let before = paths.len();
            paths.retain(|_, (at, _)| at.elapsed() < WINDOW);
            if paths.len() >= MAX_PATHS / 2 {
                let mut ages: Vec<Instant> = paths.values().map(|(at, _)| *at).collect();
                ages.sort_unstable();
                let cut = ages[ages.len() / 2];
                paths.retain(|_, (at, _)| *at > cut);
                forgotten = before - paths.len();
            }
        }
        paths.insert((path, deed), (Instant::now(), writer));
        forgotten
    }

    /// The latest process within [`WINDOW`] to have done one of `deeds` to `path`.
    pub(super) fn who(&self, path: &Path, deeds: &[Deed]) -> Option<Writer> {
        let paths = self.paths.lock().expect("who lock");
        deeds
            .iter()
            .filter_map(|d| paths.get(&(path.to_path_buf(), *d)))
            .filter(|(at, _)| at.elapsed() < WINDOW)
            .max_by_key(|(at, _)| *at)
            .map(|(_, w)| w.clone())
    }
}

/// The loaded program with the hooks it could attach.
pub(super) struct WhoProbe {
    object: Object,
    _links: Vec<Link>,
}

impl WhoProbe {
    /// Loads the program and attaches every tracepoint this kernel has; an error when
    /// none.
    pub(super) fn load() -> Result<WhoProbe, ebpf::Error> {
        let object = ebpf::load(PROGRAM)?;
        ebpf::set_agent_pid(&object)?;
        let links = ebpf::attach_all(&object)?;
        Ok(WhoProbe {
            object,
            _links: links,
        })
    }

    /// Notes in `table` each record under one of `roots` until `stop` is set; counts in
    /// `lost` the records lost (kernel queue full) or forgotten early (table full).
    /// `new_roots`, asked every 200 ms at most, gives the roots to follow from then on.
    pub(super) fn follow(
        &self,
        roots: Vec<PathBuf>,
        table: &WhoTable,
        stop: &AtomicBool,
        lost: &AtomicU64,
        mut new_roots: impl FnMut() -> Option<Vec<PathBuf>>,
    ) -> Result<(), ebpf::Error> {
        let mut filter = RootFilter::new(&roots);
        filter.install(&self.object)?;
        let roots = RefCell::new(roots);
        let watched = |p: &Path| roots.borrow().iter().any(|r| p.starts_with(r));
        let mut lineage = crate::lineage::Lineage::default();
        ebpf::follow_with_progress(
            &self.object,
            "file_events",
            "file_drops",
            stop,
            parse,
            |access| {
                let paths: Vec<(&PathBuf, Deed)> =
                    std::iter::once((&access.path, access.op.deed()))
                        .chain(access.new_path.as_ref().map(|p| (p, Deed::Placed)))
                        .filter(|(p, _)| watched(p))
                        .collect();
                if paths.is_empty() {
                    return true;
                }
                let writer = Writer {
                    pid: access.pid,
                    uid: access.uid,
                    image: access.image.clone(),
                    command_line: access.command_line.clone(),
                    package_manager: lineage
                        .package_manager(access.pid)
                        .or_else(|| lineage.package_manager(access.ppid)),
                };
                for (p, deed) in paths {
                    let forgotten = table.note(p.clone(), deed, writer.clone());
                    lost.fetch_add(forgotten as u64, Ordering::Relaxed);
                }
                true
            },
            |dropped| {
                lost.fetch_add(dropped, Ordering::Relaxed);
                tracing::warn!(
                    dropped,
                    "the kernel dropped file who-data records (ring buffer full)"
                );
            },
            |_| {
                let updated = match new_roots() {
                    Some(new) => {
                        let replaced = filter.replace(&self.object, &new);
                        *roots.borrow_mut() = new;
                        replaced
                    }
                    None => filter.refresh(&self.object),
                };
                if let Err(e) = updated {
                    tracing::warn!(error = %e, "file who-data: cannot update the kernel's filter");
                }
            },
        )
    }
}

/// Reads one record; `None` when it is torn or unknown.
pub(super) fn parse(b: &[u8]) -> Option<FileAccess> {
    if b.len() < HEADER {
        return None;
    }
    let op = FileOp::from_code(u32_at(b, 0))?;
    let mut fields = ebpf::PackedFields::after(b, HEADER);
    let name = text(fields.next(NAME_LEN_AT)?);
    let name2 = text(fields.next(NAME2_LEN_AT)?);
    let base = components(fields.next(BASE_LEN_AT)?);
    let base2 = components(fields.next(BASE2_LEN_AT)?);
    let image =
        components(fields.next(EXE_LEN_AT)?).unwrap_or_else(|| text(&b[COMM_AT..COMM_AT + 16]));
    let args: Vec<String> = fields
        .next(ARGS_LEN_AT)?
        .split(|c| *c == 0)
        .filter(|a| !a.is_empty())
        .map(|a| String::from_utf8_lossy(a).into_owned())
        .collect();
    // A call on a descriptor has no name: the path is the descriptor's own.
    let path = if name.is_empty() {
        PathBuf::from(base?)
    } else {
        join(base.as_deref(), &name)?
    };
    let new_path = if op == FileOp::Rename {
        Some(join(base2.as_deref(), &name2)?)
    } else {
        None
    };
    Some(FileAccess {
        op,
        pid: u32_at(b, 4),
        ppid: u32_at(b, PPID_AT),
        uid: u32_at(b, 8),
        path,
        new_path,
        image,
        command_line: (!args.is_empty()).then(|| args.join(" ")),
    })
}

/// `name` as an absolute path, taken from `base` when relative, with `.` and `..`
/// resolved by name (links are not followed); `None` when relative without a base.
fn join(base: Option<&str>, name: &str) -> Option<PathBuf> {
    let full = if name.starts_with('/') {
        PathBuf::from(name)
    } else {
        Path::new(base?).join(name)
    };
    let mut clean = PathBuf::from("/");
    for part in full.components() {
        match part {
            std::path::Component::Normal(p) => clean.push(p),
            std::path::Component::ParentDir => {
                clean.pop();
            }
            _ => {}
        }
    }
    Some(clean)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A record as the kernel packs it: `names` as the process gave them, `bases` leaf
    /// first.
    fn record(op: u32, names: [&str; 2], bases: [&[&str]; 2], exe: &[&str], comm: &str) -> Vec<u8> {
        let mut b = vec![0u8; HEADER];
        b[0..4].copy_from_slice(&op.to_ne_bytes());
        b[4..8].copy_from_slice(&321u32.to_ne_bytes());
        b[8..12].copy_from_slice(&1000u32.to_ne_bytes());
        b[COMM_AT..COMM_AT + comm.len()].copy_from_slice(comm.as_bytes());
        let leaf_first = |parts: &[&str]| {
            let mut bytes = Vec::new();
            for p in parts.iter().rev() {
                bytes.extend_from_slice(p.as_bytes());
                bytes.push(0);
            }
            bytes
        };
        let fields: [(usize, Vec<u8>); 6] = [
            (16, format!("{}\0", names[0]).into_bytes()),
            (18, format!("{}\0", names[1]).into_bytes()),
            (20, leaf_first(bases[0])),
            (22, leaf_first(bases[1])),
            (24, leaf_first(exe)),
            (26, b"sh\0-c\0true\0".to_vec()),
        ];
        for (len_at, bytes) in fields {
            b[len_at..len_at + 2].copy_from_slice(&(bytes.len() as u16).to_ne_bytes());
            b.extend_from_slice(&bytes);
        }
        b
    }

    #[test]
    fn reads_a_rename_as_the_kernel_writes_it() {
        let b = record(
            4,
            ["a", "/etc/b"],
            [&["etc"], &[]],
            &["usr", "bin", "mv"],
            "mv",
        );
        let r = parse(&b).unwrap();
        assert_eq!(r.op, FileOp::Rename);
        assert_eq!((r.pid, r.uid), (321, 1000));
        assert_eq!(r.path, Path::new("/etc/a"));
        assert_eq!(r.new_path.as_deref(), Some(Path::new("/etc/b")));
        assert_eq!(r.image, "/usr/bin/mv");
    }

    #[test]
    fn relative_names_descriptors_and_missing_parts() {
        let b = record(
            1,
            ["../root/./.ssh/authorized_keys", ""],
            [&["home", "ana"], &[]],
            &[],
            "sh",
        );
        let r = parse(&b).unwrap();
        assert_eq!(r.op, FileOp::Write);
        assert_eq!(r.path, Path::new("/home/root/.ssh/authorized_keys"));
        assert_eq!(r.new_path, None);
        assert_eq!(
            r.image, "sh",
            "the name stands in for an unread program path"
        );
        let by_fd = record(
            5,
            ["", ""],
            [&["etc", "shadow"], &[]],
            &["bin", "chmod"],
            "chmod",
        );
        assert_eq!(parse(&by_fd).unwrap().path, Path::new("/etc/shadow"));
        assert!(parse(&b[..b.len() - 1]).is_none(), "torn");
        assert!(
            parse(&record(99, ["/x", ""], [&[], &[]], &[], "x")).is_none(),
            "unknown op"
        );
        assert!(
            parse(&record(1, ["x", ""], [&[], &[]], &[], "x")).is_none(),
            "relative, no base"
        );
    }

    #[test]
    fn the_table_forgets_the_oldest_when_full() {
        let table = WhoTable::default();
        let writer = Writer {
            pid: 1,
            uid: 0,
            image: "/bin/sh".into(),
            command_line: None,
            package_manager: None,
        };
        let wrote = [Deed::Wrote];
        for i in 0..MAX_PATHS {
            let path = PathBuf::from(format!("/w/{i}"));
            assert_eq!(table.note(path, Deed::Wrote, writer.clone()), 0);
        }
        let forgotten = table.note(PathBuf::from("/w/new"), Deed::Wrote, writer.clone());
        assert!(forgotten >= MAX_PATHS / 2 - 1, "{forgotten}");
        assert_eq!(table.who(Path::new("/w/new"), &wrote), Some(writer));
        assert_eq!(table.who(Path::new("/w/0"), &wrote), None);
    }

    #[test]
    fn the_author_matches_the_kind_of_change() {
        let table = WhoTable::default();
        let by = |pid| Writer {
            pid,
            uid: 0,
            image: "/bin/sh".into(),
            command_line: None,
            package_manager: None,
        };
        let path = PathBuf::from("/w/f");
        table.note(path.clone(), Deed::Wrote, by(1));
        table.note(path.clone(), Deed::Removed, by(2));
        assert_eq!(
            table.who(&path, &[Deed::Wrote]).unwrap().pid,
            1,
            "created by"
        );
        assert_eq!(
            table.who(&path, &[Deed::Removed]).unwrap().pid,
            2,
            "deleted by"
        );
        assert_eq!(table.who(&path, &[Deed::Attributes]), None, "no guess");
    }
}
