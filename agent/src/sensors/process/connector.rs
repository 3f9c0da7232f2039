//! The kernel's process events through the netlink process connector (`CN_IDX_PROC`):
//! fork, exec and exit, as they happen, so that no exec is missed between polls.
//! Needs root (CAP_NET_ADMIN); [`Connector::open`] says why when it cannot.
//!
//! Socket calls go through rustix (no `unsafe` here); the netlink and connector message
//! layouts are written and read by hand below, as the kernel's headers define them.

use std::io;
use std::os::fd::OwnedFd;

use super::readable::readable;
use rustix::net::netlink::{self, SocketAddrNetlink};
use rustix::net::{
    bind, recv, send, socket_with, sockopt, AddressFamily, RecvFlags, SendFlags, SocketFlags,
    SocketType,
};

const CN_IDX_PROC: u32 = 1;
const CN_VAL_PROC: u32 = 1;
const PROC_CN_MCAST_LISTEN: u32 = 1;
const NLMSG_DONE: u16 = 3;
const NLMSG_HDRLEN: usize = 16;
const CN_MSG_LEN: usize = 20;
const PROC_EVENT_FORK: u32 = 0x0000_0001;
const PROC_EVENT_EXEC: u32 = 0x0000_0002;
const PROC_EVENT_EXIT: u32 = 0x8000_0000;

/// One process event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ProcEvent {
    /// `child` was forked by `parent` (thread-group ids).
    Fork {
        /// The parent's process id.
        parent: u32,
        /// The child's process id.
        child: u32,
    },
    /// Process `pid` executed a new program.
    Exec {
        /// The process id.
        pid: u32,
    },
    /// Process `pid` exited.
    Exit {
        /// The process id.
        pid: u32,
    },
}

/// A subscribed netlink connector socket.
pub(super) struct Connector {
    fd: OwnedFd,
    buf: Vec<u8>,
}

impl Connector {
    /// Opens the socket and subscribes to process events.
    pub(super) fn open() -> io::Result<Connector> {
        let fd = socket_with(
            AddressFamily::NETLINK,
            SocketType::DGRAM,
            SocketFlags::CLOEXEC,
            Some(netlink::CONNECTOR),
        )?;
        // Port id 0: the kernel picks a unique one.
        bind(&fd, &SocketAddrNetlink::new(0, CN_IDX_PROC))?;
        // A big receive buffer: exec storms arrive faster than we read /proc. Best
        // effort: without CAP_NET_ADMIN the default size stays.
        let _ = sockopt::set_socket_recv_buffer_size_force(&fd, 8 << 20);
        let mut msg = Vec::with_capacity(NLMSG_HDRLEN + CN_MSG_LEN + 4);
        let total = (NLMSG_HDRLEN + CN_MSG_LEN + 4) as u32;
        msg.extend_from_slice(&total.to_ne_bytes());
        msg.extend_from_slice(&NLMSG_DONE.to_ne_bytes());
        msg.extend_from_slice(&0u16.to_ne_bytes()); // flags
        msg.extend_from_slice(&0u32.to_ne_bytes()); // seq
        msg.extend_from_slice(&std::process::id().to_ne_bytes());
        msg.extend_from_slice(&CN_IDX_PROC.to_ne_bytes());
        msg.extend_from_slice(&CN_VAL_PROC.to_ne_bytes());
        msg.extend_from_slice(&0u32.to_ne_bytes()); // seq
        msg.extend_from_slice(&0u32.to_ne_bytes()); // ack
        msg.extend_from_slice(&4u16.to_ne_bytes()); // len
        msg.extend_from_slice(&0u16.to_ne_bytes()); // flags
        msg.extend_from_slice(&PROC_CN_MCAST_LISTEN.to_ne_bytes());
        send(&fd, &msg, SendFlags::empty())?;
        Ok(Connector {
            fd,
            buf: vec![0u8; 64 * 1024],
        })
    }

    /// Waits up to `timeout_ms` for the next datagram and returns its events (empty on
    /// timeout). `ENOBUFS` means the kernel dropped events: returned as an error so the
    /// caller counts it.
    pub(super) fn read(&mut self, timeout_ms: i32) -> io::Result<Vec<ProcEvent>> {
        if !readable(&self.fd, timeout_ms)? {
            return Ok(Vec::new());
        }
        let (_, n) = recv(&self.fd, &mut self.buf[..], RecvFlags::empty())?;
        Ok(parse(&self.buf[..n.min(self.buf.len())]))
    }
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    b.get(at..at + 4)
        .map(|s| u32::from_ne_bytes(s.try_into().expect("4 bytes")))
}

/// Parses the netlink messages of one datagram.
pub(super) fn parse(mut data: &[u8]) -> Vec<ProcEvent> {
    let mut events = Vec::new();
    while data.len() >= NLMSG_HDRLEN {
        let Some(len) = u32_at(data, 0).map(|l| l as usize) else {
            break;
        };
        if len < NLMSG_HDRLEN || len > data.len() {
            break;
        }
        let payload = &data[NLMSG_HDRLEN..len];
        // cn_msg header, then proc_event: what, cpu, timestamp, then the event data.
        let event = payload.get(CN_MSG_LEN..).unwrap_or(&[]);
        let what = u32_at(event, 0);
        let body = event.get(16..).unwrap_or(&[]);
        match what {
            Some(PROC_EVENT_FORK) => {
                if let (Some(parent), Some(child)) = (u32_at(body, 4), u32_at(body, 12)) {
                    events.push(ProcEvent::Fork { parent, child });
                }
            }
            Some(PROC_EVENT_EXEC) => {
                if let Some(pid) = u32_at(body, 4) {
                    events.push(ProcEvent::Exec { pid });
                }
            }
            Some(PROC_EVENT_EXIT) => {
                // Only whole processes (thread group leaders), not threads.
                if let (Some(pid), Some(tgid)) = (u32_at(body, 0), u32_at(body, 4)) {
                    if pid == tgid {
                        events.push(ProcEvent::Exit { pid });
                    }
                }
            }
            _ => {}
        }
        let aligned = (len + 3) & !3;
        data = data.get(aligned..).unwrap_or(&[]);
    }
    events
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(what: u32, body: &[u32]) -> Vec<u8> {
        let mut event = Vec::new();
        event.extend_from_slice(&what.to_ne_bytes());
        event.extend_from_slice(&0u32.to_ne_bytes());
        event.extend_from_slice(&0u64.to_ne_bytes());
        for v in body {
            event.extend_from_slice(&v.to_ne_bytes());
        }
        let len = NLMSG_HDRLEN + CN_MSG_LEN + event.len();
        let mut msg = vec![0u8; NLMSG_HDRLEN + CN_MSG_LEN];
        msg[0..4].copy_from_slice(&(len as u32).to_ne_bytes());
        msg.extend_from_slice(&event);
        msg
    }

    #[test]
    fn parses_fork_exec_and_exit() {
        let mut data = message(PROC_EVENT_FORK, &[10, 10, 11, 11]);
        data.extend(message(PROC_EVENT_EXEC, &[11, 11]));
        data.extend(message(PROC_EVENT_EXIT, &[11, 11, 0, 17, 10, 10]));
        data.extend(message(PROC_EVENT_EXIT, &[12, 11, 0, 17, 10, 10]));
        assert_eq!(
            parse(&data),
            vec![
                ProcEvent::Fork {
                    parent: 10,
                    child: 11
                },
                ProcEvent::Exec { pid: 11 },
                ProcEvent::Exit { pid: 11 }
            ]
        );
        assert!(
            parse(&data[..10]).is_empty(),
            "a torn datagram yields nothing"
        );
    }
}
