//! The triage history (`alert_actions`) checked against the audit trail. Each triage
//! request's rows carry its id, and the dashboard's signed audit row for the request
//! keeps their count and digest: a row changed (resolved → false positive, another
//! comment, another actor), removed, or added afterwards no longer matches. Rows from
//! before requests carried ids must match an audit row of the same actor, action,
//! status and comment, written within a minute after them. Rows retention dropped, by
//! the collector's signed record, are not missed.

use std::collections::{BTreeMap, BTreeSet};

use vigie_model::i18n::{self, Msg};

use super::anchor::{row_message, signature_valid, Anchors};
use super::{AuditRow, CHECKPOINT_CHAIN, RETENTION_DROPPED, TRIAGE};
use crate::rows::AlertActionRow;
use crate::{Client, StoreError};

/// The chain that records triage.
const TRIAGE_CHAIN: &str = "dashboard";
/// How long after its rows a request's audit row may come (older rows, without ids).
const LEGACY_WINDOW_MS: u64 = 60_000;

/// What the check of the triage history found.
#[derive(Debug, Clone, PartialEq)]
pub enum TriageVerdict {
    /// Every row matches the audit trail.
    Intact {
        /// Triage rows checked.
        rows: u64,
        /// Requests they came in.
        requests: u64,
    },
    /// The first problem found.
    Broken {
        /// The alert concerned.
        alert_id: String,
        /// What is wrong, in English.
        reason: String,
        /// The same in French.
        reason_fr: String,
    },
}

/// What the dashboard's audit row says of one request.
struct Recorded {
    actor: String,
    alerts: u64,
    digest: String,
    date: u16,
    target: String,
}

/// Checks every triage row against the audit trail, whose rows count only when signed
/// by their writer's pinned key.
pub async fn verify_triage(
    client: &Client,
    anchors: &Anchors,
) -> Result<TriageVerdict, StoreError> {
    let rows: Vec<AlertActionRow> = client
        .query("SELECT ?fields FROM alert_actions ORDER BY ts, alert_id")
        .fetch_all()
        .await?;
    let trail: Vec<AuditRow> = client
        .query(
            "SELECT ?fields FROM audit_log WHERE (chain = ? AND action = ?) \
             OR (chain = ? AND action = ?) ORDER BY chain, seq",
        )
        .bind(TRIAGE_CHAIN)
        .bind(TRIAGE)
        .bind(CHECKPOINT_CHAIN)
        .bind(RETENTION_DROPPED)
        .fetch_all()
        .await?;
    let signed = |row: &AuditRow| {
        anchors.key(&row.chain).is_some_and(|key| {
            row.hash == row.expected_hash()
                && signature_valid(key, &row_message(&row.hash), &row.signature)
        })
    };
    let trusted: Vec<&AuditRow> = trail.iter().filter(|r| signed(r)).collect();
    Ok(check(&rows, &trusted))
}

fn details(row: &AuditRow) -> serde_json::Value {
    serde_json::from_str(&row.details).unwrap_or_default()
}

fn broken(alert_id: &str, msg: Msg, values: &[(&str, &dyn std::fmt::Display)]) -> TriageVerdict {
    let (reason, reason_fr) = i18n::both(msg, values);
    TriageVerdict::Broken {
        alert_id: alert_id.to_string(),
        reason,
        reason_fr,
    }
}

/// The newest day retention dropped from `table`, by the collector's records.
fn dropped_through(trail: &[&AuditRow], table: &str) -> Option<u16> {
    trail
        .iter()
        .filter(|r| r.action == RETENTION_DROPPED && r.target == table)
        .filter_map(|r| details(r)["newest_day"].as_u64())
        .max()
        .map(|d| d.min(u64::from(u16::MAX)) as u16)
}

/// Checks `rows` against the `trail` (trusted audit rows only).
pub fn check(rows: &[AlertActionRow], trail: &[&AuditRow]) -> TriageVerdict {
    let actions_dropped = dropped_through(trail, "alert_actions");
    let audit_dropped = dropped_through(trail, "audit_log");
    let mut recorded: BTreeMap<String, Recorded> = BTreeMap::new();
    let mut legacy_records: Vec<&AuditRow> = Vec::new();
    for row in trail.iter().filter(|r| r.action == TRIAGE) {
        let d = details(row);
        match d["request_id"].as_str() {
            Some(id) if !id.is_empty() => {
                recorded.insert(
                    id.to_string(),
                    Recorded {
                        actor: row.actor.clone(),
                        alerts: d["alerts"].as_u64().unwrap_or(0),
                        digest: d["actions_sha256"].as_str().unwrap_or_default().to_string(),
                        date: d["date"].as_u64().unwrap_or(0).min(u64::from(u16::MAX)) as u16,
                        target: row.target.clone(),
                    },
                );
            }
            _ => legacy_records.push(row),
        }
    }
    let mut by_request: BTreeMap<&str, Vec<AlertActionRow>> = BTreeMap::new();
    for row in rows {
        let before_audit_kept = audit_dropped.is_some_and(|d| row.date <= d);
        if row.request_id.is_empty() {
            if !before_audit_kept && !legacy_match(row, &legacy_records) {
                return unrecorded(row);
            }
            continue;
        }
        if !recorded.contains_key(&row.request_id) && !before_audit_kept {
            return unrecorded(row);
        }
        by_request
            .entry(&row.request_id)
            .or_default()
            .push(row.clone());
    }
    for (id, record) in &recorded {
        let found = by_request.get(id.as_str()).map_or(&[][..], Vec::as_slice);
        if found.is_empty() && actions_dropped.is_some_and(|d| record.date <= d) {
            continue;
        }
        if found.len() as u64 != record.alerts || AlertActionRow::digest(found) != record.digest {
            let alert = found
                .first()
                .map(|r| r.alert_id.clone())
                .unwrap_or_else(|| record.target.split(' ').next().unwrap_or("").to_string());
            return broken(
                &alert,
                Msg::TriageRowsChanged,
                &[
                    ("actor", &record.actor),
                    ("alert", &alert),
                    ("recorded", &record.alerts),
                    ("found", &found.len()),
                ],
            );
        }
    }
    TriageVerdict::Intact {
        rows: rows.len() as u64,
        requests: by_request.len() as u64,
    }
}

fn unrecorded(row: &AlertActionRow) -> TriageVerdict {
    broken(
        &row.alert_id,
        Msg::TriageRowUnrecorded,
        &[
            ("alert", &row.alert_id),
            ("action", &row.action),
            ("actor", &row.actor),
            ("when", &vigie_model::time::utc(row.ts)),
        ],
    )
}

/// Whether a row from before request ids matches an audit row of its request.
fn legacy_match(row: &AlertActionRow, records: &[&AuditRow]) -> bool {
    records.iter().any(|r| {
        let d = details(r);
        let text = |k: &str| d[k].as_str().unwrap_or_default().trim().to_string();
        let ids: BTreeSet<&str> = r.target.split(' ').collect();
        r.actor == row.actor
            && text("action") == row.action
            && (row.status.is_empty() || text("status") == row.status)
            && text("comment") == row.comment
            && r.ts >= row.ts
            && r.ts - row.ts <= LEGACY_WINDOW_MS
            && (ids.contains(row.alert_id.as_str()) || d["alerts"].as_u64().unwrap_or(0) > 50)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn action(alert: &str, request: &str, status: &str) -> AlertActionRow {
        AlertActionRow {
            date: 20_000,
            ts: 1_700_000_000_000,
            alert_id: alert.into(),
            action: "status".into(),
            status: status.into(),
            assignee: String::new(),
            comment: "checked".into(),
            actor: "ana".into(),
            request_id: request.into(),
        }
    }

    fn record(rows: &[AlertActionRow]) -> AuditRow {
        AuditRow {
            date: 20_000,
            chain: "dashboard".into(),
            seq: 1,
            ts: rows[0].ts + 5,
            actor: "ana".into(),
            action: TRIAGE.into(),
            target: rows
                .iter()
                .map(|r| r.alert_id.as_str())
                .collect::<Vec<_>>()
                .join(" "),
            details: serde_json::json!({
                "action": "status", "status": rows[0].status, "comment": "checked",
                "alerts": rows.len(), "request_id": rows[0].request_id,
                "actions_sha256": AlertActionRow::digest(rows), "date": rows[0].date,
            })
            .to_string(),
            prev_hash: String::new(),
            hash: String::new(),
            signature: String::new(),
        }
    }

    fn alert_of(v: TriageVerdict) -> String {
        match v {
            TriageVerdict::Broken { alert_id, .. } => alert_id,
            other => panic!("intact: {other:?}"),
        }
    }

    #[test]
    fn changed_removed_or_added_rows_are_named() {
        let rows = vec![
            action("a1", "r1", "resolved"),
            action("a2", "r1", "resolved"),
        ];
        let audit = record(&rows);
        let trail = [&audit];
        assert_eq!(
            check(&rows, &trail),
            TriageVerdict::Intact {
                rows: 2,
                requests: 1
            }
        );
        let mut changed = rows.clone();
        changed[1].status = "false_positive".into();
        assert_eq!(
            alert_of(check(&changed, &trail)),
            "a1",
            "named by its request"
        );
        assert_eq!(alert_of(check(&rows[..1], &trail)), "a1", "one removed");
        assert_eq!(alert_of(check(&[], &trail)), "a1", "all removed");
        let mut added = rows.clone();
        added.push(action("a3", "forged", "false_positive"));
        assert_eq!(alert_of(check(&added, &trail)), "a3");
        // Passed off as a row from before request ids: no audit row matches it.
        let mut legacy = rows.clone();
        legacy.push(action("a3", "", "false_positive"));
        assert_eq!(alert_of(check(&legacy, &trail)), "a3");
    }

    #[test]
    fn older_rows_match_their_audit_row_and_retention_is_not_tampering() {
        let rows = vec![action("a1", "", "resolved")];
        let mut audit = record(&rows);
        audit.details = serde_json::json!({"action": "status", "status": "resolved", "comment": "checked", "alerts": 1}).to_string();
        assert!(matches!(
            check(&rows, &[&audit]),
            TriageVerdict::Intact { .. }
        ));
        // Dropped by retention, by the collector's record: not missed.
        let tracked = vec![action("a1", "r1", "resolved")];
        let recorded = record(&tracked);
        let dropped = AuditRow {
            chain: "collector".into(),
            action: RETENTION_DROPPED.into(),
            target: "alert_actions".into(),
            details: serde_json::json!({"partition": "202301", "newest_day": 20_000}).to_string(),
            ..recorded.clone()
        };
        assert!(matches!(
            check(&[], &[&recorded, &dropped]),
            TriageVerdict::Intact { .. }
        ));
        assert!(matches!(
            check(&[], &[&recorded]),
            TriageVerdict::Broken { .. }
        ));
    }
}
