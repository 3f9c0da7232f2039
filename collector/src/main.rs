//! `vigie-collector`: runs the collector from a configuration file.

use std::path::PathBuf;

use clap::Parser;
use vigie_collector::config::CollectorConfig;

// Ingestion allocates and frees small objects (events, field maps, rows) from every
// worker thread at once; glibc's allocator spent half the collector's time on its locks
// under load (measured with perf). mimalloc keeps per-thread heaps.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
    vigie_daemon::init_logging();
    let mut config = match &args.config {
        Some(path) => vigie_daemon::read_config(path, CollectorConfig::from_toml)
            .map_err(anyhow::Error::msg)?,
        None => CollectorConfig::default(),
    };
    config.apply_env()?;
    vigie_collector::run(config, args.config, vigie_daemon::shutdown_signal()).await
}
