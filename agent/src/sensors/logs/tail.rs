//! Following one log path across appends and every kind of rotation:
//!
//! - **renamed** (`auth.log` → `auth.log.1`, a new `auth.log`): the old file stays open
//!   and is read until it has been quiet for a while (the daemon writes to it until it
//!   reopens its log), while the new one is read from its first line;
//! - **copied then truncated**: the lines not read yet are read from the copy, found by
//!   the hash of its first bytes, then the file from its start;
//! - **compressed**: after a restart, a file rotated meanwhile is found by inode, or by
//!   its head inside `.gz` copies.
//!
//! A file that shrinks with no copy of it anywhere was cleared: that is reported. Where
//! each file was left ([`Known`]) is what the agent saves and resumes from.

use std::fs::File;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::reader::{Head, Line, Reader};
use super::rotated::{self, Copy};

/// How long a rotated-away file must stay quiet before it is let go.
const DRAIN_QUIET: Duration = Duration::from_secs(5);

/// Where one file of a path was left.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Known {
    /// Its inode.
    pub inode: u64,
    /// Offset just past the last line reported.
    pub offset: u64,
    /// Its first bytes' hash, when known.
    pub head: Option<Head>,
}

/// What a tail reports.
#[derive(Debug)]
pub enum Out {
    /// A line.
    Line(Line),
    /// The file shrank from `was` to `now` bytes with no rotated copy of it anywhere:
    /// cleared or cut, by hand or by an intruder.
    Truncated {
        /// Its inode.
        inode: u64,
        /// Where the agent had read to.
        was: u64,
        /// Its size now.
        now: u64,
    },
    /// A file the agent had not finished was rotated away while it was stopped and is
    /// nowhere to be found: what followed `offset` in it was not read.
    Lost {
        /// Its inode.
        inode: u64,
        /// Where the agent had read to.
        offset: u64,
    },
}

/// One followed path.
#[derive(Debug)]
pub struct Tail {
    path: PathBuf,
    current: Option<Reader>,
    /// Rotated-away files still read until quiet, with when each last grew.
    draining: Vec<(Reader, Instant)>,
    /// Where files were left at the last stop, not looked for yet.
    resume: Vec<Known>,
    /// The path was absent at some point: a file that appears there is new, read from
    /// its first line.
    seen_absent: bool,
    /// First look: a file already there is read from its end (its history is not sent).
    first_look_at_end: bool,
    /// After a restart, when the agent last recorded anything (ms since the epoch):
    /// copies rotated after it were never read.
    resumed_after: Option<u64>,
}

impl Tail {
    /// Follows `path`. After a restart, `resumed` says where files were left and when
    /// the agent last recorded it; otherwise a file already there is read from its end
    /// when `start_at_end`, else from its start.
    pub fn new(
        path: PathBuf,
        resumed: Option<(Vec<Known>, u64)>,
        seen_absent: bool,
        start_at_end: bool,
    ) -> Tail {
        let (known, resumed_after) = match resumed {
            Some((known, at)) => (known, Some(at)),
            None => (Vec::new(), None),
        };
        Tail {
            path,
            resumed_after,
            first_look_at_end: start_at_end && resumed_after.is_none() && !seen_absent,
            current: None,
            draining: Vec::new(),
            resume: known,
            seen_absent,
        }
    }

    /// The path followed.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether the path was seen absent.
    pub fn seen_absent(&self) -> bool {
        self.seen_absent
    }

    /// Where every file of this path stands now.
    pub fn known(&self) -> Vec<Known> {
        let of = |r: &Reader| Known {
            inode: r.inode,
            offset: r.offset,
            head: r.head.clone(),
        };
        self.current
            .iter()
            .map(of)
            .chain(self.draining.iter().map(|(r, _)| of(r)))
            .chain(self.resume.iter().cloned())
            .collect()
    }

    /// Looks at the path once: follows rotations, reads new lines (within `budget`
    /// bytes, taken off it) and hands everything out.
    pub fn poll(
        &mut self,
        max_line: usize,
        budget: &mut u64,
        out: &mut dyn FnMut(Out),
    ) -> std::io::Result<()> {
        let opened = match File::open(&self.path) {
            Ok(file) => Some(file),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(e),
        };
        let inode = match &opened {
            Some(f) => Some(f.metadata()?.ino()),
            None => None,
        };
        self.resume_known(inode, opened.as_ref(), max_line, out)?;
        match (opened, inode) {
            (None, _) => {
                self.seen_absent = true;
                self.first_look_at_end = false;
                if let Some(old) = self.current.take() {
                    self.draining.push((old, Instant::now()));
                }
            }
            (Some(file), Some(inode)) => {
                if self.current.as_ref().is_some_and(|c| c.inode != inode) {
                    let old = self.current.take().expect("checked");
                    self.draining.push((old, Instant::now()));
                }
                if self.current.is_none() {
                    self.current = Some(self.open_new(file)?);
                }
                self.check_truncation(max_line, out)?;
            }
            (Some(_), None) => unreachable!("an open file has an inode"),
        }
        let mut emit = |l: Line| out(Out::Line(l));
        if let Some(current) = &mut self.current {
            current.read(max_line, budget, &mut emit)?;
        }
        let mut i = 0;
        while i < self.draining.len() {
            let (reader, grew) = &mut self.draining[i];
            let before = reader.offset;
            let at_end = reader.read(max_line, budget, &mut emit)?;
            if reader.offset != before {
                *grew = Instant::now();
            }
            if at_end && grew.elapsed() >= DRAIN_QUIET {
                let (mut reader, _) = self.draining.remove(i);
                reader.flush_unfinished(&mut emit);
            } else {
                i += 1;
            }
        }
        Ok(())
    }

    /// A file met at the path for the first time in this run.
    fn open_new(&mut self, file: File) -> std::io::Result<Reader> {
        let offset = if std::mem::take(&mut self.first_look_at_end) {
            line_start_before_end(&file)?
        } else {
            0
        };
        Reader::new(file, offset)
    }

    /// Finds, once, the files left at the last stop: at the path, renamed beside it, or
    /// copied or compressed (by head); then the copies rotated since that the agent
    /// never saw, read whole.
    fn resume_known(
        &mut self,
        inode_now: Option<u64>,
        opened: Option<&File>,
        max_line: usize,
        out: &mut dyn FnMut(Out),
    ) -> std::io::Result<()> {
        let Some(since_ms) = self.resumed_after.take() else {
            return Ok(());
        };
        let mut seen = Vec::new();
        for known in std::mem::take(&mut self.resume) {
            if Some(known.inode) == inode_now && self.current.is_none() {
                let file = opened.expect("an inode means a file").try_clone()?;
                let size = file.metadata()?.len();
                let same =
                    size >= known.offset && known.head.as_ref().is_none_or(|h| h.matches(&file));
                if same {
                    let mut reader = Reader::new(file, known.offset)?;
                    reader.head = known.head;
                    self.current = Some(reader);
                    continue;
                }
                // Truncated meanwhile (or a new file under a reused inode number): the
                // old content is in a copy, or gone.
                let copy = known
                    .head
                    .as_ref()
                    .and_then(|h| rotated::by_head(&self.path, h, known.offset, known.inode));
                let cleared = Out::Truncated {
                    inode: known.inode,
                    was: known.offset,
                    now: size,
                };
                self.resume_from(copy, cleared, &known, &mut seen, max_line, out)?;
                continue;
            }
            let found = rotated::by_inode(&self.path, known.inode).or_else(|| {
                let head = known.head.as_ref()?;
                rotated::by_head(&self.path, head, known.offset, known.inode)
            });
            let lost = Out::Lost {
                inode: known.inode,
                offset: known.offset,
            };
            self.resume_from(found, lost, &known, &mut seen, max_line, out)?;
        }
        // Give a second's slack to clocks and to writes just before the stop.
        for (inode, copy) in rotated::unseen_since(&self.path, since_ms.saturating_sub(1000), &seen)
        {
            self.read_copy(copy, inode, 0, max_line, out)?;
        }
        Ok(())
    }

    /// Reads on in `found` from where `known` was left (and notes its path as seen), or
    /// reports `missing` when there is no such copy.
    fn resume_from(
        &mut self,
        found: Option<(PathBuf, Copy)>,
        missing: Out,
        known: &Known,
        seen: &mut Vec<PathBuf>,
        max_line: usize,
        out: &mut dyn FnMut(Out),
    ) -> std::io::Result<()> {
        match found {
            Some((path, copy)) => {
                seen.push(path);
                self.read_copy(copy, known.inode, known.offset, max_line, out)
            }
            None => {
                out(missing);
                Ok(())
            }
        }
    }

    /// Reads a rotated copy from `offset`: an uncompressed one until it is quiet, a
    /// compressed one at once (its lines said to come from `inode`).
    fn read_copy(
        &mut self,
        copy: Copy,
        inode: u64,
        offset: u64,
        max_line: usize,
        out: &mut dyn FnMut(Out),
    ) -> std::io::Result<()> {
        match copy {
            Copy::Plain(file) => {
                let mut reader = Reader::new(file, offset)?;
                reader.head = None;
                self.draining.push((reader, Instant::now()));
            }
            Copy::Gzip(path) => {
                rotated::read_gzip_from(&path, inode, offset, max_line, &mut |l| {
                    out(Out::Line(l))
                })?;
            }
        }
        Ok(())
    }

    /// The current file shrank, or starts differently than it did: read what was left
    /// from its copy, or report it cleared; then read it from its start.
    fn check_truncation(
        &mut self,
        max_line: usize,
        out: &mut dyn FnMut(Out),
    ) -> std::io::Result<()> {
        let Some(current) = &mut self.current else {
            return Ok(());
        };
        let size = current.size()?;
        if size >= current.offset && !current.head_changed() {
            return Ok(());
        }
        let copy = current
            .head
            .as_ref()
            .and_then(|h| rotated::by_head(&self.path, h, current.offset, current.inode));
        let (inode, offset) = (current.inode, current.offset);
        if copy.is_none() {
            out(Out::Truncated {
                inode,
                was: offset,
                now: size,
            });
        }
        current.restart();
        if let Some((_, copy)) = copy {
            self.read_copy(copy, inode, offset, max_line, out)?;
        }
        Ok(())
    }
}

/// Where the last line of `file` that is complete ends (its size when it ends with a
/// line end): a first look starts there.
fn line_start_before_end(file: &File) -> std::io::Result<u64> {
    use std::os::unix::fs::FileExt;
    let size = file.metadata()?.len();
    let back = size.min(64 << 10);
    let mut tail = vec![0; back as usize];
    file.read_exact_at(&mut tail, size - back)?;
    Ok(match tail.iter().rposition(|&b| b == b'\n') {
        Some(i) => size - back + i as u64 + 1,
        None if back == size => 0,
        None => size,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn append(path: &Path, text: &str) {
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
    }

    fn empty(path: &Path) {
        File::options()
            .write(true)
            .open(path)
            .unwrap()
            .set_len(0)
            .unwrap();
    }

    fn poll(tail: &mut Tail) -> (Vec<String>, Vec<String>) {
        let (mut lines, mut notes) = (Vec::new(), Vec::new());
        let mut budget = u64::MAX;
        tail.poll(1024, &mut budget, &mut |o| match o {
            Out::Line(l) => lines.push(String::from_utf8(l.text).unwrap()),
            other => notes.push(format!("{other:?}")),
        })
        .unwrap();
        (lines, notes)
    }

    #[test]
    fn first_look_at_the_end_then_every_rotation_without_loss_or_repeat() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("auth.log");
        append(&log, "history 1\nhistory 2\n");
        let mut tail = Tail::new(log.clone(), None, false, true);
        assert_eq!(poll(&mut tail).0, Vec::<String>::new(), "history not sent");
        append(&log, "a\n");
        assert_eq!(poll(&mut tail).0, ["a"]);

        // Renamed, the daemon still writing to the old file, then a new file.
        append(&log, "b\n");
        std::fs::rename(&log, dir.path().join("auth.log.1")).unwrap();
        append(&dir.path().join("auth.log.1"), "c\n");
        append(&log, "d\n");
        let mut got = poll(&mut tail).0;
        got.sort();
        assert_eq!(got, ["b", "c", "d"]);

        // Copied then truncated.
        append(&log, "e\n");
        std::fs::copy(&log, dir.path().join("auth.log.0")).unwrap();
        empty(&log);
        append(&log, "f\n");
        let mut got = poll(&mut tail).0;
        got.sort();
        assert_eq!(got, ["e", "f"]);

        // Cleared by hand: reported, and the next lines read.
        empty(&log);
        std::fs::remove_file(dir.path().join("auth.log.0")).unwrap();
        let (lines, notes) = poll(&mut tail);
        assert!(lines.is_empty());
        assert!(notes[0].starts_with("Truncated"), "{notes:?}");
        append(&log, "g\n");
        assert_eq!(poll(&mut tail).0, ["g"]);
    }

    #[test]
    fn a_restart_resumes_in_a_file_rotated_and_compressed_meanwhile() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("syslog");
        let mut tail = Tail::new(log.clone(), None, false, true);
        assert!(poll(&mut tail).0.is_empty());
        append(&log, "one\ntwo\n");
        assert_eq!(
            poll(&mut tail).0,
            ["one", "two"],
            "appeared after start: all of it"
        );
        let known = tail.known();
        let stopped = vigie_model::event::now_ms();
        drop(tail);
        std::thread::sleep(Duration::from_millis(1100));
        // While stopped: more lines, rotated and compressed, a new file.
        append(&log, "three\n");
        let text = std::fs::read(&log).unwrap();
        let mut gz = flate2::write::GzEncoder::new(
            File::create(dir.path().join("syslog.1.gz")).unwrap(),
            flate2::Compression::default(),
        );
        gz.write_all(&text).unwrap();
        gz.finish().unwrap();
        std::fs::remove_file(&log).unwrap();
        append(&log, "four\n");
        // And an older rotated copy, from before the stop: not read again.
        std::fs::write(dir.path().join("syslog.9"), "old\n").unwrap();
        let old = std::time::SystemTime::now() - Duration::from_secs(3600);
        File::options()
            .write(true)
            .open(dir.path().join("syslog.9"))
            .unwrap()
            .set_modified(old)
            .unwrap();
        let mut tail = Tail::new(log.clone(), Some((known, stopped)), true, true);
        assert_eq!(poll(&mut tail).0, ["three", "four"]);
    }
}
