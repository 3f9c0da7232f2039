//! Event times the collector can trust. An agent's clock can be wrong, and a stolen agent
//! key can send any time at all; a time decides the day partition an event is stored in,
//! so a batch spread over a thousand days, or dated 2180, could make every insert fail
//! (ClickHouse refuses an insert across too many partitions) and its agent resend it
//! forever. An event whose time is impossible — more than a day after its receipt, more
//! than a year before it, or more than a day from the moment its batch was sealed — is
//! kept, stored at its receive time, and flagged: `ClockSuspect`, with the agent's time in
//! `AgentTs`. A batch then touches at most a few day partitions.

use vigie_model::event::field;
use vigie_model::Event;

const DAY_MS: u64 = 86_400_000;
/// How far ahead of the collector's clock an event may be.
const MAX_AHEAD_MS: u64 = DAY_MS;
/// How far behind: a spool holds weeks of events; a year is plenty.
const MAX_BEHIND_MS: u64 = 366 * DAY_MS;
/// How far from its batch's sealing an event may be (a batch is sealed within a second
/// of its first event).
const MAX_FROM_SEAL_MS: u64 = DAY_MS;

/// Flags and re-dates the events of a batch sealed at `sealed_ms` whose time cannot be
/// right; returns how many.
pub(crate) fn admit(events: &mut [Event], sealed_ms: u64, received_ms: u64) -> usize {
    let plausible = |ts: u64| {
        ts <= received_ms.saturating_add(MAX_AHEAD_MS)
            && ts >= received_ms.saturating_sub(MAX_BEHIND_MS)
    };
    let seal_plausible = plausible(sealed_ms);
    let mut flagged = 0;
    for event in events.iter_mut() {
        let near_seal = event.ts.abs_diff(sealed_ms) <= MAX_FROM_SEAL_MS;
        if plausible(event.ts) && seal_plausible && near_seal {
            continue;
        }
        event
            .fields
            .insert(field::AGENT_TS.into(), serde_json::json!(event.ts));
        event
            .fields
            .insert(field::CLOCK_SUSPECT.into(), serde_json::json!(true));
        event.ts = received_ms;
        flagged += 1;
    }
    flagged
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(ts: u64) -> Event {
        Event {
            agent_id: "a".into(),
            hostname: "h".into(),
            seq: 1,
            ts,
            category: "file_event".into(),
            fields: Default::default(),
        }
    }

    #[test]
    fn impossible_times_are_kept_flagged_at_receive_time() {
        let now = 1_800_000_000_000;
        let mut events = vec![
            event(now - 1000),
            event(6_700_000_000_000), // year 2182
            event(now - 400 * DAY_MS),
            event(now - 3 * DAY_MS), // a day and more from its seal
        ];
        assert_eq!(admit(&mut events, now - 1000, now), 3);
        assert_eq!(events[0].ts, now - 1000);
        assert!(!events[0].fields.contains_key(field::CLOCK_SUSPECT));
        for e in &events[1..] {
            assert_eq!(e.ts, now);
            assert_eq!(e.fields[field::CLOCK_SUSPECT], true);
        }
        assert_eq!(events[1].fields[field::AGENT_TS], 6_700_000_000_000u64);
        // A week-old batch from a spool is fine.
        let mut old = vec![event(now - 7 * DAY_MS)];
        assert_eq!(admit(&mut old, now - 7 * DAY_MS + 500, now), 0);
    }

    proptest::proptest! {
        #![proptest_config(proptest::test_runner::Config {
            failure_persistence: Some(Box::new(
                proptest::test_runner::FileFailurePersistence::Direct(
                    "src/ingest/clock.proptest-regressions",
                ),
            )),
            ..Default::default()
        })]

        /// Whatever times a batch claims, its events land within a few days around the
        /// receive time (a handful of day partitions), and none is lost.
        #[test]
        fn fuzz_any_times_land_near_the_receive_day(
            times in proptest::collection::vec(proptest::num::u64::ANY, 1..200),
            sealed in proptest::num::u64::ANY,
            received in 1_000_000_000_000u64..4_000_000_000_000,
        ) {
            let mut events: Vec<Event> = times.iter().map(|t| event(*t)).collect();
            let flagged = admit(&mut events, sealed, received);
            proptest::prop_assert_eq!(events.len(), times.len());
            let days: std::collections::BTreeSet<u64> =
                events.iter().map(|e| e.ts / DAY_MS).collect();
            // Unflagged events lie within a day of the seal (three day partitions at
            // most); flagged ones on the receive day.
            proptest::prop_assert!(days.len() <= 4, "{:?}", days);
            for e in &events {
                proptest::prop_assert!(e.ts <= received + MAX_AHEAD_MS);
                proptest::prop_assert!(e.ts >= received - MAX_BEHIND_MS);
            }
            proptest::prop_assert_eq!(
                flagged,
                events.iter().filter(|e| e.fields.contains_key(field::CLOCK_SUSPECT)).count()
            );
        }
    }
}
