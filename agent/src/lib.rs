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
pub mod delivery;
pub mod ebpf;
pub mod enroll;
pub mod groups;
pub mod health;
pub mod identity;
pub mod lineage;
pub mod pipeline;
pub mod procfs;
pub mod queue;
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
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context as _;

use crate::config::AgentConfig;
use crate::health::Counters;
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
    // The file's settings, and the SOC's for this agent's group on top of them.
    let mut local = config.clone();
    let mut remote: Option<vigie_model::agent_config::RemoteConfig> = None;
    let mut delivery = match mode {
        Mode::Print => None,
        Mode::Send => Some(delivery::Delivery::start(&config, &counters, &hostname).await?),
    };
    // Remote settings an earlier run saved apply at once, if they fit this file.
    if let Some((version, settings)) = delivery.as_mut().and_then(|d| d.saved.take()) {
        let merged = settings.over(&local);
        match merged.validate() {
            Ok(()) => {
                counters.config_version.store(version, Ordering::Relaxed);
                config = merged;
                remote = Some(settings);
            }
            Err(e) => tracing::error!(
                error = %e,
                version,
                "saved remote settings do not fit this agent's file; the file's stay"
            ),
        }
    }
    let output = match &delivery {
        None => batch::Output::Print { next_seq: 1 },
        Some(d) => batch::Output::Spool {
            spool: d.spool.clone(),
            wake: d.wake.clone(),
        },
    };
    let batcher = batch::Batcher {
        agent_id: delivery
            .as_ref()
            .map_or_else(|| "print".to_string(), |d| d.agent_id.clone()),
        hostname: hostname.clone(),
        config: config.batch.clone(),
        output,
        counters: counters.clone(),
    };
    let persistence = delivery.as_ref().map(|d| Persistence {
        spool: d.spool.clone(),
        baseline_path: config.data_dir.join("fim-baseline.json"),
        positions_path: config.data_dir.join("log-positions.json"),
        journal_path: config.data_dir.join("journal-cursor.json"),
    });
    let batcher_task = tokio::spawn(batcher.run(rx));

    let context = sensors::Context {
        sink: sink.clone(),
        counters: counters.clone(),
        throttle: Arc::new(Throttle::new(config.fim.hash_rate_mib_s)),
    };
    let health_task = tokio::spawn(health::report(
        sink.clone(),
        counters.clone(),
        persistence.as_ref().map(|p| p.spool.clone()),
        Duration::from_secs(config.health_interval_secs.max(1)),
        started,
    ));
    let mut sensors = Supervisor::start(&config, context, persistence)?;
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
            Some(update) = next_update(&mut delivery) => {
                let in_force = update.config.over(&local);
                if let Err(e) = in_force.validate() {
                    tracing::error!(error = %e, version = update.version, "remote settings do not fit this agent's file; the current ones stay");
                    continue;
                }
                sensors.reload(&in_force).await?;
                remote = Some(update.config);
                counters.config_version.store(update.version, Ordering::Relaxed);
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
    if let Some(delivery) = delivery {
        delivery.stop().await;
    }
    Ok(())
}

/// The next remote settings, or never without a collector.
async fn next_update(delivery: &mut Option<delivery::Delivery>) -> Option<remote::Update> {
    match delivery {
        Some(d) => d.updates.recv().await,
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
