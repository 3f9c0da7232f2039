//! The agent's process and network sensors (need root, as CI runs): a marked shell
//! command with its program, arguments, parent, user and hash; processes that live a
//! millisecond; 500 in a burst, none missed; listeners opening and closing; a TCP
//! connection on loopback with its direction and program; a DNS answer from a tiny DNS
//! server started by the test.

use std::collections::HashSet;
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::Value;
use vigie_tests::print_agent::PrintAgent;

/// Runs `vigie-agent --print` with every process and network sensor on, ready once the
/// process sensor says it follows execs through eBPF (the sensor this machine must get).
fn start_agent(dns_port: u16) -> (PrintAgent, tempfile::TempDir) {
    let watched = tempfile::tempdir().unwrap();
    let config = watched.path().join("agent.toml");
    std::fs::write(
        &config,
        format!("[process]\nlisten_interval_secs = 1\n\n[network]\nloopback = true\ndns_ports = [{dns_port}]\n"),
    )
    .unwrap();
    let agent = PrintAgent::spawn(PrintAgent::command(&config, watched.path()));
    agent.wait_log("process events from eBPF", Duration::from_secs(30));
    (agent, watched)
}

#[test]
fn a_marked_command_a_brief_process_and_a_burst_are_all_reported() {
    let (agent, _watched) = start_agent(53);

    let marker = format!("vigie-marker-{}", std::process::id());
    let mut sh = Command::new("/bin/sh")
        .arg("-c")
        .arg(format!("sleep 0.3; echo {marker} >/dev/null"))
        .spawn()
        .unwrap();
    let sh_pid = sh.id();
    sh.wait().unwrap();
    let events = agent.collect(Duration::from_secs(10), |seen| {
        seen.iter().any(|e| e["ProcessId"] == sh_pid)
    });
    let e = events
        .iter()
        .find(|e| e["ProcessId"] == sh_pid)
        .expect("the shell is reported");
    assert!(e["CommandLine"].as_str().unwrap().contains(&marker), "{e}");
    let image = std::fs::canonicalize("/bin/sh").unwrap();
    assert_eq!(e["Image"], image.to_str().unwrap(), "{e}");
    assert_eq!(e["User"], "root", "{e}");
    assert_eq!(e["ParentProcessId"], std::process::id(), "{e}");
    let test_exe = std::fs::read_link("/proc/self/exe").unwrap();
    assert_eq!(e["ParentImage"], test_exe.to_str().unwrap(), "{e}");
    let expected = vigie_model::hex::sha256(&std::fs::read(&image).unwrap());
    assert_eq!(e["Sha256"], expected);

    // 500 short processes in a burst (each lives about a millisecond): every pid is
    // reported, with as much as could be read before it was gone.
    let mut pids = HashSet::new();
    for _ in 0..500 {
        let mut c = Command::new("/bin/true").spawn().unwrap();
        pids.insert(c.id());
        c.wait().unwrap();
    }
    let mut missing = pids.clone();
    agent.collect(Duration::from_secs(30), |seen| {
        if let Some(last) = seen.last() {
            if let Some(pid) = last["ProcessId"].as_u64() {
                missing.remove(&(pid as u32));
            }
        }
        missing.is_empty()
    });
    assert!(
        missing.is_empty(),
        "{} of 500 short processes not reported",
        missing.len()
    );

    // A new listener appears, then goes away: both reported, with its owner.
    let socket = std::net::TcpListener::bind("0.0.0.0:0").unwrap();
    let port = socket.local_addr().unwrap().port();
    let is = |e: &Value, action: &str| {
        e["category"] == "listening_socket" && e["LocalPort"] == port && e["Action"] == action
    };
    let events = agent.collect(Duration::from_secs(15), |seen| {
        seen.iter().any(|e| is(e, "opened"))
    });
    let opened = events
        .iter()
        .find(|e| is(e, "opened"))
        .expect("the new listener is reported");
    assert_eq!(opened["ProcessId"], std::process::id(), "{opened}");
    assert_eq!(opened["Image"], test_exe.to_str().unwrap(), "{opened}");
    assert_eq!(opened["Protocol"], "tcp");
    drop(socket);
    let events = agent.collect(Duration::from_secs(15), |seen| {
        seen.iter().any(|e| is(e, "closed"))
    });
    assert!(
        events.iter().any(|e| is(e, "closed")),
        "the closed listener is reported"
    );
}

#[test]
fn a_loopback_connection_and_a_dns_answer_are_reported() {
    let dns = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let dns_port = dns.local_addr().unwrap().port();
    let (agent, _watched) = start_agent(dns_port);
    let test_exe = std::fs::read_link("/proc/self/exe").unwrap();

    // Capture sockets take a moment to see traffic after the agent says it started:
    // knock until a connection shows up, then test on fresh ones.
    let warmup = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let warm_port = warmup.local_addr().unwrap().port();
    let warm =
        |e: &Value| e["category"] == "network_connection" && e["DestinationPort"] == warm_port;
    let started = Instant::now();
    loop {
        let _knock = std::net::TcpStream::connect(("127.0.0.1", warm_port)).unwrap();
        if agent
            .collect(Duration::from_millis(500), |seen| seen.iter().any(warm))
            .iter()
            .any(warm)
        {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "the capture never saw loopback traffic"
        );
    }

    // TCP on loopback: the test connects to itself.
    let server = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let server_port = server.local_addr().unwrap().port();
    let client = std::net::TcpStream::connect(("127.0.0.1", server_port)).unwrap();
    let client_port = client.local_addr().unwrap().port();
    let is_conn =
        |e: &Value| e["category"] == "network_connection" && e["DestinationPort"] == server_port;
    let events = agent.collect(Duration::from_secs(15), |seen| seen.iter().any(is_conn));
    let conn = events
        .iter()
        .find(|e| is_conn(e))
        .expect("the connection is reported");
    assert_eq!(conn["Protocol"], "tcp", "{conn}");
    assert_eq!(conn["SourcePort"], client_port, "{conn}");
    assert_eq!(conn["Initiated"], "true", "{conn}");
    assert_eq!(conn["ProcessId"], std::process::id(), "{conn}");
    assert_eq!(conn["Image"], test_exe.to_str().unwrap(), "{conn}");
    let reported = events.iter().filter(|e| is_conn(e)).count();
    assert_eq!(
        reported, 1,
        "loopback shows each packet twice; the flow is reported once"
    );
    drop(client);

    // DNS: a tiny server answers one query with two addresses.
    let server_thread = std::thread::spawn(move || {
        let mut buf = [0u8; 512];
        let (_, from) = dns.recv_from(&mut buf).unwrap();
        let id = u16::from_be_bytes([buf[0], buf[1]]);
        let answer = vigie_agent::sensors::network::dns::build_response(
            id,
            "c2.example.test",
            &[
                "198.51.100.7".parse().unwrap(),
                "127.0.0.9".parse().unwrap(),
            ],
        );
        dns.send_to(&answer, from).unwrap();
    });
    let resolver = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let mut query =
        vigie_agent::sensors::network::dns::build_response(0x4242, "c2.example.test", &[]);
    query[2] = 0x01; // a query, not an answer
    query[3] = 0x00;
    resolver.send_to(&query, ("127.0.0.1", dns_port)).unwrap();
    let mut buf = [0u8; 512];
    resolver.recv_from(&mut buf).unwrap();
    server_thread.join().unwrap();
    let is_dns = |e: &Value| e["category"] == "dns_query" && e["QueryName"] == "c2.example.test";
    let events = agent.collect(Duration::from_secs(15), |seen| seen.iter().any(is_dns));
    let answer = events
        .iter()
        .find(|e| is_dns(e))
        .expect("the DNS answer is reported");
    assert_eq!(answer["QueryType"], "A", "{answer}");
    assert_eq!(answer["QueryResults"], "198.51.100.7;127.0.0.9", "{answer}");
    assert_eq!(answer["Image"], test_exe.to_str().unwrap(), "{answer}");

    // A later connection to an address from that answer carries the name.
    let named = std::net::TcpListener::bind("127.0.0.9:0").unwrap();
    let named_port = named.local_addr().unwrap().port();
    let _conn = std::net::TcpStream::connect(("127.0.0.9", named_port)).unwrap();
    let to_named =
        |e: &Value| e["category"] == "network_connection" && e["DestinationPort"] == named_port;
    let events = agent.collect(Duration::from_secs(15), |seen| seen.iter().any(to_named));
    let conn = events
        .iter()
        .find(|e| to_named(e))
        .expect("the connection to the answered address");
    assert_eq!(conn["DestinationHostname"], "c2.example.test", "{conn}");
}

#[test]
fn without_the_connector_processes_are_listed_and_health_says_so() {
    let watched = tempfile::tempdir().unwrap();
    let config = watched.path().join("agent.toml");
    std::fs::write(&config, "health_interval_secs = 1\n\n[process]\nconnector = false\nlisteners = false\n\n[network]\nenabled = false\n").unwrap();
    let agent = PrintAgent::spawn(PrintAgent::command(&config, watched.path()));
    agent.wait_log("listing processes every second", Duration::from_secs(30));
    // A process already running at the first listing is not new: start it after.
    agent.wait_log("new ones reported from now on", Duration::from_secs(30));
    let mut sleeper = Command::new("/bin/sleep").arg("3").spawn().unwrap();
    let pid = sleeper.id();
    let polled = agent.next_event(Duration::from_secs(20), |v| {
        v["category"] == "process_creation" && v["ProcessId"] == pid
    });
    let health = agent.next_event(Duration::from_secs(20), |v| v["category"] == "agent_health");
    sleeper.wait().unwrap();
    let e = polled.expect("the process is found by listing");
    assert_eq!(e["DetectedBy"], "polling");
    assert_eq!(
        e["Image"],
        std::fs::canonicalize("/bin/sleep")
            .unwrap()
            .to_str()
            .unwrap()
    );
    assert_eq!(health.expect("a health report")["ProcessMode"], "polling");
}
