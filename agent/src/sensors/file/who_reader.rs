//! The who-data reader outlives a file sensor restart. Loading `files.bpf.c` takes
//! seconds (the verifier checks the kernel-side filter in every hook), and the file
//! sensor restarts on each new watch list (SIGHUP, remote settings): reloading each time
//! left changes without their process for that long. The agent keeps one reader; a
//! (re)started sensor claims it and hands it its roots, which the reader puts in force
//! in the kernel within 200 ms (the kernel sends every call meanwhile, so nothing under
//! a new root is held back). A reader no sensor claims for [`UNCLAIMED_LINGER`] stops.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use super::who::{WhoProbe, WhoTable};
use crate::ebpf;
use crate::health::Counters;

/// How long a reader nobody claims keeps running: a sensor restarting for a new watch
/// list claims it again within milliseconds; one stopped for good lets it end.
const UNCLAIMED_LINGER: Duration = Duration::from_secs(10);

/// The agent's reader, while one runs.
static READER: Mutex<Option<Reader>> = Mutex::new(None);

struct Reader {
    table: Arc<WhoTable>,
    shared: Arc<Shared>,
}

/// What the sensors and the reader's thread share.
#[derive(Default)]
struct Shared {
    /// Roots to follow from now on, left by a sensor, taken by the reader.
    new_roots: Mutex<Option<Vec<PathBuf>>>,
    /// How many sensors claim the reader, and since when none does.
    claims: Mutex<(usize, Option<Instant>)>,
    /// Set to stop the reader's thread.
    stop: AtomicBool,
}

impl Shared {
    /// The roots a sensor left since the last call.
    fn take_new_roots(&self) -> Option<Vec<PathBuf>> {
        lock(&self.new_roots).take()
    }

    /// Stops the reader when no sensor has claimed it for [`UNCLAIMED_LINGER`]; decided
    /// under the agent's lock, so a sensor never claims a reader that is ending.
    fn stop_if_unclaimed(self: &Arc<Shared>) {
        let mut reader = lock(&READER);
        let unclaimed = match *lock(&self.claims) {
            (0, Some(since)) => since.elapsed() >= UNCLAIMED_LINGER,
            _ => false,
        };
        if unclaimed {
            self.stop.store(true, Ordering::Relaxed);
            if reader
                .as_ref()
                .is_some_and(|r| Arc::ptr_eq(&r.shared, self))
            {
                *reader = None;
            }
            tracing::info!("file who-data: no file sensor wants it any more; reader stopped");
        }
    }
}

/// A sensor's claim on the reader, given up when the sensor ends, however it ends.
pub(super) struct Claim(Arc<Shared>);

impl Claim {
    fn new(shared: Arc<Shared>) -> Claim {
        let mut claims = lock(&shared.claims);
        *claims = (claims.0 + 1, None);
        drop(claims);
        Claim(shared)
    }
}

impl Drop for Claim {
    fn drop(&mut self) {
        let mut claims = lock(&self.0.claims);
        claims.0 = claims.0.saturating_sub(1);
        if claims.0 == 0 {
            claims.1 = Some(Instant::now());
        }
    }
}

/// The who-data table for a sensor watching `roots`, and its claim on the reader: the
/// running reader, given these roots, or a new one started on its own thread. `None`
/// (logged) when eBPF cannot be used. Losses are counted in `counters.fim_who_lost`.
pub(super) fn claim(
    roots: Vec<PathBuf>,
    counters: Arc<Counters>,
) -> Option<(Arc<WhoTable>, Claim)> {
    let mut reader = lock(&READER);
    if let Some(running) = reader.as_ref() {
        if !running.shared.stop.load(Ordering::Relaxed) {
            *lock(&running.shared.new_roots) = Some(roots);
            tracing::info!("file who-data: the running reader follows the new watch list");
            return Some((running.table.clone(), Claim::new(running.shared.clone())));
        }
    }
    let table = Arc::new(WhoTable::default());
    let shared = Arc::new(Shared::default());
    let (thread_table, thread_shared) = (table.clone(), shared.clone());
    let started = ebpf::spawn("vigie-fim-who", WhoProbe::load, move |probe| {
        let followed = probe.follow(
            roots,
            &thread_table,
            &thread_shared.stop,
            &counters.fim_who_lost,
            || {
                thread_shared.stop_if_unclaimed();
                thread_shared.take_new_roots()
            },
        );
        // Whatever ended it, the next sensor starts a new reader.
        thread_shared.stop.store(true, Ordering::Relaxed);
        if let Err(e) = followed {
            tracing::error!(error = %e, "file who-data stopped: changes come without their process");
        }
    });
    match started {
        Ok(()) => {
            tracing::info!("file changes with their process, from eBPF");
            *reader = Some(Reader {
                table: table.clone(),
                shared: shared.clone(),
            });
            Some((table, Claim::new(shared)))
        }
        Err(e) => {
            tracing::warn!(error = %e, "file who-data unavailable (eBPF): changes come without their process");
            None
        }
    }
}

/// Stops the reader now: who-data was turned off.
pub(super) fn stop() {
    if let Some(running) = lock(&READER).take() {
        running.shared.stop.store(true, Ordering::Relaxed);
    }
}

/// A lock that a panicking holder did not poison for the others: what it guards stays
/// consistent (single assignments).
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}
