//! `vigie up` runs the whole thing on one machine and Ctrl-C stops all of it.

use std::time::Duration;

use vigie_tests::{bin, free_port, http, sign_in, wait_for, wait_for_log, Process};

fn clickhouse_children(parent: u32) -> Vec<u32> {
    std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
            let after = stat
                .rsplit_once(')')
                .map(|(_, r)| r.to_string())
                .unwrap_or_default();
            let ppid = after
                .split_whitespace()
                .nth(1)
                .and_then(|p| p.parse::<u32>().ok());
            ppid == Some(parent) && stat.contains("clickhouse")
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn vigie_up_serves_alerts_and_stops_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let watched = dir.path().join("watched");
    std::fs::create_dir_all(&watched).unwrap();
    let (dashboard_port, collector_port) = (free_port(), free_port());
    let log = dir.path().join("up.log");
    let data = dir.path().join("var");
    let mut up = Process::spawn(
        "vigie up",
        &bin("vigie"),
        &["up"],
        &[
            ("VIGIE_DATA_DIR", data.to_str().unwrap()),
            ("VIGIE_WATCH", watched.to_str().unwrap()),
            ("VIGIE_ADMIN_PASSWORD", "up-password"),
            (
                "VIGIE_DASHBOARD_ADDR",
                &format!("127.0.0.1:{dashboard_port}"),
            ),
            (
                "VIGIE_COLLECTOR_ADDR",
                &format!("127.0.0.1:{collector_port}"),
            ),
        ],
        &log,
    );
    wait_for_log(&log, "file baseline ready", Duration::from_secs(120)).await;
    wait_for_log(&log, "Ctrl-C", Duration::from_secs(10)).await;
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(
        text.contains(&format!("http://127.0.0.1:{dashboard_port}")),
        "prints the URL: {text}"
    );
    assert!(
        text.contains("admin / up-password"),
        "prints the login: {text}"
    );
    let pid = up.pid().expect("running");
    assert_eq!(clickhouse_children(pid).len(), 1, "one managed ClickHouse");

    std::fs::write(watched.join("hello.txt"), "hello").unwrap();
    let session = sign_in(dashboard_port, "admin", "up-password");
    for _ in 0..150 {
        let r = http(
            dashboard_port,
            "GET",
            "/api/v1/alerts",
            &[("Cookie", &session)],
            "",
        );
        if r.body.contains("hello.txt") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let r = http(
        dashboard_port,
        "GET",
        "/api/v1/alerts",
        &[("Cookie", &session)],
        "",
    );
    assert!(
        r.body.contains("hello.txt"),
        "no alert in {}\nlog: {}",
        r.body,
        std::fs::read_to_string(&log).unwrap()
    );

    // Ctrl-C: everything stops, ClickHouse included.
    up.stop_with(libc::SIGINT);
    assert!(!up.running());
    wait_for("ClickHouse to be gone", Duration::from_secs(20), || async {
        let left = std::fs::read_dir("/proc")
            .unwrap()
            .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
            .any(|p| {
                std::fs::read_to_string(format!("/proc/{p}/cmdline"))
                    .unwrap_or_default()
                    .contains(data.join("clickhouse").to_str().unwrap())
            });
        (!left).then_some(())
    })
    .await;
    assert!(std::fs::read_to_string(&log).unwrap().contains("Stopping"));
}
