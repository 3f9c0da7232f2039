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

    // The managed ClickHouse answers nobody without a password: reaching its port does
    // not give the users' password hashes (issue #12, finding 3).
    let url = std::fs::read_to_string(data.join("clickhouse/url")).unwrap();
    let ch_port: u16 = url.trim().rsplit(':').next().unwrap().parse().unwrap();
    let stolen = http(
        ch_port,
        "POST",
        "/",
        &[],
        "SELECT username, password_hash FROM vigie.users",
    );
    assert_ne!(stolen.status, 200, "{}", stolen.body);
    assert!(!stolen.body.contains("admin"), "{}", stolen.body);
    for user in ["vigie_collector", "vigie_dashboard", "vigie_cli"] {
        use std::os::unix::fs::PermissionsExt;
        let file = data.join(format!("clickhouse/credentials/{user}.password"));
        let mode = std::fs::metadata(&file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "{}", file.display());
        let password = std::fs::read_to_string(&file).unwrap();
        let answer = http(
            ch_port,
            "POST",
            "/",
            &[("X-ClickHouse-User", user), ("X-ClickHouse-Key", &password)],
            "SELECT count() FROM vigie.users",
        );
        assert_eq!(answer.status, 200, "{user}: {}", answer.body);
    }
    // The command line finds the server `vigie up` runs, with its own user.
    let verify = std::process::Command::new(bin("vigie"))
        .args(["audit", "verify"])
        .env("VIGIE_DATA_DIR", &data)
        .env("VIGIE_LANG", "en")
        .output()
        .unwrap();
    assert!(
        verify.status.success(),
        "{}{}",
        String::from_utf8_lossy(&verify.stdout),
        String::from_utf8_lossy(&verify.stderr)
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
