//! Finding a log file's rotated copy, so the lines written before a rotation that the
//! agent had not read yet are read from there: by inode when the file was renamed
//! (`auth.log` → `auth.log.1`), by the hash of its first bytes when it was copied
//! (copy-and-truncate) or compressed (`auth.log.2.gz`).

use std::fs::File;
use std::io::Read;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use super::reader::{Head, Line};

/// A rotated copy found.
#[derive(Debug)]
pub enum Copy {
    /// An uncompressed file (the renamed original, or a copy).
    Plain(File),
    /// A gzip file.
    Gzip(PathBuf),
}

/// The files beside `path` named like its rotated copies (`NAME.1`, `NAME-20261202`,
/// `NAME.1.gz`…), newest first.
pub fn siblings(path: &Path) -> Vec<PathBuf> {
    let (Some(dir), Some(name)) = (path.parent(), path.file_name().and_then(|n| n.to_str())) else {
        return Vec::new();
    };
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut found: Vec<(i64, PathBuf)> = entries
        .filter_map(Result::ok)
        .filter(|e| {
            e.file_name().to_str().is_some_and(|n| {
                n.len() > name.len()
                    && n.starts_with(name)
                    && matches!(n.as_bytes()[name.len()], b'.' | b'-' | b'_')
            })
        })
        .filter_map(|e| {
            let meta = e.metadata().ok()?;
            meta.is_file().then(|| (meta.mtime(), e.path()))
        })
        .collect();
    found.sort_by_key(|f| std::cmp::Reverse(f.0));
    found.into_iter().map(|(_, p)| p).collect()
}

/// The sibling of `path` that is inode `inode` (the file, renamed; or a compressed
/// copy the agent had begun to read).
pub fn by_inode(path: &Path, inode: u64) -> Option<(PathBuf, Copy)> {
    siblings(path).into_iter().find_map(|p| {
        let file = File::open(&p).ok()?;
        (file.metadata().ok()?.ino() == inode).then(|| (p.clone(), as_copy(p, file)))
    })
}

fn as_copy(path: PathBuf, file: File) -> Copy {
    if path.extension().is_some_and(|x| x == "gz") {
        Copy::Gzip(path)
    } else {
        Copy::Plain(file)
    }
}

/// The siblings of `path` changed after `since_ms` (milliseconds since the epoch) that
/// are not among `seen` (paths already matched to a known file): rotated while the
/// agent was stopped before it ever read them. With each, its inode.
pub fn unseen_since(path: &Path, since_ms: u64, seen: &[PathBuf]) -> Vec<(u64, Copy)> {
    siblings(path)
        .into_iter()
        .rev()
        .filter(|p| !seen.contains(p))
        .filter_map(|p| {
            let file = File::open(&p).ok()?;
            let meta = file.metadata().ok()?;
            let mtime_ms =
                (meta.mtime().max(0) as u64) * 1000 + meta.mtime_nsec() as u64 / 1_000_000;
            (mtime_ms > since_ms).then(|| (meta.ino(), as_copy(p, file)))
        })
        .collect()
}

/// The sibling of `path` that starts with `head`, holds at least `min_size` bytes and is
/// not inode `not_inode`: a copy of the file as it was. With its path.
pub fn by_head(path: &Path, head: &Head, min_size: u64, not_inode: u64) -> Option<(PathBuf, Copy)> {
    siblings(path).into_iter().find_map(|p| {
        if p.extension().is_some_and(|x| x == "gz") {
            let mut start = vec![0; head.len as usize];
            let mut gz = flate2::read::GzDecoder::new(File::open(&p).ok()?);
            gz.read_exact(&mut start).ok()?;
            return (Head::of(&start) == *head).then(|| (p.clone(), Copy::Gzip(p)));
        }
        let file = File::open(&p).ok()?;
        let meta = file.metadata().ok()?;
        (meta.ino() != not_inode && meta.len() >= min_size && head.matches(&file))
            .then_some((p, Copy::Plain(file)))
    })
}

/// Reads the lines of gzip file `path` past `offset` (of its uncompressed text), each
/// said to come from inode `inode`. A last line without its end is handed out too: a
/// compressed file no longer grows.
pub fn read_gzip_from(
    path: &Path,
    inode: u64,
    offset: u64,
    max_line: usize,
    emit: &mut dyn FnMut(Line),
) -> std::io::Result<()> {
    let mut gz = std::io::BufReader::new(flate2::read::GzDecoder::new(File::open(path)?));
    let skipped = std::io::copy(&mut (&mut gz).take(offset), &mut std::io::sink())?;
    let mut at = skipped;
    let mut raw = Vec::new();
    loop {
        raw.clear();
        let n = std::io::BufRead::read_until(&mut gz, b'\n', &mut raw)?;
        if n == 0 {
            return Ok(());
        }
        at += n as u64;
        if raw.last() == Some(&b'\n') {
            raw.pop();
        }
        if raw.last() == Some(&b'\r') {
            raw.pop();
        }
        let cut = raw.len() > max_line;
        raw.truncate(max_line);
        emit(Line {
            text: raw.clone(),
            cut,
            inode,
            end: at,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn a_renamed_copy_is_found_by_inode_and_a_compressed_one_by_head() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("auth.log");
        std::fs::write(&log, "first\nsecond\nthird\n").unwrap();
        let inode = std::fs::metadata(&log).unwrap().ino();
        let head = Head::read(&File::open(&log).unwrap()).unwrap();
        std::fs::rename(&log, dir.path().join("auth.log.1")).unwrap();
        std::fs::write(&log, "new\n").unwrap();
        std::fs::write(dir.path().join("auth.logger"), "not a copy\n").unwrap();
        assert!(by_inode(&log, inode).is_some());

        let text = std::fs::read(dir.path().join("auth.log.1")).unwrap();
        let mut gz = flate2::write::GzEncoder::new(
            File::create(dir.path().join("auth.log.2.gz")).unwrap(),
            flate2::Compression::default(),
        );
        gz.write_all(&text).unwrap();
        gz.finish().unwrap();
        std::fs::remove_file(dir.path().join("auth.log.1")).unwrap();
        assert!(by_inode(&log, inode).is_none());
        let Some((_, Copy::Gzip(found))) = by_head(&log, &head, 6, 0) else {
            panic!("the compressed copy is found by its head");
        };
        let mut got = Vec::new();
        read_gzip_from(&found, inode, 6, 100, &mut |l| {
            got.push((String::from_utf8(l.text).unwrap(), l.end))
        })
        .unwrap();
        assert_eq!(got, [("second".into(), 13), ("third".into(), 19)]);
    }
}
