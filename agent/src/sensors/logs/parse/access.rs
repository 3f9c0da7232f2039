//! Web server access logs in the combined format that nginx and Apache write by
//! default: `IP - USER [TIME] "METHOD URI VERSION" STATUS BYTES "REFERER" "AGENT"`,
//! into the field names of Sigma's `webserver` category.

use serde_json::{Map, Value};
use vigie_model::event::field;

/// The fields of `line`, or `None` when it is not a combined-format line.
pub fn parse(line: &str) -> Option<Map<String, Value>> {
    let (client, rest) = line.split_once(' ')?;
    let (_ident, rest) = rest.split_once(' ')?;
    let (user, rest) = rest.split_once(" [")?;
    let (time, rest) = rest.split_once("] \"")?;
    let (request, rest) = quoted_rest(rest)?;
    let mut after = rest.trim_start().splitn(3, ' ');
    let status: u16 = after.next()?.parse().ok()?;
    let bytes = after.next()?;
    let rest = after.next().unwrap_or("");
    let mut map = Map::new();
    let mut set = |name: &str, value: Value| {
        map.insert(name.to_string(), value);
    };
    set("c-ip", client.into());
    if user != "-" {
        set("cs-username", user.into());
    }
    set(field::LOG_TIME, time.into());
    let mut parts = request.splitn(3, ' ');
    let method = parts.next().unwrap_or("");
    let uri = parts.next().unwrap_or("");
    let version = parts.next().unwrap_or("");
    set("cs-method", method.into());
    let (stem, query) = uri.split_once('?').unwrap_or((uri, ""));
    set("cs-uri-stem", stem.into());
    set("cs-uri-query", query.into());
    set("cs-uri", uri.into());
    if !version.is_empty() {
        set("cs-version", version.into());
    }
    set("sc-status", status.into());
    if let Ok(bytes) = bytes.parse::<u64>() {
        set("sc-bytes", bytes.into());
    }
    if let Some(rest) = rest.trim_start().strip_prefix('"') {
        if let Some((referer, rest)) = quoted_rest(rest) {
            if referer != "-" {
                set("cs-referer", referer.into());
            }
            if let Some((agent, _)) = rest.trim_start().strip_prefix('"').and_then(quoted_rest) {
                set("cs-user-agent", agent.into());
            }
        }
    }
    Some(map)
}

/// The text up to the closing quote (a `\"` inside does not close it), and what follows.
fn quoted_rest(text: &str) -> Option<(&str, &str)> {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return Some((&text[..i], &text[i + 1..])),
            _ => i += 1,
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn combined_lines_give_the_webserver_fields() {
        let m = parse(r#"203.0.113.9 - - [02/Dec/2026:16:25:07 +0000] "GET /cgi-bin/x.php?cmd=cat%20/etc/passwd HTTP/1.1" 404 153 "-" "sqlmap/1.7 \"quoted\"""#).unwrap();
        assert_eq!(m["c-ip"], "203.0.113.9");
        assert_eq!(m["cs-method"], "GET");
        assert_eq!(m["cs-uri-stem"], "/cgi-bin/x.php");
        assert_eq!(m["cs-uri-query"], "cmd=cat%20/etc/passwd");
        assert_eq!(m["sc-status"], 404);
        assert_eq!(m["cs-user-agent"], r#"sqlmap/1.7 \"quoted\""#);
        assert!(m.get("cs-referer").is_none());
        assert!(parse("not an access line").is_none());
        let m =
            parse(r#"10.0.0.1 - bob [02/Dec/2026:16:25:07 +0000] "\x16\x03\x01" 400 157 "-" "-""#)
                .unwrap();
        assert_eq!(m["sc-status"], 400);
        assert_eq!(m["cs-username"], "bob");
    }
}
