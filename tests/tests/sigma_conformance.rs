//! Our Sigma engine against the reference (pySigma + SQLite, `shared/sigma/oracle`) on
//! every SigmaHQ Linux rule and a corpus generated from the rules themselves: events
//! built to satisfy each selection, combinations, near misses, case and Unicode
//! variants, and benign events (Unicode, 10 KB command lines, quotes, backslashes).
//!
//! Needs `VIGIE_SIGMA_DIR` (the `shared/sigma` folder) and a Python with the oracle's
//! requirements in `VIGIE_SIGMA_PYTHON`; `.ci/run` sets both. Without them the test says
//! it was skipped.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde_json::{json, Map, Value};

fn rule_files(dir: &Path) -> Vec<PathBuf> {
    vigie_collector::rule_library::rule_files(dir).expect("rule folder")
}

/// A text that satisfies `value` under `modifiers`, or `None` when we cannot make one.
fn sample(modifiers: &[&str], values: &[Value], variant: usize) -> Option<Value> {
    let has = |m: &str| modifiers.contains(&m);
    if [
        "re",
        "base64",
        "base64offset",
        "utf16le",
        "utf16be",
        "utf16",
        "wide",
        "fieldref",
    ]
    .iter()
    .any(|m| has(m))
    {
        return None;
    }
    let first = values.get(variant % values.len().max(1))?;
    if has("exists") {
        return (first.as_bool() == Some(true) || first.as_str() == Some("true"))
            .then(|| json!("present"));
    }
    if has("cidr") {
        let net = first.as_str()?;
        let addr = net.split('/').next()?;
        return Some(json!(if addr.contains(':') {
            format!("{}1", addr.trim_end_matches(':'))
        } else {
            let mut octets: Vec<&str> = addr.split('.').collect();
            let last = "7";
            if let Some(l) = octets.last_mut() {
                *l = last;
            }
            octets.join(".")
        }));
    }
    if !first.is_string() {
        return Some(first.clone());
    }
    let chosen: Vec<&Value> = if has("all") {
        values.iter().collect()
    } else {
        vec![first]
    };
    let texts: Vec<String> = chosen
        .iter()
        .filter_map(|v| v.as_str())
        .map(|s| {
            let mut out = String::new();
            let mut chars = s.chars().peekable();
            while let Some(c) = chars.next() {
                match c {
                    '\\' if matches!(chars.peek(), Some('*') | Some('?') | Some('\\')) => {
                        out.push(chars.next().unwrap())
                    }
                    '*' => {}
                    '?' => out.push('x'),
                    c => out.push(c),
                }
            }
            out
        })
        .collect();
    let joined = texts.join(" ");
    let text = if has("contains") {
        format!("alpha {joined} omega")
    } else if has("startswith") {
        format!("{joined} omega")
    } else if has("endswith") {
        format!("alpha {joined}")
    } else {
        joined
    };
    Some(json!(text))
}

/// The parts (field maps) that satisfy one selection, one per alternative.
fn parts(selection: &Value, variant: usize) -> Vec<Map<String, Value>> {
    let from_map = |map: &Map<String, Value>| {
        let mut part = Map::new();
        for (key, value) in map {
            let mut pieces = key.split('|');
            let field = pieces.next().unwrap_or("");
            let modifiers: Vec<&str> = pieces.collect();
            let values = match value {
                Value::Array(v) => v.clone(),
                v => vec![v.clone()],
            };
            if field.is_empty() {
                if let Some(v) = sample(&modifiers, &values, variant) {
                    part.insert(
                        "Message".into(),
                        json!(format!("kw {}", vigie_rules::document::as_text(&v))),
                    );
                }
                continue;
            }
            if let Some(v) = sample(&modifiers, &values, variant) {
                if !v.is_null() {
                    part.insert(field.to_string(), v);
                }
            }
        }
        part
    };
    match selection {
        Value::Object(map) => vec![from_map(map)],
        Value::Array(items) => items
            .iter()
            .enumerate()
            .filter(|(i, _)| items.len() < 4 || *i % 2 == variant % 2)
            .map(|(_, item)| match item {
                Value::Object(map) => from_map(map),
                scalar => {
                    let mut part = Map::new();
                    if let Some(v) = sample(&[], std::slice::from_ref(scalar), 0) {
                        part.insert(
                            "Message".into(),
                            json!(format!("kw {}", vigie_rules::document::as_text(&v))),
                        );
                    }
                    part
                }
            })
            .collect(),
        scalar => {
            let mut part = Map::new();
            part.insert(
                "Message".into(),
                json!(format!("kw {}", vigie_rules::document::as_text(scalar))),
            );
            vec![part]
        }
    }
}

fn mutate(event: &Map<String, Value>, how: usize) -> Map<String, Value> {
    event
        .iter()
        .map(|(k, v)| {
            let v = match (v, ["product", "category", "service"].contains(&k.as_str())) {
                (Value::String(s), false) => json!(match how {
                    0 => s.to_ascii_uppercase(),
                    1 => s.chars().skip(1).collect::<String>(),
                    2 => format!("É{s}ü"),
                    _ => s.replacen('/', "\\", 1),
                }),
                _ => v.clone(),
            };
            (k.clone(), v)
        })
        .collect()
}

fn corpus(rules_dir: &Path) -> Vec<Map<String, Value>> {
    let mut events = Vec::new();
    for file in rule_files(rules_dir) {
        let text = std::fs::read_to_string(&file).unwrap();
        let Ok(rule) = serde_saphyr::from_str::<Value>(&text) else {
            continue;
        };
        let mut base = Map::new();
        for key in ["product", "category", "service"] {
            if let Some(v) = rule["logsource"][key].as_str() {
                base.insert(key.into(), json!(v));
            }
        }
        let Some(detection) = rule["detection"].as_object() else {
            continue;
        };
        for variant in 0..2 {
            let mut merged = base.clone();
            let mut merged_all = base.clone();
            for (name, selection) in detection {
                if name == "condition" || name == "timeframe" {
                    continue;
                }
                for part in parts(selection, variant) {
                    let mut alone = base.clone();
                    alone.extend(part.clone());
                    events.push(alone);
                    merged_all.extend(part.clone());
                    if !name.starts_with("filter") {
                        merged.extend(part);
                    }
                }
            }
            for how in 0..4 {
                events.push(mutate(&merged, how));
            }
            events.push(merged);
            events.push(merged_all);
        }
    }
    let long = "A".repeat(10_000);
    for category in ["process_creation", "file_event", "network_connection"] {
        events.push(json!({"product": "linux", "category": category, "Image": "/usr/bin/bash", "CommandLine": format!("bash -c 'echo {long}'"), "User": "root"}).as_object().unwrap().clone());
        events.push(json!({"product": "linux", "category": category, "Image": "/usr/bin/python3", "CommandLine": "python3 -c \"print('héllo wörld ✓ 日本')\"", "TargetFilename": "/home/élodie/доклад.txt", "CurrentDirectory": "C:\\Users\\x\\"}).as_object().unwrap().clone());
        events.push(json!({"product": "linux", "category": category, "Image": "/usr/sbin/sshd", "CommandLine": "sshd: root@pts/0 \\\" ' `", "DestinationIp": "10.0.0.1", "DestinationPort": 22, "Initiated": "true"}).as_object().unwrap().clone());
    }
    events.push(
        json!({"product": "linux", "service": "auditd", "type": "EXECVE", "a0": "ls", "a1": "-la"})
            .as_object()
            .unwrap()
            .clone(),
    );
    events.push(json!({"product": "linux", "service": "syslog", "Message": "Accepted publickey for root from 10.0.0.9"}).as_object().unwrap().clone());
    events
}

#[test]
fn our_matches_equal_the_reference_oracles() {
    let Some(sigma) = std::env::var_os("VIGIE_SIGMA_DIR").map(PathBuf::from) else {
        eprintln!(
            "skipped: VIGIE_SIGMA_DIR is not set (it points at shared/sigma; .ci/run sets it)"
        );
        return;
    };
    let python = std::env::var("VIGIE_SIGMA_PYTHON").unwrap_or_else(|_| "python3".into());
    let rules_dir = sigma.join("rules/linux");
    let events = corpus(&rules_dir);
    let dir = tempfile::tempdir().unwrap();
    let events_path = dir.path().join("corpus.jsonl");
    let lines: Vec<String> = events
        .iter()
        .map(|e| serde_json::to_string(e).unwrap())
        .collect();
    std::fs::write(&events_path, lines.join("\n") + "\n").unwrap();

    // Ours.
    let mut rules = Vec::new();
    for file in rule_files(&rules_dir) {
        let parsed = vigie_collector::rule_library::load_file(&file);
        assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
        rules.extend(parsed.rules);
    }
    let mut ours = BTreeSet::new();
    for (i, event) in events.iter().enumerate() {
        for rule in &rules {
            if rule.matches(event) {
                ours.insert((i, rule.info.id.clone()));
            }
        }
    }

    // The oracle's.
    let output = std::process::Command::new(&python)
        .arg(sigma.join("oracle/sigma_oracle.py"))
        .arg(&rules_dir)
        .arg(&events_path)
        .output()
        .unwrap_or_else(|e| panic!("running the oracle with {python}: {e}"));
    assert!(
        output.status.success(),
        "oracle failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let theirs: BTreeSet<(usize, String)> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            (
                v["event_index"].as_u64().unwrap() as usize,
                v["rule_id"].as_str().unwrap().to_string(),
            )
        })
        .collect();

    let only_ours: Vec<_> = ours.difference(&theirs).take(15).collect();
    let only_theirs: Vec<_> = theirs.difference(&ours).take(15).collect();
    let show = |set: &[&(usize, String)]| {
        set.iter()
            .map(|(i, r)| {
                format!(
                    "  event {i} rule {r}: {}",
                    serde_json::to_string(&events[*i])
                        .unwrap()
                        .chars()
                        .take(300)
                        .collect::<String>()
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    eprintln!(
        "conformance: {} events, {} rules, {} matches ours, {} theirs",
        events.len(),
        rules.len(),
        ours.len(),
        theirs.len()
    );
    assert!(
        only_ours.is_empty() && only_theirs.is_empty(),
        "matches differ\nonly ours:\n{}\nonly the oracle's:\n{}",
        show(&only_ours),
        show(&only_theirs)
    );
    assert!(
        theirs.len() > 200,
        "the corpus exercises the rules ({} matches)",
        theirs.len()
    );
}
