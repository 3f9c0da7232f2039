//! The agent's own counters, reported in `agent_health` events.

use std::sync::atomic::{AtomicU64, Ordering};

use serde_json::{json, Map, Value};
use vigie_model::{Category, EventDraft};

/// Counters shared by every part of the agent. Each drop site has its own counter.
#[derive(Debug, Default)]
pub struct Counters {
    /// File events produced.
    pub file_events: AtomicU64,
    /// Times the kernel's event queue (or ours) overflowed and a full rescan was made.
    pub fim_queue_overflows: AtomicU64,
    /// Times too many paths were pending and the agent rescanned instead.
    pub fim_pending_overflows: AtomicU64,
    /// Watches that could not be set (limits, permissions).
    pub fim_watch_errors: AtomicU64,
    /// Configured watched paths that do not exist (watched from when they appear).
    pub fim_paths_absent: AtomicU64,
    /// Full rescans done.
    pub fim_rescans: AtomicU64,
    /// Files in the baseline.
    pub fim_files: AtomicU64,
    /// Batches sealed.
    pub batches_sealed: AtomicU64,
    /// Batches acknowledged by the collector.
    pub batches_acked: AtomicU64,
    /// Send attempts that failed (network, 503…).
    pub send_failures: AtomicU64,
    /// Spool writes that failed and were retried (disk full, I/O errors).
    pub spool_write_errors: AtomicU64,
    /// File who-data records lost (kernel queue full) or forgotten early (table full).
    pub fim_who_lost: AtomicU64,
    /// Process creation events produced.
    pub process_events: AtomicU64,
    /// Processes gone before /proc could be read (reported with what was known).
    pub process_exited_early: AtomicU64,
    /// Times the kernel dropped process events (connector buffer full).
    pub process_lost: AtomicU64,
    /// Times the fork-parent table was full and cleared.
    pub process_parents_cleared: AtomicU64,
    /// Listening socket events produced.
    pub listen_events: AtomicU64,
    /// Network connection and DNS events produced.
    pub network_events: AtomicU64,
    /// Packets the network sensor could not keep up with.
    pub network_packets_dropped: AtomicU64,
    /// Flows evicted because the flow table was full.
    pub network_flows_evicted: AtomicU64,
    /// Interfaces being captured.
    pub network_interfaces: AtomicU64,
    /// Connection records from eBPF lost (kernel queue full) or forgotten early.
    pub network_owners_lost: AtomicU64,
    /// Captures ended because their interface vanished.
    pub network_interfaces_lost: AtomicU64,
    /// Log lines read.
    pub log_lines: AtomicU64,
    /// Log lines longer than `max_line_bytes`, kept cut.
    pub log_lines_cut: AtomicU64,
    /// Log files found shorter than read, with no rotated copy (cleared).
    pub log_truncations: AtomicU64,
    /// Log files rotated away while the agent was stopped and not found again (their
    /// last lines unread).
    pub log_files_lost: AtomicU64,
    /// Failed reads of log files (permissions, I/O).
    pub log_read_errors: AtomicU64,
    /// Reads of sensitive files reported.
    pub file_reads: AtomicU64,
    /// Sensitive files watched for reads at the last look.
    pub reads_watched: AtomicU64,
    /// Reads the kernel could not queue (ring buffer full), or files past the most
    /// that can be watched.
    pub reads_lost: AtomicU64,
    /// Sensors restarted by the supervisor after they failed (panicked).
    pub sensor_restarts: AtomicU64,
    /// Version of the SOC's remote settings in force (0: none).
    pub config_version: AtomicU64,
    /// Events handed to the batcher, by category.
    pub by_category: std::sync::Mutex<std::collections::BTreeMap<&'static str, u64>>,
    /// How processes are watched: `ebpf`, `connector`, `polling`, or empty when off.
    pub process_mode: std::sync::Mutex<&'static str>,
    /// Where connections get their program from: `ebpf`, or `proc` (sockets looked up
    /// in `/proc`, which misses brief ones).
    pub network_owners_mode: std::sync::Mutex<&'static str>,
    /// Where file changes get their process from: `ebpf`, or empty when nowhere.
    pub file_who_mode: std::sync::Mutex<&'static str>,
    /// How reads of sensitive files are seen: `fentry`, `tracepoint`, or empty when
    /// they are not.
    pub reads_mode: std::sync::Mutex<&'static str>,
}

impl Counters {
    /// Counts one event of `category`.
    pub fn count_event(&self, category: &'static str) {
        *self
            .by_category
            .lock()
            .expect("category lock")
            .entry(category)
            .or_insert(0) += 1;
    }

    /// Records how processes are watched.
    pub fn set_process_mode(&self, mode: &'static str) {
        *self.process_mode.lock().expect("mode lock") = mode;
    }

    /// Records where connections get their program from.
    pub fn set_network_owners_mode(&self, mode: &'static str) {
        *self.network_owners_mode.lock().expect("mode lock") = mode;
    }

    /// Records where file changes get their process from.
    pub fn set_file_who_mode(&self, mode: &'static str) {
        *self.file_who_mode.lock().expect("mode lock") = mode;
    }

    /// Records how reads of sensitive files are seen.
    pub fn set_reads_mode(&self, mode: &'static str) {
        *self.reads_mode.lock().expect("mode lock") = mode;
    }
}

/// Adds one to a counter.
pub fn bump(counter: &AtomicU64) {
    counter.fetch_add(1, Ordering::Relaxed);
}

impl Counters {
    /// The counters as event fields.
    pub fn fields(&self) -> Map<String, Value> {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        let value = json!({
            "FileEvents": get(&self.file_events),
            "FimQueueOverflows": get(&self.fim_queue_overflows),
            "FimPendingOverflows": get(&self.fim_pending_overflows),
            "FimWatchErrors": get(&self.fim_watch_errors),
            "FimPathsAbsent": get(&self.fim_paths_absent),
            "FimRescans": get(&self.fim_rescans),
            "FimFiles": get(&self.fim_files),
            "BatchesSealed": get(&self.batches_sealed),
            "BatchesAcked": get(&self.batches_acked),
            "SendFailures": get(&self.send_failures),
            "SpoolWriteErrors": get(&self.spool_write_errors),
            "ProcessEvents": get(&self.process_events),
            "ProcessExitedEarly": get(&self.process_exited_early),
            "ProcessLost": get(&self.process_lost),
            "ProcessParentsCleared": get(&self.process_parents_cleared),
            "ListenEvents": get(&self.listen_events),
            "NetworkEvents": get(&self.network_events),
            "NetworkPacketsDropped": get(&self.network_packets_dropped),
            "NetworkFlowsEvicted": get(&self.network_flows_evicted),
            "NetworkInterfaces": get(&self.network_interfaces),
            "NetworkInterfacesLost": get(&self.network_interfaces_lost),
            "LogLines": get(&self.log_lines),
            "LogLinesCut": get(&self.log_lines_cut),
            "LogTruncations": get(&self.log_truncations),
            "LogFilesLost": get(&self.log_files_lost),
            "LogReadErrors": get(&self.log_read_errors),
            "FileReads": get(&self.file_reads),
            "ReadsWatched": get(&self.reads_watched),
            "ReadsLost": get(&self.reads_lost),
            "ReadsMode": *self.reads_mode.lock().expect("mode lock"),
            "ProcessMode": *self.process_mode.lock().expect("mode lock"),
            "FileWhoMode": *self.file_who_mode.lock().expect("mode lock"),
            "FimWhoLost": get(&self.fim_who_lost),
            "NetworkOwnersMode": *self.network_owners_mode.lock().expect("mode lock"),
            "NetworkOwnersLost": get(&self.network_owners_lost),
            "ConfigVersion": get(&self.config_version),
            "SensorRestarts": get(&self.sensor_restarts),
        });
        let mut value = value;
        let by_category = self.by_category.lock().expect("category lock").clone();
        value["EventsByCategory"] = json!(by_category);
        match value {
            Value::Object(map) => map,
            _ => unreachable!("json! of an object"),
        }
    }
}

/// An `agent_health` event from the counters and the spool's figures.
pub fn health_event(
    counters: &Counters,
    spool: Option<&crate::spool::SpoolStats>,
    started: std::time::Instant,
) -> EventDraft {
    let mut draft = EventDraft::now(Category::AgentHealth)
        .with("AgentVersion", env!("CARGO_PKG_VERSION"))
        .with("UptimeSecs", started.elapsed().as_secs());
    draft.fields.extend(counters.fields());
    if let Some(s) = spool {
        draft.fields.extend(
            json!({
                "SpoolBytes": s.bytes,
                "SpoolBacklogEvents": s.backlog_events,
                "DroppedSpoolFull": s.dropped_full,
                "DroppedCorrupt": s.dropped_corrupt,
                "DroppedRejected": s.dropped_rejected,
            })
            .as_object()
            .expect("object")
            .clone(),
        );
    }
    if let Some((cpu_ms, rss)) = crate::procfs::own::usage() {
        draft = draft.with("CpuMs", cpu_ms).with("RssBytes", rss);
    }
    draft
}

/// Sends an `agent_health` event every `interval` until the pipeline closes.
pub async fn report(
    sink: crate::pipeline::Sink,
    counters: std::sync::Arc<Counters>,
    spool: Option<crate::spool::SharedSpool>,
    interval: std::time::Duration,
    started: std::time::Instant,
) {
    let mut ticker = tokio::time::interval(interval);
    loop {
        ticker.tick().await;
        let stats = match &spool {
            Some(spool) => Some(spool.run(|s| s.stats()).await),
            None => None,
        };
        let event = health_event(&counters, stats.as_ref(), started);
        if sink
            .send(crate::pipeline::Item::Event(event))
            .await
            .is_err()
        {
            return;
        }
    }
}
