//! `vigie`: the operator's command line.

mod audit;
mod pki;
mod report;
mod rules;
mod site;
mod token;
mod up;

use clap::{Parser, Subcommand};

/// Vigie: sovereign security monitoring / surveillance de sécurité souveraine.
#[derive(Parser)]
#[command(version)]
struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run everything on this machine for a first look / tout lancer sur cette machine.
    Up,
    /// Enrollment tokens / jetons d'enrôlement.
    Token {
        #[command(subcommand)]
        command: token::TokenCommand,
    },
    /// The audit trail / le journal d'audit.
    Audit {
        #[command(subcommand)]
        command: audit::AuditCommand,
    },
    /// The collector's certificates / les certificats du collecteur.
    Pki {
        #[command(subcommand)]
        command: pki::PkiCommand,
    },
    /// Signed incident reports / rapports d'incident signés.
    Report {
        #[command(subcommand)]
        command: report::ReportCommand,
    },
    /// Sigma rules offline / règles Sigma hors ligne.
    Rules {
        #[command(subcommand)]
        command: rules::RulesCommand,
    },
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    if let Command::Pki { command } = args.command {
        return pki::run(command);
    }
    if let Command::Report { command } = args.command {
        // Offline: a file and its signature.
        std::process::exit(report::run(command)?);
    }
    if let Command::Rules { command } = args.command {
        // Pure and offline: no runtime, no logging setup needed.
        let code = rules::run(command)?;
        std::process::exit(code);
    }
    vigie_daemon::init_logging();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        match args.command {
            Command::Up => up::run().await,
            Command::Token { command } => token::run(command).await,
            Command::Audit { command } => audit::run(command).await,
            Command::Rules { .. } | Command::Report { .. } | Command::Pki { .. } => {
                unreachable!("handled before the runtime starts")
            }
        }
    })
}

/// The data folder: `VIGIE_DATA_DIR`, else `./var`.
pub fn data_dir() -> std::path::PathBuf {
    std::env::var("VIGIE_DATA_DIR")
        .ok()
        .filter(|d| !d.is_empty())
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::PathBuf::from("var"))
}

/// Where `vigie up` records the URL of the ClickHouse it manages.
pub fn clickhouse_url_file() -> std::path::PathBuf {
    data_dir().join("clickhouse").join("url")
}

/// Who runs the command, for the audit trail: `$SUDO_USER`, else `$USER`.
pub fn operator() -> String {
    ["SUDO_USER", "USER", "LOGNAME"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|u| !u.is_empty()))
        .unwrap_or_else(|| "unknown".into())
}
