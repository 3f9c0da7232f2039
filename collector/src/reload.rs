//! Reloading the configuration on SIGHUP: the file is read again; a bad one is reported
//! (file, line, reason) and the running configuration stays; a good one is put in force
//! for everything that can change live — limits, rule folders, silence, retention —
//! while a changed listen address, certificate or database is kept until a restart, and
//! said so in the log.

use std::path::PathBuf;

use crate::config::CollectorConfig;
use crate::ingest::Collector;

/// `new` with the settings that need a restart taken from `running`, and the names of
/// those that differed.
pub fn merge(
    running: &CollectorConfig,
    mut new: CollectorConfig,
) -> (CollectorConfig, Vec<&'static str>) {
    let mut restart = Vec::new();
    if new.listen != running.listen {
        restart.push("listen");
        new.listen = running.listen;
    }
    if new.tls_cert != running.tls_cert || new.tls_key != running.tls_key {
        restart.push("tls_cert/tls_key");
        new.tls_cert.clone_from(&running.tls_cert);
        new.tls_key.clone_from(&running.tls_key);
    }
    if new.clickhouse_url != running.clickhouse_url
        || new.clickhouse_user != running.clickhouse_user
        || new.clickhouse_password_file != running.clickhouse_password_file
    {
        restart.push("clickhouse_url");
        new.clickhouse_url.clone_from(&running.clickhouse_url);
        new.clickhouse_user.clone_from(&running.clickhouse_user);
        new.clickhouse_password_file
            .clone_from(&running.clickhouse_password_file);
    }
    if new.max_inflight != running.max_inflight
        || new.max_queued != running.max_queued
        || new.max_inflight_mib != running.max_inflight_mib
    {
        restart.push("max_inflight/max_queued/max_inflight_mib");
        new.max_inflight = running.max_inflight;
        new.max_queued = running.max_queued;
        new.max_inflight_mib = running.max_inflight_mib;
    }
    if new.store_timeout_secs != running.store_timeout_secs
        || new.flush_max_events != running.flush_max_events
        || new.flush_linger_ms != running.flush_linger_ms
    {
        restart.push("store_timeout_secs/flush_max_events/flush_linger_ms");
        new.store_timeout_secs = running.store_timeout_secs;
        new.flush_max_events = running.flush_max_events;
        new.flush_linger_ms = running.flush_linger_ms;
    }
    if new.max_connections_per_source != running.max_connections_per_source
        || new.max_connections != running.max_connections
    {
        restart.push("max_connections_per_source/max_connections");
        new.max_connections_per_source = running.max_connections_per_source;
        new.max_connections = running.max_connections;
    }
    if new.audit_dir != running.audit_dir {
        restart.push("audit_dir");
        new.audit_dir.clone_from(&running.audit_dir);
    }
    (new, restart)
}

/// Reloads `path` each time the process gets SIGHUP.
pub async fn on_hangup(collector: std::sync::Arc<Collector>, path: PathBuf) {
    vigie_daemon::reload_on_hangup(
        path,
        |path| {
            let mut config = vigie_daemon::read_config(path, CollectorConfig::from_toml)?;
            config.apply_env().map_err(|e| e.to_string())?;
            Ok(config)
        },
        |new| {
            let (merged, restart) = merge(&collector.config(), new);
            collector.set_config(merged);
            vigie_daemon::report_restart_needed(&restart);
        },
    )
    .await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn live_settings_change_and_the_rest_waits_for_a_restart() {
        let running = CollectorConfig::default();
        let mut new = running.clone();
        new.agent_silent_minutes = 9;
        new.rules_dirs = vec!["/etc/vigie/rules.d".into()];
        new.listen = "0.0.0.0:9443".parse().unwrap();
        let (merged, restart) = merge(&running, new);
        assert_eq!(merged.agent_silent_minutes, 9);
        assert_eq!(merged.rules_dirs.len(), 1);
        assert_eq!(merged.listen, running.listen);
        assert_eq!(restart, ["listen"]);
    }
}
