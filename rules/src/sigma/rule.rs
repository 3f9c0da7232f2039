//! A Sigma rule: read from YAML, compiled once, evaluated on each event.

use std::sync::Arc;
use vigie_model::i18n::{fill, Lang, Msg};

use serde_json::{Map, Value};
use vigie_model::event::field;
use vigie_model::Event;

use super::condition::{self, Cond};
use super::error::RuleError;
use super::modifier::split_key;
use super::value::FieldMatcher;
use crate::detection::{Detection, RuleInfo, Severity};
use crate::detector::Detector;
use crate::document::Document;

/// Which events a rule looks at.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LogSource {
    /// e.g. `linux`.
    pub product: Option<String>,
    /// e.g. `process_creation`.
    pub category: Option<String>,
    /// e.g. `auditd`.
    pub service: Option<String>,
}

#[derive(Debug, Clone)]
pub(super) enum Selection {
    /// Every item must match (a map).
    All(Vec<FieldMatcher>),
    /// One alternative must match (a list of maps, or keywords).
    Any(Vec<Selection>),
}

impl Selection {
    fn matches(&self, doc: &dyn Document) -> bool {
        match self {
            Selection::All(items) => items.iter().all(|i| i.matches(doc)),
            Selection::Any(alternatives) => alternatives.iter().any(|a| a.matches(doc)),
        }
    }
}

/// A compiled Sigma rule.
#[derive(Debug, Clone)]
pub struct SigmaRule {
    /// What alerts show of it.
    pub info: Arc<RuleInfo>,
    /// Events it applies to.
    pub logsource: LogSource,
    /// Rule status (stable, test, experimental…).
    pub status: String,
    /// Description.
    pub description: String,
    /// The rule's `name`, by which correlation rules may refer to it.
    pub name: Option<String>,
    pub(super) selections: Vec<Selection>,
    pub(super) conditions: Vec<Cond>,
}

fn text_of(map: &Map<String, Value>, key: &str) -> String {
    match map.get(key) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

fn strings(map: &Map<String, Value>, key: &str) -> Vec<String> {
    match map.get(key) {
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| crate::document::as_text(v).into_owned())
            .collect(),
        Some(Value::String(s)) => vec![s.clone()],
        _ => Vec::new(),
    }
}

fn compile_map(map: &Map<String, Value>) -> Result<Selection, String> {
    let mut items = Vec::new();
    for (key, value) in map {
        let (field, modifiers) = split_key(key)?;
        let values = match value {
            Value::Array(v) => v.clone(),
            Value::Object(_) => {
                return Err(format!(
                    "{key:?} holds a map; a value or a list of values was expected"
                ))
            }
            v => vec![v.clone()],
        };
        if values.iter().any(|v| v.is_object() || v.is_array()) {
            return Err(format!("{key:?} holds nested lists or maps"));
        }
        let matcher = FieldMatcher::compile(field.clone(), &modifiers, &values)
            .map_err(|e| format!("{key:?}: {e}"))?;
        items.push(if field.is_none() {
            matcher.into_keywords()
        } else {
            matcher
        });
    }
    if items.is_empty() {
        return Err("empty selection".into());
    }
    Ok(Selection::All(items))
}

fn compile_selection(name: &str, value: &Value) -> Result<Selection, String> {
    let wrap = |e: String| format!("selection {name:?}: {e}");
    match value {
        Value::Object(map) => compile_map(map).map_err(wrap),
        Value::Array(items) if items.is_empty() => Err(wrap("empty list".into())),
        Value::Array(items) => {
            let mut alternatives = Vec::new();
            let mut keywords = Vec::new();
            for item in items {
                match item {
                    Value::Object(map) => alternatives.push(compile_map(map).map_err(wrap)?),
                    Value::Array(_) => return Err(wrap("nested lists".into())),
                    scalar => keywords.push(scalar.clone()),
                }
            }
            if !keywords.is_empty() {
                let k = FieldMatcher::compile(None, &[], &keywords)
                    .map_err(wrap)?
                    .into_keywords();
                alternatives.push(Selection::All(vec![k]));
            }
            Ok(Selection::Any(alternatives))
        }
        Value::Null => Err(wrap("no content".into())),
        scalar => {
            let k = FieldMatcher::compile(None, &[], std::slice::from_ref(scalar))
                .map_err(wrap)?
                .into_keywords();
            Ok(Selection::All(vec![k]))
        }
    }
}

impl SigmaRule {
    /// Compiles one rule document. `text` is the whole file, to find lines for errors.
    pub fn from_document(doc: &Value, origin: &str, text: &str) -> Result<SigmaRule, RuleError> {
        let fail = |reason: String, near: &str| RuleError::new(origin, reason).near(text, near);
        let map = doc
            .as_object()
            .ok_or_else(|| fail("a rule must be a YAML mapping".into(), ""))?;
        let title = text_of(map, "title");
        if title.is_empty() {
            return Err(fail("the rule has no title".into(), ""));
        }
        let id = text_of(map, "id");
        let level_text = text_of(map, "level");
        let level = if level_text.is_empty() {
            Severity::Medium
        } else {
            Severity::parse(&level_text)
                .ok_or_else(|| fail(format!("unknown level {level_text:?}"), "level:"))?
        };
        let logsource = match map.get("logsource") {
            Some(Value::Object(l)) => LogSource {
                product: Some(text_of(l, "product")).filter(|s| !s.is_empty()),
                category: Some(text_of(l, "category")).filter(|s| !s.is_empty()),
                service: Some(text_of(l, "service")).filter(|s| !s.is_empty()),
            },
            _ => return Err(fail("the rule has no logsource".into(), "")),
        };
        let Some(Value::Object(detection)) = map.get("detection") else {
            return Err(fail("the rule has no detection".into(), ""));
        };
        let mut names = Vec::new();
        let mut selections = Vec::new();
        for (name, value) in detection {
            if name == "condition" || name == "timeframe" {
                continue;
            }
            let selection =
                compile_selection(name, value).map_err(|e| fail(e, &format!("{name}:")))?;
            names.push(name.clone());
            selections.push(selection);
        }
        let condition_texts = strings(detection, "condition");
        if condition_texts.is_empty() {
            return Err(fail("the detection has no condition".into(), "detection:"));
        }
        let conditions = condition_texts
            .iter()
            .map(|c| condition::parse(c, &names).map_err(|e| fail(e, "condition:")))
            .collect::<Result<Vec<_>, _>>()?;
        let info = RuleInfo {
            id: if id.is_empty() {
                format!("path:{origin}")
            } else {
                id
            },
            title_fr: Some(text_of(map, "title_fr"))
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| title.clone()),
            title,
            level,
            tags: strings(map, "tags"),
            author: text_of(map, "author"),
            description_fr: text_of(map, "description_fr"),
            guidance: text_of(map, "guidance"),
            guidance_fr: text_of(map, "guidance_fr"),
        };
        Ok(SigmaRule {
            info: Arc::new(info),
            logsource,
            status: text_of(map, "status"),
            description: text_of(map, "description"),
            name: Some(text_of(map, "name")).filter(|n| !n.is_empty()),
            selections,
            conditions,
        })
    }

    /// True when the rule's log source covers `doc`.
    pub fn applies_to(&self, doc: &dyn Document) -> bool {
        let same = |want: &Option<String>, have: Option<&str>| match want {
            None => true,
            Some(w) => have.is_some_and(|h| h.eq_ignore_ascii_case(w)),
        };
        same(&self.logsource.product, doc.product())
            && same(&self.logsource.category, doc.category())
            && same(&self.logsource.service, doc.service())
    }

    /// True when `doc` is in the rule's log source and satisfies one of its conditions.
    pub fn matches(&self, doc: &dyn Document) -> bool {
        self.applies_to(doc) && self.matches_detection(doc)
    }

    /// True when `doc` satisfies one of the conditions, whatever its log source (for
    /// callers that routed the event already, see [`super::RuleSet`]).
    pub fn matches_detection(&self, doc: &dyn Document) -> bool {
        // Each selection is evaluated at most once per event; the cache lives on the
        // stack for the usual handful of selections.
        const ON_STACK: usize = 16;
        let mut small = [None; ON_STACK];
        let mut large;
        let cache: &mut [Option<bool>] = if self.selections.len() <= ON_STACK {
            &mut small[..self.selections.len()]
        } else {
            large = vec![None; self.selections.len()];
            &mut large
        };
        let mut sel = |i: usize| *cache[i].get_or_insert_with(|| self.selections[i].matches(doc));
        self.conditions.iter().any(|c| c.eval(&mut sel))
    }
}

impl SigmaRule {
    /// The detection this rule raises on `event` (which it matched).
    pub fn detection(&self, event: &Event) -> Detection {
        let subject = [
            field::TARGET_FILENAME,
            "CommandLine",
            field::IMAGE,
            "DestinationHostname",
            "DestinationIp",
            "QueryName",
        ]
        .iter()
        .find_map(|f| event.str_field(f));
        let said = |lang: Lang, title: &str| match subject {
            Some(s) => fill(
                lang,
                Msg::SummaryRuleSubject,
                &[("title", &title), ("subject", &s)],
            ),
            None => title.to_string(),
        };
        Detection {
            rule: self.info.clone(),
            severity: self.info.level,
            summary: said(Lang::En, &self.info.title),
            summary_fr: said(Lang::Fr, &self.info.title_fr),
        }
    }
}

impl Detector for SigmaRule {
    fn evaluate(&self, event: &Event, out: &mut Vec<Detection>) {
        if self.matches(event) {
            out.push(self.detection(event));
        }
    }
}
