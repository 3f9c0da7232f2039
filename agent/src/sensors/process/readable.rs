//! Waiting for a kernel socket (netlink connector, audit) to have something to read.

use std::io;
use std::os::fd::OwnedFd;

use rustix::event::{poll, PollFd, PollFlags, Timespec};

/// Waits up to `timeout_ms` for `fd` to be readable; false on timeout or a signal.
pub(super) fn readable(fd: &OwnedFd, timeout_ms: i32) -> io::Result<bool> {
    let timeout = Timespec {
        tv_sec: i64::from(timeout_ms / 1000),
        tv_nsec: i64::from(timeout_ms % 1000) * 1_000_000,
    };
    let mut fds = [PollFd::new(fd, PollFlags::IN)];
    match poll(&mut fds, Some(&timeout)) {
        Ok(0) | Err(rustix::io::Errno::INTR) => Ok(false),
        Ok(_) => Ok(true),
        Err(e) => Err(e.into()),
    }
}
