//! Every exec from the kernel through eBPF: `agent/bpf/exec.bpf.c`, compiled by the
//! build script and embedded in the agent, runs on the `sched_process_exec` tracepoint
//! and sends the process ids, users, the program's real path, the working folder and the
//! arguments through a ring buffer, read before the process can exit. A process that
//! lives a microsecond is reported whole.
//!
//! [`ExecProbe::load`] says why when it cannot (see [`crate::ebpf`]), and the sensor
//! falls back to the process connector. The record layout is read by hand below, as the
//! C program writes it.

use std::path::Path;
use std::sync::atomic::AtomicBool;

use libbpf_rs::{Link, Object};

use super::exec_record::ExecRecord;
use crate::ebpf::{self, components, text, u32_at};

/// The compiled eBPF program (see `build.rs`).
const PROGRAM: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/exec.bpf.o"));

// Layout of `struct exec_record` in exec.bpf.c.
const FILENAME_BUF: usize = 256;
const PATH_BUF: usize = 1024 + 256;
const ARGS_BUF: usize = 4096;
/// The header of a record; its fields follow, packed, in the order of their lengths.
const HEADER: usize = 32;
/// Where each field's length is, and its largest size.
const FILENAME_LEN: (usize, usize) = (24, FILENAME_BUF);
const EXE_LEN: (usize, usize) = (26, PATH_BUF);
const CWD_LEN: (usize, usize) = (28, PATH_BUF);
const ARGS_LEN: (usize, usize) = (30, ARGS_BUF);
const TRUNCATED_ARGS: u32 = 1;

/// The loaded and attached program; dropping it detaches it.
pub(super) struct ExecProbe {
    object: Object,
    _link: Link,
}

impl ExecProbe {
    /// Loads the program into the kernel and attaches it to the exec tracepoint.
    pub(super) fn load() -> Result<ExecProbe, ebpf::Error> {
        let object = ebpf::load(PROGRAM)?;
        let link = object
            .progs_mut()
            .find(|p| p.name() == "on_exec")
            .ok_or_else(|| ebpf::Error::from(std::io::Error::other("no on_exec program")))?
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
        on_record: impl FnMut(ExecRecord) -> bool,
        on_drops: impl FnMut(u64),
    ) -> Result<(), ebpf::Error> {
        ebpf::follow(
            &self.object,
            "events",
            "drops",
            stop,
            parse,
            on_record,
            on_drops,
        )
    }
}

/// Reads one record; `None` when it is shorter than its header says.
pub(super) fn parse(b: &[u8]) -> Option<ExecRecord> {
    if b.len() < HEADER {
        return None;
    }
    let flags = u32_at(b, 20);
    let mut fields = ebpf::PackedFields::after(b, HEADER);
    let filename = text(fields.next(FILENAME_LEN)?);
    let exe = components(fields.next(EXE_LEN)?);
    let cwd = components(fields.next(CWD_LEN)?);
    let args = fields.next(ARGS_LEN)?;
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
        let mut b = vec![0u8; HEADER];
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
        let args: Vec<u8> = args
            .iter()
            .flat_map(|a| format!("{a}\0").into_bytes())
            .collect();
        let fields = [
            (FILENAME_LEN.0, format!("{filename}\0").into_bytes()),
            (EXE_LEN.0, leaf_first(exe)),
            (CWD_LEN.0, leaf_first(cwd)),
            (ARGS_LEN.0, args),
        ];
        for (len_at, bytes) in fields {
            b[len_at..len_at + 2].copy_from_slice(&(bytes.len() as u16).to_ne_bytes());
            b.extend_from_slice(&bytes);
        }
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
        // The working folder is the root: written as one empty component.
        let b = record("/opt/x", &[], &[""], &["x"]);
        let r = parse(&b).unwrap();
        assert_eq!(r.cwd.as_deref(), Some("/"));
        assert_eq!(r.image, "/opt/x", "the name it was called by");
    }

    #[test]
    fn a_torn_or_lying_record_is_refused() {
        let b = record("/bin/true", &["bin", "true"], &[], &["true"]);
        assert!(parse(&b[..HEADER - 1]).is_none());
        assert!(
            parse(&b[..b.len() - 1]).is_none(),
            "cut inside its arguments"
        );
        let mut lying = b.clone();
        lying[30..32].copy_from_slice(&4000u16.to_ne_bytes());
        assert!(parse(&lying).is_none());
    }
}
