//! `x-amz-date` (`YYYYMMDDTHHMMSSZ`, UTC) both ways, through the `time` crate.

use std::time::SystemTime;

use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time};

/// Parses `YYYYMMDDTHHMMSSZ` (UTC) strictly: ASCII digits only, a real
/// calendar date, no leap second.
pub fn parse_amz_date(text: &str) -> Option<SystemTime> {
    let bytes = text.as_bytes();
    if bytes.len() != 16 || bytes.get(8) != Some(&b'T') || bytes.get(15) != Some(&b'Z') {
        return None;
    }
    let num = |from: usize, to: usize| -> Option<u16> {
        let part = text.get(from..to)?;
        if !part.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        part.parse().ok()
    };
    let small = |from: usize, to: usize| num(from, to).and_then(|n| u8::try_from(n).ok());
    let month = Month::try_from(small(4, 6)?).ok()?;
    let date = Date::from_calendar_date(i32::from(num(0, 4)?), month, small(6, 8)?).ok()?;
    let time = Time::from_hms(small(9, 11)?, small(11, 13)?, small(13, 15)?).ok()?;
    Some(PrimitiveDateTime::new(date, time).assume_utc().into())
}

/// Formats a time as `YYYYMMDDTHHMMSSZ` (UTC), truncating sub-seconds.
/// Times outside the years 0000–9999 are clamped to them.
pub fn format_amz_date(time: SystemTime) -> String {
    String::from_utf8_lossy(&amz_date_bytes(time)).into_owned()
}

/// [`format_amz_date`] without an allocation.
pub(crate) fn amz_date_bytes(time: SystemTime) -> [u8; 16] {
    let secs: i64 = match time.duration_since(SystemTime::UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(e) => i64::try_from(e.duration().as_secs()).map_or(i64::MIN, |s| -s),
    };
    let min = PrimitiveDateTime::new(Date::MIN, Time::MIDNIGHT).assume_utc();
    let t = OffsetDateTime::from_unix_timestamp(secs).unwrap_or(if secs < 0 {
        min
    } else {
        PrimitiveDateTime::MAX.assume_utc()
    });
    let t = if t.year() < 0 {
        PrimitiveDateTime::new(
            Date::from_calendar_date(0, Month::January, 1).unwrap_or(Date::MIN),
            Time::MIDNIGHT,
        )
        .assume_utc()
    } else {
        t
    };
    let t = if t.year() > 9999 {
        PrimitiveDateTime::new(
            Date::from_calendar_date(9999, Month::December, 31).unwrap_or(Date::MAX),
            Time::from_hms(23, 59, 59).unwrap_or(Time::MIDNIGHT),
        )
        .assume_utc()
    } else {
        t
    };
    let mut out = [b'0'; 16];
    let mut put = |at: usize, width: usize, value: u32| {
        let mut v = value;
        for i in (at..at + width).rev() {
            if let Some(slot) = out.get_mut(i) {
                *slot = b'0' + u8::try_from(v % 10).unwrap_or(0);
            }
            v /= 10;
        }
    };
    put(0, 4, u32::try_from(t.year()).unwrap_or(0));
    put(4, 2, u32::from(u8::from(t.month())));
    put(6, 2, u32::from(t.day()));
    put(9, 2, u32::from(t.hour()));
    put(11, 2, u32::from(t.minute()));
    put(13, 2, u32::from(t.second()));
    if let Some(b) = out.get_mut(8) {
        *b = b'T';
    }
    if let Some(b) = out.get_mut(15) {
        *b = b'Z';
    }
    out
}
