//! Every exec from the kernel's audit subsystem (netlink `NETLINK_AUDIT`), where eBPF is
//! refused (old kernels, no BTF, locked down): an exit rule on `execve` and `execveat`
//! (key `vigie-exec`) makes the kernel write, for each exec, the program and the users
//! (`SYSCALL`), the arguments (`EXECVE`) and the working folder (`CWD`), all taken
//! before the process can exit; they are put together here by their serial number.
//!
//! Where no audit daemon runs, the agent becomes it: the records come to it alone (none
//! go to the kernel log) and it gives the place back on exit. Where auditd runs, the
//! agent reads the records' copy sent to readers (`AUDIT_NLGRP_READLOG`, kernel 3.16+)
//! and auditd keeps its logs and settings. The rule is put back every few seconds should
//! anyone remove it (auditd's start clears all rules), and removed on exit; one left by
//! a killed agent is replaced at the next start.
//!
//! Hand-written over rustix like the connector: `netlink-packet-audit` frames the
//! messages but brings an async netlink stack, and putting the records together — most
//! of this file — would still be ours. The layouts follow `linux/audit.h`.

use std::collections::HashMap;
use std::io;
use std::os::fd::OwnedFd;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use rustix::net::netlink::{self, SocketAddrNetlink};
use rustix::net::{
    bind, recv, send, socket_with, sockopt, AddressFamily, RecvFlags, SendFlags, SocketFlags,
    SocketType,
};

use super::exec_record::{ExecRecord, MAX_ARGS_BYTES};
use super::readable::readable;

const NLMSG_HDRLEN: usize = 16;
const NLMSG_ERROR: u16 = 2;
const NLM_F_REQUEST: u16 = 1;
const NLM_F_ACK: u16 = 4;
const AUDIT_GET: u16 = 1000;
const AUDIT_SET: u16 = 1001;
const AUDIT_ADD_RULE: u16 = 1011;
const AUDIT_DEL_RULE: u16 = 1012;
/// Types from here on are records (events), not answers to requests.
const AUDIT_FIRST_RECORD: u16 = 1100;
const AUDIT_SYSCALL: u16 = 1300;
const AUDIT_CWD: u16 = 1307;
const AUDIT_EXECVE: u16 = 1309;
const AUDIT_EOE: u16 = 1320;
const AUDIT_STATUS_ENABLED: u32 = 0x01;
const AUDIT_STATUS_PID: u32 = 0x04;
const AUDIT_STATUS_BACKLOG_LIMIT: u32 = 0x10;
/// Multicast group of the records' copy for readers.
const AUDIT_NLGRP_READLOG: u32 = 1;
const AUDIT_FILTER_EXIT: u32 = 0x04;
const AUDIT_ALWAYS: u32 = 2;
const AUDIT_ARCH_FIELD: u32 = 11;
const AUDIT_FILTERKEY: u32 = 210;
const AUDIT_EQUAL: u32 = 0x4000_0000;
const AUDIT_BITMASK_SIZE: usize = 64;
const AUDIT_MAX_FIELDS: usize = 64;

#[cfg(target_arch = "x86_64")]
const ARCH: (u32, [u32; 2]) = (0xc000_003e, [59, 322]);
#[cfg(target_arch = "aarch64")]
const ARCH: (u32, [u32; 2]) = (0xc000_00b7, [221, 281]);

/// The rule's key: names Vigie's rule among others (auditd's, an admin's).
const RULE_KEY: &str = "vigie-exec";
/// Records kept waiting for their end: past it, the oldest are sent as they are.
const MAX_PENDING: usize = 4_096;
/// A record whose end (`EOE`) has not come after this is sent as it is.
const PENDING_FOR: Duration = Duration::from_secs(2);
/// The kernel's queue of records for its daemon, when the agent is that daemon.
const BACKLOG_LIMIT: u32 = 8_192;
/// How often the kernel's count of lost records is read and the rule put back.
const CHECK_EVERY: Duration = Duration::from_secs(5);

/// How the agent reads the records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Role {
    /// The agent is the audit daemon; `was_enabled` is the audit state to give back.
    Daemon { was_enabled: u32 },
    /// auditd runs: the agent reads the copy for readers.
    Reader,
}

/// The kernel's audit state (the first fields of `struct audit_status`).
#[derive(Debug, Clone, Copy, Default)]
struct Status {
    enabled: u32,
    pid: u32,
    lost: u32,
}

/// A subscribed audit socket and the rule it put in place.
pub(super) struct AuditExec {
    fd: OwnedFd,
    role: Role,
    buf: Vec<u8>,
    seq: u32,
    pending: HashMap<u64, Pending>,
    /// Execs put together, not yet handed over.
    ready: Vec<ExecRecord>,
    lost_seen: u32,
    checked: Instant,
}

/// One exec's records so far.
#[derive(Debug, Default)]
struct Pending {
    since: Option<Instant>,
    syscall: Option<HashMap<String, String>>,
    args: Vec<(usize, String)>,
    arg_parts: HashMap<usize, Vec<(usize, String)>>,
    argc: usize,
    cwd: Option<String>,
}

impl AuditExec {
    /// Opens the audit socket, takes the daemon's place or reads alongside auditd, and
    /// puts the exec rule in place; says why when it cannot (not root, no audit in
    /// this kernel, audit locked).
    pub(super) fn open() -> io::Result<AuditExec> {
        let mut audit = AuditExec {
            fd: audit_socket(0)?,
            role: Role::Reader,
            buf: vec![0u8; 64 * 1024],
            seq: 0,
            pending: HashMap::new(),
            ready: Vec::new(),
            lost_seen: 0,
            checked: Instant::now(),
        };
        let status = audit.status()?;
        audit.lost_seen = status.lost;
        audit.role = if status.pid == 0 {
            match audit.become_daemon() {
                Ok(()) => Role::Daemon {
                    was_enabled: status.enabled,
                },
                // Another took the place meanwhile (another agent, auditd starting).
                Err(e) if e.raw_os_error() == Some(libc::EEXIST) => Role::Reader,
                Err(e) => return Err(e),
            }
        } else {
            Role::Reader
        };
        if audit.role == Role::Reader {
            // A socket is bound once: the reader's joins the group from the start.
            audit.fd = audit_socket(1 << (AUDIT_NLGRP_READLOG - 1))?;
        }
        // A rule left by a killed agent is replaced, not doubled. On failure, dropping
        // `audit` gives the daemon's place back.
        let _ = audit.request(AUDIT_DEL_RULE, &rule_data());
        audit.request(AUDIT_ADD_RULE, &rule_data())?;
        Ok(audit)
    }

    /// How it reads the records.
    pub(super) fn role(&self) -> Role {
        self.role
    }

    fn become_daemon(&mut self) -> io::Result<()> {
        let status = status_body(
            AUDIT_STATUS_ENABLED | AUDIT_STATUS_PID | AUDIT_STATUS_BACKLOG_LIMIT,
            1,
            std::process::id(),
            BACKLOG_LIMIT,
        );
        self.request(AUDIT_SET, &status)
    }

    /// Removes the rule and, as the daemon, gives the place and the audit state back.
    fn give_back(&mut self) {
        let _ = self.request(AUDIT_DEL_RULE, &rule_data());
        if let Role::Daemon { was_enabled } = self.role {
            let status = status_body(AUDIT_STATUS_ENABLED | AUDIT_STATUS_PID, was_enabled, 0, 0);
            let _ = self.request(AUDIT_SET, &status);
        }
    }

    /// Puts the rule back if it was removed.
    fn keep_rule(&mut self) {
        match self.request(AUDIT_ADD_RULE, &rule_data()) {
            Ok(()) => tracing::warn!("the audit exec rule had been removed; put back"),
            Err(e) if e.raw_os_error() == Some(libc::EEXIST) => {}
            Err(e) => tracing::warn!(error = %e, "cannot check the audit exec rule"),
        }
    }

    /// Sends a request and waits for the kernel's acknowledgement (records arriving
    /// meanwhile are kept for [`AuditExec::follow`]).
    fn request(&mut self, kind: u16, body: &[u8]) -> io::Result<()> {
        self.send(kind, body)?;
        let seq = self.seq;
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            for (kind, msg_seq, payload) in self.receive(500)? {
                if kind == NLMSG_ERROR && msg_seq == seq {
                    let code = i32_at(&payload, 0).unwrap_or(0);
                    return if code == 0 {
                        Ok(())
                    } else {
                        Err(io::Error::from_raw_os_error(-code))
                    };
                }
                self.on_message(kind, &payload);
            }
        }
        Err(io::Error::new(
            io::ErrorKind::TimedOut,
            "the kernel did not answer the audit request",
        ))
    }

    fn send(&mut self, kind: u16, body: &[u8]) -> io::Result<()> {
        self.seq = self.seq.wrapping_add(1);
        let mut msg = Vec::with_capacity(NLMSG_HDRLEN + body.len());
        msg.extend_from_slice(&((NLMSG_HDRLEN + body.len()) as u32).to_ne_bytes());
        msg.extend_from_slice(&kind.to_ne_bytes());
        msg.extend_from_slice(&(NLM_F_REQUEST | NLM_F_ACK).to_ne_bytes());
        msg.extend_from_slice(&self.seq.to_ne_bytes());
        msg.extend_from_slice(&0u32.to_ne_bytes());
        msg.extend_from_slice(body);
        send(&self.fd, &msg, SendFlags::empty())?;
        Ok(())
    }

    /// The kernel's audit state.
    fn status(&mut self) -> io::Result<Status> {
        self.send(AUDIT_GET, &[])?;
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            for (kind, _, payload) in self.receive(500)? {
                if kind == AUDIT_GET {
                    return Ok(Status {
                        enabled: u32_at(&payload, 4).unwrap_or(0),
                        pid: u32_at(&payload, 12).unwrap_or(0),
                        lost: u32_at(&payload, 24).unwrap_or(0),
                    });
                }
                if kind == NLMSG_ERROR {
                    let code = i32_at(&payload, 0).unwrap_or(0);
                    if code != 0 {
                        return Err(io::Error::from_raw_os_error(-code));
                    }
                }
                self.on_message(kind, &payload);
            }
        }
        Err(io::Error::new(
            io::ErrorKind::TimedOut,
            "the kernel did not say the audit state",
        ))
    }

    /// Waits up to `timeout_ms` for a datagram; its messages as (type, seq, payload).
    fn receive(&mut self, timeout_ms: i32) -> io::Result<Vec<(u16, u32, Vec<u8>)>> {
        if !readable(&self.fd, timeout_ms)? {
            return Ok(Vec::new());
        }
        let (_, n) = recv(&self.fd, &mut self.buf[..], RecvFlags::empty())?;
        Ok(messages(&self.buf[..n.min(self.buf.len())]))
    }

    /// Follows execs until `stop` is set or `on_record` returns false; `on_lost` hears of
    /// records the kernel lost. Gives the rule and the daemon's place back on return
    /// (on drop: a panic gives them back too).
    pub(super) fn follow(
        mut self,
        stop: &AtomicBool,
        mut on_record: impl FnMut(ExecRecord) -> bool,
        mut on_lost: impl FnMut(u64),
    ) -> io::Result<()> {
        loop {
            if stop.load(Ordering::Relaxed) {
                return Ok(());
            }
            match self.receive(200) {
                Ok(messages) => {
                    for (kind, _, payload) in messages {
                        self.on_message(kind, &payload);
                    }
                }
                Err(e) if e.raw_os_error() == Some(libc::ENOBUFS) => on_lost(1),
                Err(e) => return Err(e),
            }
            self.overdue();
            if std::mem::take(&mut self.ready)
                .into_iter()
                .any(|r| !on_record(r))
            {
                return Ok(());
            }
            if self.checked.elapsed() >= CHECK_EVERY {
                self.checked = Instant::now();
                self.keep_rule();
                if self.role != Role::Reader {
                    if let Ok(status) = self.status() {
                        let lost = status.lost.wrapping_sub(self.lost_seen);
                        self.lost_seen = status.lost;
                        if lost > 0 {
                            on_lost(u64::from(lost));
                        }
                    }
                }
            }
        }
    }

    /// Takes one message; an exec it completes goes to `ready`.
    fn on_message(&mut self, kind: u16, payload: &[u8]) {
        if !matches!(kind, AUDIT_SYSCALL | AUDIT_EXECVE | AUDIT_CWD | AUDIT_EOE) {
            return;
        }
        let text = String::from_utf8_lossy(payload);
        let Some((serial, body)) = header(&text) else {
            return;
        };
        if kind == AUDIT_EOE {
            if let Some(done) = self.pending.remove(&serial).and_then(finish) {
                self.ready.push(done);
            }
            return;
        }
        if self.pending.len() >= MAX_PENDING && !self.pending.contains_key(&serial) {
            return;
        }
        let pending = self.pending.entry(serial).or_default();
        pending.since.get_or_insert_with(Instant::now);
        let fields = fields(body);
        match kind {
            AUDIT_SYSCALL => {
                pending.syscall = Some(fields.into_iter().collect());
            }
            AUDIT_CWD => {
                pending.cwd = fields.into_iter().find(|(k, _)| k == "cwd").map(|(_, v)| v);
            }
            _ => pending.add_args(fields),
        }
    }

    /// Records whose end never came: sent as they are.
    fn overdue(&mut self) {
        let late: Vec<u64> = self
            .pending
            .iter()
            .filter(|(_, p)| p.since.is_some_and(|s| s.elapsed() >= PENDING_FOR))
            .map(|(serial, _)| *serial)
            .collect();
        for serial in late {
            if let Some(done) = self.pending.remove(&serial).and_then(finish) {
                self.ready.push(done);
            }
        }
    }
}

impl Drop for AuditExec {
    fn drop(&mut self) {
        self.give_back();
    }
}

impl Pending {
    /// Arguments from an `EXECVE` record: `argc=2 a0="ls" a1=2D6C`, or for a long one
    /// `a1_len=9000 a1[0]=… a1[1]=…` (hex), possibly over several records.
    fn add_args(&mut self, fields: Vec<(String, String)>) {
        for (key, value) in fields {
            if key == "argc" {
                self.argc = value.parse().unwrap_or(0);
            } else if let Some(rest) = key.strip_prefix('a') {
                if let Some((index, part)) = rest.split_once('[') {
                    let (Ok(index), Ok(part)) = (
                        index.parse::<usize>(),
                        part.trim_end_matches(']').parse::<usize>(),
                    ) else {
                        continue;
                    };
                    self.arg_parts.entry(index).or_default().push((part, value));
                } else if let Ok(index) = rest.parse::<usize>() {
                    self.args.push((index, value));
                }
            }
        }
    }
}

/// The exec a complete set of records describes (`None` for a failed exec, or another
/// system call). Not told by the key: an exec that an admin's rule matched first
/// carries that rule's key.
fn finish(mut p: Pending) -> Option<ExecRecord> {
    let syscall = p.syscall.take()?;
    let is_exec = syscall
        .get("syscall")
        .and_then(|n| n.parse::<u32>().ok())
        .is_some_and(|n| ARCH.1.contains(&n));
    if !is_exec || syscall.get("success").is_some_and(|s| s != "yes") {
        return None;
    }
    let number = |name: &str| syscall.get(name).and_then(|v| v.parse::<u32>().ok());
    for (index, mut parts) in p.arg_parts.drain() {
        parts.sort_by_key(|(part, _)| *part);
        let joined: String = parts.into_iter().map(|(_, v)| v).collect();
        p.args.push((index, joined));
    }
    p.args.sort_by_key(|(index, _)| *index);
    let mut args = Vec::new();
    let (mut bytes, mut truncated) = (0, p.args.len() < p.argc);
    for (_, arg) in p.args {
        if bytes + arg.len() > MAX_ARGS_BYTES {
            truncated = true;
            break;
        }
        bytes += arg.len() + 1;
        args.push(arg);
    }
    let image = syscall
        .get("exe")
        .or_else(|| syscall.get("comm"))
        .cloned()
        .unwrap_or_default();
    Some(ExecRecord {
        pid: number("pid")?,
        ppid: number("ppid").unwrap_or(0),
        uid: number("uid")?,
        // 4294967295: no login user.
        login_uid: number("auid").filter(|a| *a != u32::MAX),
        image,
        cwd: p.cwd,
        args,
        args_truncated: truncated,
    })
}

/// An audit socket bound to the multicast `groups`, with a large receive buffer (an
/// exec storm arrives faster than it is read; without the privilege, the default).
fn audit_socket(groups: u32) -> io::Result<OwnedFd> {
    let fd = socket_with(
        AddressFamily::NETLINK,
        SocketType::RAW,
        SocketFlags::CLOEXEC,
        Some(netlink::AUDIT),
    )?;
    bind(&fd, &SocketAddrNetlink::new(0, groups))?;
    let _ = sockopt::set_socket_recv_buffer_size_force(&fd, 8 << 20);
    Ok(fd)
}

/// `audit(1701234567.123:4567): rest` → (4567, rest).
fn header(text: &str) -> Option<(u64, &str)> {
    let start = text.find("audit(")? + 6;
    let close = text[start..].find("):")? + start;
    let serial = text[start..close].rsplit(':').next()?.parse().ok()?;
    Some((serial, text[close + 2..].trim_start()))
}

/// The `key=value` pairs of a record, values decoded: `"quoted"` as they are, an
/// unquoted hex string (how the kernel writes a value with spaces, quotes or control
/// characters) decoded, others as they are.
fn fields(body: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = body.trim_end_matches(['\0', '\n']);
    while let Some(eq) = rest.find('=') {
        let key = rest[..eq].trim().to_string();
        let after = &rest[eq + 1..];
        let (raw, next) = if let Some(quoted) = after.strip_prefix('"') {
            match quoted.find('"') {
                Some(end) => (Ok(&quoted[..end]), &quoted[end + 1..]),
                None => (Ok(quoted), ""),
            }
        } else {
            match after.find(' ') {
                Some(end) => (Err(&after[..end]), &after[end..]),
                None => (Err(after), ""),
            }
        };
        let value = match raw {
            Ok(quoted) => quoted.to_string(),
            Err(bare) if key_holds_text(&key) => unhex(bare).unwrap_or_else(|| bare.to_string()),
            Err(bare) => bare.to_string(),
        };
        out.push((key, value));
        rest = next;
    }
    out
}

/// Fields whose unquoted value is hex-encoded text (numbers are never quoted either).
fn key_holds_text(key: &str) -> bool {
    matches!(key, "exe" | "comm" | "cwd" | "name" | "key")
        || (key.starts_with('a') && key[1..].starts_with(|c: char| c.is_ascii_digit()))
}

fn unhex(text: &str) -> Option<String> {
    if text.is_empty() || !text.len().is_multiple_of(2) || text == "(null)" {
        return None;
    }
    let bytes: Option<Vec<u8>> = (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).ok())
        .collect();
    Some(String::from_utf8_lossy(&bytes?).into_owned())
}

/// `struct audit_rule_data` for Vigie's rule: on exit from execve and execveat of this
/// machine's architecture, always, with the key.
fn rule_data() -> Vec<u8> {
    let (arch, syscalls) = ARCH;
    let mut mask = [0u32; AUDIT_BITMASK_SIZE];
    for nr in syscalls {
        mask[(nr / 32) as usize] |= 1 << (nr % 32);
    }
    let mut fields = [0u32; AUDIT_MAX_FIELDS];
    let mut values = [0u32; AUDIT_MAX_FIELDS];
    let mut flags = [0u32; AUDIT_MAX_FIELDS];
    (fields[0], values[0], flags[0]) = (AUDIT_ARCH_FIELD, arch, AUDIT_EQUAL);
    (fields[1], values[1], flags[1]) = (AUDIT_FILTERKEY, RULE_KEY.len() as u32, AUDIT_EQUAL);
    let mut out = Vec::with_capacity(16 + 4 * 4 * AUDIT_MAX_FIELDS + RULE_KEY.len());
    for value in [AUDIT_FILTER_EXIT, AUDIT_ALWAYS, 2] {
        out.extend_from_slice(&value.to_ne_bytes());
    }
    for list in [&mask[..], &fields[..], &values[..], &flags[..]] {
        for value in list {
            out.extend_from_slice(&value.to_ne_bytes());
        }
    }
    out.extend_from_slice(&(RULE_KEY.len() as u32).to_ne_bytes());
    out.extend_from_slice(RULE_KEY.as_bytes());
    out
}

/// `struct audit_status` with its first fields set.
fn status_body(mask: u32, enabled: u32, pid: u32, backlog_limit: u32) -> Vec<u8> {
    let mut out = Vec::with_capacity(32);
    // mask, enabled, failure, pid, rate_limit, backlog_limit, lost, backlog
    for value in [mask, enabled, 0, pid, 0, backlog_limit, 0, 0] {
        out.extend_from_slice(&value.to_ne_bytes());
    }
    out
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    b.get(at..at + 4)
        .map(|s| u32::from_ne_bytes(s.try_into().expect("4 bytes")))
}

fn i32_at(b: &[u8], at: usize) -> Option<i32> {
    u32_at(b, at).map(|v| v as i32)
}

/// The netlink messages of one datagram, as (type, seq, payload).
fn messages(mut data: &[u8]) -> Vec<(u16, u32, Vec<u8>)> {
    let mut out = Vec::new();
    while data.len() >= NLMSG_HDRLEN {
        let Some(len) = u32_at(data, 0).map(|l| l as usize) else {
            break;
        };
        let kind = u16::from_ne_bytes([data[4], data[5]]);
        let seq = u32_at(data, 8).unwrap_or(0);
        if kind >= AUDIT_FIRST_RECORD {
            // A record comes alone in its datagram, and its length leaves out the
            // header (a quirk of the kernel's audit): the rest of the datagram is it.
            out.push((kind, seq, data[NLMSG_HDRLEN..].to_vec()));
            break;
        }
        let end = len.clamp(NLMSG_HDRLEN, data.len());
        out.push((kind, seq, data[NLMSG_HDRLEN..end].to_vec()));
        let aligned = (end + 3) & !3;
        data = &data[aligned.min(data.len())..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feed(audit: &mut Pending, kind: u16, body: &str) {
        let fields = fields(body);
        match kind {
            AUDIT_SYSCALL => audit.syscall = Some(fields.into_iter().collect()),
            AUDIT_CWD => audit.cwd = fields.into_iter().find(|(k, _)| k == "cwd").map(|(_, v)| v),
            _ => audit.add_args(fields),
        }
    }

    const SYSCALL: &str = r#"arch=c000003e syscall=59 success=yes exit=0 a0=55d0 a1=55d1 a2=55d2 a3=0 items=2 ppid=4242 pid=4343 auid=1000 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=pts0 ses=3 comm="true" exe="/usr/bin/true" subj=unconfined key="vigie-exec""#;

    #[test]
    fn records_of_one_exec_are_put_together() {
        assert_eq!(
            header("audit(1701234567.123:4567): argc=1 a0=\"x\""),
            Some((4567, "argc=1 a0=\"x\""))
        );
        let mut p = Pending::default();
        feed(&mut p, AUDIT_SYSCALL, SYSCALL);
        feed(
            &mut p,
            AUDIT_EXECVE,
            r#"argc=3 a0="/bin/true" a1=2F746D702F6120622220 a2="marker-1""#,
        );
        feed(&mut p, AUDIT_CWD, "cwd=2F726F6F742F6D7920646972");
        let r = finish(p).unwrap();
        assert_eq!(
            (r.pid, r.ppid, r.uid, r.login_uid),
            (4343, 4242, 0, Some(1000))
        );
        assert_eq!(r.image, "/usr/bin/true");
        assert_eq!(r.args, ["/bin/true", "/tmp/a b\" ", "marker-1"]);
        assert_eq!(r.cwd.as_deref(), Some("/root/my dir"));
        assert!(!r.args_truncated);
    }

    #[test]
    fn a_long_argument_in_pieces_is_joined_and_cut_at_the_bound() {
        let mut p = Pending::default();
        feed(&mut p, AUDIT_SYSCALL, SYSCALL);
        let piece = "41".repeat(3000);
        feed(
            &mut p,
            AUDIT_EXECVE,
            &format!("argc=2 a0=\"sh\" a1_len=6000 a1[0]={piece}"),
        );
        feed(&mut p, AUDIT_EXECVE, &format!("a1[1]={piece}"));
        let r = finish(p).unwrap();
        assert_eq!(r.args, ["sh"], "6,000 bytes do not fit in 4 KiB");
        assert!(r.args_truncated);

        let mut p = Pending::default();
        feed(&mut p, AUDIT_SYSCALL, SYSCALL);
        let piece = "42".repeat(500);
        feed(
            &mut p,
            AUDIT_EXECVE,
            &format!(
                "argc=2 a0=\"sh\" a1_len=1000 a1[1]={piece} a1[0]={}",
                "41".repeat(500)
            ),
        );
        let r = finish(p).unwrap();
        assert_eq!(r.args[1], format!("{}{}", "A".repeat(500), "B".repeat(500)));
    }

    #[test]
    fn failed_execs_and_other_calls_are_not_execs() {
        let mut p = Pending::default();
        feed(
            &mut p,
            AUDIT_SYSCALL,
            &SYSCALL.replace("success=yes", "success=no"),
        );
        assert!(finish(p).is_none());
        let mut p = Pending::default();
        feed(
            &mut p,
            AUDIT_SYSCALL,
            &SYSCALL.replace("syscall=59", "syscall=2"),
        );
        assert!(finish(p).is_none());
        let mut p = Pending::default();
        feed(
            &mut p,
            AUDIT_SYSCALL,
            &SYSCALL.replace("vigie-exec", "admin-rule"),
        );
        assert!(
            finish(p).is_some(),
            "an exec under another rule's key is an exec"
        );
        let mut p = Pending::default();
        feed(
            &mut p,
            AUDIT_SYSCALL,
            &SYSCALL.replace("auid=1000", "auid=4294967295"),
        );
        assert_eq!(finish(p).unwrap().login_uid, None);
    }

    #[test]
    fn a_records_length_leaves_out_its_header() {
        let text = b"audit(1796208290.938:294): argc=2 a0=\"/bin/true\" a1=\"PROBE\"";
        let mut datagram = Vec::new();
        datagram.extend_from_slice(&(text.len() as u32).to_ne_bytes());
        datagram.extend_from_slice(&AUDIT_EXECVE.to_ne_bytes());
        datagram.extend_from_slice(&[0; 10]);
        datagram.extend_from_slice(text);
        let parsed = messages(&datagram);
        assert_eq!(parsed.len(), 1);
        assert_eq!(parsed[0].2, text.to_vec());
    }

    #[test]
    fn the_rule_is_the_kernels_layout() {
        let rule = rule_data();
        assert_eq!(rule.len(), 12 + 4 * 4 * 64 + 4 + RULE_KEY.len());
        assert_eq!(u32_at(&rule, 0), Some(AUDIT_FILTER_EXIT));
        assert_eq!(u32_at(&rule, 8), Some(2), "two fields");
        let execve = ARCH.1[0];
        let word = u32_at(&rule, 12 + 4 * (execve as usize / 32)).unwrap();
        assert_ne!(word & (1 << (execve % 32)), 0);
        assert!(rule.ends_with(RULE_KEY.as_bytes()));
    }
}
