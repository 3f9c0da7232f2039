//! Issue #12, finding 8: access ends when what granted it ends. A live alert stream
//! closes on sign-out, on an account change and when its token goes; a password reset
//! or a disabled account revokes the user's API tokens for good (re-enabling does not
//! bring them back); every token has an end; live streams are bounded per user.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use vigie_tests::{csrf_of, http, sign_in, Stack};

/// A live stream, opened with `auth` (a `Cookie` or `Authorization` header line).
struct Live {
    socket: TcpStream,
    status: u16,
}

fn open_stream(port: u16, auth: &str) -> Live {
    let mut socket = TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        socket,
        "GET /api/v1/alerts/stream HTTP/1.1\r\nHost: 127.0.0.1\r\n{auth}\r\nAccept: text/event-stream\r\n\r\n"
    )
    .unwrap();
    socket
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        assert_eq!(socket.read(&mut byte).unwrap(), 1, "headers");
        head.push(byte[0]);
    }
    let status = String::from_utf8_lossy(&head)[9..12].parse().unwrap();
    Live { socket, status }
}

impl Live {
    /// True when the server closed the stream within `within`.
    fn ended_within(&mut self, within: Duration) -> bool {
        let deadline = Instant::now() + within;
        let mut buf = [0u8; 512];
        while Instant::now() < deadline {
            self.socket
                .set_read_timeout(Some(Duration::from_millis(500)))
                .unwrap();
            match self.socket.read(&mut buf) {
                Ok(0) => return true,
                // The chunked encoding's last chunk says the body ended.
                Ok(n) if buf[..n].ends_with(b"0\r\n\r\n") => return true,
                Ok(_) => {}
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) => {}
                Err(_) => return true,
            }
        }
        false
    }
}

fn json_post(
    port: u16,
    cookie: &str,
    csrf: &str,
    path: &str,
    body: Value,
) -> vigie_tests::HttpResponse {
    vigie_tests::post_json(port, path, cookie, csrf, &body)
}

#[tokio::test(flavor = "multi_thread")]
async fn streams_and_tokens_end_when_access_ends() {
    let stack = Stack::start("").await;
    let dashboard = stack.start_dashboard("withdrawn-password-1").await;
    let port = dashboard.port;
    let admin = dashboard.session.clone();
    let admin_csrf = csrf_of(&http(port, "GET", "/alerts", &[("Cookie", &admin)], "").body);
    let made = json_post(
        port,
        &admin,
        &admin_csrf,
        "/api/v1/users",
        json!({"username": "ana", "role": "analyst", "password": "long-password-5"}),
    );
    assert_eq!(made.status, 201, "{}", made.body);

    // Sign-out ends the stream it opened.
    let ana = sign_in(port, "ana", "long-password-5");
    let ana_csrf = csrf_of(&http(port, "GET", "/alerts", &[("Cookie", &ana)], "").body);
    let mut live = open_stream(port, &format!("Cookie: {ana}"));
    assert_eq!(live.status, 200);
    assert!(
        !live.ended_within(Duration::from_secs(3)),
        "a live stream stays open"
    );
    let out = http(
        port,
        "POST",
        "/logout",
        &[
            ("Content-Type", "application/x-www-form-urlencoded"),
            ("Cookie", &ana),
        ],
        &format!("csrf={ana_csrf}"),
    );
    assert_eq!(out.status, 303);
    assert!(
        live.ended_within(Duration::from_secs(8)),
        "ended by sign-out"
    );

    // Every token has an end: no expiry at all is refused.
    let ana = sign_in(port, "ana", "long-password-5");
    let ana_csrf = csrf_of(&http(port, "GET", "/alerts", &[("Cookie", &ana)], "").body);
    for days in [0, 366] {
        let r = json_post(
            port,
            &ana,
            &ana_csrf,
            "/api/v1/tokens",
            json!({"name": "forever", "days": days}),
        );
        assert_eq!(r.status, 400, "days {days}: {}", r.body);
        assert!(r.body.contains("token_bad_days"), "{}", r.body);
    }
    let r = json_post(
        port,
        &ana,
        &ana_csrf,
        "/api/v1/tokens",
        json!({"name": "siem", "days": 30}),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let token: Value = serde_json::from_str(&r.body).unwrap();
    let bearer = format!("Authorization: Bearer {}", token["token"].as_str().unwrap());
    let by_token = |path: &str| {
        http(
            port,
            "GET",
            path,
            &[(
                "Authorization",
                bearer.trim_start_matches("Authorization: "),
            )],
            "",
        )
        .status
    };
    assert_eq!(by_token("/api/v1/alerts"), 200);
    // Made through the API, the token is in the audit trail.
    let trail = http(
        port,
        "GET",
        "/api/v1/audit?action=token_created",
        &[("Cookie", &admin)],
        "",
    );
    assert!(
        trail.body.contains(token["token_id"].as_str().unwrap()),
        "{}",
        trail.body
    );

    // A password reset: the token's stream ends, the token is revoked, and stays
    // revoked when the account is disabled and enabled again.
    let mut token_stream = open_stream(port, &bearer);
    assert_eq!(token_stream.status, 200);
    let mut session_stream = open_stream(port, &format!("Cookie: {ana}"));
    let reset = json_post(
        port,
        &admin,
        &admin_csrf,
        "/api/v1/users/ana",
        json!({"password": "another-password-6"}),
    );
    assert_eq!(reset.status, 200, "{}", reset.body);
    assert!(
        token_stream.ended_within(Duration::from_secs(8)),
        "token stream ended by the reset"
    );
    assert!(
        session_stream.ended_within(Duration::from_secs(8)),
        "session stream ended by the reset"
    );
    assert_eq!(by_token("/api/v1/alerts"), 401);
    for disabled in [true, false] {
        let r = json_post(
            port,
            &admin,
            &admin_csrf,
            "/api/v1/users/ana",
            json!({"disabled": disabled}),
        );
        assert_eq!(r.status, 200, "{}", r.body);
    }
    assert_eq!(
        by_token("/api/v1/alerts"),
        401,
        "re-enabling brings no token back"
    );

    // A disabled account: its new token's stream ends too.
    let ana = sign_in(port, "ana", "another-password-6");
    let ana_csrf = csrf_of(&http(port, "GET", "/alerts", &[("Cookie", &ana)], "").body);
    let r = json_post(
        port,
        &ana,
        &ana_csrf,
        "/api/v1/tokens",
        json!({"name": "siem2", "days": 30}),
    );
    let token: Value = serde_json::from_str(&r.body).unwrap();
    let bearer = format!("Authorization: Bearer {}", token["token"].as_str().unwrap());
    let mut token_stream = open_stream(port, &bearer);
    assert_eq!(token_stream.status, 200);
    let r = json_post(
        port,
        &admin,
        &admin_csrf,
        "/api/v1/users/ana",
        json!({"disabled": true}),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(
        token_stream.ended_within(Duration::from_secs(8)),
        "ended by disabling"
    );
    let r = json_post(
        port,
        &admin,
        &admin_csrf,
        "/api/v1/users/ana",
        json!({"disabled": false}),
    );
    assert_eq!(r.status, 200, "{}", r.body);

    // Live streams are bounded per user; the dashboard stays quick for others.
    let streams: Vec<Live> = (0..vigie_dashboard::live::PER_USER)
        .map(|_| open_stream(port, &format!("Cookie: {admin}")))
        .collect();
    assert!(streams.iter().all(|s| s.status == 200));
    let extra = open_stream(port, &format!("Cookie: {admin}"));
    assert_eq!(extra.status, 429, "one stream too many");
    let ana = sign_in(port, "ana", "another-password-6");
    let mut other = open_stream(port, &format!("Cookie: {ana}"));
    assert_eq!(other.status, 200, "other users still get theirs");
    drop(streams);
    assert!(!other.ended_within(Duration::from_secs(1)));
}
