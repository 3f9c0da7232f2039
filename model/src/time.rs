//! Time as people read it: UTC dates and times from and to milliseconds since the
//! epoch, without a calendar library (proleptic Gregorian arithmetic).

/// `ms` since the epoch as `YYYY-MM-DD HH:MM:SS` UTC.
pub fn utc(ms: u64) -> String {
    let secs = ms / 1000;
    let (days, rem) = (secs / 86_400, secs % 86_400);
    let (y, m, d) = civil_from_days(days as i64);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Days since 1970-01-01 to a calendar date (proleptic Gregorian).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// `ms` since the epoch as `YYYY-MM-DD` (UTC).
pub fn day(ms: u64) -> String {
    utc(ms)[..10].to_string()
}

/// Reads `YYYY-MM-DDTHH:MM[:SS]` (UTC, as `datetime-local` inputs send it) or
/// milliseconds since the epoch.
pub fn parse_time(text: &str) -> Option<u64> {
    if let Ok(ms) = text.parse::<u64>() {
        return Some(ms);
    }
    let (date, time) = text.split_once(['T', ' '])?;
    let mut d = date.splitn(3, '-').map(|p| p.parse::<i64>().ok());
    let (y, m, day) = (d.next()??, d.next()??, d.next()??);
    let mut t = time.splitn(3, ':').map(|p| p.parse::<i64>().ok());
    let (h, min) = (t.next()??, t.next()??);
    let s = t.next().flatten().unwrap_or(0);
    if !(1..=12).contains(&m) || !(1..=31).contains(&day) || h > 23 || min > 59 || s > 59 {
        return None;
    }
    let days = days_from_civil(y, m, day);
    u64::try_from((days * 86_400 + h * 3600 + min * 60 + s) * 1000).ok()
}

/// Days since 1970-01-01 of a calendar date (proleptic Gregorian).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Reads an HTTP date (`Sat, 28 Nov 2026 13:55:00 GMT`) as milliseconds.
pub fn parse_http_date(text: &str) -> Option<u64> {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let mut parts = text.split_whitespace().skip(1);
    let day: u32 = parts.next()?.parse().ok()?;
    let month_name = parts.next()?;
    let month = MONTHS.iter().position(|m| *m == month_name)? + 1;
    let year: u32 = parts.next()?.parse().ok()?;
    let time = parts.next()?;
    parse_time(&format!("{year:04}-{month:02}-{day:02}T{time}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_read_and_write() {
        assert_eq!(utc(0), "1970-01-01 00:00:00");
        assert_eq!(utc(1_709_210_096_000), "2024-02-29 12:34:56");
        assert_eq!(day(1_709_210_096_000), "2024-02-29");
        assert_eq!(parse_time("1970-01-02T00:00"), Some(86_400_000));
        assert_eq!(parse_time("2024-02-29T12:34:56"), Some(1_709_210_096_000));
        assert_eq!(parse_time("2024-13-01T00:00"), None);
        assert_eq!(
            parse_http_date("Thu, 29 Feb 2024 12:34:56 GMT"),
            Some(1_709_210_096_000)
        );
        assert_eq!(parse_http_date("yesterday"), None);
        for ms in [0, 951_782_400_000, 1_709_210_096_000, 4_102_444_800_000] {
            assert_eq!(parse_time(&utc(ms).replace(' ', "T")), Some(ms));
        }
    }
}
