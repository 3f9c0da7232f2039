//! Exceptions on the SOC side: list them with what each held back, create, change and
//! remove them, and preview a new one on the alerts of the last days with the very code
//! the collector applies (`vigie_model::exception`).

use clickhouse::Row;
use serde::{Deserialize, Serialize};
use vigie_model::exception::{Exception, ExceptionError, ExceptionSpec, COLLECTOR_OWN_TAGS};
use vigie_model::Event;
use vigie_store::rows::ExceptionRow;
use vigie_store::{Client, StoreError};

/// How far back a preview looks.
pub const PREVIEW_DAYS: u64 = 7;
/// Most alerts a preview reads (the newest first); past it the count says "at least".
pub const PREVIEW_MAX_ALERTS: u64 = 200_000;

/// An exception as the list shows it.
#[derive(Debug, Clone, Serialize)]
pub struct Listed {
    /// Its id.
    pub exception_id: String,
    /// What it says.
    pub spec: ExceptionSpec,
    /// Who created it, and when (ms).
    pub author: String,
    /// When (ms).
    pub created_ms: u64,
    /// Who changed it last, and when (ms).
    pub updated_by: String,
    /// When (ms).
    pub updated_ms: u64,
    /// `active`, `expired` or `removed`.
    pub state: &'static str,
    /// Alerts it held back, ever.
    pub suppressed: u64,
    /// Alerts it held back in the last 7 days.
    pub suppressed_7d: u64,
    /// When it last held one back (ms; 0: never).
    pub last_suppressed_ms: u64,
}

#[derive(Row, Deserialize)]
struct Counts {
    exception_id: String,
    total: u64,
    recent: u64,
    last_ms: u64,
}

/// Every exception (removed ones last), with its counts.
pub async fn list(client: &Client, now_ms: u64) -> Result<Vec<Listed>, StoreError> {
    let rows: Vec<ExceptionRow> = client
        .query("SELECT ?fields FROM exceptions FINAL ORDER BY removed, created_ms DESC")
        .fetch_all()
        .await?;
    let week_ago = now_ms.saturating_sub(PREVIEW_DAYS * 86_400_000);
    let counts: Vec<Counts> = client
        .query(
            "SELECT exception_id, uniqExact(alert_id) AS total, \
             uniqExactIf(alert_id, ts >= ?) AS recent, max(ts) AS last_ms \
             FROM suppressed GROUP BY exception_id",
        )
        .bind(week_ago)
        .fetch_all()
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|row| {
            let spec: ExceptionSpec = serde_json::from_str(&row.spec).ok()?;
            let count = counts.iter().find(|c| c.exception_id == row.exception_id);
            let state = if row.removed != 0 {
                "removed"
            } else if spec.expires_ms != 0 && now_ms >= spec.expires_ms {
                "expired"
            } else {
                "active"
            };
            Some(Listed {
                exception_id: row.exception_id,
                spec,
                author: row.author,
                created_ms: row.created_ms,
                updated_by: row.updated_by,
                updated_ms: row.updated_ms,
                state,
                suppressed: count.map_or(0, |c| c.total),
                suppressed_7d: count.map_or(0, |c| c.recent),
                last_suppressed_ms: count.map_or(0, |c| c.last_ms),
            })
        })
        .collect())
}

/// The exception `id` as stored, if any.
pub async fn get(client: &Client, id: &str) -> Result<Option<ExceptionRow>, StoreError> {
    Ok(client
        .query("SELECT ?fields FROM exceptions FINAL WHERE exception_id = ?")
        .bind(id)
        .fetch_optional()
        .await?)
}

/// Stores a new exception by `author`; its id, or why it was refused.
pub async fn create(
    client: &Client,
    spec: &ExceptionSpec,
    author: &str,
) -> Result<Result<String, ExceptionError>, StoreError> {
    if let Err(e) = spec.validate() {
        return Ok(Err(e));
    }
    let now = vigie_model::event::now_ms();
    let row = ExceptionRow {
        exception_id: crate::sessions::token()[..16].to_string(),
        spec: serde_json::to_string(spec).expect("serializable"),
        author: author.into(),
        created_ms: now,
        removed: 0,
        updated_by: author.into(),
        updated_ms: now,
    };
    vigie_store::insert_rows(client, "exceptions", std::slice::from_ref(&row)).await?;
    Ok(Ok(row.exception_id))
}

/// Replaces what exception `id` says, by `by`. `Ok(Ok(None))`: no such exception (or
/// removed); otherwise the version it replaced.
pub async fn update(
    client: &Client,
    id: &str,
    spec: &ExceptionSpec,
    by: &str,
) -> Result<Result<Option<ExceptionSpec>, ExceptionError>, StoreError> {
    if let Err(e) = spec.validate() {
        return Ok(Err(e));
    }
    let json = serde_json::to_string(spec).expect("serializable");
    let before = change_in_force(client, id, by, |row| row.spec = json).await?;
    Ok(Ok(before))
}

/// Removes exception `id` (kept for the record, no longer applied); what it said, or
/// `None` if there was no such exception in force.
pub async fn remove(
    client: &Client,
    id: &str,
    by: &str,
) -> Result<Option<ExceptionSpec>, StoreError> {
    change_in_force(client, id, by, |row| row.removed = 1).await
}

/// Applies `change` to exception `id` if it is in force, signed by `by`; what it said
/// before, or `None` if there was no such exception in force.
async fn change_in_force(
    client: &Client,
    id: &str,
    by: &str,
    change: impl FnOnce(&mut ExceptionRow),
) -> Result<Option<ExceptionSpec>, StoreError> {
    let mut before = None;
    vigie_store::update_latest(
        client,
        "exceptions",
        "exception_id",
        id,
        |row: &mut ExceptionRow| {
            if row.removed != 0 {
                return false;
            }
            before = serde_json::from_str(&row.spec).ok();
            change(row);
            row.updated_by = by.into();
            true
        },
    )
    .await?;
    Ok(before)
}

/// What a preview found.
#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
pub struct Preview {
    /// Alerts of the last [`PREVIEW_DAYS`] days the exception would have held back.
    pub would_suppress: u64,
    /// Alerts read.
    pub examined: u64,
    /// True when more alerts than [`PREVIEW_MAX_ALERTS`] were there: the count is a floor.
    pub capped: bool,
}

#[derive(Row, Deserialize)]
struct StoredAlert {
    rule_id: String,
    events: String,
}

/// How many alerts of the last [`PREVIEW_DAYS`] days `spec` would have held back, judged
/// as the collector would have judged them then.
pub async fn preview(
    client: &Client,
    spec: &ExceptionSpec,
    now_ms: u64,
) -> Result<Result<Preview, ExceptionError>, StoreError> {
    let exception = match Exception::new("preview", spec.clone()) {
        Ok(e) => e,
        Err(e) => return Ok(Err(e)),
    };
    let since = now_ms.saturating_sub(PREVIEW_DAYS * 86_400_000);
    let rule_filter = if spec.rule_id.is_empty() {
        ""
    } else {
        "AND rule_id = ?"
    };
    // Exceptions never apply to the collector's own alerts.
    let not_own: String = COLLECTOR_OWN_TAGS
        .iter()
        .map(|tag| format!("AND NOT has(tags, '{tag}') "))
        .collect();
    let mut query = client
        .query(&format!(
            "SELECT rule_id, events FROM alerts WHERE ts >= ? {rule_filter} {not_own} \
             ORDER BY ts DESC LIMIT ?"
        ))
        .bind(since);
    if !spec.rule_id.is_empty() {
        query = query.bind(&spec.rule_id);
    }
    let alerts: Vec<StoredAlert> = query.bind(PREVIEW_MAX_ALERTS + 1).fetch_all().await?;
    let capped = alerts.len() as u64 > PREVIEW_MAX_ALERTS;
    let mut found = Preview {
        would_suppress: 0,
        examined: 0,
        capped,
    };
    for alert in alerts.iter().take(PREVIEW_MAX_ALERTS as usize) {
        found.examined += 1;
        let events: Vec<Event> = serde_json::from_str(&alert.events).unwrap_or_default();
        // The alert's own event; an exception that expires is judged as of now.
        if let Some(event) = events.last() {
            if exception.suppresses(&alert.rule_id, event, now_ms) {
                found.would_suppress += 1;
            }
        }
    }
    Ok(Ok(found))
}

/// A rule's titles.
#[derive(Debug, Clone, Row, Deserialize)]
pub struct RuleTitle {
    /// Its id.
    pub rule_id: String,
    /// In English.
    pub title: String,
    /// In French.
    pub title_fr: String,
}

/// Every rule's titles (those the collector published).
pub async fn rule_titles(client: &Client) -> Result<Vec<RuleTitle>, StoreError> {
    Ok(client
        .query("SELECT rule_id, title, title_fr FROM rules FINAL")
        .fetch_all()
        .await?)
}
