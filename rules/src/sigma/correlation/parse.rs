//! Correlation rules read from YAML: the kind, the rules referenced, group-by, timespan,
//! condition and aliases. No state here: see [`super::state`].

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::{Map, Value};

use crate::detection::{RuleInfo, Severity};
use crate::document::as_text;
use crate::sigma::RuleError;

/// What a correlation counts.
#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    /// Matching events per group.
    EventCount,
    /// Distinct values of a field per group.
    ValueCount(String),
    /// All referenced rules matched within the timespan, in any order.
    Temporal,
    /// All referenced rules matched within the timespan, in the order listed.
    TemporalOrdered,
}

/// A numeric condition such as `gte: 10`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Threshold {
    op: Op,
    value: u64,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Op {
    Gt,
    Gte,
    Lt,
    Lte,
    Eq,
    Neq,
}

impl Threshold {
    pub(super) fn holds(&self, n: u64) -> bool {
        match self.op {
            Op::Gt => n > self.value,
            Op::Gte => n >= self.value,
            Op::Lt => n < self.value,
            Op::Lte => n <= self.value,
            Op::Eq => n == self.value,
            Op::Neq => n != self.value,
        }
    }
}

/// A parsed correlation rule.
#[derive(Debug, Clone)]
pub struct Correlation {
    /// What alerts show of it.
    pub info: Arc<RuleInfo>,
    /// Its `name`, for chaining.
    pub name: Option<String>,
    pub(super) kind: Kind,
    /// Names or ids of the rules it correlates.
    pub rules: Vec<String>,
    /// Whether the correlated rules also raise alerts of their own (`generate: true`).
    pub generate: bool,
    pub(super) group_by: Vec<String>,
    pub(super) timespan_ms: u64,
    pub(super) threshold: Option<Threshold>,
    /// alias → (rule reference → field).
    aliases: HashMap<String, HashMap<String, String>>,
}

/// `5m`, `30s`, `1h`, `2d`, `1w` in milliseconds; `None` for anything else, a number
/// too large included (found by fuzzing: it overflowed).
pub fn parse_timespan(text: &str) -> Option<u64> {
    let text = text.trim();
    let (number, unit) = text.split_at(text.find(|c: char| !c.is_ascii_digit())?);
    let n: u64 = number.parse().ok()?;
    let unit_ms = match unit {
        "s" => 1_000,
        "m" => 60_000,
        "h" => 3_600_000,
        "d" => 86_400_000,
        "w" => 604_800_000,
        _ => return None,
    };
    n.checked_mul(unit_ms)
}

fn strings(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::Array(items)) => items.iter().map(|i| as_text(i).into_owned()).collect(),
        Some(Value::String(s)) => vec![s.clone()],
        _ => Vec::new(),
    }
}

impl Correlation {
    /// Parses a document that has a `correlation` section.
    pub fn from_document(
        map: &Map<String, Value>,
        origin: &str,
        text: &str,
    ) -> Result<Correlation, RuleError> {
        let fail = |reason: String, near: &str| RuleError::new(origin, reason).near(text, near);
        let title = map
            .get("title")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        if title.is_empty() {
            return Err(fail("the rule has no title".into(), ""));
        }
        let Some(Value::Object(c)) = map.get("correlation") else {
            return Err(fail("correlation must be a mapping".into(), "correlation:"));
        };
        let rules = strings(c.get("rules"));
        if rules.is_empty() {
            return Err(fail("a correlation needs `rules`".into(), "correlation:"));
        }
        let timespan_text = c
            .get("timespan")
            .map(|v| as_text(v).into_owned())
            .unwrap_or_default();
        let timespan_ms = parse_timespan(&timespan_text).ok_or_else(|| {
            fail(
                format!("timespan {timespan_text:?} is not like 30s, 5m, 1h or 1d"),
                "timespan",
            )
        })?;
        let condition = c.get("condition").and_then(Value::as_object);
        let threshold = match condition {
            None => None,
            Some(cond) => {
                let mut found = None;
                for (key, value) in cond {
                    let op = match key.as_str() {
                        "gt" => Op::Gt,
                        "gte" => Op::Gte,
                        "lt" => Op::Lt,
                        "lte" => Op::Lte,
                        "eq" => Op::Eq,
                        "neq" => Op::Neq,
                        "field" => continue,
                        other => {
                            return Err(fail(
                                format!("unknown condition operator {other:?}"),
                                "condition",
                            ))
                        }
                    };
                    let value = value.as_u64().ok_or_else(|| {
                        fail(format!("condition {key} needs a whole number"), "condition")
                    })?;
                    found = Some(Threshold { op, value });
                }
                found
            }
        };
        let kind_text = c.get("type").and_then(Value::as_str).unwrap_or("");
        let kind = match kind_text {
            "event_count" => Kind::EventCount,
            "value_count" => {
                let field = condition
                    .and_then(|c| c.get("field"))
                    .and_then(Value::as_str)
                    .ok_or_else(|| fail("value_count needs condition.field".into(), "condition"))?;
                Kind::ValueCount(field.to_string())
            }
            "temporal" => Kind::Temporal,
            "temporal_ordered" => Kind::TemporalOrdered,
            other => return Err(fail(format!("unknown correlation type {other:?}"), "type:")),
        };
        if matches!(kind, Kind::EventCount | Kind::ValueCount(_)) && threshold.is_none() {
            return Err(fail(
                format!("{kind_text} needs a condition such as `gte: 10`"),
                "correlation:",
            ));
        }
        let mut aliases = HashMap::new();
        if let Some(Value::Object(a)) = c.get("aliases") {
            for (alias, mapping) in a {
                let Value::Object(mapping) = mapping else {
                    return Err(fail(
                        format!("alias {alias:?} must map rules to fields"),
                        "aliases:",
                    ));
                };
                let fields = mapping
                    .iter()
                    .map(|(r, f)| (r.clone(), as_text(f).into_owned()))
                    .collect();
                aliases.insert(alias.clone(), fields);
            }
        }
        let level = map
            .get("level")
            .and_then(Value::as_str)
            .and_then(Severity::parse)
            .unwrap_or(Severity::Medium);
        let id = map
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        Ok(Correlation {
            info: Arc::new(RuleInfo {
                id: if id.is_empty() {
                    format!("path:{origin}")
                } else {
                    id
                },
                title_fr: map
                    .get("title_fr")
                    .and_then(Value::as_str)
                    .unwrap_or(&title)
                    .to_string(),
                title,
                level,
                tags: strings(map.get("tags")),
                author: map
                    .get("author")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string(),
                description_fr: map
                    .get("description_fr")
                    .and_then(Value::as_str)
                    .map(str::to_string)
                    .unwrap_or_else(|| {
                        vigie_model::i18n::fill(
                            vigie_model::i18n::Lang::Fr,
                            vigie_model::i18n::Msg::CorrelationDescription,
                            &[("rules", &rules.join(", "))],
                        )
                    }),
                guidance: text_at(map, "guidance"),
                guidance_fr: text_at(map, "guidance_fr"),
            }),
            name: map.get("name").and_then(Value::as_str).map(str::to_string),
            kind,
            rules,
            generate: c.get("generate").and_then(Value::as_bool).unwrap_or(false),
            group_by: strings(c.get("group-by")),
            timespan_ms,
            threshold,
            aliases,
        })
    }

    /// The field holding `name` (a group-by field or alias) for events of rule `reference`.
    pub(super) fn field_for<'a>(&'a self, name: &'a str, reference: &str) -> &'a str {
        self.aliases
            .get(name)
            .and_then(|m| m.get(reference))
            .map(String::as_str)
            .unwrap_or(name)
    }
}

/// The text under `key`, or nothing.
fn text_at(map: &Map<String, Value>, key: &str) -> String {
    map.get(key)
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timespans_read_and_overflow_is_refused() {
        assert_eq!(parse_timespan("5m"), Some(300_000));
        assert_eq!(parse_timespan(" 2d "), Some(172_800_000));
        assert_eq!(parse_timespan("5"), None);
        assert_eq!(parse_timespan("5y"), None);
        // Found by fuzzing: this multiplied past u64 (a panic in debug, a wrong window
        // in release).
        assert_eq!(parse_timespan("99999999999999999w"), None);
    }
}
