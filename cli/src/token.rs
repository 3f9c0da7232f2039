//! `vigie token create`: makes an enrollment token for new agents.

use std::time::Duration;
use vigie_model::i18n::{say, Msg};

use anyhow::Context;

use clap::Subcommand;

/// Token subcommands.
#[derive(Subcommand)]
pub(crate) enum TokenCommand {
    /// Create a token and print it once / créer un jeton et l'afficher une fois.
    Create {
        /// Hours the token stays valid / heures de validité.
        #[arg(long, default_value_t = 24)]
        ttl_hours: u64,
        /// How many agents may enroll with it / nombre d'agents autorisés.
        #[arg(long, default_value_t = 1)]
        max_uses: u32,
        /// A note for the operator / une note pour l'opérateur.
        #[arg(long, default_value = "")]
        note: String,
    },
    /// List tokens with their uses and state / lister les jetons, usages et état.
    List,
    /// Revoke a token: no more enrollments with it / révoquer un jeton.
    Revoke {
        /// The token's id (first column of `list`) / l'identifiant du jeton.
        token_id: String,
    },
}

/// This site's database (migrated) and audit anchor.
async fn connect() -> anyhow::Result<(vigie_store::Client, vigie_store::audit::AuditDir)> {
    let site = crate::site::find()?;
    vigie_store::schema::migrate(&site.clickhouse)
        .await
        .with_context(|| say(Msg::CliClickhouseAt, &[("url", &site.clickhouse.url())]))?;
    Ok((vigie_store::connect(&site.clickhouse), site.audit))
}

/// Runs a token subcommand.
pub(crate) async fn run(command: TokenCommand) -> anyhow::Result<()> {
    match command {
        TokenCommand::List => {
            let (client, _) = connect().await?;
            let now = vigie_model::event::now_ms();
            println!("{}", say(Msg::CliTokenHeader, &[]));
            for t in vigie_store::enrollment::list(&client).await? {
                let state = say(
                    if t.row.revoked != 0 {
                        Msg::CliTokenRevoked
                    } else if t.row.expires_ms <= now {
                        Msg::CliTokenExpired
                    } else if t.uses >= u64::from(t.row.max_uses) {
                        Msg::CliTokenUsed
                    } else {
                        Msg::CliTokenUsable
                    },
                    &[],
                );
                println!(
                    "{:<9} {state:<9} {:>2}/{:<2} {}  {}",
                    t.row.token_id,
                    t.uses,
                    t.row.max_uses,
                    vigie_model::time::utc(t.row.expires_ms),
                    t.row.note
                );
            }
            Ok(())
        }
        TokenCommand::Revoke { token_id } => {
            let (client, anchor) = connect().await?;
            if !vigie_store::enrollment::revoke(&client, &token_id).await? {
                anyhow::bail!(say(Msg::CliNoToken, &[("id", &format!("{token_id:?}"))]));
            }
            vigie_store::audit::AuditLog::open(client, &anchor, "cli")
                .await?
                .record(
                    &crate::operator(),
                    "enrollment_token_revoked",
                    &token_id,
                    serde_json::json!({}),
                )
                .await?;
            println!("{}", say(Msg::CliTokenWasRevoked, &[("id", &token_id)]));
            Ok(())
        }
        TokenCommand::Create {
            ttl_hours,
            max_uses,
            note,
        } => {
            if max_uses == 0 || ttl_hours == 0 {
                anyhow::bail!(say(Msg::CliTokenLimits, &[]));
            }
            let (client, anchor) = connect().await?;
            let token = vigie_store::enrollment::create(
                &client,
                Duration::from_secs(ttl_hours * 3600),
                max_uses,
                &note,
            )
            .await?;
            vigie_store::audit::AuditLog::open(client.clone(), &anchor, "cli")
                .await?
                .record(
                    &crate::operator(),
                    "enrollment_token_created",
                    &token.token_id,
                    serde_json::json!({"ttl_hours": ttl_hours, "max_uses": max_uses, "note": note}),
                )
                .await?;
            println!("{}", token.secret);
            eprintln!(
                "{}",
                say(
                    Msg::CliTokenMade,
                    &[
                        ("id", &token.token_id),
                        ("hours", &ttl_hours),
                        ("uses", &max_uses)
                    ]
                )
            );
            Ok(())
        }
    }
}
