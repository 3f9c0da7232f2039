//! The exceptions in force, as analysts saved them in the dashboard: reloaded from
//! ClickHouse every few seconds and applied to every detection before its alert is
//! stored. What an exception holds back is recorded in `suppressed` (one row per alert
//! id), so the dashboard counts it and an auditor can see what was hidden.
//!
//! Only detection rules' alerts are subject to exceptions: the collector's own alerts
//! about the transport (chain gaps and forks, spool drops, silent agents) say that
//! evidence may be missing, and no exception may hide that.

use std::sync::{Arc, RwLock};
use std::time::Duration;

use vigie_model::exception::{Exception, ExceptionSet, ExceptionSpec};
use vigie_store::rows::ExceptionRow;
use vigie_store::Client;

/// How often exceptions are reloaded: a new one applies within this time.
pub const REFRESH_EVERY: Duration = Duration::from_secs(3);

/// The exceptions in force, swapped whole on each reload.
#[derive(Default)]
pub struct Exceptions {
    current: RwLock<Arc<ExceptionSet>>,
}

impl Exceptions {
    /// Those in force now (expired ones included: each checks its own expiry).
    pub fn current(&self) -> Arc<ExceptionSet> {
        self.current.read().expect("exceptions lock").clone()
    }

    /// Reloads them from storage; an exception stored in a form this version cannot read
    /// is skipped and named in the log, never applied half-understood.
    pub async fn refresh(&self, client: &Client) -> Result<usize, clickhouse::error::Error> {
        let rows: Vec<ExceptionRow> = client
            .query("SELECT ?fields FROM exceptions FINAL WHERE removed = 0")
            .fetch_all()
            .await?;
        let mut loaded = Vec::with_capacity(rows.len());
        for row in rows {
            let parsed = serde_json::from_str::<ExceptionSpec>(&row.spec)
                .map_err(|e| e.to_string())
                .and_then(|spec| {
                    Exception::new(&row.exception_id, spec).map_err(|e| e.to_string())
                });
            match parsed {
                Ok(exception) => loaded.push(exception),
                Err(e) => {
                    tracing::warn!(exception = row.exception_id, error = %e, "exception skipped")
                }
            }
        }
        let count = loaded.len();
        *self.current.write().expect("exceptions lock") = Arc::new(ExceptionSet::new(loaded));
        Ok(count)
    }
}
