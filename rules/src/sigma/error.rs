//! Why a rule could not be loaded: which file, which line when known, and the reason.

use std::fmt;

/// One problem with one rule.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleError {
    /// The file (or other origin) of the rule.
    pub origin: String,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// What is wrong.
    pub reason: String,
}

impl RuleError {
    /// An error in `origin` without a line.
    pub fn new(origin: &str, reason: impl Into<String>) -> RuleError {
        RuleError {
            origin: origin.to_string(),
            line: None,
            reason: reason.into(),
        }
    }

    /// Sets the line if one can be found for `needle` in `text` (first occurrence).
    pub fn near(mut self, text: &str, needle: &str) -> RuleError {
        if self.line.is_none() && !needle.is_empty() {
            self.line = text.lines().position(|l| l.contains(needle)).map(|i| i + 1);
        }
        self
    }
}

impl fmt::Display for RuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}: {}", self.origin, self.reason),
            None => write!(f, "{}: {}", self.origin, self.reason),
        }
    }
}

impl std::error::Error for RuleError {}
