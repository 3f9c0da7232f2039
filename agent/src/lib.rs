//! Vigie's agent: watches a server and streams what it sees to the collector.
//!
//! Sensors (today: file integrity, in [`sensors::file`]) push events into a bounded
//! [`pipeline`]. The [`batch`] stage gives each event its `seq`, seals batches and makes
//! them durable in the [`spool`]; the [`send`] stage delivers them over HTTPS
//! ([`client`]), signed with the agent's key ([`identity`]), and forgets them only once the
//! collector acknowledges them. The agent depends on no server crate.

pub mod batch;
pub mod client;
pub mod config;
pub mod enroll;
pub mod fsutil;
pub mod glob;
pub mod health;
pub mod identity;
pub mod pipeline;
pub mod reload;
pub mod remote;
pub mod send;
pub mod sensors;
pub mod spool;
pub mod throttle;
pub mod users;

use std::future::Future;

use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use anyhow::Context;
use tokio::sync::Notify;

use crate::config::AgentConfig;
use crate::health::Counters;
use crate::sensors::file::{Baseline, FileSensor};
use crate::spool::Spool;

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
    throttle::set_rate(config.fim.hash_rate_mib_s);
    let started = Instant::now();
    let counters = Arc::new(Counters::default());
    let hostname = identity::hostname();
    let (sink, rx) = pipeline::channel();
    let stop_sender = Arc::new(Notify::new());
    let mut sender_task = None;
    let mut spool_handle = None;
    // The file's settings, and the SOC's for this agent's group on top of them.
    let mut local = config.clone();
    let mut remote: Option<vigie_model::agent_config::RemoteConfig> = None;
    let mut remote_updates = None;

    let (batcher, baseline, baseline_path) = match mode {
        Mode::Print => (
            batch::Batcher {
                agent_id: "print".into(),
                hostname: hostname.clone(),
                config: config.batch.clone(),
                output: batch::Output::Print { next_seq: 1 },
                counters: counters.clone(),
            },
            None,
            None,
        ),
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
                        anyhow::bail!(
                            "this agent is not enrolled and no enrollment token is configured (collector.enrollment_token) / \
                             cet agent n'est pas enrôlé et aucun jeton d'enrôlement n'est configuré"
                        );
                    }
                    let i = enroll_patiently(
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
            let mut spool = Spool::open(
                &config.data_dir.join("spool"),
                config.spool.max_bytes,
                config.spool.segment_bytes,
            )?;
            let baseline_path = config.data_dir.join("fim-baseline.json");
            let baseline = load_baseline(&baseline_path, &mut spool)?;
            let spool = Arc::new(Mutex::new(spool));
            let wake = Arc::new(Notify::new());
            let identity = Arc::new(identity);
            spool_handle = Some(spool.clone());
            // Remote settings: those saved by an earlier run at once, then the SOC's.
            let mut remote_version = 0;
            if let Some((saved, settings)) = remote::load_saved(&config.data_dir) {
                let merged = settings.over(&local);
                if merged.validate().is_ok() {
                    remote_version = saved.version;
                    counters
                        .config_version
                        .store(saved.version, std::sync::atomic::Ordering::Relaxed);
                    throttle::set_rate(merged.fim.hash_rate_mib_s);
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
            (
                batch::Batcher {
                    agent_id: identity.agent_id.clone(),
                    hostname: hostname.clone(),
                    config: config.batch.clone(),
                    output: batch::Output::Spool { spool, wake },
                    counters: counters.clone(),
                },
                baseline,
                Some(baseline_path),
            )
        }
    };
    let batcher_task = tokio::spawn(batcher.run(rx));

    let mut sensors = Sensors::start(&config, baseline, baseline_path.clone(), &sink, &counters)?;

    let health_sink = sink.clone();
    let health_counters = counters.clone();
    let health_spool = spool_handle.clone();
    let interval = std::time::Duration::from_secs(config.health_interval_secs.max(1));
    let health_task = tokio::spawn(async move {
        let mut ticker = tokio::time::interval(interval);
        loop {
            ticker.tick().await;
            let stats = health_spool.as_ref().map(|s| spool::lock(s).stats());
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
            Some(()) = next_hangup(&mut hangups) => {
                let path = config_path.as_ref().expect("signals only with a file");
                match reread(path) {
                    Ok(new) => {
                        let (new, restart) = reload::merge(&local, new);
                        local = new;
                        let in_force = remote.as_ref().map_or_else(|| local.clone(), |r| r.over(&local));
                        sensors = restart_sensors(sensors, &in_force, &spool_handle, &baseline_path, &sink, &counters).await?;
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
                sensors = restart_sensors(sensors, &in_force, &spool_handle, &baseline_path, &sink, &counters).await?;
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

/// The sensors running, each on its own thread (they block on files, sockets and /proc)
/// until told to stop.
struct Sensors {
    stop: Arc<AtomicBool>,
    threads: Vec<std::thread::JoinHandle<()>>,
}

impl Sensors {
    /// Starts every sensor `config` enables.
    fn start(
        config: &AgentConfig,
        baseline: Option<Baseline>,
        baseline_path: Option<std::path::PathBuf>,
        sink: &pipeline::Sink,
        counters: &Arc<Counters>,
    ) -> anyhow::Result<Sensors> {
        let stop = Arc::new(AtomicBool::new(false));
        let mut threads = Vec::new();
        let mut spawn =
            |name: &str, run: Box<dyn FnOnce(Arc<AtomicBool>) + Send>| -> anyhow::Result<()> {
                let stop = stop.clone();
                threads.push(
                    std::thread::Builder::new()
                        .name(name.into())
                        .spawn(move || run(stop))?,
                );
                Ok(())
            };
        if config.fim.enabled {
            let sensor = FileSensor::new(
                config.fim.clone(),
                baseline,
                baseline_path,
                sink.clone(),
                counters.clone(),
            );
            spawn("vigie-fim", Box::new(move |stop| sensor.run(stop)))?;
        }
        if config.process.enabled {
            let sensor = sensors::process::ProcessSensor::new(
                sink.clone(),
                counters.clone(),
                config.process.connector,
            );
            spawn("vigie-process", Box::new(move |stop| sensor.run(stop)))?;
        }
        if config.process.listeners {
            let interval =
                std::time::Duration::from_secs(config.process.listen_interval_secs.max(1));
            let sensor =
                sensors::listen::ListenSensor::new(sink.clone(), counters.clone(), interval);
            spawn("vigie-listen", Box::new(move |stop| sensor.run(stop)))?;
        }
        if config.network.enabled {
            let settings = sensors::network::Settings {
                interfaces: config.network.interfaces.clone(),
                loopback: config.network.loopback,
                dns_ports: config.network.dns_ports.clone(),
                ignore: collector_endpoints(&config.collector.url),
                max_flows: config.network.max_flows.max(1),
            };
            let sensor =
                sensors::network::NetworkSensor::new(settings, sink.clone(), counters.clone());
            spawn("vigie-network", Box::new(move |stop| sensor.run(stop)))?;
        }
        let inventory_sink = sink.clone();
        spawn(
            "vigie-inventory",
            Box::new(move |stop| sensors::inventory::run(inventory_sink, stop)),
        )?;
        Ok(Sensors { stop, threads })
    }

    /// Stops every sensor and waits for each (they save their state).
    async fn stop(self) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        for thread in self.threads {
            tokio::task::spawn_blocking(move || thread.join())
                .await
                .ok();
        }
    }
}

/// Stops `sensors` and starts them again with `config`, the file baseline rebuilt from
/// disk and spool exactly as a restart would, so nothing is reported twice.
async fn restart_sensors(
    sensors: Sensors,
    config: &AgentConfig,
    spool_handle: &Option<Arc<Mutex<Spool>>>,
    baseline_path: &Option<std::path::PathBuf>,
    sink: &pipeline::Sink,
    counters: &Arc<Counters>,
) -> anyhow::Result<Sensors> {
    sensors.stop().await;
    let baseline = match (spool_handle, baseline_path) {
        (Some(spool), Some(path)) => load_baseline(path, &mut spool::lock(spool))?,
        _ => None,
    };
    throttle::set_rate(config.fim.hash_rate_mib_s);
    Sensors::start(config, baseline, baseline_path.clone(), sink, counters)
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

/// The collector's addresses, so the agent does not report its own traffic.
fn collector_endpoints(url: &str) -> Vec<std::net::SocketAddr> {
    use std::net::ToSocketAddrs;
    let rest = url
        .trim_start_matches("https://")
        .trim_start_matches("http://");
    let authority = rest.split('/').next().unwrap_or("");
    if authority.is_empty() {
        return Vec::new();
    }
    let with_port = if authority
        .rsplit_once(':')
        .is_some_and(|(_, p)| p.parse::<u16>().is_ok())
    {
        authority.to_string()
    } else {
        format!("{authority}:443")
    };
    with_port
        .to_socket_addrs()
        .map(|a| a.collect())
        .unwrap_or_default()
}

/// Enrolls, retrying while the collector cannot be reached (it may be starting, or the
/// link down); a refusal (wrong or used-up token) is final.
async fn enroll_patiently(
    client: &client::CollectorClient,
    token: &str,
    hostname: &str,
    path: &std::path::Path,
) -> anyhow::Result<identity::Identity> {
    let mut wait = std::time::Duration::from_secs(1);
    loop {
        match identity::enroll(client, token, hostname, path).await {
            Ok(identity) => return Ok(identity),
            Err(e) if matches!(e.downcast_ref(), Some(client::SendError::Retry { .. })) => {
                tracing::warn!(
                    error = format!("{e:#}"),
                    "collector unreachable for enrollment; retrying"
                );
                tokio::time::sleep(wait).await;
                wait = (wait * 2).min(std::time::Duration::from_secs(30));
            }
            Err(e) => return Err(e),
        }
    }
}

/// Loads the file baseline and replays onto it the file events that reached the spool
/// after it was saved, so a crash never makes the agent report a change twice.
fn load_baseline(path: &std::path::Path, spool: &mut Spool) -> anyhow::Result<Option<Baseline>> {
    let Some(mut baseline) = Baseline::load(path)? else {
        return Ok(None);
    };
    let since = baseline.seq;
    let mut replayed = 0;
    spool.for_each_after(since, |batch| {
        if let Ok(body) = vigie_model::wire::open(&batch.bytes, usize::MAX >> 1) {
            for event in body.events.iter().filter(|e| e.seq > since) {
                baseline.apply(event);
                replayed += 1;
            }
        }
    })?;
    if replayed > 0 {
        tracing::info!(replayed, "file baseline caught up from the spool");
    }
    spool.retain_from(since + 1)?;
    Ok(Some(baseline))
}
