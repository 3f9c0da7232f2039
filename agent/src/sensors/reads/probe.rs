//! The kernel side of the reads sensor: loads `agent/bpf/reads.bpf.c`, keeps its map of
//! watched inode numbers in step with the sensitive files found, and reads its records.

use std::path::PathBuf;

use libbpf_rs::{Link, MapCore, MapFlags, Object};

use crate::ebpf::{self, components, text, u32_at};

/// The compiled eBPF program (see `build.rs`).
const PROGRAM: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/reads.bpf.o"));
/// The program on the LSM open check (fentry); the others are its fallback.
const FENTRY: &str = "on_file_open";
/// Most inode numbers the kernel map holds (`max_entries` in reads.bpf.c).
pub(super) const MAX_WATCHED: usize = 4096;

// Layout of `struct read_record` in reads.bpf.c.
const PATH_BUF: usize = 1024 + 256;
const ARGS_READ: usize = 1024;
const DEV_AT: usize = 32;
const COMM_AT: usize = 44;
const HEADER: usize = 60;
const PATH_LEN_AT: (usize, usize) = (36, PATH_BUF);
const EXE_LEN_AT: (usize, usize) = (38, PATH_BUF);
const ARGS_LEN_AT: (usize, usize) = (40, ARGS_READ);
const KIND_WATCHED: u32 = 1;
const KIND_PROC_MEM: u32 = 2;
const O_ACCMODE: u32 = 3;
const O_RDWR: u32 = 2;

/// What was opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    /// A file whose inode number the agent watches.
    Watched,
    /// A process's memory (`/proc/PID/mem`).
    ProcMem,
}

/// One open, as the kernel saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Read {
    pub kind: Kind,
    /// The process (thread group) id.
    pub pid: u32,
    /// Its parent's.
    pub ppid: u32,
    /// Its real user id.
    pub uid: u32,
    /// Opened for reading and writing (else for reading only).
    pub read_write: bool,
    /// The file's inode number.
    pub inode: u64,
    /// Its file system's device, as `stat` gives it.
    pub dev: u64,
    /// The file's path as the kernel names it.
    pub path: PathBuf,
    /// The program's real path, or its name when the path could not be read.
    pub image: String,
    /// Its arguments joined by spaces (the first 1 KiB), when it had any.
    pub command_line: Option<String>,
}

/// The loaded program and its attached hooks.
pub(super) struct ReadProbe {
    object: Object,
    _links: Vec<Link>,
    /// `fentry` or `tracepoint`: where opens are seen.
    pub mode: &'static str,
}

impl ReadProbe {
    /// Loads the program on the LSM open check, or on the open system calls where this
    /// kernel has no fentry.
    pub(super) fn load() -> Result<ReadProbe, ebpf::Error> {
        let fentry = ebpf::try_load_only(PROGRAM, |name| name == FENTRY)
            .and_then(|object| ReadProbe::attach(object, "fentry"));
        match fentry {
            Ok(probe) => Ok(probe),
            Err(e) => {
                tracing::info!(error = %e, "fentry unavailable: reads are seen at the end of open calls (not through io_uring)");
                let object = ebpf::load_only(PROGRAM, |name| name != FENTRY)?;
                ReadProbe::attach(object, "tracepoint")
            }
        }
    }

    fn attach(object: Object, mode: &'static str) -> Result<ReadProbe, ebpf::Error> {
        ebpf::set_agent_pid(&object)?;
        let links = ebpf::attach_all(&object)?;
        Ok(ReadProbe {
            object,
            _links: links,
            mode,
        })
    }

    /// The loaded object, to follow its ring.
    pub(super) fn object(&self) -> &Object {
        &self.object
    }

    /// Starts or stops reporting opens of inode number `inode`.
    pub(super) fn set_watched(&self, inode: u64, watched: bool) -> Result<(), ebpf::Error> {
        let map = ebpf::map(&self.object, "watched_inodes")?;
        let key = inode.to_ne_bytes();
        if watched {
            map.update(&key, &[1u8], MapFlags::ANY)
        } else {
            map.delete(&key)
        }
    }
}

/// A device number as the kernel keeps it (major in the top 12 bits), as `stat` gives it.
fn user_dev(kernel: u32) -> u64 {
    libc::makedev(kernel >> 20, kernel & 0xf_ffff)
}

/// Reads one record; `None` when it is torn or unknown.
pub(super) fn parse(b: &[u8]) -> Option<Read> {
    if b.len() < HEADER {
        return None;
    }
    let kind = match u32_at(b, 0) {
        KIND_WATCHED => Kind::Watched,
        KIND_PROC_MEM => Kind::ProcMem,
        _ => return None,
    };
    let mut fields = ebpf::PackedFields::after(b, HEADER);
    let path = components(fields.next(PATH_LEN_AT)?)?;
    let image =
        components(fields.next(EXE_LEN_AT)?).unwrap_or_else(|| text(&b[COMM_AT..COMM_AT + 16]));
    let args: Vec<String> = fields
        .next(ARGS_LEN_AT)?
        .split(|c| *c == 0)
        .filter(|a| !a.is_empty())
        .map(|a| String::from_utf8_lossy(a).into_owned())
        .collect();
    Some(Read {
        kind,
        pid: u32_at(b, 4),
        ppid: u32_at(b, 8),
        uid: u32_at(b, 12),
        read_write: u32_at(b, 20) & O_ACCMODE == O_RDWR,
        inode: u64::from_ne_bytes(b[24..32].try_into().ok()?),
        dev: user_dev(u32_at(b, DEV_AT)),
        path: PathBuf::from(path),
        image,
        command_line: (!args.is_empty()).then(|| args.join(" ")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A record as the kernel packs it; path parts leaf first.
    fn record(kind: u32, path: &[&str], exe: &[&str], args: &[u8]) -> Vec<u8> {
        let mut b = vec![0u8; HEADER];
        b[0..4].copy_from_slice(&kind.to_ne_bytes());
        b[4..8].copy_from_slice(&4242u32.to_ne_bytes());
        b[8..12].copy_from_slice(&4000u32.to_ne_bytes());
        b[12..16].copy_from_slice(&1000u32.to_ne_bytes());
        b[20..24].copy_from_slice(&0o100000u32.to_ne_bytes());
        b[24..32].copy_from_slice(&77u64.to_ne_bytes());
        b[COMM_AT..COMM_AT + 3].copy_from_slice(b"cat");
        let leaf_first = |parts: &[&str]| {
            let mut bytes = Vec::new();
            for p in parts.iter().rev() {
                bytes.extend_from_slice(p.as_bytes());
                bytes.push(0);
            }
            bytes
        };
        b[DEV_AT..DEV_AT + 4].copy_from_slice(&((8u32 << 20) | 1).to_ne_bytes());
        for (len_at, bytes) in [
            (PATH_LEN_AT.0, leaf_first(path)),
            (EXE_LEN_AT.0, leaf_first(exe)),
            (ARGS_LEN_AT.0, args.to_vec()),
        ] {
            b[len_at..len_at + 2].copy_from_slice(&(bytes.len() as u16).to_ne_bytes());
            b.extend_from_slice(&bytes);
        }
        b
    }

    #[test]
    fn reads_a_record_as_the_kernel_writes_it() {
        let r = parse(&record(
            1,
            &["etc", "shadow"],
            &["usr", "bin", "cat"],
            b"cat\0/etc/shadow\0",
        ))
        .unwrap();
        assert_eq!(r.kind, Kind::Watched);
        assert_eq!((r.pid, r.ppid, r.uid, r.inode), (4242, 4000, 1000, 77));
        assert_eq!(r.path, PathBuf::from("/etc/shadow"));
        assert_eq!(r.image, "/usr/bin/cat");
        assert_eq!(r.command_line.as_deref(), Some("cat /etc/shadow"));
        assert!(!r.read_write);
    }

    #[test]
    fn a_missing_program_path_falls_back_to_its_name_and_torn_records_are_refused() {
        let r = parse(&record(2, &["proc", "12", "mem"], &[], b"")).unwrap();
        assert_eq!(r.kind, Kind::ProcMem);
        assert_eq!(r.image, "cat");
        assert_eq!(r.command_line, None);
        let whole = record(1, &["etc", "shadow"], &["bin", "cat"], b"cat\0");
        assert_eq!(parse(&whole[..whole.len() - 3]), None, "cut inside a field");
        assert_eq!(parse(&record(9, &["x"], &[], b"")), None, "unknown kind");
    }
}
