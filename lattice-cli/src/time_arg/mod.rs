//! `--time`: `YYYYMMDDTHHMMSSZ` (the `x-amz-date` form) or RFC 3339.

use std::time::SystemTime;

use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{OffsetDateTime, PrimitiveDateTime};

/// Parses a `--time` value (a clap value parser).
pub(crate) fn parse(text: &str) -> Result<SystemTime, String> {
    let amz = format_description!("[year][month][day]T[hour][minute][second]Z");
    let at = match PrimitiveDateTime::parse(text, amz) {
        Ok(t) => t.assume_utc(),
        Err(_) => OffsetDateTime::parse(text, &Rfc3339).map_err(|_| {
            format!(
                "`{text}` is not a time: use `20240101T120000Z` (x-amz-date form) or RFC 3339 (`2024-01-01T12:00:00Z`)"
            )
        })?,
    };
    Ok(SystemTime::from(at))
}

#[cfg(test)]
mod tests;
