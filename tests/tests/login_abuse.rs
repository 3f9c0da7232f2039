//! Sign-in abuse (issue #12, findings 5 and 6): a client spraying user names is slowed
//! whatever the names; wrong passwords sent for `admin` from one machine do not lock the
//! real admin out on another; a huge user name is refused before it is read, and the
//! log never holds it; pages are not cached.

use std::net::IpAddr;

use vigie_tests::{http, Stack};

#[tokio::test(flavor = "multi_thread")]
async fn sprays_are_slowed_and_nobody_is_locked_out_from_elsewhere() {
    let stack = Stack::start("").await;
    let dashboard = stack.start_dashboard("admin-password-1").await;
    let port = dashboard.port;
    let attacker: IpAddr = "127.0.0.2".parse().unwrap();
    let office: IpAddr = "127.0.0.1".parse().unwrap();

    // Twenty-five names from one client: the first are refused as wrong, then the client
    // itself is slowed, whatever name it tries next.
    let statuses: Vec<u16> = (0..25)
        .map(|i| vigie_tests::sign_in_attempt(attacker, port, &format!("user{i}"), "guess").status)
        .collect();
    assert_eq!(statuses[0], 401, "{statuses:?}");
    assert_eq!(*statuses.last().unwrap(), 429, "{statuses:?}");

    // Wrong passwords for admin from that client: admin still signs in from the office.
    for _ in 0..6 {
        vigie_tests::sign_in_attempt(attacker, port, "admin", "guess");
    }
    assert_eq!(
        vigie_tests::sign_in_attempt(office, port, "admin", "admin-password-1").status,
        303
    );

    // A 200 kB user name is refused before it is read, and never reaches the log.
    let huge = "n".repeat(200_000);
    let refused = vigie_tests::sign_in_attempt(office, port, &huge, "x");
    assert_eq!(refused.status, 413);
    let log = std::fs::read_to_string(stack.path("dashboard.log")).unwrap();
    assert!(
        !log.contains(&"n".repeat(1_000)),
        "the long name was logged"
    );
    // A name over 64 characters that fits the form is a plain failure, logged cut short.
    let long = "m".repeat(500);
    assert_eq!(
        vigie_tests::sign_in_attempt(office, port, &long, "x").status,
        401
    );
    let log = std::fs::read_to_string(stack.path("dashboard.log")).unwrap();
    assert!(!log.contains(&long), "the long name was logged whole");

    // Pages are never kept by a browser or a proxy (one shows a new token's secret).
    let tokens = http(
        port,
        "GET",
        "/tokens",
        &[("Cookie", &dashboard.session)],
        "",
    );
    assert_eq!(tokens.status, 200);
    assert!(
        tokens
            .headers
            .iter()
            .any(|(k, v)| k.eq_ignore_ascii_case("cache-control") && v == "no-store"),
        "{:?}",
        tokens.headers
    );
}
