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

/// Rules grouped by log source, so an event is only shown the rules that apply to it.
#[derive(Debug, Default)]
pub struct RuleSet {
    groups: Vec<(LogSource, Vec<SigmaRule>)>,
}

impl RuleSet {
    /// Groups `rules` by their log source.
    pub fn new(rules: Vec<SigmaRule>) -> RuleSet {
        let mut set = RuleSet::default();
        for rule in rules {
            let key = LogSource {
                product: rule
                    .logsource
                    .product
                    .as_ref()
                    .map(|s| s.to_ascii_lowercase()),
                category: rule
                    .logsource
                    .category
                    .as_ref()
                    .map(|s| s.to_ascii_lowercase()),
                service: rule
                    .logsource
                    .service
                    .as_ref()
                    .map(|s| s.to_ascii_lowercase()),
            };
            match set.groups.iter_mut().find(|(k, _)| *k == key) {
                Some((_, group)) => group.push(rule),
                None => set.groups.push((key, vec![rule])),
            }
        }
        set
    }

    /// Every rule that matches `doc`.
    pub fn matches<'a>(
        &'a self,
        doc: &'a dyn crate::Document,
    ) -> impl Iterator<Item = &'a SigmaRule> + 'a {
        let lower = |v: Option<&str>| v.map(str::to_ascii_lowercase);
        let (product, category, service) = (
            lower(doc.product()),
            lower(doc.category()),
            lower(doc.service()),
        );
        let fits =
            move |want: &Option<String>, have: &Option<String>| want.is_none() || want == have;
        self.groups
            .iter()
            .filter(move |(k, _)| {
                fits(&k.product, &product)
                    && fits(&k.category, &category)
                    && fits(&k.service, &service)
            })
            .flat_map(|(_, rules)| rules.iter())
            .filter(move |rule| rule.matches_detection(doc))
    }

    /// How many rules the set holds.
    pub fn len(&self) -> usize {
        self.groups.iter().map(|(_, r)| r.len()).sum()
    }

    /// True when the set holds no rule.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or(text)
}

#[cfg(test)]
mod tests;
