//! Row <-> model conversions shared by the loaders and writers.

use crate::domain::Time;
use anyhow::{Context, Result};
use serde::{de::DeserializeOwned, Serialize};

/// UTC timestamps are stored in one fixed-width form, so text order is time order.
pub fn time_text(t: &Time) -> String {
    // The same text as the format "%Y-%m-%dT%H:%M:%S%.6fZ" (years 0-9999),
    // without parsing a format string on every call: a save writes a dozen.
    t.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

pub fn parse_time(text: &str) -> Result<Time> {
    Ok(chrono::DateTime::parse_from_rfc3339(text)
        .with_context(|| format!("The database holds a time that does not parse: '{text}'."))?
        .with_timezone(&chrono::Utc))
}

pub fn to_doc<T: Serialize>(value: &T) -> Result<String> {
    Ok(serde_json::to_string(value)?)
}

pub fn from_doc<T: DeserializeOwned>(what: &str, doc: &str) -> Result<T> {
    serde_json::from_str(doc)
        .with_context(|| format!("The database holds a {what} that this traveler cannot read."))
}

/// snake_case name of a serde unit enum value (states, dispositions).
pub fn enum_name<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::time_text;
    use chrono::{NaiveDate, TimeZone, Utc};

    /// Audit hashes cover these texts, so the text may never change.
    #[test]
    fn time_text_is_the_stored_format_to_the_microsecond() {
        let day = NaiveDate::from_ymd_opt(2026, 12, 3).expect("date");
        for (h, m, s, nanos) in [
            (0, 0, 0, 0),
            (8, 25, 44, 953_059_000),
            (23, 59, 59, 999_999_999),
            (12, 0, 1, 1_000),
            (12, 0, 1, 999),
            (23, 59, 59, 1_500_000_000),
        ] {
            let t = Utc.from_utc_datetime(&day.and_hms_nano_opt(h, m, s, nanos).expect("time"));
            assert_eq!(
                time_text(&t),
                t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string(),
                "{t:?}"
            );
        }
        let year_one = Utc
            .with_ymd_and_hms(1, 1, 1, 0, 0, 0)
            .single()
            .expect("time");
        assert_eq!(time_text(&year_one), "0001-01-01T00:00:00.000000Z");
    }
}
