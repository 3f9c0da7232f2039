//! Exceptions: what analysts decided should not raise an alert. An exception names a rule
//! (or every rule) and conditions on the event, all of which must hold; it may expire.
//! The collector applies exceptions before an alert is stored (the event itself is still
//! stored), and the dashboard previews a new one on stored alerts with this same code, so
//! "would have suppressed N" means what the collector will do.
//!
//! Comparisons ignore case, as Sigma's do, except `glob`, which matches paths as the file
//! sensor does (`*` within a folder, `**` across folders).

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::event::Event;
use crate::glob::PathGlob;

/// Tags of the collector's own rules (transport, fleet, detection state): their alerts say
/// evidence may be missing, and exceptions never apply to them.
pub const COLLECTOR_OWN_TAGS: [&str; 4] = [
    "vigie.transport",
    "vigie.fleet",
    "vigie.detection",
    "vigie.notify",
];

/// Most conditions one exception may hold.
pub const MAX_CONDITIONS: usize = 16;
/// Longest value a condition may compare with, in bytes.
pub const MAX_VALUE_BYTES: usize = 1024;
/// Longest reason, in bytes.
pub const MAX_REASON_BYTES: usize = 2000;

/// How a condition compares the event's field with its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Op {
    /// The whole field equals the value.
    Is,
    /// The field contains the value.
    Contains,
    /// The field starts with the value.
    StartsWith,
    /// The field ends with the value.
    EndsWith,
    /// The field is a path matching the value as a glob pattern.
    Glob,
}

impl Op {
    /// Every operator, in the order forms offer them.
    pub const ALL: [Op; 5] = [Op::Is, Op::Contains, Op::StartsWith, Op::EndsWith, Op::Glob];

    /// The operator's name in JSON and forms.
    pub fn as_str(self) -> &'static str {
        match self {
            Op::Is => "is",
            Op::Contains => "contains",
            Op::StartsWith => "starts_with",
            Op::EndsWith => "ends_with",
            Op::Glob => "glob",
        }
    }

    /// The operator named `name`.
    pub fn parse(name: &str) -> Option<Op> {
        Op::ALL.into_iter().find(|op| op.as_str() == name)
    }
}

/// One condition on the event: `field` compared with `value` by `op`. `field` is a field
/// name as events carry it (`Image`, `CommandLine`, `TargetFilename`…) or `hostname`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    /// The event's field.
    pub field: String,
    /// How it is compared.
    pub op: Op,
    /// What it is compared with.
    pub value: String,
}

/// What an exception says, as analysts write it and the collector applies it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExceptionSpec {
    /// The rule it silences; empty for every rule.
    #[serde(default)]
    pub rule_id: String,
    /// All must hold for an alert to be suppressed.
    pub conditions: Vec<Condition>,
    /// Why, in the analyst's words (kept with the exception and in the audit trail).
    pub reason: String,
    /// When it stops applying (ms since the epoch); 0: never.
    #[serde(default)]
    pub expires_ms: u64,
}

/// Why an exception cannot be saved.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ExceptionError {
    /// No condition: it would silence a rule (or everything) everywhere.
    #[error("an exception needs at least one condition (to turn a rule off, use the rules page)")]
    NoCondition,
    /// Too many conditions.
    #[error("at most {MAX_CONDITIONS} conditions")]
    TooManyConditions,
    /// A condition names no field.
    #[error("condition {0}: the field is empty")]
    EmptyField(usize),
    /// A condition has an empty value.
    #[error("condition {0} ({1}): the value is empty")]
    EmptyValue(usize, String),
    /// A condition's value is too long.
    #[error("condition {0} ({1}): the value is longer than {MAX_VALUE_BYTES} bytes")]
    ValueTooLong(usize, String),
    /// A glob that does not compile.
    #[error("condition {0} ({1}): {2}")]
    BadGlob(usize, String, String),
    /// No reason given, or one too long.
    #[error("a reason is required (at most {MAX_REASON_BYTES} bytes)")]
    Reason,
}

/// An exception ready to apply: its conditions compiled once.
#[derive(Debug, Clone)]
pub struct Exception {
    /// Its id.
    pub id: String,
    /// What it says.
    pub spec: ExceptionSpec,
    matchers: Vec<Matcher>,
}

#[derive(Debug, Clone)]
enum Matcher {
    Text {
        field: String,
        op: Op,
        value: String,
    },
    Glob {
        field: String,
        glob: PathGlob,
    },
}

impl ExceptionSpec {
    /// Checks what an analyst wrote; the first problem found, naming the condition.
    pub fn validate(&self) -> Result<(), ExceptionError> {
        if self.conditions.is_empty() {
            return Err(ExceptionError::NoCondition);
        }
        if self.conditions.len() > MAX_CONDITIONS {
            return Err(ExceptionError::TooManyConditions);
        }
        let reason = self.reason.trim();
        if reason.is_empty() || reason.len() > MAX_REASON_BYTES {
            return Err(ExceptionError::Reason);
        }
        for (i, c) in self.conditions.iter().enumerate() {
            let n = i + 1;
            if c.field.trim().is_empty() {
                return Err(ExceptionError::EmptyField(n));
            }
            if c.value.is_empty() {
                return Err(ExceptionError::EmptyValue(n, c.field.clone()));
            }
            if c.value.len() > MAX_VALUE_BYTES {
                return Err(ExceptionError::ValueTooLong(n, c.field.clone()));
            }
            if c.op == Op::Glob {
                PathGlob::new(&c.value)
                    .map_err(|e| ExceptionError::BadGlob(n, c.field.clone(), e.to_string()))?;
            }
        }
        Ok(())
    }
}

impl Exception {
    /// Compiles `spec` (which must validate) under `id`.
    pub fn new(id: &str, spec: ExceptionSpec) -> Result<Exception, ExceptionError> {
        spec.validate()?;
        let mut conditions: Vec<&Condition> = spec.conditions.iter().collect();
        // Cheapest first, so most exceptions are ruled out by a comparison, not a glob.
        conditions.sort_by_key(|c| match c.op {
            Op::Is => 0,
            Op::StartsWith | Op::EndsWith => 1,
            Op::Contains => 2,
            Op::Glob => 3,
        });
        let matchers = conditions
            .into_iter()
            .map(|c| match c.op {
                Op::Glob => Matcher::Glob {
                    field: c.field.clone(),
                    glob: PathGlob::new(&c.value).expect("validated above"),
                },
                op => Matcher::Text {
                    field: c.field.clone(),
                    op,
                    value: c.value.to_lowercase(),
                },
            })
            .collect();
        Ok(Exception {
            id: id.to_string(),
            spec,
            matchers,
        })
    }

    /// True when an alert of `rule_id` on `event` is to be suppressed at `now_ms`.
    pub fn suppresses(&self, rule_id: &str, event: &Event, now_ms: u64) -> bool {
        self.suppresses_with(rule_id, &mut Fields::new(event), now_ms)
    }

    fn suppresses_with(&self, rule_id: &str, fields: &mut Fields<'_>, now_ms: u64) -> bool {
        if self.spec.expires_ms != 0 && now_ms >= self.spec.expires_ms {
            return false;
        }
        if !self.spec.rule_id.is_empty() && self.spec.rule_id != rule_id {
            return false;
        }
        self.matchers.iter().all(|m| m.holds(fields))
    }
}

/// An event's fields as exceptions compare them, each made text (and lowercase) once
/// however many exceptions look at it.
struct Fields<'a> {
    event: &'a Event,
    seen: HashMap<String, Option<(String, String)>>,
}

impl<'a> Fields<'a> {
    fn new(event: &'a Event) -> Fields<'a> {
        Fields {
            event,
            seen: HashMap::new(),
        }
    }

    /// The field as written and in lowercase; `None` when the event lacks it.
    fn get(&mut self, field: &str) -> Option<&(String, String)> {
        if !self.seen.contains_key(field) {
            let text = field_text(self.event, field).map(|text| {
                let lower = text.to_lowercase();
                (text, lower)
            });
            self.seen.insert(field.to_string(), text);
        }
        self.seen.get(field).and_then(Option::as_ref)
    }
}

impl Matcher {
    fn holds(&self, fields: &mut Fields<'_>) -> bool {
        match self {
            Matcher::Text { field, op, value } => {
                let Some((_, text)) = fields.get(field) else {
                    return false;
                };
                match op {
                    Op::Is => text == value,
                    Op::Contains => text.contains(value.as_str()),
                    Op::StartsWith => text.starts_with(value.as_str()),
                    Op::EndsWith => text.ends_with(value.as_str()),
                    Op::Glob => false,
                }
            }
            Matcher::Glob { field, glob } => fields
                .get(field)
                .is_some_and(|(path, _)| glob.matches(std::path::Path::new(path))),
        }
    }
}

/// The event's `field` as text: a field of its own, or `hostname` / `agent_id` /
/// `category` of its envelope. Numbers and booleans as written in JSON.
fn field_text(event: &Event, field: &str) -> Option<String> {
    match event.fields.get(field) {
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        Some(Value::Bool(b)) => Some(b.to_string()),
        Some(_) => None,
        None => match field {
            "hostname" => Some(event.hostname.clone()),
            "agent_id" => Some(event.agent_id.clone()),
            "category" => Some(event.category.clone()),
            _ => None,
        },
    }
}

/// Exceptions indexed by rule, then by one of their `is` conditions (most name a host or
/// a program), so an alert is checked against the few that could apply to it, not every
/// exception: a thousand exceptions cost about as much as one.
#[derive(Debug, Default)]
pub struct ExceptionSet {
    by_rule: HashMap<String, Bucket>,
    any_rule: Bucket,
    len: usize,
}

/// Exceptions of one rule (or of every rule).
#[derive(Debug, Default)]
struct Bucket {
    /// Field → lowercase value of an `is` condition → the exceptions that have it.
    keyed: HashMap<String, HashMap<String, Vec<Exception>>>,
    /// Those without an `is` condition, checked one by one.
    scan: Vec<Exception>,
}

impl Bucket {
    fn add(&mut self, exception: Exception) {
        let key = exception.matchers.iter().find_map(|m| match m {
            Matcher::Text {
                field,
                op: Op::Is,
                value,
            } => Some((field.clone(), value.clone())),
            _ => None,
        });
        match key {
            Some((field, value)) => self
                .keyed
                .entry(field)
                .or_default()
                .entry(value)
                .or_default()
                .push(exception),
            None => self.scan.push(exception),
        }
    }

    fn find<'s>(
        &'s self,
        rule_id: &str,
        fields: &mut Fields<'_>,
        now_ms: u64,
    ) -> Option<&'s Exception> {
        for (field, by_value) in &self.keyed {
            let Some((_, lower)) = fields.get(field) else {
                continue;
            };
            let Some(candidates) = by_value.get(lower.as_str()) else {
                continue;
            };
            if let Some(found) = candidates
                .iter()
                .find(|e| e.suppresses_with(rule_id, fields, now_ms))
            {
                return Some(found);
            }
        }
        self.scan
            .iter()
            .find(|e| e.suppresses_with(rule_id, fields, now_ms))
    }
}

impl ExceptionSet {
    /// Indexes `exceptions`.
    pub fn new(exceptions: Vec<Exception>) -> ExceptionSet {
        let mut set = ExceptionSet {
            len: exceptions.len(),
            ..ExceptionSet::default()
        };
        for e in exceptions {
            if e.spec.rule_id.is_empty() {
                set.any_rule.add(e);
            } else {
                set.by_rule
                    .entry(e.spec.rule_id.clone())
                    .or_default()
                    .add(e);
            }
        }
        set
    }

    /// How many there are.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The first exception that suppresses an alert of `rule_id` on `event` at `now_ms`.
    pub fn first_suppressing(
        &self,
        rule_id: &str,
        event: &Event,
        now_ms: u64,
    ) -> Option<&Exception> {
        if self.is_empty() {
            return None;
        }
        let mut fields = Fields::new(event);
        self.by_rule
            .get(rule_id)
            .and_then(|bucket| bucket.find(rule_id, &mut fields, now_ms))
            .or_else(|| self.any_rule.find(rule_id, &mut fields, now_ms))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn event(fields: Value) -> Event {
        Event {
            agent_id: "a1".into(),
            hostname: "srv-web01".into(),
            seq: 1,
            ts: 1,
            category: "process_creation".into(),
            fields: fields.as_object().unwrap().clone(),
        }
    }

    fn exception(rule: &str, conditions: &[(&str, Op, &str)], expires_ms: u64) -> Exception {
        let spec = ExceptionSpec {
            rule_id: rule.into(),
            conditions: conditions
                .iter()
                .map(|(f, op, v)| Condition {
                    field: (*f).into(),
                    op: *op,
                    value: (*v).into(),
                })
                .collect(),
            reason: "backup job".into(),
            expires_ms,
        };
        Exception::new("x1", spec).unwrap()
    }

    #[test]
    fn every_condition_must_hold_for_its_rule_until_it_expires() {
        let e = event(
            json!({"Image": "/usr/bin/rsync", "CommandLine": "rsync -a /srv /backup", "ProcessId": 42}),
        );
        let x = exception(
            "r1",
            &[
                ("hostname", Op::Is, "SRV-WEB01"),
                ("CommandLine", Op::Contains, "/BACKUP"),
                ("Image", Op::Glob, "/usr/bin/*"),
                ("ProcessId", Op::Is, "42"),
            ],
            100,
        );
        assert!(x.suppresses("r1", &e, 99));
        assert!(!x.suppresses("r2", &e, 99), "another rule");
        assert!(!x.suppresses("r1", &e, 100), "expired");
        let other = event(
            json!({"Image": "/tmp/rsync", "CommandLine": "rsync -a /srv /backup", "ProcessId": 42}),
        );
        assert!(!x.suppresses("r1", &other, 1), "one condition fails");
        let missing = event(json!({"CommandLine": "rsync -a /srv /backup"}));
        assert!(
            !x.suppresses("r1", &missing, 1),
            "a missing field never holds"
        );
        let every_rule = exception("", &[("Image", Op::EndsWith, "RSYNC")], 0);
        assert!(every_rule.suppresses("anything", &e, u64::MAX));
    }

    #[test]
    fn a_set_checks_an_alert_against_its_rule_and_every_rule() {
        let e = event(json!({"Image": "/usr/bin/rsync"}));
        let set = ExceptionSet::new(vec![
            exception("r1", &[("Image", Op::Is, "/usr/bin/rsync")], 0),
            exception("", &[("hostname", Op::StartsWith, "SRV-")], 0),
        ]);
        assert_eq!(set.len(), 2);
        assert_eq!(
            set.first_suppressing("r1", &e, 1)
                .map(|x| &x.spec.rule_id[..]),
            Some("r1")
        );
        assert_eq!(
            set.first_suppressing("r2", &e, 1)
                .map(|x| &x.spec.rule_id[..]),
            Some("")
        );
        let elsewhere = Event {
            hostname: "db1".into(),
            ..e
        };
        assert!(set.first_suppressing("r2", &elsewhere, 1).is_none());
        assert!(ExceptionSet::default()
            .first_suppressing("r1", &elsewhere, 1)
            .is_none());
    }

    #[test]
    fn bad_exceptions_are_refused_naming_the_condition() {
        let mut spec = exception("r1", &[("Image", Op::Is, "/bin/sh")], 0).spec;
        assert!(spec.validate().is_ok());
        spec.conditions[0].op = Op::Glob;
        spec.conditions[0].value = "/usr/{bin".into();
        assert!(
            matches!(spec.validate(), Err(ExceptionError::BadGlob(1, ref f, _)) if f == "Image")
        );
        spec.conditions[0].value = String::new();
        assert_eq!(
            spec.validate(),
            Err(ExceptionError::EmptyValue(1, "Image".into()))
        );
        spec.conditions.clear();
        assert_eq!(spec.validate(), Err(ExceptionError::NoCondition));
        let no_reason = ExceptionSpec {
            reason: "  ".into(),
            ..exception("r1", &[("Image", Op::Is, "/bin/sh")], 0).spec
        };
        assert_eq!(no_reason.validate(), Err(ExceptionError::Reason));
        let json = r#"{"rule_id":"r1","conditions":[{"field":"Image","op":"like","value":"x"}],"reason":"r"}"#;
        assert!(serde_json::from_str::<ExceptionSpec>(json).is_err());
    }
}
