//! Web server error logs, nginx's and Apache's default layouts, into the line's time,
//! level, process, client and request, so a request refused or failing is found by its
//! client's address like an access log line (the whole line stays the `Message`, as
//! keyword rules read it):
//!
//! - nginx: `2026/12/02 10:00:00 [error] 812#812: *5 open() "/var/www/x.php" failed
//!   (2: No such file or directory), client: 10.0.0.9, server: _, request: "GET /x.php
//!   HTTP/1.1", host: "intranet"`;
//! - Apache 2.4: `[Wed Dec 02 10:00:00.123456 2026] [core:error] [pid 812:tid 813]
//!   [client 10.0.0.9:51234] AH00126: Invalid URI in request GET /%2e%2e HTTP/1.1`
//!   (and 2.2's `[Wed Dec 02 10:00:00 2026] [error] [client 10.0.0.9] …`).

use serde_json::{Map, Value};
use vigie_model::event::field;

/// The fields of `line`, or `None` when it is in neither layout.
pub fn parse(line: &str) -> Option<Map<String, Value>> {
    if line.starts_with('[') {
        apache(line)
    } else {
        nginx(line)
    }
}

fn nginx(line: &str) -> Option<Map<String, Value>> {
    // `YYYY/MM/DD HH:MM:SS [level] pid#tid: message`
    let time = line.get(..19)?;
    if !time.as_bytes().iter().enumerate().all(|(i, c)| match i {
        4 | 7 => *c == b'/',
        10 => *c == b' ',
        13 | 16 => *c == b':',
        _ => c.is_ascii_digit(),
    }) {
        return None;
    }
    let rest = line[19..].strip_prefix(" [")?;
    let (level, rest) = rest.split_once("] ")?;
    let (ids, rest) = rest.split_once(": ")?;
    let pid: u32 = ids.split('#').next()?.parse().ok()?;
    // The connection number (`*5 `) is nginx's own.
    let rest = match rest.strip_prefix('*') {
        Some(r) => r.split_once(' ').map_or(r, |(_, m)| m),
        None => rest,
    };
    let mut map = Map::new();
    map.insert(field::LOG_TIME.into(), time.into());
    map.insert(field::LOG_LEVEL.into(), level.into());
    map.insert(field::PROCESS_ID.into(), pid.into());
    // What follows the message is `, name: value` pairs, quoted or not.
    let pairs = rest.find(", client: ").map_or("", |at| &rest[at + 2..]);
    for (name, value) in pairs_of(pairs) {
        match name {
            "client" => {
                map.insert("c-ip".into(), value.into());
            }
            "server" => {
                map.insert("s-sitename".into(), value.into());
            }
            "host" => {
                map.insert("cs-host".into(), value.into());
            }
            "request" => request(&mut map, value),
            "upstream" => {
                map.insert("Upstream".into(), value.into());
            }
            "referrer" => {
                map.insert("cs-referer".into(), value.into());
            }
            _ => {}
        }
    }
    Some(map)
}

/// The `name: value` pairs of `text` (`client: 10.0.0.9, request: "GET / HTTP/1.1"`),
/// a quoted value running to its closing quote.
fn pairs_of(mut text: &str) -> Vec<(&str, &str)> {
    let mut pairs = Vec::new();
    while let Some((name, rest)) = text.split_once(": ") {
        let (value, next) = match rest.strip_prefix('"') {
            Some(quoted) => match quoted.find('"') {
                Some(end) => (&quoted[..end], &quoted[end + 1..]),
                None => (quoted, ""),
            },
            None => rest.split_once(", ").map_or((rest, ""), |(v, n)| (v, n)),
        };
        pairs.push((name.trim_start_matches(", ").trim(), value));
        text = next.trim_start_matches(", ");
        if next.is_empty() {
            break;
        }
    }
    pairs
}

/// Sets the method and URI of a request line (`GET /x?y HTTP/1.1`).
fn request(map: &mut Map<String, Value>, line: &str) {
    let mut parts = line.splitn(3, ' ');
    let (Some(method), Some(uri)) = (parts.next(), parts.next()) else {
        return;
    };
    let (stem, query) = uri.split_once('?').unwrap_or((uri, ""));
    map.insert("cs-method".into(), method.into());
    map.insert("cs-uri".into(), uri.into());
    map.insert("cs-uri-stem".into(), stem.into());
    map.insert("cs-uri-query".into(), query.into());
}

fn apache(line: &str) -> Option<Map<String, Value>> {
    let mut rest = line;
    let mut brackets = Vec::new();
    // The leading bracketed parts: time, [module:]level, pid, client.
    while let Some(inner) = rest.strip_prefix('[') {
        let (part, after) = inner.split_once("] ")?;
        brackets.push(part);
        rest = after;
        if brackets.len() == 4 {
            break;
        }
    }
    let (time, others) = brackets.split_first()?;
    let level = others.first()?;
    let level = level.rsplit(':').next().unwrap_or(level);
    if level.is_empty() || !level.chars().all(|c| c.is_ascii_alphanumeric()) {
        return None;
    }
    let mut map = Map::new();
    map.insert(field::LOG_TIME.into(), (*time).into());
    map.insert(field::LOG_LEVEL.into(), level.into());
    for part in &others[1..] {
        if let Some(pid) = part.strip_prefix("pid ") {
            if let Ok(pid) = pid.split(':').next().unwrap_or("").parse::<u32>() {
                map.insert(field::PROCESS_ID.into(), pid.into());
            }
        } else if let Some(client) = part.strip_prefix("client ") {
            // `IP:port` (2.4) or `IP` (2.2); an IPv6 address has colons of its own.
            let ip = match client.rsplit_once(':') {
                Some((ip, port)) if port.parse::<u16>().is_ok() && !ip.ends_with(':') => ip,
                _ => client,
            };
            map.insert("c-ip".into(), ip.trim_matches(['[', ']']).into());
        }
    }
    // `AH00126: ` is the message's code.
    if let Some((code, _)) = rest.split_once(": ") {
        if code.len() == 7
            && code.starts_with("AH")
            && code[2..].bytes().all(|c| c.is_ascii_digit())
        {
            map.insert(field::ERROR_CODE.into(), code.into());
        }
    }
    Some(map)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_nginx_error_names_its_client_and_request() {
        let m = parse(r#"2026/12/02 10:00:00 [error] 812#812: *5 open() "/var/www/html/x.php" failed (2: No such file or directory), client: 10.0.0.9, server: _, request: "GET /x.php?c=id HTTP/1.1", host: "intranet.ministere""#).unwrap();
        assert_eq!(m["LogTime"], "2026/12/02 10:00:00");
        assert_eq!(m["LogLevel"], "error");
        assert_eq!(m["ProcessId"], 812);
        assert_eq!(m["c-ip"], "10.0.0.9");
        assert_eq!(m["cs-method"], "GET");
        assert_eq!(m["cs-uri-stem"], "/x.php");
        assert_eq!(m["cs-uri-query"], "c=id");
        assert_eq!(m["cs-host"], "intranet.ministere");
        let m = parse("2026/12/02 10:00:01 [notice] 1#1: signal process started").unwrap();
        assert_eq!(m["LogLevel"], "notice");
        assert!(!m.contains_key("c-ip"));
    }

    #[test]
    fn an_apache_error_names_its_client_and_code_in_both_versions() {
        let m = parse("[Wed Dec 02 10:00:00.123456 2026] [core:error] [pid 812:tid 813] [client 10.0.0.9:51234] AH00126: Invalid URI in request GET /%2e%2e/etc/passwd HTTP/1.1").unwrap();
        assert_eq!(m["LogTime"], "Wed Dec 02 10:00:00.123456 2026");
        assert_eq!(m["LogLevel"], "error");
        assert_eq!(m["ProcessId"], 812);
        assert_eq!(m["c-ip"], "10.0.0.9");
        assert_eq!(m["ErrorCode"], "AH00126");
        let m = parse("[Wed Oct 11 14:32:52 2000] [error] [client 127.0.0.1] client denied by server configuration: /export/home/live/ap/htdocs/test").unwrap();
        assert_eq!(m["c-ip"], "127.0.0.1");
        assert!(!m.contains_key("ErrorCode"));
        let m = parse(
            "[Wed Dec 02 10:00:00.1 2026] [ssl:warn] [pid 9] [client 2001:db8::7:443] AH01909: x",
        )
        .unwrap();
        assert_eq!(m["c-ip"], "2001:db8::7");
    }

    #[test]
    fn other_lines_are_not_error_log_lines() {
        assert_eq!(parse("Dec  2 16:25:07 web1 sshd[812]: hello"), None);
        assert_eq!(parse("[not a time"), None);
        assert_eq!(parse("2026-12-02 10:00:00 [error] 1#1: x"), None);
    }
}
