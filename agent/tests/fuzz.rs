//! Hostile input for what the agent parses off the wire: DNS answers and network
//! frames, random or built to look right (compression pointers that loop, lengths that
//! lie). Every one is parsed or refused, never a panic and never a loop. Cases:
//! `PROPTEST_CASES`; failures kept in `fuzz.proptest-regressions` beside this file.

use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;
use vigie_agent::sensors::network::{dns, packet};

fn config() -> ProptestConfig {
    ProptestConfig {
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(
            "tests/fuzz.proptest-regressions",
        ))),
        ..ProptestConfig::default()
    }
}

/// A DNS response header (QR set) with these counts, then `body`.
fn response(qd: u16, an: u16, body: &[u8]) -> Vec<u8> {
    let mut msg = vec![0x12, 0x34, 0x81, 0x80];
    msg.extend_from_slice(&qd.to_be_bytes());
    msg.extend_from_slice(&an.to_be_bytes());
    msg.extend_from_slice(&[0, 0, 0, 0]);
    msg.extend_from_slice(body);
    msg
}

/// An Ethernet frame carrying `ethertype` and `payload`.
fn frame(ethertype: u16, payload: &[u8]) -> Vec<u8> {
    let mut f = vec![0u8; 12];
    f.extend_from_slice(&ethertype.to_be_bytes());
    f.extend_from_slice(payload);
    f
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn random_dns_messages_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let _ = dns::parse_response(&bytes);
    }

    #[test]
    fn dns_answers_that_lie_are_refused(
        qd in 0u16..4,
        an in 0u16..300,
        body in proptest::collection::vec(any::<u8>(), 0..400),
        pointer in 0u16..0x3fff,
    ) {
        let _ = dns::parse_response(&response(qd, an, &body));
        // A name that is a compression pointer to itself, or to anywhere.
        let mut looping = body.clone();
        looping.extend_from_slice(&(0xc000u16 | pointer).to_be_bytes());
        looping.extend_from_slice(&[0, 1, 0, 1]);
        let _ = dns::parse_response(&response(1, an, &looping));
        let self_pointer = [0xc0u8, 12, 0, 1, 0, 1];
        let _ = dns::parse_response(&response(1, 1, &self_pointer));
    }

    #[test]
    fn random_frames_never_panic(
        ethertype in prop_oneof![Just(0x0800u16), Just(0x86dd), any::<u16>()],
        payload in proptest::collection::vec(any::<u8>(), 0..300),
        header_len in 0u8..16,
        proto in prop_oneof![Just(6u8), Just(17), any::<u8>()],
    ) {
        let _ = packet::parse(&frame(ethertype, &payload), |_, _| true);
        // An IPv4 header that says what it likes about its own length.
        let mut ip = payload.clone();
        ip.resize(ip.len().max(40), 0);
        ip[0] = 0x40 | header_len;
        ip[9] = proto;
        let _ = packet::parse(&frame(0x0800, &ip), |_, _| true);
        let mut ip6 = payload;
        ip6.resize(ip6.len().max(60), 0);
        ip6[0] = 0x60;
        ip6[6] = proto;
        let _ = packet::parse(&frame(0x86dd, &ip6), |_, _| true);
    }
}
