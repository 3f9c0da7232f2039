//! `vigie rules check` and `vigie rules test`: Sigma rules offline.

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::Subcommand;
use vigie_collector::rule_library::{load_file, rule_files};
use vigie_rules::sigma::{RuleError, RuleSet, SigmaRule};

/// Rule subcommands.
#[derive(Subcommand)]
pub enum RulesCommand {
    /// Parse every rule and say which load and which do not (and why).
    /// Analyser chaque règle et dire lesquelles se chargent, lesquelles non (et pourquoi).
    Check {
        /// A folder of rules (searched recursively) or one rule file.
        path: PathBuf,
    },
    /// Run rules over JSON-lines events; print one line per match.
    /// Appliquer des règles à des événements JSON ligne par ligne ; une ligne par détection.
    Test {
        /// A folder of rules or one rule file (repeat for several).
        #[arg(long, required = true)]
        rules: Vec<PathBuf>,
        /// Events, one JSON object per line.
        #[arg(long)]
        events: PathBuf,
    },
}

/// Loads every rule under `path`; returns the rules and the errors.
fn load(path: &Path) -> anyhow::Result<(Vec<SigmaRule>, Vec<RuleError>)> {
    let files = rule_files(path).with_context(|| format!("reading {}", path.display()))?;
    let mut rules = Vec::new();
    let mut errors = Vec::new();
    for file in &files {
        let (ok, bad) = load_file(file);
        rules.extend(ok);
        errors.extend(bad);
    }
    Ok((rules, errors))
}

/// Runs a rules subcommand; returns the process exit code.
pub fn run(command: RulesCommand) -> anyhow::Result<i32> {
    match command {
        RulesCommand::Check { path } => {
            let (rules, errors) = load(&path)?;
            let out = std::io::stdout();
            let mut out = out.lock();
            for rule in &rules {
                writeln!(out, "ok      {}  {}", rule.info.id, rule.info.title)?;
            }
            for error in &errors {
                writeln!(out, "FAILED  {error}")?;
            }
            writeln!(out, "loaded {}, failed {}", rules.len(), errors.len())?;
            Ok(if errors.is_empty() { 0 } else { 1 })
        }
        RulesCommand::Test {
            rules: paths,
            events,
        } => {
            let mut rules = Vec::new();
            let mut errors = Vec::new();
            for path in &paths {
                let (ok, bad) = load(path)?;
                rules.extend(ok);
                errors.extend(bad);
            }
            for error in &errors {
                eprintln!("rule not loaded / règle non chargée: {error}");
            }
            let rules = RuleSet::new(rules);
            let file = std::fs::File::open(&events)
                .with_context(|| format!("opening {}", events.display()))?;
            let mut matches = Vec::new();
            let mut index = 0usize;
            for (lineno, line) in std::io::BufReader::new(file).lines().enumerate() {
                let line = line.with_context(|| format!("{}:{}", events.display(), lineno + 1))?;
                if line.trim().is_empty() {
                    continue;
                }
                let event: serde_json::Map<String, serde_json::Value> = serde_json::from_str(&line)
                    .with_context(|| {
                        format!(
                            "{}:{}: not a JSON object / pas un objet JSON",
                            events.display(),
                            lineno + 1
                        )
                    })?;
                for rule in rules.matches(&event) {
                    matches.push((index, rule.info.id.clone()));
                }
                index += 1;
            }
            matches.sort();
            let out = std::io::stdout();
            let mut out = out.lock();
            for (event_index, rule_id) in matches {
                // The layout of the contract in DESIGN.md (and of the reference oracle).
                writeln!(
                    out,
                    "{{\"event_index\": {event_index}, \"rule_id\": {}}}",
                    serde_json::Value::String(rule_id)
                )?;
            }
            Ok(0)
        }
    }
}
