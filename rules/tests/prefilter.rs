//! The prefilter only saves work: on random rules and random events, the rule set
//! (routing + prefilter + evaluation) finds exactly the rules that match when each is
//! evaluated on its own.

use proptest::prelude::*;
use serde_json::{Map, Value};
use vigie_rules::sigma::{parse_rules, RuleSet};

/// Texts small enough that random rules and events often meet.
const WORDS: &[&str] = &[
    "/bin/sh", "sh", "SH", "nc -e", "/tmp/", "x*y", "a?c", "abc", "4444", "-i", "",
];
const MODIFIERS: &[&str] = &[
    "",
    "|contains",
    "|startswith",
    "|endswith",
    "|contains|all",
    "|re",
    "|cased",
    "|contains|cased",
    "|windash|contains",
    "|base64offset|contains",
];
const FIELDS: &[&str] = &["Image", "CommandLine", "image", "Port"];
const CONDITIONS: &[&str] = &[
    "a",
    "a and b",
    "a or b",
    "a and not b",
    "not a",
    "1 of them",
    "all of them",
    "keywords or a",
    "keywords and b",
];

fn rule(index: usize, pick: &[usize]) -> String {
    let word = |i: usize| WORDS[pick[i] % WORDS.len()].replace('\'', "");
    let item = |i: usize| {
        let modifier = MODIFIERS[pick[i] % MODIFIERS.len()];
        let value = if modifier == "|re" {
            regex_of(&word(i + 1))
        } else {
            word(i + 1)
        };
        format!(
            "{}{modifier}: ['{value}', '{}']",
            FIELDS[pick[i + 2] % FIELDS.len()],
            word(i + 3)
        )
    };
    format!(
        "title: r{index}\nid: r{index}\nlogsource: {{product: linux}}\ndetection:\n  a:\n    {}\n  b:\n    {}\n  keywords:\n    - '{}'\n  condition: {}\n",
        item(0),
        item(4),
        word(8),
        CONDITIONS[pick[9] % CONDITIONS.len()]
    )
}

fn regex_of(word: &str) -> String {
    let escaped = regex_syntax::escape(word);
    if escaped.is_empty() {
        "^$".into()
    } else {
        format!("{escaped}+")
    }
}

fn event(pick: &[usize]) -> Map<String, Value> {
    let mut event = Map::new();
    event.insert("product".into(), "linux".into());
    for (i, field) in FIELDS.iter().enumerate() {
        if !pick[i].is_multiple_of(3) {
            let text = format!(
                "{}{}",
                WORDS[pick[i + 4] % WORDS.len()],
                WORDS[pick[i + 8] % WORDS.len()]
            );
            event.insert((*field).into(), Value::String(text));
        }
    }
    event
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn the_prefilter_never_changes_a_result(
        rule_picks in proptest::collection::vec(proptest::collection::vec(0usize..1000, 10), 1..12),
        event_picks in proptest::collection::vec(proptest::collection::vec(0usize..1000, 12), 1..20),
    ) {
        let mut rules = Vec::new();
        for (i, pick) in rule_picks.iter().enumerate() {
            let (parsed, errors) = parse_rules(&rule(i, pick), "random.yml");
            prop_assert!(errors.is_empty(), "{errors:?}");
            rules.extend(parsed);
        }
        let set = RuleSet::new(rules.clone());
        for pick in &event_picks {
            let event = event(pick);
            let alone: Vec<&str> = rules.iter().filter(|r| r.matches(&event)).map(|r| r.info.id.as_str()).collect();
            let through_set: Vec<&str> = set.matches(&event).iter().map(|r| r.info.id.as_str()).collect();
            prop_assert_eq!(alone, through_set, "event {:?}", event);
        }
    }
}
