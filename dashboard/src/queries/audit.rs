//! Reading the audit trail: rows filtered by chain, actor, action and period, newest
//! first, with bound values only.

use vigie_store::audit::AuditRow;
use vigie_store::Client;

use crate::params::{bad, Problem};
use crate::params::{param, Params};
use crate::params::{parse_time, BadParam};
use crate::queries::sql::{Bind, Sql};

/// Rows per page.
pub const PAGE_ROWS: u64 = 200;

/// What the auditor asked to see.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct AuditFilter {
    /// Chain (`dashboard`, `collector`, `cli`), or empty for all.
    pub chain: String,
    /// Exact actor.
    pub actor: String,
    /// Exact action.
    pub action: String,
    /// Start (ms, included).
    pub from_ms: Option<u64>,
    /// End (ms, excluded).
    pub to_ms: Option<u64>,
    /// Only rows older than this (ms), for the next page.
    pub before: Option<u64>,
}

fn text(params: &Params, name: &str) -> Result<String, BadParam> {
    let value = param(params, name).unwrap_or("").trim().to_string();
    if value.chars().count() > 100 {
        return Err(bad(name, Problem::TooLong(100)));
    }
    Ok(value)
}

impl AuditFilter {
    /// Reads the filter from the URL.
    pub fn parse(params: &Params) -> Result<AuditFilter, BadParam> {
        let time = |name: &str| -> Result<Option<u64>, BadParam> {
            match param(params, name).unwrap_or("") {
                "" => Ok(None),
                v => parse_time(v)
                    .map(Some)
                    .ok_or_else(|| bad(name, Problem::NotATime(v.into()))),
            }
        };
        Ok(AuditFilter {
            chain: text(params, "chain")?,
            actor: text(params, "actor")?,
            action: text(params, "action")?,
            from_ms: time("from")?,
            to_ms: time("to")?,
            before: time("before")?,
        })
    }

    /// The URL parameters giving this filter back, continuing before `before`.
    pub fn query_string(&self, before: Option<u64>) -> String {
        let mut pairs = vec![
            ("chain", self.chain.clone()),
            ("actor", self.actor.clone()),
            ("action", self.action.clone()),
        ];
        for (name, value) in [
            ("from", self.from_ms),
            ("to", self.to_ms),
            ("before", before),
        ] {
            if let Some(v) = value {
                pairs.push((name, v.to_string()));
            }
        }
        serde_urlencoded::to_string(&pairs).expect("text pairs always encode")
    }
}

/// The rows matching `filter` (period and `before` included), to be ordered and cut.
fn matching(filter: &AuditFilter) -> Sql {
    let mut sql = Sql::default();
    sql.push(
        "SELECT date, chain, seq, ts, actor, action, target, details, prev_hash, hash, signature \
         FROM audit_log WHERE 1",
        [],
    );
    for (column, value) in [
        ("chain", &filter.chain),
        ("actor", &filter.actor),
        ("action", &filter.action),
    ] {
        if !value.is_empty() {
            sql.push(&format!(" AND {column} = ?"), [Bind::Text(value.clone())]);
        }
    }
    for (bound, value) in [
        (" AND ts >= ?", filter.from_ms),
        (" AND ts < ?", filter.to_ms),
        (" AND ts < ?", filter.before),
    ] {
        if let Some(v) = value {
            sql.push(bound, [Bind::Number(v)]);
        }
    }
    sql
}

/// Up to `limit` rows matching `filter`, newest first.
pub async fn rows(
    client: &Client,
    filter: &AuditFilter,
    limit: u64,
) -> Result<Vec<AuditRow>, clickhouse::error::Error> {
    let mut sql = matching(filter);
    sql.push(
        " ORDER BY ts DESC, chain, seq DESC LIMIT ?",
        [Bind::Number(limit)],
    );
    sql.query(client).fetch_all().await
}

/// Most entries one export carries; past it the file says it was cut.
pub const EXPORT_ROWS: u64 = 200_000;

/// Up to `limit` rows matching `filter`, chain by chain in sequence order (as they are
/// checked).
pub async fn export_rows(
    client: &Client,
    filter: &AuditFilter,
    limit: u64,
) -> Result<Vec<AuditRow>, clickhouse::error::Error> {
    let mut sql = matching(filter);
    sql.push(" ORDER BY chain, seq LIMIT ?", [Bind::Number(limit)]);
    sql.query(client).fetch_all().await
}
