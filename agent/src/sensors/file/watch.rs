//! The watched paths: which configured path covers a file, what is excluded, and walking.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::config::{FimConfig, WatchPath};
use vigie_model::glob::PathGlob;

/// The patterns that compile; the configuration's validation has already refused the
/// others, by name, before the sensor starts.
fn compile_all(patterns: &[String]) -> Vec<PathGlob> {
    patterns
        .iter()
        .filter_map(|p| PathGlob::new(p).ok())
        .collect()
}

/// One configured path, compiled.
#[derive(Debug, Clone)]
pub(super) struct Watch {
    /// The configured file or folder.
    pub root: PathBuf,
    /// Severity of alerts about it.
    pub severity: String,
    /// Whether sub-folders are covered.
    pub recursive: bool,
    exclude: Vec<PathGlob>,
}

/// Every watched path plus the global exclusions.
#[derive(Debug, Clone)]
pub(super) struct WatchSet {
    watches: Vec<Watch>,
    exclude: Vec<PathGlob>,
}

impl WatchSet {
    /// Compiles the configuration.
    pub(super) fn new(config: &FimConfig) -> WatchSet {
        let compile = |w: &WatchPath| Watch {
            root: w.path.clone(),
            severity: w.severity.clone(),
            recursive: w.recursive,
            exclude: compile_all(&w.exclude),
        };
        WatchSet {
            watches: config.paths.iter().map(compile).collect(),
            exclude: compile_all(&config.exclude),
        }
    }

    /// The configured paths.
    pub(super) fn watches(&self) -> &[Watch] {
        &self.watches
    }

    /// The configured paths' roots, in order.
    pub(super) fn roots(&self) -> BTreeSet<PathBuf> {
        self.watches.iter().map(|w| w.root.clone()).collect()
    }

    /// The most specific watch covering `path`, unless `path` is excluded.
    pub(super) fn covering(&self, path: &Path) -> Option<&Watch> {
        let watch = self
            .watches
            .iter()
            .filter(|w| {
                path == w.root
                    || (path.starts_with(&w.root)
                        && (w.recursive || path.parent() == Some(w.root.as_path())))
            })
            .max_by_key(|w| w.root.components().count())?;
        let excluded = self
            .exclude
            .iter()
            .chain(watch.exclude.iter())
            .any(|g| g.matches(path));
        (!excluded).then_some(watch)
    }

    /// Calls `f` for every non-folder entry under `start` that this set covers, and
    /// `on_dir` for every covered folder walked (`start` included), without following
    /// symlinks. Unreadable folders are skipped (and logged).
    pub(super) fn walk(
        &self,
        start: &Path,
        f: &mut dyn FnMut(&Path),
        on_dir: &mut dyn FnMut(&Path),
    ) {
        let mut stack = vec![start.to_path_buf()];
        while let Some(dir) = stack.pop() {
            let entries = match std::fs::read_dir(&dir) {
                Ok(e) => e,
                Err(e) => {
                    if dir == start && e.kind() == std::io::ErrorKind::NotADirectory {
                        if self.covering(start).is_some() {
                            f(start);
                        }
                    } else if e.kind() != std::io::ErrorKind::NotFound {
                        tracing::debug!(dir = %dir.display(), error = %e, "folder not readable");
                    }
                    continue;
                }
            };
            if self.covering(&dir).is_some() {
                on_dir(&dir);
            }
            for entry in entries.flatten() {
                let path = entry.path();
                let Some(watch) = self.covering(&path) else {
                    continue;
                };
                match entry.file_type() {
                    Ok(t) if t.is_dir() => {
                        if watch.recursive || path == watch.root {
                            stack.push(path);
                        }
                    }
                    Ok(_) => f(&path),
                    Err(_) => {}
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set() -> WatchSet {
        let config = FimConfig {
            paths: vec![
                WatchPath {
                    path: "/etc".into(),
                    severity: "medium".into(),
                    recursive: true,
                    exclude: vec!["/etc/cache/**".into()],
                },
                WatchPath {
                    path: "/etc/ssh".into(),
                    severity: "critical".into(),
                    recursive: false,
                    exclude: vec![],
                },
            ],
            ..FimConfig::default()
        };
        WatchSet::new(&config)
    }

    #[test]
    fn the_most_specific_watch_covers_and_exclusions_apply() {
        let set = set();
        assert_eq!(
            set.covering(Path::new("/etc/ssh/sshd_config"))
                .unwrap()
                .severity,
            "critical"
        );
        assert_eq!(
            set.covering(Path::new("/etc/ssh/x/y")).unwrap().severity,
            "medium"
        );
        assert_eq!(
            set.covering(Path::new("/etc/passwd")).unwrap().severity,
            "medium"
        );
        assert!(set.covering(Path::new("/etc/cache/a/b")).is_none());
        assert!(set.covering(Path::new("/etc/.passwd.swp")).is_none());
        assert!(set.covering(Path::new("/usr/bin/ls")).is_none());
    }
}
