//! The schema, as numbered migrations applied once each, in order, on start.
//!
//! Every statement is idempotent (`IF NOT EXISTS`), so two processes migrating at once, or
//! a migration interrupted half-way, converge on the same schema. Applied versions are
//! recorded in `schema_migrations`. Never edit a released migration: add the next one.

use clickhouse::Row;
use serde::Deserialize;

use crate::{Endpoint, StoreError, DATABASE};

/// One schema change.
pub struct Migration {
    /// Increasing version number.
    pub version: u32,
    /// What it does, for logs and `schema_migrations`.
    pub description: &'static str,
    /// The statements, run in order.
    pub statements: &'static [&'static str],
}

/// Every migration the project has had, oldest first.
pub const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        description: "events, alerts, alert_actions, agents, batches, tokens, users, audit_log",
        statements: &[
            "CREATE TABLE IF NOT EXISTS events (
            date Date, ts UInt64, received_ms UInt64,
            agent_id String, hostname String, seq UInt64, category String,
            action String, target String, image String, user String, sha256 String,
            fields String
        ) ENGINE = MergeTree() PARTITION BY date ORDER BY (agent_id, seq)",
            "CREATE TABLE IF NOT EXISTS alerts (
            date Date, ts UInt64, created_ms UInt64, alert_id String,
            agent_id String, hostname String, event_seq UInt64,
            rule_id String, rule_title String, rule_title_fr String, severity String,
            tags Array(String), author String, summary String,
            target String, action String, events String
        ) ENGINE = MergeTree() PARTITION BY toYYYYMM(date) ORDER BY (ts, alert_id)",
            "CREATE TABLE IF NOT EXISTS alert_actions (
            date Date, ts UInt64, alert_id String, action String, status String,
            assignee String, comment String, actor String
        ) ENGINE = MergeTree() PARTITION BY toYYYYMM(date) ORDER BY (alert_id, ts)",
            "CREATE TABLE IF NOT EXISTS agents (
            agent_id String, hostname String, public_key String, key_fingerprint String,
            version String, token_id String, first_seen_ms UInt64, last_seen_ms UInt64,
            revoked UInt8, updated_ms UInt64
        ) ENGINE = ReplacingMergeTree(updated_ms) ORDER BY agent_id",
            "CREATE TABLE IF NOT EXISTS batches (
            date Date, agent_id String, first_seq UInt64, last_seq UInt64,
            batch_hash String, prev_hash String, received_ms UInt64, events UInt32,
            dropped_total UInt64
        ) ENGINE = MergeTree() PARTITION BY toYYYYMM(date) ORDER BY (agent_id, last_seq)",
            "CREATE TABLE IF NOT EXISTS enrollment_tokens (
            token_id String, token_sha256 String, created_ms UInt64, expires_ms UInt64,
            max_uses UInt32, revoked UInt8, note String, updated_ms UInt64
        ) ENGINE = ReplacingMergeTree(updated_ms) ORDER BY token_id",
            "CREATE TABLE IF NOT EXISTS users (
            username String, role String, password_hash String, created_ms UInt64,
            updated_ms UInt64, disabled UInt8
        ) ENGINE = ReplacingMergeTree(updated_ms) ORDER BY username",
            "CREATE TABLE IF NOT EXISTS audit_log (
            seq UInt64, ts UInt64, actor String, action String, target String,
            details String, prev_hash String, hash String
        ) ENGINE = MergeTree() ORDER BY seq",
        ],
    },
    Migration {
        version: 2,
        description: "rules in force (for the dashboard), API tokens",
        statements: &[
            "CREATE TABLE IF NOT EXISTS rules (
            rule_id String, title String, title_fr String, description String,
            level String, author String, tags Array(String),
            updated_ms UInt64
        ) ENGINE = ReplacingMergeTree(updated_ms) ORDER BY rule_id",
            "CREATE TABLE IF NOT EXISTS api_tokens (
            token_id String, token_sha256 String, name String, username String,
            role String, created_ms UInt64, expires_ms UInt64, revoked UInt8,
            updated_ms UInt64
        ) ENGINE = ReplacingMergeTree(updated_ms) ORDER BY token_id",
        ],
    },
    Migration {
        version: 3,
        description: "audit_log as hash chains per writer, partitioned by month for retention",
        // Version 1 made an audit_log that nothing ever wrote: it is replaced, not
        // migrated.
        statements: &[
            "DROP TABLE IF EXISTS audit_log",
            "CREATE TABLE IF NOT EXISTS audit_log (
            date Date, chain String, seq UInt64, ts UInt64, actor String, action String,
            target String, details String, prev_hash String, hash String
        ) ENGINE = MergeTree() PARTITION BY toYYYYMM(date) ORDER BY (chain, seq)",
        ],
    },
    Migration {
        version: 4,
        description: "signed incident reports",
        statements: &["CREATE TABLE IF NOT EXISTS reports (
            report_id String, created_ms UInt64, actor String, format String, lang String,
            from_ms UInt64, to_ms UInt64, filters String, file_name String, sha256 String,
            signature String, body String
        ) ENGINE = MergeTree() ORDER BY (created_ms, report_id)"],
    },
    Migration {
        version: 5,
        description: "remote agent configuration per group",
        statements: &[
            "CREATE TABLE IF NOT EXISTS agent_config (
            group_name String, version UInt64, body String, author String, updated_ms UInt64
        ) ENGINE = ReplacingMergeTree(version) ORDER BY group_name",
            "CREATE TABLE IF NOT EXISTS agent_groups (
            agent_id String, group_name String, updated_ms UInt64
        ) ENGINE = ReplacingMergeTree(updated_ms) ORDER BY agent_id",
        ],
    },
    Migration {
        version: 6,
        description: "audit rows signed by their writer's key (kept outside ClickHouse)",
        statements: &["ALTER TABLE audit_log ADD COLUMN IF NOT EXISTS signature String DEFAULT ''"],
    },
    Migration {
        version: 7,
        description: "triage rows name their request, whose digest the audit trail keeps",
        statements: &[
            "ALTER TABLE alert_actions ADD COLUMN IF NOT EXISTS request_id String DEFAULT ''",
        ],
    },
    Migration {
        version: 8,
        description: "exceptions, and the alerts they held back",
        statements: &[
            "CREATE TABLE IF NOT EXISTS exceptions (
            exception_id String, spec String, author String, created_ms UInt64,
            removed UInt8, updated_by String, updated_ms UInt64
        ) ENGINE = ReplacingMergeTree(updated_ms) ORDER BY exception_id",
            "CREATE TABLE IF NOT EXISTS suppressed (
            date Date, ts UInt64, created_ms UInt64, exception_id String, alert_id String,
            agent_id String, hostname String, event_seq UInt64, rule_id String
        ) ENGINE = ReplacingMergeTree(created_ms) PARTITION BY toYYYYMM(date)
          ORDER BY (exception_id, alert_id)",
        ],
    },
    Migration {
        version: 9,
        description: "notifications outbox, and how far alerts were read for it",
        statements: &[
            "CREATE TABLE IF NOT EXISTS notifications (
            date Date, channel String, alert_id String, alert_ms UInt64, created_ms UInt64,
            state String, attempts UInt32, next_ms UInt64, last_error String,
            digest_id String, updated_ms UInt64
        ) ENGINE = ReplacingMergeTree(updated_ms) PARTITION BY toYYYYMM(date)
          ORDER BY (channel, alert_id)",
            "CREATE TABLE IF NOT EXISTS notify_cursor (
            name String, created_ms UInt64, updated_ms UInt64
        ) ENGINE = ReplacingMergeTree(updated_ms) ORDER BY name",
        ],
    },
    Migration {
        version: 10,
        description: "where each rule comes from, and admins' settings per rule",
        statements: &[
            "ALTER TABLE rules ADD COLUMN IF NOT EXISTS source String DEFAULT ''",
            "CREATE TABLE IF NOT EXISTS rule_settings (
            rule_id String, enabled UInt8, severity String, reason String,
            updated_by String, updated_ms UInt64
        ) ENGINE = ReplacingMergeTree(updated_ms) ORDER BY rule_id",
        ],
    },
    Migration {
        version: 11,
        description: "Sigma rules written in the dashboard",
        statements: &["CREATE TABLE IF NOT EXISTS custom_rules (
            file_id String, yaml String, rule_ids Array(String), deleted UInt8,
            updated_by String, updated_ms UInt64
        ) ENGINE = ReplacingMergeTree(updated_ms) ORDER BY file_id"],
    },
    Migration {
        version: 12,
        description: "incidents: their state, history, alerts and evidence",
        statements: &[
            "CREATE TABLE IF NOT EXISTS incidents (
            incident_id String, title String, severity String, status String, owner String,
            techniques Array(String), recommendations String,
            created_ms UInt64, created_by String, updated_by String, updated_ms UInt64
        ) ENGINE = ReplacingMergeTree(updated_ms) ORDER BY incident_id",
            "CREATE TABLE IF NOT EXISTS incident_history (
            incident_id String, ts UInt64, actor String, action String, text String,
            details String
        ) ENGINE = MergeTree() ORDER BY (incident_id, ts)",
            "CREATE TABLE IF NOT EXISTS incident_alerts (
            incident_id String, alert_id String, attached UInt8, ts UInt64,
            hostname String, rule_id String, rule_title String, rule_title_fr String,
            severity String, tags Array(String), summary String, sha256 String,
            updated_by String, updated_ms UInt64
        ) ENGINE = ReplacingMergeTree(updated_ms) ORDER BY (alert_id, incident_id)",
            "CREATE TABLE IF NOT EXISTS incident_evidence (
            incident_id String, evidence_id String, kind String, label String,
            content String, sha256 String, added_by String, added_ms UInt64
        ) ENGINE = MergeTree() ORDER BY (incident_id, added_ms)",
        ],
    },
    Migration {
        version: 13,
        description:
            "alerts' summaries (and those of incidents' alerts) and rules' descriptions in French; what to do next for each rule",
        statements: &[
            "ALTER TABLE alerts ADD COLUMN IF NOT EXISTS summary_fr String DEFAULT ''",
            "ALTER TABLE rules ADD COLUMN IF NOT EXISTS description_fr String DEFAULT ''",
            "ALTER TABLE rules ADD COLUMN IF NOT EXISTS guidance String DEFAULT ''",
            "ALTER TABLE rules ADD COLUMN IF NOT EXISTS guidance_fr String DEFAULT ''",
            "ALTER TABLE incident_alerts ADD COLUMN IF NOT EXISTS summary_fr String DEFAULT ''",
        ],
    },
];

#[derive(Row, Deserialize)]
struct Applied {
    version: u32,
}

/// Creates the database if needed and applies every migration not yet recorded.
/// Returns the schema version now in force.
pub async fn migrate(endpoint: &Endpoint) -> Result<u32, StoreError> {
    migrate_to(endpoint, u32::MAX).await
}

/// Like [`migrate`], stopping after version `last` (to build a database as an earlier
/// release left it, in upgrade tests).
pub async fn migrate_to(endpoint: &Endpoint, last: u32) -> Result<u32, StoreError> {
    endpoint
        .server_client()
        .query(&format!("CREATE DATABASE IF NOT EXISTS {DATABASE}"))
        .execute()
        .await?;
    let client = crate::connect(endpoint);
    client
        .query(
            "CREATE TABLE IF NOT EXISTS schema_migrations (
                version UInt32, description String, applied_ms UInt64
            ) ENGINE = MergeTree() ORDER BY version",
        )
        .execute()
        .await?;
    let applied: Vec<u32> = client
        .query("SELECT DISTINCT version FROM schema_migrations")
        .fetch_all::<Applied>()
        .await?
        .into_iter()
        .map(|a| a.version)
        .collect();
    let mut current = applied.iter().copied().max().unwrap_or(0);
    for migration in MIGRATIONS.iter().filter(|m| m.version <= last) {
        if applied.contains(&migration.version) {
            continue;
        }
        for statement in migration.statements {
            run_statement(&client, statement)
                .await
                .map_err(|source| StoreError::Migration {
                    version: migration.version,
                    description: migration.description,
                    source,
                })?;
        }
        client
            .query(
                "INSERT INTO schema_migrations (version, description, applied_ms) VALUES (?, ?, ?)",
            )
            .bind(migration.version)
            .bind(migration.description)
            .bind(vigie_model::event::now_ms())
            .execute()
            .await?;
        tracing::info!(version = migration.version, "schema migration applied");
        current = current.max(migration.version);
    }
    Ok(current)
}

/// Runs one migration statement. ClickHouse 18.16 knows no `ADD COLUMN IF NOT EXISTS`:
/// such a statement is run without the clause, and only when the column is missing.
async fn run_statement(
    client: &crate::Client,
    statement: &str,
) -> Result<(), clickhouse::error::Error> {
    const ADD: &str = " ADD COLUMN IF NOT EXISTS ";
    if let Some((head, column_def)) = statement.split_once(ADD) {
        let table = head.trim_start_matches("ALTER TABLE ").trim();
        let column = column_def.split_whitespace().next().unwrap_or_default();
        let present: u64 = client
            .query(
                "SELECT count() FROM system.columns WHERE database = ? AND table = ? AND name = ?",
            )
            .bind(DATABASE)
            .bind(table)
            .bind(column)
            .fetch_one()
            .await?;
        if present > 0 {
            return Ok(());
        }
        return client
            .query(&format!("{head} ADD COLUMN {column_def}"))
            .execute()
            .await;
    }
    client.query(statement).execute().await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_numbered_in_order_and_idempotent() {
        for (i, m) in MIGRATIONS.iter().enumerate() {
            assert_eq!(m.version as usize, i + 1);
            for s in m.statements {
                assert!(
                    s.contains("IF NOT EXISTS") || s.contains("IF EXISTS"),
                    "{s}"
                );
                assert!(!s.contains("DateTime64") && !s.contains("TTL"), "{s}");
            }
        }
    }
}
