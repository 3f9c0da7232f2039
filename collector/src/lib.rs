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
pub mod ingest;
pub mod pki;
pub mod registry;
pub mod reload;
pub mod rule_library;
pub mod silence;
pub mod tls;
pub mod tokens;
pub mod writer;

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;

use crate::config::CollectorConfig;
use crate::ingest::Collector;

/// Creates or migrates the schema, retrying while ClickHouse starts (up to `patience`).
pub async fn migrate_with_patience(url: &str, patience: Duration) -> anyhow::Result<u32> {
    let deadline = Instant::now() + patience;
    loop {
        match vigie_store::schema::migrate(url).await {
            Ok(version) => return Ok(version),
            Err(e) if Instant::now() < deadline => {
                tracing::warn!(error = %e, "ClickHouse not ready; retrying");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
            Err(e) => return Err(e).with_context(|| format!("ClickHouse at {url}")),
        }
    }
}

/// Runs the collector until `shutdown` completes.
/// With `config_path`, SIGHUP reloads that file.
pub async fn run(
    config: CollectorConfig,
    config_path: Option<std::path::PathBuf>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let version = migrate_with_patience(&config.clickhouse_url, Duration::from_secs(60)).await?;
    tracing::info!(version, "schema ready");
    let client = vigie_store::connect(&config.clickhouse_url);
    let tls = tls::server_config(&config.tls_cert, &config.tls_key)?;
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("listening on {}", config.listen))?;
    let mut library = rule_library::RuleLibrary::new(config.rules_dirs.clone());
    report_rules(&library.refresh());
    let audit = vigie_store::audit::AuditLog::open(client.clone(), "collector")
        .await
        .context("opening the audit trail")?;
    let state = Arc::new(Collector::new(
        config.clone(),
        client,
        build_engine(&library),
        audit,
    ));
    state
        .registry
        .refresh()
        .await
        .context("loading the agent registry")?;
    publish_rules(&state.client, &state.engine()).await;
    state
        .audit
        .note(
            "collector",
            "rules_loaded",
            "",
            rules_details(&state.engine(), &library),
        )
        .await;
    let refresher = state.clone();
    let refresh_task = tokio::spawn(async move {
        let mut ticker = tokio::time::interval(registry::REFRESH_EVERY);
        loop {
            ticker.tick().await;
            if let Err(e) = refresher.registry.refresh().await {
                tracing::debug!(error = %e, "agent registry refresh failed");
            }
        }
    });
    let hangup_task = config_path.map(|path| tokio::spawn(reload::on_hangup(state.clone(), path)));
    let watcher = state.clone();
    let silence_task = tokio::spawn(async move {
        let mut ticker = tokio::time::interval(silence::CHECK_EVERY);
        loop {
            ticker.tick().await;
            let silent_after =
                Duration::from_secs(watcher.config().agent_silent_minutes.max(1) * 60);
            let now = vigie_model::event::now_ms();
            if let Err(e) = silence::check(&watcher.client, silent_after, now).await {
                tracing::debug!(error = %e, "silent agent check failed");
            }
        }
    });
    let keeper = state.clone();
    let retention_task = tokio::spawn(async move {
        // First a minute after start (not in the way of starting), then daily.
        tokio::time::sleep(Duration::from_secs(60)).await;
        let mut ticker = tokio::time::interval(Duration::from_secs(86_400));
        loop {
            ticker.tick().await;
            let today = vigie_store::date_of(vigie_model::event::now_ms());
            match vigie_store::retention::apply(
                &keeper.client,
                &keeper.config().retention,
                today,
                &keeper.audit,
            )
            .await
            {
                Ok(dropped) if !dropped.is_empty() => {
                    tracing::info!(partitions = dropped.len(), "retention applied")
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "retention failed; retried tomorrow"),
            }
        }
    });
    let reloader = state.clone();
    let reload_task = tokio::spawn(async move {
        let mut ticker = tokio::time::interval(RULES_POLL);
        loop {
            ticker.tick().await;
            // Folders named by a reloaded configuration replace the old ones.
            let dirs = reloader.config().rules_dirs;
            let dirs_changed = library.dirs() != dirs.as_slice();
            if dirs_changed {
                library = rule_library::RuleLibrary::new(dirs);
            }
            let (library_back, mut refresh) = tokio::task::spawn_blocking(move || {
                let refresh = library.refresh();
                (library, refresh)
            })
            .await
            .expect("rule refresh does not panic");
            refresh.changed |= dirs_changed;
            library = library_back;
            if refresh.changed || !refresh.errors.is_empty() {
                report_rules(&refresh);
            }
            if refresh.changed {
                reloader.set_engine(build_engine(&library));
                publish_rules(&reloader.client, &reloader.engine()).await;
                let mut details = rules_details(&reloader.engine(), &library);
                details["errors"] = refresh.errors.iter().map(|e| e.to_string()).collect();
                reloader
                    .audit
                    .note("collector", "rules_changed", "", details)
                    .await;
            }
        }
    });
    tracing::info!(addr = %config.listen, "collector listening (HTTPS)");
    let app = ingest::router(state);
    let result = axum::serve(tls::TlsListener::new(listener, tls)?, app)
        .with_graceful_shutdown(shutdown)
        .await;
    refresh_task.abort();
    silence_task.abort();
    if let Some(task) = hangup_task {
        task.abort();
    }
    retention_task.abort();
    reload_task.abort();
    result.context("collector server")
}

/// How often rule folders are checked for changes.
const RULES_POLL: Duration = Duration::from_secs(3);

fn build_engine(library: &rule_library::RuleLibrary) -> vigie_rules::Engine {
    let (engine, errors) = library.engine();
    for error in errors {
        tracing::warn!(%error, "correlation not in force");
    }
    engine
}

/// What the audit trail says of the rules in force: how many, from which files.
fn rules_details(
    engine: &vigie_rules::Engine,
    library: &rule_library::RuleLibrary,
) -> serde_json::Value {
    serde_json::json!({
        "rules": engine.describe().len(),
        "files": library.files(),
    })
}

/// Writes the rules in force to the `rules` table, so the dashboard can describe the
/// rule behind each alert (older versions stay, for older alerts).
async fn publish_rules(client: &vigie_store::Client, engine: &vigie_rules::Engine) {
    let now = vigie_model::event::now_ms();
    let rows: Vec<vigie_store::rows::RuleRow> = engine
        .describe()
        .into_iter()
        .chain(detect::own_rules())
        .map(|(info, description)| vigie_store::rows::RuleRow {
            rule_id: info.id.clone(),
            title: info.title.clone(),
            title_fr: info.title_fr.clone(),
            description,
            level: info.level.as_str().into(),
            author: info.author.clone(),
            tags: info.tags.clone(),
            updated_ms: now,
        })
        .collect();
    if let Err(e) = vigie_store::insert_rows(client, "rules", &rows).await {
        tracing::warn!(error = %e, "could not publish the rule catalogue");
    }
}

fn report_rules(refresh: &rule_library::Refresh) {
    for error in &refresh.errors {
        tracing::warn!(%error, "rule not loaded; any previous version stays in force");
    }
    tracing::info!(
        rules = refresh.rules,
        failed = refresh.errors.len(),
        "Sigma rules in force"
    );
}
