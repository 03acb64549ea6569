//! The databases measured: the generator's runs, plus one run whose field
//! holds `HEAVY_VALUES` saved values, plus one finished box per
//! `RUNS_PER_FINISHED_BOX` runs for the reports.

use crate::generate::{box_serial, finished_boxes, generate, liner_lot, run_with_values};
use crate::store::Store;
use anyhow::{anyhow, Result};
use chrono::{TimeZone, Utc};
use std::path::Path;

/// Values on the long-worked run a save is measured on.
pub const HEAVY_VALUES: usize = 3_000;
/// That run's serial.
pub const HEAVY_SERIAL: &str = "HEAVY-3000";
/// A run present at every size (the generator numbers from 0), worked on
/// (every tenth run has its bore measured): opened and searched for.
pub const PROBE_SERIAL: &str = "GEN-0000320";
/// The serial typed key by key into the board's search box (11 keys).
pub const SEARCH_SERIAL: &str = "GEN-0000321";
/// A worked-on run the command-line save is measured on.
pub const CLI_SERIAL: &str = "GEN-0000330";
/// Finished runs the reports read: one per this many generated runs.
pub const RUNS_PER_FINISHED_BOX: usize = 10;
/// PIN of every generated user.
pub const PIN: &str = "0000";

/// Builds a database of `runs` generated runs and the long-worked run with
/// `heavy_values` values at `path` (which must not exist yet).
pub fn build(path: &Path, runs: usize, heavy_values: usize) -> Result<()> {
    if runs <= 330 {
        return Err(anyhow!(
            "A benchmark database needs more than 330 runs (the probed serials are numbered up to 330); {runs} were asked for."
        ));
    }
    let mut store = Store::open(path)?;
    let start = Utc
        .with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
        .single()
        .ok_or_else(|| anyhow!("The generator's start time is not a valid time."))?;
    generate(&mut store, runs, start)?;
    run_with_values(&mut store, HEAVY_SERIAL, heavy_values.max(1), start)?;
    finished_boxes(&mut store, finished_boxes_for(runs), start)?;
    Ok(())
}

/// How many finished boxes a database of `runs` generated runs holds.
pub fn finished_boxes_for(runs: usize) -> usize {
    (runs / RUNS_PER_FINISHED_BOX).max(1)
}

/// A finished box in the middle of the generated ones: traced down and exported.
pub fn probe_box(runs: usize) -> String {
    box_serial(finished_boxes_for(runs) / 2)
}

/// The liner lot of that box: traced up (the recall query).
pub fn probe_lot(runs: usize) -> String {
    liner_lot(finished_boxes_for(runs) / 2)
}
