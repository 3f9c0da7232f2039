//! Vigie's dashboard: server-rendered pages for analysts and auditors, and the `/api/v1`
//! JSON API, over ClickHouse. No script, font or style comes from outside: pages work
//! offline and over slow links.

pub mod agent_settings;
pub mod alert_detail;
pub mod alert_query;
pub mod api_tokens;
pub mod attack;
pub mod audit_query;
pub mod auth;
pub mod charts;
pub mod config;
pub mod csv;
pub mod fleet;
pub mod html;
pub mod hunt;
pub mod i18n;
pub mod overview;
pub mod param_error;
pub mod password;
pub mod pdf;
pub mod reload;
pub mod report;
pub mod report_key;
pub mod routes;
pub mod sessions;
pub mod sql;
pub mod triage;
pub mod users;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;

use crate::config::DashboardConfig;

/// Prepares storage and the first admin; returns the generated admin password to show
/// once, if one was made.
pub async fn prepare(config: &DashboardConfig) -> anyhow::Result<Option<String>> {
    vigie_store::schema::migrate(&config.clickhouse_url)
        .await
        .with_context(|| format!("ClickHouse at {}", config.clickhouse_url))?;
    let client = vigie_store::connect(&config.clickhouse_url);
    Ok(users::ensure_admin(&client, config.admin_password.as_deref()).await?)
}

/// Serves the dashboard on `listener` until `shutdown` completes. With `config_path`,
/// SIGHUP reloads that file.
pub async fn serve(
    config: DashboardConfig,
    config_path: Option<std::path::PathBuf>,
    listener: tokio::net::TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let client = vigie_store::connect(&config.clickhouse_url);
    let audit = vigie_store::audit::AuditLog::open(client.clone(), "dashboard")
        .await
        .context("opening the audit trail")?;
    let report_key = report_key::load_or_create(&config.report_key_file)?;
    let state = Arc::new(routes::AppState {
        report_key,
        audit,
        client,
        sessions: sessions::Sessions::new(Duration::from_secs(config.session_hours.max(1) * 3600)),
        settings: std::sync::RwLock::new(config),
    });
    let hangup = config_path.map(|path| tokio::spawn(reload::on_hangup(state.clone(), path)));
    let result = axum::serve(listener, routes::router(state))
        .with_graceful_shutdown(shutdown)
        .await
        .context("dashboard server");
    if let Some(task) = hangup {
        task.abort();
    }
    result
}
