//! Which program opened a connection, from the kernel: `agent/bpf/net.bpf.c` reads, at
//! the end of each `connect()` and each `sendto()` to an address, the socket's protocol
//! and both ends with the process that made the call. The records wait in an
//! [`OwnerTable`] for the packets of that connection, so a connection that opened and
//! closed in a millisecond still has its program — where scanning `/proc/*/fd` finds
//! the socket gone.
//!
//! Connections the kernel accepts for a listener are owned by the listener's process,
//! which lives: the sensor finds it in `/proc` as before.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use libbpf_rs::{Link, Object};

use super::packet::Proto;
use crate::ebpf::{self, components, text, u16_at, u32_at};
use crate::health::Counters;

/// The compiled eBPF program (see `build.rs`).
const PROGRAM: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/net.bpf.o"));

/// How long a record waits for its connection's packets.
const KEEP: Duration = Duration::from_secs(60);
/// Most connections remembered; past it the oldest half goes (counted).
const MAX_CONNECTIONS: usize = 16_384;

// Layout of `struct conn_record` in net.bpf.c.
const PATH_BUF: usize = 1024 + 256;
const LOCAL_ADDR_AT: usize = 16;
const REMOTE_ADDR_AT: usize = 32;
const PPID_AT: usize = 56;
const COMM_AT: usize = 64;
const EXE_AT: usize = 80;
const RECORD: usize = EXE_AT + PATH_BUF;
const AF_INET: u16 = 2;
const AF_INET6: u16 = 10;
const SOCK_STREAM: u16 = 1;

/// The process that opened a connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Owner {
    /// Process id.
    pub pid: u32,
    /// Real user id (unknown when `/proc` could not say).
    pub uid: Option<u32>,
    /// Its parent's process id (unknown when `/proc` could not say).
    pub ppid: Option<u32>,
    /// Its program's real path (or its name when the path could not be read).
    pub image: String,
}

/// One record: a socket's ends and who made the call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Opened {
    proto: Proto,
    local: SocketAddr,
    remote: SocketAddr,
    owner: Owner,
}

/// What identifies a connection for matching: the local port and the remote end (the
/// local address of an unbound socket is not known before its first packet).
type Key = (Proto, u16, SocketAddr);

/// Connections opened lately and their owners, shared by the reader thread and the
/// network sensor.
#[derive(Debug, Default)]
pub(super) struct OwnerTable {
    connections: Mutex<HashMap<Key, (Instant, Owner)>>,
    /// Entries forgotten before [`KEEP`] to make room.
    pub forgotten: AtomicU64,
    /// Every record written before this instant has been noted.
    caught_up: Mutex<Option<Instant>>,
}

impl OwnerTable {
    pub(super) fn note(&self, opened: Opened) {
        let mut connections = self.connections.lock().expect("owners lock");
        if connections.len() >= MAX_CONNECTIONS {
            let before = connections.len();
            connections.retain(|_, (at, _)| at.elapsed() < KEEP);
            if connections.len() >= MAX_CONNECTIONS / 2 {
                let mut ages: Vec<Instant> = connections.values().map(|(at, _)| *at).collect();
                ages.sort_unstable();
                let cut = ages[ages.len() / 2];
                connections.retain(|_, (at, _)| *at > cut);
            }
            self.forgotten
                .fetch_add((before - connections.len()) as u64, Ordering::Relaxed);
        }
        let key = (opened.proto, opened.local.port(), opened.remote);
        connections.insert(key, (Instant::now(), opened.owner));
    }

    /// The owner of the connection from local `local` to `remote`, if it was seen.
    pub(super) fn owner(
        &self,
        proto: Proto,
        local: SocketAddr,
        remote: SocketAddr,
    ) -> Option<Owner> {
        let connections = self.connections.lock().expect("owners lock");
        connections
            .get(&(proto, local.port(), plain(remote)))
            .filter(|(at, _)| at.elapsed() < KEEP)
            .map(|(_, o)| o.clone())
    }

    /// Whether every record the kernel wrote before `t` has been noted: a connection
    /// opened before `t` and still unknown then has no record.
    pub(super) fn caught_up_after(&self, t: Instant) -> bool {
        self.caught_up
            .lock()
            .expect("owners lock")
            .is_some_and(|at| at >= t)
    }

    pub(super) fn note_caught_up(&self, at: Instant) {
        *self.caught_up.lock().expect("owners lock") = Some(at);
    }
}

/// An IPv4 address carried in IPv6 (`::ffff:a.b.c.d`) as the IPv4 the packets show.
fn plain(addr: SocketAddr) -> SocketAddr {
    match addr.ip() {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => SocketAddr::new(IpAddr::V4(v4), addr.port()),
            None => addr,
        },
        IpAddr::V4(_) => addr,
    }
}

fn address(family: u16, bytes: &[u8], port: u16) -> Option<SocketAddr> {
    let ip = match family {
        AF_INET => IpAddr::V4(Ipv4Addr::new(bytes[0], bytes[1], bytes[2], bytes[3])),
        AF_INET6 => IpAddr::V6(Ipv6Addr::from(<[u8; 16]>::try_from(&bytes[..16]).ok()?)),
        _ => return None,
    };
    Some(plain(SocketAddr::new(ip, port)))
}

/// Reads one record (cut after its path); `None` when it is torn or not an IP socket.
pub(super) fn parse(b: &[u8]) -> Option<Opened> {
    if b.len() < EXE_AT || b.len() > RECORD {
        return None;
    }
    let family = u16_at(b, 8) as u16;
    let proto = if u16_at(b, 10) as u16 == SOCK_STREAM {
        Proto::Tcp
    } else {
        Proto::Udp
    };
    let local_port = u16_at(b, 12) as u16;
    let remote_port = u16::from_be_bytes([b[14], b[15]]);
    let local = address(family, &b[LOCAL_ADDR_AT..LOCAL_ADDR_AT + 16], local_port)?;
    let remote = address(family, &b[REMOTE_ADDR_AT..REMOTE_ADDR_AT + 16], remote_port)?;
    let image = components(b.get(EXE_AT..EXE_AT + u16_at(b, 52).min(PATH_BUF))?)
        .unwrap_or_else(|| text(&b[COMM_AT..COMM_AT + 16]));
    Some(Opened {
        proto,
        local,
        remote,
        owner: Owner {
            pid: u32_at(b, 0),
            uid: Some(u32_at(b, 4)),
            ppid: Some(u32_at(b, PPID_AT)),
            image,
        },
    })
}

/// The loaded and attached program.
struct ConnProbe {
    object: Object,
    _links: Vec<Link>,
}

impl ConnProbe {
    fn load() -> Result<ConnProbe, ebpf::Error> {
        let object = ebpf::load(PROGRAM)?;
        ebpf::set_agent_pid(&object)?;
        let links = ebpf::attach_all(&object)?;
        Ok(ConnProbe {
            object,
            _links: links,
        })
    }
}

/// Starts the reader on its own thread: the table to read, or `None` (logged) when
/// eBPF cannot be used. The thread ends when `stop` is set; kernel drops are counted
/// in `counters.network_owners_lost`.
pub(super) fn start(stop: Arc<AtomicBool>, counters: Arc<Counters>) -> Option<Arc<OwnerTable>> {
    let table = Arc::new(OwnerTable::default());
    let shared = table.clone();
    let started = ebpf::spawn("vigie-net-owners", ConnProbe::load, move |probe| {
        let followed = ebpf::follow_with_progress(
            &probe.object,
            "conn_events",
            "conn_drops",
            &stop,
            parse,
            |opened| {
                tracing::debug!(?opened, "connection opened");
                shared.note(opened);
                true
            },
            |dropped| {
                counters
                    .network_owners_lost
                    .fetch_add(dropped, Ordering::Relaxed);
                tracing::warn!(
                    dropped,
                    "the kernel dropped connection records (ring buffer full)"
                );
            },
            |at| shared.note_caught_up(at),
        );
        if let Err(e) = followed {
            tracing::error!(error = %e, "connection owners from eBPF stopped: /proc lookups only");
        }
    });
    match started {
        Ok(()) => {
            tracing::info!("connections with their program, from eBPF");
            Some(table)
        }
        Err(e) => {
            tracing::warn!(error = %e, "connection owners from eBPF unavailable: /proc lookups only");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(family: u16, kind: u16, local: (&[u8], u16), remote: (&[u8], u16)) -> Vec<u8> {
        let mut b = vec![0u8; RECORD];
        b[0..4].copy_from_slice(&77u32.to_ne_bytes());
        b[8..10].copy_from_slice(&family.to_ne_bytes());
        b[10..12].copy_from_slice(&kind.to_ne_bytes());
        b[12..14].copy_from_slice(&local.1.to_ne_bytes());
        b[14..16].copy_from_slice(&remote.1.to_be_bytes());
        b[LOCAL_ADDR_AT..LOCAL_ADDR_AT + local.0.len()].copy_from_slice(local.0);
        b[REMOTE_ADDR_AT..REMOTE_ADDR_AT + remote.0.len()].copy_from_slice(remote.0);
        b[COMM_AT..COMM_AT + 4].copy_from_slice(b"curl");
        b
    }

    #[test]
    fn reads_a_connection_and_finds_it_by_its_ends() {
        let b = record(
            AF_INET,
            SOCK_STREAM,
            (&[10, 0, 0, 1], 40000),
            (&[10, 0, 0, 2], 443),
        );
        let opened = parse(&b).unwrap();
        assert_eq!(opened.proto, Proto::Tcp);
        assert_eq!(opened.local, "10.0.0.1:40000".parse().unwrap());
        assert_eq!(opened.remote, "10.0.0.2:443".parse().unwrap());
        assert_eq!(
            opened.owner.image, "curl",
            "the name stands in for the path"
        );
        let table = OwnerTable::default();
        table.note(opened);
        let local: SocketAddr = "10.0.0.1:40000".parse().unwrap();
        let remote: SocketAddr = "10.0.0.2:443".parse().unwrap();
        assert_eq!(table.owner(Proto::Tcp, local, remote).unwrap().pid, 77);
        assert!(table.owner(Proto::Udp, local, remote).is_none());
    }

    #[test]
    fn a_record_cut_after_its_path_is_read_whole() {
        let mut b = record(
            AF_INET,
            SOCK_STREAM,
            (&[10, 0, 0, 1], 40000),
            (&[10, 0, 0, 2], 443),
        );
        let path = b"curl\0bin\0usr\0";
        b[EXE_AT..EXE_AT + path.len()].copy_from_slice(path);
        b[52..54].copy_from_slice(&(path.len() as u16).to_ne_bytes());
        b.truncate(EXE_AT + path.len());
        assert_eq!(parse(&b).unwrap().owner.image, "/usr/bin/curl");
        b.truncate(EXE_AT + 3);
        assert!(parse(&b).is_none(), "a path cut short is torn");
    }

    #[test]
    fn an_ipv4_address_in_ipv6_is_the_ipv4_the_packets_show() {
        let mut mapped = [0u8; 16];
        mapped[10] = 0xff;
        mapped[11] = 0xff;
        mapped[12..].copy_from_slice(&[192, 0, 2, 9]);
        let b = record(AF_INET6, 2, (&[0; 16], 5353), (&mapped, 53));
        let opened = parse(&b).unwrap();
        assert_eq!(opened.proto, Proto::Udp);
        assert_eq!(opened.remote, "192.0.2.9:53".parse().unwrap());
        assert!(
            parse(&record(1, 1, (&[0; 4], 1), (&[0; 4], 1))).is_none(),
            "not IP"
        );
    }
}
