//! Syslog lines as rsyslog and syslog-ng write them to files: a time (traditional
//! `Dec  2 16:25:07`, or RFC 3339 `2026-12-02T16:25:07.123456+00:00`), the host, the
//! program with its pid (`sshd[812]:`), then the message.

/// A syslog line's parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Syslog<'a> {
    /// The time as written.
    pub time: &'a str,
    /// The host as written.
    pub host: &'a str,
    /// The program (tag), such as `sshd` or `CRON`.
    pub program: &'a str,
    /// The pid written after it, if any.
    pub pid: Option<u32>,
    /// What follows `program[pid]: `.
    pub message: &'a str,
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// The parts of `line`, or `None` when it is not a syslog line.
pub fn parse(line: &str) -> Option<Syslog<'_>> {
    let (time, rest) = split_time(line)?;
    let (host, rest) = rest.split_once(' ')?;
    let (tag, message) = rest.split_once(": ").or_else(|| {
        // A tag with an empty message ("prog[1]:").
        rest.strip_suffix(':').map(|t| (t, ""))
    })?;
    if tag.is_empty() || tag.contains(' ') {
        return None;
    }
    let (program, pid) = match tag.strip_suffix(']').and_then(|t| t.split_once('[')) {
        Some((program, pid)) => (program, Some(pid.parse().ok()?)),
        None => (tag, None),
    };
    Some(Syslog {
        time,
        host,
        program,
        pid,
        message,
    })
}

fn split_time(line: &str) -> Option<(&str, &str)> {
    let bytes = line.as_bytes();
    // RFC 3339: 2026-12-02T16:25:07[.fraction](Z|±hh:mm)
    if bytes.len() > 20 && bytes[..4].iter().all(u8::is_ascii_digit) && bytes[4] == b'-' {
        let (time, rest) = line.split_once(' ')?;
        return (time.len() >= 19 && time.as_bytes()[10] == b'T').then_some((time, rest));
    }
    // Traditional: "Mmm dd hh:mm:ss " (day padded with a space).
    if bytes.len() > 16
        && MONTHS.contains(&line.get(..3)?)
        && bytes[3] == b' '
        && bytes[6] == b' '
        && bytes[9] == b':'
        && bytes[12] == b':'
        && bytes[15] == b' '
    {
        return Some((&line[..15], &line[16..]));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_time_forms_and_tags_with_and_without_pid() {
        let l = parse(
            "Dec  2 16:25:07 web1 sshd[812]: Failed password for root from 10.0.0.2 port 4444 ssh2",
        )
        .unwrap();
        assert_eq!(
            (l.time, l.host, l.program, l.pid),
            ("Dec  2 16:25:07", "web1", "sshd", Some(812))
        );
        assert!(l.message.starts_with("Failed password"));
        let l = parse("2026-12-02T16:25:07.123456+00:00 web1 sudo:    alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/usr/bin/id").unwrap();
        assert_eq!((l.program, l.pid), ("sudo", None));
        assert!(l.message.trim_start().starts_with("alice : TTY"));
        let l =
            parse("Dec 12 01:02:03 h systemd-logind[512]: New session 4 of user alice.").unwrap();
        assert_eq!(l.program, "systemd-logind");
        assert!(parse("just some text").is_none());
        assert!(parse("Dec  2 16:25:07 web1 no tag here").is_none());
        assert!(parse("2026-12-02T16:25:07Z h prog[x]: pid is not a number").is_none());
    }
}
