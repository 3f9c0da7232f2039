//! The host's events around an alert: centred on a point (the alert's event, or where
//! the analyst paged to), so many before and so many after, with what each is about
//! (file, command line, address) and the program and user behind it. Whether more lie
//! beyond either end is said, never hidden by a cut.

use clickhouse::Row;
use serde::{Deserialize, Serialize};
use vigie_model::Event;
use vigie_store::Client;

/// Events shown on each side of the centre.
pub const PER_SIDE: u64 = 25;
/// How far either side one look reaches (ms): a day, so each look reads one or two
/// daily partitions; paging moves on from there.
const REACH_MS: u64 = 86_400_000;

/// A point in an agent's events: a time and a sequence number (`TS-SEQ` in links).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Anchor {
    /// Time (ms).
    pub ts: u64,
    /// Sequence number.
    pub seq: u64,
}

impl Anchor {
    /// Reads `TS-SEQ`.
    pub fn parse(text: &str) -> Option<Anchor> {
        let (ts, seq) = text.split_once('-')?;
        Some(Anchor {
            ts: ts.parse().ok()?,
            seq: seq.parse().ok()?,
        })
    }

    /// `TS-SEQ`, for links.
    pub fn encode(&self) -> String {
        format!("{}-{}", self.ts, self.seq)
    }
}

/// One event of the context.
#[derive(Debug, Clone, Serialize)]
pub struct ContextEvent {
    /// When (ms).
    pub ts: u64,
    /// Sequence number.
    pub seq: u64,
    /// Category.
    pub category: String,
    /// File action, if a file event.
    pub action: String,
    /// What it is about: file, command line, address, name.
    pub subject: String,
    /// Program.
    pub image: String,
    /// User (of the process, for file changes that name it).
    pub user: String,
    /// True for the event that raised the alert.
    pub is_alert: bool,
}

/// The events around a centre, oldest first.
#[derive(Debug, Clone, Serialize)]
pub struct Context {
    /// Where it is centred.
    pub centre: Anchor,
    /// The events.
    pub events: Vec<ContextEvent>,
    /// True when earlier events exist than the first shown.
    pub more_before: bool,
    /// True when later events exist than the last shown.
    pub more_after: bool,
}

#[derive(Row, Deserialize)]
struct Stored {
    ts: u64,
    seq: u64,
    fields: String,
}

fn shown(row: Stored, alert: Anchor) -> ContextEvent {
    let event: Option<Event> = serde_json::from_str(&row.fields).ok();
    let text = |name: &str| {
        event
            .as_ref()
            .and_then(|e| e.text_field(name))
            .unwrap_or_default()
    };
    let user = match text(vigie_model::event::field::PROCESS_USER) {
        u if u.is_empty() => text(vigie_model::event::field::USER),
        u => u,
    };
    ContextEvent {
        ts: row.ts,
        seq: row.seq,
        category: event
            .as_ref()
            .map(|e| e.category.clone())
            .unwrap_or_default(),
        action: text(vigie_model::event::field::ACTION),
        subject: event.as_ref().map(Event::subject).unwrap_or_default(),
        image: text(vigie_model::event::field::IMAGE),
        user,
        is_alert: row.ts == alert.ts && row.seq == alert.seq,
    }
}

/// The events of agent `agent_id` around `centre`: up to [`PER_SIDE`] before it and
/// [`PER_SIDE`] from it on; `alert` marks the alert's own event.
pub async fn around(
    client: &Client,
    agent_id: &str,
    centre: Anchor,
    alert: Anchor,
) -> Result<Context, clickhouse::error::Error> {
    let day = vigie_model::time::day;
    let before: Vec<Stored> = client
        .query(
            "SELECT ts, seq, fields FROM events WHERE agent_id = ? \
             AND date >= toDate(?) AND date <= toDate(?) AND (ts, seq) < (?, ?) \
             ORDER BY ts DESC, seq DESC LIMIT ?",
        )
        .bind(agent_id)
        .bind(day(centre.ts.saturating_sub(REACH_MS)))
        .bind(day(centre.ts))
        .bind(centre.ts)
        .bind(centre.seq)
        .bind(PER_SIDE + 1)
        .fetch_all()
        .await?;
    let after: Vec<Stored> = client
        .query(
            "SELECT ts, seq, fields FROM events WHERE agent_id = ? \
             AND date >= toDate(?) AND date <= toDate(?) AND (ts, seq) >= (?, ?) \
             ORDER BY ts, seq LIMIT ?",
        )
        .bind(agent_id)
        .bind(day(centre.ts))
        .bind(day(centre.ts.saturating_add(REACH_MS)))
        .bind(centre.ts)
        .bind(centre.seq)
        .bind(PER_SIDE + 1)
        .fetch_all()
        .await?;
    let more_before = before.len() as u64 > PER_SIDE;
    let more_after = after.len() as u64 > PER_SIDE;
    let events = before
        .into_iter()
        .take(PER_SIDE as usize)
        .rev()
        .chain(after.into_iter().take(PER_SIDE as usize))
        .map(|row| shown(row, alert))
        .collect();
    Ok(Context {
        centre,
        events,
        more_before,
        more_after,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anchors_round_trip_and_refuse_junk() {
        let a = Anchor::parse("1700000000000-42").unwrap();
        assert_eq!(a.encode(), "1700000000000-42");
        for junk in ["", "1", "x-1", "1-", "1-2-3", "-1-2"] {
            assert_eq!(Anchor::parse(junk), None, "{junk}");
        }
    }
}
