//! What `/proc/PID` tells about a process.

use std::path::{Path, PathBuf};

/// A process as read from `/proc` (each part `None` when it could not be read, e.g. the
/// process already exited).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProcInfo {
    /// Parent process id.
    pub ppid: Option<u32>,
    /// The executable (`/proc/PID/exe`).
    pub image: Option<String>,
    /// Arguments joined by spaces, as `ps` shows them.
    pub command_line: Option<String>,
    /// Working directory.
    pub cwd: Option<String>,
    /// Real user id.
    pub uid: Option<u32>,
    /// Login user id (audit), when set.
    pub login_uid: Option<u32>,
}

/// Reads process `pid` under `root` (normally `/proc`).
pub fn read(root: &Path, pid: u32) -> ProcInfo {
    let dir = root.join(pid.to_string());
    let mut info = ProcInfo {
        image: std::fs::read_link(dir.join("exe")).ok().map(|p| {
            p.to_string_lossy()
                .trim_end_matches(" (deleted)")
                .to_string()
        }),
        command_line: command_line(root, pid),
        cwd: std::fs::read_link(dir.join("cwd"))
            .ok()
            .map(|p| p.to_string_lossy().into_owned()),
        login_uid: std::fs::read_to_string(dir.join("loginuid"))
            .ok()
            .and_then(|t| t.trim().parse::<u32>().ok())
            .filter(|u| *u != u32::MAX),
        ..ProcInfo::default()
    };
    if let Ok(status) = std::fs::read_to_string(dir.join("status")) {
        for line in status.lines() {
            if let Some(v) = line.strip_prefix("PPid:") {
                info.ppid = v.trim().parse().ok();
            } else if let Some(v) = line.strip_prefix("Uid:") {
                info.uid = v.split_whitespace().next().and_then(|u| u.parse().ok());
            }
        }
    }
    info
}

/// The arguments of process `pid` joined by spaces, as `ps` shows them; `None` when it
/// is gone (or a kernel thread).
pub fn command_line(root: &Path, pid: u32) -> Option<String> {
    let raw = std::fs::read(root.join(pid.to_string()).join("cmdline")).ok()?;
    let args: Vec<String> = raw
        .split(|b| *b == 0)
        .filter(|a| !a.is_empty())
        .map(|a| String::from_utf8_lossy(a).into_owned())
        .collect();
    (!args.is_empty()).then(|| args.join(" "))
}

/// The link to the program process `pid` runs.
pub fn exe_path(root: &Path, pid: u32) -> PathBuf {
    root.join(pid.to_string()).join("exe")
}

/// Process ids currently in `root` (normally `/proc`).
pub fn pids(root: &Path) -> Vec<u32> {
    std::fs::read_dir(root)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_this_process() {
        let me = read(Path::new("/proc"), std::process::id());
        assert!(me.image.is_some() && me.command_line.is_some() && me.uid.is_some());
        assert_eq!(me.ppid, Some(std::os::unix::process::parent_id()));
        let gone = read(Path::new("/proc"), u32::MAX - 1);
        assert_eq!(gone, ProcInfo::default());
    }
}
