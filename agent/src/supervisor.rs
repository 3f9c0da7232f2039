//! The sensor supervisor: starts every configured sensor on its own thread, restarts the
//! set when one of them fails (a panic), and reloads them with new settings — always
//! rebuilding the file baseline and the log positions from disk and spool as a fresh
//! start would, so no change or line is reported twice and none is missed.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use crate::config::AgentConfig;
use crate::health::bump;
use crate::retry::Backoff;
use crate::sensors::file::{Baseline, Saved};
use crate::sensors::logs::positions::Positions;
use crate::sensors::{self, logs, Context};
use crate::spool::SharedSpool;

/// Where the file sensor's state lives between runs (none with `--print`).
#[derive(Clone)]
pub struct Persistence {
    /// The spool, whose unacknowledged file events catch the baseline up.
    pub spool: SharedSpool,
    /// The baseline snapshot.
    pub baseline_path: PathBuf,
    /// The log positions snapshot.
    pub positions_path: PathBuf,
    /// The journal cursor snapshot.
    pub journal_path: PathBuf,
}

/// The running sensors.
pub struct Supervisor {
    context: Context,
    persistence: Option<Persistence>,
    config: AgentConfig,
    stop: Arc<AtomicBool>,
    threads: Vec<Running>,
    /// Set by a sensor thread that panicked.
    failed: Arc<AtomicBool>,
    backoff: Backoff,
}

struct Running {
    name: &'static str,
    thread: JoinHandle<()>,
}

impl Supervisor {
    /// Starts every sensor `config` enables.
    pub fn start(
        config: &AgentConfig,
        context: Context,
        persistence: Option<Persistence>,
    ) -> anyhow::Result<Supervisor> {
        let mut supervisor = Supervisor {
            context,
            persistence,
            config: config.clone(),
            stop: Arc::new(AtomicBool::new(false)),
            threads: Vec::new(),
            failed: Arc::new(AtomicBool::new(false)),
            backoff: Backoff::new(Duration::from_secs(1), Duration::from_secs(60)),
        };
        supervisor.spawn_all()?;
        Ok(supervisor)
    }

    fn spawn_all(&mut self) -> anyhow::Result<()> {
        self.context
            .throttle
            .set_rate(self.config.fim.hash_rate_mib_s);
        if let Some(p) = &self.persistence {
            p.spool.blocking().clear_retention();
        }
        let files = self.file_state()?;
        let logs = self.log_state()?;
        let journal = self.journal_state()?;
        self.stop = Arc::new(AtomicBool::new(false));
        for sensor in sensors::configured(&self.config, &self.context, files, logs, journal) {
            let name = sensor.name();
            let stop = self.stop.clone();
            let failed = self.failed.clone();
            let thread = std::thread::Builder::new()
                .name(name.into())
                .spawn(move || {
                    let run = std::panic::AssertUnwindSafe(move || sensor.run(stop));
                    if std::panic::catch_unwind(run).is_err() {
                        failed.store(true, Ordering::Relaxed);
                    }
                })?;
            self.threads.push(Running { name, thread });
        }
        Ok(())
    }

    /// The baseline as a fresh start would see it.
    fn file_state(&self) -> anyhow::Result<Saved> {
        Ok(match &self.persistence {
            Some(p) => Saved {
                baseline: Baseline::load_caught_up(&p.baseline_path, &mut p.spool.blocking())?,
                path: Some(p.baseline_path.clone()),
            },
            None => Saved {
                baseline: None,
                path: None,
            },
        })
    }

    /// The log positions as a fresh start would see them.
    fn log_state(&self) -> anyhow::Result<logs::Saved> {
        Ok(match &self.persistence {
            Some(p) => logs::Saved {
                positions: Positions::load_caught_up(&p.positions_path, &mut p.spool.blocking())?,
                path: Some(p.positions_path.clone()),
            },
            None => logs::Saved {
                positions: None,
                path: None,
            },
        })
    }

    /// The journal cursor as a fresh start would see it.
    fn journal_state(&self) -> anyhow::Result<logs::journal::Saved> {
        Ok(match &self.persistence {
            Some(p) => logs::journal::Saved {
                cursor: logs::journal::Cursor::load_caught_up(
                    &p.journal_path,
                    &mut p.spool.blocking(),
                )?,
                path: Some(p.journal_path.clone()),
            },
            None => logs::journal::Saved {
                cursor: None,
                path: None,
            },
        })
    }

    /// Stops every sensor and waits for each (they save their state).
    async fn stop_all(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        for running in self.threads.drain(..) {
            let name = running.name;
            if tokio::task::spawn_blocking(move || running.thread.join())
                .await
                .is_err()
            {
                tracing::error!(sensor = name, "sensor thread could not be joined");
            }
        }
    }

    /// Runs the sensors with `config` from now on.
    pub async fn reload(&mut self, config: &AgentConfig) -> anyhow::Result<()> {
        self.stop_all().await;
        self.config = config.clone();
        self.spawn_all()
    }

    /// Resolves when a sensor has failed (panicked). Cancel-safe: it only looks.
    pub async fn failure(&self) {
        while !self.failed.load(Ordering::Relaxed) {
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    }

    /// Restarts every sensor after a failure, after a back-off (so a sensor that fails at
    /// once does not spin), and counts it.
    pub async fn restart_failed(&mut self) -> anyhow::Result<()> {
        self.failed.store(false, Ordering::Relaxed);
        bump(&self.context.counters.sensor_restarts);
        let wait = self.backoff.next_wait(None);
        tracing::error!(
            wait_ms = wait.as_millis() as u64,
            "a sensor failed; restarting the sensors"
        );
        self.stop_all().await;
        tokio::time::sleep(wait).await;
        self.spawn_all()
    }

    /// Stops every sensor.
    pub async fn stop(mut self) {
        self.stop_all().await;
    }
}
