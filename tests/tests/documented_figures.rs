//! Commands that documents show for figures, run exactly as written, and the figures
//! they print held to what the documents promise. (The `bench/` scripts take minutes
//! of the whole machine each; they are benchmarks, run by hand, not here.)

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
