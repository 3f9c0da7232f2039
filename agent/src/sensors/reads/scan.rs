//! Finding the sensitive files: each configured pattern is expanded one path part at a
//! time (`/home/*/.ssh/id_*` lists `/home`, then each home's `.ssh`), keeping regular
//! files only — a history linked to `/dev/null` must not make every read of
//! `/dev/null` an event. Hand-written rather than a glob crate's walker: the patterns
//! are few and short, and a walker would descend into every folder below `/home`.

use std::collections::HashMap;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use vigie_model::glob::PathGlob;

/// The sensitive files found, by inode number (a number may stand for files on several
/// devices, and for hard links).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(super) struct Found {
    /// Inode number → (device, path) of each file with it.
    pub by_inode: HashMap<u64, Vec<(u64, PathBuf)>>,
}

impl Found {
    /// The files matching `patterns` now.
    pub(super) fn scan(patterns: &[String]) -> Found {
        let mut found = Found::default();
        for pattern in patterns {
            for path in expand(pattern) {
                let Ok(meta) = std::fs::symlink_metadata(&path) else {
                    continue;
                };
                if !meta.file_type().is_file() {
                    continue;
                }
                let files = found.by_inode.entry(meta.ino()).or_default();
                if !files.iter().any(|(_, p)| *p == path) {
                    files.push((meta.dev(), path));
                }
            }
        }
        found
    }

    /// The sensitive file that `path` (as the kernel named it), inode number `inode` on
    /// device `dev`, is: itself when listed, else the listed file it is a link to; `None`
    /// when another file merely shares the number.
    pub(super) fn which(&self, dev: u64, inode: u64, path: &Path) -> Option<PathBuf> {
        let files = self.by_inode.get(&inode)?;
        if let Some((_, p)) = files.iter().find(|(_, p)| p == path) {
            return Some(p.clone());
        }
        // Another name for it (a hard link): same device, as the kernel said. A link
        // made, read and removed at once is gone by now, so the name cannot be asked.
        if let Some((_, p)) = files.iter().find(|(d, _)| *d == dev) {
            return Some(p.clone());
        }
        // File systems whose `stat` device is not the kernel's (btrfs subvolumes,
        // overlays): ask the name while it is there.
        let meta = std::fs::metadata(path).ok()?;
        files
            .iter()
            .find(|(dev, _)| *dev == meta.dev() && meta.ino() == inode)
            .map(|(_, p)| p.clone())
    }
}

/// The paths that `pattern` (absolute, with `*`, `?`, `[…]` or `{a,b}` in any part)
/// names now.
pub(super) fn expand(pattern: &str) -> Vec<PathBuf> {
    let mut paths = vec![PathBuf::from("/")];
    for part in pattern.split('/').filter(|p| !p.is_empty()) {
        if !part.contains(['*', '?', '[', '{']) {
            for path in &mut paths {
                path.push(part);
            }
            continue;
        }
        let Ok(glob) = PathGlob::new(part) else {
            return Vec::new();
        };
        paths = paths
            .iter()
            .filter_map(|dir| std::fs::read_dir(dir).ok())
            .flat_map(|entries| entries.filter_map(Result::ok).map(|e| e.path()))
            .filter(|p| glob.matches(p))
            .collect();
        if paths.is_empty() {
            break;
        }
    }
    paths.sort();
    paths
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_expand_part_by_part_and_keep_regular_files_only() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for home in ["ana", "moussa", "empty"] {
            std::fs::create_dir_all(root.join(home).join(".ssh")).unwrap();
        }
        std::fs::write(root.join("ana/.ssh/id_ed25519"), "k").unwrap();
        std::fs::write(root.join("ana/.ssh/id_ed25519.pub"), "p").unwrap();
        std::fs::write(root.join("moussa/.ssh/id_rsa"), "k").unwrap();
        std::fs::write(root.join("moussa/.bash_history"), "ls").unwrap();
        std::os::unix::fs::symlink("/dev/null", root.join("ana/.bash_history")).unwrap();

        let keys = format!("{}/*/.ssh/id_{{rsa,ed25519}}", root.display());
        assert_eq!(
            expand(&keys),
            vec![
                root.join("ana/.ssh/id_ed25519"),
                root.join("moussa/.ssh/id_rsa")
            ]
        );
        let histories = format!("{}/*/.bash_history", root.display());
        let found = Found::scan(&[keys, histories]);
        let paths: Vec<&PathBuf> = found.by_inode.values().flatten().map(|(_, p)| p).collect();
        assert_eq!(
            paths.len(),
            3,
            "the link to /dev/null is left out: {paths:?}"
        );
        assert!(!paths.contains(&&root.join("ana/.bash_history")));
        assert!(expand(&format!("{}/nobody/*", root.display())).is_empty());
    }

    #[test]
    fn a_hard_link_is_recognised_and_a_shared_number_is_not() {
        let dir = tempfile::tempdir().unwrap();
        let secret = dir.path().join("shadow");
        std::fs::write(&secret, "root:$6$x").unwrap();
        let link = dir.path().join("copy");
        std::fs::hard_link(&secret, &link).unwrap();
        let found = Found::scan(&[secret.display().to_string()]);
        let meta = std::fs::metadata(&secret).unwrap();
        let (dev, inode) = (meta.dev(), meta.ino());
        assert_eq!(found.which(dev, inode, &secret), Some(secret.clone()));
        assert_eq!(found.which(dev, inode, &link), Some(secret.clone()));
        std::fs::remove_file(&link).unwrap();
        assert_eq!(
            found.which(dev, inode, &link),
            Some(secret.clone()),
            "a link already removed, known by its device"
        );
        let other = dir.path().join("other");
        std::fs::write(&other, "x").unwrap();
        assert_eq!(
            found.which(dev + 1, inode, &other),
            None,
            "a different file"
        );
        assert_eq!(
            found.which(dev, inode + 1, &secret),
            None,
            "a number not watched"
        );
    }
}
