//! What the collector's handlers share: settings, ClickHouse, the agent registry, the
//! engine in force, per-agent chain state, and the bounds on concurrent work.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::sync::Semaphore;
use vigie_rules::Engine;
use vigie_store::Client;

use crate::chain::ChainState;
use crate::config::CollectorConfig;
use crate::registry::Registry;

/// Everything the handlers share.
pub struct Collector {
    /// Settings; replaced whole when SIGHUP reloads the file (see [`crate::reload`]).
    config: std::sync::RwLock<CollectorConfig>,
    /// ClickHouse.
    pub client: Client,
    /// Known agents.
    pub registry: Registry,
    /// Exceptions in force (analysts' "do not alert on this").
    pub exceptions: crate::exceptions::Exceptions,
    /// Admins' settings per rule (off, or another severity).
    pub rule_settings: crate::rule_settings::RuleSettings,
    /// Detection; swapped whole when rule folders change.
    pub engine: std::sync::RwLock<Arc<Engine>>,
    /// Per-agent delivery state; `None` until loaded (or after a failed write).
    chains: Mutex<HashMap<String, Arc<tokio::sync::Mutex<Option<ChainState>>>>>,
    /// Bounds the batches processed at once, hence memory.
    pub(super) inflight: Arc<Semaphore>,
    /// Kibibytes of decompressed batches in flight, bounded ([`CollectorConfig::max_inflight_mib`]).
    pub(super) memory: Arc<Semaphore>,
    /// The bound's size.
    pub(super) memory_kib: usize,
    /// Batches waiting for a processing slot, bounded.
    pub(crate) queue: super::queue::WaitQueue,
    /// Enrollments one at a time, so a token's use count cannot be overrun.
    pub(super) enroll_lock: tokio::sync::Mutex<()>,
    /// The collector's chain of the audit trail (enrollments, rule changes).
    pub audit: vigie_store::audit::AuditLog,
    /// The one writer of events, alerts and batch records.
    pub writer: crate::writer::Writer,
    /// Reads agents' chain state, many per query.
    pub(super) chain_loader: super::loader::ChainLoader,
}

impl Collector {
    /// Shared state for the handlers.
    pub fn new(
        config: CollectorConfig,
        client: Client,
        engine: Engine,
        audit: vigie_store::audit::AuditLog,
    ) -> Collector {
        let writer = crate::writer::Writer::start(
            client.clone(),
            crate::writer::WriterSettings {
                max_events: config.flush_max_events.max(1),
                linger: std::time::Duration::from_millis(config.flush_linger_ms),
                timeout: std::time::Duration::from_secs(config.store_timeout_secs.max(1)),
            },
        );
        Collector {
            writer,
            chain_loader: super::loader::ChainLoader::start(client.clone()),
            audit,
            inflight: Arc::new(Semaphore::new(config.max_inflight.max(1))),
            queue: super::queue::WaitQueue::new(config.max_queued, config.max_inflight.max(1)),
            memory: Arc::new(Semaphore::new(config.max_inflight_mib.max(1) * 1024)),
            memory_kib: config.max_inflight_mib.max(1) * 1024,
            registry: Registry::new(client.clone()),
            exceptions: Default::default(),
            rule_settings: Default::default(),
            config: std::sync::RwLock::new(config),
            client,
            engine: std::sync::RwLock::new(Arc::new(engine)),
            chains: Mutex::new(HashMap::new()),
            enroll_lock: tokio::sync::Mutex::new(()),
        }
    }

    /// The settings in force now.
    pub fn config(&self) -> CollectorConfig {
        self.config.read().expect("config lock").clone()
    }

    /// Puts `config` in force (what can change without a restart; see
    /// [`crate::reload::merge`]).
    pub fn set_config(&self, config: CollectorConfig) {
        *self.config.write().expect("config lock") = config;
    }

    /// The engine in force now.
    pub fn engine(&self) -> Arc<Engine> {
        self.engine.read().expect("engine lock").clone()
    }

    /// Puts a new engine in force for the batches that follow.
    pub fn set_engine(&self, engine: Engine) {
        *self.engine.write().expect("engine lock") = Arc::new(engine);
    }

    pub(super) fn chain_for(&self, agent_id: &str) -> Arc<tokio::sync::Mutex<Option<ChainState>>> {
        self.chains
            .lock()
            .expect("chains lock")
            .entry(agent_id.to_string())
            .or_default()
            .clone()
    }
}
