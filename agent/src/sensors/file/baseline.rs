//! The file baseline: every tracked file's last known state, saved as a snapshot that
//! names the last durable `seq` it includes.
//!
//! After a crash the snapshot may lag behind events already in the spool. Those events are
//! replayed onto it ([`Baseline::apply`]) so that nothing is reported twice, and the spool
//! keeps them until a newer snapshot covers them.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use vigie_model::event::field;
use vigie_model::Event;

use super::state::FileState;
use crate::spool::{Spool, StateOwner};

/// The baseline.
#[derive(Debug, Default)]
pub struct Baseline {
    /// Files by path. Ordered, so a folder's descendants are one contiguous range.
    pub files: BTreeMap<PathBuf, FileState>,
    /// Last event `seq` whose change the saved snapshot includes.
    pub seq: u64,
    /// The watched paths it covers; `None` in a snapshot saved by an older agent. A path
    /// watched that is not among them is new: recorded silently, not reported.
    pub roots: Option<BTreeSet<PathBuf>>,
    /// Folders by path: only their mode and owner are tracked (a folder's content is
    /// its files).
    pub dirs: BTreeMap<PathBuf, DirState>,
}

/// What the sensor tracks of a folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DirState {
    /// Permission bits.
    pub mode: u32,
    /// Owner.
    pub uid: u32,
    /// Group.
    pub gid: u32,
    /// Mark of the last scan that saw it (not saved).
    #[serde(skip)]
    pub seen: u32,
}

#[derive(Serialize, Deserialize)]
struct Snapshot {
    v: u32,
    seq: u64,
    files: BTreeMap<PathBuf, FileState>,
    #[serde(default)]
    roots: Option<BTreeSet<PathBuf>>,
    #[serde(default)]
    dirs: BTreeMap<PathBuf, DirState>,
}

impl Baseline {
    /// Loads the snapshot at `path` and replays onto it the file events that reached the
    /// spool after it was saved, so a crash never makes the agent report a change twice;
    /// the spool keeps those events until a newer snapshot covers them.
    pub fn load_caught_up(path: &Path, spool: &mut Spool) -> anyhow::Result<Option<Baseline>> {
        let Some(mut baseline) = Baseline::load(path)? else {
            return Ok(None);
        };
        let since = baseline.seq;
        let mut replayed = 0;
        spool.for_each_after(since, |batch| {
            if let Ok(body) = vigie_model::wire::open(&batch.bytes, usize::MAX >> 1) {
                for event in body.events.iter().filter(|e| e.seq > since) {
                    if event.category == "file_event" {
                        baseline.apply(event);
                        replayed += 1;
                    }
                }
            }
        })?;
        if replayed > 0 {
            tracing::info!(replayed, "file baseline caught up from the spool");
        }
        spool.retain_from(StateOwner::FileBaseline, since + 1)?;
        Ok(Some(baseline))
    }

    /// Loads the snapshot at `path`; `Ok(None)` when there is none yet (first run).
    pub fn load(path: &Path) -> std::io::Result<Option<Baseline>> {
        let file = match std::fs::File::open(path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e),
        };
        let snapshot: Snapshot = serde_json::from_reader(BufReader::new(file)).map_err(|e| {
            std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("{}: {e}", path.display()),
            )
        })?;
        Ok(Some(Baseline {
            files: snapshot.files,
            seq: snapshot.seq,
            roots: snapshot.roots,
            dirs: snapshot.dirs,
        }))
    }

    /// Saves a snapshot naming `seq`, atomically.
    pub fn save(&mut self, path: &Path, seq: u64) -> std::io::Result<()> {
        let tmp = path.with_extension("tmp");
        {
            let mut out = BufWriter::new(std::fs::File::create(&tmp)?);
            #[derive(Serialize)]
            struct SnapshotRef<'a> {
                v: u32,
                seq: u64,
                files: &'a BTreeMap<PathBuf, FileState>,
                roots: &'a Option<BTreeSet<PathBuf>>,
                dirs: &'a BTreeMap<PathBuf, DirState>,
            }
            serde_json::to_writer(
                &mut out,
                &SnapshotRef {
                    v: 1,
                    seq,
                    files: &self.files,
                    roots: &self.roots,
                    dirs: &self.dirs,
                },
            )?;
            out.flush()?;
            out.get_ref().sync_all()?;
        }
        std::fs::rename(&tmp, path)?;
        self.seq = seq;
        Ok(())
    }

    /// Paths of `dir`'s descendants.
    pub fn descendants(&self, dir: &Path) -> Vec<PathBuf> {
        self.files
            .range(dir.to_path_buf()..)
            .skip_while(|(p, _)| p.as_path() == dir)
            .take_while(|(p, _)| p.starts_with(dir))
            .map(|(p, _)| p.clone())
            .collect()
    }

    /// Replays a `file_event` already spooled onto the baseline.
    pub fn apply(&mut self, event: &Event) {
        if event.category != "file_event" {
            return;
        }
        let Some(target) = event.str_field(field::TARGET_FILENAME) else {
            return;
        };
        let target = PathBuf::from(target);
        if event.fields.get(field::TRANSIENT).and_then(|v| v.as_bool()) == Some(true) {
            // Created and gone before it was examined: never in the baseline.
            return;
        }
        if event.str_field(field::FILE_TYPE) == Some("directory") {
            let num = |name: &str| event.fields.get(name).and_then(|v| v.as_u64()).unwrap_or(0);
            let mode = event
                .str_field(field::MODE)
                .and_then(|m| u32::from_str_radix(m, 8).ok())
                .unwrap_or(0);
            let state = DirState {
                mode,
                uid: num(field::UID) as u32,
                gid: num(field::GID) as u32,
                seen: 0,
            };
            self.dirs.insert(target, state);
            return;
        }
        match event.str_field(field::ACTION) {
            Some("deleted") => {
                self.files.remove(&target);
            }
            // Names a watched path, not a file; the files it recorded are in the snapshot.
            Some("baseline") => {}
            Some("renamed") => {
                if let Some(from) = event.str_field(field::PREVIOUS_FILENAME) {
                    self.files.remove(Path::new(from));
                }
                self.files.insert(target, state_from(event));
            }
            Some(_) => {
                self.files.insert(target, state_from(event));
            }
            None => {}
        }
    }
}

/// The state an event describes. Events carry times to the millisecond only, so the next
/// look at the file rehashes it once; the hash decides whether anything changed.
fn state_from(event: &Event) -> FileState {
    let num = |name: &str| event.fields.get(name).and_then(|v| v.as_u64()).unwrap_or(0);
    let mode = event
        .str_field(field::MODE)
        .and_then(|m| u32::from_str_radix(m, 8).ok())
        .unwrap_or(0);
    FileState {
        sha256: event.str_field(field::SHA256).unwrap_or("").to_string(),
        skipped: event
            .str_field(field::HASH_SKIPPED)
            .unwrap_or("")
            .to_string(),
        size: num(field::SIZE),
        mode,
        uid: num(field::UID) as u32,
        gid: num(field::GID) as u32,
        mtime_ns: num(field::MTIME) as i64 * 1_000_000,
        ctime_ns: 0,
        ino: num(field::INODE),
        caps: event
            .str_field(field::CAPABILITIES)
            .unwrap_or("")
            .to_string(),
        xattrs: event
            .str_field(field::XATTR_SHA256)
            .unwrap_or("")
            .to_string(),
        seen: 0,
    }
}
