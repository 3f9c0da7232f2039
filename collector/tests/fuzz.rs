//! Hostile configuration for the collector: random and mutated files are read or
//! refused with the key named, never a panic. Cases: `PROPTEST_CASES`; failures kept in
//! `fuzz.proptest-regressions` beside this file.

use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;
use vigie_collector::config::CollectorConfig;

const BASE: &str = include_str!("../../packaging/etc/collector.toml");

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
    fn mutated_configuration_is_read_or_refused(position in any::<prop::sample::Index>(), byte in any::<u8>(), cut in any::<prop::sample::Index>()) {
        prop_assert!(CollectorConfig::from_toml(BASE).is_ok());
        let mut bytes = BASE.as_bytes().to_vec();
        let at = position.index(bytes.len());
        bytes[at] = byte;
        bytes.truncate(cut.index(bytes.len()).max(1));
        let _ = CollectorConfig::from_toml(&String::from_utf8_lossy(&bytes));
    }
}
