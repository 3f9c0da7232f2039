//! The collector's background work, in one place: each job is a named task in one
//! [`Background`] set, told to stop at shutdown and waited for (then aborted if it does
//! not), and named in the log if it ever ends on its own.
//!
//! | task | what it does | how often |
//! |---|---|---|
//! | `registry` | reloads the agent registry (new enrollments, revocations) | [`registry::REFRESH_EVERY`] |
//! | `exceptions` | reloads the exceptions analysts saved | [`exceptions::REFRESH_EVERY`] |
//! | `silence` | raises one alert per agent gone silent | [`silence::CHECK_EVERY`] |
//! | `retention` | drops partitions past each table's retention | a minute after start, then daily |
//! | `rules` | reloads rule folders when a file changes, and rules written in the dashboard | [`RULES_POLL`] |
//! | `hangup` | rereads the configuration file on SIGHUP | on signal |
//! | `figures` | logs what ingestion did: events stored, writes, failed writes, batches waiting and refused | [`FIGURES_EVERY`] |

use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::{Id, JoinSet};

use crate::ingest::Collector;
use crate::rule_library::RuleLibrary;
use crate::{exceptions, registry, rules, silence};

/// How often rule folders are checked for changes.
pub const RULES_POLL: Duration = Duration::from_secs(3);
/// How often ingestion's figures are logged.
pub const FIGURES_EVERY: Duration = Duration::from_secs(60);
/// How long a task may take to stop before it is aborted.
const STOP_GRACE: Duration = Duration::from_secs(5);

/// A task's view of shutdown.
#[derive(Clone)]
pub struct Stop(watch::Receiver<bool>);

impl Stop {
    /// Resolves once shutdown has begun.
    pub async fn requested(&mut self) {
        let _ = self.0.wait_for(|stop| *stop).await;
    }
}

/// The running background tasks.
pub struct Background {
    set: JoinSet<()>,
    names: Vec<(Id, &'static str)>,
    stop: watch::Sender<bool>,
}

impl Default for Background {
    fn default() -> Background {
        Background {
            set: JoinSet::new(),
            names: Vec::new(),
            stop: watch::channel(false).0,
        }
    }
}

impl Background {
    /// Starts `job` as the task `name`; it is handed a [`Stop`] to watch.
    pub fn spawn<F, Fut>(&mut self, name: &'static str, job: F)
    where
        F: FnOnce(Stop) -> Fut,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let handle = self.set.spawn(job(Stop(self.stop.subscribe())));
        self.names.push((handle.id(), name));
    }

    /// Runs `tick` every `period` (the first time after `first`) until shutdown.
    pub fn every<F, Fut>(
        &mut self,
        name: &'static str,
        first: Duration,
        period: Duration,
        mut tick: F,
    ) where
        F: FnMut() -> Fut + Send + 'static,
        Fut: Future<Output = ()> + Send,
    {
        self.spawn(name, move |mut stop| async move {
            tokio::select! {
                _ = stop.requested() => return,
                _ = tokio::time::sleep(first) => {}
            }
            let mut ticker = tokio::time::interval(period);
            loop {
                tokio::select! {
                    _ = stop.requested() => return,
                    _ = ticker.tick() => tick().await,
                }
            }
        });
    }

    fn name(&self, id: Id) -> &'static str {
        self.names
            .iter()
            .find(|(i, _)| *i == id)
            .map_or("?", |(_, n)| n)
    }

    /// Resolves when a task ends before shutdown (it should not), naming it in the log.
    pub async fn ended(&mut self) {
        match self.set.join_next_with_id().await {
            Some(Ok((id, ()))) => tracing::error!(task = self.name(id), "background task ended"),
            Some(Err(e)) => {
                tracing::error!(task = self.name(e.id()), error = %e, "background task failed")
            }
            None => std::future::pending().await,
        }
    }

    /// Tells every task to stop, waits for them a moment, then aborts the rest.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        let deadline = tokio::time::Instant::now() + STOP_GRACE;
        while let Ok(Some(joined)) =
            tokio::time::timeout_at(deadline, self.set.join_next_with_id()).await
        {
            if let Err(e) = joined {
                if !e.is_cancelled() {
                    tracing::error!(task = self.name(e.id()), error = %e, "background task failed");
                }
            }
        }
        if !self.set.is_empty() {
            tracing::warn!(
                tasks = self.set.len(),
                "background tasks aborted at shutdown"
            );
        }
        self.set.shutdown().await;
    }
}

/// Starts every background task of the collector.
pub fn start(
    state: &Arc<Collector>,
    library: RuleLibrary,
    config_path: Option<PathBuf>,
) -> Background {
    let mut tasks = Background::default();
    let c = state.clone();
    tasks.every("figures", FIGURES_EVERY, FIGURES_EVERY, move || {
        let c = c.clone();
        async move {
            use std::sync::atomic::Ordering::Relaxed;
            let stats = &c.writer.stats;
            tracing::info!(
                events = stats.events.load(Relaxed),
                writes = stats.flushes.load(Relaxed),
                failed_writes = stats.failed.load(Relaxed),
                waiting = c.queue.waiting(),
                refused_queue_full = c.queue.refused(),
                "ingestion figures since start"
            );
        }
    });
    let c = state.clone();
    tasks.every(
        "registry",
        registry::REFRESH_EVERY,
        registry::REFRESH_EVERY,
        move || {
            let c = c.clone();
            async move {
                if let Err(e) = c.registry.refresh().await {
                    tracing::debug!(error = %e, "agent registry refresh failed");
                }
            }
        },
    );
    let c = state.clone();
    tasks.every(
        "exceptions",
        exceptions::REFRESH_EVERY,
        exceptions::REFRESH_EVERY,
        move || {
            let c = c.clone();
            async move {
                if let Err(e) = c.exceptions.refresh(&c.client).await {
                    tracing::debug!(error = %e, "exceptions refresh failed");
                }
            }
        },
    );
    let c = state.clone();
    tasks.every(
        "rule settings",
        Duration::ZERO,
        crate::rule_settings::REFRESH_EVERY,
        move || {
            let c = c.clone();
            async move {
                if let Err(e) = c.rule_settings.refresh(&c.client).await {
                    tracing::debug!(error = %e, "rule settings refresh failed");
                }
            }
        },
    );
    let c = state.clone();
    tasks.every(
        "last seen",
        registry::STORE_SEEN_EVERY,
        registry::STORE_SEEN_EVERY,
        move || {
            let c = c.clone();
            async move {
                if let Err(e) = c.registry.store_seen().await {
                    tracing::warn!(error = %e, "cannot record when agents were last seen");
                }
            }
        },
    );
    let c = state.clone();
    tasks.every("silence", Duration::ZERO, silence::CHECK_EVERY, move || {
        let c = c.clone();
        async move {
            let silent_after = Duration::from_secs(c.config().agent_silent_minutes.max(1) * 60);
            let now = vigie_model::event::now_ms();
            if let Err(e) = silence::check(&c.client, silent_after, now).await {
                tracing::debug!(error = %e, "silent agent check failed");
            }
        }
    });
    let c = state.clone();
    let notifier = Arc::new(tokio::sync::Mutex::new(crate::notify::Notifier::default()));
    let hostname = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_string())
        .unwrap_or_else(|_| "vigie".into());
    tasks.every(
        "notify",
        crate::notify::TICK,
        crate::notify::TICK,
        move || {
            let (c, notifier, hostname) = (c.clone(), notifier.clone(), hostname.clone());
            async move {
                let config = c.config().notify.clone();
                notifier
                    .lock()
                    .await
                    .tick(&c.client, &config, &hostname)
                    .await;
            }
        },
    );
    let c = state.clone();
    // First a minute after start (not in the way of starting), then daily.
    tasks.every(
        "retention",
        Duration::from_secs(60),
        Duration::from_secs(86_400),
        move || {
            let c = c.clone();
            async move { apply_retention(&c).await }
        },
    );
    let c = state.clone();
    let library = Arc::new(tokio::sync::Mutex::new(library));
    tasks.every("rules", RULES_POLL, RULES_POLL, move || {
        let (c, library) = (c.clone(), library.clone());
        async move { rules::reload_if_changed(&c, &mut *library.lock().await).await }
    });
    if let Some(path) = config_path {
        let c = state.clone();
        tasks.spawn("hangup", move |mut stop| async move {
            tokio::select! {
                _ = stop.requested() => {}
                _ = crate::reload::on_hangup(c, path) => {}
            }
        });
    }
    tasks
}

async fn apply_retention(c: &Collector) {
    let today = vigie_store::date_of(vigie_model::event::now_ms());
    match vigie_store::retention::apply(&c.client, &c.config().retention, today, &c.audit).await {
        Ok(dropped) if !dropped.is_empty() => {
            tracing::info!(partitions = dropped.len(), "retention applied")
        }
        Ok(_) => {}
        Err(e) => tracing::warn!(error = %e, "retention failed; retried tomorrow"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    #[tokio::test]
    async fn tasks_tick_stop_at_shutdown_and_a_failure_is_noticed() {
        let mut tasks = Background::default();
        let ticks = Arc::new(AtomicU32::new(0));
        let counted = ticks.clone();
        tasks.every(
            "tick",
            Duration::ZERO,
            Duration::from_millis(10),
            move || {
                let counted = counted.clone();
                async move {
                    counted.fetch_add(1, Ordering::Relaxed);
                }
            },
        );
        tasks.spawn("fails", |_| async { panic!("on purpose") });
        tokio::time::timeout(Duration::from_secs(5), tasks.ended())
            .await
            .expect("the failed task is noticed");
        tokio::time::sleep(Duration::from_millis(50)).await;
        let started = std::time::Instant::now();
        tasks.shutdown().await;
        assert!(
            started.elapsed() < STOP_GRACE,
            "stopped when asked, not aborted"
        );
        let after = ticks.load(Ordering::Relaxed);
        assert!(after >= 2, "{after}");
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert_eq!(
            ticks.load(Ordering::Relaxed),
            after,
            "no tick after shutdown"
        );
    }
}
