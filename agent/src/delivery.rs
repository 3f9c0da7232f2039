//! The agent's sending side, started together: its identity (enrolling first when it has
//! none), the spool, the sender, and the poller of the SOC's remote settings.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use tokio::sync::{mpsc, Notify};
use tokio::task::JoinHandle;
use vigie_model::agent_config::RemoteConfig;

use crate::client::CollectorClient;
use crate::config::AgentConfig;
use crate::health::Counters;
use crate::identity::Identity;
use crate::spool::{SharedSpool, Spool};
use crate::{enroll, remote, send};

/// What runs to deliver events, and what the rest of the agent needs of it.
pub struct Delivery {
    /// The id the collector gave this agent.
    pub agent_id: String,
    /// The spool batches go into.
    pub spool: SharedSpool,
    /// Woken after each batch is spooled.
    pub wake: Arc<Notify>,
    /// Remote settings as the SOC changes them.
    pub updates: mpsc::Receiver<remote::Update>,
    /// Remote settings saved by an earlier run, with their version.
    pub saved: Option<(u64, RemoteConfig)>,
    sender: JoinHandle<()>,
    stop: Arc<Notify>,
}

impl Delivery {
    /// Opens the state folder, enrolls if needed, opens the spool and starts the sender
    /// and the settings poller.
    pub async fn start(
        config: &AgentConfig,
        counters: &Arc<Counters>,
        hostname: &str,
    ) -> anyhow::Result<Delivery> {
        std::fs::create_dir_all(&config.data_dir)
            .with_context(|| format!("creating {}", config.data_dir.display()))?;
        let client = CollectorClient::new(&config.collector.url, &config.collector.ca_file)?;
        let identity = Arc::new(identity(config, &client, hostname).await?);
        let spool = SharedSpool::new(Spool::open(
            &config.data_dir.join("spool"),
            config.spool.max_bytes,
            config.spool.segment_bytes,
        )?);
        let saved = remote::load_saved(&config.data_dir)
            .map(|(settings, remote)| (settings.version, remote));
        let (updates_tx, updates) = mpsc::channel(4);
        tokio::spawn(remote::poll(
            client.clone(),
            identity.clone(),
            config.data_dir.clone(),
            saved.as_ref().map_or(0, |(version, _)| *version),
            Duration::from_secs(config.health_interval_secs.clamp(5, 300)),
            updates_tx,
        ));
        let wake = Arc::new(Notify::new());
        let stop = Arc::new(Notify::new());
        let sender = tokio::spawn(send::run(
            spool.clone(),
            client,
            identity.clone(),
            wake.clone(),
            counters.clone(),
            stop.clone(),
        ));
        Ok(Delivery {
            agent_id: identity.agent_id.clone(),
            spool,
            wake,
            updates,
            saved,
            sender,
            stop,
        })
    }

    /// Stops the sender once it has finished the request under way.
    pub async fn stop(self) {
        self.stop.notify_one();
        let _ = self.sender.await;
    }
}

/// The agent's identity, enrolling with the configured token when it has none.
async fn identity(
    config: &AgentConfig,
    client: &CollectorClient,
    hostname: &str,
) -> anyhow::Result<Identity> {
    let path = config.data_dir.join("identity.json");
    if let Some(identity) = Identity::load(&path)? {
        return Ok(identity);
    }
    if config.collector.enrollment_token.is_empty() {
        anyhow::bail!(vigie_model::i18n::say(
            vigie_model::i18n::Msg::AgentNotEnrolled,
            &[]
        ));
    }
    let identity =
        enroll::register_patiently(client, &config.collector.enrollment_token, hostname, &path)
            .await?;
    tracing::info!(agent_id = identity.agent_id, "enrolled");
    Ok(identity)
}
