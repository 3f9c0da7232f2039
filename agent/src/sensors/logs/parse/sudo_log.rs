//! sudo's own log file (`Defaults logfile=/var/log/sudo.log`, which CIS benchmarks ask
//! for): `Dec  2 20:32:41 : alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ;
//! COMMAND=/usr/bin/id`, the rest of a long entry on lines indented by four spaces
//! (sudo wraps at `loglinelen`, 80 by default).

/// The entry's time and the rest, when `line` starts like a sudo log entry.
pub fn split_time(line: &str) -> Option<(&str, &str)> {
    // `Mon DD HH:MM:SS : ` (the day padded with a space), or with a year after it.
    let (time, rest) = line.split_once(" : ")?;
    let mut parts = time.split_whitespace();
    let month = parts.next()?;
    let day = parts.next()?;
    let clock = parts.next()?;
    let year_or_end = parts
        .next()
        .is_none_or(|y| y.len() == 4 && y.parse::<u16>().is_ok());
    let ok = year_or_end
        && parts.next().is_none()
        && month.len() == 3
        && month.bytes().all(|c| c.is_ascii_alphabetic())
        && day.parse::<u8>().is_ok()
        && clock.len() == 8
        && clock.bytes().filter(|c| *c == b':').count() == 2;
    ok.then_some((time, rest))
}

/// Whether `line` continues the entry before it.
pub fn continues(line: &str) -> bool {
    line.starts_with("    ") && !line.trim().is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_starts_with_its_time_and_a_wrapped_one_continues_indented() {
        assert_eq!(
            split_time("Dec  2 20:32:41 : root : PWD=/root ; USER=root ; COMMAND=/usr/bin/true"),
            Some((
                "Dec  2 20:32:41",
                "root : PWD=/root ; USER=root ; COMMAND=/usr/bin/true"
            ))
        );
        assert_eq!(split_time("Dec  2 20:32:41 web1 sudo[9]: x : y"), None);
        assert_eq!(split_time("alice : TTY=pts/0 ; COMMAND=/bin/sh"), None);
        assert!(continues("    COMMAND=/usr/bin/systemctl restart app"));
        assert!(!continues("Dec  2 20:32:41 : root : COMMAND=/bin/true"));
    }
}
