//! One capture thread per interface, following interfaces as they come and go.
//!
//! Interfaces appear and vanish all day on servers with containers, VPNs or hot-plugged
//! cards. A capture socket bound to an interface that is gone reports an error on every
//! read; a loop that retried at once spun a core for hours. Here a capture whose
//! interface is gone ends (counted and logged once), a capture that keeps failing ends
//! too, and [`Captures::sync`], called every few seconds, starts captures on interfaces
//! that appeared — including one re-created under the same name.
//!
//! Each capture socket is made here rather than by pnet, for two things pnet does not
//! do: a kernel buffer large enough for a burst (the default, about 150 packets,
//! overflowed on a busy machine and lost one short connection in eight), and reading
//! the kernel's count of packets it dropped anyway, so no loss is silent.

use std::collections::HashMap;
use std::os::fd::{AsRawFd, IntoRawFd, OwnedFd};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::TrySendError;
use std::sync::Arc;
use std::time::{Duration, Instant};

use pnet::datalink::{self, Channel, NetworkInterface};

use super::packet::{self, Packet};
use crate::health::{bump, Counters};
use crate::queue;

/// Reads that fail in a row before a capture whose interface still exists gives up
/// (the next [`Captures::sync`] starts it again).
const MAX_ERRORS_IN_A_ROW: u32 = 50;
/// Pause after a failed read, so a failing socket never spins.
const AFTER_ERROR: Duration = Duration::from_millis(100);
/// Kernel buffer of each capture socket: a burst waits there while the capture thread
/// is off the CPU. 8 MiB holds several thousand small packets.
const KERNEL_BUFFER: usize = 8 << 20;
/// How often the kernel's drop count is read.
const DROPS_EVERY: Duration = Duration::from_secs(1);

/// A running capture.
struct Running {
    /// The interface's index when the capture started: a new interface under the same
    /// name has another.
    index: u32,
    /// Set by the thread when it ends.
    ended: Arc<AtomicBool>,
    /// Set to make the thread end (the interface is no longer wanted).
    quit: Arc<AtomicBool>,
}

/// The captures running, by interface name.
pub(super) struct Captures {
    running: HashMap<String, Running>,
    packets: queue::Sender<Packet>,
    stop: Arc<AtomicBool>,
    counters: Arc<Counters>,
    dns_ports: Arc<Vec<u16>>,
}

impl Captures {
    /// No capture yet; packets will go to `packets`.
    pub(super) fn new(
        packets: queue::Sender<Packet>,
        stop: Arc<AtomicBool>,
        counters: Arc<Counters>,
        dns_ports: Vec<u16>,
    ) -> Captures {
        Captures {
            running: HashMap::new(),
            packets,
            stop,
            counters,
            dns_ports: Arc::new(dns_ports),
        }
    }

    /// Makes the captures those of `wanted`: ends those no longer wanted or whose
    /// interface changed, forgets those that ended, starts the missing ones. Returns how
    /// many run.
    pub(super) fn sync(&mut self, wanted: &[NetworkInterface]) -> usize {
        self.running.retain(|name, running| {
            let still = wanted
                .iter()
                .any(|i| &i.name == name && i.index == running.index);
            if !still {
                running.quit.store(true, Ordering::Relaxed);
            }
            still && !running.ended.load(Ordering::Relaxed)
        });
        for iface in wanted {
            if !self.running.contains_key(&iface.name) {
                if let Some(running) = self.start(iface) {
                    self.running.insert(iface.name.clone(), running);
                }
            }
        }
        self.running.len()
    }

    fn start(&self, iface: &NetworkInterface) -> Option<Running> {
        let socket = match packet_socket() {
            Ok(socket) => socket,
            Err(e) => {
                tracing::warn!(interface = iface.name, error = %e, "cannot capture (needs root or CAP_NET_RAW)");
                return None;
            }
        };
        // A second handle on the same socket, to read its drop count (pnet owns the first).
        let stats = socket.try_clone().ok();
        let config = datalink::Config {
            read_timeout: Some(Duration::from_millis(200)),
            read_buffer_size: 65_536,
            promiscuous: false,
            socket_fd: Some(socket.into_raw_fd()),
            ..Default::default()
        };
        let mut link = match datalink::channel(iface, config) {
            Ok(Channel::Ethernet(_, rx)) => rx,
            Ok(_) => return None,
            Err(e) => {
                tracing::warn!(interface = iface.name, error = %e, "cannot capture (needs root or CAP_NET_RAW)");
                return None;
            }
        };
        let running = Running {
            index: iface.index,
            ended: Arc::new(AtomicBool::new(false)),
            quit: Arc::new(AtomicBool::new(false)),
        };
        let (ended, quit) = (running.ended.clone(), running.quit.clone());
        let (packets, stop) = (self.packets.clone(), self.stop.clone());
        let (counters, dns_ports) = (self.counters.clone(), self.dns_ports.clone());
        let (name, index) = (iface.name.clone(), iface.index);
        tracing::info!(interface = name, "capturing");
        let spawned = std::thread::Builder::new()
            .name(format!("vigie-net-{name}"))
            .spawn(move || {
                let keep = |a: u16, b: u16| dns_ports.contains(&a) || dns_ports.contains(&b);
                let mut errors = 0;
                let mut drops_read = Instant::now();
                while !stop.load(Ordering::Relaxed) && !quit.load(Ordering::Relaxed) {
                    if drops_read.elapsed() >= DROPS_EVERY {
                        add_kernel_drops(stats.as_ref(), &counters.network_packets_dropped);
                        drops_read = Instant::now();
                    }
                    let frame = match link.next() {
                        Ok(frame) => frame,
                        Err(e) if e.kind() == std::io::ErrorKind::TimedOut => continue,
                        Err(e) => {
                            errors += 1;
                            if !exists(&name, index) {
                                bump(&counters.network_interfaces_lost);
                                tracing::warn!(interface = name, "interface gone; its capture ends");
                                break;
                            }
                            if errors >= MAX_ERRORS_IN_A_ROW {
                                tracing::warn!(interface = name, error = %e, "capture keeps failing; it ends and is started again");
                                break;
                            }
                            std::thread::sleep(AFTER_ERROR);
                            continue;
                        }
                    };
                    errors = 0;
                    let Some(p) = packet::parse(frame, keep) else {
                        continue;
                    };
                    match packets.try_send(p) {
                        Ok(()) => {}
                        Err(TrySendError::Full(_)) => bump(&counters.network_packets_dropped),
                        Err(TrySendError::Disconnected(_)) => break,
                    }
                }
                add_kernel_drops(stats.as_ref(), &counters.network_packets_dropped);
                ended.store(true, Ordering::Relaxed);
            });
        spawned.ok().map(|_| running)
    }
}

/// A packet socket for every protocol, with a kernel buffer of [`KERNEL_BUFFER`]
/// (forced past `net.core.rmem_max` when the agent may; else as much as allowed).
fn packet_socket() -> std::io::Result<OwnedFd> {
    use rustix::net::{self, sockopt, AddressFamily, SocketType};
    let socket = net::socket(AddressFamily::PACKET, SocketType::RAW, Some(net::eth::ALL))?;
    if sockopt::set_socket_recv_buffer_size_force(&socket, KERNEL_BUFFER).is_err() {
        let _ = sockopt::set_socket_recv_buffer_size(&socket, KERNEL_BUFFER);
    }
    Ok(socket)
}

/// Adds to `dropped` the packets the kernel dropped on `socket` since the last call
/// (reading them resets the kernel's count).
fn add_kernel_drops(socket: Option<&OwnedFd>, dropped: &AtomicU64) {
    if let Some(n) = socket.and_then(kernel_drops) {
        dropped.fetch_add(u64::from(n), Ordering::Relaxed);
    }
}

/// `PACKET_STATISTICS` of a packet socket: how many packets it dropped since the last
/// read. Hand-written because neither rustix nor pnet offers this option.
#[allow(unsafe_code)] // getsockopt(2) has no safe wrapper for this option; see SAFETY.
fn kernel_drops(socket: &OwnedFd) -> Option<u32> {
    let mut stats = libc::tpacket_stats {
        tp_packets: 0,
        tp_drops: 0,
    };
    let mut len = std::mem::size_of::<libc::tpacket_stats>() as libc::socklen_t;
    // SAFETY: the fd is open for the borrow's lifetime; `stats` and `len` are valid,
    // writable and sized for PACKET_STATISTICS, and the kernel writes at most `len` bytes.
    let done = unsafe {
        libc::getsockopt(
            socket.as_raw_fd(),
            libc::SOL_PACKET,
            libc::PACKET_STATISTICS,
            (&mut stats as *mut libc::tpacket_stats).cast(),
            &mut len,
        )
    };
    (done == 0).then_some(stats.tp_drops)
}

/// Whether the interface `name` still exists with index `index` (in this namespace).
fn exists(name: &str, index: u32) -> bool {
    datalink::interfaces()
        .iter()
        .any(|i| i.name == name && i.index == index)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The socket gets the large buffer (as root; the kernel reports twice what was
    /// set) and its drop count can be read.
    #[test]
    fn a_capture_socket_has_a_large_buffer_and_a_readable_drop_count() {
        let Ok(socket) = packet_socket() else {
            eprintln!("skipped: packet sockets need root or CAP_NET_RAW");
            return;
        };
        let size = rustix::net::sockopt::socket_recv_buffer_size(&socket).unwrap();
        if rustix::process::geteuid().is_root() {
            assert!(size >= KERNEL_BUFFER, "kernel buffer {size}");
        }
        assert_eq!(kernel_drops(&socket), Some(0));
    }
}
