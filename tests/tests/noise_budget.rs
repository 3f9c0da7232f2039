//! The noise budget: an ordinary day's administration on a server watched by an agent
//! with every sensor on and the default watched paths (`/etc`, `/usr/bin`…), through the
//! collector and the built-in rules, raises at most [`BUDGET`] alerts, none high or
//! critical. The day: a package installed from the repositories then purged (a system
//! account, a group, a socket unit, a setgid folder and programs under `/usr/bin`
//! appear and go), the daily maintenance jobs, an administrator's sudo session, a log
//! rotated and compressed, and Vigie's own collector and ClickHouse at work. (A web
//! server's ordinary traffic is the near miss of `log_web.rs`, which asserts it raises
//! nothing.) Needs root and the Debian archive reachable by apt, as CI has.

use std::process::{Command, Stdio};
use std::time::Duration;

use vigie_tests::{wait_for, wait_for_log, Stack};

/// Most alerts the day may raise.
const BUDGET: u64 = 3;
/// A small package whose installation does what installations do: it adds the system
/// account `uuidd`, a socket unit, a setgid folder and three programs.
const PACKAGE: &str = "uuid-runtime";

fn run(program: &str, args: &[&str]) {
    let out = Command::new(program)
        .args(args)
        .env("DEBIAN_FRONTEND", "noninteractive")
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("{program} runs: {e}"));
    assert!(
        out.status.success(),
        "{program} {args:?}: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_ordinary_day_of_administration_stays_within_the_noise_budget() {
    let stack = Stack::start("").await;
    let data = stack.path("agent-data");
    let config = stack.path("agent.toml");
    // The defaults of every sensor, as a ministry's server runs them.
    std::fs::write(
        &config,
        format!(
            "data_dir = \"{}\"\n\n[collector]\nurl = \"{}\"\nca_file = \"{}\"\nenrollment_token = \"{}\"\n\n\
             [batch]\nflush_ms = 100\n",
            data.display(),
            stack.collector_url(),
            stack.ca.display(),
            stack.token().await,
        ),
    )
    .unwrap();
    // A run stopped half-way may have left the package: purged before the agent counts.
    let installed = Command::new("dpkg")
        .args(["-s", PACKAGE])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap()
        .success();
    if installed {
        run("apt-get", &["purge", "-y", PACKAGE]);
    }
    let _agent = stack.start_agent("agent", &config).await;
    let log = stack.path("agent.log");
    wait_for_log(
        &log,
        "reads of sensitive files, from eBPF",
        Duration::from_secs(30),
    )
    .await;

    // A package from the repositories, installed then purged.
    run(
        "apt-get",
        &["install", "-y", "--no-install-recommends", PACKAGE],
    );
    run("apt-get", &["purge", "-y", PACKAGE]);

    // The daily jobs (apt-compat sleeps up to half an hour before it works: left out).
    run(
        "run-parts",
        &[
            "--regex",
            "^(dpkg|logrotate|man-db|passwd)$",
            "/etc/cron.daily",
        ],
    );
    // An administrator's session.
    run("sudo", &["-u", "nobody", "id"]);
    run("sudo", &["-l"]);
    run("su", &["-s", "/bin/sh", "-c", "id", "nobody"]);
    // A log rotated and compressed.
    let logs = stack.path("app-logs");
    std::fs::create_dir_all(&logs).unwrap();
    std::fs::write(logs.join("app.log"), "started\n".repeat(1000)).unwrap();
    let rotate = stack.path("logrotate.conf");
    std::fs::write(
        &rotate,
        format!(
            "{}/app.log {{\n  rotate 3\n  compress\n  create 0640 root root\n}}\n",
            logs.display()
        ),
    )
    .unwrap();
    run(
        "logrotate",
        &[
            "-f",
            "-s",
            stack.path("logrotate.state").to_str().unwrap(),
            rotate.to_str().unwrap(),
        ],
    );

    // Everything the agent saw is stored once a marker run last is.
    let marker = format!("vigie-noise-done-{}", std::process::id());
    run("/bin/sh", &["-c", &format!("true {marker}")]);
    let sql = format!(
        "SELECT count() FROM events WHERE category = 'process_creation' AND fields LIKE '%{marker}%'"
    );
    wait_for(
        "the day's events stored",
        Duration::from_secs(60),
        || async { (stack.count(&sql).await > 0).then_some(()) },
    )
    .await;
    // Correlations and the last file changes settle.
    tokio::time::sleep(Duration::from_secs(3)).await;

    let alerts: Vec<(String, String, String)> = stack
        .client
        .query("SELECT severity, rule_title, summary FROM alerts ORDER BY ts")
        .fetch_all()
        .await
        .unwrap();
    let installs = "SELECT count() FROM events WHERE fields LIKE '%\"PackageManager\"%'";
    assert!(
        stack.count(installs).await > 10,
        "the installation was seen (and marked) by the sensors"
    );
    let serious: Vec<_> = alerts
        .iter()
        .filter(|(severity, _, _)| severity == "high" || severity == "critical")
        .collect();
    assert!(serious.is_empty(), "high or critical alerts: {serious:#?}");
    assert!(
        alerts.len() as u64 <= BUDGET,
        "{} alerts, over the budget of {BUDGET}: {alerts:#?}",
        alerts.len()
    );
    println!("alerts raised by the day: {}", alerts.len());
    for (severity, title, summary) in &alerts {
        println!("  {severity} {title}: {summary}");
    }
}
