//! The seam between the engine and what detects: anything that looks at one event and
//! may find something in it (Sigma rules, correlations, indicator lists, built-ins).

use std::sync::Arc;

use vigie_model::Event;

use crate::detection::{Detection, RuleInfo};

/// Anything that looks at one event and may detect something in it.
pub trait Detector: Send + Sync {
    /// Appends to `out` what this detector finds in `event`.
    fn evaluate(&self, event: &Event, out: &mut Vec<Detection>);

    /// How much state this detector dropped, because it was full, since it was last
    /// asked: detections it may have missed, to be told to analysts.
    fn take_evictions(&self) -> u64 {
        0
    }

    /// The rules this detector runs, with their descriptions (for the dashboard).
    fn describe(&self) -> Vec<(Arc<RuleInfo>, String)> {
        Vec::new()
    }
}
