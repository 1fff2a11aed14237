//! Values of the `Date*` operators and `aws:CurrentTime`/`aws:EpochTime`.
//!
//! The grammar is read here, byte by byte; the calendar (month lengths, leap
//! years, offsets, days since the epoch) is the `time` crate's.

use time::{Date, Month, PrimitiveDateTime, Time, UtcOffset};

/// A date as milliseconds since the Unix epoch. Accepted forms:
/// epoch seconds (`1714564800`, optionally negative); `YYYY-MM-DD`;
/// `YYYY-MM-DDThh:mm[:ss[.fraction]]` followed by nothing (UTC), `Z`, or an
/// offset `±hh:mm` / `±hhmm`. `T` and `Z` may be lower-case. Fractions
/// beyond milliseconds are truncated. Years are `0000` to `9999` of the
/// proleptic Gregorian calendar; hours `00`–`23` (no `24:00`), seconds
/// `00`–`59` (no leap second), offsets up to `±23:59`.
pub(crate) fn parse_date(s: &str) -> Option<i64> {
    let unsigned = s.strip_prefix('-').unwrap_or(s);
    if !unsigned.is_empty() && unsigned.bytes().all(|b| b.is_ascii_digit()) {
        return s.parse::<i64>().ok()?.checked_mul(1000);
    }
    let mut cur = Cursor(s.as_bytes());
    let date = calendar_date(&mut cur)?;
    let (time, offset) = if cur.is_empty() {
        (Time::MIDNIGHT, UtcOffset::UTC)
    } else {
        if !(cur.eat(b'T') || cur.eat(b't')) {
            return None;
        }
        (time_of_day(&mut cur)?, offset(&mut cur)?)
    };
    if !cur.is_empty() {
        return None;
    }
    let at = PrimitiveDateTime::new(date, time).assume_offset(offset);
    Some(at.unix_timestamp() * 1000 + i64::from(at.millisecond()))
}

/// `YYYY-MM-DD`, a real day of the calendar.
fn calendar_date(cur: &mut Cursor<'_>) -> Option<Date> {
    let year = cur.digits(4)?;
    cur.require(b'-')?;
    let month = cur.digits(2)?;
    cur.require(b'-')?;
    let day = cur.digits(2)?;
    let month = Month::try_from(u8::try_from(month).ok()?).ok()?;
    Date::from_calendar_date(i32::try_from(year).ok()?, month, u8::try_from(day).ok()?).ok()
}

/// `hh:mm[:ss[.fraction]]`.
fn time_of_day(cur: &mut Cursor<'_>) -> Option<Time> {
    let hour = cur.digits(2)?;
    cur.require(b':')?;
    let minute = cur.digits(2)?;
    let mut second = 0;
    let mut millis = 0;
    if cur.eat(b':') {
        second = cur.digits(2)?;
        if cur.eat(b'.') {
            millis = milliseconds(cur)?;
        }
    }
    Time::from_hms_milli(
        u8::try_from(hour).ok()?,
        u8::try_from(minute).ok()?,
        u8::try_from(second).ok()?,
        millis,
    )
    .ok()
}

/// The digits of a fraction of a second (at least one), as milliseconds;
/// digits after the third are read and dropped.
fn milliseconds(cur: &mut Cursor<'_>) -> Option<u16> {
    let mut millis: u16 = 0;
    let mut n = 0;
    while let Some(d) = cur.digit() {
        if n < 3 {
            millis = millis * 10 + u16::from(d);
        }
        n += 1;
    }
    if n == 0 {
        return None;
    }
    for _ in n..3 {
        millis *= 10;
    }
    Some(millis)
}

/// Nothing (UTC), `Z`, or `±hh:mm` / `±hhmm` up to `±23:59`.
fn offset(cur: &mut Cursor<'_>) -> Option<UtcOffset> {
    if cur.eat(b'Z') || cur.eat(b'z') {
        return Some(UtcOffset::UTC);
    }
    let Some(sign) = cur.sign() else {
        return Some(UtcOffset::UTC);
    };
    let hours = cur.digits(2)?;
    cur.eat(b':');
    let minutes = cur.digits(2)?;
    if hours > 23 || minutes > 59 {
        return None;
    }
    let seconds = i32::try_from((hours * 60 + minutes) * 60).ok()?;
    UtcOffset::from_whole_seconds(sign * seconds).ok()
}

/// A byte cursor that never indexes out of bounds.
struct Cursor<'a>(&'a [u8]);

impl Cursor<'_> {
    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn eat(&mut self, b: u8) -> bool {
        match self.0.split_first() {
            Some((first, rest)) if *first == b => {
                self.0 = rest;
                true
            }
            _ => false,
        }
    }

    fn require(&mut self, b: u8) -> Option<()> {
        self.eat(b).then_some(())
    }

    fn digit(&mut self) -> Option<u8> {
        match self.0.split_first() {
            Some((first, rest)) if first.is_ascii_digit() => {
                self.0 = rest;
                Some(first - b'0')
            }
            _ => None,
        }
    }

    /// Exactly `n` digits, as a number.
    fn digits(&mut self, n: usize) -> Option<u32> {
        (0..n).try_fold(0u32, |acc, _| Some(acc * 10 + u32::from(self.digit()?)))
    }

    fn sign(&mut self) -> Option<i32> {
        if self.eat(b'+') {
            Some(1)
        } else if self.eat(b'-') {
            Some(-1)
        } else {
            None
        }
    }
}
