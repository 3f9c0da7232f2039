//! A real journal, written by the test with `systemd-journal-remote` (Debian's package)
//! from entries in journald's export format: the agent follows it, turns each entry
//! into a log event once (sshd's with who and from where), starts at the journal's end
//! on its first run, and after a SIGKILL resumes from its cursor: entries written while
//! it was down arrive, none twice.

use std::path::Path;
use std::time::Duration;

use vigie_tests::{wait_for, Stack};

const JOURNAL_REMOTE: &str = "/lib/systemd/systemd-journal-remote";
const MESSAGE: &str = "visitParamExtractString(fields, 'Message')";

/// Appends entries to the journal file in `dir`, each `(identifier, message)`.
fn write_entries(dir: &Path, first: u64, entries: &[(&str, String)]) {
    assert!(
        Path::new(JOURNAL_REMOTE).exists(),
        "systemd-journal-remote is needed (scripts/test.sh installs it)"
    );
    let mut export = String::new();
    for (i, (identifier, message)) in entries.iter().enumerate() {
        let n = first + i as u64;
        export.push_str(&format!(
            "__REALTIME_TIMESTAMP={}\n__MONOTONIC_TIMESTAMP={n}\n_BOOT_ID=0123456789abcdef0123456789abcdef\n\
             _HOSTNAME=srv-test\nSYSLOG_IDENTIFIER={identifier}\n_PID={}\nPRIORITY=6\nMESSAGE={message}\n\n",
            1_764_692_707_000_000 + n * 1000,
            1000 + n
        ));
    }
    let file = dir.join("export");
    std::fs::write(&file, export).unwrap();
    let status = std::process::Command::new(JOURNAL_REMOTE)
        .arg(format!("--output={}", dir.join("remote.journal").display()))
        .arg(&file)
        .stderr(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
}

fn lines(range: std::ops::Range<u64>) -> Vec<(&'static str, String)> {
    range.map(|i| ("app", format!("entry {i:04}"))).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn journal_entries_once_across_a_kill_from_the_saved_cursor() {
    let stack = Stack::start("").await;
    let journal = stack.path("journal");
    std::fs::create_dir_all(&journal).unwrap();
    write_entries(
        &journal,
        0,
        &[("app", "history before the agent".to_string())],
    );
    let (config, mut agent) = stack
        .start_log_agent(&format!(
            "files = []\njournal = \"on\"\njournal_directory = \"{}\"\n",
            journal.display()
        ))
        .await;
    let cursor = stack.path("agent-data/journal-cursor.json");
    wait_for(
        "the journal's first look",
        Duration::from_secs(30),
        || async { cursor.exists().then_some(()) },
    )
    .await;
    // journalctl is following: entries written now are new.
    tokio::time::sleep(Duration::from_millis(500)).await;
    write_entries(&journal, 1, &lines(1..51));
    write_entries(
        &journal,
        51,
        &[(
            "sshd",
            "Failed password for invalid user admin from 203.0.113.9 port 50022 ssh2".to_string(),
        )],
    );
    let count = |pattern: &'static str| {
        let stack = &stack;
        async move {
            stack
                .count(&format!(
                    "SELECT count() FROM events WHERE category = 'log' AND {MESSAGE} LIKE '{pattern}'"
                ))
                .await
        }
    };
    wait_for("the first entries", Duration::from_secs(30), || async {
        (count("entry %").await == 50).then_some(())
    })
    .await;
    agent.kill();
    write_entries(&journal, 52, &lines(52..102));
    let _agent = stack.start_agent("agent", &config).await;
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while count("entry %").await < 100 {
        if std::time::Instant::now() > deadline {
            let log = std::fs::read_to_string(stack.path("agent.log")).unwrap_or_default();
            let saved = std::fs::read_to_string(&cursor).unwrap_or_default();
            panic!(
                "{} of 100 entries after the restart\ncursor: {saved}\nagent log:\n{log}",
                count("entry %").await
            );
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(count("entry %").await, 100, "an entry was stored twice");
    let distinct = stack
        .count(&format!(
            "SELECT uniqExact({MESSAGE}) FROM events WHERE {MESSAGE} LIKE 'entry %'"
        ))
        .await;
    assert_eq!(distinct, 100);
    assert_eq!(count("history%").await, 0, "a first run starts at the end");
    let sshd =
        "SELECT count() FROM events WHERE visitParamExtractString(fields, 'service') = 'sshd' \
                AND visitParamExtractString(fields, 'Outcome') = 'failure' \
                AND visitParamExtractString(fields, 'SourceIp') = '203.0.113.9' \
                AND visitParamExtractString(fields, 'TargetUser') = 'admin'";
    assert_eq!(stack.count(sshd).await, 1);
}
