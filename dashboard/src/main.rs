//! `vigie-dashboard`: serves the web dashboard from a configuration file.

use std::path::PathBuf;

use anyhow::Context;
use clap::Parser;
use vigie_dashboard::config::DashboardConfig;

/// Vigie dashboard: alerts for analysts and auditors.
/// Tableau de bord Vigie : les alertes pour analystes et auditeurs.
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
        Some(path) => vigie_daemon::read_config(path, DashboardConfig::from_toml)
            .map_err(anyhow::Error::msg)?,
        None => DashboardConfig::default(),
    };
    config.apply_env()?;
    if let Some(password) = vigie_dashboard::prepare(&config).await? {
        println!("First admin created / premier administrateur créé: admin / {password}");
    }
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("listening on {}", config.listen))?;
    tracing::info!(addr = %config.listen, "dashboard listening");
    vigie_dashboard::serve(
        config,
        args.config,
        listener,
        vigie_daemon::shutdown_signal(),
    )
    .await
}
