//! Correlation state: per correlation and group, the recent matches of the referenced
//! rules, bounded and expiring with the timespan, and the verdict each new match brings.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex};
use vigie_model::i18n::{both, fill, Lang, Msg};

use vigie_model::Event;

use super::parse::{Correlation, Kind};
use crate::detection::{Detection, RuleInfo};
use crate::detector::Detector;
use crate::document::{as_text, Document};
use crate::sigma::rule::SigmaRule;
use crate::sigma::RuleError;

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
    pub fn observe(&self, doc: &dyn Document, ts: u64) -> Vec<(Arc<RuleInfo>, String, String)> {
        self.observe_from(doc, ts, None)
    }

    /// Like [`Correlator::observe`], for an event whose envelope (agent id, host name)
    /// is not among its fields: `group-by: [hostname]` or `[agent_id]` then reads it.
    pub fn observe_from(
        &self,
        doc: &dyn Document,
        ts: u64,
        envelope: Option<(&str, &str)>,
    ) -> Vec<(Arc<RuleInfo>, String, String)> {
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
                // In an ordered sequence, a later rule's hit with no hit of the rule
                // before it in its group can never be part of a match: not kept, so a
                // busy program's connections cost no state until it reads a secret.
                if c.kind == Kind::TemporalOrdered && reference > 0 {
                    let after_previous = state.groups.get(&key).is_some_and(|(_, entries)| {
                        entries.iter().any(|e| e.reference == reference - 1)
                    });
                    if !after_previous {
                        continue;
                    }
                }
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
                if let Some((why, why_fr)) = verdict(c, entries) {
                    let group = c
                        .group_by
                        .iter()
                        .zip(&key)
                        .map(|(g, v)| format!("{g}={v}"))
                        .collect::<Vec<_>>()
                        .join(", ");
                    let (summary, summary_fr) = if group.is_empty() {
                        (why, why_fr)
                    } else {
                        (
                            fill(
                                Lang::En,
                                Msg::SummaryCorrelationFor,
                                &[("why", &why), ("group", &group)],
                            ),
                            fill(
                                Lang::Fr,
                                Msg::SummaryCorrelationFor,
                                &[("why", &why_fr), ("group", &group)],
                            ),
                        )
                    };
                    out.push((c.info.clone(), summary, summary_fr));
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

/// Why a correlation fires, in English and French, or `None` while it does not.
fn verdict(c: &Correlation, entries: &VecDeque<Entry>) -> Option<(String, String)> {
    let s = c.timespan_ms / 1000;
    match &c.kind {
        Kind::EventCount => {
            let n = entries.len() as u64;
            c.threshold
                .is_some_and(|t| t.holds(n))
                .then(|| both(Msg::SummaryCorrelationCount, &[("n", &n), ("s", &s)]))
        }
        Kind::ValueCount(field) => {
            let distinct: HashSet<&str> =
                entries.iter().filter_map(|e| e.value.as_deref()).collect();
            let n = distinct.len() as u64;
            c.threshold.is_some_and(|t| t.holds(n)).then(|| {
                both(
                    Msg::SummaryCorrelationDistinct,
                    &[("n", &n), ("field", field), ("s", &s)],
                )
            })
        }
        Kind::Temporal => {
            let seen: HashSet<usize> = entries.iter().map(|e| e.reference).collect();
            let enough = match c.threshold {
                Some(t) => t.holds(seen.len() as u64),
                None => seen.len() == c.rules.len(),
            };
            enough.then(|| {
                both(
                    Msg::SummaryCorrelationTemporal,
                    &[("n", &seen.len()), ("s", &s)],
                )
            })
        }
        Kind::TemporalOrdered => {
            let mut next = 0;
            for e in entries {
                if e.reference == next {
                    next += 1;
                    if next == c.rules.len() {
                        return Some(both(Msg::SummaryCorrelationOrdered, &[("s", &s)]));
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
                    fill(
                        Lang::En,
                        Msg::CorrelationDescription,
                        &[("rules", &c.rules.join(", "))],
                    ),
                )
            })
            .collect()
    }

    fn evaluate(&self, event: &Event, out: &mut Vec<Detection>) {
        let envelope = Some((event.agent_id.as_str(), event.hostname.as_str()));
        for (info, summary, summary_fr) in self.observe_from(event, event.ts, envelope) {
            out.push(Detection {
                severity: info.level,
                rule: info,
                summary,
                summary_fr,
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
