//! `vigie token create`: makes an enrollment token for new agents.

use std::time::Duration;

use anyhow::Context;

use clap::Subcommand;

/// Token subcommands.
#[derive(Subcommand)]
pub enum TokenCommand {
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
}

/// Runs a token subcommand.
pub async fn run(command: TokenCommand) -> anyhow::Result<()> {
    match command {
        TokenCommand::Create {
            ttl_hours,
            max_uses,
            note,
        } => {
            if max_uses == 0 || ttl_hours == 0 {
                anyhow::bail!(
                    "--ttl-hours and --max-uses must be at least 1 / doivent valoir au moins 1"
                );
            }
            let url = crate::clickhouse_url()?;
            vigie_store::schema::migrate(&url)
                .await
                .with_context(|| format!("ClickHouse at {url}"))?;
            let client = vigie_store::connect(&url);
            let token = vigie_collector::tokens::create(
                &client,
                Duration::from_secs(ttl_hours * 3600),
                max_uses,
                &note,
            )
            .await?;
            vigie_store::audit::AuditLog::open(client.clone(), "cli")
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
                "token {} valid {ttl_hours} h for {max_uses} agent(s) / jeton {} valable {ttl_hours} h pour {max_uses} agent(s)",
                token.token_id, token.token_id
            );
            Ok(())
        }
    }
}
