//! Whether a process runs under a package manager: its nearest ancestor that is dpkg,
//! rpm, apt, dnf, yum, zypper or apk, found by following parent links in `/proc`.
//! Installing a package creates accounts, units and setgid folders exactly as an
//! intruder would; events carry `PackageManager` so rules can tell the two apart (a
//! package is still a way in: rules lower such changes, they do not ignore them).
//!
//! Answers are kept for [`KEEP`] for every process a walk passes, so a burst of events
//! under one parent walks `/proc` once and each new process then costs one look at
//! itself (an exec storm spent 14 % of the agent's time walking whole ancestries). A
//! pid reused within that time gets its old answer (harmless: a new process under the
//! same parent pid in two seconds is the same installation); a process seen to exec is
//! forgotten ([`Lineage::forget`]), so `exec dpkg` in place is noticed at once.

use std::collections::HashMap;
use std::path::Path;
use std::time::{Duration, Instant};

/// How long an answer is reused.
const KEEP: Duration = Duration::from_secs(2);
/// Most answers kept; past it they are all forgotten.
const MAX_KEPT: usize = 4_096;
/// Deepest ancestry followed.
const MAX_DEPTH: usize = 64;

/// Where package managers' programs are installed: a `dpkg` elsewhere is not one.
const SYSTEM_DIRS: [&str; 5] = ["/usr/bin", "/bin", "/usr/sbin", "/sbin", "/usr/libexec"];
/// Package managers' programs, by their file name.
const MANAGERS: [&str; 11] = [
    "dpkg",
    "rpm",
    "apt",
    "apt-get",
    "aptitude",
    "dnf",
    "yum",
    "zypper",
    "apk",
    "microdnf",
    "packagekitd",
];

/// Finds the package manager processes run under.
#[derive(Debug)]
pub struct Lineage {
    proc_root: std::path::PathBuf,
    kept: HashMap<u32, (Instant, Option<&'static str>)>,
}

impl Default for Lineage {
    fn default() -> Lineage {
        Lineage::new("/proc")
    }
}

impl Lineage {
    /// A finder reading processes under `proc_root`.
    pub fn new(proc_root: impl Into<std::path::PathBuf>) -> Lineage {
        Lineage {
            proc_root: proc_root.into(),
            kept: HashMap::new(),
        }
    }

    /// The package manager `pid` is or runs under, if any (`None` too when `pid` is
    /// gone and nothing is known of it).
    pub fn package_manager(&mut self, pid: u32) -> Option<&'static str> {
        // Every process passed on the way has the same answer as `pid`: the nearest
        // package manager at or above it.
        let mut passed = Vec::new();
        let mut current = pid;
        let answer = loop {
            if let Some(answer) = self.kept_answer(current) {
                break answer;
            }
            if current <= 1 || passed.len() >= MAX_DEPTH {
                break None;
            }
            passed.push(current);
            let dir = self.proc_root.join(current.to_string());
            if let Some(manager) = manager_of(&dir) {
                break Some(manager);
            }
            match parent_of(&dir) {
                Some(parent) => current = parent,
                None => break None,
            }
        };
        if self.kept.len() + passed.len() > MAX_KEPT {
            self.kept.clear();
        }
        let now = Instant::now();
        for p in passed {
            self.kept.insert(p, (now, answer));
        }
        answer
    }

    /// Forgets what is known of `pid`: it has just run a new program.
    pub fn forget(&mut self, pid: u32) {
        self.kept.remove(&pid);
    }

    fn kept_answer(&self, pid: u32) -> Option<Option<&'static str>> {
        let (at, answer) = self.kept.get(&pid)?;
        (at.elapsed() < KEEP).then_some(*answer)
    }
}

/// The package manager the program of process folder `dir` is, if it is one.
fn manager_of(dir: &Path) -> Option<&'static str> {
    let exe = std::fs::read_link(dir.join("exe")).ok()?;
    let name = exe.file_name()?.to_str()?;
    if !SYSTEM_DIRS
        .iter()
        .any(|d| exe.parent() == Some(Path::new(d)))
    {
        return None;
    }
    MANAGERS.iter().find(|m| **m == name).copied()
}

/// The parent of process folder `dir`, from its `stat` (the fourth field, after the
/// name in parentheses, which may itself hold spaces and parentheses).
fn parent_of(dir: &Path) -> Option<u32> {
    let stat = std::fs::read_to_string(dir.join("stat")).ok()?;
    let after_name = &stat[stat.rfind(')')? + 1..];
    after_name.split_whitespace().nth(1)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fake `/proc` entry: `pid` runs `exe` under `ppid`.
    fn process(root: &Path, pid: u32, ppid: u32, exe: &str) {
        let dir = root.join(pid.to_string());
        std::fs::create_dir_all(&dir).unwrap();
        std::os::unix::fs::symlink(exe, dir.join("exe")).unwrap();
        std::fs::write(
            dir.join("stat"),
            format!("{pid} (a (tricky) name) S {ppid} {pid} {pid} 0 -1"),
        )
        .unwrap();
    }

    #[test]
    fn a_process_under_dpkg_is_found_through_its_ancestors() {
        let root = tempfile::tempdir().unwrap();
        process(root.path(), 10, 1, "/usr/bin/apt-get");
        process(root.path(), 20, 10, "/usr/bin/dpkg");
        process(root.path(), 30, 20, "/usr/bin/dash");
        process(root.path(), 40, 1, "/usr/bin/bash");
        process(root.path(), 50, 40, "/tmp/x/dpkg");
        process(root.path(), 60, 50, "/usr/sbin/useradd");
        let mut lineage = Lineage::new(root.path());
        assert_eq!(lineage.package_manager(30), Some("dpkg"), "nearest first");
        assert_eq!(lineage.package_manager(10), Some("apt-get"), "itself");
        assert_eq!(
            lineage.package_manager(60),
            None,
            "under a dpkg outside the system's folders"
        );
        assert_eq!(lineage.package_manager(99), None, "gone");
    }

    #[test]
    fn a_walk_answers_for_every_ancestor_it_passed() {
        let root = tempfile::tempdir().unwrap();
        process(root.path(), 10, 1, "/usr/bin/dpkg");
        process(root.path(), 20, 10, "/usr/bin/dash");
        process(root.path(), 30, 20, "/usr/sbin/useradd");
        let mut lineage = Lineage::new(root.path());
        assert_eq!(lineage.package_manager(30), Some("dpkg"));
        // The ancestors are no longer read: a new process under dash is answered from
        // what the first walk learnt.
        std::fs::remove_dir_all(root.path().join("10")).unwrap();
        process(root.path(), 31, 20, "/usr/sbin/groupadd");
        assert_eq!(lineage.package_manager(31), Some("dpkg"));
    }

    #[test]
    fn a_process_that_runs_a_new_program_is_looked_at_again() {
        let root = tempfile::tempdir().unwrap();
        process(root.path(), 20, 1, "/usr/bin/bash");
        let mut lineage = Lineage::new(root.path());
        assert_eq!(lineage.package_manager(20), None);
        std::fs::remove_dir_all(root.path().join("20")).unwrap();
        process(root.path(), 20, 1, "/usr/bin/dpkg");
        assert_eq!(lineage.package_manager(20), None, "kept a moment");
        lineage.forget(20);
        assert_eq!(lineage.package_manager(20), Some("dpkg"));
    }

    #[test]
    fn the_parent_is_read_after_a_name_with_parentheses() {
        let root = tempfile::tempdir().unwrap();
        process(root.path(), 7, 3, "/usr/bin/x");
        assert_eq!(parent_of(&root.path().join("7")), Some(3));
    }
}
