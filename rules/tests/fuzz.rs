//! Hostile input for the rule, condition and correlation parsers: random and mutated
//! rules must be accepted or refused, never panic, and never take unbounded time
//! (wildcards and regular expressions compile to linear-time matchers). Cases:
//! `PROPTEST_CASES`; failures kept in `fuzz.proptest-regressions` beside this file.

use std::time::{Duration, Instant};

use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;
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

const CORRELATED: &str = r#"
title: Login
name: login
logsource: {product: linux, service: sshd}
detection: {sel: {Message|contains: 'Accepted'}, condition: sel}
---
title: Sudo
name: sudo
logsource: {product: linux, category: process_creation}
detection: {sel: {Image|endswith: '/sudo'}, condition: sel}
---
title: Login then sudo by the same account
id: dddddddd-0000-0000-0000-000000000001
correlation:
    type: temporal_ordered
    rules: [login, sudo]
    group-by: [account]
    timespan: 10m
    condition: {gte: 2}
    aliases:
        account:
            login: TargetUser
            sudo: User
"#;

fn config() -> ProptestConfig {
    ProptestConfig {
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(
            "tests/fuzz.proptest-regressions",
        ))),
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn byte_mutations_of_a_correlation_never_panic(position in any::<prop::sample::Index>(), byte in any::<u8>(), cut in any::<prop::sample::Index>()) {
        let mut bytes = CORRELATED.as_bytes().to_vec();
        let at = position.index(bytes.len());
        bytes[at] = byte;
        bytes.truncate(cut.index(bytes.len()).max(1));
        let _ = parse_file(&String::from_utf8_lossy(&bytes), "fuzz.yml");
    }

    #[test]
    fn any_correlation_fields_are_accepted_or_refused(
        kind in "(event_count|value_count|temporal|temporal_ordered|[a-z_]{0,12})",
        timespan in "([0-9]{0,20}[smhdw]?|[a-z ]{0,6})",
        condition in "(\\{(gte|lte|gt|lt|eq|field): ?[-0-9a-z]{0,22}\\}|[a-z0-9 ]{0,10})",
        rules in "\\[([a-z]{0,6}, ?){0,4}\\]",
    ) {
        let text = CORRELATED
            .replace("temporal_ordered", &kind)
            .replace("10m", &timespan)
            .replace("{gte: 2}", &condition)
            .replace("[login, sudo]", &rules);
        let _ = parse_file(&text, "fuzz.yml");
    }

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
