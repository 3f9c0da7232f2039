//! Sigma rules: YAML in, compiled rules out, evaluated on events.
//!
//! Parsing and compiling happen once per rule ([`parse_rules`]); evaluation is then a walk
//! of the compiled selections and conditions ([`SigmaRule::matches`]). A bad rule is
//! reported with its origin, line where possible, and reason, and never stops the others.

mod condition;
pub mod correlation;
mod error;
mod modifier;
pub mod prefilter;
mod rule;
mod text;
mod value;

pub use correlation::{Correlation, Correlator, Limits};
pub use error::RuleError;
pub use modifier::Modifier;
pub use prefilter::Prefilter;
pub use rule::{LogSource, SigmaRule};

/// Everything one file holds.
#[derive(Default)]
pub struct Parsed {
    /// Detection rules.
    pub rules: Vec<SigmaRule>,
    /// Correlation rules.
    pub correlations: Vec<Correlation>,
    /// Documents that could not be loaded.
    pub errors: Vec<RuleError>,
}

/// Parses every document of one YAML file: detection rules and correlation rules.
pub fn parse_file(text: &str, origin: &str) -> Parsed {
    let documents: Vec<serde_json::Value> = match serde_saphyr::from_multiple(text) {
        Ok(docs) => docs,
        Err(e) => {
            let mut error = RuleError::new(
                origin,
                format!("not valid YAML: {}", first_line(&e.to_string())),
            );
            error.line = e.location().map(|l| l.line() as usize);
            return Parsed {
                errors: vec![error],
                ..Parsed::default()
            };
        }
    };
    let mut parsed = Parsed::default();
    let documents: Vec<&serde_json::Value> = documents.iter().filter(|d| !d.is_null()).collect();
    // Each document's own text, so an error's line is found in its document and counted
    // from the file's start; the whole text when they cannot be told apart.
    let mut texts = document_texts(text);
    if texts.len() != documents.len() {
        texts = vec![(0, text); documents.len()];
    }
    for (doc, (offset, doc_text)) in documents.into_iter().zip(texts) {
        let in_file = |mut e: RuleError| {
            e.line = e.line.map(|l| l + offset);
            e
        };
        match doc.as_object() {
            Some(map) if map.contains_key("correlation") => {
                match Correlation::from_document(map, origin, doc_text) {
                    Ok(c) => parsed.correlations.push(c),
                    Err(e) => parsed.errors.push(in_file(e)),
                }
            }
            _ => match SigmaRule::from_document(doc, origin, doc_text) {
                Ok(rule) => parsed.rules.push(rule),
                Err(e) => parsed.errors.push(in_file(e)),
            },
        }
    }
    if parsed.rules.is_empty() && parsed.correlations.is_empty() && parsed.errors.is_empty() {
        parsed
            .errors
            .push(RuleError::new(origin, "the file holds no rule"));
    }
    parsed
}

/// The text of each document of a YAML file that holds something (documents are
/// separated by `---` lines), with the number of lines before it.
fn document_texts(text: &str) -> Vec<(usize, &str)> {
    let mut texts = Vec::new();
    let (mut start, mut start_line) = (0, 0);
    let mut at = 0;
    let holds_something = |t: &str| {
        t.lines()
            .any(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
    };
    for (index, line) in text.split_inclusive('\n').enumerate() {
        let bare = line.trim_end();
        if bare == "---" || bare.starts_with("--- ") || bare.starts_with("---\t") {
            if holds_something(&text[start..at]) {
                texts.push((start_line, &text[start..at]));
            }
            start = at + line.len();
            start_line = index + 1;
        }
        at += line.len();
    }
    if holds_something(&text[start..]) {
        texts.push((start_line, &text[start..]));
    }
    texts
}

/// Puts loaded rules together: the correlator over all correlations, and the rules
/// that alert on their own (those referenced by a correlation without
/// `generate: true` only feed it). Returns unresolvable correlations as errors.
pub fn assemble(
    rules: Vec<SigmaRule>,
    correlations: Vec<Correlation>,
    limits: Limits,
) -> (Vec<SigmaRule>, Correlator, Vec<RuleError>) {
    let quiet: Vec<String> = correlations
        .iter()
        .filter(|c| !c.generate)
        .flat_map(|c| c.rules.iter().cloned())
        .collect();
    let (correlator, errors) = Correlator::new(&rules, correlations, limits);
    let standalone = rules
        .into_iter()
        .filter(|r| {
            !quiet
                .iter()
                .any(|q| r.name.as_deref() == Some(q.as_str()) || r.info.id == *q)
        })
        .collect();
    (standalone, correlator, errors)
}

/// Parses the detection rules of one file; a correlation rule in it is reported as an
/// error (use [`parse_file`] where correlations are welcome).
pub fn parse_rules(text: &str, origin: &str) -> (Vec<SigmaRule>, Vec<RuleError>) {
    let mut parsed = parse_file(text, origin);
    for c in &parsed.correlations {
        parsed.errors.push(RuleError::new(
            origin,
            format!("correlation rule {:?} is not expected here", c.info.title),
        ));
    }
    (parsed.rules, parsed.errors)
}

/// Rules ready for events: routed by log source, so an event is only shown the rules
/// that apply to it, and prefiltered, so only those its texts could match are evaluated
/// (see [`prefilter`]). One prefilter serves every log source: each field of an event
/// is scanned once.
#[derive(Debug, Default)]
pub struct RuleSet {
    rules: Vec<SigmaRule>,
    /// The distinct log sources, lower-cased.
    sources: Vec<LogSource>,
    /// Each rule's log source, as an index into `sources`.
    source_of: Vec<usize>,
    prefilter: Prefilter,
}

impl RuleSet {
    /// Indexes `rules` by log source and builds the prefilter.
    pub fn new(rules: Vec<SigmaRule>) -> RuleSet {
        let mut sources: Vec<LogSource> = Vec::new();
        let mut source_of = Vec::with_capacity(rules.len());
        for rule in &rules {
            let lower = |s: &Option<String>| s.as_ref().map(|s| s.to_ascii_lowercase());
            let key = LogSource {
                product: lower(&rule.logsource.product),
                category: lower(&rule.logsource.category),
                service: lower(&rule.logsource.service),
            };
            source_of.push(match sources.iter().position(|k| *k == key) {
                Some(i) => i,
                None => {
                    sources.push(key);
                    sources.len() - 1
                }
            });
        }
        RuleSet {
            prefilter: Prefilter::new(&rules),
            rules,
            sources,
            source_of,
        }
    }

    /// Every rule that matches `doc`, in the order they were given.
    pub fn matches<'a>(&'a self, doc: &dyn crate::Document) -> Vec<&'a SigmaRule> {
        let fits = |want: &Option<String>, have: Option<&str>| match want {
            None => true,
            Some(w) => have.is_some_and(|h| h.eq_ignore_ascii_case(w)),
        };
        let (product, category, service) = (doc.product(), doc.category(), doc.service());
        let routed: Vec<bool> = self
            .sources
            .iter()
            .map(|s| {
                fits(&s.product, product)
                    && fits(&s.category, category)
                    && fits(&s.service, service)
            })
            .collect();
        if !routed.contains(&true) {
            return Vec::new();
        }
        self.prefilter
            .candidates(doc)
            .iter()
            .filter(|&i| routed[self.source_of[i]])
            .map(|i| &self.rules[i])
            .filter(|rule| rule.matches_detection(doc))
            .collect()
    }

    /// How many rules the set holds.
    pub fn len(&self) -> usize {
        self.rules.len()
    }

    /// True when the set holds no rule.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// How many rules have no literal the prefilter can use, and so are evaluated on
    /// every event of their log source.
    pub fn unfiltered(&self) -> impl Iterator<Item = &SigmaRule> {
        self.prefilter.unfiltered().map(|i| &self.rules[i])
    }
}

impl crate::Detector for RuleSet {
    fn describe(&self) -> Vec<(std::sync::Arc<crate::RuleInfo>, String)> {
        self.rules
            .iter()
            .map(|r| (r.info.clone(), r.description.clone()))
            .collect()
    }

    fn evaluate(&self, event: &vigie_model::Event, out: &mut Vec<crate::Detection>) {
        out.extend(self.matches(event).into_iter().map(|r| r.detection(event)));
    }
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or(text)
}

#[cfg(test)]
mod tests;
