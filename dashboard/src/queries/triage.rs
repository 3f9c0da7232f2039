//! Triage: acknowledge, assign, comment, set a status — each an append-only row of
//! `alert_actions`, never an update. Resolving or calling an alert a false positive
//! needs a reason. Checked whole before anything is written: a bad request changes
//! nothing.

use clickhouse::Row;
use serde::Deserialize;
use vigie_store::rows::AlertActionRow;
use vigie_store::Client;

use vigie_model::AlertStatus;

use crate::i18n::{Lang, Msg};

/// What triage can do.
pub const ACTIONS: [&str; 4] = ["acknowledge", "assign", "comment", "status"];

/// What a person reads for a triage action (shown as stored when unknown).
pub fn action_label(action: &str, lang: Lang) -> &str {
    let msg = match action {
        "acknowledge" => Msg::ActAcknowledge,
        "assign" => Msg::ActAssign,
        "comment" => Msg::ActComment,
        "status" => Msg::ActStatus,
        other => return other,
    };
    msg.text(lang)
}
/// Most alerts one request naming them may triage.
pub const MAX_ALERTS: usize = 5000;
/// Most alerts one request by filter may triage ("all alerts matching").
pub const MAX_BY_FILTER: usize = 200_000;

/// One triage request, as a form or the API gives it.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct TriageRequest {
    /// The alerts.
    pub ids: Vec<String>,
    /// One of [`ACTIONS`].
    pub action: String,
    /// For `status`: one of the statuses.
    #[serde(default)]
    pub status: String,
    /// For `assign`: the user.
    #[serde(default)]
    pub assignee: String,
    /// A comment; the reason for `resolved` and `false_positive`.
    #[serde(default)]
    pub comment: String,
}

/// Why a request was refused: a catalogue key, and a detail naming what.
#[derive(Debug, Clone, PartialEq)]
pub struct Refused {
    /// Catalogue key of the message.
    pub key: Msg,
    /// Which value.
    pub detail: String,
}

fn refused(key: Msg, detail: impl Into<String>) -> Refused {
    Refused {
        key,
        detail: detail.into(),
    }
}

impl TriageRequest {
    /// Checks everything that needs no storage.
    pub fn check(&self) -> Result<(), Refused> {
        self.check_at_most(MAX_ALERTS)
    }

    /// [`TriageRequest::check`], allowing up to `max` alerts.
    fn check_at_most(&self, max: usize) -> Result<(), Refused> {
        if self.ids.is_empty() {
            return Err(refused(Msg::TriageNothingSelected, "ids"));
        }
        if self.ids.len() > max {
            return Err(refused(Msg::BadParameter, format!("ids: more than {max}")));
        }
        if let Some(bad) = self.ids.iter().find(|id| {
            id.is_empty() || id.len() > 64 || !id.bytes().all(|b| b.is_ascii_alphanumeric())
        }) {
            return Err(refused(
                Msg::BadParameter,
                format!("ids: {bad:?} is not an alert id"),
            ));
        }
        self.check_action()
    }

    /// Checks the action and its values, whichever alerts it is for.
    pub fn check_action(&self) -> Result<(), Refused> {
        if self.comment.chars().count() > 2000 {
            return Err(refused(
                Msg::BadParameter,
                "comment: longer than 2000 characters",
            ));
        }
        match self.action.as_str() {
            "acknowledge" => Ok(()),
            "comment" if self.comment.trim().is_empty() => {
                Err(refused(Msg::TriageCommentRequired, "comment"))
            }
            "comment" => Ok(()),
            "assign" if self.assignee.trim().is_empty() => {
                Err(refused(Msg::TriageAssigneeRequired, "assignee"))
            }
            "assign" => Ok(()),
            "status" if AlertStatus::parse(&self.status).is_none() => Err(refused(
                Msg::BadParameter,
                format!("status: {}", AlertStatus::not_one_of(&self.status)),
            )),
            "status"
                if AlertStatus::parse(&self.status).is_some_and(AlertStatus::needs_reason)
                    && self.comment.trim().is_empty() =>
            {
                Err(refused(Msg::TriageReasonRequired, "comment"))
            }
            "status" => Ok(()),
            other => Err(refused(
                Msg::BadParameter,
                format!("action: {other:?} is not one of {ACTIONS:?}"),
            )),
        }
    }

    /// The rows recording this request (`request_id`) by `actor` at `now_ms`.
    pub fn rows(&self, actor: &str, now_ms: u64, request_id: &str) -> Vec<AlertActionRow> {
        self.ids
            .iter()
            .map(|id| AlertActionRow {
                date: vigie_store::date_of(now_ms),
                ts: now_ms,
                alert_id: id.clone(),
                action: self.action.clone(),
                status: if self.action == "status" {
                    self.status.clone()
                } else {
                    String::new()
                },
                assignee: if self.action == "assign" {
                    self.assignee.trim().to_string()
                } else {
                    String::new()
                },
                comment: self.comment.trim().to_string(),
                actor: actor.to_string(),
                request_id: request_id.to_string(),
            })
            .collect()
    }
}

#[derive(Row, Deserialize)]
struct Id {
    alert_id: String,
}

/// Checks the request against storage (the alerts exist, the assignee may triage),
/// then records it. Returns the rows written (one per alert), for the audit trail.
pub async fn apply(
    client: &Client,
    request: &TriageRequest,
    actor: &str,
) -> Result<Result<Vec<AlertActionRow>, Refused>, vigie_store::StoreError> {
    if let Err(r) = request.check() {
        return Ok(Err(r));
    }
    let mut wanted = request.ids.clone();
    wanted.sort();
    wanted.dedup();
    let found: Vec<Id> = client
        .query("SELECT DISTINCT alert_id FROM alerts WHERE has(?, alert_id)")
        .bind(wanted.as_slice())
        .fetch_all()
        .await?;
    if let Some(missing) = wanted
        .iter()
        .find(|id| !found.iter().any(|f| &f.alert_id == *id))
    {
        return Ok(Err(refused(Msg::NotFound, format!("alert {missing}"))));
    }
    let request = TriageRequest {
        ids: wanted,
        ..request.clone()
    };
    record(client, &request, actor).await
}

/// Records a request whose alerts the store itself just listed (all alerts matching a
/// filter, up to [`MAX_BY_FILTER`]); the rest is checked as [`apply`] does.
pub async fn apply_listed(
    client: &Client,
    request: &TriageRequest,
    actor: &str,
) -> Result<Result<Vec<AlertActionRow>, Refused>, vigie_store::StoreError> {
    if let Err(r) = request.check_at_most(MAX_BY_FILTER) {
        return Ok(Err(r));
    }
    record(client, request, actor).await
}

/// Checks the assignee may triage, then writes one row per alert.
async fn record(
    client: &Client,
    request: &TriageRequest,
    actor: &str,
) -> Result<Result<Vec<AlertActionRow>, Refused>, vigie_store::StoreError> {
    if request.action == "assign" {
        let assignee = request.assignee.trim();
        let role = crate::queries::users::find(client, assignee)
            .await?
            .and_then(|u| crate::auth::Role::parse(&u.role));
        match role {
            None => {
                return Ok(Err(refused(
                    Msg::TriageUnknownUser,
                    format!("assignee: {assignee:?}"),
                )))
            }
            Some(role) if !role.can_triage() => {
                return Ok(Err(refused(
                    Msg::TriageAssigneeCannotTriage,
                    format!("assignee: {assignee:?}"),
                )))
            }
            Some(_) => {}
        }
    }
    let request_id = crate::sessions::token()[..24].to_string();
    let rows = request.rows(actor, vigie_model::event::now_ms(), &request_id);
    vigie_store::insert_rows(client, "alert_actions", &rows).await?;
    Ok(Ok(rows))
}

#[derive(Row, Deserialize)]
struct StatusCount {
    status: String,
    count: u64,
}

/// How many of `ids` are in each status now (before a triage changes them), read a
/// thousand at a time (each id is written twice in a query, which ClickHouse bounds at
/// 256 KiB).
pub async fn statuses(
    client: &Client,
    ids: &[String],
) -> Result<std::collections::BTreeMap<String, u64>, vigie_store::StoreError> {
    let mut counts = std::collections::BTreeMap::new();
    for chunk in ids.chunks(1_000) {
        let rows: Vec<StatusCount> = client
            .query(
                "SELECT if(st = '', 'new', st) AS status, count() FROM \
                 (SELECT alert_id FROM alerts WHERE alert_id IN (SELECT arrayJoin(?)) \
                 LIMIT 1 BY alert_id) \
                 ANY LEFT JOIN (SELECT alert_id, argMaxIf(status, ts, status != '') AS st \
                 FROM alert_actions WHERE alert_id IN (SELECT arrayJoin(?)) GROUP BY alert_id) \
                 USING alert_id GROUP BY status",
            )
            .bind(chunk)
            .bind(chunk)
            .fetch_all()
            .await?;
        for r in rows {
            *counts.entry(r.status).or_insert(0) += r.count;
        }
    }
    Ok(counts)
}

/// Who alerts may be assigned to: enabled accounts that may triage, by name.
pub async fn assignees(client: &Client) -> Result<Vec<String>, vigie_store::StoreError> {
    Ok(crate::queries::users::list(client)
        .await?
        .into_iter()
        .filter(|u| u.disabled == 0)
        .filter(|u| crate::auth::Role::parse(&u.role).is_some_and(|r| r.can_triage()))
        .map(|u| u.username)
        .collect())
}

/// One step of an alert's triage history.
#[derive(Debug, Clone, Row, Deserialize, serde::Serialize)]
pub struct HistoryStep {
    /// When (ms).
    pub ts: u64,
    /// What.
    pub action: String,
    /// Status set, if any.
    pub status: String,
    /// Assignee, if any.
    pub assignee: String,
    /// Comment or reason.
    pub comment: String,
    /// Who.
    pub actor: String,
}

/// The triage history of alert `alert_id`, oldest first.
pub async fn history(
    client: &Client,
    alert_id: &str,
) -> Result<Vec<HistoryStep>, clickhouse::error::Error> {
    client
        .query(
            "SELECT ts, action, status, assignee, comment, actor FROM alert_actions \
             WHERE alert_id = ? ORDER BY ts, action",
        )
        .bind(alert_id)
        .fetch_all()
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(action: &str, status: &str, comment: &str) -> TriageRequest {
        TriageRequest {
            ids: vec!["abc123".into()],
            action: action.into(),
            status: status.into(),
            assignee: String::new(),
            comment: comment.into(),
        }
    }

    #[test]
    fn every_action_has_a_label() {
        for action in ACTIONS {
            assert_ne!(action_label(action, Lang::Fr), action, "{action}");
        }
    }

    #[test]
    fn reasons_and_values_are_required() {
        assert_eq!(request("acknowledge", "", "").check(), Ok(()));
        assert_eq!(request("status", "in_progress", "").check(), Ok(()));
        for status in ["resolved", "false_positive"] {
            assert_eq!(
                request("status", status, " ").check().unwrap_err().key,
                Msg::TriageReasonRequired
            );
            assert_eq!(request("status", status, "patched").check(), Ok(()));
        }
        assert_eq!(
            request("status", "closed", "").check().unwrap_err().key,
            Msg::BadParameter
        );
        assert_eq!(
            request("assign", "", "").check().unwrap_err().key,
            Msg::TriageAssigneeRequired
        );
        assert_eq!(
            request("comment", "", "").check().unwrap_err().key,
            Msg::TriageCommentRequired
        );
        assert_eq!(
            request("delete", "", "").check().unwrap_err().key,
            Msg::BadParameter
        );
        let mut r = request("acknowledge", "", "");
        r.ids = vec!["x' OR 1=1".into()];
        assert_eq!(r.check().unwrap_err().key, Msg::BadParameter);
        r.ids.clear();
        assert_eq!(r.check().unwrap_err().key, Msg::TriageNothingSelected);
    }

    #[test]
    fn rows_carry_only_what_the_action_sets() {
        let mut r = request("status", "resolved", " patched ");
        r.assignee = "bob".into();
        let rows = r.rows("alice", 86_400_000, "req1");
        assert_eq!(rows[0].status, "resolved");
        assert_eq!(rows[0].assignee, "", "not an assign action");
        assert_eq!(rows[0].comment, "patched");
        assert_eq!(rows[0].actor, "alice");
        assert_eq!(rows[0].date, 1);
    }
}
