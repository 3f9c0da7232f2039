//! Remote settings: the SOC sets file monitoring and sensor switches per group of
//! agents; the agent asks the collector at each health report, applies a new version
//! without a restart, remembers it on disk (so it holds through restarts and outages),
//! and reports the version it runs in its health events.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;
use vigie_model::agent_config::RemoteConfig;
use vigie_model::wire::RemoteSettings;

use crate::client::CollectorClient;
use crate::identity::Identity;

/// Settings accepted, for the main loop to put in force.
pub struct Update {
    /// Their version.
    pub version: u64,
    /// The sections they set.
    pub config: RemoteConfig,
}

/// Where the settings in force are kept.
pub fn saved_path(data_dir: &Path) -> PathBuf {
    data_dir.join("remote-settings.json")
}

/// The settings saved by an earlier run, if any and still readable.
pub fn load_saved(data_dir: &Path) -> Option<(RemoteSettings, RemoteConfig)> {
    let text = std::fs::read_to_string(saved_path(data_dir)).ok()?;
    let settings: RemoteSettings = serde_json::from_str(&text).ok()?;
    let config = RemoteConfig::from_toml(&settings.body).ok()?;
    Some((settings, config))
}

/// Saves the settings now in force.
pub fn save(data_dir: &Path, settings: &RemoteSettings) {
    let bytes = serde_json::to_vec_pretty(settings).expect("serializable");
    if let Err(e) = vigie_daemon::files::write_private(&saved_path(data_dir), &bytes) {
        tracing::warn!(error = %e, "remote settings not saved; fetched again after a restart");
    }
}

/// Asks every `every` for the group's settings and sends each new, valid version to
/// `updates`; an invalid one is logged and left aside.
pub async fn poll(
    client: CollectorClient,
    identity: Arc<Identity>,
    data_dir: PathBuf,
    mut version: u64,
    every: Duration,
    updates: mpsc::Sender<Update>,
) {
    let mut ticker = tokio::time::interval(every);
    loop {
        ticker.tick().await;
        let settings = match client.fetch_settings(&identity).await {
            Ok(s) => s,
            Err(e) => {
                tracing::debug!(error = %e, "remote settings not fetched; asked again later");
                continue;
            }
        };
        if settings.version == version {
            continue;
        }
        match RemoteConfig::from_toml(&settings.body) {
            Ok(config) => {
                save(&data_dir, &settings);
                version = settings.version;
                tracing::info!(group = settings.group, version, "new remote settings");
                if updates.send(Update { version, config }).await.is_err() {
                    return;
                }
            }
            Err(e) => {
                tracing::error!(group = settings.group, version = settings.version, error = %e, "remote settings refused; the current ones stay");
                version = settings.version;
            }
        }
    }
}
