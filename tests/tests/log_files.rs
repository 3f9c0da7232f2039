//! Log lines followed while the file is rotated every way (renamed with the writer still
//! writing to the old file, copied and truncated, renamed and compressed) and while the
//! agent is killed with SIGKILL and restarted: every line is stored exactly once.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::Path;
use std::time::Duration;

use vigie_tests::{wait_for, Stack};

const MESSAGE: &str = "visitParamExtractString(fields, 'Message')";

fn line(i: usize) -> String {
    format!("Dec  2 10:00:00 host app[42]: line {i:05}\n")
}

fn append(path: &Path) -> File {
    OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .unwrap()
}

fn write_lines(file: &mut File, lines: std::ops::Range<usize>) {
    for i in lines {
        file.write_all(line(i).as_bytes()).unwrap();
    }
    file.flush().unwrap();
}

fn run(command: &str, args: &[&Path]) {
    let status = std::process::Command::new(command)
        .args(args)
        .status()
        .unwrap();
    assert!(status.success(), "{command} {args:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn every_line_once_across_rotations_and_kills() {
    let stack = Stack::start("").await;
    let logs = stack.path("logs");
    std::fs::create_dir_all(&logs).unwrap();
    let log = logs.join("app.log");
    let rotated = |n: u32| logs.join(format!("app.log.{n}"));
    std::fs::write(
        &log,
        "Dec  2 09:00:00 host app[42]: history before the agent\n",
    )
    .unwrap();
    let (config, mut agent) = stack
        .start_log_agent(&format!(
            "poll_ms = 20\n\n[[logs.files]]\npath = \"{}\"\n",
            log.display()
        ))
        .await;

    // Plain appends.
    let mut writer = append(&log);
    write_lines(&mut writer, 0..300);
    tokio::time::sleep(Duration::from_millis(200)).await;

    // Renamed while the daemon still writes to the old file, then a new file.
    std::fs::rename(&log, rotated(1)).unwrap();
    write_lines(&mut writer, 300..340);
    let mut writer = append(&log);
    write_lines(&mut writer, 340..600);

    // Killed mid-stream; copied and truncated while it is down.
    agent.kill();
    write_lines(&mut writer, 600..700);
    std::fs::rename(rotated(1), rotated(2)).unwrap();
    std::fs::copy(&log, rotated(1)).unwrap();
    writer.set_len(0).unwrap();
    write_lines(&mut writer, 700..800);
    let mut agent = stack.start_agent("agent", &config).await;
    write_lines(&mut writer, 800..1000);
    tokio::time::sleep(Duration::from_millis(300)).await;

    // Killed again; renamed and compressed while it is down, a new file begun.
    agent.kill();
    write_lines(&mut writer, 1000..1100);
    std::fs::rename(rotated(2), rotated(3)).unwrap();
    std::fs::rename(rotated(1), rotated(2)).unwrap();
    std::fs::rename(&log, rotated(1)).unwrap();
    run("gzip", &[&rotated(1)]);
    let mut writer = append(&log);
    write_lines(&mut writer, 1100..1200);
    let agent = stack.start_agent("agent", &config).await;

    // Copied and truncated while it runs, and lines flowing throughout.
    write_lines(&mut writer, 1200..1400);
    tokio::time::sleep(Duration::from_millis(300)).await;
    std::fs::copy(&log, logs.join("app.log-20261202")).unwrap();
    writer.set_len(0).unwrap();
    write_lines(&mut writer, 1400..1600);

    let total = 1600;
    let distinct = format!(
        "SELECT uniqExact({MESSAGE}) FROM events WHERE category = 'log' AND {MESSAGE} LIKE 'line %'"
    );
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while stack.count(&distinct).await < total && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let stored: Vec<String> = stack
        .client
        .query(&format!(
            "SELECT {MESSAGE} FROM events WHERE category = 'log' AND {MESSAGE} LIKE 'line %'"
        ))
        .fetch_all()
        .await
        .unwrap();
    let missing: Vec<usize> = (0..total as usize)
        .filter(|i| !stored.contains(&format!("line {i:05}")))
        .collect();
    if !missing.is_empty() {
        let log = std::fs::read_to_string(stack.path("agent.log")).unwrap_or_default();
        let positions = std::fs::read_to_string(stack.path("agent-data/log-positions.json"))
            .unwrap_or_default();
        panic!("lines never stored: {missing:?}\npositions: {positions}\nagent log:\n{log}");
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let all =
        format!("SELECT count() FROM events WHERE category = 'log' AND {MESSAGE} LIKE 'line %'");
    assert_eq!(stack.count(&all).await, total, "a line was stored twice");
    assert_eq!(
        stack
            .count(&format!(
                "SELECT count() FROM events WHERE {MESSAGE} LIKE '%history%'"
            ))
            .await,
        0,
        "what was in the file before the agent's first start is not sent"
    );
    // A truncation with a copy is a rotation, not a cleared log.
    assert_eq!(
        stack
            .count("SELECT count() FROM events WHERE fields LIKE '%\"LogTruncated\":true%'")
            .await,
        0
    );
    // The lines carry their service and program.
    assert_eq!(
        stack
            .count(&format!(
                "SELECT count() FROM events WHERE {MESSAGE} = 'line 00007' \
                 AND visitParamExtractString(fields, 'Program') = 'app' \
                 AND visitParamExtractString(fields, 'service') = 'syslog'"
            ))
            .await,
        1
    );
    drop(agent);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_log_cleared_by_hand_is_reported() {
    let stack = Stack::start("").await;
    let log = stack.path("auth.log");
    let _agent = stack
        .start_log_agent(&format!(
            "poll_ms = 20\n\n[[logs.files]]\npath = \"{}\"\n",
            log.display()
        ))
        .await;
    // Absent at start: read from its first line once it appears.
    let mut writer = append(&log);
    writer
        .write_all(b"Dec  2 10:00:00 host sshd[9]: Accepted password for alice from 198.51.100.4 port 5000 ssh2\n")
        .unwrap();
    wait_for("the login line", Duration::from_secs(30), || async {
        let sql =
            "SELECT count() FROM events WHERE visitParamExtractString(fields, 'service') = 'sshd' \
                   AND visitParamExtractString(fields, 'Outcome') = 'success' \
                   AND visitParamExtractString(fields, 'SourceIp') = '198.51.100.4'";
        (stack.count(sql).await == 1).then_some(())
    })
    .await;
    // An intruder empties the log (`> /var/log/auth.log`).
    writer.set_len(0).unwrap();
    wait_for(
        "the cleared log reported",
        Duration::from_secs(30),
        || async {
            let sql = "SELECT count() FROM events WHERE fields LIKE '%\"LogTruncated\":true%' \
                   AND visitParamExtractString(fields, 'service') = 'auth'";
            (stack.count(sql).await == 1).then_some(())
        },
    )
    .await;
}
