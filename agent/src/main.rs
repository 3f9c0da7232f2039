//! `vigie-agent`: runs the agent from a configuration file, or `--print` without one.

use std::path::PathBuf;

use anyhow::Context;
use clap::Parser;
use vigie_agent::config::AgentConfig;
use vigie_agent::Mode;

/// Vigie agent: file integrity monitoring streamed to the collector.
/// Agent Vigie : surveillance d'intégrité des fichiers envoyée au collecteur.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// TOML configuration file / fichier de configuration TOML.
    #[arg(long)]
    config: Option<PathBuf>,
    /// Print events as JSON lines on stdout instead of sending them / afficher les
    /// événements en JSON sur la sortie standard au lieu de les envoyer.
    #[arg(long)]
    print: bool,
}

fn main() -> anyhow::Result<()> {
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
            AgentConfig::from_toml(&text).with_context(|| format!("in {}", path.display()))?
        }
        None if args.print => AgentConfig::default(),
        None => anyhow::bail!("--config FILE is required unless --print is given / --config FICHIER est requis sauf avec --print"),
    };
    config.apply_env();
    let mode = if args.print { Mode::Print } else { Mode::Send };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(vigie_agent::run(config, mode, shutdown_signal()))
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
