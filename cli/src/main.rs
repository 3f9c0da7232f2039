//! `vigie`: the operator's command line.

mod audit;
mod pki;
mod report;
mod rules;
mod token;
mod up;

use anyhow::Context;
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

/// The ClickHouse to use: `VIGIE_CLICKHOUSE_URL` (with `VIGIE_CLICKHOUSE_USER` and
/// `VIGIE_CLICKHOUSE_PASSWORD_FILE`), else the one `vigie up` runs, as its CLI user.
pub fn clickhouse() -> anyhow::Result<vigie_store::Endpoint> {
    let (mut url, mut user, mut password_file) = (String::new(), None, None);
    vigie_store::endpoint::apply_env(&mut url, &mut user, &mut password_file);
    if !url.is_empty() {
        return Ok(vigie_store::Endpoint::new(
            &url,
            user.as_deref(),
            password_file.as_deref(),
        )?);
    }
    let file = clickhouse_url_file();
    let url = std::fs::read_to_string(&file)
        .map(|u| u.trim().to_string())
        .with_context(|| {
            format!(
                "no VIGIE_CLICKHOUSE_URL and no running `vigie up` ({} missing) / \
                 pas de VIGIE_CLICKHOUSE_URL ni de `vigie up` en cours",
                file.display()
            )
        })?;
    let dir = file.parent().expect("the URL file is in a folder");
    Ok(vigie_store::managed::endpoint_at(
        dir,
        &url,
        vigie_store::managed::Component::Cli,
    )?)
}

/// The audit trail's anchor (signing keys, signed tips): `audit` in the data folder,
/// shared with the collector and dashboard of this site.
pub fn audit_dir() -> vigie_store::audit::AuditDir {
    vigie_store::audit::AuditDir::new(data_dir().join("audit"))
}

/// Who runs the command, for the audit trail: `$SUDO_USER`, else `$USER`.
pub fn operator() -> String {
    ["SUDO_USER", "USER", "LOGNAME"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|u| !u.is_empty()))
        .unwrap_or_else(|| "unknown".into())
}
