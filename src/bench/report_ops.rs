//! The reports measured, each done as its command does it (the store query,
//! then the computation or rendering), output into memory: `cargo bench`
//! times them at 1k and 100k runs.

use super::data;
use crate::analytics::{cycle_time::cycle_time, spc::spc};
use crate::domain::{RunId, Time};
use crate::export::{batch, csv_out, html, record};
use crate::store::{RunWindow, Store};
use anyhow::{anyhow, bail, Result};
use chrono::{Duration, TimeZone, Utc};

/// `report cycle-time [--procedure KEY]`; returns how many runs it covered.
pub fn cycle_time_report(store: &Store, procedure: Option<&str>) -> Result<usize> {
    let window = RunWindow {
        procedure: procedure.map(str::to_string),
        ..RunWindow::default()
    };
    let runs = store.finished_runs(&window)?;
    let report = cycle_time(&runs);
    Ok(report.procedures.iter().map(|p| p.finished).sum())
}

/// `report spc PROCEDURE STEP FIELD`; returns n.
pub fn spc_report(store: &Store, procedure: &str, step: &str, field: &str) -> Result<usize> {
    let series = store.field_series(procedure, step, field, None)?;
    Ok(spc(procedure, step, field, series).n)
}

/// `trace down UNIT`; returns how many items are installed directly.
pub fn trace_down(store: &Store, unit: &str) -> Result<usize> {
    Ok(store.trace_down(unit)?.installed.len())
}

/// `trace up LOT|SERIAL`; returns how many units hold it.
pub fn trace_up(store: &Store, identifier: &str) -> Result<usize> {
    Ok(store.trace_up(identifier)?.units.len())
}

/// The formats of `run export RUN`.
#[derive(Clone, Copy, Debug)]
pub enum ExportAs {
    Json,
    Csv,
    Html,
}

/// `run export RUN --format ...`; returns the bytes written.
pub fn export_run(store: &Store, run: RunId, format: ExportAs) -> Result<usize> {
    let rec = record::gather(store, run, Utc::now())?;
    let mut out = Vec::new();
    match format {
        ExportAs::Json => serde_json::to_writer_pretty(&mut out, &rec)?,
        ExportAs::Csv => csv_out::record_csv(&mut out, &rec)?,
        ExportAs::Html => out.extend_from_slice(html::render(&rec).as_bytes()),
    }
    Ok(out.len())
}

/// `run export --all --since SINCE --format csv`; returns the bytes written.
pub fn export_since(store: &Store, since: Time) -> Result<usize> {
    let mut out = Vec::new();
    batch::values_since(store, since, &mut out)?;
    Ok(out.len())
}

/// The last day of a generated database of `runs` runs (the generator
/// makes one run a minute from its start): the bounded window exported.
pub fn last_day(runs: usize) -> Result<Time> {
    let start = Utc
        .with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
        .single()
        .ok_or_else(|| anyhow!("The generator's start time is not a valid time."))?;
    Ok(start + Duration::minutes(runs as i64) - Duration::days(1))
}

/// The finished box exported and traced down.
pub fn probe_box_run(store: &Store, runs: usize) -> Result<RunId> {
    let serial = data::probe_box(runs);
    match store.find_run(&serial)? {
        Some(id) => Ok(id),
        None => bail!("The benchmark database has no run {serial}."),
    }
}
