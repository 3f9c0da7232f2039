//! One exec as the kernel reported it (through eBPF or the audit subsystem): all of it
//! read before the process could exit.

/// Bytes of arguments kept (the eBPF program's buffer, `ARGS_BUF` in exec.bpf.c).
pub(super) const MAX_ARGS_BYTES: usize = 4096;

/// One exec as the kernel saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct ExecRecord {
    /// Process id.
    pub pid: u32,
    /// Parent process id.
    pub ppid: u32,
    /// Real user id.
    pub uid: u32,
    /// Login user id (audit), when set.
    pub login_uid: Option<u32>,
    /// The program's real path (links resolved; the interpreter of a script), or the
    /// name it was called by when the path could not be read.
    pub image: String,
    /// Working folder, when read.
    pub cwd: Option<String>,
    /// Arguments.
    pub args: Vec<String>,
    /// The arguments were longer than [`MAX_ARGS_BYTES`] and were cut.
    pub args_truncated: bool,
}
