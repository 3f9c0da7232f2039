//! The collector's HTTPS API: batch ingest, enrollment, health.

mod agent_config;
mod batch;
mod clock;
mod enroll;
mod loader;
mod queue;
mod state;
mod verified;

pub use state::Collector;

pub use verified::VerifiedAgent;

use std::sync::Arc;

use axum::routing::{get, post};
use axum::Router;

/// The API's routes.
pub fn router(state: Arc<Collector>) -> Router {
    Router::new()
        .route(vigie_model::wire::BATCH_PATH, post(batch::ingest))
        .route(vigie_model::wire::BATCHES_PATH, post(batch::ingest_many))
        .route(vigie_model::wire::ENROLL_PATH, post(enroll::enroll))
        .route(vigie_model::wire::CONFIG_PATH, post(agent_config::fetch))
        .route("/healthz", get(healthz))
        .with_state(state)
}

async fn healthz() -> &'static str {
    "ok\n"
}
