//! `vigie-agent`: runs the agent from a configuration file, or `--print` without one.

use std::path::PathBuf;

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
    vigie_daemon::init_logging();
    let mut config = match &args.config {
        Some(path) => vigie_daemon::read_config(path, AgentConfig::from_toml).map_err(anyhow::Error::msg)?,
        None if args.print => AgentConfig::default(),
        None => anyhow::bail!("--config FILE is required unless --print is given / --config FICHIER est requis sauf avec --print"),
    };
    config.apply_env();
    let mode = if args.print { Mode::Print } else { Mode::Send };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(vigie_agent::run(
        config,
        mode,
        vigie_daemon::shutdown_signal(),
    ))
}
