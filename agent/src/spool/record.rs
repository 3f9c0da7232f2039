//! Framing of one spooled batch: `len u32 LE | crc32 u32 LE | payload`, where the payload
//! is `first_seq u64 LE | last_seq u64 LE | hash [32] | batch bytes`.

use std::io::{self, Read, Write};

use vigie_model::wire::SealedBatch;

/// Bytes before the payload.
pub const FRAME_HEADER: usize = 8;
/// Bytes of the payload before the batch bytes.
const PAYLOAD_HEADER: usize = 8 + 8 + 32;
/// Largest payload accepted when reading, so a corrupt length cannot ask for gigabytes.
pub const MAX_PAYLOAD: usize = 64 << 20;

/// Writes `batch` as one framed record; returns the bytes written.
pub fn write(out: &mut impl Write, batch: &SealedBatch) -> io::Result<u64> {
    let mut payload = Vec::with_capacity(PAYLOAD_HEADER + batch.bytes.len());
    payload.extend_from_slice(&batch.first_seq.to_le_bytes());
    payload.extend_from_slice(&batch.last_seq.to_le_bytes());
    payload.extend_from_slice(&decode_hash(&batch.hash));
    payload.extend_from_slice(&batch.bytes);
    let mut frame = Vec::with_capacity(FRAME_HEADER + payload.len());
    frame.extend_from_slice(&(payload.len() as u32).to_le_bytes());
    frame.extend_from_slice(&crc32fast::hash(&payload).to_le_bytes());
    frame.extend_from_slice(&payload);
    out.write_all(&frame)?;
    Ok(frame.len() as u64)
}

/// What reading a record found.
pub enum ReadOutcome {
    /// A whole, intact record and its framed length.
    Record(SealedBatch, u64),
    /// Clean end of the file.
    End,
    /// A torn or corrupt record (crash mid-write, disk damage): nothing after it is read.
    Corrupt(String),
}

/// Reads the next record.
pub fn read(input: &mut impl Read) -> io::Result<ReadOutcome> {
    let mut header = [0u8; FRAME_HEADER];
    match read_full(input, &mut header)? {
        0 => return Ok(ReadOutcome::End),
        n if n < FRAME_HEADER => return Ok(ReadOutcome::Corrupt("torn record header".into())),
        _ => {}
    }
    let len = u32::from_le_bytes(header[0..4].try_into().expect("4 bytes")) as usize;
    let crc = u32::from_le_bytes(header[4..8].try_into().expect("4 bytes"));
    if !(PAYLOAD_HEADER..=MAX_PAYLOAD).contains(&len) {
        return Ok(ReadOutcome::Corrupt(format!(
            "impossible record length {len}"
        )));
    }
    let mut payload = vec![0u8; len];
    if read_full(input, &mut payload)? < len {
        return Ok(ReadOutcome::Corrupt("torn record payload".into()));
    }
    if crc32fast::hash(&payload) != crc {
        return Ok(ReadOutcome::Corrupt("record checksum mismatch".into()));
    }
    let first_seq = u64::from_le_bytes(payload[0..8].try_into().expect("8 bytes"));
    let last_seq = u64::from_le_bytes(payload[8..16].try_into().expect("8 bytes"));
    if last_seq < first_seq {
        return Ok(ReadOutcome::Corrupt("record seq range reversed".into()));
    }
    let hash = vigie_model::hex::encode(&payload[16..48]);
    let bytes = payload.split_off(PAYLOAD_HEADER);
    Ok(ReadOutcome::Record(
        SealedBatch {
            first_seq,
            last_seq,
            hash,
            bytes,
        },
        (FRAME_HEADER + len) as u64,
    ))
}

fn read_full(input: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match input.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

fn decode_hash(hex: &str) -> [u8; 32] {
    let mut out = [0u8; 32];
    for (i, chunk) in hex.as_bytes().chunks(2).take(32).enumerate() {
        let digit = |c: u8| (c as char).to_digit(16).unwrap_or(0) as u8;
        out[i] = digit(chunk[0]) << 4 | digit(chunk[1]);
    }
    out
}
