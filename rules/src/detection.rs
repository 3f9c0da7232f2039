//! What a rule is (as an alert shows it) and what a match produces.

use std::sync::Arc;

/// How serious an alert is. Names are Sigma's `level`s.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum Severity {
    /// Worth knowing, no action.
    Informational,
    /// Low.
    Low,
    /// Medium.
    #[default]
    Medium,
    /// High.
    High,
    /// Critical.
    Critical,
}

impl Severity {
    /// Every severity, least serious first.
    pub const ALL: [Severity; 5] = [
        Severity::Informational,
        Severity::Low,
        Severity::Medium,
        Severity::High,
        Severity::Critical,
    ];

    /// The name as Sigma writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Informational => "informational",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    /// The severity named `name` (case-insensitive), if any.
    pub fn parse(name: &str) -> Option<Severity> {
        Severity::ALL
            .into_iter()
            .find(|s| s.as_str().eq_ignore_ascii_case(name.trim()))
    }
}

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
}
