//! What the agent's eBPF sensors share: loading an embedded program with libbpf-rs,
//! following its ring buffer, counting what the kernel could not queue, and reading the
//! records' fields, which the C programs in `agent/bpf/` write by hand-kept layouts.
//!
//! eBPF needs root (or CAP_BPF and CAP_PERFMON), a kernel with BTF
//! (`/sys/kernel/btf/vmlinux`) and ring buffers (5.8 or later); a caller that gets an
//! error falls back to what works without it and says so.

use std::cell::RefCell;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use libbpf_rs::{Map, MapCore, MapFlags, Object, ObjectBuilder, PrintLevel, RingBufferBuilder};

/// An error from libbpf or the kernel.
pub type Error = libbpf_rs::Error;

/// Loads `program` (an object compiled by `build.rs`) into the kernel.
pub fn load(program: &[u8]) -> Result<Object, Error> {
    load_only(program, |_| true)
}

/// Loads the programs of `program` whose name `wanted` accepts (the others stay out).
pub fn load_only(program: &[u8], wanted: impl Fn(&str) -> bool) -> Result<Object, Error> {
    route_libbpf_messages();
    raise_memlock_limit();
    ensure_tracefs();
    let mut open = ObjectBuilder::default().open_memory(program)?;
    for mut p in open.progs_mut() {
        let name = p.name().to_string_lossy().into_owned();
        p.set_autoload(wanted(&name));
    }
    open.load()
}

thread_local! {
    /// Set while loading a program that may well be refused (see [`try_load_only`]).
    static TRYING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// [`load_only`] for programs a kernel may refuse (an optional hook the caller can do
/// without): libbpf's warnings go to the debug level, and the caller says in a word
/// what it falls back to.
pub fn try_load_only(program: &[u8], wanted: impl Fn(&str) -> bool) -> Result<Object, Error> {
    TRYING.set(true);
    let loaded = load_only(program, wanted);
    TRYING.set(false);
    loaded
}

/// Runs an eBPF reader on a thread of its own called `name` (libbpf objects stay on the
/// thread that made them): `load` there, then `follow` until it returns. Waits for the
/// load: `Err` says why it failed, and then nothing runs.
pub fn spawn<P: 'static>(
    name: &str,
    load: impl FnOnce() -> Result<P, Error> + Send + 'static,
    follow: impl FnOnce(P) + Send + 'static,
) -> Result<(), String> {
    let (ready_tx, ready) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name(name.to_string())
        .spawn(move || match load() {
            Ok(probe) => {
                let _ = ready_tx.send(Ok(()));
                follow(probe);
            }
            Err(e) => {
                let _ = ready_tx.send(Err(e.to_string()));
            }
        })
        .map_err(|e| e.to_string())?;
    ready
        .recv()
        .unwrap_or_else(|_| Err("the reader thread ended".to_string()))
}

/// Attaches every program of `object` it can; an error when none attached. Older
/// kernels lack some tracepoints (e.g. `openat2`): those are logged and skipped.
pub fn attach_all(object: &Object) -> Result<Vec<libbpf_rs::Link>, Error> {
    let mut links = Vec::new();
    let mut missing = Vec::new();
    // Programs left out at load (`load_only`) are not attached.
    for program in object.progs_mut().filter(|p| p.autoload()) {
        match program.attach() {
            Ok(link) => links.push(link),
            Err(_) => missing.push(program.name().to_string_lossy().into_owned()),
        }
    }
    if links.is_empty() {
        return Err(std::io::Error::other("no tracepoint could be attached").into());
    }
    if !missing.is_empty() {
        tracing::info!(programs = ?missing, "tracepoints this kernel does not have: not followed");
    }
    Ok(links)
}

/// Tells the program in `object` the agent's own process id (map `agent_pid`), whose
/// calls it leaves out.
pub fn set_agent_pid(object: &Object) -> Result<(), Error> {
    map(object, "agent_pid")?.update(
        &0u32.to_ne_bytes(),
        &std::process::id().to_ne_bytes(),
        MapFlags::ANY,
    )
}

/// A stop flag for a reader thread, set when its sensor ends however it ends.
pub struct StopOnDrop(pub std::sync::Arc<AtomicBool>);

impl StopOnDrop {
    /// A flag not set yet.
    pub fn new() -> StopOnDrop {
        StopOnDrop(std::sync::Arc::new(AtomicBool::new(false)))
    }
}

impl Default for StopOnDrop {
    fn default() -> StopOnDrop {
        StopOnDrop::new()
    }
}

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

/// The map called `name` in `object`.
pub fn map<'a>(object: &'a Object, name: &str) -> Result<Map<'a>, Error> {
    object
        .maps()
        .find(|m| m.name() == name)
        .ok_or_else(|| std::io::Error::other(format!("no {name} map")).into())
}

/// Follows ring buffer `ring` of `object` until `stop` is set or `on_record` returns
/// false, giving it each record `parse` reads; calls `on_drops` with each new count
/// from the per-CPU counter `drops` (records the kernel could not queue).
pub fn follow<T>(
    object: &Object,
    ring: &str,
    drops: &str,
    stop: &AtomicBool,
    parse: impl Fn(&[u8]) -> Option<T>,
    on_record: impl FnMut(T) -> bool,
    on_drops: impl FnMut(u64),
) -> Result<(), Error> {
    follow_with_progress(
        object,
        ring,
        drops,
        stop,
        parse,
        on_record,
        on_drops,
        |_| {},
    )
}

/// [`follow`], also calling `caught_up(t)` after each pass: every record the kernel
/// wrote before `t` has then been given to `on_record`. A reader waiting for a core on
/// a busy machine lags; this says by how much.
#[allow(clippy::too_many_arguments)]
pub fn follow_with_progress<T>(
    object: &Object,
    ring: &str,
    drops: &str,
    stop: &AtomicBool,
    parse: impl Fn(&[u8]) -> Option<T>,
    mut on_record: impl FnMut(T) -> bool,
    mut on_drops: impl FnMut(u64),
    mut caught_up: impl FnMut(Instant),
) -> Result<(), Error> {
    let received: RefCell<Vec<T>> = RefCell::new(Vec::new());
    let events = map(object, ring)?;
    let mut builder = RingBufferBuilder::new();
    builder.add(&events, |data: &[u8]| {
        if let Some(record) = parse(data) {
            received.borrow_mut().push(record);
        }
        0
    })?;
    let ring = builder.build()?;
    let drops = map(object, drops)?;
    let mut dropped = 0;
    while !stop.load(Ordering::Relaxed) {
        ring.poll(Duration::from_millis(200))?;
        // Everything written before `now` is read by this last pass.
        let now = Instant::now();
        ring.consume()?;
        for record in received.borrow_mut().drain(..) {
            if !on_record(record) {
                return Ok(());
            }
        }
        caught_up(now);
        let total = dropped_total(&drops);
        if total > dropped {
            on_drops(total - dropped);
            dropped = total;
        }
    }
    Ok(())
}

/// Sum over CPUs of a per-CPU counter.
fn dropped_total(drops: &Map<'_>) -> u64 {
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
/// (warnings, e.g. why a kernel refused a program, at warn level).
fn route_libbpf_messages() {
    fn forward(level: PrintLevel, message: String) {
        let message = message.trim_end();
        match level {
            PrintLevel::Warn if TRYING.get() => tracing::debug!(target: "libbpf", "{message}"),
            PrintLevel::Warn => tracing::warn!(target: "libbpf", "{message}"),
            PrintLevel::Info => tracing::debug!(target: "libbpf", "{message}"),
            PrintLevel::Debug => tracing::trace!(target: "libbpf", "{message}"),
        }
    }
    libbpf_rs::set_print(Some((PrintLevel::Info, forward)));
}

/// Tracepoints are found through tracefs. A fresh mount namespace (`ip netns exec`, some
/// containers) may not have it: mount it there, best effort; attaching then says what
/// is missing.
fn ensure_tracefs() {
    const TRACEFS: &str = "/sys/kernel/tracing";
    if std::path::Path::new(TRACEFS).join("events").exists() {
        return;
    }
    let mounted = rustix::mount::mount(
        "tracefs",
        TRACEFS,
        "tracefs",
        rustix::mount::MountFlags::NOSUID
            | rustix::mount::MountFlags::NODEV
            | rustix::mount::MountFlags::NOEXEC,
        None,
    );
    match mounted {
        Ok(()) => tracing::info!(
            path = TRACEFS,
            "tracefs mounted (it was not) to find tracepoints"
        ),
        Err(e) => tracing::debug!(path = TRACEFS, error = %e, "tracefs not mountable"),
    }
}

/// Kernels before 5.11 charge eBPF maps to the locked-memory limit; the ring buffers
/// need more than the usual 8 MiB default. Best effort: newer kernels ignore it.
fn raise_memlock_limit() {
    let unlimited = rustix::process::Rlimit {
        current: None,
        maximum: None,
    };
    let _ = rustix::process::setrlimit(rustix::process::Resource::Memlock, unlimited);
}

/// The native-endian `u32` at `at`.
pub fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_ne_bytes(b[at..at + 4].try_into().expect("4 bytes"))
}

/// The native-endian `u16` at `at`, as a length.
pub fn u16_at(b: &[u8], at: usize) -> usize {
    usize::from(u16::from_ne_bytes(
        b[at..at + 2].try_into().expect("2 bytes"),
    ))
}

/// Text up to its first NUL.
pub fn text(b: &[u8]) -> String {
    let end = b.iter().position(|c| *c == 0).unwrap_or(b.len());
    String::from_utf8_lossy(&b[..end]).into_owned()
}

/// The variable fields of a packed record (`agent/bpf/pack.h`): they follow its header
/// one after the other, each as long as the header says.
pub struct PackedFields<'a> {
    record: &'a [u8],
    at: usize,
}

impl<'a> PackedFields<'a> {
    /// The fields of `record`, whose header is `header` bytes long.
    pub fn after(record: &'a [u8], header: usize) -> PackedFields<'a> {
        PackedFields { record, at: header }
    }

    /// The next field, its length read at `len_at` in the header (at most `max`);
    /// `None` when the record is cut short.
    pub fn next(&mut self, (len_at, max): (usize, usize)) -> Option<&'a [u8]> {
        let len = u16_at(self.record, len_at).min(max);
        let field = self.record.get(self.at..self.at + len);
        self.at += len;
        field
    }
}

/// A path from its components written leaf first (`sh\0bin\0usr\0` is `/usr/bin/sh`),
/// as `agent/bpf/path.h` writes them; `None` when nothing was written (the path is
/// unknown). The root is one empty component.
pub fn components(b: &[u8]) -> Option<String> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_read_leaf_first() {
        assert_eq!(
            components(b"sh\0bin\0usr\0").as_deref(),
            Some("/usr/bin/sh")
        );
        assert_eq!(components(b"\0").as_deref(), Some("/"));
        assert_eq!(components(b""), None);
        assert_eq!(text(b"bash\0\0\0"), "bash");
    }
}
