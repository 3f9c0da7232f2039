//! `vigie report verify FILE [--sig FILE.sig] [--key KEY]`: says whether a report is the
//! one the installation signed. Offline; exit 0 when valid, 1 when not.

use std::path::PathBuf;
use vigie_model::i18n::{say, Lang, Msg};

use anyhow::Context;
use clap::Subcommand;
use vigie_model::report_sig::{self, ReportSignature};

/// Report subcommands.
#[derive(Subcommand)]
pub(crate) enum ReportCommand {
    /// Check a report's signature / vérifier la signature d'un rapport.
    Verify {
        /// The report file / le fichier du rapport.
        file: PathBuf,
        /// Its signature (default: FILE.sig) / sa signature (par défaut FICHIER.sig).
        #[arg(long)]
        sig: Option<PathBuf>,
        /// The public key to expect: base64, hex, or a file holding either (or a .sig) /
        /// la clé publique attendue.
        #[arg(long)]
        key: Option<String>,
    },
}

/// Runs a report subcommand; returns the exit code.
pub(crate) fn run(command: ReportCommand) -> anyhow::Result<i32> {
    let ReportCommand::Verify { file, sig, key } = command;
    let sig_path = sig.unwrap_or_else(|| {
        let mut name = file.clone().into_os_string();
        name.push(".sig");
        PathBuf::from(name)
    });
    let bytes = std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
    let sig_text = std::fs::read_to_string(&sig_path)
        .with_context(|| format!("reading the signature {}", sig_path.display()))?;
    let signature: ReportSignature = match serde_json::from_str(&sig_text) {
        Ok(s) => s,
        Err(e) => {
            println!(
                "{}",
                say(
                    Msg::CliNotASignature,
                    &[("path", &sig_path.display()), ("error", &e)]
                )
            );
            return Ok(1);
        }
    };
    let expected = match key {
        None => None,
        Some(k) => {
            let text = std::fs::read_to_string(&k).unwrap_or(k.clone());
            match report_sig::parse_public_key(&text) {
                Some(key) => Some(key),
                None => anyhow::bail!(say(Msg::CliNotAKey, &[("key", &format!("{k:?}"))])),
            }
        }
    };
    match report_sig::verify(&bytes, &signature, expected.as_deref()) {
        Ok(fingerprint) => {
            println!(
                "{}",
                say(
                    Msg::CliReportValid,
                    &[
                        ("path", &file.display()),
                        ("fingerprint", &fingerprint),
                        ("when", &vigie_model::time::utc(signature.signed_ms)),
                    ]
                )
            );
            if expected.is_none() {
                println!("{}", say(Msg::CliCompareFingerprint, &[]));
            }
            Ok(0)
        }
        Err(why) => {
            let reason = match Lang::from_env() {
                Lang::En => &why.reason,
                Lang::Fr => &why.reason_fr,
            };
            println!("{}", say(Msg::CliReportInvalid, &[("reason", reason)]));
            Ok(1)
        }
    }
}
