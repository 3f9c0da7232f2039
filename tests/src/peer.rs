//! A remote peer for tests: a network namespace joined to this one by a veth pair, so a
//! client runs "from another host" (its own address) against a server here. Needs root
//! and iproute2. Removed on drop.

use std::process::{Command, Stdio};

/// Runs `program` quietly; true when it succeeded.
pub fn run_quiet(program: &str, args: &[&str]) -> bool {
    Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap_or_else(|e| panic!("{program} runs: {e}"))
        .success()
}

/// A namespace joined to this one: this side has `host_ip`, the namespace `peer_ip`.
pub struct Peer {
    /// The namespace's name.
    pub ns: String,
    /// This side's address.
    pub host_ip: String,
    /// The namespace's address.
    pub peer_ip: String,
}

impl Peer {
    /// A new peer; `subnet` (1–255) keeps peers of different tests apart
    /// (`10.<subnet>.<pid>.0/30`).
    pub fn new(subnet: u8) -> Peer {
        let tag = std::process::id() % 250 + 1;
        let ns = format!("vp{subnet}x{tag}");
        let (host_ip, peer_ip) = (
            format!("10.{subnet}.{tag}.1"),
            format!("10.{subnet}.{tag}.2"),
        );
        let (host_end, peer_end) = (format!("{ns}h"), format!("{ns}p"));
        let _ = run_quiet("ip", &["netns", "del", &ns]);
        let _ = run_quiet("ip", &["link", "del", &host_end]);
        let steps: [&[&str]; 7] = [
            &["netns", "add", &ns],
            &[
                "link", "add", &host_end, "type", "veth", "peer", "name", &peer_end, "netns", &ns,
            ],
            &["addr", "add", &format!("{host_ip}/30"), "dev", &host_end],
            &["link", "set", &host_end, "up"],
            &[
                "-n",
                &ns,
                "addr",
                "add",
                &format!("{peer_ip}/30"),
                "dev",
                &peer_end,
            ],
            &["-n", &ns, "link", "set", &peer_end, "up"],
            &["-n", &ns, "link", "set", "lo", "up"],
        ];
        for step in steps {
            assert!(run_quiet("ip", step), "ip {step:?}");
        }
        Peer {
            ns,
            host_ip,
            peer_ip,
        }
    }

    /// Runs `program` inside the namespace; true when it succeeded.
    pub fn run(&self, program: &str, args: &[&str]) -> bool {
        let mut all = vec!["netns", "exec", &self.ns, program];
        all.extend_from_slice(args);
        run_quiet("ip", &all)
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        let _ = run_quiet("ip", &["link", "del", &format!("{}h", self.ns)]);
        let _ = run_quiet("ip", &["netns", "del", &self.ns]);
    }
}
