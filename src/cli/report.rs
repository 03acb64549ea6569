//! `traveler report`: cycle time and SPC. Reports are reads, like `run
//! show`: no user or PIN is asked for. Every text line goes through `push_line`.

use super::args::ReportCmd;
use super::context::{push_line, CliError, CliResult, Ctx};
use crate::analytics::cycle_time::{cycle_time, duration_text, percent_text, CycleTimeReport};
use crate::analytics::spc::{number_text, spc, SpcReport};
use crate::domain::{escape_unprintable, FieldType, Time};
use crate::store::RunWindow;
use anyhow::anyhow;
use chrono::{Duration, NaiveDate};

pub fn report(ctx: &mut Ctx, cmd: ReportCmd) -> CliResult {
    match cmd {
        ReportCmd::CycleTime {
            procedure,
            since,
            until,
        } => {
            if let (Some(s), Some(u)) = (since, until) {
                if u < s {
                    return Err(CliError::Failed(anyhow!(
                        "--until {u} is before --since {s}: give an --until on or after --since."
                    )));
                }
            }
            if let Some(key) = &procedure {
                require_procedure(ctx, key)?;
            }
            let window = RunWindow {
                procedure,
                since: since.map(day_start),
                until: until.map(|d| day_start(d) + Duration::days(1)),
            };
            let runs = ctx.store.finished_runs(&window)?;
            let report = cycle_time(&runs);
            ctx.print(&report, || cycle_time_text(&report))
        }
        ReportCmd::Spc {
            procedure,
            step,
            field,
            last,
        } => {
            require_procedure(ctx, &procedure)?;
            let series =
                ctx.store
                    .field_series(&procedure, &step, &field, last.map(|n| n as usize))?;
            match &series.def {
                None => {
                    return Err(CliError::Failed(anyhow!(
                        "Procedure '{}' has no step '{}' with a field '{}' (see `traveler procedure show {}`).",
                        escape_unprintable(&procedure),
                        escape_unprintable(&step),
                        escape_unprintable(&field),
                        escape_unprintable(&procedure)
                    )))
                }
                Some(def) if def.field_type != FieldType::Number => {
                    return Err(CliError::Failed(anyhow!(
                        "Field '{}' is a {} field; SPC needs a number field.",
                        escape_unprintable(&field),
                        def.field_type.name()
                    )))
                }
                Some(_) => {}
            }
            let report = spc(&procedure, &step, &field, series);
            ctx.print(&report, || spc_text(&report))
        }
    }
}

/// A report on a procedure key that was never loaded is a mistake to name,
/// not an empty report (a typo would otherwise read as "no runs").
fn require_procedure(ctx: &Ctx, key: &str) -> Result<(), CliError> {
    if ctx.store.procedure_exists(key)? {
        return Ok(());
    }
    Err(CliError::Failed(anyhow!(
        "There is no procedure '{}': give a procedure key as `traveler procedure list` shows it (keys are case-sensitive).",
        escape_unprintable(key)
    )))
}

fn day_start(d: NaiveDate) -> Time {
    d.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc()
}

pub fn cycle_time_text(report: &CycleTimeReport) -> String {
    let mut out = String::new();
    if report.procedures.is_empty() {
        push_line(&mut out, "No finished runs in this window.");
        return out;
    }
    for (i, p) in report.procedures.iter().enumerate() {
        if i > 0 {
            push_line(&mut out, "");
        }
        push_line(
            &mut out,
            &format!(
                "{}: {} finished ({} complete, {} failed), first-pass yield {} ({}/{}), scrap rate {}",
                p.procedure,
                p.finished,
                p.completed,
                p.failed,
                percent_text(p.first_pass_yield),
                p.first_pass,
                p.completed,
                percent_text(p.scrap_rate)
            ),
        );
        push_line(
            &mut out,
            &format!(
                "  {:<12} {:>6} {:>9} {:>9} {:>9} {:>9}",
                "", "RUNS", "MEDIAN", "P90", "MIN", "MAX"
            ),
        );
        for (name, s) in [("floor time", &p.floor_time), ("lead time", &p.lead_time)] {
            push_line(
                &mut out,
                &format!(
                    "  {:<12} {:>6} {:>9} {:>9} {:>9} {:>9}",
                    name,
                    s.count,
                    duration_text(s.median_seconds),
                    duration_text(s.p90_seconds),
                    duration_text(s.min_seconds),
                    duration_text(s.max_seconds)
                ),
            );
        }
        push_line(
            &mut out,
            &format!(
                "  {:<12} {:>6} {:>14} {:>15}",
                "STEP", "RUNS", "MEDIAN LABOUR", "MEDIAN ELAPSED"
            ),
        );
        for s in &p.steps {
            push_line(
                &mut out,
                &format!(
                    "  {:<12} {:>6} {:>14} {:>15}",
                    s.step,
                    s.runs,
                    duration_text(s.median_labour_seconds),
                    duration_text(s.median_elapsed_seconds)
                ),
            );
        }
    }
    out
}

pub fn spc_text(r: &SpcReport) -> String {
    let mut out = String::new();
    let unit = r
        .unit
        .as_deref()
        .map(|u| format!(" ({u})"))
        .unwrap_or_default();
    let rule = if r.rule.is_empty() {
        "no rule".to_string()
    } else {
        format!("rule {}", r.rule)
    };
    push_line(
        &mut out,
        &format!("{} / {} / {}{unit}: {rule}", r.procedure, r.step, r.field),
    );
    push_line(
        &mut out,
        &format!(
            "n {}  mean {}  std dev {}  min {}  max {}",
            r.n,
            number_text(r.mean),
            number_text(r.std_dev),
            number_text(r.min),
            number_text(r.max)
        ),
    );
    push_line(
        &mut out,
        &format!(
            "LSL {}  USL {}  Cp {}  Cpk {}  out of range {}",
            number_text(r.lsl),
            number_text(r.usl),
            number_text(r.cp),
            number_text(r.cpk),
            r.out_of_range
        ),
    );
    if r.violations.is_empty() {
        push_line(&mut out, "Western Electric rules 1-4: no violation");
    } else {
        push_line(&mut out, "Western Electric rules 1-4:");
        for span in &r.spans {
            let runs = if span.first_run == span.last_run {
                format!("run #{}", span.first_run)
            } else {
                format!("runs #{}–#{}", span.first_run, span.last_run)
            };
            push_line(
                &mut out,
                &format!("  rule {}, {} ({runs})", span.rule, span.text),
            );
        }
    }
    out
}
