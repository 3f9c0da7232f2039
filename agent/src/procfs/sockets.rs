//! Sockets as `/proc/net/{tcp,udp}[6]` list them, and which process holds each (through
//! `/proc/PID/fd`).

use std::collections::{HashMap, HashSet};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::Path;

/// A transport protocol with its own socket tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    /// `/proc/net/tcp` and `tcp6`.
    Tcp,
    /// `/proc/net/udp` and `udp6`.
    Udp,
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
pub fn parse(text: &str) -> Vec<SocketEntry> {
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

/// Which process holds each socket: inode → pid, by scanning `/proc/*/fd`. With
/// `only`, stops as soon as those inodes are all found.
pub fn owners(proc_root: &Path, only: Option<&HashSet<u64>>) -> HashMap<u64, u32> {
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

/// Inode of the socket bound to `local` (any state), from `/proc/net`.
pub fn inode_of(protocol: Protocol, local: SocketAddr) -> Option<u64> {
    let files: &[&str] = match protocol {
        Protocol::Tcp => &["tcp", "tcp6"],
        Protocol::Udp => &["udp", "udp6"],
    };
    for file in files {
        let Ok(text) = std::fs::read_to_string(Path::new("/proc/net").join(file)) else {
            continue;
        };
        for entry in parse(&text) {
            let same_ip = entry.ip == local.ip()
                || entry.ip.is_unspecified()
                || mapped(entry.ip) == Some(local.ip());
            // Inode 0: a connection not accepted yet; its listener holds the owner.
            if entry.port == local.port() && same_ip && entry.inode != 0 {
                return Some(entry.inode);
            }
        }
    }
    None
}

fn mapped(ip: IpAddr) -> Option<IpAddr> {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4),
        IpAddr::V4(_) => None,
    }
}
