//! Sigma rules: YAML in, compiled rules out, evaluated on events.
//!
//! Parsing and compiling happen once per rule ([`parse_rules`]); evaluation is then a walk
//! of the compiled selections and conditions ([`SigmaRule::matches`]). A bad rule is
//! reported with its origin, line where possible, and reason, and never stops the others.

mod condition;
mod error;
mod modifier;
mod rule;
mod value;

pub use error::RuleError;
pub use modifier::Modifier;
pub use rule::{LogSource, SigmaRule};

/// Parses every rule document in `text` (one YAML file, possibly several documents).
/// Returns the rules that compiled and the errors of those that did not.
pub fn parse_rules(text: &str, origin: &str) -> (Vec<SigmaRule>, Vec<RuleError>) {
    let documents: Vec<serde_json::Value> = match serde_saphyr::from_multiple(text) {
        Ok(docs) => docs,
        Err(e) => {
            let mut error = RuleError::new(
                origin,
                format!("not valid YAML: {}", first_line(&e.to_string())),
            );
            error.line = e.location().map(|l| l.line() as usize);
            return (Vec::new(), vec![error]);
        }
    };
    let mut rules = Vec::new();
    let mut errors = Vec::new();
    for doc in documents.iter().filter(|d| !d.is_null()) {
        match SigmaRule::from_document(doc, origin, text) {
            Ok(rule) => rules.push(rule),
            Err(e) => errors.push(e),
        }
    }
    if rules.is_empty() && errors.is_empty() {
        errors.push(RuleError::new(origin, "the file holds no rule"));
    }
    (rules, errors)
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or(text)
}

#[cfg(test)]
mod tests;
