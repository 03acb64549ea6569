//! `run export --all --since`: every value of every run changed since a
//! time, as CSV (one row per value), read a page of runs at a time.

use super::csv_out;
use crate::domain::Time;
use crate::store::Store;
use anyhow::Result;
use std::io::Write;

/// How many runs a batch export reads at a time.
const PAGE: usize = 500;

/// Writes the header and the value rows of every run changed at or after `since`.
pub fn values_since<W: Write>(store: &Store, since: Time, out: W) -> Result<()> {
    let mut csv = csv_out::values_header(out)?;
    let mut after = 0;
    loop {
        let runs = store.runs_changed_since(since, after, PAGE)?;
        for run in &runs {
            csv_out::value_rows(&mut csv, run)?;
        }
        match runs.last() {
            Some(last) if runs.len() == PAGE => after = last.id,
            _ => break,
        }
    }
    csv.flush()?;
    Ok(())
}
