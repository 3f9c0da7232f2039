//! SIGHUP reloads the collector's and the dashboard's configuration: a bad file is
//! reported with its line and changes nothing; a good one takes effect without a restart
//! (a new rule folder's rules run), and what needs a restart is said so.

use std::time::Duration;

use vigie_tests::{http, wait_for, wait_for_log, Stack};

const RULE: &str = "title: Reload test\nid: 11111111-2222-3333-4444-555555555555\nlogsource: {category: file_event}\ndetection:\n  sel:\n    TargetFilename: /etc/reload-test\n  condition: sel\n";

fn hangup(pid: u32) {
    vigie_tests::send_signal(pid, libc::SIGHUP);
}

async fn log_count(path: &std::path::Path, needle: &str) -> usize {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .matches(needle)
        .count()
}

#[tokio::test(flavor = "multi_thread")]
async fn sighup_reloads_or_reports_and_keeps_running() {
    let mut stack = Stack::start("").await;
    let config = stack.path("collector.toml");
    let log = stack.path("collector.log");
    let pid = stack.collector.as_ref().unwrap().pid().unwrap();
    let good = std::fs::read_to_string(&config).unwrap();

    // A broken file: reported with its line, nothing changes, the collector runs on.
    std::fs::write(&config, format!("{good}\nthis line is not TOML\n")).unwrap();
    hangup(pid);
    wait_for_log(&log, "configuration not reloaded", Duration::from_secs(10)).await;
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(text.contains("line"), "the error names the line: {text}");
    assert!(stack.collector.as_mut().unwrap().running());

    // A good file with a rule folder: its rule runs, no restart.
    let rules = stack.path("rules");
    std::fs::create_dir_all(&rules).unwrap();
    std::fs::write(rules.join("reload.yml"), RULE).unwrap();
    let moved = good.replace("listen = \"127.0.0.1:", "listen = \"127.0.0.2:");
    std::fs::write(
        &config,
        format!("{moved}\nrules_dirs = [\"{}\"]\n", rules.display()),
    )
    .unwrap();
    hangup(pid);
    wait_for_log(&log, "configuration reloaded", Duration::from_secs(10)).await;
    wait_for(
        "the new folder's rule in force",
        Duration::from_secs(15),
        || async {
            let text = std::fs::read_to_string(&log).unwrap_or_default();
            text.lines()
                .any(|l| l.contains("rules in force") && l.contains("from_folders=1"))
                .then_some(())
        },
    )
    .await;
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(
        text.lines()
            .any(|l| l.contains("takes effect at the next restart") && l.contains("listen")),
        "{text}"
    );
    assert!(stack.collector.as_mut().unwrap().running());
    // Still serving agents on the address it started with.
    let token = stack.token().await;
    let client = stack.agent_client();
    vigie_agent::enroll::register(&client, &token, "after-reload", &stack.path("id.json"))
        .await
        .expect("the collector still enrolls");

    // The dashboard too.
    let dashboard = stack.start_dashboard("reload-password-1").await;
    let dash_config = stack.path("dashboard.toml");
    let dash_log = stack.path("dashboard.log");
    let before = log_count(&dash_log, "configuration reloaded").await;
    let text = std::fs::read_to_string(&dash_config).unwrap();
    std::fs::write(
        &dash_config,
        format!("{text}group_window_minutes = 15\nsession_hours = 2\n"),
    )
    .unwrap();
    hangup(dashboard.process.pid().unwrap());
    wait_for(
        "the dashboard reloaded",
        Duration::from_secs(10),
        || async { (log_count(&dash_log, "configuration reloaded").await > before).then_some(()) },
    )
    .await;
    let text = std::fs::read_to_string(&dash_log).unwrap();
    assert!(
        text.lines()
            .any(|l| l.contains("session_hours") && l.contains("next restart")),
        "{text}"
    );
    assert_eq!(http(dashboard.port, "GET", "/healthz", &[], "").status, 200);
}

/// The agent rereads its file on SIGHUP and restarts its sensors with it: a newly
/// watched folder is recorded as one baseline event (not a change per file it holds) and
/// reports at once, with the process behind each change (the who-data reader is kept,
/// not loaded again), the old one goes on without reporting anything twice.
#[tokio::test(flavor = "multi_thread")]
async fn the_agent_applies_a_new_watch_list_on_sighup() {
    let stack = Stack::start("").await;
    let first = stack.path("first");
    let second = stack.path("second");
    std::fs::create_dir_all(&first).unwrap();
    std::fs::create_dir_all(&second).unwrap();
    std::fs::write(first.join("old.txt"), "old").unwrap();
    let config = stack.agent_config("agent", &first, "", "").await;
    let mut agent = stack.start_agent("agent", &config).await;
    let log = stack.path("agent.log");
    std::fs::write(first.join("a.txt"), "a").unwrap();
    let created = |name: &'static str| {
        let stack = &stack;
        async move {
            let sql = format!(
                "SELECT count() FROM events WHERE action = 'created' AND target LIKE '%/{name}'"
            );
            (stack.count(&sql).await > 0).then_some(())
        }
    };
    wait_for("a.txt", Duration::from_secs(30), || created("a.txt")).await;

    // A bad file first: reported, the agent runs on.
    let good = std::fs::read_to_string(&config).unwrap();
    std::fs::write(&config, format!("{good}\n[fim\n")).unwrap();
    hangup(agent.pid().unwrap());
    wait_for_log(&log, "configuration not reloaded", Duration::from_secs(10)).await;
    assert!(agent.running());

    // Now the second folder as well, which already holds files: a starting point, not
    // 30 changes.
    for i in 0..30 {
        std::fs::write(second.join(format!("pre{i}.conf")), format!("{i}")).unwrap();
    }
    std::fs::write(
        &config,
        format!(
            "{good}\n[[fim.paths]]\npath = \"{}\"\nseverity = \"low\"\n",
            second.display()
        ),
    )
    .unwrap();
    hangup(agent.pid().unwrap());
    wait_for_log(&log, "sensors restarted", Duration::from_secs(20)).await;
    // The log already says "file baseline ready" from the start: wait for the new
    // folder's baseline itself (a file written during that walk is part of it).
    wait_for("the baseline event", Duration::from_secs(30), || async {
        let n = stack
            .count(
                "SELECT count() FROM events WHERE action = 'baseline' AND target LIKE '%/second'",
            )
            .await;
        (n == 1).then_some(())
    })
    .await;
    let marker = format!("vigie-reload-{}", std::process::id());
    let wrote = std::process::Command::new("/bin/sh")
        .arg("-c")
        .arg(format!(
            "echo b > {} # {marker}",
            second.join("b.txt").display()
        ))
        .status()
        .unwrap();
    assert!(wrote.success());
    std::fs::write(first.join("c.txt"), "c").unwrap();
    wait_for("b.txt", Duration::from_secs(30), || created("b.txt")).await;
    let with_process = format!(
        "SELECT count() FROM events WHERE action = 'created' AND target LIKE '%/b.txt' \
         AND fields LIKE '%{marker}%'"
    );
    assert_eq!(
        stack.count(&with_process).await,
        1,
        "the change right after the reload names its process"
    );
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(
        text.contains("the running reader follows the new watch list"),
        "the who-data reader was loaded again:\n{text}"
    );
    wait_for("c.txt", Duration::from_secs(30), || created("c.txt")).await;
    let baseline = stack
        .count("SELECT count() FROM events WHERE action = 'baseline' AND target LIKE '%/second' AND fields LIKE '%\"Files\":30%'")
        .await;
    assert_eq!(
        baseline, 1,
        "one baseline event for the newly watched folder"
    );
    assert_eq!(
        stack
            .count("SELECT count() FROM events WHERE target LIKE '%/second/pre%'")
            .await,
        0,
        "files already in a newly watched folder are not reported one by one"
    );
    assert_eq!(
        stack
            .count("SELECT count() FROM alerts WHERE target LIKE '%/second/pre%' OR target LIKE '%/second'")
            .await,
        0,
        "a baseline raises no alert"
    );
    for name in ["old.txt", "a.txt"] {
        let sql = format!(
            "SELECT count() FROM events WHERE action = 'created' AND target LIKE '%/{name}'"
        );
        assert!(
            stack.count(&sql).await <= 1,
            "{name} reported twice after the reload"
        );
    }
    assert!(agent.running());
}
