//! Vigie's storage in ClickHouse: the schema and its migrations, the row types, a
//! connection helper, and a managed local ClickHouse server for `vigie up` and tests.
//!
//! Both the collector and the dashboard use this crate, so the tables they share are
//! defined once. The schema works on Debian's ClickHouse 18.16 and on current releases:
//! no `DateTime64`, `Map`, `JSON` or `TTL`; milliseconds live in `UInt64` columns and
//! retention drops whole day partitions.
#![deny(missing_docs)]

pub mod audit;
pub mod endpoint;
pub mod enrollment;
pub mod managed;
pub mod retention;
pub mod rows;
pub mod schema;

pub use clickhouse::Client;
pub use endpoint::Endpoint;

/// Errors talking to ClickHouse.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// ClickHouse answered with an error or could not be reached.
    #[error("ClickHouse: {0}")]
    ClickHouse(#[from] clickhouse::error::Error),
    /// A migration failed.
    #[error("schema migration {version} ({description}) failed: {source}")]
    Migration {
        /// The migration's version.
        version: u32,
        /// What it does.
        description: &'static str,
        /// Why it failed.
        source: clickhouse::error::Error,
    },
    /// The managed server could not be started.
    #[error("{0}")]
    Managed(String),
    /// The audit trail's anchor folder (keys, tips) is unusable (the message names the
    /// file and why).
    #[error("audit anchor: {0}")]
    Anchor(String),
    /// The ClickHouse URL or credentials are unusable (the message names which).
    #[error("{0}")]
    Credentials(String),
}

/// Name of Vigie's database.
pub const DATABASE: &str = "vigie";

/// A client for Vigie's database at `endpoint`.
pub fn connect(endpoint: &Endpoint) -> Client {
    endpoint.server_client().with_database(DATABASE)
}

/// Days since the Unix epoch of a millisecond timestamp: ClickHouse's `Date` in RowBinary.
pub fn date_of(ts_ms: u64) -> u16 {
    (ts_ms / 86_400_000).min(u16::MAX as u64) as u16
}

/// Inserts `rows` into `table` in one INSERT (atomic for one block on MergeTree).
pub async fn insert_rows<T>(client: &Client, table: &str, rows: &[T]) -> Result<(), StoreError>
where
    T: clickhouse::RowOwned + clickhouse::RowWrite,
{
    if rows.is_empty() {
        return Ok(());
    }
    let mut insert = client.insert::<T>(table).await?;
    for row in rows {
        insert.write(row).await?;
    }
    insert.end().await?;
    Ok(())
}

/// A row of a `ReplacingMergeTree(updated_ms)` table: changed by writing a newer version.
pub trait Versioned {
    /// The version field.
    fn updated_ms(&mut self) -> &mut u64;
}

/// Writes a new version of the row of `table` whose `key_column` is `key`, after
/// `change` edits it (and agrees: false leaves it as it is). The version is bumped past
/// both now and the old one, so the new row wins even against a clock gone back.
/// Returns whether a row was written. `table` and `key_column` are code, never input.
pub async fn update_latest<T>(
    client: &Client,
    table: &str,
    key_column: &str,
    key: &str,
    change: impl FnOnce(&mut T) -> bool,
) -> Result<bool, StoreError>
where
    T: clickhouse::RowOwned + clickhouse::RowRead + clickhouse::RowWrite + Versioned,
{
    let row: Option<T> = client
        .query(&format!(
            "SELECT ?fields FROM {table} FINAL WHERE {key_column} = ?"
        ))
        .bind(key)
        .fetch_optional()
        .await?;
    let Some(mut row) = row else {
        return Ok(false);
    };
    if !change(&mut row) {
        return Ok(false);
    }
    let version = row.updated_ms();
    *version = vigie_model::event::now_ms().max(*version + 1);
    insert_rows(client, table, std::slice::from_ref(&row)).await?;
    Ok(true)
}
