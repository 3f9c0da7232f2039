//! The engine: the set of detectors every event goes through.

use vigie_model::event::{field, FileAction};
use vigie_model::{Category, Event};

use std::sync::Arc;

use crate::detection::{Detection, RuleInfo};
use crate::detector::Detector;

/// The detectors the collector runs on every event.
#[derive(Default)]
pub struct Engine {
    detectors: Vec<Box<dyn Detector>>,
}

impl Engine {
    /// An engine with Vigie's detectors written in code (not its rule pack).
    pub fn with_coded() -> Engine {
        let mut engine = Engine::default();
        engine.add(Box::new(crate::builtin::FimChange::new()));
        engine
    }

    /// An engine with Vigie's built-in detectors and its own rule pack.
    pub fn with_builtins() -> Engine {
        let mut engine = Engine::with_coded();
        let pack = crate::pack::load();
        let (standalone, correlator, unresolved) = crate::sigma::assemble(
            pack.rules,
            pack.correlations,
            crate::sigma::Limits::default(),
        );
        assert!(unresolved.is_empty(), "built-in rule pack: {unresolved:?}");
        engine.add(Box::new(crate::sigma::RuleSet::new(standalone)));
        engine.add(Box::new(correlator));
        engine
    }

    /// Adds a detector.
    pub fn add(&mut self, detector: Box<dyn Detector>) {
        self.detectors.push(detector);
    }

    /// State dropped by all detectors since last asked (see [`Detector::take_evictions`]).
    pub fn take_evictions(&self) -> u64 {
        self.detectors.iter().map(|d| d.take_evictions()).sum()
    }

    /// Every rule in force, with its description.
    pub fn describe(&self) -> Vec<(Arc<RuleInfo>, String)> {
        self.detectors.iter().flat_map(|d| d.describe()).collect()
    }

    /// Everything every detector finds in `event`.
    pub fn evaluate(&self, event: &Event) -> Vec<Detection> {
        let mut out = Vec::new();
        // A baseline records a newly watched path as it is: nothing happened, and a rule
        // on the path's name must not fire on it.
        if event.category == Category::FileEvent.as_str()
            && event.str_field(field::ACTION) == Some(FileAction::Baseline.as_str())
        {
            return out;
        }
        for detector in &self.detectors {
            detector.evaluate(event, &mut out);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file_event(action: &str) -> Event {
        Event {
            agent_id: "a".into(),
            hostname: "h".into(),
            seq: 1,
            ts: 1,
            category: Category::FileEvent.as_str().into(),
            fields: serde_json::json!({
                "TargetFilename": "/etc",
                "Action": action,
                "WatchSeverity": "high",
            })
            .as_object()
            .expect("an object")
            .clone(),
        }
    }

    #[test]
    fn a_baseline_is_not_a_change() {
        let engine = Engine::with_builtins();
        assert!(!engine.evaluate(&file_event("created")).is_empty());
        assert!(engine.evaluate(&file_event("baseline")).is_empty());
    }
}
