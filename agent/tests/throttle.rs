//! The hashing budget really slows reading down (its own test binary: the budget is
//! process-wide and set once).

use std::time::{Duration, Instant};

#[test]
fn reading_past_the_budget_waits() {
    vigie_agent::throttle::set_rate(8);
    let start = Instant::now();
    for _ in 0..12 {
        vigie_agent::throttle::consume(1 << 20);
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
    let hash = vigie_agent::sensors::file::hash_file(&path).unwrap();
    assert_eq!(hash, vigie_model::hex::sha256(&vec![7u8; 3 << 20]));
}
