//! `vigie rules check` and `vigie rules test`: Sigma rules offline.

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use vigie_model::i18n::{say, Msg};

use anyhow::Context;
use clap::Subcommand;
use vigie_collector::rule_library::{load_file, rule_files};
use vigie_rules::sigma::{assemble, Limits, Parsed, RuleSet};

/// Rule subcommands.
#[derive(Subcommand)]
pub(crate) enum RulesCommand {
    /// Parse every rule and say which load and which do not (and why).
    /// Analyser chaque règle et dire lesquelles se chargent, lesquelles non (et pourquoi).
    Check {
        /// A folder of rules (searched recursively) or one rule file.
        path: PathBuf,
    },
    /// Run rules over JSON-lines events; print one line per match. Correlation rules
    /// use each event's `ts` (milliseconds), if it has one.
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

/// Loads every rule file under each of `paths`.
fn load(paths: &[PathBuf]) -> anyhow::Result<Parsed> {
    let mut all = Parsed::default();
    for path in paths {
        let files =
            rule_files(path).with_context(|| say(Msg::CliReading, &[("path", &path.display())]))?;
        for file in &files {
            let parsed = load_file(file);
            all.rules.extend(parsed.rules);
            all.correlations.extend(parsed.correlations);
            all.errors.extend(parsed.errors);
        }
    }
    Ok(all)
}

/// Runs a rules subcommand; returns the process exit code.
pub(crate) fn run(command: RulesCommand) -> anyhow::Result<i32> {
    match command {
        RulesCommand::Check { path } => check(&path),
        RulesCommand::Test { rules, events } => test(&rules, &events),
    }
}

fn check(path: &Path) -> anyhow::Result<i32> {
    let parsed = load(&[path.to_path_buf()])?;
    let out = std::io::stdout();
    let mut out = out.lock();
    for rule in &parsed.rules {
        writeln!(out, "ok      {}  {}", rule.info.id, rule.info.title)?;
    }
    for c in &parsed.correlations {
        writeln!(out, "ok      {}  {} (correlation)", c.info.id, c.info.title)?;
    }
    let loaded = parsed.rules.len() + parsed.correlations.len();
    let mut errors = parsed.errors;
    let (_, _, unresolved) = assemble(parsed.rules, parsed.correlations, Limits::default());
    let unresolved_count = unresolved.len();
    errors.extend(unresolved);
    for error in &errors {
        writeln!(out, "FAILED  {error}")?;
    }
    writeln!(
        out,
        "loaded {}, failed {}",
        loaded - unresolved_count,
        errors.len()
    )?;
    Ok(if errors.is_empty() { 0 } else { 1 })
}

fn test(paths: &[PathBuf], events: &Path) -> anyhow::Result<i32> {
    let parsed = load(paths)?;
    let (standalone, correlator, unresolved) =
        assemble(parsed.rules, parsed.correlations, Limits::default());
    for error in parsed.errors.iter().chain(&unresolved) {
        eprintln!("{}", say(Msg::CliRuleNotLoaded, &[("error", error)]));
    }
    let rules = RuleSet::new(standalone);
    let file = std::fs::File::open(events)
        .with_context(|| say(Msg::CliOpening, &[("path", &events.display())]))?;
    let mut matches = Vec::new();
    let mut index = 0usize;
    for (lineno, line) in std::io::BufReader::new(file).lines().enumerate() {
        let line = line.with_context(|| {
            say(
                Msg::CliLineOf,
                &[("path", &events.display()), ("line", &(lineno + 1))],
            )
        })?;
        if line.trim().is_empty() {
            continue;
        }
        let event: serde_json::Map<String, serde_json::Value> = serde_json::from_str(&line)
            .with_context(|| {
                say(
                    Msg::CliNotJsonObject,
                    &[("path", &events.display()), ("line", &(lineno + 1))],
                )
            })?;
        for rule in rules.matches(&event) {
            matches.push((index, rule.info.id.clone()));
        }
        if !correlator.is_empty() {
            let ts = event
                .get("ts")
                .and_then(serde_json::Value::as_u64)
                .unwrap_or(0);
            for (info, _, _) in correlator.observe(&event, ts) {
                matches.push((index, info.id.clone()));
            }
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
