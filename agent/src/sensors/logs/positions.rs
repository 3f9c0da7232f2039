//! Where each log file was left, saved as a snapshot naming the last durable `seq` it
//! includes, with the same crash-safety as the file baseline: after a kill, the lines
//! spooled after the snapshot are replayed onto it (each log event carries its file,
//! inode and end offset), so the agent resumes just past the last line it spooled —
//! nothing read twice, nothing skipped.

use std::collections::BTreeMap;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use vigie_model::event::field;
use vigie_model::Event;

use super::tail::Known;
use crate::spool::{Spool, StateOwner};

/// Every followed path and where its files were left.
#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
pub struct Positions {
    /// Last event `seq` the snapshot includes.
    pub seq: u64,
    /// When the agent last recorded where it stood (saved, or a line spooled after),
    /// milliseconds since the epoch: copies rotated after it were never read.
    #[serde(default)]
    pub recorded_ms: u64,
    /// By path.
    pub paths: BTreeMap<PathBuf, PathState>,
}

/// One path's state.
#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
pub struct PathState {
    /// Its files (the current one, and rotated ones not finished).
    pub files: Vec<Known>,
    /// The path was seen absent: a file appearing there is read from its start.
    #[serde(default)]
    pub seen_absent: bool,
}

impl Positions {
    /// Loads the snapshot at `path` and replays the log lines spooled after it; the
    /// spool keeps those until a newer snapshot covers them. `Ok(None)` on a first run.
    pub fn load_caught_up(path: &Path, spool: &mut Spool) -> anyhow::Result<Option<Positions>> {
        let Some(mut positions) = Positions::load(path)? else {
            return Ok(None);
        };
        let since = positions.seq;
        let mut replayed = 0;
        spool.for_each_after(since, |batch| {
            if let Ok(body) = vigie_model::wire::open(&batch.bytes, usize::MAX >> 1) {
                for event in body.events.iter().filter(|e| e.seq > since) {
                    if positions.apply(event) {
                        replayed += 1;
                    }
                }
            }
        })?;
        if replayed > 0 {
            tracing::info!(replayed, "log positions caught up from the spool");
        }
        spool.retain_from(StateOwner::LogPositions, since + 1)?;
        Ok(Some(positions))
    }

    /// Loads the snapshot at `path`; `Ok(None)` when there is none.
    pub fn load(path: &Path) -> anyhow::Result<Option<Positions>> {
        let file = match std::fs::File::open(path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(anyhow::anyhow!("{}: {e}", path.display())),
        };
        let positions = serde_json::from_reader(BufReader::new(file))
            .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        Ok(Some(positions))
    }

    /// Saves the snapshot as including every event up to `seq`, atomically.
    pub fn save(&mut self, path: &Path, seq: u64) -> std::io::Result<()> {
        self.seq = seq;
        self.recorded_ms = vigie_model::event::now_ms();
        let json = serde_json::to_vec(self).map_err(std::io::Error::other)?;
        vigie_daemon::files::write_atomic(path, &json)
    }

    /// Moves a file's position to just past a line already spooled. A position that
    /// goes back (the file was truncated and written again) forgets the head, which
    /// described the old content. True when `event` is a log line.
    pub fn apply(&mut self, event: &Event) -> bool {
        let (Some(path), Some(inode), Some(offset)) = (
            event.str_field(field::LOG_FILE),
            event.fields.get(field::LOG_INODE).and_then(|v| v.as_u64()),
            event.fields.get(field::LOG_OFFSET).and_then(|v| v.as_u64()),
        ) else {
            return false;
        };
        self.recorded_ms = self.recorded_ms.max(event.ts);
        let state = self.paths.entry(PathBuf::from(path)).or_default();
        match state.files.iter_mut().find(|k| k.inode == inode) {
            Some(known) => {
                if offset < known.offset {
                    known.head = None;
                }
                known.offset = offset;
            }
            None => state.files.push(Known {
                inode,
                offset,
                head: None,
            }),
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use vigie_model::event::Category;

    fn line(seq: u64, path: &str, inode: u64, offset: u64) -> Event {
        let mut fields = serde_json::Map::new();
        fields.insert(field::LOG_FILE.into(), path.into());
        fields.insert(field::LOG_INODE.into(), inode.into());
        fields.insert(field::LOG_OFFSET.into(), offset.into());
        Event {
            agent_id: "a".into(),
            hostname: "h".into(),
            seq,
            ts: 1,
            category: Category::Log.as_str().into(),
            fields,
        }
    }

    #[test]
    fn replay_moves_positions_and_a_step_back_forgets_the_head() {
        let mut p = Positions::default();
        p.paths.insert(
            "/var/log/auth.log".into(),
            PathState {
                files: vec![Known {
                    inode: 7,
                    offset: 100,
                    head: Some(super::super::reader::Head::of(b"x")),
                }],
                seen_absent: false,
            },
        );
        assert!(p.apply(&line(1, "/var/log/auth.log", 7, 150)));
        assert!(p.paths["/var/log/auth.log".as_ref() as &Path].files[0]
            .head
            .is_some());
        p.apply(&line(2, "/var/log/auth.log", 7, 20));
        p.apply(&line(3, "/var/log/auth.log", 9, 30));
        let files = &p.paths[Path::new("/var/log/auth.log")].files;
        assert_eq!((files[0].offset, files[0].head.is_none()), (20, true));
        assert_eq!((files[1].inode, files[1].offset), (9, 30));
        let mut other = line(4, "", 0, 0);
        other.fields.clear();
        assert!(!p.apply(&other));
    }
}
