//! Reading one open log file from a byte offset into whole lines: a line longer than the
//! bound is kept cut and counted, an unfinished last line waits for its end, and every
//! line says where it ends so the agent can resume just past it.

use std::fs::File;
use std::os::unix::fs::{FileExt, MetadataExt};

/// Bytes hashed at the start of a file to recognise it after a rotation.
pub const HEAD_BYTES: u64 = 512;

/// One line read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// The line without its end, at most the bound.
    pub text: Vec<u8>,
    /// True when the line was longer and was cut.
    pub cut: bool,
    /// Inode of the file it was read from.
    pub inode: u64,
    /// Offset just past the line.
    pub end: u64,
}

/// The start of a file, to recognise it under another name or compressed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Head {
    /// Bytes hashed (fewer than [`HEAD_BYTES`] for a short file).
    pub len: u64,
    /// SHA-256 of them, in hex.
    pub sha256: String,
}

impl Head {
    /// The head of `bytes` (the first [`HEAD_BYTES`] of a file).
    pub fn of(bytes: &[u8]) -> Head {
        let bytes = &bytes[..bytes.len().min(HEAD_BYTES as usize)];
        Head {
            len: bytes.len() as u64,
            sha256: vigie_model::hex::sha256(bytes),
        }
    }

    /// The head of `file` as it is now.
    pub fn read(file: &File) -> std::io::Result<Head> {
        let mut buf = vec![0; HEAD_BYTES as usize];
        let n = read_full_at(file, &mut buf, 0)?;
        Ok(Head::of(&buf[..n]))
    }

    /// True when `file` starts with the bytes this head was taken from.
    pub fn matches(&self, file: &File) -> bool {
        let mut buf = vec![0; self.len as usize];
        matches!(read_full_at(file, &mut buf, 0), Ok(n) if n as u64 == self.len)
            && Head::of(&buf).sha256 == self.sha256
    }
}

fn read_full_at(file: &File, buf: &mut [u8], at: u64) -> std::io::Result<usize> {
    let mut done = 0;
    while done < buf.len() {
        match file.read_at(&mut buf[done..], at + done as u64)? {
            0 => break,
            n => done += n,
        }
    }
    Ok(done)
}

/// An open log file and how far it has been read.
#[derive(Debug)]
pub struct Reader {
    file: File,
    /// Its inode.
    pub inode: u64,
    /// Offset just past the last whole line handed out.
    pub offset: u64,
    /// How far bytes were read (the unfinished line lies between `offset` and here).
    scan: u64,
    line: Vec<u8>,
    cut: bool,
    /// Its head once it has one (a file shorter than [`HEAD_BYTES`] gets a longer one as
    /// it grows).
    pub head: Option<Head>,
}

/// Bytes read at once.
const CHUNK: usize = 64 << 10;

impl Reader {
    /// Follows `file` from `offset`.
    pub fn new(file: File, offset: u64) -> std::io::Result<Reader> {
        let inode = file.metadata()?.ino();
        Ok(Reader {
            file,
            inode,
            offset,
            scan: offset,
            line: Vec::new(),
            cut: false,
            head: None,
        })
    }

    /// The file's current size.
    pub fn size(&self) -> std::io::Result<u64> {
        Ok(self.file.metadata()?.len())
    }

    /// The open file.
    pub fn file(&self) -> &File {
        &self.file
    }

    /// Reads what was appended since, up to `budget` bytes (taken off it), handing out
    /// each whole line. Returns true when the end of the file was reached.
    pub fn read(
        &mut self,
        max_line: usize,
        budget: &mut u64,
        emit: &mut dyn FnMut(Line),
    ) -> std::io::Result<bool> {
        self.refresh_head()?;
        // Most looks find nothing new: no buffer for them.
        if self.size()? <= self.scan {
            return Ok(true);
        }
        let mut buf = vec![0; CHUNK];
        loop {
            if *budget == 0 {
                return Ok(false);
            }
            let want = (CHUNK as u64).min(*budget) as usize;
            let n = self.file.read_at(&mut buf[..want], self.scan)?;
            if n == 0 {
                return Ok(true);
            }
            *budget = budget.saturating_sub(n as u64);
            let mut rest = &buf[..n];
            while !rest.is_empty() {
                match memchr(b'\n', rest) {
                    Some(i) => {
                        self.keep(&rest[..i], max_line);
                        self.scan += i as u64 + 1;
                        rest = &rest[i + 1..];
                        self.finish_line(emit);
                    }
                    None => {
                        self.keep(rest, max_line);
                        self.scan += rest.len() as u64;
                        rest = &[];
                    }
                }
            }
        }
    }

    /// Hands out an unfinished last line (the file will not grow any more: rotated away
    /// and quiet).
    pub fn flush_unfinished(&mut self, emit: &mut dyn FnMut(Line)) {
        if self.scan > self.offset {
            self.finish_line(emit);
        }
    }

    fn keep(&mut self, bytes: &[u8], max_line: usize) {
        let room = max_line.saturating_sub(self.line.len());
        if bytes.len() > room {
            self.cut = true;
        }
        self.line.extend_from_slice(&bytes[..bytes.len().min(room)]);
    }

    fn finish_line(&mut self, emit: &mut dyn FnMut(Line)) {
        let mut text = std::mem::take(&mut self.line);
        if text.last() == Some(&b'\r') {
            text.pop();
        }
        self.offset = self.scan;
        emit(Line {
            text,
            cut: std::mem::take(&mut self.cut),
            inode: self.inode,
            end: self.offset,
        });
    }

    /// Takes the head while the file is short, so it grows to [`HEAD_BYTES`].
    fn refresh_head(&mut self) -> std::io::Result<()> {
        if self.head.as_ref().is_none_or(|h| h.len < HEAD_BYTES) {
            let head = Head::read(&self.file)?;
            if head.len > 0 {
                self.head = Some(head);
            }
        }
        Ok(())
    }

    /// True when the file no longer starts as it did (truncated, then written again).
    pub fn head_changed(&self) -> bool {
        self.head.as_ref().is_some_and(|h| !h.matches(&self.file))
    }

    /// Starts over at the beginning (after a truncation).
    pub fn restart(&mut self) {
        self.offset = 0;
        self.scan = 0;
        self.line.clear();
        self.cut = false;
        self.head = None;
    }
}

fn memchr(needle: u8, haystack: &[u8]) -> Option<usize> {
    haystack.iter().position(|&b| b == needle)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn lines(reader: &mut Reader, max: usize) -> Vec<(String, bool, u64)> {
        let mut out = Vec::new();
        let mut budget = u64::MAX;
        reader
            .read(max, &mut budget, &mut |l| {
                out.push((String::from_utf8_lossy(&l.text).into_owned(), l.cut, l.end))
            })
            .unwrap();
        out
    }

    #[test]
    fn whole_lines_only_and_long_ones_cut() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.log");
        let mut w = std::fs::File::create(&path).unwrap();
        w.write_all(b"one\r\ntwo\nthr").unwrap();
        let mut r = Reader::new(File::open(&path).unwrap(), 0).unwrap();
        assert_eq!(
            lines(&mut r, 100),
            [("one".into(), false, 5), ("two".into(), false, 9)]
        );
        assert_eq!(r.offset, 9, "the unfinished line waits");
        w.write_all(b"ee\n").unwrap();
        w.write_all(&[b'x'; 300]).unwrap();
        w.write_all(b"\nend\n").unwrap();
        let got = lines(&mut r, 256);
        assert_eq!(got[0], ("three".into(), false, 15));
        assert_eq!(got[1].0.len(), 256);
        assert!(got[1].1, "cut");
        assert_eq!(got[2], ("end".into(), false, 15 + 301 + 4));
        let head = r.head.clone().unwrap();
        assert!(head.matches(r.file()));
    }

    #[test]
    fn the_budget_stops_reading_and_nothing_is_lost() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.log");
        let text: String = (0..1000).map(|i| format!("line {i}\n")).collect();
        std::fs::write(&path, &text).unwrap();
        let mut r = Reader::new(File::open(&path).unwrap(), 0).unwrap();
        let mut all = Vec::new();
        loop {
            let mut budget = 100;
            let eof = r
                .read(64, &mut budget, &mut |l| all.push(l.text.clone()))
                .unwrap();
            if eof {
                break;
            }
        }
        assert_eq!(all.len(), 1000);
        assert_eq!(all[999], b"line 999");
    }
}
