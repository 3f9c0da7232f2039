//! A connection between two network namespaces joined by veth (the test makes them):
//! the agent in the first sees the connection it opens to the second, with the right
//! ports, direction and program. Needs root and iproute2, as CI has.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::Value;
use vigie_tests::bin;
use vigie_tests::print_agent::PrintAgent;

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
        // Tests run in parallel: each link gets names of its own.
        static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let tag = (std::process::id() % 10_000) * 10 + n;
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

/// A veth pair between namespaces `a` and `b` named `{name}a`/`{name}b`, with
/// `{net}.1/30` on the a side and `{net}.2/30` on the b side.
fn veth(a: &str, b: &str, name: &str, net: &str) {
    let (va, vb) = (format!("{name}a"), format!("{name}b"));
    ip(&[
        "link", "add", &va, "netns", a, "type", "veth", "peer", "name", &vb, "netns", b,
    ]);
    ip(&["-n", a, "addr", "add", &format!("{net}.1/30"), "dev", &va]);
    ip(&["-n", b, "addr", "add", &format!("{net}.2/30"), "dev", &vb]);
    ip(&["-n", a, "link", "set", &va, "up"]);
    ip(&["-n", b, "link", "set", &vb, "up"]);
}

/// Connects from namespace `a` to a one-shot server at `{net}.2:8443` in `b` until the
/// agent reports the connection (true) or 20 s pass (false).
fn connection_reported(a: &str, b: &str, net: &str, agent: &PrintAgent) -> bool {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(20) {
        let mut server = Command::new("ip")
            .args(["netns", "exec", b, "python3", "-c"])
            .arg(format!("import socket\ns=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('{net}.2', 8443)); s.listen(); s.settimeout(5)\nc,_=s.accept(); c.recv(10)"))
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(300));
        let _ = Command::new("ip")
            .args(["netns", "exec", a, "python3", "-c"])
            .arg(format!("import socket,time\nc=socket.create_connection(('{net}.2', 8443), timeout=2); c.send(b'hi'); time.sleep(0.2)"))
            .output();
        let _ = server.kill();
        let _ = server.wait();
        let reported = agent.next_event(Duration::from_secs(2), |e| {
            e["category"] == "network_connection" && e["DestinationIp"] == format!("{net}.2")
        });
        if reported.is_some() {
            return true;
        }
    }
    false
}

/// CPU time (ms) process `pid` has used.
fn cpu_ms(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    let after = stat.rsplit_once(')').unwrap().1;
    let fields: Vec<u64> = after
        .split_whitespace()
        .map(|f| f.parse().unwrap_or(0))
        .collect();
    (fields[11] + fields[12]) * 10
}

/// An interface created after the agent started is captured; deleting it ends its
/// capture without the agent spinning (it used to poll the dead socket 50,000 times a
/// second); another created later is captured too.
#[test]
fn interfaces_that_come_and_go_are_followed() {
    let tag = std::process::id() % 100_000;
    let (a, b) = (format!("vca{tag}"), format!("vcb{tag}"));
    ip(&["netns", "add", &a]);
    ip(&["netns", "add", &b]);
    let _cleanup = Link {
        a: a.clone(),
        b: b.clone(),
    };
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("agent.toml");
    std::fs::write(&config, "[process]\nenabled = false\nlisteners = false\n").unwrap();
    let mut command = Command::new("ip");
    command
        .args(["netns", "exec", &a])
        .arg(bin("vigie-agent"))
        .args(["--print", "--config"])
        .arg(&config)
        .env("VIGIE_WATCH", dir.path())
        .env("VIGIE_LOG", "info");
    let agent = PrintAgent::spawn(command);
    let started = agent.wait_log("network capture started", Duration::from_secs(60));
    let started = started.last().unwrap();
    assert!(started.contains("interfaces=0"), "{started}");
    // The file sensor's eBPF program loads after the capture starts: the kernel's
    // verifier takes seconds of this process's CPU, which the idle measure below must
    // not count as spinning.
    agent.wait_log("file baseline ready", Duration::from_secs(60));

    veth(&a, &b, &format!("x{tag}"), "10.231.8");
    assert!(
        connection_reported(&a, &b, "10.231.8", &agent),
        "a connection on an interface that appeared after start is reported"
    );

    ip(&["-n", &a, "link", "del", &format!("x{tag}a")]);
    agent.wait_log("interface gone", Duration::from_secs(10));
    let before = cpu_ms(agent.pid());
    std::thread::sleep(Duration::from_secs(10));
    let used = cpu_ms(agent.pid()) - before;
    assert!(
        used < 1_000,
        "after its interface vanished the agent used {used} ms of CPU in 10 s"
    );

    veth(&a, &b, &format!("y{tag}"), "10.231.9");
    assert!(
        connection_reported(&a, &b, "10.231.9", &agent),
        "a connection on a second new interface is reported"
    );
}

/// `vigie-agent --print` in namespace a, capturing its end of the link only.
fn network_agent_in(link: &Link) -> (PrintAgent, tempfile::TempDir) {
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
    let mut command = Command::new("ip");
    command
        .args(["netns", "exec", &link.a])
        .arg(bin("vigie-agent"))
        .args(["--print", "--config"])
        .arg(&config)
        .env("VIGIE_WATCH", dir.path())
        .env("VIGIE_LOG", "info");
    (PrintAgent::spawn(command), dir)
}

/// Many short connections (each opened and closed at once) from a program in namespace a,
/// while every core is busy: every one is reported (none lost in the kernel while the
/// capture thread waits for a core) and carries that program, though its socket is
/// gone before any look in `/proc` could find it.
#[test]
fn short_connections_are_each_reported_with_their_program() {
    // More than the kernel's ring held when records were sent whole (180).
    const COUNT: usize = 600;
    let link = Link::new();
    let mut server = Command::new("ip")
        .args(["netns", "exec", &link.b, "python3", "-c"])
        .arg("import socket\ns=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('10.231.7.2', 8444)); s.listen(512)\nprint('ready', flush=True)\nwhile True:\n    c,_=s.accept(); c.close()")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut ready = String::new();
    BufReader::new(server.stdout.take().unwrap())
        .read_line(&mut ready)
        .unwrap();
    let (agent, _dir) = network_agent_in(&link);
    agent.wait_log(
        "connections with their program, from eBPF",
        Duration::from_secs(30),
    );
    agent.wait_log("network capture started", Duration::from_secs(30));

    let busy = BusyCores::start();
    let client = Command::new("ip")
        .args(["netns", "exec", &link.a, "python3", "-c"])
        .arg(format!("import socket,sys\nfor i in range({COUNT}):\n    c=socket.create_connection(('10.231.7.2', 8444)); print(c.getsockname()[1]); c.close()\nprint(sys.executable, flush=True)"))
        .output()
        .unwrap();
    drop(busy);
    let _ = server.kill();
    let _ = server.wait();
    let out = String::from_utf8_lossy(&client.stdout);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), COUNT + 1, "{out}");
    let python = std::fs::canonicalize(lines[COUNT]).unwrap();
    let ports: std::collections::HashSet<u64> =
        lines[..COUNT].iter().map(|p| p.parse().unwrap()).collect();
    let mut seen = std::collections::HashMap::new();
    agent.collect(Duration::from_secs(30), |events| {
        if let Some(e) = events.last() {
            let port = e["SourcePort"].as_u64().unwrap_or(0);
            if e["category"] == "network_connection" && ports.contains(&port) {
                seen.insert(port, e.clone());
            }
        }
        seen.len() == ports.len()
    });
    let with_program = seen
        .values()
        .filter(|e| e["Image"] == python.to_str().unwrap())
        .count();
    println!(
        "short connections: {} of {COUNT} reported, {with_program} with their program",
        seen.len()
    );
    assert_eq!(
        seen.len(),
        ports.len(),
        "{} of {COUNT} reported",
        seen.len()
    );
    assert_eq!(
        with_program,
        seen.len(),
        "without their program: {:?}",
        seen.values()
            .find(|e| e["Image"] != python.to_str().unwrap())
    );
}

/// Threads that keep every core busy until dropped: the machine a burst meets.
struct BusyCores(Arc<AtomicBool>, Vec<std::thread::JoinHandle<()>>);

impl BusyCores {
    fn start() -> BusyCores {
        let stop = Arc::new(AtomicBool::new(false));
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        let threads = (0..cores * 2)
            .map(|_| {
                let stop = stop.clone();
                std::thread::spawn(move || {
                    while !stop.load(Ordering::Relaxed) {
                        std::hint::spin_loop();
                    }
                })
            })
            .collect();
        BusyCores(stop, threads)
    }
}

impl Drop for BusyCores {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
        for t in self.1.drain(..) {
            let _ = t.join();
        }
    }
}

/// A ping sweep (ICMP echo to each address in turn, as scanners send it) from namespace
/// a: each address swept is an ICMP connection.
#[test]
fn a_ping_sweep_is_reported_as_icmp_flows() {
    let link = Link::new();
    let (agent, _dir) = network_agent_in(&link);
    agent.wait_log("network capture started", Duration::from_secs(30));
    // A second host address in b, reached through a route in a.
    ip(&[
        "-n",
        &link.b,
        "addr",
        "add",
        "10.231.7.6/30",
        "dev",
        &format!("{}v", link.b),
    ]);
    ip(&[
        "-n",
        &link.a,
        "route",
        "add",
        "10.231.7.4/30",
        "dev",
        &format!("{}v", link.a),
    ]);

    let sweep = "import socket,struct,time\n\
def checksum(b):\n    s=sum(struct.unpack('!%dH' % (len(b)//2), b)); s=(s>>16)+(s&0xffff); s+=s>>16; return ~s & 0xffff\n\
s=socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)\n\
for i,host in enumerate(['10.231.7.2','10.231.7.6']):\n    h=struct.pack('!BBHHH',8,0,0,0x5a5a,i)\n    h=struct.pack('!BBHHH',8,0,checksum(h),0x5a5a,i)\n    s.sendto(h,(host,0))\n    time.sleep(0.2)\n";
    let status = Command::new("ip")
        .args(["netns", "exec", &link.a, "python3", "-c", sweep])
        .status()
        .unwrap();
    assert!(status.success());
    let mut hosts = std::collections::BTreeSet::new();
    agent.collect(Duration::from_secs(20), |events| {
        if let Some(e) = events.last() {
            if e["category"] == "network_connection" && e["Protocol"] == "icmp" {
                assert_eq!(e["IcmpType"], 8, "{e}");
                assert_eq!(e["Initiated"], "true", "{e}");
                assert!(e.get("DestinationPort").is_none(), "{e}");
                hosts.insert(e["DestinationIp"].as_str().unwrap().to_string());
            }
        }
        hosts.len() == 2
    });
    assert_eq!(
        hosts.into_iter().collect::<Vec<_>>(),
        ["10.231.7.2", "10.231.7.6"],
        "each address swept"
    );
}
