//! Vigie's collector: authenticates agents, stores each event once, detects, alerts.
//!
//! Requests arrive over HTTPS ([`tls`]) at the [`ingest`] API. A batch is checked against
//! the agent [`registry`] and its signature, opened with a size limit, placed in the
//! agent's [`chain`] (duplicates acknowledged, gaps and forks alerted on), run through
//! the detection engine ([`detect`]) and written to ClickHouse ([`writer`]). Only then is
//! it acknowledged. When storage is slow or down, agents are told to retry (503).

pub mod chain;
pub mod config;
pub mod detect;
pub mod error;
pub mod exceptions;
pub mod ingest;
pub mod notify;
pub mod pki;
pub mod registry;
pub mod reload;
pub mod rule_library;
pub mod rule_settings;
pub mod rules;
pub mod serve;
pub mod silence;
pub mod tasks;
pub mod tls;
pub mod writer;

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;

use crate::config::CollectorConfig;
use crate::ingest::Collector;

/// Creates or migrates the schema, retrying while ClickHouse starts (up to `patience`).
pub async fn migrate_with_patience(
    clickhouse: &vigie_store::Endpoint,
    patience: Duration,
) -> anyhow::Result<u32> {
    let deadline = Instant::now() + patience;
    loop {
        match vigie_store::schema::migrate(clickhouse).await {
            Ok(version) => return Ok(version),
            Err(e) if Instant::now() < deadline => {
                tracing::warn!(error = %e, "ClickHouse not ready; retrying");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
            Err(e) => return Err(e).with_context(|| format!("ClickHouse at {}", clickhouse.url())),
        }
    }
}

/// Connections the kernel holds for the accept loop. Tokio's default (1,024) overflowed
/// when thousands of agents came back at once after an outage: the kernel dropped their
/// connection attempts and each one waited for its own retransmission, one, three, then
/// seven seconds later, while the collector sat idle. The kernel caps it at
/// `net.core.somaxconn` (4,096 by default).
const LISTEN_BACKLOG: u32 = 16_384;

fn listen(addr: std::net::SocketAddr) -> std::io::Result<tokio::net::TcpListener> {
    let socket = match addr {
        std::net::SocketAddr::V4(_) => tokio::net::TcpSocket::new_v4()?,
        std::net::SocketAddr::V6(_) => tokio::net::TcpSocket::new_v6()?,
    };
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(LISTEN_BACKLOG)
}

/// Runs the collector until `shutdown` completes.
/// With `config_path`, SIGHUP reloads that file.
pub async fn run(
    config: CollectorConfig,
    config_path: Option<std::path::PathBuf>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let clickhouse = config.clickhouse()?;
    clickhouse.warn_if_open("collector");
    let version = migrate_with_patience(&clickhouse, Duration::from_secs(60)).await?;
    tracing::info!(version, "schema ready");
    let client = vigie_store::connect(&clickhouse);
    let tls = tls::server_config(&config.tls_cert, &config.tls_key)?;
    let listener =
        listen(config.listen).with_context(|| format!("listening on {}", config.listen))?;
    let mut library = rule_library::RuleLibrary::new(config.rules_dirs.clone());
    let first = library.refresh_with(rules::stored(&client).await);
    let anchor = vigie_store::audit::AuditDir::new(config.audit_dir.clone());
    let audit = vigie_store::audit::AuditLog::open(client.clone(), &anchor, "collector")
        .await
        .context("opening the audit trail")?;
    let state = Arc::new(Collector::new(
        config.clone(),
        client,
        rules::build_engine(&library),
        audit,
    ));
    state
        .registry
        .refresh()
        .await
        .context("loading the agent registry")?;
    let exceptions = state
        .exceptions
        .refresh(&state.client)
        .await
        .context("loading the exceptions")?;
    tracing::info!(exceptions, "exceptions in force");
    rules::report(&first, &state.engine());
    rules::publish(&state.client, &state.engine(), &library).await;
    state
        .audit
        .note(
            "collector",
            "rules_loaded",
            "",
            rules::details(&state.engine(), &library),
        )
        .await;
    let mut background = tasks::start(&state, library, config_path);
    tracing::info!(addr = %config.listen, "collector listening (HTTPS)");
    let limits = tls::ConnectionLimits {
        per_source: config.max_connections_per_source.max(1),
        total: config.max_connections.max(1),
    };
    let app = ingest::router(state);
    let server = serve::serve(tls::TlsListener::new(listener, tls, limits), app, shutdown);
    tokio::pin!(server);
    loop {
        tokio::select! {
            () = &mut server => break,
            () = background.ended() => {}
        }
    }
    background.shutdown().await;
    Ok(())
}
