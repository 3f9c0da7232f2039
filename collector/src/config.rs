//! The collector's configuration: a TOML file, then `VIGIE_*` variables.

use std::net::SocketAddr;
use std::path::PathBuf;

use serde::Deserialize;

/// The collector's configuration file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CollectorConfig {
    /// HTTPS listen address. `VIGIE_COLLECTOR_ADDR` overrides it.
    pub listen: SocketAddr,
    /// PEM certificate chain the collector presents.
    pub tls_cert: PathBuf,
    /// PEM private key of that certificate.
    pub tls_key: PathBuf,
    /// ClickHouse HTTP endpoint (may carry `user:password@`). `VIGIE_CLICKHOUSE_URL`
    /// overrides it.
    pub clickhouse_url: String,
    /// ClickHouse user. `VIGIE_CLICKHOUSE_USER` overrides it.
    pub clickhouse_user: Option<String>,
    /// File holding the ClickHouse password, mode 0600 (never the password itself in
    /// this file). `VIGIE_CLICKHOUSE_PASSWORD_FILE` overrides it.
    pub clickhouse_password_file: Option<std::path::PathBuf>,
    /// The audit trail's anchor, outside ClickHouse: each writer's signing key and its
    /// chain's signed tip (shared by the collector, the dashboard and the command line
    /// of one site). With `VIGIE_DATA_DIR` set and this not, `audit` in that folder.
    pub audit_dir: std::path::PathBuf,
    /// Largest request body accepted, compressed (bytes).
    pub max_body_bytes: usize,
    /// Largest batch accepted once decompressed (bytes): refuses decompression bombs.
    pub max_batch_bytes: usize,
    /// Batches processed at once (parsed, checked, waiting for their write); more wait
    /// their turn.
    pub max_inflight: usize,
    /// Batches that may wait for a processing slot; past it they are told to come back
    /// later (503, with a `Retry-After` that grows with the queue).
    pub max_queued: usize,
    /// Mebibytes of decompressed batches processed at once: each reserves what it
    /// declares before it is decompressed, and waits its turn when the rest is taken.
    pub max_inflight_mib: usize,
    /// Connections open at once from one address (agents behind one NAT share one:
    /// keep it above their number); more are closed at once, and counted.
    pub max_connections_per_source: usize,
    /// Connections open at once in all.
    pub max_connections: usize,
    /// Largest difference between an agent's clock and ours when it signs a request.
    pub max_clock_skew_secs: u64,
    /// Seconds a storage write may take before the batch is refused with 503.
    pub store_timeout_secs: u64,
    /// Batches from many agents are stored together: a write goes when it holds this
    /// many events…
    pub flush_max_events: usize,
    /// …or this many milliseconds after its first batch (writes also go back to back:
    /// what arrives during one goes with the next).
    pub flush_linger_ms: u64,
    /// Folders of Sigma rules run beside the built-in ones, reloaded when they change.
    /// `VIGIE_RULES_DIR` (`:`-separated) adds to them.
    pub rules_dirs: Vec<PathBuf>,
    /// An agent that sends nothing for this many minutes is reported silent (an
    /// alert); agents report their health every minute, so a live one never is.
    pub agent_silent_minutes: u64,
    /// Days each table keeps, carried out daily by dropping whole partitions
    /// (`[retention]`: `events_days`, `batches_days`, `alerts_days`,
    /// `alert_actions_days`, `audit_days`; 0 keeps forever).
    pub retention: vigie_store::retention::Retention,
    /// Who is told of alerts, and how (`[notify]`: e-mail, webhook, syslog).
    pub notify: crate::notify::config::NotifyConfig,
}

impl Default for CollectorConfig {
    fn default() -> CollectorConfig {
        CollectorConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 8443)),
            tls_cert: PathBuf::from("/etc/vigie/pki/collector.pem"),
            tls_key: PathBuf::from("/etc/vigie/pki/collector-key.pem"),
            clickhouse_url: "http://127.0.0.1:8123".into(),
            clickhouse_user: None,
            clickhouse_password_file: None,
            audit_dir: std::path::PathBuf::from("var/audit"),
            max_body_bytes: 8 << 20,
            max_batch_bytes: 16 << 20,
            max_inflight: 256,
            max_queued: 8192,
            max_inflight_mib: 256,
            max_connections_per_source: 256,
            max_connections: 4096,
            max_clock_skew_secs: 600,
            store_timeout_secs: 10,
            flush_max_events: 100_000,
            flush_linger_ms: 20,
            rules_dirs: Vec::new(),
            agent_silent_minutes: 5,
            retention: Default::default(),
            notify: Default::default(),
        }
    }
}

impl CollectorConfig {
    /// Where ClickHouse is and the credentials to use there (the password file read).
    pub fn clickhouse(&self) -> Result<vigie_store::Endpoint, vigie_store::StoreError> {
        vigie_store::Endpoint::new(
            &self.clickhouse_url,
            self.clickhouse_user.as_deref(),
            self.clickhouse_password_file.as_deref(),
        )
    }

    /// Parses a TOML file's text. Unknown keys are errors that name the key.
    pub fn from_toml(text: &str) -> anyhow::Result<CollectorConfig> {
        let config: CollectorConfig = toml::from_str(text)?;
        config.notify.check().map_err(anyhow::Error::msg)?;
        Ok(config)
    }

    /// Applies `VIGIE_COLLECTOR_ADDR` and the `VIGIE_CLICKHOUSE_*` variables.
    pub fn apply_env(&mut self) -> anyhow::Result<()> {
        if let Ok(addr) = std::env::var("VIGIE_COLLECTOR_ADDR") {
            self.listen = addr
                .parse()
                .map_err(|e| anyhow::anyhow!("VIGIE_COLLECTOR_ADDR={addr:?}: {e}"))?;
        }
        vigie_store::endpoint::apply_env(
            &mut self.clickhouse_url,
            &mut self.clickhouse_user,
            &mut self.clickhouse_password_file,
        );
        if let Ok(dir) = std::env::var("VIGIE_DATA_DIR") {
            if !dir.is_empty() && self.audit_dir == CollectorConfig::default().audit_dir {
                self.audit_dir = std::path::Path::new(&dir).join("audit");
            }
        }
        if let Ok(dirs) = std::env::var("VIGIE_RULES_DIR") {
            self.rules_dirs
                .extend(dirs.split(':').filter(|d| !d.is_empty()).map(PathBuf::from));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_file_gives_defaults_and_unknown_keys_are_named() {
        let c = CollectorConfig::from_toml("").unwrap();
        assert_eq!(c.listen.port(), 8443);
        let err = CollectorConfig::from_toml("listn = \"x\"").unwrap_err();
        assert!(err.to_string().contains("listn"), "{err}");
    }
}
