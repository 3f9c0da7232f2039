//! `vigie pki init`: the SOC's own certificate authority and the collector's certificate,
//! made once at installation (nothing leaves the site). Agents are given `ca.pem`.

use std::path::PathBuf;
use vigie_model::i18n::{say, Msg};

use clap::Subcommand;

/// PKI subcommands.
#[derive(Subcommand)]
pub(crate) enum PkiCommand {
    /// Make the CA and the collector's certificate unless they exist / créer l'autorité et
    /// le certificat du collecteur s'ils n'existent pas.
    Init {
        /// Folder for ca.pem, collector.pem, collector-key.pem / dossier des fichiers.
        #[arg(long, default_value = "/etc/vigie/pki")]
        dir: PathBuf,
        /// Names and addresses agents use to reach the collector, comma-separated /
        /// noms et adresses par lesquels les agents joignent le collecteur.
        #[arg(long, value_delimiter = ',', required = true)]
        names: Vec<String>,
    },
}

/// Runs a PKI subcommand.
pub(crate) fn run(command: PkiCommand) -> anyhow::Result<()> {
    let PkiCommand::Init { dir, names } = command;
    let paths = vigie_collector::pki::ensure(&dir, &names)?;
    println!(
        "{}",
        say(
            Msg::CliPkiMade,
            &[
                ("ca", &paths.ca_cert.display()),
                ("cert", &paths.server_cert.display()),
                ("key", &paths.server_key.display()),
            ]
        )
    );
    Ok(())
}
