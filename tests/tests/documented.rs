//! What documents show, checked as written: commands run (and the figures they print
//! held to what the documents promise), configuration examples read by the programs.
//! (The `bench/` scripts take minutes of the whole machine each; they are benchmarks,
//! run by hand, not here.)

use std::path::Path;
use std::process::Command;

/// The workspace's root.
fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ is in the workspace")
}

/// The command in backquotes that `doc` shows after `lead`.
fn shown_command(doc: &str, lead: &str) -> String {
    let text = std::fs::read_to_string(root().join(doc)).expect("document exists");
    let start = text
        .find(lead)
        .unwrap_or_else(|| panic!("{doc} shows `{lead}…`"));
    let command = &text[start..];
    command[..command.find('`').expect("closing backquote")].to_string()
}

#[test]
fn the_wire_format_figures_run_as_documented_and_keep_file_events_under_40_bytes() {
    let lead = "cargo run -p vigie-model --example wire_bytes";
    for doc in ["docs/wire-format.md", "docs/wire-format.fr.md"] {
        assert_eq!(shown_command(doc, lead), lead, "{doc}");
    }
    // Cargo releases its build lock before running tests: the nested build may proceed.
    let out = Command::new("sh")
        .arg("-c")
        .arg(lead)
        .current_dir(root())
        .output()
        .expect("cargo runs");
    let printed = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{printed}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let figure = |line_start: &str| -> f64 {
        let line = printed
            .lines()
            .find(|l| l.starts_with(line_start))
            .unwrap_or_else(|| panic!("no line {line_start:?} in:\n{printed}"));
        let after = &line[line.find("current").expect("current figure") + 7..];
        after.split_whitespace().next().unwrap().parse().unwrap()
    };
    for line in [
        "file         batches of  1000",
        "file created batches of  1000",
    ] {
        let bytes = figure(line);
        assert!(
            bytes <= 40.0,
            "{line}: {bytes} bytes per event, promised ≤ 40"
        );
    }
}

/// The ```toml blocks of `doc`.
fn toml_blocks(doc: &str) -> Vec<String> {
    let text = std::fs::read_to_string(root().join(doc)).expect("document exists");
    text.split("```toml\n")
        .skip(1)
        .map(|block| block[..block.find("```").expect("closing fence")].to_string())
        .collect()
}

#[test]
fn the_notification_settings_documented_are_read_as_written_and_mistakes_named() {
    for doc in ["docs/notifications.md", "docs/notifications.fr.md"] {
        let blocks = toml_blocks(doc);
        assert_eq!(blocks.len(), 1, "{doc}");
        let config = vigie_collector::config::CollectorConfig::from_toml(&blocks[0])
            .unwrap_or_else(|e| panic!("{doc}: {e:#}"));
        let names: Vec<&str> = config
            .notify
            .channels
            .iter()
            .map(|c| c.name.as_str())
            .collect();
        assert_eq!(names, ["soc-mail", "ticketing", "cert-siem"], "{doc}");
        // The mistake the page quotes, with the message it quotes.
        let wrong = blocks[0].replace("to = [\"soc@ministere.example\"]", "to = []");
        let e = vigie_collector::config::CollectorConfig::from_toml(&wrong).unwrap_err();
        assert_eq!(
            e.to_string(),
            "notify.channels \"soc-mail\": smtp.to: no recipient"
        );
        let text = std::fs::read_to_string(root().join(doc))
            .unwrap()
            .replace('\n', " ");
        assert!(
            text.contains("`notify.channels \"soc-mail\": smtp.to: no recipient`"),
            "{doc} quotes the message"
        );
    }
}

#[test]
fn the_agent_settings_in_the_readme_are_read_as_written() {
    let blocks = toml_blocks("README.md");
    let agent = blocks
        .iter()
        .find(|b| b.contains("[fim]"))
        .expect("the agent's settings");
    let config = vigie_model::agent_config::AgentConfig::from_toml(agent)
        .unwrap_or_else(|e| panic!("README.md: {e}"));
    config
        .validate()
        .unwrap_or_else(|e| panic!("README.md: {e}"));
    assert_eq!(config.logs.files.len(), 1, "the example replaces the list");
    assert_eq!(config.logs.files[0].path, "/var/log/auth.log");
    assert_eq!(config.reads.paths.len(), 4, "the example replaces the list");
    for doc in ["docs/sensors.md", "docs/sensors.fr.md"] {
        let blocks = toml_blocks(doc);
        let reads = blocks
            .iter()
            .find(|b| b.contains("[reads]"))
            .unwrap_or_else(|| panic!("{doc}: the [reads] example"));
        let config = vigie_model::agent_config::AgentConfig::from_toml(reads)
            .unwrap_or_else(|e| panic!("{doc}: {e}"));
        config.validate().unwrap_or_else(|e| panic!("{doc}: {e}"));
        assert_eq!(config.reads.paths.len(), 3, "{doc}");
    }
    // The package's file too.
    let packaged = std::fs::read_to_string(root().join("packaging/etc/agent.toml")).unwrap();
    let config = vigie_model::agent_config::AgentConfig::from_toml(&packaged).unwrap();
    config.validate().unwrap();
    assert!(
        config.logs.enabled && config.logs.files.len() > 5,
        "the defaults"
    );
    assert!(
        config.reads.enabled && config.reads.paths.len() > 10,
        "the defaults"
    );
}

/// The rows of the coverage table in `doc`: (technique column, rule column).
fn coverage_rows(doc: &str) -> Vec<(String, String)> {
    let text = std::fs::read_to_string(root().join(doc)).expect("document exists");
    text.lines()
        .filter(|l| l.starts_with("| T1"))
        .map(|l| {
            let cells: Vec<&str> = l.split('|').map(str::trim).collect();
            (cells[1].to_string(), cells[2].to_string())
        })
        .collect()
}

#[test]
fn the_coverage_tables_follow_the_pack() {
    let pack = vigie_rules::pack::load();
    let infos: Vec<&vigie_rules::RuleInfo> = pack
        .rules
        .iter()
        .map(|r| &*r.info)
        .chain(pack.correlations.iter().map(|c| &*c.info))
        .filter(|i| i.level != vigie_rules::Severity::Informational)
        .collect();
    for (doc, french) in [("docs/detection.md", false), ("docs/detection.fr.md", true)] {
        let rows = coverage_rows(doc);
        let mut missing = Vec::new();
        for info in &infos {
            let title = if french { &info.title_fr } else { &info.title };
            let techniques: Vec<String> = info
                .tags
                .iter()
                .filter_map(|t| t.strip_prefix("attack.t"))
                .map(|t| format!("T{}", t.to_uppercase()))
                .collect();
            // Titles listed after the first may start lower case.
            let title_lower = title.to_lowercase();
            let row = rows
                .iter()
                .find(|(_, rules)| rules.to_lowercase().contains(&title_lower));
            match row {
                None => missing.push(title.clone()),
                Some((named, _)) => assert!(
                    techniques.iter().any(|t| named.contains(t.as_str())),
                    "{doc}: the row of {title:?} names none of its techniques {techniques:?}"
                ),
            }
        }
        assert!(
            missing.is_empty(),
            "{doc}: rules missing from the table: {missing:#?}"
        );
        // And every row is about rules the pack has.
        for (technique, rules) in &rows {
            assert!(
                infos.iter().any(|i| {
                    let title = if french { &i.title_fr } else { &i.title };
                    rules.to_lowercase().contains(&title.to_lowercase())
                }),
                "{doc}: the row {technique:?} names no rule of the pack: {rules:?}"
            );
        }
    }
}
