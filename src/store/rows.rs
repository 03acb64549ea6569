//! Row <-> model conversions shared by the loaders and writers.

use crate::domain::Time;
use anyhow::{Context, Result};
use serde::{de::DeserializeOwned, Serialize};

/// UTC timestamps are stored in one fixed-width form, so text order is time order.
pub fn time_text(t: &Time) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
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
