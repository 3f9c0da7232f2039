//! What admins set per rule in the dashboard — a rule turned off, or its alerts given
//! another severity — reloaded from ClickHouse every few seconds and applied to every
//! detection before its alert is written. The collector's own alerts about lost or
//! forged evidence and silent agents are not detections and cannot be turned off.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use vigie_rules::Severity;
use vigie_store::rows::RuleSettingRow;
use vigie_store::Client;

/// How often settings are reloaded: a change applies within this time.
pub const REFRESH_EVERY: Duration = Duration::from_secs(3);

/// One rule's setting.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Setting {
    /// False: the rule raises no alert.
    pub enabled: bool,
    /// The severity its alerts take instead of their own.
    pub severity: Option<Severity>,
}

/// Settings by rule id; rules not listed run as written.
pub type Settings = HashMap<String, Setting>;

/// The settings in force, swapped whole on each reload.
#[derive(Default)]
pub struct RuleSettings {
    current: RwLock<Arc<Settings>>,
}

impl RuleSettings {
    /// Those in force now.
    pub fn current(&self) -> Arc<Settings> {
        self.current.read().expect("rule settings lock").clone()
    }

    /// Reloads them; a severity this version does not know is ignored and named in the
    /// log (the rule keeps its own).
    pub async fn refresh(&self, client: &Client) -> Result<usize, clickhouse::error::Error> {
        let rows: Vec<RuleSettingRow> = client
            .query("SELECT ?fields FROM rule_settings FINAL")
            .fetch_all()
            .await?;
        let mut settings = Settings::with_capacity(rows.len());
        for row in rows {
            let severity = match row.severity.as_str() {
                "" => None,
                s => {
                    let parsed = Severity::parse(s);
                    if parsed.is_none() {
                        tracing::warn!(
                            rule = row.rule_id,
                            severity = s,
                            "unknown severity ignored"
                        );
                    }
                    parsed
                }
            };
            settings.insert(
                row.rule_id,
                Setting {
                    enabled: row.enabled != 0,
                    severity,
                },
            );
        }
        let count = settings.len();
        *self.current.write().expect("rule settings lock") = Arc::new(settings);
        Ok(count)
    }
}
