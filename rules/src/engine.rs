//! The engine: the set of detectors every event goes through.

use vigie_model::Event;

use std::sync::Arc;

use crate::detection::{Detection, RuleInfo};
use crate::detector::Detector;

/// The detectors the collector runs on every event.
#[derive(Default)]
pub struct Engine {
    detectors: Vec<Box<dyn Detector>>,
}

impl Engine {
    /// An engine with Vigie's built-in detectors and its own rule pack.
    pub fn with_builtins() -> Engine {
        let mut engine = Engine::default();
        engine.add(Box::new(crate::builtin::FimChange::new()));
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
        for detector in &self.detectors {
            detector.evaluate(event, &mut out);
        }
        out
    }
}
