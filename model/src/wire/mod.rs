//! The agent → collector batch format, its hash chain and its signature.
//!
//! A batch is a JSON body compressed with zstd: version 2 lays the events out as columns
//! (`columns.rs` says why), version 1 (older agents, still read) as a list of objects;
//! both open to a [`BatchBody`]. Its hash is the SHA-256 of the
//! compressed bytes exactly as sent; each body names the hash of the agent's previous
//! batch (`prev_hash`), so the batches of one agent form a chain the collector can check
//! for gaps and forks. The agent seals a batch once, keeps those bytes in its spool and
//! resends them unchanged, so a resend has the same hash. Each request is signed with the
//! agent's Ed25519 key over [`signing_message`]. See `docs/wire-format.md`.

use std::io::Read;

use serde::{Deserialize, Serialize};

use crate::event::Event;
use crate::hex;

mod columns;
mod error;
mod many;
use columns::Columns;
pub use error::WireError;
pub use many::{frame, unframe, BATCHES_CONTENT_TYPE, BATCHES_PATH, MAX_BATCHES_PER_REQUEST};

/// The version of the batch format this code writes. It reads this version and older.
pub const WIRE_VERSION: u32 = 2;

/// The largest `seq` accepted.
pub const MAX_SEQ: u64 = 1 << 53;

/// `prev_hash` of an agent's very first batch.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Request path of batch ingest on the collector.
pub const BATCH_PATH: &str = "/api/v1/batches";
/// Request path of enrollment on the collector.
pub const ENROLL_PATH: &str = "/api/v1/enroll";
/// Where an agent asks for its group's remote settings (signed like a batch, empty body).
pub const CONFIG_PATH: &str = "/api/v1/agent-config";

/// The collector's answer at [`CONFIG_PATH`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RemoteSettings {
    /// The agent's group.
    pub group: String,
    /// The settings' version (0: none set for the group).
    pub version: u64,
    /// The settings, TOML.
    pub body: String,
}

/// Header naming the sending agent.
pub const HEADER_AGENT: &str = "x-vigie-agent";
/// Header carrying the send time (milliseconds since the epoch, agent clock).
pub const HEADER_TIME: &str = "x-vigie-time";
/// Header carrying how many events the agent has dropped in all (spool full), cumulative.
pub const HEADER_DROPPED: &str = "x-vigie-dropped";
/// Header carrying the base64 Ed25519 signature of [`signing_message`].
pub const HEADER_SIGNATURE: &str = "x-vigie-signature";
/// Content type of a batch request.
pub const BATCH_CONTENT_TYPE: &str = "application/vnd.vigie.batch+json";

/// The content of a batch once opened. Serialized as is, it is a version 1 body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BatchBody {
    /// Format version, [`WIRE_VERSION`] when written by this code.
    pub v: u32,
    /// The agent that sealed it.
    pub agent_id: String,
    /// `seq` of the first event.
    pub first_seq: u64,
    /// `seq` of the last event.
    pub last_seq: u64,
    /// Hash of the agent's previous batch, or [`GENESIS_HASH`].
    pub prev_hash: String,
    /// When the agent sealed it (milliseconds since the epoch).
    pub sealed_ms: u64,
    /// The events, `seq` from `first_seq` to `last_seq` without holes.
    pub events: Vec<Event>,
}

/// A batch ready to send: the compressed bytes and what the agent needs to know of them.
#[derive(Debug, Clone, PartialEq)]
pub struct SealedBatch {
    /// `seq` of the first event.
    pub first_seq: u64,
    /// `seq` of the last event.
    pub last_seq: u64,
    /// SHA-256 of `bytes`, hexadecimal.
    pub hash: String,
    /// The zstd-compressed JSON body, exactly as sent.
    pub bytes: Vec<u8>,
}

impl SealedBatch {
    /// How many events the batch holds.
    pub fn len(&self) -> u64 {
        self.last_seq - self.first_seq + 1
    }

    /// Always false: a sealed batch holds at least one event.
    pub fn is_empty(&self) -> bool {
        false
    }
}

/// The version 2 body as sent: the envelope, then the events as columns.
#[derive(Serialize, Deserialize)]
struct ColumnBody {
    v: u32,
    agent_id: String,
    first_seq: u64,
    last_seq: u64,
    prev_hash: String,
    sealed_ms: u64,
    columns: Columns,
}

/// Any version's body as read: version 1 carries `events`, version 2 `columns`.
#[derive(Deserialize)]
struct ReadBody {
    v: u32,
    agent_id: String,
    first_seq: u64,
    last_seq: u64,
    prev_hash: String,
    sealed_ms: u64,
    #[serde(default)]
    events: Option<Vec<Event>>,
    #[serde(default)]
    columns: Option<Columns>,
}

/// Compresses `events` into a sealed batch chained to `prev_hash`, in the current format.
///
/// `events` must be non-empty, with consecutive `seq`s, all of `agent_id`: the agent's
/// batcher guarantees it, and the columns do not repeat either per event.
pub fn seal(agent_id: &str, prev_hash: &str, events: Vec<Event>, sealed_ms: u64) -> SealedBatch {
    let (first_seq, last_seq) = seq_range(&events);
    assert!(
        events
            .iter()
            .enumerate()
            .all(|(i, e)| { e.seq == first_seq.wrapping_add(i as u64) && e.agent_id == agent_id }),
        "a batch's events are consecutive and all of its agent"
    );
    let body = ColumnBody {
        v: WIRE_VERSION,
        agent_id: agent_id.to_string(),
        first_seq,
        last_seq,
        prev_hash: prev_hash.to_string(),
        sealed_ms,
        columns: Columns::from_events(&events),
    };
    compressed(first_seq, last_seq, &body)
}

/// Seals `events` in version 1, as agents before version 2 did, exactly as given (holes
/// and foreign agents included): for proving old agents keep working and for hostile
/// tests.
pub fn seal_v1(agent_id: &str, prev_hash: &str, events: Vec<Event>, sealed_ms: u64) -> SealedBatch {
    let (first_seq, last_seq) = seq_range(&events);
    let body = BatchBody {
        v: 1,
        agent_id: agent_id.to_string(),
        first_seq,
        last_seq,
        prev_hash: prev_hash.to_string(),
        sealed_ms,
        events,
    };
    compressed(first_seq, last_seq, &body)
}

/// The first and last sequence numbers of a batch's events.
fn seq_range(events: &[Event]) -> (u64, u64) {
    let (Some(first), Some(last)) = (events.first(), events.last()) else {
        panic!("a batch holds at least one event");
    };
    (first.seq, last.seq)
}

fn compressed(first_seq: u64, last_seq: u64, body: &impl Serialize) -> SealedBatch {
    let json = serde_json::to_vec(body).expect("events serialize to JSON");
    let bytes = zstd::bulk::compress(&json, 3).expect("zstd compresses in memory");
    SealedBatch {
        first_seq,
        last_seq,
        hash: hex::sha256(&bytes),
        bytes,
    }
}

/// Decompresses and checks a batch of any version this code reads, refusing more than
/// `max_decompressed` bytes of JSON.
pub fn open(bytes: &[u8], max_decompressed: usize) -> Result<BatchBody, WireError> {
    let json = decompress_bounded(bytes, max_decompressed)?;
    let read: ReadBody =
        serde_json::from_slice(&json).map_err(|e| WireError::Json(e.to_string()))?;
    if read.v > WIRE_VERSION {
        return Err(WireError::Version {
            found: read.v,
            supported: WIRE_VERSION,
        });
    }
    let events = match (read.v, read.events, read.columns) {
        (0 | 1, Some(events), None) => events,
        (2, None, Some(columns)) => {
            columns.into_events(&read.agent_id, read.first_seq, read.last_seq)?
        }
        (v, ..) => {
            return Err(WireError::Inconsistent(format!(
                "a version {v} body needs {} alone",
                if v == 2 { "columns" } else { "events" }
            )))
        }
    };
    let body = BatchBody {
        v: read.v,
        agent_id: read.agent_id,
        first_seq: read.first_seq,
        last_seq: read.last_seq,
        prev_hash: read.prev_hash,
        sealed_ms: read.sealed_ms,
        events,
    };
    check(&body)?;
    Ok(body)
}

/// The size a batch says it has once decompressed (its zstd frame header), if it says:
/// enough to reserve memory for it before decompressing. A lie only costs its sender:
/// decompression still stops at the limit.
pub fn declared_size(bytes: &[u8]) -> Option<u64> {
    zstd::zstd_safe::get_frame_content_size(bytes)
        .ok()
        .flatten()
}

fn decompress_bounded(bytes: &[u8], limit: usize) -> Result<Vec<u8>, WireError> {
    let decoder = zstd::stream::read::Decoder::new(bytes)
        .map_err(|e| WireError::Compression(e.to_string()))?;
    let mut out = Vec::new();
    // Read one byte past the limit: if it arrives, the body is too large.
    decoder
        .take(limit as u64 + 1)
        .read_to_end(&mut out)
        .map_err(|e| WireError::Compression(e.to_string()))?;
    if out.len() > limit {
        return Err(WireError::TooLarge { limit });
    }
    Ok(out)
}

fn check(body: &BatchBody) -> Result<(), WireError> {
    if body.events.is_empty() {
        return Err(WireError::Inconsistent("no events".into()));
    }
    if !hex::is_sha256(&body.prev_hash) {
        return Err(WireError::Inconsistent(format!(
            "prev_hash {:?} is not a SHA-256",
            body.prev_hash
        )));
    }
    // Far beyond what any agent reaches (a million events a second for 285 years), and
    // far from wrapping: a larger number can only be forged.
    if body.last_seq > MAX_SEQ {
        return Err(WireError::Inconsistent(format!(
            "last_seq {} is beyond {MAX_SEQ}",
            body.last_seq
        )));
    }
    for (i, event) in body.events.iter().enumerate() {
        let expected = body.first_seq.saturating_add(i as u64);
        if event.seq != expected {
            return Err(WireError::Inconsistent(format!(
                "event {i} has seq {} where {expected} was expected",
                event.seq
            )));
        }
        if event.agent_id != body.agent_id {
            return Err(WireError::Inconsistent(format!(
                "event {i} names agent {:?}, the batch {:?}",
                event.agent_id, body.agent_id
            )));
        }
    }
    let last = body.first_seq.saturating_add(body.events.len() as u64 - 1);
    if last != body.last_seq {
        return Err(WireError::Inconsistent(format!(
            "last_seq is {} but the events end at {last}",
            body.last_seq
        )));
    }
    Ok(())
}

/// What a signed request is for. Each purpose has its own tag in the signed message and
/// is accepted on one request path only, so a signature made for one cannot be replayed
/// on another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// A batch of events, at [`BATCH_PATH`].
    Batch,
    /// Several batches, at [`BATCHES_PATH`].
    Batches,
    /// Asking for remote settings, at [`CONFIG_PATH`].
    AgentConfig,
}

impl Purpose {
    /// The tag that opens the signed message.
    pub fn tag(self) -> &'static str {
        match self {
            Purpose::Batch => "vigie-batch/1",
            Purpose::Batches => "vigie-batches/1",
            Purpose::AgentConfig => "vigie-agent-config/1",
        }
    }

    /// The one request path where this purpose is accepted.
    pub fn path(self) -> &'static str {
        match self {
            Purpose::Batch => BATCH_PATH,
            Purpose::Batches => BATCHES_PATH,
            Purpose::AgentConfig => CONFIG_PATH,
        }
    }

    /// The purpose a request at `path` must be signed for.
    pub fn for_path(path: &str) -> Option<Purpose> {
        [Purpose::Batch, Purpose::Batches, Purpose::AgentConfig]
            .into_iter()
            .find(|p| p.path() == path)
    }
}

/// The bytes an agent signs for one request: what for, who, when, drops, and the body's
/// hash.
pub fn signing_message(
    purpose: Purpose,
    agent_id: &str,
    time_ms: u64,
    dropped: u64,
    body_hash: &str,
) -> Vec<u8> {
    let tag = purpose.tag();
    format!("{tag}\n{agent_id}\n{time_ms}\n{dropped}\n{body_hash}").into_bytes()
}

/// The collector's answer to a batch it has stored (or had stored already).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ack {
    /// Stored now, or already stored.
    pub status: crate::AckStatus,
    /// Every `seq` up to this one is stored; the agent may forget them.
    pub acked_through: u64,
    /// How many events of this request were newly stored.
    pub stored: u64,
}

/// The body of every refusal from the collector.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Refusal {
    /// Stable machine-readable code.
    pub code: String,
    /// What went wrong, in English.
    pub message: String,
    /// What went wrong, in French.
    pub message_fr: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Map;

    fn event(seq: u64) -> Event {
        Event {
            agent_id: "a1".into(),
            hostname: "h".into(),
            seq,
            ts: 1,
            category: "file_event".into(),
            fields: Map::new(),
        }
    }

    #[test]
    fn sealed_batch_opens_to_the_same_events() {
        let sealed = seal("a1", GENESIS_HASH, vec![event(5), event(6)], 9);
        assert_eq!((sealed.first_seq, sealed.last_seq, sealed.len()), (5, 6, 2));
        assert_eq!(sealed.hash, hex::sha256(&sealed.bytes));
        let body = open(&sealed.bytes, 1 << 20).unwrap();
        assert_eq!(body.events, vec![event(5), event(6)]);
        assert_eq!(body.prev_hash, GENESIS_HASH);
    }

    #[test]
    fn version_1_batches_of_older_agents_still_open() {
        let sealed = seal_v1("a1", GENESIS_HASH, vec![event(5), event(6)], 9);
        let body = open(&sealed.bytes, 1 << 20).unwrap();
        assert_eq!((body.v, body.events), (1, vec![event(5), event(6)]));
        let current = seal("a1", GENESIS_HASH, vec![event(5), event(6)], 9);
        assert_eq!(open(&current.bytes, 1 << 20).unwrap().v, WIRE_VERSION);
    }

    #[test]
    fn a_body_must_match_its_version() {
        for (v, layout) in [(1, "columns"), (2, "events")] {
            let json = format!(
                r#"{{"v":{v},"agent_id":"a1","first_seq":1,"last_seq":1,"prev_hash":"{GENESIS_HASH}","sealed_ms":0,"{layout}":[]}}"#
            );
            let bytes = zstd::bulk::compress(json.as_bytes(), 3).unwrap();
            let err = open(&bytes, 1 << 20).unwrap_err();
            assert!(
                matches!(err, WireError::Inconsistent(_) | WireError::Json(_)),
                "{err}"
            );
        }
    }

    #[test]
    fn sequence_numbers_near_the_end_of_u64_are_refused() {
        // Issue #12: seq 2^64-2 made every later batch a "duplicate", and first_seq + i
        // wrapped.
        for first in [u64::MAX - 1, MAX_SEQ] {
            let sealed = seal(
                "a1",
                GENESIS_HASH,
                vec![event(first), event(first.wrapping_add(1))],
                9,
            );
            assert_eq!(
                open(&sealed.bytes, 1 << 20).unwrap_err().code(),
                "batch_inconsistent"
            );
        }
        let sealed = seal(
            "a1",
            GENESIS_HASH,
            vec![event(MAX_SEQ - 1), event(MAX_SEQ)],
            9,
        );
        assert!(open(&sealed.bytes, 1 << 20).is_ok());
    }

    #[test]
    fn a_decompression_bomb_is_refused() {
        let zeros = vec![b' '; 50 << 20];
        let bomb = zstd::bulk::compress(&zeros, 3).unwrap();
        assert!(bomb.len() < 100_000);
        let err = open(&bomb, 1 << 20).unwrap_err();
        assert_eq!(err.code(), "batch_too_large");
    }

    #[test]
    fn garbage_and_holes_are_refused_with_their_reason() {
        assert_eq!(open(b"hello", 1024).unwrap_err().code(), "batch_not_zstd");
        let not_json = zstd::bulk::compress(b"{not json", 3).unwrap();
        assert_eq!(open(&not_json, 1024).unwrap_err().code(), "batch_not_json");
        let mut body = BatchBody {
            v: 1,
            agent_id: "a1".into(),
            first_seq: 1,
            last_seq: 3,
            prev_hash: GENESIS_HASH.into(),
            sealed_ms: 0,
            events: vec![event(1), event(3)],
        };
        let bytes = zstd::bulk::compress(&serde_json::to_vec(&body).unwrap(), 3).unwrap();
        let err = open(&bytes, 1 << 20).unwrap_err();
        assert!(err.to_string().contains("event 1 has seq 3"), "{err}");
        body.v = 99;
        let bytes = zstd::bulk::compress(&serde_json::to_vec(&body).unwrap(), 3).unwrap();
        assert_eq!(
            open(&bytes, 1 << 20).unwrap_err().code(),
            "batch_version_unsupported"
        );
    }
}
