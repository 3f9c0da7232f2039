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
            DashboardConfig::from_toml(&text).with_context(|| format!("in {}", path.display()))?
        }
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
    vigie_dashboard::serve(config, listener, shutdown_signal()).await
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
