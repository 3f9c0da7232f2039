//! Listening services: a TCP or UDP socket that starts listening, and one that goes away,
//! with the process that owns it. Read from `/proc/net/{tcp,tcp6,udp,udp6}` every few
//! seconds; the owner is found through `/proc/PID/fd`.

use std::collections::{HashMap, HashSet};
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use vigie_model::event::field;
use vigie_model::{Category, EventDraft};

use crate::health::{bump, Counters};
use crate::pipeline::{Item, Sink};
use crate::procfs;
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

/// Parses one `/proc/net` table, keeping listening sockets (TCP `0A`, UDP `07` with no
/// remote end).
pub fn parse_table(text: &str, protocol: &'static str) -> Vec<Listener> {
    procfs::sockets::parse(text)
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

fn owners(proc_root: &Path, inodes: &HashSet<u64>) -> HashMap<u64, u32> {
    procfs::sockets::owners(proc_root, Some(inodes))
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
    fn run_until(mut self, stop: Arc<AtomicBool>) {
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
        let info = pid.map(|p| procfs::process::read(&self.proc_root, p));
        Owner {
            pid,
            image: info.as_ref().and_then(|i| i.image.clone()),
            command_line: info.and_then(|i| i.command_line),
        }
    }

    fn emit(&mut self, action: &str, l: &Listener, owner: &Owner) -> bool {
        let mut draft = EventDraft::now(Category::ListeningSocket)
            .with(field::ACTION, action)
            .with(field::PROTOCOL, l.protocol)
            .with(field::LOCAL_IP, l.ip.to_string())
            .with(field::LOCAL_PORT, l.port)
            .with(field::UID, l.uid)
            .with(field::USER, self.users.name(l.uid));
        if let Some(pid) = owner.pid {
            draft = draft.with(field::PROCESS_ID, pid);
        }
        if let Some(image) = &owner.image {
            draft = draft.with(field::IMAGE, image.clone());
        }
        if let Some(cmd) = &owner.command_line {
            draft = draft.with(field::COMMAND_LINE, cmd.clone());
        }
        bump(&self.counters.listen_events);
        self.sink.blocking_send(Item::Event(draft)).is_ok()
    }
}

impl super::sensor::Sensor for ListenSensor {
    fn name(&self) -> &'static str {
        "vigie-listen"
    }

    fn run(self: Box<Self>, stop: Arc<AtomicBool>) {
        (*self).run_until(stop)
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
