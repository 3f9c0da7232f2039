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
    // Whole sections are compared, so a setting added later cannot slip through as
    // "applied" while the running value stays (as `batch.max_bytes` once did).
    if new.spool != running.spool {
        restart.push("spool");
        new.spool.clone_from(&running.spool);
    }
    if new.batch != running.batch {
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

    #[test]
    fn every_batch_setting_waits_for_a_restart() {
        // Issue #11: a reloaded `batch.max_bytes` was silently ignored.
        let running = AgentConfig::default();
        let mut new = running.clone();
        new.batch.max_bytes = running.batch.max_bytes / 2;
        let (merged, restart) = merge(&running, new);
        assert_eq!(merged.batch.max_bytes, running.batch.max_bytes);
        assert_eq!(restart, ["batch"]);
    }
}
