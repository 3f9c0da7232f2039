//! `vigie-collector`: runs the collector from a configuration file.

use std::path::PathBuf;

use anyhow::Context;
use clap::Parser;
use vigie_collector::config::CollectorConfig;

/// Vigie collector: agent ingest, detection and storage.
/// Collecteur Vigie : réception des agents, détection et stockage.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// TOML configuration file / fichier de configuration TOML.
    #[arg(long)]
    config: Option<PathBuf>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        // Colours only on a terminal: logs in files and the journal stay plain text.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("VIGIE_LOG")
                .unwrap_or_else(|_| "info".into()),
        )
        .init();
    let mut config = match &args.config {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading {}", path.display()))?;
            CollectorConfig::from_toml(&text).with_context(|| format!("in {}", path.display()))?
        }
        None => CollectorConfig::default(),
    };
    config.apply_env()?;
    vigie_collector::run(config, shutdown_signal()).await
}

async fn shutdown_signal() {
    use tokio::signal::unix::{signal, SignalKind};
    let mut term = signal(SignalKind::terminate()).expect("SIGTERM handler");
    let mut int = signal(SignalKind::interrupt()).expect("SIGINT handler");
    tokio::select! {
        _ = term.recv() => {}
        _ = int.recv() => {}
    }
}
