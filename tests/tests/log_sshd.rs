//! A real sshd (Debian's openssh-server), started by the test with its log in a file,
//! and a client in another network namespace (joined by veth, made by the test) that
//! guesses a password twelve times, then gives the right one: the agent reads sshd's
//! lines, and the collector raises "SSH brute force from one address" and "SSH login
//! after a brute force from the same address", both naming the client's address.
//! Needs root, iproute2, openssh-server and sshpass, as CI has.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use vigie_tests::peer::{run_quiet as run, Peer};
use vigie_tests::{wait_for, Stack};

const BRUTE_FORCE: &str = "533c6501-74ca-4a8a-8d82-1a0ddbd450c9";
const LOGIN_AFTER_BRUTE_FORCE: &str = "677acd47-1f39-4196-852a-ba4d4b88131e";
const USER: &str = "vigie-ssh-test";
const PASSWORD: &str = "Gr4nd-Ch3val-Bleu";

/// Logs into the server from `peer` with `password`; true when it got in.
fn login(peer: &Peer, port: u16, password: &str) -> bool {
    peer.run(
        "sshpass",
        &[
            "-p",
            password,
            "ssh",
            "-p",
            &port.to_string(),
            "-o",
            "StrictHostKeyChecking=no",
            "-o",
            "UserKnownHostsFile=/dev/null",
            "-o",
            "PreferredAuthentications=password",
            "-o",
            "PubkeyAuthentication=no",
            "-o",
            "ConnectTimeout=10",
            &format!("{USER}@{}", peer.host_ip),
            "true",
        ],
    )
}

/// sshd in the foreground, its log in `log`, killed on drop.
struct Sshd(Child);

impl Sshd {
    fn start(dir: &Path, listen: &str, port: u16, log: &Path) -> Sshd {
        assert!(
            Path::new("/usr/sbin/sshd").exists(),
            "openssh-server is needed (scripts/test.sh installs it)"
        );
        let key = dir.join("host_key");
        assert!(run(
            "ssh-keygen",
            &["-q", "-t", "ed25519", "-N", "", "-f", key.to_str().unwrap()]
        ));
        let config = dir.join("sshd_config");
        std::fs::write(
            &config,
            format!(
                "Port {port}\nListenAddress {listen}\nHostKey {}\nPidFile {}\n\
                 PasswordAuthentication yes\nKbdInteractiveAuthentication no\nUsePAM no\n\
                 PermitRootLogin no\nMaxAuthTries 1\nStrictModes no\nMaxStartups 50\n",
                key.display(),
                dir.join("sshd.pid").display()
            ),
        )
        .unwrap();
        std::fs::create_dir_all("/run/sshd").unwrap();
        let child = Command::new("/usr/sbin/sshd")
            .args([
                "-D",
                "-f",
                config.to_str().unwrap(),
                "-E",
                log.to_str().unwrap(),
            ])
            .spawn()
            .expect("sshd starts");
        Sshd(child)
    }
}

impl Drop for Sshd {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_password_guessed_over_ssh_raises_brute_force_then_login_after_it() {
    // The account the client logs into, with a password sshd checks itself (no PAM).
    if !run("id", &[USER]) {
        assert!(run("useradd", &["--create-home", USER]));
    }
    let mut chpasswd = Command::new("chpasswd")
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(
        chpasswd.stdin.as_mut().unwrap(),
        format!("{USER}:{PASSWORD}\n").as_bytes(),
    )
    .unwrap();
    drop(chpasswd.stdin.take());
    assert!(chpasswd.wait().unwrap().success());

    let stack = Stack::start("").await;
    let sshd_dir = stack.path("sshd");
    std::fs::create_dir_all(&sshd_dir).unwrap();
    // The log does not exist yet: once the agent has looked, sshd's whole log is read.
    let log = sshd_dir.join("sshd.log");
    let _agent = stack
        .start_log_agent(&format!(
            "poll_ms = 50\n\n[[logs.files]]\npath = \"{}\"\nformat = \"plain\"\nservice = \"sshd\"\n",
            log.display()
        ))
        .await;

    let client = Peer::new(234);
    let port = free_port();
    let _sshd = Sshd::start(&sshd_dir, &client.host_ip, port, &log);
    wait_for("sshd listens", Duration::from_secs(20), || async {
        std::net::TcpStream::connect((client.host_ip.as_str(), port))
            .ok()
            .map(|_| ())
    })
    .await;

    for _ in 0..12 {
        assert!(
            !login(&client, port, "not-the-password"),
            "a wrong password is refused"
        );
    }
    assert!(login(&client, port, PASSWORD), "the right password gets in");

    for (rule, what) in [
        (BRUTE_FORCE, "brute force"),
        (LOGIN_AFTER_BRUTE_FORCE, "login after the brute force"),
    ] {
        let sql = format!(
            "SELECT count() FROM alerts WHERE rule_id = '{rule}' AND events LIKE '%{}%'",
            client.peer_ip
        );
        wait_for(
            &format!("the {what} alert"),
            Duration::from_secs(60),
            || async { (stack.count(&sql).await >= 1).then_some(()) },
        )
        .await;
    }
    // Every attempt was read, each once, with who and from where.
    let failures = format!(
        "SELECT count() FROM events WHERE category = 'log' \
         AND visitParamExtractString(fields, 'Outcome') = 'failure' \
         AND visitParamExtractString(fields, 'SourceIp') = '{}' \
         AND visitParamExtractString(fields, 'TargetUser') = '{USER}'",
        client.peer_ip
    );
    assert_eq!(stack.count(&failures).await, 12);
}
