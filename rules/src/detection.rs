//! What a rule is (as an alert shows it) and what a match produces.

use std::sync::Arc;

pub use vigie_model::Severity;

/// A rule as alerts describe it.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleInfo {
    /// Stable id (a UUID for Sigma rules).
    pub id: String,
    /// Title in English.
    pub title: String,
    /// Title in French.
    pub title_fr: String,
    /// Default severity.
    pub level: Severity,
    /// Tags such as ATT&CK ids (`attack.t1098`).
    pub tags: Vec<String>,
    /// The rule's author; the Detection Rule License requires it to travel with alerts.
    pub author: String,
    /// What it detects, in French (empty: the rule says it in English only).
    pub description_fr: String,
    /// What the analyst should do next, in English and French (empty: nothing said).
    pub guidance: String,
    /// The same in French.
    pub guidance_fr: String,
}

/// One rule matching one event.
#[derive(Debug, Clone, PartialEq)]
pub struct Detection {
    /// The rule that matched.
    pub rule: Arc<RuleInfo>,
    /// Severity of this detection (a rule may raise or lower its default per event).
    pub severity: Severity,
    /// One line saying what happened, for the alert list.
    pub summary: String,
    /// The same in French.
    pub summary_fr: String,
}
