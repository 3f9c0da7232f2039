//! Hostile input for the rule and condition parsers: random and mutated rules must be
//! accepted or refused, never panic, and never take unbounded time (wildcards and
//! regular expressions compile to linear-time matchers).

use std::time::{Duration, Instant};

use proptest::prelude::*;
use serde_json::json;
use vigie_rules::sigma::{parse_file, parse_rules};

const BASE: &str = r#"
title: Base
id: 00000000-0000-0000-0000-000000000001
logsource: {product: linux, category: process_creation}
detection:
    sel:
        CommandLine|contains|all: ['a', 'b']
        Image|endswith: '/sh'
    filter:
        User: root
    condition: sel and not filter
"#;

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn any_condition_text_is_accepted_or_refused(condition in "[a-z_*() ]{0,40}|(1 of |all of |not |and |or |\\(|\\)|sel|filter|them| )*") {
        let rule = BASE.replace("sel and not filter", &condition.replace('\'', ""));
        let _ = parse_rules(&rule, "fuzz.yml");
    }

    #[test]
    fn byte_mutations_of_a_rule_never_panic(position in 0usize..BASE.len(), byte in any::<u8>(), cut in 0usize..BASE.len()) {
        let mut bytes = BASE.as_bytes().to_vec();
        bytes[position] = byte;
        bytes.truncate(cut.max(1));
        let text = String::from_utf8_lossy(&bytes);
        let _ = parse_file(&text, "fuzz.yml");
    }

    #[test]
    fn hostile_values_match_in_bounded_time(value in "[*?a\\\\]{1,60}", subject in "a{0,2000}") {
        let rule = format!(
            "title: t\nlogsource: {{category: x}}\ndetection:\n  sel:\n    F|contains: '{}'\n  r:\n    G|re: '(a+)+$'\n  condition: sel or r\n",
            value.replace('\'', "")
        );
        let (rules, _) = parse_rules(&rule, "fuzz.yml");
        let event = json!({"category": "x", "F": subject.clone(), "G": format!("{subject}!")});
        let event = event.as_object().unwrap();
        let start = Instant::now();
        for r in &rules {
            let _ = r.matches(event);
        }
        prop_assert!(start.elapsed() < Duration::from_secs(2), "matching took {:?}", start.elapsed());
    }
}
