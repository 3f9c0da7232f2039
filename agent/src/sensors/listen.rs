//! Listening services: a TCP or UDP socket that starts listening, and one that goes away,
//! with the process that owns it. Read from `/proc/net/{tcp,tcp6,udp,udp6}` every few
//! seconds; the owner is found through `/proc/PID/fd`.

use std::collections::{HashMap, HashSet};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use vigie_model::event::field;
use vigie_model::{Category, EventDraft};

use crate::health::{bump, Counters};
use crate::pipeline::{Item, Sink};
use crate::users::UserNames;

/// One listening socket.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Listener {
    /// `tcp` or `udp`.
    pub protocol: &'static str,
    /// Local address.
    pub ip: IpAddr,
    /// Local port.
    pub port: u16,
    /// Socket inode (identifies the socket for its owner).
    pub inode: u64,
    /// Owner's uid.
    pub uid: u32,
}

fn parse_addr(hex: &str) -> Option<(IpAddr, u16)> {
    let (addr, port) = hex.split_once(':')?;
    let port = u16::from_str_radix(port, 16).ok()?;
    let ip = match addr.len() {
        8 => IpAddr::V4(Ipv4Addr::from(
            u32::from_str_radix(addr, 16).ok()?.swap_bytes(),
        )),
        32 => {
            let mut bytes = [0u8; 16];
            for (i, word) in (0..4).map(|i| &addr[i * 8..i * 8 + 8]).enumerate() {
                let w = u32::from_str_radix(word, 16).ok()?.swap_bytes();
                bytes[i * 4..i * 4 + 4].copy_from_slice(&w.to_be_bytes());
            }
            IpAddr::V6(Ipv6Addr::from(bytes))
        }
        _ => return None,
    };
    Some((ip, port))
}

/// One row of a `/proc/net/{tcp,udp}[6]` table.
#[derive(Debug, Clone, PartialEq)]
pub struct SocketEntry {
    /// Local address.
    pub ip: IpAddr,
    /// Local port.
    pub port: u16,
    /// Remote port (0 when none).
    pub remote_port: u16,
    /// Kernel state, hexadecimal (`0A` is TCP LISTEN, `07` UDP unconnected).
    pub state: String,
    /// Owner's uid.
    pub uid: u32,
    /// Socket inode.
    pub inode: u64,
}

/// Every row of one `/proc/net` table.
pub fn parse_sockets(text: &str) -> Vec<SocketEntry> {
    text.lines()
        .skip(1)
        .filter_map(|line| {
            let f: Vec<&str> = line.split_whitespace().collect();
            let (ip, port) = parse_addr(f.get(1)?)?;
            let (_, remote_port) = parse_addr(f.get(2)?)?;
            Some(SocketEntry {
                ip,
                port,
                remote_port,
                state: f.get(3)?.to_string(),
                uid: f.get(7)?.parse().ok()?,
                inode: f.get(9)?.parse().ok()?,
            })
        })
        .collect()
}

/// Parses one `/proc/net` table, keeping listening sockets (TCP `0A`, UDP `07` with no
/// remote end).
pub fn parse_table(text: &str, protocol: &'static str) -> Vec<Listener> {
    parse_sockets(text)
        .into_iter()
        .filter(|e| match protocol {
            "tcp" => e.state == "0A",
            _ => e.state == "07" && e.remote_port == 0,
        })
        .map(|e| Listener {
            protocol,
            ip: e.ip,
            port: e.port,
            uid: e.uid,
            inode: e.inode,
        })
        .collect()
}

/// Every listening socket of this host (network namespace) under `proc_root`.
pub fn listeners(proc_root: &Path) -> HashSet<Listener> {
    [
        ("tcp", "tcp"),
        ("tcp6", "tcp"),
        ("udp", "udp"),
        ("udp6", "udp"),
    ]
    .iter()
    .flat_map(|(file, protocol)| {
        std::fs::read_to_string(proc_root.join("net").join(file))
            .map(|t| parse_table(&t, protocol))
            .unwrap_or_default()
    })
    .collect()
}

/// Which process holds each socket: inode → pid, by scanning `/proc/*/fd`. With
/// `only`, stops as soon as those inodes are all found.
pub fn socket_owners(proc_root: &Path, only: Option<&HashSet<u64>>) -> HashMap<u64, u32> {
    let mut found = HashMap::new();
    for pid in super::process::pids(proc_root) {
        let Ok(fds) = std::fs::read_dir(proc_root.join(pid.to_string()).join("fd")) else {
            continue;
        };
        for fd in fds.flatten() {
            let Ok(target) = std::fs::read_link(fd.path()) else {
                continue;
            };
            let target = target.to_string_lossy();
            let inode = target
                .strip_prefix("socket:[")
                .and_then(|r| r.strip_suffix(']'))
                .and_then(|i| i.parse::<u64>().ok());
            if let Some(inode) = inode.filter(|i| only.is_none_or(|o| o.contains(i))) {
                found.entry(inode).or_insert(pid);
            }
        }
        if only.is_some_and(|o| found.len() == o.len()) {
            break;
        }
    }
    found
}

fn owners(proc_root: &Path, inodes: &HashSet<u64>) -> HashMap<u64, u32> {
    socket_owners(proc_root, Some(inodes))
}

/// The listening-services sensor.
pub struct ListenSensor {
    sink: Sink,
    counters: Arc<Counters>,
    proc_root: PathBuf,
    interval: Duration,
    users: UserNames,
}

#[derive(Clone)]
struct Owner {
    pid: Option<u32>,
    image: Option<String>,
    command_line: Option<String>,
}

impl ListenSensor {
    /// A sensor checking every `interval`.
    pub fn new(sink: Sink, counters: Arc<Counters>, interval: Duration) -> ListenSensor {
        ListenSensor {
            sink,
            counters,
            proc_root: PathBuf::from("/proc"),
            interval,
            users: UserNames::default(),
        }
    }

    /// Runs until `stop` is set. Blocks: call it on its own thread. The sockets open at
    /// start are the baseline, not news.
    pub fn run(mut self, stop: Arc<AtomicBool>) {
        let mut known: HashMap<Listener, Owner> = HashMap::new();
        let initial = listeners(&self.proc_root);
        let owners_now = owners(&self.proc_root, &initial.iter().map(|l| l.inode).collect());
        for l in initial {
            let owner = self.owner(owners_now.get(&l.inode).copied());
            known.insert(l, owner);
        }
        let mut next = Instant::now() + self.interval;
        while !stop.load(Ordering::Relaxed) {
            std::thread::sleep(Duration::from_millis(100).min(self.interval));
            if Instant::now() < next {
                continue;
            }
            next = Instant::now() + self.interval;
            let now = listeners(&self.proc_root);
            let opened: Vec<Listener> = now
                .iter()
                .filter(|l| !known.contains_key(*l))
                .cloned()
                .collect();
            let closed: Vec<Listener> = known
                .keys()
                .filter(|l| !now.contains(*l))
                .cloned()
                .collect();
            if !opened.is_empty() {
                let found = owners(&self.proc_root, &opened.iter().map(|l| l.inode).collect());
                for l in opened {
                    let owner = self.owner(found.get(&l.inode).copied());
                    if !self.emit("opened", &l, &owner) {
                        return;
                    }
                    known.insert(l, owner);
                }
            }
            for l in closed {
                let owner = known.remove(&l).expect("known listener");
                if !self.emit("closed", &l, &owner) {
                    return;
                }
            }
        }
    }

    fn owner(&self, pid: Option<u32>) -> Owner {
        let info = pid.map(|p| super::process::read_proc(&self.proc_root, p));
        Owner {
            pid,
            image: info.as_ref().and_then(|i| i.image.clone()),
            command_line: info.and_then(|i| i.command_line),
        }
    }

    fn emit(&mut self, action: &str, l: &Listener, owner: &Owner) -> bool {
        let mut draft = EventDraft::now(Category::ListeningSocket)
            .with(field::ACTION, action)
            .with("Protocol", l.protocol)
            .with("LocalIp", l.ip.to_string())
            .with("LocalPort", l.port)
            .with(field::UID, l.uid)
            .with(field::USER, self.users.name(l.uid));
        if let Some(pid) = owner.pid {
            draft = draft.with("ProcessId", pid);
        }
        if let Some(image) = &owner.image {
            draft = draft.with(field::IMAGE, image.clone());
        }
        if let Some(cmd) = &owner.command_line {
            draft = draft.with("CommandLine", cmd.clone());
        }
        bump(&self.counters.listen_events);
        self.sink.blocking_send(Item::Event(draft)).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_proc_net_tables() {
        let tcp = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n\
   0: 0100007F:0277 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 23456 1 0000000000000000 100 0 0 10 0\n\
   1: 0100007F:9C40 0100007F:0277 01 00000000:00000000 00:00000000 00000000  1000        0 34567 1 0000000000000000 20 4 30 10 -1\n";
        let l = parse_table(tcp, "tcp");
        assert_eq!(l.len(), 1, "only the LISTEN row");
        assert_eq!(
            (l[0].ip, l[0].port, l[0].inode),
            ("127.0.0.1".parse().unwrap(), 631, 23456)
        );
        let tcp6 = "header\n   0: 00000000000000000000000001000000:0016 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 777 1\n";
        let l = parse_table(tcp6, "tcp");
        assert_eq!((l[0].ip, l[0].port), ("::1".parse().unwrap(), 22));
        let udp = "header\n 1: 00000000:0044 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 888 2\n";
        assert_eq!(parse_table(udp, "udp")[0].port, 68);
    }

    #[test]
    fn sees_a_real_listener() {
        let socket = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = socket.local_addr().unwrap().port();
        let all = listeners(Path::new("/proc"));
        let mine = all
            .iter()
            .find(|l| l.port == port && l.protocol == "tcp")
            .expect("listed");
        let found = owners(Path::new("/proc"), &[mine.inode].into_iter().collect());
        assert_eq!(found.get(&mine.inode), Some(&std::process::id()));
    }
}
