//! Vigie's dashboard: server-rendered pages for analysts and auditors, and the `/api/v1`
//! JSON API, over ClickHouse. No script, font or style comes from outside: pages work
//! offline and over slow links.
//!
//! Three layers, one direction: [`queries`] (SQL with bound values, no HTTP types) ←
//! [`views`] (HTML, charts, PDF and CSV from query results) ← [`routes`] (thin handlers:
//! who asks, which parameters, which query, which view). [`params`] is a leaf every layer
//! may read; `tests/layers.rs` checks that nothing points the other way.

pub mod attack;
pub mod auth;
pub mod config;
pub mod i18n;
pub mod live;
pub mod params;
pub mod password;
pub mod queries;
pub mod reload;
pub mod report_key;
pub mod routes;
pub mod sessions;
pub mod state;
pub mod views;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;

use crate::config::DashboardConfig;

/// Prepares storage and the first admin; returns the generated admin password to show
/// once, if one was made.
pub async fn prepare(config: &DashboardConfig) -> anyhow::Result<Option<String>> {
    let clickhouse = config.clickhouse()?;
    vigie_store::schema::migrate(&clickhouse)
        .await
        .with_context(|| format!("ClickHouse at {}", clickhouse.url()))?;
    let client = vigie_store::connect(&clickhouse);
    Ok(queries::users::ensure_admin(&client, config.admin_password.as_deref()).await?)
}

/// Serves the dashboard on `listener` until `shutdown` completes. With `config_path`,
/// SIGHUP reloads that file.
pub async fn serve(
    config: DashboardConfig,
    config_path: Option<std::path::PathBuf>,
    listener: tokio::net::TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let clickhouse = config.clickhouse()?;
    clickhouse.warn_if_open("dashboard");
    let client = vigie_store::connect(&clickhouse);
    let anchor = vigie_store::audit::AuditDir::new(config.audit_dir.clone());
    let audit = vigie_store::audit::AuditLog::open(client.clone(), &anchor, "dashboard")
        .await
        .context("opening the audit trail")?;
    config.reports.logo()?;
    let report_key = report_key::load_or_create(&config.report_key_file)?;
    let state = Arc::new(state::AppState {
        report_key,
        audit,
        client,
        sessions: sessions::Sessions::new(Duration::from_secs(config.session_hours.max(1) * 3600)),
        settings: std::sync::RwLock::new(config),
        streams: Arc::new(live::StreamSlots::default()),
        accounts: tokio::sync::Mutex::new(()),
    });
    let hangup = config_path.map(|path| tokio::spawn(reload::on_hangup(state.clone(), path)));
    // The peer's address reaches handlers: sign-in throttling counts per source.
    let app = routes::router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    let result = axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
        .context("dashboard server");
    if let Some(task) = hangup {
        task.abort();
    }
    result
}
