//! Engine throughput, one core: events already parsed, routed and matched against every
//! rule of a folder plus Vigie's pack; then the same with ten times the rules (nine
//! copies of each, with their values changed so they match other things). Prints
//! figures; asserts nothing. Débit du moteur seul, sur un cœur ; affiche des chiffres.
//!
//! cargo bench -p vigie-rules --bench engine -- RULES_DIR EVENTS.jsonl
//! (bench/rules.sh makes the events and runs it.)

use std::path::{Path, PathBuf};
use std::time::Instant;

use serde_json::{Map, Value};
use vigie_rules::sigma::{RuleSet, SigmaRule};

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let [rules_dir, events_file] = args.as_slice() else {
        eprintln!("usage: cargo bench -p vigie-rules --bench engine -- RULES_DIR EVENTS.jsonl");
        std::process::exit(2);
    };
    let documents = rule_documents(Path::new(rules_dir));
    let events: Vec<Map<String, Value>> = std::fs::read_to_string(events_file)
        .expect("reading the events")
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).expect("a JSON object per line"))
        .collect();
    for copies in [0, 9] {
        let mut rules = compile(&documents, 0);
        for copy in 1..=copies {
            rules.extend(compile(&documents, copy));
        }
        rules.extend(vigie_rules::pack::load().rules);
        let count = rules.len();
        let set = RuleSet::new(rules);
        if copies == 0 {
            for rule in set.unfiltered() {
                println!("  no literal for the prefilter: {}", rule.info.title);
            }
        }
        let start = Instant::now();
        let mut matches = 0usize;
        for event in &events {
            matches += set.matches(event).len();
        }
        let seconds = start.elapsed().as_secs_f64();
        println!(
            "{count} rules ({} without a literal for the prefilter), {} events: {seconds:.2} s, \
             {:.0} events/s, {matches} matches",
            set.unfiltered().count(),
            events.len(),
            events.len() as f64 / seconds
        );
    }
}

/// Every YAML document under `dir` that is a detection rule (correlations left out).
fn rule_documents(dir: &Path) -> Vec<(String, Value)> {
    let mut files = Vec::new();
    walk(dir, &mut files);
    files.sort();
    let mut out = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).expect("reading a rule");
        let Ok(docs) = serde_saphyr::from_multiple::<Value>(&text) else {
            continue;
        };
        for doc in docs {
            if doc.get("detection").is_some() {
                out.push((file.display().to_string(), doc));
            }
        }
    }
    out
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("reading the rule folder") {
        let path = entry.expect("a folder entry").path();
        if path.is_dir() {
            walk(&path, out);
        } else if path.extension().is_some_and(|e| e == "yml" || e == "yaml") {
            out.push(path);
        }
    }
}

/// Compiles the documents; for `copy` > 0, with a new id and every plain or textual
/// value changed (regular expressions, networks and comparisons left as they are).
fn compile(documents: &[(String, Value)], copy: usize) -> Vec<SigmaRule> {
    documents
        .iter()
        .filter_map(|(origin, doc)| {
            let mut doc = doc.clone();
            if copy > 0 {
                doc["id"] =
                    Value::String(format!("{}-copy{copy}", doc["id"].as_str().unwrap_or("")));
                if let Some(Value::Object(detection)) = doc.get_mut("detection") {
                    for (name, selection) in detection.iter_mut() {
                        if name != "condition" && name != "timeframe" {
                            change_selection(selection, copy);
                        }
                    }
                }
            }
            SigmaRule::from_document(&doc, origin, "").ok()
        })
        .collect()
}

fn change_selection(selection: &mut Value, copy: usize) {
    match selection {
        Value::Object(items) => {
            for (key, values) in items.iter_mut() {
                let plain = !["|re", "|cidr", "|lt", "|gt", "|exists", "|fieldref"]
                    .iter()
                    .any(|m| key.contains(m));
                if plain {
                    change_values(values, copy);
                }
            }
        }
        Value::Array(alternatives) => alternatives
            .iter_mut()
            .for_each(|a| change_selection(a, copy)),
        scalar => change_values(scalar, copy),
    }
}

fn change_values(values: &mut Value, copy: usize) {
    match values {
        Value::String(s) => s.push_str(&format!("_copy{copy}")),
        Value::Number(n) => {
            if let Some(n) = n.as_u64() {
                *values = Value::from(n + 100_000 * copy as u64);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| change_values(v, copy)),
        _ => {}
    }
}
