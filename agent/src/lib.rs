//! Vigie's agent: watches a server and streams what it sees to the collector.
//!
//! Sensors ([`sensors`], each a [`sensors::Sensor`] run by the [`supervisor`]) push events
//! into a bounded [`pipeline`]. The [`batch`] stage gives each event its `seq`, seals
//! batches and makes them durable in the [`spool`]; the [`send`] stage delivers them over
//! HTTPS ([`client`]), signed with the agent's key ([`identity`]), and forgets them only
//! once the collector acknowledges them. Everything read from `/proc` goes through
//! [`procfs`]; every retry follows [`retry`]. The agent depends on no server crate.

pub mod batch;
pub mod client;
pub mod collector_url;
pub mod config;
pub mod enroll;
pub mod fsutil;
pub mod health;
pub mod identity;
pub mod pipeline;
pub mod procfs;
pub mod reload;
pub mod remote;
pub mod retry;
pub mod send;
pub mod sensors;
pub mod spool;
pub mod supervisor;
pub mod throttle;
pub mod users;

use std::future::Future;
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context as _;
use tokio::sync::Notify;

use crate::config::AgentConfig;
use crate::health::Counters;
use crate::spool::{SharedSpool, Spool};
use crate::supervisor::{Persistence, Supervisor};
use crate::throttle::Throttle;

/// How the agent delivers events.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Spool and send to the collector.
    Send,
    /// Print one JSON event per line on stdout; keep no state, send nothing.
    Print,
}

/// Runs the agent until `shutdown` completes, then stops cleanly: sensors save their
/// state, pending events are sealed into the spool, and the sender stops.
/// With `config_path`, SIGHUP rereads that file and restarts the sensors with it.
pub async fn run(
    mut config: AgentConfig,
    mode: Mode,
    config_path: Option<std::path::PathBuf>,
    shutdown: impl Future<Output = ()>,
) -> anyhow::Result<()> {
    config.validate().context("invalid agent configuration")?;
    let started = Instant::now();
    let counters = Arc::new(Counters::default());
    let hostname = procfs::own::hostname();
    let (sink, rx) = pipeline::channel();
    let stop_sender = Arc::new(Notify::new());
    let mut sender_task = None;
    let mut persistence: Option<Persistence> = None;
    // The file's settings, and the SOC's for this agent's group on top of them.
    let mut local = config.clone();
    let mut remote: Option<vigie_model::agent_config::RemoteConfig> = None;
    let mut remote_updates = None;

    let batcher = match mode {
        Mode::Print => batch::Batcher {
            agent_id: "print".into(),
            hostname: hostname.clone(),
            config: config.batch.clone(),
            output: batch::Output::Print { next_seq: 1 },
            counters: counters.clone(),
        },
        Mode::Send => {
            std::fs::create_dir_all(&config.data_dir)
                .with_context(|| format!("creating {}", config.data_dir.display()))?;
            let client =
                client::CollectorClient::new(&config.collector.url, &config.collector.ca_file)?;
            let identity_path = config.data_dir.join("identity.json");
            let identity = match identity::Identity::load(&identity_path)? {
                Some(i) => i,
                None => {
                    if config.collector.enrollment_token.is_empty() {
                        anyhow::bail!(vigie_model::i18n::say(
                            vigie_model::i18n::Msg::AgentNotEnrolled,
                            &[]
                        ));
                    }
                    let i = enroll::register_patiently(
                        &client,
                        &config.collector.enrollment_token,
                        &hostname,
                        &identity_path,
                    )
                    .await?;
                    tracing::info!(agent_id = i.agent_id, "enrolled");
                    i
                }
            };
            let spool = Spool::open(
                &config.data_dir.join("spool"),
                config.spool.max_bytes,
                config.spool.segment_bytes,
            )?;
            let spool = SharedSpool::new(spool);
            let wake = Arc::new(Notify::new());
            let identity = Arc::new(identity);
            persistence = Some(Persistence {
                spool: spool.clone(),
                baseline_path: config.data_dir.join("fim-baseline.json"),
            });
            // Remote settings: those saved by an earlier run at once, then the SOC's.
            let mut remote_version = 0;
            if let Some((saved, settings)) = remote::load_saved(&config.data_dir) {
                let merged = settings.over(&local);
                if merged.validate().is_ok() {
                    remote_version = saved.version;
                    counters
                        .config_version
                        .store(saved.version, std::sync::atomic::Ordering::Relaxed);
                    config = merged;
                    remote = Some(settings);
                }
            }
            let (updates_tx, updates_rx) = tokio::sync::mpsc::channel(4);
            remote_updates = Some(updates_rx);
            tokio::spawn(remote::poll(
                client.clone(),
                identity.clone(),
                config.data_dir.clone(),
                remote_version,
                std::time::Duration::from_secs(config.health_interval_secs.clamp(5, 300)),
                updates_tx,
            ));
            sender_task = Some(tokio::spawn(send::run(
                spool.clone(),
                client,
                identity.clone(),
                wake.clone(),
                counters.clone(),
                stop_sender.clone(),
            )));
            batch::Batcher {
                agent_id: identity.agent_id.clone(),
                hostname: hostname.clone(),
                config: config.batch.clone(),
                output: batch::Output::Spool { spool, wake },
                counters: counters.clone(),
            }
        }
    };
    let batcher_task = tokio::spawn(batcher.run(rx));

    let context = sensors::Context {
        sink: sink.clone(),
        counters: counters.clone(),
        throttle: Arc::new(Throttle::new(config.fim.hash_rate_mib_s)),
    };
    let health_spool = persistence.as_ref().map(|p| p.spool.clone());
    let mut sensors = Supervisor::start(&config, context, persistence)?;

    let health_sink = sink.clone();
    let health_counters = counters.clone();
    let interval = std::time::Duration::from_secs(config.health_interval_secs.max(1));
    let health_task = tokio::spawn(async move {
        let mut ticker = tokio::time::interval(interval);
        loop {
            ticker.tick().await;
            let stats = match &health_spool {
                Some(spool) => Some(spool.run(|s| s.stats()).await),
                None => None,
            };
            let event = health::health_event(&health_counters, stats.as_ref(), started);
            if health_sink
                .send(pipeline::Item::Event(event))
                .await
                .is_err()
            {
                return;
            }
        }
    });
    let mut hangups = match &config_path {
        Some(_) => tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()).ok(),
        None => None,
    };
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            _ = &mut shutdown => break,
            () = sensors.failure() => sensors.restart_failed().await?,
            Some(()) = next_hangup(&mut hangups) => {
                let path = config_path.as_ref().expect("signals only with a file");
                match reread(path) {
                    Ok(new) => {
                        let (new, restart) = reload::merge(&local, new);
                        local = new;
                        let in_force = remote.as_ref().map_or_else(|| local.clone(), |r| r.over(&local));
                        sensors.reload(&in_force).await?;
                        tracing::info!(path = %path.display(), "configuration reloaded; sensors restarted");
                        vigie_daemon::report_restart_needed(&restart);
                    }
                    Err(error) => tracing::error!(%error, "configuration not reloaded; the running one stays in force"),
                }
            }
            Some(update) = next_update(&mut remote_updates) => {
                let in_force = update.config.over(&local);
                if let Err(e) = in_force.validate() {
                    tracing::error!(error = %e, version = update.version, "remote settings do not fit this agent's file; the current ones stay");
                    continue;
                }
                sensors.reload(&in_force).await?;
                remote = Some(update.config);
                counters.config_version.store(update.version, std::sync::atomic::Ordering::Relaxed);
                tracing::info!(version = update.version, "remote settings in force; sensors restarted");
            }
        }
    }
    tracing::info!("stopping");
    health_task.abort();
    sensors.stop().await;
    drop(sink);
    let _ = health_task.await;
    let _ = batcher_task.await;
    stop_sender.notify_one();
    if let Some(task) = sender_task {
        let _ = task.await;
    }
    Ok(())
}

/// The next remote settings, or never without a collector.
async fn next_update(
    updates: &mut Option<tokio::sync::mpsc::Receiver<remote::Update>>,
) -> Option<remote::Update> {
    match updates {
        Some(u) => u.recv().await,
        None => std::future::pending().await,
    }
}

/// The next SIGHUP, or never without a handler.
async fn next_hangup(hangups: &mut Option<tokio::signal::unix::Signal>) -> Option<()> {
    match hangups {
        Some(h) => h.recv().await,
        None => std::future::pending().await,
    }
}

/// Reads and checks the configuration file again.
fn reread(path: &std::path::Path) -> Result<AgentConfig, String> {
    let mut config = vigie_daemon::read_config(path, AgentConfig::from_toml)?;
    config.apply_env();
    config
        .validate()
        .map_err(|e| format!("in {}: {e}", path.display()))?;
    Ok(config)
}
