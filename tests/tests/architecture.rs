//! The code's shape, checked: no two modules of a crate import each other (directly or
//! through others), and the dashboard's layers point one way only — queries ← views ←
//! routes, with `params` a leaf. Reads the sources; builds nothing.
//!
//! A module's imports are the `crate::…` and `super::…` paths it names outside comments,
//! and, for a parent module, the `child::…` paths it names (its `pub use child::…`
//! re-exports aside: those are its facade).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Module path (`queries::alerts`, `` for the crate root) → source text.
fn modules(src: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut stack = vec![src.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let rel = path.strip_prefix(src).unwrap().with_extension("");
            let mut parts: Vec<String> = rel
                .iter()
                .map(|p| p.to_string_lossy().into_owned())
                .collect();
            if matches!(
                parts.last().map(String::as_str),
                Some("mod" | "lib" | "main")
            ) {
                parts.pop();
            }
            if parts.last().is_some_and(|p| p == "tests") {
                continue; // a module's tests may use anything
            }
            let text = std::fs::read_to_string(&path).unwrap();
            out.insert(parts.join("::"), without_comments_and_tests(&text));
        }
    }
    out
}

fn without_comments_and_tests(text: &str) -> String {
    let code = match text.find("#[cfg(test)]") {
        Some(i) => &text[..i],
        None => text,
    };
    code.lines()
        .map(|l| match l.find("//") {
            Some(i) => &l[..i],
            None => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The module among `known` that the path `segments` (already absolute) names: its
/// longest known prefix.
fn resolve(known: &BTreeMap<String, String>, segments: &[&str]) -> Option<String> {
    (1..=segments.len())
        .rev()
        .map(|n| segments[..n].join("::"))
        .find(|m| known.contains_key(m))
}

/// Edges: module → modules it imports.
fn imports(known: &BTreeMap<String, String>) -> BTreeMap<String, BTreeSet<String>> {
    let path_re = |text: &str, prefix: &str| -> Vec<Vec<String>> {
        let mut found = Vec::new();
        let mut rest = text;
        while let Some(i) = rest.find(prefix) {
            let before = rest[..i].chars().last();
            rest = &rest[i + prefix.len()..];
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                continue;
            }
            // `crate::a::{b, c::d}`: the first segment, then each in braces one level down.
            let end = rest
                .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
                .unwrap_or(rest.len());
            let head: Vec<String> = rest[..end]
                .split("::")
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect();
            if rest[end..].starts_with('{') {
                let close = rest[end..].find('}').map_or(rest.len(), |c| end + c);
                for item in rest[end + 1..close].split(',') {
                    let mut p = head.clone();
                    p.extend(
                        item.trim()
                            .split("::")
                            .filter(|s| !s.is_empty() && !s.contains(' '))
                            .map(str::to_string),
                    );
                    found.push(p);
                }
            } else {
                found.push(head);
            }
        }
        found
    };
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (module, text) in known {
        let own: Vec<&str> = module.split("::").filter(|s| !s.is_empty()).collect();
        let mut targets = BTreeSet::new();
        for p in path_re(text, "crate::") {
            let segs: Vec<&str> = p.iter().map(String::as_str).collect();
            targets.extend(resolve(known, &segs));
        }
        for p in path_re(text, "super::") {
            let mut segs: Vec<&str> = own[..own.len().saturating_sub(1)].to_vec();
            segs.extend(p.iter().map(String::as_str).filter(|s| *s != "super"));
            targets.extend(resolve(known, &segs));
        }
        // A parent naming its children (`alerts::home`); re-exports (`pub use child::X`)
        // are the parent's facade, not a use of the child.
        let used: String = text
            .lines()
            .filter(|l| {
                !l.trim_start().starts_with("pub use ") && !l.trim_start().starts_with("mod ")
            })
            .collect::<Vec<_>>()
            .join("\n");
        for child in known.keys() {
            let Some(name) = child
                .strip_prefix(module.as_str())
                .map(|r| r.trim_start_matches("::"))
                .filter(|r| !r.is_empty() && !r.contains("::"))
            else {
                continue;
            };
            if used.contains(&format!(" {name}::")) || used.contains(&format!("({name}::")) {
                targets.insert(child.clone());
            }
        }
        targets.remove(module);
        // A module may name its own ancestors' paths through `crate::` when it means
        // itself; that is not an import of the parent.
        targets.retain(|t| !module.starts_with(&format!("{t}::")) || !t.is_empty());
        edges.insert(module.clone(), targets);
    }
    edges
}

/// Groups of modules that import each other (strongly connected, more than one).
fn cycles(edges: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    // Reachability is enough at this size (a few dozen modules per crate).
    let reach = |from: &str| -> BTreeSet<String> {
        let mut seen = BTreeSet::new();
        let mut todo = vec![from.to_string()];
        while let Some(m) = todo.pop() {
            for n in edges.get(&m).into_iter().flatten() {
                if seen.insert(n.clone()) {
                    todo.push(n.clone());
                }
            }
        }
        seen
    };
    let reachable: BTreeMap<&String, BTreeSet<String>> =
        edges.keys().map(|m| (m, reach(m))).collect();
    let mut groups: Vec<Vec<String>> = Vec::new();
    let mut placed = BTreeSet::new();
    for m in edges.keys() {
        if placed.contains(m) {
            continue;
        }
        let group: Vec<String> = edges
            .keys()
            .filter(|n| *n == m || (reachable[m].contains(*n) && reachable[n].contains(m)))
            .cloned()
            .collect();
        placed.extend(group.iter().cloned());
        if group.len() > 1 {
            groups.push(group);
        }
    }
    groups
}

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

#[test]
fn no_two_modules_import_each_other() {
    let mut report = Vec::new();
    for krate in [
        "model",
        "rules",
        "store",
        "daemon",
        "agent",
        "collector",
        "dashboard",
        "cli",
    ] {
        let known = modules(&workspace().join(krate).join("src"));
        for group in cycles(&imports(&known)) {
            report.push(format!("{krate}: {}", group.join(" ↔ ")));
        }
    }
    assert!(
        report.is_empty(),
        "modules importing each other:\n{}",
        report.join("\n")
    );
}

#[test]
fn dashboard_layers_point_one_way() {
    let known = modules(&workspace().join("dashboard/src"));
    let edges = imports(&known);
    let layer = |m: &str| m.split("::").next().unwrap_or("").to_string();
    let mut wrong = Vec::new();
    for (module, targets) in &edges {
        let forbidden: &[&str] = match layer(module).as_str() {
            "params" => &["queries", "views", "routes", "state"],
            "queries" => &["views", "routes", "state"],
            "views" => &["routes", "state"],
            _ => &[],
        };
        for t in targets {
            if forbidden.contains(&layer(t).as_str()) {
                wrong.push(format!("{module} imports {t}"));
            }
        }
        let text = &known[module];
        if matches!(layer(module).as_str(), "params" | "queries" | "views")
            && text.contains("axum::")
        {
            wrong.push(format!("{module} uses HTTP types (axum)"));
        }
    }
    assert!(wrong.is_empty(), "layering broken:\n{}", wrong.join("\n"));
}

#[test]
fn the_checker_sees_a_cycle_and_a_wrong_layer() {
    // The checks above would pass on any input if the parser saw nothing: prove it sees.
    let known: BTreeMap<String, String> = [
        ("a".to_string(), "use crate::b::X;".to_string()),
        ("b".to_string(), "use crate::a::{Y, Z};".to_string()),
        ("c".to_string(), "use super::a;".to_string()),
    ]
    .into_iter()
    .collect();
    let edges = imports(&known);
    assert_eq!(cycles(&edges), vec![vec!["a".to_string(), "b".to_string()]]);
    assert!(edges["c"].contains("a"));
}
