//! Every exec from the kernel through eBPF: `agent/bpf/exec.bpf.c`, compiled by the
//! build script and embedded in the agent, runs on the `sched_process_exec` tracepoint
//! and sends the process ids, users, the program's real path, the working folder and the
//! arguments through a ring buffer, read before the process can exit. A process that
//! lives a microsecond is reported whole.
//!
//! Needs root, a kernel with BTF (`/sys/kernel/btf/vmlinux`) and ring buffers (5.8 or
//! later); [`ExecProbe::load`] says why when it cannot, and the sensor falls back to
//! the process connector. Loading goes through libbpf-rs (maintained, CO-RE); the record
//! layout is read by hand below, as the C program writes it.

use std::cell::RefCell;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use libbpf_rs::{Link, MapCore, MapFlags, Object, ObjectBuilder, PrintLevel, RingBufferBuilder};

/// The compiled eBPF program (see `build.rs`).
const PROGRAM: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/exec.bpf.o"));

// Layout of `struct exec_record` in exec.bpf.c.
const FILENAME_BUF: usize = 256;
const PATH_BUF: usize = 1024 + 256;
const HEADER: usize = 32;
const FILENAME_AT: usize = HEADER;
const EXE_AT: usize = FILENAME_AT + FILENAME_BUF;
const CWD_AT: usize = EXE_AT + PATH_BUF;
const ARGS_AT: usize = CWD_AT + PATH_BUF;
const TRUNCATED_ARGS: u32 = 1;

/// One exec as the kernel saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct ExecRecord {
    /// Process id.
    pub pid: u32,
    /// Parent process id.
    pub ppid: u32,
    /// Real user id.
    pub uid: u32,
    /// Login user id (audit), when set.
    pub login_uid: Option<u32>,
    /// The program's real path (links resolved; the interpreter of a script), or the
    /// name it was called by when the path could not be read.
    pub image: String,
    /// Working folder, when read.
    pub cwd: Option<String>,
    /// Arguments.
    pub args: Vec<String>,
    /// The arguments were longer than the kernel-side buffer (4 KiB) and were cut.
    pub args_truncated: bool,
}

/// The loaded and attached program; dropping it detaches it.
pub(super) struct ExecProbe {
    object: Object,
    _link: Link,
}

impl ExecProbe {
    /// Loads the program into the kernel and attaches it to the exec tracepoint.
    pub(super) fn load() -> Result<ExecProbe, libbpf_rs::Error> {
        route_libbpf_messages();
        raise_memlock_limit();
        let object = ObjectBuilder::default().open_memory(PROGRAM)?.load()?;
        let link = object
            .progs_mut()
            .find(|p| p.name() == "on_exec")
            .ok_or_else(|| libbpf_rs::Error::from(std::io::Error::other("no on_exec program")))?
            .attach()?;
        Ok(ExecProbe {
            object,
            _link: link,
        })
    }

    /// Reads records until `stop` is set or `on_record` returns false; calls `on_drops`
    /// with each new count of records the kernel could not queue (ring buffer full).
    pub(super) fn follow(
        &self,
        stop: &AtomicBool,
        mut on_record: impl FnMut(ExecRecord) -> bool,
        mut on_drops: impl FnMut(u64),
    ) -> Result<(), libbpf_rs::Error> {
        let received: RefCell<Vec<ExecRecord>> = RefCell::new(Vec::new());
        let events = self.map("events")?;
        let mut builder = RingBufferBuilder::new();
        builder.add(&events, |data: &[u8]| {
            if let Some(record) = parse(data) {
                received.borrow_mut().push(record);
            }
            0
        })?;
        let ring = builder.build()?;
        let drops = self.map("drops")?;
        let mut dropped = 0;
        while !stop.load(Ordering::Relaxed) {
            ring.poll(Duration::from_millis(200))?;
            for record in received.borrow_mut().drain(..) {
                if !on_record(record) {
                    return Ok(());
                }
            }
            let total = dropped_total(&drops);
            if total > dropped {
                on_drops(total - dropped);
                dropped = total;
            }
        }
        Ok(())
    }

    fn map(&self, name: &str) -> Result<libbpf_rs::Map<'_>, libbpf_rs::Error> {
        self.object
            .maps()
            .find(|m| m.name() == name)
            .ok_or_else(|| std::io::Error::other(format!("no {name} map")).into())
    }
}

/// Sum over CPUs of the kernel-side drop counter.
fn dropped_total(drops: &libbpf_rs::Map<'_>) -> u64 {
    let key = 0u32.to_ne_bytes();
    match drops.lookup_percpu(&key, MapFlags::ANY) {
        Ok(Some(per_cpu)) => per_cpu
            .iter()
            .filter_map(|v| v.get(..8))
            .map(|b| u64::from_ne_bytes(b.try_into().expect("8 bytes")))
            .sum(),
        _ => 0,
    }
}

/// libbpf writes to stderr by default; its messages go to the agent's log instead
/// (warnings, e.g. why a kernel refused the program, at warn level).
fn route_libbpf_messages() {
    fn forward(level: PrintLevel, message: String) {
        let message = message.trim_end();
        match level {
            PrintLevel::Warn => tracing::warn!(target: "libbpf", "{message}"),
            PrintLevel::Info => tracing::debug!(target: "libbpf", "{message}"),
            PrintLevel::Debug => tracing::trace!(target: "libbpf", "{message}"),
        }
    }
    libbpf_rs::set_print(Some((PrintLevel::Info, forward)));
}

/// Kernels before 5.11 charge eBPF maps to the locked-memory limit; the ring buffer
/// needs more than the usual 8 MiB default. Best effort: newer kernels ignore it.
fn raise_memlock_limit() {
    let unlimited = rustix::process::Rlimit {
        current: None,
        maximum: None,
    };
    let _ = rustix::process::setrlimit(rustix::process::Resource::Memlock, unlimited);
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_ne_bytes(b[at..at + 4].try_into().expect("4 bytes"))
}

fn u16_at(b: &[u8], at: usize) -> usize {
    usize::from(u16::from_ne_bytes(
        b[at..at + 2].try_into().expect("2 bytes"),
    ))
}

/// Reads one record; `None` when it is shorter than its header says.
pub(super) fn parse(b: &[u8]) -> Option<ExecRecord> {
    if b.len() < ARGS_AT {
        return None;
    }
    let flags = u32_at(b, 20);
    let filename = text(b.get(FILENAME_AT..FILENAME_AT + u16_at(b, 24).min(FILENAME_BUF))?);
    let exe = components(b.get(EXE_AT..EXE_AT + u16_at(b, 26).min(PATH_BUF))?);
    let cwd = components(b.get(CWD_AT..CWD_AT + u16_at(b, 28).min(PATH_BUF))?);
    let args = b.get(ARGS_AT..ARGS_AT + u16_at(b, 30))?;
    let login_uid = u32_at(b, 16);
    let image = exe.unwrap_or_else(|| absolute(&filename, cwd.as_deref()));
    Some(ExecRecord {
        pid: u32_at(b, 0),
        ppid: u32_at(b, 4),
        uid: u32_at(b, 8),
        login_uid: (login_uid != u32::MAX).then_some(login_uid),
        image,
        cwd,
        args: args
            .split(|c| *c == 0)
            .filter(|a| !a.is_empty())
            .map(|a| String::from_utf8_lossy(a).into_owned())
            .collect(),
        args_truncated: flags & TRUNCATED_ARGS != 0,
    })
}

/// Text up to its first NUL.
fn text(b: &[u8]) -> String {
    let end = b.iter().position(|c| *c == 0).unwrap_or(b.len());
    String::from_utf8_lossy(&b[..end]).into_owned()
}

/// A path from its components written leaf first (`sh\0bin\0usr\0` is `/usr/bin/sh`);
/// `None` when nothing was written (the path is unknown); the root is one empty
/// component.
fn components(b: &[u8]) -> Option<String> {
    if b.is_empty() {
        return None;
    }
    let mut parts: Vec<String> = b
        .split(|c| *c == 0)
        .filter(|p| !p.is_empty())
        .map(|p| String::from_utf8_lossy(p).into_owned())
        .collect();
    parts.reverse();
    Some(format!("/{}", parts.join("/")))
}

/// `name` as an absolute path (a program called by a relative name).
fn absolute(name: &str, cwd: Option<&str>) -> String {
    match cwd {
        Some(dir) if !name.starts_with('/') => Path::new(dir).join(name).display().to_string(),
        _ => name.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(filename: &str, exe: &[&str], cwd: &[&str], args: &[&str]) -> Vec<u8> {
        let mut b = vec![0u8; ARGS_AT];
        let put =
            |b: &mut Vec<u8>, at: usize, v: u32| b[at..at + 4].copy_from_slice(&v.to_ne_bytes());
        put(&mut b, 0, 42);
        put(&mut b, 4, 7);
        put(&mut b, 8, 1000);
        put(&mut b, 16, u32::MAX);
        let leaf_first = |parts: &[&str]| {
            let mut out = Vec::new();
            for p in parts.iter().rev() {
                out.extend_from_slice(p.as_bytes());
                out.push(0);
            }
            out
        };
        let fields = [
            (24, FILENAME_AT, format!("{filename}\0").into_bytes()),
            (26, EXE_AT, leaf_first(exe)),
            (28, CWD_AT, leaf_first(cwd)),
        ];
        for (len_at, at, bytes) in fields {
            b[len_at..len_at + 2].copy_from_slice(&(bytes.len() as u16).to_ne_bytes());
            b[at..at + bytes.len()].copy_from_slice(&bytes);
        }
        let args: Vec<u8> = args
            .iter()
            .flat_map(|a| format!("{a}\0").into_bytes())
            .collect();
        b[30..32].copy_from_slice(&(args.len() as u16).to_ne_bytes());
        b.extend_from_slice(&args);
        b
    }

    #[test]
    fn reads_a_record_as_the_kernel_writes_it() {
        let b = record(
            "/bin/sh",
            &["usr", "bin", "dash"],
            &["root"],
            &["sh", "-c", "id"],
        );
        let r = parse(&b).unwrap();
        assert_eq!(r.pid, 42);
        assert_eq!(r.ppid, 7);
        assert_eq!(r.uid, 1000);
        assert_eq!(r.login_uid, None);
        assert_eq!(r.image, "/usr/bin/dash");
        assert_eq!(r.cwd.as_deref(), Some("/root"));
        assert_eq!(r.args, ["sh", "-c", "id"]);
        assert!(!r.args_truncated);
    }

    #[test]
    fn a_root_folder_and_an_unknown_program_path() {
        let mut b = record("/opt/x", &[], &[], &["x"]);
        // The working folder is the root: written as one empty component.
        b[28..30].copy_from_slice(&1u16.to_ne_bytes());
        let r = parse(&b).unwrap();
        assert_eq!(r.cwd.as_deref(), Some("/"));
        assert_eq!(r.image, "/opt/x", "the name it was called by");
    }

    #[test]
    fn a_torn_or_lying_record_is_refused() {
        let b = record("/bin/true", &["bin", "true"], &[], &["true"]);
        assert!(parse(&b[..ARGS_AT - 1]).is_none());
        let mut lying = b.clone();
        lying[30..32].copy_from_slice(&4000u16.to_ne_bytes());
        assert!(parse(&lying).is_none());
    }
}
