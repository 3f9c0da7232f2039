//! What the who-data program lets out of the kernel (see `agent/bpf/files.bpf.c`): the
//! watched roots as text, for names given whole, and the inode numbers of the roots and
//! of the folders above them, for names taken from a folder and for descriptors.
//!
//! Without it every file written anywhere on the machine became a record this agent read
//! and threw away: a busy writer outside the watched paths ran at half speed. Numbers are
//! looked up again every second, since a root created later, replaced or moved gets a
//! new one; until then the kernel keeps too little only for names taken from inside such
//! a root, whose changes are still reported, without their process.

use std::collections::HashMap;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use libbpf_rs::{MapCore, MapFlags, Object};

use crate::ebpf;

/// Most roots filtered in the kernel, and the program's `struct root_name` (a root is
/// shorter).
const ROOTS_MAX: usize = 256;
const ROOT_LEN: usize = 128;
/// Marks in the `root_inodes` map.
const INODE_ROOT: u8 = 1;
const INODE_ABOVE_ROOT: u8 = 2;
/// How often the inode numbers are looked up again.
const REFRESH_EVERY: Duration = Duration::from_secs(1);

/// The filter of one loaded program.
pub(super) struct RootFilter {
    roots: Vec<PathBuf>,
    inodes: HashMap<u64, u8>,
    refreshed: Option<Instant>,
}

impl RootFilter {
    /// A filter for `roots` (not installed yet).
    pub(super) fn new(roots: &[PathBuf]) -> RootFilter {
        RootFilter {
            roots: roots.to_vec(),
            inodes: HashMap::new(),
            refreshed: None,
        }
    }

    /// Puts the filter in force: numbers first, then the roots as text and their count,
    /// so no call under a root is held back meanwhile. Roots that do not fit (more than
    /// the program holds, too long, or `/`) leave every call sent.
    pub(super) fn install(&mut self, object: &Object) -> Result<(), ebpf::Error> {
        self.refresh(object)?;
        let Some(texts) = texts(&self.roots) else {
            tracing::info!("file who-data: watched roots too many or too long to filter in the kernel; every change is read");
            return Ok(());
        };
        let map = ebpf::map(object, "root_names")?;
        for (text, mark) in names(&texts) {
            let mut key = [0u8; ROOT_LEN];
            key[..text.len()].copy_from_slice(&text);
            map.update(&key, &[mark], MapFlags::ANY)?;
        }
        ebpf::map(object, "root_count")?.update(
            &0u32.to_ne_bytes(),
            &(texts.len() as u32).to_ne_bytes(),
            MapFlags::ANY,
        )?;
        tracing::info!(
            roots = texts.len(),
            "file who-data: only changes that may touch a watched path leave the kernel"
        );
        Ok(())
    }

    /// Puts a new list of roots in force. The program sends every call while the maps
    /// are refilled, so nothing under a new root is held back meanwhile.
    pub(super) fn replace(
        &mut self,
        object: &Object,
        roots: &[PathBuf],
    ) -> Result<(), ebpf::Error> {
        ebpf::map(object, "root_count")?.update(
            &0u32.to_ne_bytes(),
            &0u32.to_ne_bytes(),
            MapFlags::ANY,
        )?;
        let old = texts(&self.roots).map(|t| names(&t)).unwrap_or_default();
        let new = texts(roots).map(|t| names(&t)).unwrap_or_default();
        let map = ebpf::map(object, "root_names")?;
        for text in old.keys().filter(|t| !new.contains_key(*t)) {
            let mut key = [0u8; ROOT_LEN];
            key[..text.len()].copy_from_slice(text);
            let _ = map.delete(&key);
        }
        self.roots = roots.to_vec();
        self.refreshed = None;
        self.install(object)
    }

    /// Looks the inode numbers up again, at most once a second, and updates the map
    /// with what changed.
    pub(super) fn refresh(&mut self, object: &Object) -> Result<(), ebpf::Error> {
        if self
            .refreshed
            .is_some_and(|at| at.elapsed() < REFRESH_EVERY)
        {
            return Ok(());
        }
        self.refreshed = Some(Instant::now());
        let wanted = inodes(&self.roots);
        let map = ebpf::map(object, "root_inodes")?;
        for gone in self.inodes.keys().filter(|i| !wanted.contains_key(i)) {
            let _ = map.delete(&gone.to_ne_bytes());
        }
        for (inode, mark) in &wanted {
            if self.inodes.get(inode) != Some(mark) {
                map.update(&inode.to_ne_bytes(), &[*mark], MapFlags::ANY)?;
            }
        }
        self.inodes = wanted;
        Ok(())
    }
}

/// The roots as the program compares them (no trailing slash), or `None` when they do
/// not fit it.
fn texts(roots: &[PathBuf]) -> Option<Vec<Vec<u8>>> {
    let texts: Vec<Vec<u8>> = roots
        .iter()
        .map(|r| r.as_os_str().as_encoded_bytes())
        .map(|t| t.strip_suffix(b"/").unwrap_or(t).to_vec())
        .collect();
    let fits =
        texts.len() <= ROOTS_MAX && texts.iter().all(|t| !t.is_empty() && t.len() < ROOT_LEN);
    (fits && !texts.is_empty()).then_some(texts)
}

/// The roots' texts marked as roots, and every folder above one (by text) marked so.
fn names(texts: &[Vec<u8>]) -> HashMap<Vec<u8>, u8> {
    let mut marks = HashMap::new();
    for text in texts {
        marks.insert(text.clone(), INODE_ROOT);
    }
    for text in texts {
        for (at, _) in text.iter().enumerate().filter(|(_, c)| **c == b'/') {
            let above = if at == 0 {
                b"/".to_vec()
            } else {
                text[..at].to_vec()
            };
            marks.entry(above).or_insert(INODE_ABOVE_ROOT);
        }
    }
    marks
}

/// Inode numbers of the roots that exist, and of every existing folder above a root.
fn inodes(roots: &[PathBuf]) -> HashMap<u64, u8> {
    let mut marks = HashMap::new();
    for root in roots {
        for (depth, folder) in root.ancestors().enumerate() {
            let Some(inode) = inode(folder) else {
                continue;
            };
            let mark = if depth == 0 {
                INODE_ROOT
            } else {
                INODE_ABOVE_ROOT
            };
            let kept = marks.entry(inode).or_insert(mark);
            *kept = (*kept).min(mark);
        }
    }
    marks
}

fn inode(path: &Path) -> Option<u64> {
    std::fs::symlink_metadata(path).ok().map(|m| m.ino())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roots_and_the_folders_above_them_are_marked() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("a/b");
        std::fs::create_dir_all(&root).unwrap();
        let absent = dir.path().join("a/later/c");
        let marks = inodes(&[root.clone(), absent]);
        assert_eq!(marks[&inode(&root).unwrap()], INODE_ROOT);
        assert_eq!(
            marks[&inode(&dir.path().join("a")).unwrap()],
            INODE_ABOVE_ROOT
        );
        assert_eq!(marks[&inode(Path::new("/")).unwrap()], INODE_ABOVE_ROOT);
        assert!(
            !marks.contains_key(&inode(&dir.path().join("a/later")).unwrap_or(0)),
            "an absent folder has no number"
        );
    }

    #[test]
    fn folders_above_roots_are_marked_by_name_too() {
        let marks = names(&[
            b"/etc".to_vec(),
            b"/home/u/.ssh".to_vec(),
            b"/home".to_vec(),
        ]);
        assert_eq!(marks[b"/etc".as_slice()], INODE_ROOT);
        assert_eq!(marks[b"/home".as_slice()], INODE_ROOT, "a root stays one");
        assert_eq!(marks[b"/home/u".as_slice()], INODE_ABOVE_ROOT);
        assert_eq!(marks[b"/".as_slice()], INODE_ABOVE_ROOT);
        assert_eq!(marks.len(), 5);
    }

    #[test]
    fn roots_that_do_not_fit_leave_every_call_sent() {
        assert_eq!(
            texts(&[PathBuf::from("/etc/"), PathBuf::from("/root/.ssh")]),
            Some(vec![b"/etc".to_vec(), b"/root/.ssh".to_vec()])
        );
        assert_eq!(texts(&[PathBuf::from("/")]), None, "the whole machine");
        assert_eq!(
            texts(&[PathBuf::from(format!("/{}", "x".repeat(200)))]),
            None
        );
        let many: Vec<PathBuf> = (0..300).map(|i| PathBuf::from(format!("/r{i}"))).collect();
        assert_eq!(texts(&many), None);
        assert_eq!(texts(&[]), None);
    }
}
