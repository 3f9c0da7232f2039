//! Sigma correlation rules: `event_count`, `value_count`, `temporal` and
//! `temporal_ordered` over other rules (base rules or other correlations), with
//! `group-by`, `timespan`, `condition` and field `aliases`.
//!
//! State lives in the [`Correlator`], per correlation and per group. It is bounded (at
//! most [`Limits::max_groups`] groups per correlation and [`Limits::max_entries`] entries
//! per group), expires with the timespan, and every eviction is counted. Time is the
//! events' own `ts` (milliseconds), so the engine stays free of clocks.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex};

use serde_json::{Map, Value};
use vigie_model::Event;

use super::error::RuleError;
use super::rule::SigmaRule;
use crate::detection::{Detection, RuleInfo, Severity};
use crate::document::{as_text, Document};
use crate::engine::Detector;

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
    fn holds(&self, n: u64) -> bool {
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
    kind: Kind,
    /// Names or ids of the rules it correlates.
    pub rules: Vec<String>,
    /// Whether the correlated rules also raise alerts of their own (`generate: true`).
    pub generate: bool,
    group_by: Vec<String>,
    timespan_ms: u64,
    threshold: Option<Threshold>,
    /// alias → (rule reference → field).
    aliases: HashMap<String, HashMap<String, String>>,
}

/// `5m`, `30s`, `1h`, `2d`, `1w` in milliseconds.
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
    Some(n * unit_ms)
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
    fn field_for<'a>(&'a self, name: &'a str, reference: &str) -> &'a str {
        self.aliases
            .get(name)
            .and_then(|m| m.get(reference))
            .map(String::as_str)
            .unwrap_or(name)
    }
}

/// Bounds of the correlation state.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Groups kept per correlation; past it the least recently seen group is evicted.
    pub max_groups: usize,
    /// Entries kept per group; past it the oldest entry is evicted.
    pub max_entries: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_groups: 10_000,
            max_entries: 10_000,
        }
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Target {
    Base(usize),
    Correlation(usize),
}

struct Entry {
    ts: u64,
    reference: usize,
    value: Option<String>,
}

#[derive(Default)]
struct State {
    groups: HashMap<Vec<String>, (u64, VecDeque<Entry>)>,
}

/// Evictions so far, for health reports.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Evictions {
    /// Whole groups dropped because a correlation had too many.
    pub groups: u64,
    /// Entries dropped because a group had too many.
    pub entries: u64,
}

/// Runs correlation rules over events. It evaluates the base rules they reference
/// itself, so it works beside (or without) those rules raising their own alerts.
pub struct Correlator {
    base: Vec<SigmaRule>,
    correlations: Vec<(Correlation, Vec<Target>)>,
    limits: Limits,
    state: Mutex<(Vec<State>, Evictions)>,
    /// Evictions already handed to [`Detector::take_evictions`].
    reported: std::sync::atomic::AtomicU64,
}

impl Correlator {
    /// Resolves each correlation's references among `rules` (by `name` or `id`) and
    /// the other correlations. Unresolvable ones (and cycles) come back as errors.
    pub fn new(
        rules: &[SigmaRule],
        correlations: Vec<Correlation>,
        limits: Limits,
    ) -> (Correlator, Vec<RuleError>) {
        let mut errors = Vec::new();
        let mut base: Vec<SigmaRule> = Vec::new();
        let mut base_of: HashMap<usize, usize> = HashMap::new();
        let mut pending: Vec<Correlation> = correlations;
        let mut resolved: Vec<(Correlation, Vec<Target>)> = Vec::new();
        // Resolve in dependency order: a correlation whose references are all known.
        loop {
            let before = pending.len();
            let mut still = Vec::new();
            for c in pending {
                let mut targets = Vec::new();
                let mut unknown = None;
                for reference in &c.rules {
                    let named = |name: &Option<String>, id: &str| {
                        name.as_deref() == Some(reference.as_str()) || id == reference
                    };
                    if let Some(i) = resolved
                        .iter()
                        .position(|(r, _)| named(&r.name, &r.info.id))
                    {
                        targets.push(Target::Correlation(i));
                    } else if let Some(index) =
                        rules.iter().position(|r| named(&r.name, &r.info.id))
                    {
                        // Keyed by position: rules without an id share a fallback id.
                        let i = *base_of.entry(index).or_insert_with(|| {
                            base.push(rules[index].clone());
                            base.len() - 1
                        });
                        targets.push(Target::Base(i));
                    } else {
                        unknown = Some(reference.clone());
                        break;
                    }
                }
                match unknown {
                    None => resolved.push((c, targets)),
                    Some(_) => still.push(c),
                }
            }
            pending = still;
            if pending.is_empty() || pending.len() == before {
                break;
            }
        }
        for c in pending {
            errors.push(RuleError::new(
                &c.info.id,
                format!(
                    "correlation {:?} refers to rules that are not loaded (or to itself): {:?}",
                    c.info.title, c.rules
                ),
            ));
        }
        let states = resolved.iter().map(|_| State::default()).collect();
        (
            Correlator {
                base,
                correlations: resolved,
                limits,
                state: Mutex::new((states, Evictions::default())),
                reported: Default::default(),
            },
            errors,
        )
    }

    /// How many correlations run.
    pub fn len(&self) -> usize {
        self.correlations.len()
    }

    /// True when no correlation runs.
    pub fn is_empty(&self) -> bool {
        self.correlations.is_empty()
    }

    /// Evictions so far.
    pub fn evictions(&self) -> Evictions {
        self.state.lock().expect("correlation state").1
    }

    /// Feeds one event seen at `ts`; returns the correlations that fired and why.
    pub fn observe(&self, doc: &dyn Document, ts: u64) -> Vec<(Arc<RuleInfo>, String)> {
        self.observe_from(doc, ts, None)
    }

    /// Like [`Correlator::observe`], for an event whose envelope (agent id, host name)
    /// is not among its fields: `group-by: [hostname]` or `[agent_id]` then reads it.
    pub fn observe_from(
        &self,
        doc: &dyn Document,
        ts: u64,
        envelope: Option<(&str, &str)>,
    ) -> Vec<(Arc<RuleInfo>, String)> {
        let group_value = |field: &str| -> String {
            if let Some(v) = doc.get(field) {
                return as_text(v).into_owned();
            }
            match envelope {
                Some((agent_id, _)) if field.eq_ignore_ascii_case("agent_id") => {
                    agent_id.to_string()
                }
                Some((_, hostname)) if field.eq_ignore_ascii_case("hostname") => {
                    hostname.to_string()
                }
                _ => String::new(),
            }
        };
        let base_hits: Vec<bool> = self.base.iter().map(|r| r.matches(doc)).collect();
        let mut fired = vec![false; self.correlations.len()];
        let mut out = Vec::new();
        let mut guard = self.state.lock().expect("correlation state");
        let (states, evictions) = &mut *guard;
        for (ci, (c, targets)) in self.correlations.iter().enumerate() {
            let hits: Vec<usize> = targets
                .iter()
                .enumerate()
                .filter(|(_, t)| match t {
                    Target::Base(b) => base_hits[*b],
                    Target::Correlation(k) => fired[*k],
                })
                .map(|(i, _)| i)
                .collect();
            if hits.is_empty() {
                continue;
            }
            let state = &mut states[ci];
            for reference in hits {
                let rule_ref = &c.rules[reference];
                let key: Vec<String> = c
                    .group_by
                    .iter()
                    .map(|g| group_value(c.field_for(g, rule_ref)))
                    .collect();
                let value = match &c.kind {
                    Kind::ValueCount(field) => doc
                        .get(c.field_for(field, rule_ref))
                        .map(|v| as_text(v).into_owned()),
                    _ => None,
                };
                if !state.groups.contains_key(&key) && state.groups.len() >= self.limits.max_groups
                {
                    let oldest = state
                        .groups
                        .iter()
                        .min_by_key(|(_, (seen, _))| *seen)
                        .map(|(k, _)| k.clone());
                    if let Some(k) = oldest {
                        state.groups.remove(&k);
                        evictions.groups += 1;
                    }
                }
                let (seen, entries) = state.groups.entry(key.clone()).or_default();
                *seen = ts;
                entries.push_back(Entry {
                    ts,
                    reference,
                    value,
                });
                if entries.len() > self.limits.max_entries {
                    entries.pop_front();
                    evictions.entries += 1;
                }
                let horizon = ts.saturating_sub(c.timespan_ms);
                while entries.front().is_some_and(|e| e.ts < horizon) {
                    entries.pop_front();
                }
                if let Some(why) = verdict(c, entries) {
                    let group = c
                        .group_by
                        .iter()
                        .zip(&key)
                        .map(|(g, v)| format!("{g}={v}"))
                        .collect::<Vec<_>>()
                        .join(", ");
                    let summary = if group.is_empty() {
                        why
                    } else {
                        format!("{why} for {group}")
                    };
                    out.push((c.info.clone(), summary));
                    fired[ci] = true;
                    state.groups.remove(&key);
                    break;
                }
            }
            // Forget groups that went quiet for longer than the timespan.
            if state.groups.len() > 64 {
                let horizon = ts.saturating_sub(c.timespan_ms);
                state.groups.retain(|_, (seen, _)| *seen >= horizon);
            }
        }
        out
    }
}

fn verdict(c: &Correlation, entries: &VecDeque<Entry>) -> Option<String> {
    let span = format!("within {}s", c.timespan_ms / 1000);
    match &c.kind {
        Kind::EventCount => {
            let n = entries.len() as u64;
            c.threshold
                .is_some_and(|t| t.holds(n))
                .then(|| format!("{n} matching events {span}"))
        }
        Kind::ValueCount(field) => {
            let distinct: HashSet<&str> =
                entries.iter().filter_map(|e| e.value.as_deref()).collect();
            let n = distinct.len() as u64;
            c.threshold
                .is_some_and(|t| t.holds(n))
                .then(|| format!("{n} distinct {field} {span}"))
        }
        Kind::Temporal => {
            let seen: HashSet<usize> = entries.iter().map(|e| e.reference).collect();
            let enough = match c.threshold {
                Some(t) => t.holds(seen.len() as u64),
                None => seen.len() == c.rules.len(),
            };
            enough.then(|| format!("{} of the correlated rules matched {span}", seen.len()))
        }
        Kind::TemporalOrdered => {
            let mut next = 0;
            for e in entries {
                if e.reference == next {
                    next += 1;
                    if next == c.rules.len() {
                        return Some(format!("the correlated rules matched in order {span}"));
                    }
                }
            }
            None
        }
    }
}

impl Detector for Correlator {
    fn describe(&self) -> Vec<(Arc<RuleInfo>, String)> {
        self.correlations
            .iter()
            .map(|(c, _)| {
                (
                    c.info.clone(),
                    format!("Correlation of rules: {}.", c.rules.join(", ")),
                )
            })
            .collect()
    }

    fn evaluate(&self, event: &Event, out: &mut Vec<Detection>) {
        let envelope = Some((event.agent_id.as_str(), event.hostname.as_str()));
        for (info, summary) in self.observe_from(event, event.ts, envelope) {
            out.push(Detection {
                severity: info.level,
                rule: info,
                summary,
            });
        }
    }

    fn take_evictions(&self) -> u64 {
        let e = self.evictions();
        let total = e.groups + e.entries;
        total
            - self
                .reported
                .swap(total, std::sync::atomic::Ordering::Relaxed)
    }
}
