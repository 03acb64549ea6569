//! Times as the station shows them: stored in UTC, drawn in the local zone.
//! Snapshot tests pin a fixed zone so their output does not depend on the
//! machine.

use crate::domain::Time;
use chrono::{DateTime, FixedOffset, Local, Offset, TimeZone, Utc};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Zone {
    /// The station's zone (chrono::Local).
    Local,
    Fixed(FixedOffset),
}

impl Zone {
    pub fn utc() -> Zone {
        Zone::Fixed(Utc.fix())
    }

    fn format(&self, t: Time, pattern: &str) -> String {
        match self {
            Zone::Local => DateTime::<Local>::from(t).format(pattern).to_string(),
            Zone::Fixed(z) => z
                .from_utc_datetime(&t.naive_utc())
                .format(pattern)
                .to_string(),
        }
    }

    /// `2024-05-01 14:05`
    pub fn date_time(&self, t: Time) -> String {
        self.format(t, "%Y-%m-%d %H:%M")
    }

    /// `2024-05-01` (the station's date, for a date field's default).
    pub fn date(&self, t: Time) -> String {
        self.format(t, "%Y-%m-%d")
    }

    /// `14:05`
    pub fn clock(&self, t: Time) -> String {
        self.format(t, "%H:%M")
    }

    /// `14:05` today, else `05-01 14:05`.
    pub fn short(&self, t: Time, now: Time) -> String {
        if self.format(t, "%Y-%m-%d") == self.format(now, "%Y-%m-%d") {
            self.clock(t)
        } else {
            self.format(t, "%m-%d %H:%M")
        }
    }
}

/// A span of time in its largest sensible unit: `45s`, `12m`, `3h`, `5d`.
pub fn age(from: Time, now: Time) -> String {
    let secs = (now - from).num_seconds().max(0);
    match secs {
        s if s < 60 => format!("{s}s"),
        s if s < 3600 => format!("{}m", s / 60),
        s if s < 48 * 3600 => format!("{}h", s / 3600),
        s => format!("{}d", s / 86_400),
    }
}

/// A labour duration: `0:45`, `12:05` (hours:minutes).
pub fn duration(seconds: i64) -> String {
    let m = seconds.max(0) / 60;
    format!("{}:{:02}", m / 60, m % 60)
}
