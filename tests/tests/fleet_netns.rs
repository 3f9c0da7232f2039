//! Several "servers", each a network namespace joined to the SOC (this namespace) by a
//! veth pair the test makes, each running an enrolled agent; all report to one
//! collector. One server's link is cut (`ip link set … down`) while its files change,
//! then restored: nothing is lost, from it or from the others. Needs root and
//! iproute2, as CI has.

use std::process::Command;
use std::time::Duration;

use vigie_tests::{bin, wait_for, Process, Stack};

const SERVERS: u32 = 3;

fn ip(args: &[&str]) {
    let status = Command::new("ip")
        .args(args)
        .status()
        .expect("ip (iproute2) runs");
    assert!(status.success(), "ip {args:?} failed");
}

/// The namespaces and links, removed on drop.
struct Servers {
    names: Vec<(String, String)>,
}

impl Servers {
    fn new(tag: u32) -> Servers {
        let mut names = Vec::new();
        for i in 1..=SERVERS {
            let (ns, soc_side) = (format!("vfs{tag}s{i}"), format!("vfs{tag}r{i}"));
            ip(&["netns", "add", &ns]);
            ip(&[
                "link", "add", &soc_side, "type", "veth", "peer", "name", "eth0", "netns", &ns,
            ]);
            ip(&["addr", "add", &format!("10.241.{i}.1/24"), "dev", &soc_side]);
            ip(&["link", "set", &soc_side, "up"]);
            ip(&[
                "-n",
                &ns,
                "addr",
                "add",
                &format!("10.241.{i}.2/24"),
                "dev",
                "eth0",
            ]);
            ip(&["-n", &ns, "link", "set", "eth0", "up"]);
            ip(&["-n", &ns, "link", "set", "lo", "up"]);
            names.push((ns, soc_side));
        }
        Servers { names }
    }
}

impl Drop for Servers {
    fn drop(&mut self) {
        for (ns, soc_side) in &self.names {
            let _ = Command::new("ip").args(["link", "del", soc_side]).status();
            let _ = Command::new("ip").args(["netns", "del", ns]).status();
        }
    }
}

fn write_files(dir: &std::path::Path, prefix: &str, n: u32) {
    for k in 0..n {
        std::fs::write(
            dir.join(format!("{prefix}-{k}.txt")),
            format!("{prefix} {k}"),
        )
        .unwrap();
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn servers_in_namespaces_report_and_a_cut_link_loses_nothing() {
    let tag = std::process::id() % 10_000;
    let servers = Servers::new(tag);
    let names: Vec<String> = (1..=SERVERS).map(|i| format!("10.241.{i}.1")).collect();
    let stack = Stack::start_listening("", "0.0.0.0", &names).await;
    let mut agents: Vec<Process> = Vec::new();
    let mut dirs = Vec::new();
    for i in 1..=SERVERS {
        let watch = stack.path(&format!("server{i}"));
        std::fs::create_dir_all(&watch).unwrap();
        let config = stack
            .agent_config(&format!("agent{i}"), &watch, "", "")
            .await;
        // Each agent reaches the collector through its own link.
        let text = std::fs::read_to_string(&config)
            .unwrap()
            .replace("https://127.0.0.1:", &format!("https://10.241.{i}.1:"));
        std::fs::write(&config, text).unwrap();
        let (ns, _) = &servers.names[(i - 1) as usize];
        let bin_path = bin("vigie-agent");
        agents.push(Process::spawn(
            &format!("agent{i}"),
            std::path::Path::new("ip"),
            &[
                "netns",
                "exec",
                ns,
                bin_path.to_str().unwrap(),
                "--config",
                config.to_str().unwrap(),
            ],
            &[],
            &stack.path(&format!("agent{i}.log")),
        ));
        dirs.push(watch);
    }
    let agents_enrolled = || async {
        (stack.count("SELECT count() FROM agents").await == u64::from(SERVERS)).then_some(())
    };
    wait_for(
        "every agent enrolled",
        Duration::from_secs(60),
        agents_enrolled,
    )
    .await;
    // Each baseline taken (a file written during it is a starting point, not a
    // creation), every server changes files.
    for i in 1..=SERVERS {
        vigie_tests::wait_for_log(
            &stack.path(&format!("agent{i}.log")),
            "file baseline ready",
            Duration::from_secs(120),
        )
        .await;
    }
    for (i, dir) in dirs.iter().enumerate() {
        write_files(dir, &format!("before{i}"), 20);
    }
    let created = |n: u64| {
        let stack = &stack;
        async move {
            let got = stack
                .count("SELECT count() FROM events WHERE category = 'file_event' AND action = 'created'")
                .await;
            (got == n).then_some(())
        }
    };
    wait_for("60 creations", Duration::from_secs(60), || created(60)).await;

    // Server 2 is cut off while its files keep changing, then comes back.
    let (_, link2) = &servers.names[1];
    ip(&["link", "set", link2, "down"]);
    write_files(&dirs[1], "during", 30);
    write_files(&dirs[0], "others", 10);
    tokio::time::sleep(Duration::from_secs(8)).await;
    let during_cut =
        "SELECT count() FROM events WHERE action = 'created' AND target LIKE '%/during-%'";
    assert_eq!(stack.count(during_cut).await, 0, "the link was really cut");
    assert!(
        stack
            .count("SELECT count() FROM events WHERE target LIKE '%/others-%'")
            .await
            > 0,
        "the other servers kept reporting"
    );
    ip(&["link", "set", link2, "up"]);
    wait_for("every change delivered", Duration::from_secs(120), || {
        created(100)
    })
    .await;

    // Nothing lost and nothing twice: each agent's sequence is whole.
    #[derive(clickhouse::Row, serde::Deserialize)]
    struct PerAgent {
        agent_id: String,
        events: u64,
        distinct: u64,
        first: u64,
        last: u64,
    }
    let per_agent: Vec<PerAgent> = stack
        .client
        .query("SELECT agent_id, count(), uniqExact(seq), min(seq), max(seq) FROM events GROUP BY agent_id")
        .fetch_all()
        .await
        .unwrap();
    assert_eq!(per_agent.len(), SERVERS as usize);
    for a in &per_agent {
        assert_eq!(
            a.events, a.distinct,
            "agent {} stored an event twice",
            a.agent_id
        );
        assert_eq!(
            a.last - a.first + 1,
            a.events,
            "agent {} has a gap",
            a.agent_id
        );
    }
    let during: u64 = stack
        .count("SELECT count() FROM events WHERE action = 'created' AND target LIKE '%/during-%'")
        .await;
    assert_eq!(during, 30, "what changed while cut off arrived");
    assert_eq!(
        stack
            .count(
                "SELECT count() FROM alerts WHERE rule_id = '3c1d7c0e-2b55-4a59-9d0e-7f1b9c2a4e10'"
            )
            .await,
        0,
        "no chain gap"
    );
    drop(agents);
}
