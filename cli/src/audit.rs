//! `vigie audit verify`: walks every chain of the audit trail against its anchor (keys
//! and signed tips in `VIGIE_DATA_DIR/audit`) and names the first row altered, deleted,
//! inserted or forged, then checks the triage history against it. Exit 1 when anything
//! is broken.

use clap::Subcommand;
use vigie_model::i18n::{say, Lang, Msg};
use vigie_store::audit::{self, Verdict};

/// Audit subcommands.
#[derive(Subcommand)]
pub(crate) enum AuditCommand {
    /// Check the hash chains / vérifier les chaînes d'empreintes.
    Verify {
        /// Only this chain (dashboard, collector, cli) / seulement cette chaîne.
        #[arg(long)]
        chain: Option<String>,
    },
}

/// Runs an audit subcommand.
pub(crate) async fn run(command: AuditCommand) -> anyhow::Result<()> {
    let AuditCommand::Verify { chain } = command;
    let site = crate::site::find()?;
    let client = vigie_store::connect(&site.clickhouse);
    let anchors = site.audit.anchors()?;
    let everything = chain.is_none();
    let chains = match chain {
        Some(c) => vec![c],
        None => audit::chains(&client, &anchors).await?,
    };
    if chains.is_empty() {
        println!("{}", say(Msg::CliAuditEmpty, &[]));
    }
    let mut broken = 0;
    for chain in chains {
        match audit::verify(&client, &chain, &anchors).await? {
            Verdict::Intact {
                rows,
                first_seq,
                witnessed,
            } => println!(
                "{}",
                say(
                    Msg::CliAuditIntact,
                    &[
                        ("chain", &chain),
                        ("rows", &rows),
                        ("first", &first_seq),
                        ("tip", &witnessed)
                    ]
                )
            ),
            Verdict::Broken {
                reason, reason_fr, ..
            } => {
                broken += 1;
                let reason = match Lang::from_env() {
                    Lang::En => reason,
                    Lang::Fr => reason_fr,
                };
                println!(
                    "{}",
                    say(
                        Msg::CliAuditBroken,
                        &[("chain", &chain), ("reason", &reason)]
                    )
                );
            }
        }
    }
    let triage = if everything {
        Some(audit::triage::verify_triage(&client, &anchors).await?)
    } else {
        None
    };
    match triage {
        None => {}
        Some(audit::triage::TriageVerdict::Intact { rows, requests }) => println!(
            "{}",
            say(
                Msg::CliTriageIntact,
                &[("rows", &rows), ("requests", &requests)]
            )
        ),
        Some(audit::triage::TriageVerdict::Broken {
            reason, reason_fr, ..
        }) => {
            broken += 1;
            let reason = match Lang::from_env() {
                Lang::En => reason,
                Lang::Fr => reason_fr,
            };
            println!("{}", say(Msg::CliTriageBroken, &[("reason", &reason)]));
        }
    }
    if broken > 0 {
        std::process::exit(1);
    }
    Ok(())
}
