//! The agent's on-disk spool: every sealed batch stays here until the collector has
//! acknowledged that it is stored.
//!
//! # Invariants
//!
//! - The spool is a folder of segment files, `{first_seq:020}.seg`, oldest first. Records
//!   are appended only to the newest segment; a record never spans two files.
//! - A record is one sealed batch framed as `len | crc32 | payload` (see [`record`]), and
//!   is fsynced before [`Spool::append`] returns: once appended, a batch survives a crash.
//! - Records are in `seq` order without holes, except where the spool dropped some.
//! - The ledger (see [`ledger`]) holds the highest acknowledged `seq`; after a restart
//!   sending resumes at the first record past it, so delivery is in order.
//! - A segment is deleted once all its records are acknowledged and no longer needed to
//!   rebuild a sensor's saved state: the file baseline, the log positions
//!   ([`Spool::retain_from`], one mark per [`StateOwner`]).
//! - The total size is bounded. When a new record would pass the bound, whole segments are
//!   dropped, oldest first, and their unacknowledged events are counted in the ledger
//!   (`dropped_full`). A torn or corrupt record is cut off at open and counted
//!   (`dropped_corrupt`). Nothing is dropped silently.

pub mod ledger;
pub mod record;
mod shared;

pub use shared::SharedSpool;

use std::collections::{BTreeMap, VecDeque};
use std::fs::{File, OpenOptions};
use std::io::{BufReader, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use vigie_model::wire::{SealedBatch, GENESIS_HASH};

pub use ledger::Ledger;
use record::ReadOutcome;

/// Errors of the spool, naming the file at fault.
#[derive(Debug, thiserror::Error)]
#[error("spool {path}: {source}")]
pub struct SpoolError {
    /// The file or folder.
    pub path: PathBuf,
    /// The I/O error.
    pub source: std::io::Error,
}

fn at(path: &Path) -> impl FnOnce(std::io::Error) -> SpoolError + '_ {
    move |source| SpoolError {
        path: path.to_path_buf(),
        source,
    }
}

#[derive(Debug, Clone)]
struct Segment {
    path: PathBuf,
    bytes: u64,
    first_seq: u64,
    last_seq: u64,
}

/// Figures for `agent_health` and tests.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SpoolStats {
    /// Bytes on disk.
    pub bytes: u64,
    /// Segment files.
    pub segments: usize,
    /// Events written but not yet acknowledged.
    pub backlog_events: u64,
    /// Events dropped because the spool was full, in all.
    pub dropped_full: u64,
    /// Corrupt records skipped, in all.
    pub dropped_corrupt: u64,
    /// Events in batches the collector refused as malformed, in all.
    pub dropped_rejected: u64,
}

/// The spool. One writer (the batcher) and one reader (the sender) share it behind a lock.
pub struct Spool {
    dir: PathBuf,
    max_bytes: u64,
    segment_bytes: u64,
    segments: VecDeque<Segment>,
    writer: Option<File>,
    ledger: Ledger,
    /// Segment index and offset of the next record to send.
    cursor: (usize, u64),
    last_seq: u64,
    last_hash: String,
    /// Per sensor state, the first `seq` its saved snapshot does not include.
    retain_from: BTreeMap<StateOwner, u64>,
}

/// A sensor whose state is saved as a snapshot naming a `seq` and rebuilt after a crash
/// from the spooled events past it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum StateOwner {
    /// The file baseline.
    FileBaseline,
    /// The log files' reading positions.
    LogPositions,
    /// The systemd journal's cursor.
    JournalCursor,
}

impl Spool {
    /// Opens (or creates) the spool in `dir`, cutting off any torn tail.
    pub fn open(dir: &Path, max_bytes: u64, segment_bytes: u64) -> Result<Spool, SpoolError> {
        std::fs::create_dir_all(dir).map_err(at(dir))?;
        let ledger_path = dir.join("ledger.json");
        let mut ledger = Ledger::load(&ledger_path).map_err(at(&ledger_path))?;
        let mut names: Vec<PathBuf> = std::fs::read_dir(dir)
            .map_err(at(dir))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "seg"))
            .collect();
        names.sort();
        let mut spool = Spool {
            dir: dir.to_path_buf(),
            max_bytes,
            segment_bytes,
            segments: VecDeque::new(),
            writer: None,
            cursor: (0, 0),
            last_seq: ledger.acked_through,
            last_hash: if ledger.acked_hash.is_empty() {
                GENESIS_HASH.to_string()
            } else {
                ledger.acked_hash.clone()
            },
            retain_from: BTreeMap::new(),
            ledger: Ledger::default(),
        };
        let mut cursor = None;
        for path in names {
            let segment = spool.scan_segment(&path, &mut ledger, &mut cursor)?;
            match segment {
                Some(s) => spool.segments.push_back(s),
                None => std::fs::remove_file(&path).map_err(at(&path))?,
            }
        }
        spool.cursor = cursor.unwrap_or((spool.segments.len(), 0));
        if let Some(last) = spool.segments.back() {
            spool.last_seq = spool.last_seq.max(last.last_seq);
        }
        spool.ledger = ledger;
        spool.ledger.save(&ledger_path).map_err(at(&ledger_path))?;
        Ok(spool)
    }

    /// Reads one segment at open: its range, its cursor position, and a torn tail cut off.
    fn scan_segment(
        &mut self,
        path: &Path,
        ledger: &mut Ledger,
        cursor: &mut Option<(usize, u64)>,
    ) -> Result<Option<Segment>, SpoolError> {
        let file = File::open(path).map_err(at(path))?;
        let mut reader = BufReader::new(file);
        let mut offset = 0u64;
        let mut range: Option<(u64, u64)> = None;
        loop {
            match record::read(&mut reader).map_err(at(path))? {
                ReadOutcome::Record(batch, len) => {
                    if cursor.is_none() && batch.last_seq > ledger.acked_through {
                        *cursor = Some((self.segments.len(), offset));
                    }
                    range = Some((range.map_or(batch.first_seq, |r| r.0), batch.last_seq));
                    self.last_hash = batch.hash;
                    offset += len;
                }
                ReadOutcome::End => break,
                ReadOutcome::Corrupt(why) => {
                    tracing::warn!(path = %path.display(), offset, why, "corrupt spool record cut off");
                    ledger.dropped_corrupt += 1;
                    let file = OpenOptions::new()
                        .write(true)
                        .open(path)
                        .map_err(at(path))?;
                    file.set_len(offset).map_err(at(path))?;
                    file.sync_all().map_err(at(path))?;
                    break;
                }
            }
        }
        Ok(range.map(|(first_seq, last_seq)| Segment {
            path: path.to_path_buf(),
            bytes: offset,
            first_seq,
            last_seq,
        }))
    }

    /// `seq` the next event should get: one past everything ever spooled or acknowledged.
    pub fn next_seq(&self) -> u64 {
        self.last_seq + 1
    }

    /// Hash of the newest batch, which the next batch names as its predecessor.
    pub fn last_hash(&self) -> &str {
        &self.last_hash
    }

    /// Appends a sealed batch and fsyncs it. Drops the oldest segments first if the bound
    /// requires it; returns how many unacknowledged events that dropped.
    pub fn append(&mut self, batch: &SealedBatch) -> Result<u64, SpoolError> {
        let incoming = (record::FRAME_HEADER + 48 + batch.bytes.len()) as u64;
        let mut dropped = 0;
        if self.total_bytes() + incoming > self.max_bytes {
            self.rotate();
            while self.segments.len() > 1 && self.total_bytes() + incoming > self.max_bytes {
                dropped += self.drop_oldest()?;
            }
        }
        let needs_new = match self.segments.back() {
            Some(s) => self.writer.is_none() || s.bytes >= self.segment_bytes,
            None => true,
        };
        if needs_new {
            self.rotate();
            let path = self.dir.join(format!("{:020}.seg", batch.first_seq));
            let file = OpenOptions::new()
                .create(true)
                .append(true)
                .open(&path)
                .map_err(at(&path))?;
            let existing = file.metadata().map_err(at(&path))?.len();
            self.writer = Some(file);
            self.segments.push_back(Segment {
                path,
                bytes: existing,
                first_seq: batch.first_seq,
                last_seq: batch.last_seq,
            });
        }
        let segment = self
            .segments
            .back_mut()
            .expect("a segment was just ensured");
        let file = self.writer.as_mut().expect("the newest segment is open");
        let written = match record::write(file, batch).and_then(|n| file.sync_data().map(|()| n)) {
            Ok(n) => n,
            Err(e) => {
                // Cut off whatever part of the record reached the file (disk full…), so
                // the next append does not land behind a torn record.
                let _ = file.set_len(segment.bytes);
                let error = at(&segment.path)(e);
                self.writer = None;
                if self.segments.back().is_some_and(|s| s.bytes == 0) {
                    let empty = self.segments.pop_back().expect("checked");
                    let _ = std::fs::remove_file(&empty.path);
                }
                return Err(error);
            }
        };
        segment.bytes += written;
        segment.last_seq = batch.last_seq;
        self.last_seq = batch.last_seq;
        self.last_hash = batch.hash.clone();
        if dropped > 0 {
            self.save_ledger()?;
        }
        Ok(dropped)
    }

    /// Closes the newest segment so the next append starts a new one.
    fn rotate(&mut self) {
        self.writer = None;
    }

    fn drop_oldest(&mut self) -> Result<u64, SpoolError> {
        let segment = self.segments.pop_front().expect("caller checked len > 1");
        let first_unacked = segment.first_seq.max(self.ledger.acked_through + 1);
        let lost = (segment.last_seq + 1).saturating_sub(first_unacked);
        self.ledger.dropped_full += lost;
        std::fs::remove_file(&segment.path).map_err(at(&segment.path))?;
        self.cursor = match self.cursor {
            (0, _) => (0, 0),
            (i, offset) => (i - 1, offset),
        };
        if lost > 0 {
            tracing::warn!(lost, path = %segment.path.display(), "spool full: oldest events dropped");
        }
        Ok(lost)
    }

    /// The oldest batch not yet acknowledged, if any.
    pub fn peek(&mut self) -> Result<Option<SealedBatch>, SpoolError> {
        loop {
            let (index, offset) = self.cursor;
            let Some(segment) = self.segments.get(index) else {
                return Ok(None);
            };
            if offset >= segment.bytes {
                if index + 1 < self.segments.len() {
                    self.cursor = (index + 1, 0);
                    continue;
                }
                return Ok(None);
            }
            let path = segment.path.clone();
            let mut file = File::open(&path).map_err(at(&path))?;
            file.seek(SeekFrom::Start(offset)).map_err(at(&path))?;
            match record::read(&mut BufReader::new(file)).map_err(at(&path))? {
                ReadOutcome::Record(batch, _) => return Ok(Some(batch)),
                // Written and fsynced by us since open: damage here is a disk fault.
                ReadOutcome::End | ReadOutcome::Corrupt(_) => {
                    tracing::error!(path = %path.display(), offset, "unreadable spool record skipped");
                    self.ledger.dropped_corrupt += 1;
                    self.cursor = (index + 1, 0);
                    self.rotate();
                    self.save_ledger()?;
                }
            }
        }
    }

    /// The batches from the cursor on, in order: at most `max` of them and, after the
    /// first, no more than `max_bytes` of batch bytes in all. What the sender sends in
    /// one request when a backlog built up. A damaged record ends the list; [`Spool::peek`]
    /// deals with it when the cursor gets there.
    pub fn peek_many(
        &mut self,
        max: usize,
        max_bytes: usize,
    ) -> Result<Vec<SealedBatch>, SpoolError> {
        let Some(first) = self.peek()? else {
            return Ok(Vec::new());
        };
        let mut bytes = first.bytes.len();
        let mut batches = vec![first];
        let (mut index, offset) = self.cursor;
        let mut offset = offset + (record::FRAME_HEADER + 48 + batches[0].bytes.len()) as u64;
        'segments: while batches.len() < max {
            let Some(segment) = self.segments.get(index) else {
                break;
            };
            if offset >= segment.bytes {
                index += 1;
                offset = 0;
                continue;
            }
            let mut file = File::open(&segment.path).map_err(at(&segment.path))?;
            file.seek(SeekFrom::Start(offset))
                .map_err(at(&segment.path))?;
            let mut reader = BufReader::new(file);
            while batches.len() < max && offset < segment.bytes {
                match record::read(&mut reader).map_err(at(&segment.path))? {
                    ReadOutcome::Record(batch, length) => {
                        if bytes + batch.bytes.len() > max_bytes {
                            break 'segments;
                        }
                        bytes += batch.bytes.len();
                        offset += length;
                        batches.push(batch);
                    }
                    ReadOutcome::End | ReadOutcome::Corrupt(_) => break 'segments,
                }
            }
        }
        Ok(batches)
    }

    /// The collector stored everything up to `acked_through`: move past it and delete what
    /// is no longer needed.
    pub fn ack(&mut self, acked_through: u64) -> Result<(), SpoolError> {
        if acked_through <= self.ledger.acked_through {
            return Ok(());
        }
        self.ledger.acked_through = acked_through;
        self.advance_cursor()?;
        self.save_ledger()?;
        self.collect_garbage()
    }

    /// The collector refused the batch at the cursor as malformed: set it aside, counted,
    /// so it does not block everything behind it.
    pub fn reject_current(&mut self, batch: &SealedBatch) -> Result<(), SpoolError> {
        self.ledger.dropped_rejected += batch.len();
        self.ledger.acked_through = self.ledger.acked_through.max(batch.last_seq);
        self.advance_cursor()?;
        self.save_ledger()?;
        self.collect_garbage()
    }

    fn advance_cursor(&mut self) -> Result<(), SpoolError> {
        while let Some(batch) = self.peek()? {
            if batch.last_seq > self.ledger.acked_through {
                break;
            }
            let len = (record::FRAME_HEADER + 48 + batch.bytes.len()) as u64;
            self.cursor.1 += len;
            // Chains the next batch if the spool empties and the agent restarts.
            self.ledger.acked_hash = batch.hash;
        }
        Ok(())
    }

    /// Keeps records whose events reach `seq` or later even once acknowledged: `owner`'s
    /// snapshot on disk does not include them yet and is rebuilt from them after a crash.
    pub fn retain_from(&mut self, owner: StateOwner, seq: u64) -> Result<(), SpoolError> {
        self.retain_from.insert(owner, seq);
        self.collect_garbage()
    }

    /// Forgets every owner's mark (before the sensors start again and set theirs).
    pub fn clear_retention(&mut self) {
        self.retain_from.clear();
    }

    fn collect_garbage(&mut self) -> Result<(), SpoolError> {
        while self.segments.len() > 1 {
            let oldest = &self.segments[0];
            let retain_from = self.retain_from.values().min().copied().unwrap_or(u64::MAX);
            if oldest.last_seq > self.ledger.acked_through || oldest.last_seq >= retain_from {
                break;
            }
            let segment = self.segments.pop_front().expect("len > 1");
            std::fs::remove_file(&segment.path).map_err(at(&segment.path))?;
            self.cursor.0 = self.cursor.0.saturating_sub(1);
        }
        Ok(())
    }

    /// Calls `f` with every spooled batch whose events go past `seq`, oldest first
    /// (acknowledged or not): used to rebuild state after a crash.
    pub fn for_each_after(
        &self,
        seq: u64,
        mut f: impl FnMut(&SealedBatch),
    ) -> Result<(), SpoolError> {
        for segment in &self.segments {
            if segment.last_seq <= seq {
                continue;
            }
            let file = File::open(&segment.path).map_err(at(&segment.path))?;
            let mut reader = BufReader::new(file);
            while let ReadOutcome::Record(batch, _) =
                record::read(&mut reader).map_err(at(&segment.path))?
            {
                if batch.last_seq > seq {
                    f(&batch);
                }
            }
        }
        Ok(())
    }

    fn total_bytes(&self) -> u64 {
        self.segments.iter().map(|s| s.bytes).sum()
    }

    fn save_ledger(&self) -> Result<(), SpoolError> {
        let path = self.dir.join("ledger.json");
        self.ledger.save(&path).map_err(at(&path))
    }

    /// Events dropped in all (spool full or refused by the collector), as sent to the
    /// collector so it can tell an explained gap from tampering.
    pub fn dropped_total(&self) -> u64 {
        ledger::total_dropped(&self.ledger)
    }

    /// Current figures.
    pub fn stats(&self) -> SpoolStats {
        SpoolStats {
            bytes: self.total_bytes(),
            segments: self.segments.len(),
            backlog_events: self
                .segments
                .iter()
                .map(|s| {
                    (s.last_seq + 1).saturating_sub(s.first_seq.max(self.ledger.acked_through + 1))
                })
                .sum(),
            dropped_full: self.ledger.dropped_full,
            dropped_corrupt: self.ledger.dropped_corrupt,
            dropped_rejected: self.ledger.dropped_rejected,
        }
    }
}

#[cfg(test)]
mod tests;
