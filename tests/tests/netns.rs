//! A connection between two network namespaces joined by veth (the test makes them):
//! the agent in the first sees the connection it opens to the second, with the right
//! ports, direction and program. Needs root and iproute2, as CI has.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use vigie_tests::bin;

/// Two namespaces joined by a veth pair, removed on drop.
struct Link {
    a: String,
    b: String,
}

fn ip(args: &[&str]) {
    let status = Command::new("ip")
        .args(args)
        .status()
        .expect("ip (iproute2) runs");
    assert!(status.success(), "ip {args:?} failed");
}

impl Link {
    fn new() -> Link {
        let tag = std::process::id() % 100_000;
        let (a, b) = (format!("vga{tag}"), format!("vgb{tag}"));
        ip(&["netns", "add", &a]);
        ip(&["netns", "add", &b]);
        ip(&[
            "link",
            "add",
            &format!("{a}v"),
            "netns",
            &a,
            "type",
            "veth",
            "peer",
            "name",
            &format!("{b}v"),
            "netns",
            &b,
        ]);
        ip(&[
            "-n",
            &a,
            "addr",
            "add",
            "10.231.7.1/30",
            "dev",
            &format!("{a}v"),
        ]);
        ip(&[
            "-n",
            &b,
            "addr",
            "add",
            "10.231.7.2/30",
            "dev",
            &format!("{b}v"),
        ]);
        for ns in [&a, &b] {
            ip(&["-n", ns, "link", "set", "lo", "up"]);
        }
        ip(&["-n", &a, "link", "set", &format!("{a}v"), "up"]);
        ip(&["-n", &b, "link", "set", &format!("{b}v"), "up"]);
        Link { a, b }
    }
}

impl Drop for Link {
    fn drop(&mut self) {
        let _ = Command::new("ip").args(["netns", "del", &self.a]).status();
        let _ = Command::new("ip").args(["netns", "del", &self.b]).status();
    }
}

#[test]
fn a_connection_between_namespaces_is_reported_once_with_its_direction() {
    let link = Link::new();
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("agent.toml");
    std::fs::write(
        &config,
        format!(
            "[process]\nenabled = false\nlisteners = false\n\n[network]\ninterfaces = [\"{}v\"]\n",
            link.a
        ),
    )
    .unwrap();

    // A server in namespace b.
    let mut server = Command::new("ip")
        .args(["netns", "exec", &link.b, "python3", "-c"])
        .arg("import socket\ns=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('10.231.7.2', 8443)); s.listen()\nprint('ready', flush=True)\nc,_=s.accept(); c.recv(10)")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut ready = String::new();
    BufReader::new(server.stdout.take().unwrap())
        .read_line(&mut ready)
        .unwrap();

    // The agent in namespace a.
    let mut agent = Command::new("ip")
        .args(["netns", "exec", &link.a])
        .arg(bin("vigie-agent"))
        .args(["--print", "--config"])
        .arg(&config)
        .env("VIGIE_WATCH", dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = agent.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel::<Value>();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Ok(v) = serde_json::from_str::<Value>(&line) {
                let wanted =
                    v["category"] == "network_connection" || v["category"] == "network_flow";
                if wanted && tx.send(v).is_err() {
                    return;
                }
            }
        }
    });
    let mut lines = BufReader::new(agent.stderr.take().unwrap()).lines();
    while let Some(Ok(line)) = lines.next() {
        if line.contains("network capture started") {
            assert!(line.contains("interfaces=1"), "{line}");
            break;
        }
    }
    std::thread::spawn(move || for _ in lines {});

    // A client in namespace a connects (retrying until the capture is live).
    let started = Instant::now();
    let mut found = None;
    while found.is_none() && started.elapsed() < Duration::from_secs(20) {
        let client = Command::new("ip")
            .args(["netns", "exec", &link.a, "python3", "-c"])
            .arg("import socket,time\nc=socket.create_connection(('10.231.7.2', 8443)); print(c.getsockname()[1], flush=True); c.send(b'hi'); time.sleep(0.5)")
            .output()
            .unwrap();
        let port: u64 = String::from_utf8_lossy(&client.stdout)
            .trim()
            .parse()
            .unwrap_or(0);
        let deadline = Instant::now() + Duration::from_secs(3);
        while Instant::now() < deadline {
            if let Ok(e) = rx.recv_timeout(Duration::from_millis(200)) {
                if e["category"] == "network_connection"
                    && e["SourcePort"] == port
                    && e["DestinationPort"] == 8443
                {
                    found = Some(e);
                    break;
                }
            }
        }
        if found.is_none() {
            // The server accepts once; start it again for the next try.
            let _ = server.kill();
            let _ = server.wait();
            server = Command::new("ip")
                .args(["netns", "exec", &link.b, "python3", "-c"])
                .arg("import socket\ns=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('10.231.7.2', 8443)); s.listen()\nc,_=s.accept(); c.recv(10)")
                .spawn()
                .unwrap();
            std::thread::sleep(Duration::from_millis(300));
        }
    }
    let e = found.expect("the connection between namespaces is reported");
    // When the client closes, the flow's totals follow.
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut totals = None;
    while totals.is_none() && Instant::now() < deadline {
        if let Ok(t) = rx.recv_timeout(Duration::from_millis(200)) {
            if t["category"] == "network_flow" && t["SourcePort"] == e["SourcePort"] {
                totals = Some(t);
            }
        }
    }
    let _ = agent.kill();
    let _ = agent.wait();
    let _ = server.kill();
    let _ = server.wait();
    let t = totals.expect("the flow's totals are reported when it ends");
    assert_eq!(t["Action"], "ended", "{t}");
    assert!(
        t["Packets"].as_u64().unwrap() >= 3 && t["Bytes"].as_u64().unwrap() > 100,
        "{t}"
    );
    assert!(t["Image"].as_str().unwrap_or("").contains("python3"), "{t}");
    assert_eq!(e["Protocol"], "tcp");
    assert_eq!(e["Initiated"], "true", "{e}");
    assert_eq!(e["SourceIp"], "10.231.7.1");
    assert_eq!(e["DestinationIp"], "10.231.7.2");
    assert!(e["Image"].as_str().unwrap_or("").contains("python3"), "{e}");
}
