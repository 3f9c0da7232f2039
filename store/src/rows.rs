//! Row types of Vigie's tables, in column order, for RowBinary inserts and selects.

use clickhouse::Row;
use serde::{Deserialize, Serialize};
use vigie_model::event::field;
use vigie_model::Event;

/// A row of `events`.
#[derive(Debug, Clone, PartialEq, Row, Serialize, Deserialize)]
pub struct EventRow {
    /// Day of `ts` (days since the epoch): the partition.
    pub date: u16,
    /// When the agent saw it (ms, agent clock).
    pub ts: u64,
    /// When the collector stored it (ms, collector clock).
    pub received_ms: u64,
    /// The agent.
    pub agent_id: String,
    /// The host.
    pub hostname: String,
    /// Per-agent sequence number; (agent_id, seq) is stored once.
    pub seq: u64,
    /// Category name.
    pub category: String,
    /// `Action` of file events.
    pub action: String,
    /// `TargetFilename` of file events.
    pub target: String,
    /// `Image`, where known.
    pub image: String,
    /// `User`, where known.
    pub user: String,
    /// `Sha256`, where known.
    pub sha256: String,
    /// The whole event as JSON, unknown fields included.
    pub fields: String,
}

impl EventRow {
    /// The row of `event`, stored by the collector at `received_ms`: the typed columns
    /// the dashboard filters on, and the whole event as JSON (unknown fields included).
    pub fn received(event: &Event, received_ms: u64) -> EventRow {
        let json = serde_json::to_string(event).expect("an event is plain JSON values");
        EventRow::with_json(event, received_ms, json)
    }

    /// [`EventRow::received`] with `json`, the event already serialized.
    pub fn with_json(event: &Event, received_ms: u64, json: String) -> EventRow {
        let text = |name: &str| event.str_field(name).unwrap_or("").to_string();
        EventRow {
            date: crate::date_of(event.ts),
            ts: event.ts,
            received_ms,
            agent_id: event.agent_id.clone(),
            hostname: event.hostname.clone(),
            seq: event.seq,
            category: event.category.clone(),
            action: text(field::ACTION),
            target: text(field::TARGET_FILENAME),
            image: text(field::IMAGE),
            user: text(field::USER),
            sha256: text(field::SHA256),
            fields: json,
        }
    }
}

impl From<&Event> for EventRow {
    /// The row of `event` received now.
    fn from(event: &Event) -> EventRow {
        EventRow::received(event, vigie_model::event::now_ms())
    }
}

/// A row of `alerts`.
#[derive(Debug, Clone, PartialEq, Row, Serialize, Deserialize)]
pub struct AlertRow {
    /// Day of `ts`.
    pub date: u16,
    /// Time of the triggering event (ms).
    pub ts: u64,
    /// When the collector raised it (ms).
    pub created_ms: u64,
    /// Stable id: the same event and rule always give the same id.
    pub alert_id: String,
    /// The agent.
    pub agent_id: String,
    /// The host.
    pub hostname: String,
    /// `seq` of the triggering event (0 for alerts about the transport itself).
    pub event_seq: u64,
    /// Rule id.
    pub rule_id: String,
    /// Rule title, English.
    pub rule_title: String,
    /// Rule title, French.
    pub rule_title_fr: String,
    /// informational, low, medium, high or critical.
    pub severity: String,
    /// Tags (ATT&CK ids).
    pub tags: Vec<String>,
    /// The rule's author (kept with every alert, as the Detection Rule License requires).
    pub author: String,
    /// One line saying what happened.
    pub summary: String,
    /// File, process or address the alert is about, for the list.
    pub target: String,
    /// The event's `Action`, where it has one.
    pub action: String,
    /// The triggering event(s), a JSON array.
    pub events: String,
    /// [`AlertRow::summary`] in French (empty for alerts stored before it existed).
    pub summary_fr: String,
}

/// A row of `agents` (latest `updated_ms` wins).
#[derive(Debug, Clone, PartialEq, Row, Serialize, Deserialize)]
pub struct AgentRow {
    /// Id given at enrollment.
    pub agent_id: String,
    /// Host name given at enrollment or last seen.
    pub hostname: String,
    /// Ed25519 public key, base64.
    pub public_key: String,
    /// SHA-256 of the public key, hexadecimal.
    pub key_fingerprint: String,
    /// Agent version.
    pub version: String,
    /// The enrollment token it used.
    pub token_id: String,
    /// Enrollment time (ms).
    pub first_seen_ms: u64,
    /// Last batch time (ms).
    pub last_seen_ms: u64,
    /// 1 once revoked.
    pub revoked: u8,
    /// Version of this row (ms).
    pub updated_ms: u64,
}

/// A row of `batches`: one per batch stored, the agent's hash chain.
#[derive(Debug, Clone, PartialEq, Row, Serialize, Deserialize)]
pub struct BatchRow {
    /// Day received.
    pub date: u16,
    /// The agent.
    pub agent_id: String,
    /// First event's seq.
    pub first_seq: u64,
    /// Last event's seq.
    pub last_seq: u64,
    /// SHA-256 of the batch bytes.
    pub batch_hash: String,
    /// The hash the batch names as its predecessor.
    pub prev_hash: String,
    /// When stored (ms).
    pub received_ms: u64,
    /// How many events it held.
    pub events: u32,
    /// The agent's cumulative count of dropped events when it sent it.
    pub dropped_total: u64,
}

/// A row of `enrollment_tokens` (latest `updated_ms` wins).
#[derive(Debug, Clone, PartialEq, Row, Serialize, Deserialize)]
pub struct TokenRow {
    /// Public id, shown in lists.
    pub token_id: String,
    /// SHA-256 of the secret token (the token itself is never stored).
    pub token_sha256: String,
    /// Creation time (ms).
    pub created_ms: u64,
    /// Expiry (ms).
    pub expires_ms: u64,
    /// How many agents may enroll with it.
    pub max_uses: u32,
    /// 1 once revoked.
    pub revoked: u8,
    /// Operator's note.
    pub note: String,
    /// Version of this row (ms).
    pub updated_ms: u64,
}

/// A row of `users` (latest `updated_ms` wins).
#[derive(Debug, Clone, PartialEq, Row, Serialize, Deserialize)]
pub struct UserRow {
    /// Login name.
    pub username: String,
    /// admin, analyst or auditor.
    pub role: String,
    /// PBKDF2 hash, `pbkdf2-sha256$iterations$salt$hash` (base64 parts).
    pub password_hash: String,
    /// Creation time (ms).
    pub created_ms: u64,
    /// Version of this row (ms).
    pub updated_ms: u64,
    /// 1 when the account is disabled.
    pub disabled: u8,
}

/// A row of `alert_actions`: one triage step, never changed afterwards.
#[derive(Debug, Clone, PartialEq, Row, Serialize, Deserialize)]
pub struct AlertActionRow {
    /// Day of `ts`.
    pub date: u16,
    /// When (ms).
    pub ts: u64,
    /// The alert.
    pub alert_id: String,
    /// acknowledge, assign, comment or status.
    pub action: String,
    /// The status set (new, in_progress, resolved, false_positive), or empty.
    pub status: String,
    /// The user assigned, or empty.
    pub assignee: String,
    /// The comment or the reason, or empty.
    pub comment: String,
    /// Who did it.
    pub actor: String,
    /// The triage request it belongs to: the dashboard's audit row for that request
    /// carries the digest of all its rows ([`AlertActionRow::digest`]); empty on rows
    /// written before requests were recorded so.
    pub request_id: String,
}

impl AlertActionRow {
    /// SHA-256 over the rows of one request, in a fixed order, each field preceded by
    /// its length: the audit trail keeps it, so a row changed, removed or added later
    /// no longer matches.
    pub fn digest(rows: &[AlertActionRow]) -> String {
        let mut sorted: Vec<&AlertActionRow> = rows.iter().collect();
        sorted.sort_by(|a, b| (&a.alert_id, a.ts, &a.action).cmp(&(&b.alert_id, b.ts, &b.action)));
        let mut text = String::from("vigie-triage-v1");
        for row in sorted {
            for field in [
                row.request_id.as_str(),
                &row.ts.to_string(),
                &row.alert_id,
                &row.action,
                &row.status,
                &row.assignee,
                &row.comment,
                &row.actor,
            ] {
                text.push_str(&format!("\n{}:{field}", field.len()));
            }
        }
        vigie_model::hex::sha256(text.as_bytes())
    }
}

/// A row of `rules`: a rule in force in the collector (latest `updated_ms` wins), so
/// the dashboard can describe alerts' rules.
#[derive(Debug, Clone, PartialEq, Row, Serialize, Deserialize)]
pub struct RuleRow {
    /// The rule's id.
    pub rule_id: String,
    /// Title in English.
    pub title: String,
    /// Title in French.
    pub title_fr: String,
    /// What it detects.
    pub description: String,
    /// The same in French (empty: in English only).
    pub description_fr: String,
    /// What the analyst should do next.
    pub guidance: String,
    /// The same in French.
    pub guidance_fr: String,
    /// Sigma level.
    pub level: String,
    /// Author (travels with alerts, as the Detection Rule License asks).
    pub author: String,
    /// Tags such as `attack.t1059.004`.
    pub tags: Vec<String>,
    /// Version of this row (ms); the rules of the latest version are those in force.
    pub updated_ms: u64,
    /// Where it comes from: `pack` (Vigie's own rules), `built-in` (coded detectors),
    /// `collector` (the collector's alerts about itself and its agents), `folder`.
    pub source: String,
}

/// A row of `incidents`: an incident's state (latest `updated_ms` wins).
#[derive(Debug, Clone, PartialEq, Row, Serialize, Deserialize)]
pub struct IncidentRow {
    /// Its id (`INC-YYYYMMDD-XXXXXX`).
    pub incident_id: String,
    /// Its title.
    pub title: String,
    /// `informational` … `critical`.
    pub severity: String,
    /// `open`, `contained`, `eradicated` or `closed`.
    pub status: String,
    /// Who leads it (a user name; empty: nobody yet).
    pub owner: String,
    /// ATT&CK technique ids (`T1059.004`).
    pub techniques: Vec<String>,
    /// What the analysts recommend.
    pub recommendations: String,
    /// When it was opened (ms).
    pub created_ms: u64,
    /// Who opened it.
    pub created_by: String,
    /// Who changed it last.
    pub updated_by: String,
    /// When (ms); the version.
    pub updated_ms: u64,
}

/// A row of `incident_history`: one thing done to an incident (append-only).
#[derive(Debug, Clone, PartialEq, Row, Serialize, Deserialize)]
pub struct IncidentHistoryRow {
    /// The incident.
    pub incident_id: String,
    /// When (ms).
    pub ts: u64,
    /// Who.
    pub actor: String,
    /// `opened`, `changed`, `note`, `action_taken`, `alerts_attached`,
    /// `alerts_detached`, `evidence_attached`.
    pub action: String,
    /// What the person wrote (notes, actions), if anything.
    pub text: String,
    /// What changed, as JSON.
    pub details: String,
}

/// A row of `incident_alerts`: an alert attached to an incident (latest `updated_ms`
/// wins; `attached` 0 once detached), with what the incident keeps of it should the
/// alert itself pass its retention.
#[derive(Debug, Clone, PartialEq, Row, Serialize, Deserialize)]
pub struct IncidentAlertRow {
    /// The incident.
    pub incident_id: String,
    /// The alert.
    pub alert_id: String,
    /// 1 attached, 0 detached.
    pub attached: u8,
    /// The alert's time (ms).
    pub ts: u64,
    /// Its host.
    pub hostname: String,
    /// Its rule.
    pub rule_id: String,
    /// The rule's title.
    pub rule_title: String,
    /// The rule's French title.
    pub rule_title_fr: String,
    /// Its severity.
    pub severity: String,
    /// Its tags (ATT&CK among them).
    pub tags: Vec<String>,
    /// What happened.
    pub summary: String,
    /// SHA-256 of the alert as stored when attached (JSON of its row).
    pub sha256: String,
    /// Who attached or detached it.
    pub updated_by: String,
    /// When (ms); the version.
    pub updated_ms: u64,
    /// What happened, in French (empty for alerts stored before it existed).
    pub summary_fr: String,
}

/// A row of `incident_evidence`: something kept as evidence (an event, a hunt's
/// results), with its SHA-256 (append-only).
#[derive(Debug, Clone, PartialEq, Row, Serialize, Deserialize)]
pub struct IncidentEvidenceRow {
    /// The incident.
    pub incident_id: String,
    /// Its id.
    pub evidence_id: String,
    /// `event` or `hunt`.
    pub kind: String,
    /// What it is, in words (the event's subject, the hunt's filter).
    pub label: String,
    /// The evidence itself, as JSON.
    pub content: String,
    /// SHA-256 of `content`.
    pub sha256: String,
    /// Who attached it.
    pub added_by: String,
    /// When (ms).
    pub added_ms: u64,
}

/// A row of `custom_rules`: one Sigma rule file written in the dashboard (latest
/// `updated_ms` wins; `deleted` removes it).
#[derive(Debug, Clone, PartialEq, Row, Serialize, Deserialize)]
pub struct CustomRuleRow {
    /// The file, named after its first rule's id.
    pub file_id: String,
    /// Its YAML text, as the admin wrote it.
    pub yaml: String,
    /// The ids of the rules it holds.
    pub rule_ids: Vec<String>,
    /// 1: removed.
    pub deleted: u8,
    /// Who wrote this version.
    pub updated_by: String,
    /// When (ms); the version.
    pub updated_ms: u64,
}

/// A row of `rule_settings`: what admins set for one rule (latest `updated_ms` wins).
#[derive(Debug, Clone, PartialEq, Row, Serialize, Deserialize)]
pub struct RuleSettingRow {
    /// The rule.
    pub rule_id: String,
    /// 0 turns it off: it raises no alert.
    pub enabled: u8,
    /// A severity its alerts take instead of the rule's own; empty: the rule's.
    pub severity: String,
    /// Why.
    pub reason: String,
    /// Who.
    pub updated_by: String,
    /// When (ms); the version.
    pub updated_ms: u64,
}

/// A row of `api_tokens`: a bearer token for integrations (latest `updated_ms` wins).
#[derive(Debug, Clone, PartialEq, Row, Serialize, Deserialize)]
pub struct ApiTokenRow {
    /// Public id, shown in lists.
    pub token_id: String,
    /// SHA-256 of the secret (the secret itself is never stored).
    pub token_sha256: String,
    /// What it is for.
    pub name: String,
    /// The user who made it; the token acts as them.
    pub username: String,
    /// The role it may use (that of its maker when made, or lower).
    pub role: String,
    /// Creation time (ms).
    pub created_ms: u64,
    /// Expiry (ms), 0 for none.
    pub expires_ms: u64,
    /// 1 once revoked.
    pub revoked: u8,
    /// Version of this row (ms).
    pub updated_ms: u64,
}

/// A row of `reports`: an exported incident report, its file and its signature.
#[derive(Debug, Clone, PartialEq, Row, Serialize, Deserialize)]
pub struct ReportRow {
    /// Id.
    pub report_id: String,
    /// When made (ms).
    pub created_ms: u64,
    /// Who asked for it.
    pub actor: String,
    /// `pdf`, `csv` or `json`.
    pub format: String,
    /// `fr` or `en`.
    pub lang: String,
    /// Period start (ms).
    pub from_ms: u64,
    /// Period end (ms).
    pub to_ms: u64,
    /// The filters, as JSON.
    pub filters: String,
    /// The file's name.
    pub file_name: String,
    /// SHA-256 of the file.
    pub sha256: String,
    /// The detached signature (`.sig` content, JSON).
    pub signature: String,
    /// The file itself, base64 (PDF bytes are not text).
    pub body: String,
}

/// A row of `agent_config`: a group's remote settings (latest `version` wins).
#[derive(Debug, Clone, PartialEq, Row, Serialize, Deserialize)]
pub struct AgentConfigRow {
    /// The group (`default` for agents in none).
    pub group_name: String,
    /// Increases with each change; agents report the one they run.
    pub version: u64,
    /// The settings, TOML (`[fim]`, `[process]`, `[network]`).
    pub body: String,
    /// Who changed it.
    pub author: String,
    /// When (ms).
    pub updated_ms: u64,
}

/// A row of `agent_groups`: which group an agent belongs to (latest wins).
#[derive(Debug, Clone, PartialEq, Row, Serialize, Deserialize)]
pub struct AgentGroupRow {
    /// The agent.
    pub agent_id: String,
    /// Its group.
    pub group_name: String,
    /// When set (ms).
    pub updated_ms: u64,
}

/// A row of `exceptions` (latest `updated_ms` wins).
#[derive(Debug, Clone, PartialEq, Row, Serialize, Deserialize)]
pub struct ExceptionRow {
    /// Its id.
    pub exception_id: String,
    /// What it says: [`vigie_model::exception::ExceptionSpec`] as JSON.
    pub spec: String,
    /// Who created it.
    pub author: String,
    /// When (ms).
    pub created_ms: u64,
    /// 1 once removed (kept for the record, no longer applied).
    pub removed: u8,
    /// Who changed it last.
    pub updated_by: String,
    /// When (ms); the version.
    pub updated_ms: u64,
}

/// A row of `suppressed`: an alert an exception held back (one per alert id, however
/// often a retried write stores it).
#[derive(Debug, Clone, PartialEq, Row, Serialize, Deserialize)]
pub struct SuppressedRow {
    /// Day of the event.
    pub date: u16,
    /// The event's time (ms).
    pub ts: u64,
    /// When the collector held it back (ms).
    pub created_ms: u64,
    /// The exception.
    pub exception_id: String,
    /// The alert it would have been.
    pub alert_id: String,
    /// The agent.
    pub agent_id: String,
    /// Its host.
    pub hostname: String,
    /// The event's seq.
    pub event_seq: u64,
    /// The rule that matched.
    pub rule_id: String,
}

impl crate::Versioned for ExceptionRow {
    fn updated_ms(&mut self) -> &mut u64 {
        &mut self.updated_ms
    }
}

impl crate::Versioned for AgentRow {
    fn updated_ms(&mut self) -> &mut u64 {
        &mut self.updated_ms
    }
}

impl crate::Versioned for TokenRow {
    fn updated_ms(&mut self) -> &mut u64 {
        &mut self.updated_ms
    }
}

impl crate::Versioned for UserRow {
    fn updated_ms(&mut self) -> &mut u64 {
        &mut self.updated_ms
    }
}

impl crate::Versioned for ApiTokenRow {
    fn updated_ms(&mut self) -> &mut u64 {
        &mut self.updated_ms
    }
}

/// A row of `notifications`: one alert to tell one channel, and how that went (latest
/// `updated_ms` wins). The outbox: a row is written before the first attempt, so a
/// restart resumes what was not yet delivered.
#[derive(Debug, Clone, PartialEq, Row, Serialize, Deserialize)]
pub struct NotificationRow {
    /// Month partition: day of `created_ms`.
    pub date: u16,
    /// The channel's name.
    pub channel: String,
    /// The alert.
    pub alert_id: String,
    /// The alert's time (ms).
    pub alert_ms: u64,
    /// When the collector queued it (ms).
    pub created_ms: u64,
    /// `pending`, `sent`, or `digested` (told within a digest).
    pub state: String,
    /// Attempts so far.
    pub attempts: u32,
    /// Not before this time (ms): the next attempt after a failure.
    pub next_ms: u64,
    /// Why the last attempt failed.
    pub last_error: String,
    /// For `digested`: the digest's id.
    pub digest_id: String,
    /// When the row was written (ms); the version.
    pub updated_ms: u64,
}
