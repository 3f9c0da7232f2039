//! The collector's HTTPS API: batch ingest, enrollment, health.

mod agent_config;
mod batch;
mod enroll;
mod verified;

pub use verified::VerifiedAgent;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::routing::{get, post};
use axum::Router;
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
    /// Detection; swapped whole when rule folders change.
    pub engine: std::sync::RwLock<Arc<Engine>>,
    /// Per-agent delivery state; `None` until loaded (or after a failed write).
    chains: Mutex<HashMap<String, Arc<tokio::sync::Mutex<Option<ChainState>>>>>,
    /// Bounds the batches processed at once, hence memory.
    inflight: Arc<Semaphore>,
    /// Enrollments one at a time, so a token's use count cannot be overrun.
    enroll_lock: tokio::sync::Mutex<()>,
    /// The collector's chain of the audit trail (enrollments, rule changes).
    pub audit: vigie_store::audit::AuditLog,
}

impl Collector {
    /// Shared state for the handlers.
    pub fn new(
        config: CollectorConfig,
        client: Client,
        engine: Engine,
        audit: vigie_store::audit::AuditLog,
    ) -> Collector {
        Collector {
            audit,
            inflight: Arc::new(Semaphore::new(config.max_inflight.max(1))),
            registry: Registry::new(client.clone()),
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

    fn chain_for(&self, agent_id: &str) -> Arc<tokio::sync::Mutex<Option<ChainState>>> {
        self.chains
            .lock()
            .expect("chains lock")
            .entry(agent_id.to_string())
            .or_default()
            .clone()
    }
}

/// The API's routes.
pub fn router(state: Arc<Collector>) -> Router {
    Router::new()
        .route(vigie_model::wire::BATCH_PATH, post(batch::ingest))
        .route(vigie_model::wire::ENROLL_PATH, post(enroll::enroll))
        .route(vigie_model::wire::CONFIG_PATH, post(agent_config::fetch))
        .route("/healthz", get(healthz))
        .with_state(state)
}

async fn healthz() -> &'static str {
    "ok\n"
}
