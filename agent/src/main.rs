//! `vigie-agent`: runs the agent from a configuration file, or `--print` without one.

use std::path::PathBuf;
use vigie_model::i18n::{fill, say, Lang, Msg};

use clap::{Parser, Subcommand};
use vigie_agent::config::AgentConfig;
use vigie_agent::Mode;

/// Vigie agent: file integrity monitoring streamed to the collector.
/// Agent Vigie : surveillance d'intégrité des fichiers envoyée au collecteur.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// TOML configuration file / fichier de configuration TOML (also after `enroll`).
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    /// Print events as JSON lines on stdout instead of sending them / afficher les
    /// événements en JSON sur la sortie standard au lieu de les envoyer.
    #[arg(long)]
    print: bool,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Register this server with the collector once / enregistrer ce serveur auprès du
    /// collecteur. Values not given come from --config.
    Enroll {
        /// Collector URL, e.g. https://soc.example:8443 / URL du collecteur.
        #[arg(long)]
        collector: Option<String>,
        /// Enrollment token (vigie token create) / jeton d'enrôlement.
        #[arg(long)]
        token: Option<String>,
        /// CA certificate that signed the collector's / certificat de l'autorité.
        #[arg(long)]
        ca: Option<PathBuf>,
        /// State folder (the identity goes there) / dossier d'état.
        #[arg(long)]
        data_dir: Option<PathBuf>,
        /// Most clock difference with the collector, seconds / écart d'horloge maximal.
        #[arg(long, default_value_t = 300)]
        max_skew_secs: u64,
    },
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    vigie_daemon::init_logging();
    if let Some(Command::Enroll {
        collector,
        token,
        ca,
        data_dir,
        max_skew_secs,
    }) = args.command
    {
        let config = match &args.config {
            Some(path) => vigie_daemon::read_config(path, AgentConfig::from_toml)
                .map_err(anyhow::Error::msg)?,
            None => AgentConfig::default(),
        };
        let enrollment = vigie_agent::enroll::Enrollment {
            collector: collector.unwrap_or(config.collector.url),
            token: token.unwrap_or(config.collector.enrollment_token),
            ca_file: ca.unwrap_or(config.collector.ca_file),
            data_dir: data_dir.unwrap_or(config.data_dir),
            max_skew_secs,
        };
        if enrollment.collector.is_empty() || enrollment.token.is_empty() {
            eprintln!("{}", say(Msg::AgentEnrollNeeds, &[]));
            std::process::exit(2);
        }
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        match runtime.block_on(vigie_agent::enroll::run(&enrollment)) {
            Ok((identity, path)) => {
                println!(
                    "{}",
                    say(
                        Msg::AgentEnrolled,
                        &[
                            ("agent", &identity.agent_id),
                            ("key", &identity.key_fingerprint),
                            ("path", &path.display()),
                            ("mode", &vigie_agent::enroll::describe(&path)),
                        ]
                    )
                );
                return Ok(());
            }
            Err(f) => {
                let lang = Lang::from_env();
                eprintln!(
                    "{}",
                    fill(lang, Msg::AgentEnrollFailed, &[("reason", &f.text(lang))])
                );
                std::process::exit(f.code);
            }
        }
    }
    let mut config = match &args.config {
        Some(path) => {
            vigie_daemon::read_config(path, AgentConfig::from_toml).map_err(anyhow::Error::msg)?
        }
        None if args.print => AgentConfig::default(),
        None => anyhow::bail!(say(Msg::AgentConfigNeeded, &[])),
    };
    config.apply_env();
    let mode = if args.print { Mode::Print } else { Mode::Send };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(vigie_agent::run(
        config,
        mode,
        args.config,
        vigie_daemon::shutdown_signal(),
    ))
}
