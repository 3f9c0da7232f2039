//! Spool behaviour on a real temporary folder: order, restarts, bound, torn tails.

use super::*;
use vigie_model::wire::seal;
use vigie_model::Event;

fn batch(first: u64, count: u64, prev: &str, pad: usize) -> SealedBatch {
    let events = (first..first + count)
        .map(|seq| Event {
            agent_id: "a".into(),
            hostname: "h".into(),
            seq,
            ts: seq,
            category: "file_event".into(),
            // Random-looking padding so zstd cannot shrink it away.
            fields: [(
                "Pad".to_string(),
                vigie_model::hex::sha256(&seq.to_le_bytes())
                    .repeat(pad)
                    .into(),
            )]
            .into_iter()
            .collect(),
        })
        .collect();
    seal("a", prev, events, 0)
}

fn fill(spool: &mut Spool, batches: u64, per: u64, pad: usize) -> Vec<SealedBatch> {
    (0..batches)
        .map(|_| {
            let b = batch(spool.next_seq(), per, spool.last_hash(), pad);
            spool.append(&b).unwrap();
            b
        })
        .collect()
}

#[test]
fn delivers_in_order_and_forgets_only_what_is_acked() {
    let dir = tempfile::tempdir().unwrap();
    let mut spool = Spool::open(dir.path(), 1 << 20, 4096).unwrap();
    assert_eq!(spool.next_seq(), 1);
    let written = fill(&mut spool, 5, 3, 1);
    assert_eq!(written[1].first_seq, 4);
    assert_eq!(spool.peek().unwrap().unwrap(), written[0]);
    spool.ack(3).unwrap();
    assert_eq!(spool.peek().unwrap().unwrap(), written[1]);
    assert_eq!(spool.stats().backlog_events, 12);
    // An ack that covers several batches moves past all of them.
    spool.ack(9).unwrap();
    assert_eq!(spool.peek().unwrap().unwrap(), written[3]);
}

#[test]
fn survives_a_restart_with_sequence_and_chain_intact() {
    let dir = tempfile::tempdir().unwrap();
    let written = {
        let mut spool = Spool::open(dir.path(), 1 << 20, 4096).unwrap();
        let w = fill(&mut spool, 4, 2, 1);
        spool.ack(2).unwrap();
        w
    };
    let mut spool = Spool::open(dir.path(), 1 << 20, 4096).unwrap();
    assert_eq!(spool.next_seq(), 9);
    assert_eq!(spool.last_hash(), written[3].hash);
    assert_eq!(spool.peek().unwrap().unwrap(), written[1]);
    // Everything acknowledged, then reopened: seq still never goes back.
    spool.ack(8).unwrap();
    drop(spool);
    let spool = Spool::open(dir.path(), 1 << 20, 4096).unwrap();
    assert_eq!(spool.next_seq(), 9);
    assert_eq!(spool.last_hash(), written[3].hash);
}

#[test]
fn at_its_bound_drops_oldest_first_and_counts_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut spool = Spool::open(dir.path(), 64 * 1024, 8 * 1024).unwrap();
    let written = fill(&mut spool, 200, 10, 4);
    let stats = spool.stats();
    assert!(stats.bytes <= 64 * 1024, "{stats:?}");
    assert!(stats.dropped_full > 0, "{stats:?}");
    // What is left starts where the drops ended, and nothing in between is missing.
    let oldest = spool.peek().unwrap().unwrap();
    assert_eq!(oldest.first_seq, stats.dropped_full + 1);
    assert_eq!(stats.backlog_events + stats.dropped_full, 2000);
    assert_eq!(spool.last_hash(), written.last().unwrap().hash);
    assert_eq!(spool.dropped_total(), stats.dropped_full);
    // The count survives a restart.
    drop(spool);
    let spool = Spool::open(dir.path(), 64 * 1024, 8 * 1024).unwrap();
    assert_eq!(spool.stats().dropped_full, stats.dropped_full);
}

#[test]
fn a_torn_tail_is_cut_off_and_counted() {
    let dir = tempfile::tempdir().unwrap();
    let written = {
        let mut spool = Spool::open(dir.path(), 1 << 20, 1 << 16).unwrap();
        fill(&mut spool, 3, 2, 1)
    };
    let segment = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|x| x == "seg"))
        .unwrap();
    // A crash mid-write: half a record at the end.
    let mut bytes = std::fs::read(&segment).unwrap();
    bytes.extend_from_slice(&[0x40, 0, 0, 0, 1, 2, 3]);
    std::fs::write(&segment, &bytes).unwrap();
    let mut spool = Spool::open(dir.path(), 1 << 20, 1 << 16).unwrap();
    assert_eq!(spool.stats().dropped_corrupt, 1);
    assert_eq!(spool.next_seq(), 7);
    assert_eq!(spool.peek().unwrap().unwrap(), written[0]);
    let more = batch(7, 1, spool.last_hash(), 1);
    spool.append(&more).unwrap();
    spool.ack(6).unwrap();
    assert_eq!(spool.peek().unwrap().unwrap(), more);
}

#[test]
fn retained_records_can_be_replayed_after_ack() {
    let dir = tempfile::tempdir().unwrap();
    let mut spool = Spool::open(dir.path(), 1 << 20, 4096).unwrap();
    spool.retain_from(StateOwner::FileBaseline, 1).unwrap();
    fill(&mut spool, 30, 5, 2);
    spool.ack(150).unwrap();
    let mut seen = Vec::new();
    spool
        .for_each_after(100, |b| seen.push(b.first_seq))
        .unwrap();
    assert_eq!(seen.first(), Some(&101));
    assert_eq!(seen.len(), 10);
    assert!(spool.peek().unwrap().is_none());
}

#[test]
fn a_backlog_is_read_in_order_across_segments_within_its_bounds() {
    let dir = tempfile::tempdir().unwrap();
    // Small segments: the backlog spans several files.
    let mut spool = Spool::open(dir.path(), 1 << 20, 1024).unwrap();
    let written = fill(&mut spool, 12, 3, 4);
    assert!(spool.stats().segments > 2, "{:?}", spool.stats());
    assert_eq!(spool.peek_many(64, usize::MAX).unwrap(), written);
    assert_eq!(spool.peek_many(5, usize::MAX).unwrap(), written[..5]);
    // The byte bound counts from the first batch, which always comes.
    let one = written[0].bytes.len();
    assert_eq!(spool.peek_many(64, one).unwrap(), written[..1]);
    assert_eq!(spool.peek_many(64, 1).unwrap(), written[..1]);
    spool.ack(written[6].last_seq).unwrap();
    assert_eq!(spool.peek_many(64, usize::MAX).unwrap(), written[7..]);
    // Nothing is moved by reading ahead.
    assert_eq!(spool.peek().unwrap().unwrap(), written[7]);
    spool.ack(written[11].last_seq).unwrap();
    assert!(spool.peek_many(64, usize::MAX).unwrap().is_empty());
}
