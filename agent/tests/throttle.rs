//! The hashing budget really slows reading down, and a changed rate applies at once
//! (issue #11: the rate used to be set once per process and reloads were ignored).

use std::time::{Duration, Instant};

use vigie_agent::throttle::Throttle;

#[test]
fn reading_past_the_budget_waits() {
    let throttle = Throttle::new(8);
    let start = Instant::now();
    for _ in 0..12 {
        throttle.consume(1 << 20);
    }
    // 12 MiB at 8 MiB/s: the last MiB may not be read before about 1.4 s.
    assert!(
        start.elapsed() >= Duration::from_millis(1200),
        "{:?}",
        start.elapsed()
    );

    // A file hashed through the budget gives the same hash.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("f");
    std::fs::write(&path, vec![7u8; 3 << 20]).unwrap();
    let hash = vigie_agent::sensors::file::hash_file(&path, &throttle).unwrap();
    assert_eq!(hash, vigie_model::hex::sha256(&vec![7u8; 3 << 20]));
}

#[test]
fn a_changed_rate_applies_at_once() {
    let throttle = Throttle::new(1);
    throttle.consume(1 << 20);
    // Lifted: 64 MiB more go through without waiting.
    throttle.set_rate(0);
    let start = Instant::now();
    for _ in 0..64 {
        throttle.consume(1 << 20);
    }
    assert!(
        start.elapsed() < Duration::from_millis(500),
        "{:?}",
        start.elapsed()
    );

    // Lowered again: 3 MiB at 2 MiB/s take about a second.
    throttle.set_rate(2);
    assert_eq!(throttle.rate_mib_s(), 2);
    let start = Instant::now();
    for _ in 0..3 {
        throttle.consume(1 << 20);
    }
    assert!(
        start.elapsed() >= Duration::from_millis(900),
        "{:?}",
        start.elapsed()
    );
}
