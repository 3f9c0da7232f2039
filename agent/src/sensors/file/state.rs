//! What the agent knows of one file, and how it reads it: `lstat` plus a streamed SHA-256.

use std::io::Read;
use std::os::unix::fs::MetadataExt;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::throttle::Throttle;

/// One file as last seen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FileState {
    /// SHA-256 of the content (of the target path for a symlink); empty when not hashed.
    pub sha256: String,
    /// Why it was not hashed, when it was not.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub skipped: String,
    /// Size in bytes.
    pub size: u64,
    /// Permission bits (`st_mode & 0o7777`).
    pub mode: u32,
    /// Owner.
    pub uid: u32,
    /// Group.
    pub gid: u32,
    /// Modification time, nanoseconds since the epoch.
    pub mtime_ns: i64,
    /// Status change time, nanoseconds since the epoch (changes on any write or chmod).
    pub ctime_ns: i64,
    /// Inode number.
    pub ino: u64,
    /// File capabilities, `getcap` style (`cap_setuid=ep`); empty when none.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub caps: String,
    /// SHA-256 over its extended attributes; empty when it has none.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub xattrs: String,
    /// Mark of the last full scan that saw it (not saved).
    #[serde(skip)]
    pub seen: u32,
}

impl FileState {
    /// Permission bits as `0644`-style text.
    pub fn mode_text(&self) -> String {
        format!("{:04o}", self.mode)
    }

    /// True when the content differs from `other`'s.
    pub fn content_differs(&self, other: &FileState) -> bool {
        if !self.sha256.is_empty() && !other.sha256.is_empty() {
            self.sha256 != other.sha256
        } else {
            // Not hashed (too large, unreadable): size and mtime are all we have.
            self.size != other.size || self.mtime_ns / 1_000_000 != other.mtime_ns / 1_000_000
        }
    }

    /// What differs from `other` besides the content: `mode`, `owner`, `group`,
    /// `capabilities`, `xattrs`, `mtime` (to the millisecond, which is what events
    /// carry). Empty when nothing does.
    pub fn changed_attributes(&self, other: &FileState) -> Vec<&'static str> {
        let checks = [
            ("mode", self.mode != other.mode),
            ("owner", self.uid != other.uid),
            ("group", self.gid != other.gid),
            ("capabilities", self.caps != other.caps),
            ("xattrs", self.xattrs != other.xattrs),
            (
                "mtime",
                self.mtime_ns / 1_000_000 != other.mtime_ns / 1_000_000,
            ),
        ];
        checks
            .into_iter()
            .filter(|(_, changed)| *changed)
            .map(|(name, _)| name)
            .collect()
    }

    fn unchanged_on_disk(&self, other: &FileState) -> bool {
        self.ino == other.ino
            && self.size == other.size
            && self.mtime_ns == other.mtime_ns
            && self.ctime_ns == other.ctime_ns
    }
}

/// What a path is, for the sensor.
pub(super) enum Kind {
    /// A regular file or a symlink, which the agent tracks.
    Tracked(FileState),
    /// A folder.
    Dir,
    /// Gone.
    Missing,
    /// A device, socket or pipe: not tracked.
    Other,
}

/// Reads `path` (without following symlinks). The content is hashed only when the file
/// changed on disk since `previous`, and only up to `max_hash_bytes`.
pub(super) fn observe(
    path: &Path,
    previous: Option<&FileState>,
    max_hash_bytes: u64,
    throttle: &Throttle,
) -> Kind {
    let meta = match std::fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(_) => return Kind::Missing,
    };
    let file_type = meta.file_type();
    if file_type.is_dir() {
        return Kind::Dir;
    }
    if !file_type.is_file() && !file_type.is_symlink() {
        return Kind::Other;
    }
    let mut state = FileState {
        sha256: String::new(),
        skipped: String::new(),
        size: meta.len(),
        mode: meta.mode() & 0o7777,
        uid: meta.uid(),
        gid: meta.gid(),
        mtime_ns: meta.mtime() * 1_000_000_000 + meta.mtime_nsec(),
        ctime_ns: meta.ctime() * 1_000_000_000 + meta.ctime_nsec(),
        ino: meta.ino(),
        caps: String::new(),
        xattrs: String::new(),
        seen: 0,
    };
    // Any change of content or attributes moves ctime: otherwise nothing is reread.
    if let Some(prev) = previous.filter(|p| p.unchanged_on_disk(&state)) {
        state.sha256 = prev.sha256.clone();
        state.skipped = prev.skipped.clone();
        state.caps = prev.caps.clone();
        state.xattrs = prev.xattrs.clone();
        return Kind::Tracked(state);
    }
    let xattrs = super::xattr::read(path);
    state.caps = xattrs.caps;
    state.xattrs = xattrs.digest;
    if file_type.is_symlink() {
        match std::fs::read_link(path) {
            Ok(target) => {
                state.sha256 = vigie_model::hex::sha256(target.as_os_str().as_encoded_bytes());
            }
            Err(e) => state.skipped = format!("unreadable: {e}"),
        }
    } else if state.size > max_hash_bytes {
        state.skipped = format!("larger than {max_hash_bytes} bytes");
    } else {
        match hash_file(path, throttle) {
            Ok(h) => state.sha256 = h,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Kind::Missing,
            Err(e) => state.skipped = format!("unreadable: {e}"),
        }
    }
    Kind::Tracked(state)
}

/// SHA-256 of a file's content, read in 64 KiB pieces (never whole into memory).
pub fn hash_file(path: &Path, throttle: &Throttle) -> std::io::Result<String> {
    let mut file = std::fs::File::open(path)?;
    let mut context = ring::digest::Context::new(&ring::digest::SHA256);
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = match file.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        context.update(&buf[..n]);
        throttle.consume(n);
    }
    Ok(vigie_model::hex::encode(context.finish().as_ref()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_in_a_stream_and_reuses_unchanged_hashes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        std::fs::write(&path, b"abc").unwrap();
        let Kind::Tracked(first) = observe(&path, None, 1024, &Throttle::unlimited()) else {
            panic!()
        };
        assert_eq!(
            first.sha256,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        // Same inode, size and times: the previous hash is trusted, not recomputed.
        let mut fake = first.clone();
        fake.sha256 = "cached".into();
        let Kind::Tracked(second) = observe(&path, Some(&fake), 1024, &Throttle::unlimited())
        else {
            panic!()
        };
        assert_eq!(second.sha256, "cached");
        let Kind::Tracked(big) = observe(&path, None, 2, &Throttle::unlimited()) else {
            panic!()
        };
        assert!(big.sha256.is_empty() && big.skipped.contains("larger"));
        assert!(matches!(
            observe(dir.path(), None, 1, &Throttle::unlimited()),
            Kind::Dir
        ));
        assert!(matches!(
            observe(&dir.path().join("nope"), None, 1, &Throttle::unlimited()),
            Kind::Missing
        ));
    }
}
