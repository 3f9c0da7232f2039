//! Time as people read it: UTC dates and times from and to milliseconds since the epoch,
//! through the `time` crate (calendar rules, invalid dates refused) and `httpdate` for
//! HTTP dates.

use std::sync::LazyLock;
use std::time::{Duration, UNIX_EPOCH};

use time::format_description::{self, OwnedFormatItem};
use time::{OffsetDateTime, PrimitiveDateTime};

/// A format description written in this file; parsing it cannot fail.
fn format(text: &str) -> OwnedFormatItem {
    format_description::parse_owned::<2>(text).expect("the formats below are valid")
}

static DISPLAY: LazyLock<OwnedFormatItem> =
    LazyLock::new(|| format("[year]-[month]-[day] [hour]:[minute]:[second]"));
/// What `datetime-local` inputs send, with or without seconds, `T` or space between.
static INPUTS: LazyLock<[OwnedFormatItem; 4]> = LazyLock::new(|| {
    [
        format("[year]-[month]-[day]T[hour]:[minute]:[second]"),
        format("[year]-[month]-[day]T[hour]:[minute]"),
        format("[year]-[month]-[day] [hour]:[minute]:[second]"),
        format("[year]-[month]-[day] [hour]:[minute]"),
    ]
});

fn at(ms: u64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// `ms` since the epoch as `YYYY-MM-DD HH:MM:SS` UTC.
pub fn utc(ms: u64) -> String {
    at(ms)
        .format(&*DISPLAY)
        .expect("every date since the epoch has a four-digit year before 10000")
}

/// `ms` since the epoch as calendar fields, UTC: year, month (1–12), day, hour,
/// minute, second — for formats that take them apart (a PDF's creation date).
pub fn utc_fields(ms: u64) -> (u16, [u8; 5]) {
    let t = at(ms);
    let year = u16::try_from(t.year()).unwrap_or(1970);
    (
        year,
        [
            u8::from(t.month()),
            t.day(),
            t.hour(),
            t.minute(),
            t.second(),
        ],
    )
}

/// `ms` since the epoch as `YYYY-MM-DD` (UTC).
pub fn day(ms: u64) -> String {
    utc(ms)[..10].to_string()
}

/// The last millisecond of year 9999: later times are refused (they fit no date column,
/// and no event has them).
pub const MAX_MS: u64 = 253_402_300_799_999;

/// Reads `YYYY-MM-DDTHH:MM[:SS]` (UTC, as `datetime-local` inputs send it) or
/// milliseconds since the epoch, up to [`MAX_MS`]. A date that does not exist
/// (`2024-02-31`) is refused.
pub fn parse_time(text: &str) -> Option<u64> {
    if let Ok(ms) = text.parse::<u64>() {
        return (ms <= MAX_MS).then_some(ms);
    }
    let moment = INPUTS
        .iter()
        .find_map(|f| PrimitiveDateTime::parse(text, f).ok())?
        .assume_utc();
    u64::try_from(moment.unix_timestamp_nanos() / 1_000_000).ok()
}

/// Reads an HTTP date (`Sat, 28 Nov 2026 13:55:00 GMT`) as milliseconds.
pub fn parse_http_date(text: &str) -> Option<u64> {
    let when = httpdate::parse_http_date(text).ok()?;
    let since = when.duration_since(UNIX_EPOCH).unwrap_or(Duration::ZERO);
    u64::try_from(since.as_millis()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_read_and_write() {
        assert_eq!(utc(0), "1970-01-01 00:00:00");
        assert_eq!(utc(1_709_210_096_000), "2024-02-29 12:34:56");
        assert_eq!(day(1_709_210_096_000), "2024-02-29");
        assert_eq!(utc_fields(1_709_210_096_000), (2024, [2, 29, 12, 34, 56]));
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

    #[test]
    fn dates_that_do_not_exist_are_refused() {
        // Issue #11: 2024-02-31 used to be read as 2024-03-02.
        assert_eq!(parse_time("2024-02-31T00:00"), None);
        assert_eq!(parse_time("2023-02-29T00:00"), None);
        assert_eq!(parse_time("2024-04-31T10:00:00"), None);
        assert_eq!(parse_time("2024-02-10T24:00"), None);
        assert!(parse_time("2024-02-29T00:00").is_some());
    }

    #[test]
    fn times_past_year_9999_are_refused() {
        // Issue #12: `to=18446744073709551615` reached ClickHouse and gave a 503.
        assert_eq!(parse_time("18446744073709551615"), None);
        assert_eq!(parse_time(&MAX_MS.to_string()), Some(MAX_MS));
        assert_eq!(utc(MAX_MS), "9999-12-31 23:59:59");
    }
}
