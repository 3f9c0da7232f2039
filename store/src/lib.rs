//! Vigie's storage in ClickHouse: the schema and its migrations, the row types, a
//! connection helper, and a managed local ClickHouse server for `vigie up` and tests.
//!
//! Both the collector and the dashboard use this crate, so the tables they share are
//! defined once. The schema works on Debian's ClickHouse 18.16 and on current releases:
//! no `DateTime64`, `Map`, `JSON` or `TTL`; milliseconds live in `UInt64` columns and
//! retention drops whole day partitions.
#![deny(missing_docs)]

pub mod audit;
pub mod managed;
pub mod retention;
pub mod rows;
pub mod schema;

pub use clickhouse::Client;

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
}

/// Name of Vigie's database.
pub const DATABASE: &str = "vigie";

/// A client for Vigie's database at `url` (the ClickHouse HTTP endpoint).
///
/// Row validation is off: it asks the server for a setting that ClickHouse 18.16 lacks.
pub fn connect(url: &str) -> Client {
    server_client(url).with_database(DATABASE)
}

/// A client for the server at `url` without a database (to create it).
pub fn server_client(url: &str) -> Client {
    Client::default()
        .with_url(url.trim_end_matches('/'))
        .with_validation(false)
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
