//! Several sealed batches in one request, at [`BATCHES_PATH`].
//!
//! After an outage an agent's spool holds many batches. Sent one request each, every one
//! waits for its own acknowledgement (a round trip and a storage flush), so the backlog
//! drained at a fraction of what the collector can store. Sent together, they are checked
//! and stored in one flush and acknowledged at once.
//!
//! The body is each batch's bytes, exactly as sealed, after its length as four bytes
//! (big-endian): no copy of the batches is changed, so each keeps its hash and its place
//! in the chain. The request is signed over the whole body like a single batch.

use super::error::WireError;

/// Request path of several batches at once (collectors before this answer 404).
pub const BATCHES_PATH: &str = "/api/v1/batches/many";
/// Content type of a request of several batches.
pub const BATCHES_CONTENT_TYPE: &str = "application/vnd.vigie.batches";
/// Most batches one request may hold.
pub const MAX_BATCHES_PER_REQUEST: usize = 64;

/// The body carrying the sealed bytes of `batches`, in order.
pub fn frame<'a>(batches: impl IntoIterator<Item = &'a [u8]>) -> Vec<u8> {
    let mut body = Vec::new();
    for bytes in batches {
        body.extend_from_slice(&(bytes.len() as u32).to_be_bytes());
        body.extend_from_slice(bytes);
    }
    body
}

/// The byte ranges of the batches in `body`, in order: refused when a length runs past
/// the end, a batch is empty, or more than [`MAX_BATCHES_PER_REQUEST`] are carried.
pub fn unframe(body: &[u8]) -> Result<Vec<std::ops::Range<usize>>, WireError> {
    let mut parts = Vec::new();
    let mut at = 0;
    while at < body.len() {
        let part = parts.len() + 1;
        if parts.len() == MAX_BATCHES_PER_REQUEST {
            return Err(WireError::Inconsistent(format!(
                "more than {MAX_BATCHES_PER_REQUEST} batches in one request"
            )));
        }
        let Some(length) = body.get(at..at + 4) else {
            return Err(WireError::Inconsistent(format!(
                "batch {part}: its length is cut short"
            )));
        };
        let length = u32::from_be_bytes(length.try_into().expect("four bytes")) as usize;
        let start = at + 4;
        let end = start.saturating_add(length);
        if length == 0 || end > body.len() {
            return Err(WireError::Inconsistent(format!(
                "batch {part}: length {length} at byte {at} does not fit the {} bytes sent",
                body.len()
            )));
        }
        parts.push(start..end);
        at = end;
    }
    if parts.is_empty() {
        return Err(WireError::Inconsistent("no batch in the request".into()));
    }
    Ok(parts)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn batch(first: u64) -> Vec<u8> {
        let events = (first..first + 3)
            .map(|seq| crate::Event {
                agent_id: "a".into(),
                hostname: "h".into(),
                seq,
                ts: 1,
                category: "process_creation".into(),
                fields: Default::default(),
            })
            .collect();
        crate::wire::seal("a", &"0".repeat(64), events, 1).bytes
    }

    fn frame_all(batches: &[Vec<u8>]) -> Vec<u8> {
        frame(batches.iter().map(Vec::as_slice))
    }

    #[test]
    fn batches_come_back_byte_for_byte() {
        let batches = [batch(1), batch(4), batch(7)];
        let body = frame_all(&batches);
        let parts = unframe(&body).unwrap();
        assert_eq!(parts.len(), 3);
        for (part, batch) in parts.into_iter().zip(&batches) {
            assert_eq!(&body[part], batch.as_slice());
        }
    }

    #[test]
    fn broken_framing_is_named() {
        let body = frame_all(&[batch(1), batch(4)]);
        let cut = unframe(&body[..body.len() - 1]).unwrap_err().to_string();
        assert!(cut.contains("batch 2: length"), "{cut}");
        let short = unframe(&body[..2]).unwrap_err().to_string();
        assert!(
            short.contains("batch 1: its length is cut short"),
            "{short}"
        );
        assert!(unframe(&[0, 0, 0, 0]).is_err(), "an empty batch");
        assert!(unframe(&[]).is_err(), "no batch");
        let many = frame_all(&vec![batch(1); MAX_BATCHES_PER_REQUEST + 1]);
        assert!(unframe(&many)
            .unwrap_err()
            .to_string()
            .contains("more than"));
    }
}
