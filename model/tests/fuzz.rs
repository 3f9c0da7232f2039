//! Hostile input for the wire decoder, its batch checks and the agent's settings
//! (local file and remote settings from the SOC): random and mutated input is opened
//! or refused, never a panic, and whatever opens keeps the batch invariants the
//! collector relies on. Cases: `PROPTEST_CASES` (proptest's own variable); failures are
//! kept in `fuzz.proptest-regressions` beside this file and replayed first.

use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;
use vigie_model::agent_config::{AgentConfig, RemoteConfig};
use vigie_model::wire::{self, BatchBody, GENESIS_HASH, MAX_SEQ};
use vigie_model::Event;

const LIMIT: usize = 1 << 20;

fn event(agent: &str, seq: u64, ts: u64, name: &str) -> Event {
    Event {
        agent_id: agent.into(),
        hostname: "h".into(),
        seq,
        ts,
        category: "file_event".into(),
        fields: serde_json::json!({"TargetFilename": name, "Action": "created"})
            .as_object()
            .unwrap()
            .clone(),
    }
}

/// What the collector takes for granted of every batch that opens.
fn invariants_hold(body: &BatchBody) -> Result<(), TestCaseError> {
    prop_assert!(!body.events.is_empty());
    prop_assert!(body.last_seq <= MAX_SEQ);
    prop_assert_eq!(body.last_seq - body.first_seq + 1, body.events.len() as u64);
    for (i, e) in body.events.iter().enumerate() {
        prop_assert_eq!(e.seq, body.first_seq + i as u64);
        prop_assert_eq!(&e.agent_id, &body.agent_id);
    }
    Ok(())
}

const AGENT_TOML: &str = r#"
data_dir = "/var/lib/vigie/agent"
health_interval_secs = 60
[collector]
url = "https://soc.example:8443"
ca_file = "/etc/vigie/ca.pem"
[fim]
hash_rate_mib_s = 64
rescan_interval_secs = 600
[[fim.paths]]
path = "/etc"
severity = "medium"
[[fim.paths]]
path = "/usr/bin"
severity = "high"
[process]
enabled = true
[network]
enabled = true
"#;

const REMOTE_TOML: &str = r#"
[fim]
rescan_interval_secs = 300
[[fim.paths]]
path = "/srv/www"
severity = "critical"
[process]
enabled = true
[network]
enabled = false
"#;

/// Cases from `PROPTEST_CASES`; failures kept beside this file and replayed first.
fn config() -> ProptestConfig {
    ProptestConfig {
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(
            "tests/fuzz.proptest-regressions",
        ))),
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn random_bytes_are_refused_never_a_panic(bytes in proptest::collection::vec(any::<u8>(), 0..4096)) {
        if let Ok(body) = wire::open(&bytes, LIMIT) {
            invariants_hold(&body)?;
        }
    }

    #[test]
    fn any_compressed_text_opens_only_as_a_consistent_batch(text in ".{0,2000}") {
        let bytes = zstd::bulk::compress(text.as_bytes(), 1).unwrap();
        if let Ok(body) = wire::open(&bytes, LIMIT) {
            invariants_hold(&body)?;
        }
    }

    #[test]
    fn sealed_batches_open_as_sealed(
        first in 1u64..MAX_SEQ - 100,
        n in 1u64..40,
        ts in any::<u64>(),
        name in "[^\u{0}]{0,64}",
    ) {
        let events: Vec<Event> = (0..n).map(|i| event("a1", first + i, ts, &name)).collect();
        let sealed = wire::seal("a1", GENESIS_HASH, events.clone(), ts);
        let body = wire::open(&sealed.bytes, LIMIT).unwrap();
        invariants_hold(&body)?;
        prop_assert_eq!(body.events, events);
    }

    #[test]
    fn mutated_batches_open_only_when_consistent(
        first in 1u64..1000,
        n in 1u64..20,
        position in any::<prop::sample::Index>(),
        byte in any::<u8>(),
    ) {
        let events: Vec<Event> = (0..n).map(|i| event("a1", first + i, 1, "/etc/x")).collect();
        let body = BatchBody {
            v: 1,
            agent_id: "a1".into(),
            first_seq: first,
            last_seq: first + n - 1,
            prev_hash: GENESIS_HASH.into(),
            sealed_ms: 1,
            events,
        };
        let mut json = serde_json::to_vec(&body).unwrap();
        let at = position.index(json.len());
        json[at] = byte;
        let bytes = zstd::bulk::compress(&json, 1).unwrap();
        if let Ok(opened) = wire::open(&bytes, LIMIT) {
            invariants_hold(&opened)?;
        }
        // The same events in the current (column) layout, one byte changed.
        let sealed = wire::seal("a1", GENESIS_HASH, body.events.clone(), 1).bytes;
        let mut json = zstd::bulk::decompress(&sealed, LIMIT).unwrap();
        let at = position.index(json.len());
        json[at] = byte;
        let bytes = zstd::bulk::compress(&json, 1).unwrap();
        if let Ok(opened) = wire::open(&bytes, LIMIT) {
            invariants_hold(&opened)?;
        }
        // The compressed bytes themselves, damaged.
        let mut damaged = wire::seal("a1", GENESIS_HASH, body.events.clone(), 1).bytes;
        let at = position.index(damaged.len());
        damaged[at] ^= byte | 1;
        if let Ok(opened) = wire::open(&damaged, LIMIT) {
            invariants_hold(&opened)?;
        }
    }

    #[test]
    fn framed_requests_give_back_their_batches_or_are_refused(
        sizes in proptest::collection::vec(1usize..300, 1..8),
        position in any::<prop::sample::Index>(),
        byte in any::<u8>(),
    ) {
        let parts: Vec<Vec<u8>> = sizes.iter().map(|&n| vec![n as u8; n]).collect();
        let body = wire::frame(parts.iter().map(Vec::as_slice));
        let ranges = wire::unframe(&body).unwrap();
        let back: Vec<&[u8]> = ranges.into_iter().map(|r| &body[r]).collect();
        prop_assert_eq!(back, parts.iter().map(Vec::as_slice).collect::<Vec<_>>());
        // One byte changed: read as parts that tile the body exactly, or refused.
        let mut damaged = body.clone();
        let at = position.index(damaged.len());
        damaged[at] ^= byte | 1;
        if let Ok(ranges) = wire::unframe(&damaged) {
            let mut end = 0;
            for range in ranges {
                prop_assert!(!range.is_empty() && range.start == end + 4);
                end = range.end;
            }
            prop_assert_eq!(end, damaged.len());
        }
    }

    #[test]
    fn agent_settings_are_read_or_refused(position in any::<prop::sample::Index>(), byte in any::<u8>(), cut in any::<prop::sample::Index>()) {
        for base in [AGENT_TOML, REMOTE_TOML] {
            let mut bytes = base.as_bytes().to_vec();
            let at = position.index(bytes.len());
            bytes[at] = byte;
            bytes.truncate(cut.index(bytes.len()).max(1));
            let text = String::from_utf8_lossy(&bytes);
            if let Ok(config) = AgentConfig::from_toml(&text) {
                let _ = config.validate();
            }
            if let Ok(remote) = RemoteConfig::from_toml(&text) {
                let local = AgentConfig::from_toml(AGENT_TOML).unwrap();
                let _ = remote.over(&local).validate();
            }
        }
    }

    #[test]
    fn any_settings_text_is_read_or_refused(text in "([a-z_\\[\\]=\"/.0-9, \n]|true|false|paths|fim|network){0,300}") {
        let _ = AgentConfig::from_toml(&text).map(|c| c.validate());
        let _ = RemoteConfig::from_toml(&text);
    }
}
