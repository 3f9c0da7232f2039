//! What a reread configuration changes: sensors (watched paths, switches, rates) restart
//! with it at once; the collector, the state folder, batching and the spool are kept
//! until the next restart, and the log says so.

use crate::config::AgentConfig;

/// `new` with the settings that need a restart taken from `running`, and their names.
pub fn merge(running: &AgentConfig, mut new: AgentConfig) -> (AgentConfig, Vec<&'static str>) {
    let mut restart = Vec::new();
    if new.data_dir != running.data_dir {
        restart.push("data_dir");
        new.data_dir.clone_from(&running.data_dir);
    }
    if new.collector.url != running.collector.url
        || new.collector.ca_file != running.collector.ca_file
    {
        restart.push("collector");
        new.collector.clone_from(&running.collector);
    }
    if new.spool.max_bytes != running.spool.max_bytes
        || new.spool.segment_bytes != running.spool.segment_bytes
    {
        restart.push("spool");
        new.spool.clone_from(&running.spool);
    }
    if new.batch.max_events != running.batch.max_events
        || new.batch.flush_ms != running.batch.flush_ms
    {
        restart.push("batch");
        new.batch.clone_from(&running.batch);
    }
    if new.health_interval_secs != running.health_interval_secs {
        restart.push("health_interval_secs");
        new.health_interval_secs = running.health_interval_secs;
    }
    (new, restart)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sensors_change_and_the_rest_waits_for_a_restart() {
        let running = AgentConfig::default();
        let mut new = running.clone();
        new.process.enabled = !running.process.enabled;
        new.collector.url = "https://elsewhere:8443".into();
        let (merged, restart) = merge(&running, new);
        assert_eq!(merged.process.enabled, !running.process.enabled);
        assert_eq!(merged.collector.url, running.collector.url);
        assert_eq!(restart, ["collector"]);
    }
}
