//! `vigie report verify FILE [--sig FILE.sig] [--key KEY]`: says whether a report is the
//! one the installation signed. Offline. The key to expect is `--key` (a public key, the
//! fingerprint the dashboard shows, or a trusted `.sig`), else this installation's report
//! key when it is found here (`VIGIE_DATA_DIR/report-key.pk8`, or the `report_key_file`
//! of `/etc/vigie/dashboard.toml`). Exit 0: valid, signed by the expected key; 1: not
//! valid; 3: the signature is valid but no key was there to check it against — a
//! report re-signed with a stranger's key looks just like that, so it is not a 0.

use std::path::PathBuf;
use vigie_model::i18n::{say, Lang, Msg};

use anyhow::Context;
use clap::Subcommand;
use vigie_model::report_sig::{self, ExpectedKey, ReportSignature};

/// Exit code of a valid signature whose key could not be checked.
const KEY_NOT_CHECKED: i32 = 3;

/// The packaged dashboard configuration, where the installation's report key is named.
const PACKAGED_DASHBOARD_CONFIG: &str = "/etc/vigie/dashboard.toml";

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
    let bytes =
        std::fs::read(&file).with_context(|| say(Msg::CliReading, &[("path", &file.display())]))?;
    let sig_text = std::fs::read_to_string(&sig_path)
        .with_context(|| say(Msg::CliReadingSignature, &[("path", &sig_path.display())]))?;
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
        None => installation_key().map(|(key, path)| {
            let which = say(Msg::CliReportKeyInstallation, &[("path", &path.display())]);
            (key, which)
        }),
        Some(k) => {
            let text = std::fs::read_to_string(&k).unwrap_or(k.clone());
            match report_sig::parse_expected_key(&text) {
                Some(key) => Some((key, say(Msg::CliReportKeyGiven, &[]))),
                None => anyhow::bail!(say(Msg::CliNotAKey, &[("key", &format!("{k:?}"))])),
            }
        }
    };
    match report_sig::verify(&bytes, &signature, expected.as_ref().map(|(k, _)| k)) {
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
            match expected {
                Some((_, which)) => {
                    println!("{which}");
                    Ok(0)
                }
                None => {
                    println!("{}", say(Msg::CliReportKeyNotChecked, &[]));
                    Ok(KEY_NOT_CHECKED)
                }
            }
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

/// This installation's report key, when this machine has it: the public half and where
/// it was read.
fn installation_key() -> Option<(ExpectedKey, PathBuf)> {
    let mut candidates = vec![crate::data_dir().join("report-key.pk8")];
    let config = std::env::var_os("VIGIE_DASHBOARD_CONFIG")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(PACKAGED_DASHBOARD_CONFIG));
    if let Ok(dashboard) =
        vigie_daemon::read_config(&config, vigie_dashboard::config::DashboardConfig::from_toml)
    {
        candidates.push(dashboard.report_key_file);
    }
    candidates.into_iter().find_map(|path| {
        use ring::signature::KeyPair;
        let der = std::fs::read(&path).ok()?;
        let key = ring::signature::Ed25519KeyPair::from_pkcs8(&der).ok()?;
        Some((
            ExpectedKey::Public(key.public_key().as_ref().to_vec()),
            path,
        ))
    })
}
