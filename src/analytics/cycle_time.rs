//! The cycle-time report: per procedure, floor time (started → completed)
//! and lead time (created → completed) of completed runs, per-step labour
//! and elapsed time, first-pass yield and scrap rate. Medians and p90 are as
//! `statistics` defines them (textbook median, nearest-rank p90).

use super::statistics::{median, percentile_nearest_rank};
use crate::store::FinishedRun;
use serde::Serialize;
use std::collections::BTreeMap;

/// Count and order statistics of durations, in seconds.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct DurationStats {
    pub count: usize,
    pub median_seconds: Option<f64>,
    pub p90_seconds: Option<f64>,
    pub min_seconds: Option<f64>,
    pub max_seconds: Option<f64>,
}

impl DurationStats {
    pub fn of(seconds: &[f64]) -> DurationStats {
        DurationStats {
            count: seconds.len(),
            median_seconds: median(seconds),
            p90_seconds: percentile_nearest_rank(seconds, 90.0),
            min_seconds: seconds.iter().copied().reduce(f64::min),
            max_seconds: seconds.iter().copied().reduce(f64::max),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StepCycle {
    pub step: String,
    /// Completed runs that have this step.
    pub runs: usize,
    /// Median over those runs of the step's summed labour sessions.
    pub median_labour_seconds: Option<f64>,
    /// Median over the runs where it was checked into and completed of
    /// first check-in → completion.
    pub median_elapsed_seconds: Option<f64>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ProcedureCycle {
    pub procedure: String,
    /// Completed plus failed.
    pub finished: usize,
    pub completed: usize,
    pub failed: usize,
    /// Completed runs with no failed step, rework, deviation or issue.
    pub first_pass: usize,
    /// first_pass ÷ completed; none when nothing completed.
    pub first_pass_yield: Option<f64>,
    /// failed ÷ finished; none when nothing finished.
    pub scrap_rate: Option<f64>,
    /// startedAt → completedAt of completed runs.
    pub floor_time: DurationStats,
    /// created → completedAt of completed runs (includes staging).
    pub lead_time: DurationStats,
    pub steps: Vec<StepCycle>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct CycleTimeReport {
    pub procedures: Vec<ProcedureCycle>,
}

/// A completed run counts as first pass when nothing went wrong on it.
pub fn is_first_pass(run: &FinishedRun) -> bool {
    run.completed
        && !run.had_failed_step
        && !run.had_rework_copy
        && !run.had_deviation
        && !run.had_issue
}

pub fn cycle_time(runs: &[FinishedRun]) -> CycleTimeReport {
    let mut by_procedure: BTreeMap<&str, Vec<&FinishedRun>> = BTreeMap::new();
    for run in runs {
        by_procedure
            .entry(run.procedure_key.as_str())
            .or_default()
            .push(run);
    }
    CycleTimeReport {
        procedures: by_procedure
            .into_iter()
            .map(|(key, runs)| procedure_cycle(key, &runs))
            .collect(),
    }
}

fn ratio(part: usize, whole: usize) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

fn procedure_cycle(key: &str, runs: &[&FinishedRun]) -> ProcedureCycle {
    let completed: Vec<&FinishedRun> = runs.iter().copied().filter(|r| r.completed).collect();
    let failed = runs.len() - completed.len();
    let first_pass = completed.iter().filter(|r| is_first_pass(r)).count();
    let floor: Vec<f64> = completed
        .iter()
        .filter_map(|r| {
            r.started_at
                .map(|s| (r.finished_at - s).num_seconds() as f64)
        })
        .collect();
    let lead: Vec<f64> = completed
        .iter()
        .map(|r| (r.finished_at - r.created_at).num_seconds() as f64)
        .collect();
    ProcedureCycle {
        procedure: key.to_string(),
        finished: runs.len(),
        completed: completed.len(),
        failed,
        first_pass,
        first_pass_yield: ratio(first_pass, completed.len()),
        scrap_rate: ratio(failed, runs.len()),
        floor_time: DurationStats::of(&floor),
        lead_time: DurationStats::of(&lead),
        steps: step_cycles(&completed),
    }
}

/// Steps in the order they first appear in the runs.
fn step_cycles(completed: &[&FinishedRun]) -> Vec<StepCycle> {
    let mut order: Vec<String> = Vec::new();
    let mut labour: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    let mut elapsed: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    for run in completed {
        for step in &run.steps {
            if !labour.contains_key(&step.key) {
                order.push(step.key.clone());
            }
            labour
                .entry(step.key.clone())
                .or_default()
                .push(step.labour_seconds as f64);
            let times = elapsed.entry(step.key.clone()).or_default();
            if let Some(e) = step.elapsed_seconds {
                times.push(e as f64);
            }
        }
    }
    order
        .into_iter()
        .map(|key| {
            let l = labour.get(&key).map(Vec::as_slice).unwrap_or_default();
            let e = elapsed.get(&key).map(Vec::as_slice).unwrap_or_default();
            StepCycle {
                runs: l.len(),
                median_labour_seconds: median(l),
                median_elapsed_seconds: median(e),
                step: key,
            }
        })
        .collect()
}

/// A duration for people: `45s`, `12m 05s`, `3h 07m`, `2d 04h`.
pub fn duration_text(seconds: Option<f64>) -> String {
    let Some(s) = seconds else {
        return "-".into();
    };
    let s = s.round() as i64;
    let (d, h, m, sec) = (s / 86_400, s % 86_400 / 3600, s % 3600 / 60, s % 60);
    if d > 0 {
        format!("{d}d {h:02}h")
    } else if h > 0 {
        format!("{h}h {m:02}m")
    } else if m > 0 {
        format!("{m}m {sec:02}s")
    } else {
        format!("{sec}s")
    }
}

/// A ratio as a percentage with one decimal, `-` for none.
pub fn percent_text(ratio: Option<f64>) -> String {
    ratio
        .map(|r| format!("{:.1}%", r * 100.0))
        .unwrap_or_else(|| "-".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::StepTimes;
    use chrono::{Duration, TimeZone, Utc};

    fn at(minutes: i64) -> crate::domain::Time {
        Utc.with_ymd_and_hms(2026, 11, 2, 8, 0, 0)
            .single()
            .unwrap_or_default()
            + Duration::minutes(minutes)
    }

    /// A run created at minute 0, started at `start`, finished at `end`
    /// (minutes), with one step `bore` of `labour` minutes checked in at
    /// `start` and completed at `end`.
    fn run(id: i64, completed: bool, start: i64, end: i64, labour: i64) -> FinishedRun {
        FinishedRun {
            id,
            procedure_key: "PUMP-ASSY".into(),
            completed,
            created_at: at(0),
            started_at: Some(at(start)),
            finished_at: at(end),
            had_failed_step: false,
            had_rework_copy: false,
            had_deviation: false,
            had_issue: false,
            steps: vec![StepTimes {
                key: "bore".into(),
                labour_seconds: labour * 60,
                elapsed_seconds: Some((end - start) * 60),
            }],
        }
    }

    #[test]
    fn a_hand_computed_procedure() {
        let mut runs = vec![
            run(1, true, 10, 40, 20),  // floor 30 min, lead 40
            run(2, true, 20, 80, 50),  // floor 60, lead 80
            run(3, true, 5, 50, 30),   // floor 45, lead 50
            run(4, true, 0, 120, 100), // floor 120, lead 120
            run(5, false, 0, 15, 5),   // failed: not in the times
        ];
        runs[1].had_deviation = true;
        runs[2].had_failed_step = true;
        let report = cycle_time(&runs);
        assert_eq!(report.procedures.len(), 1);
        let p = &report.procedures[0];
        assert_eq!((p.finished, p.completed, p.failed), (5, 4, 1));
        // first pass: runs 1 and 4 of the 4 completed
        assert_eq!(p.first_pass, 2);
        assert_eq!(p.first_pass_yield, Some(0.5));
        // scrap: 1 failed of 5 finished
        assert_eq!(p.scrap_rate, Some(0.2));
        // floor sorted 30 45 60 120 min: median (45 + 60) / 2 = 52.5 min = 3150 s;
        // p90 rank ⌈0.9 · 4⌉ = 4 → 120 min = 7200 s
        assert_eq!(p.floor_time.count, 4);
        assert_eq!(p.floor_time.median_seconds, Some(3150.0));
        assert_eq!(p.floor_time.p90_seconds, Some(7200.0));
        assert_eq!(p.floor_time.min_seconds, Some(1800.0));
        assert_eq!(p.floor_time.max_seconds, Some(7200.0));
        // lead sorted 40 50 80 120 min: median 65 min = 3900 s
        assert_eq!(p.lead_time.median_seconds, Some(3900.0));
        assert_eq!(p.lead_time.min_seconds, Some(2400.0));
        // labour of completed runs 20 50 30 100 min: median (30 + 50) / 2 = 40 min
        assert_eq!(p.steps.len(), 1);
        assert_eq!(p.steps[0].runs, 4);
        assert_eq!(p.steps[0].median_labour_seconds, Some(2400.0));
        assert_eq!(p.steps[0].median_elapsed_seconds, Some(3150.0));
    }

    #[test]
    fn nothing_finished_gives_no_ratios_and_procedures_stay_apart() {
        assert!(cycle_time(&[]).procedures.is_empty());
        let mut other = run(2, false, 0, 10, 1);
        other.procedure_key = "VALVE".into();
        let report = cycle_time(&[run(1, true, 0, 10, 1), other]);
        let keys: Vec<&str> = report
            .procedures
            .iter()
            .map(|p| p.procedure.as_str())
            .collect();
        assert_eq!(keys, ["PUMP-ASSY", "VALVE"]);
        let valve = &report.procedures[1];
        assert_eq!(valve.first_pass_yield, None, "no completed run: no yield");
        assert_eq!(valve.scrap_rate, Some(1.0));
        assert_eq!(valve.floor_time.median_seconds, None);
    }

    #[test]
    fn durations_read_as_people_say_them() {
        assert_eq!(duration_text(None), "-");
        assert_eq!(duration_text(Some(45.0)), "45s");
        assert_eq!(duration_text(Some(725.0)), "12m 05s");
        assert_eq!(duration_text(Some(3.0 * 3600.0 + 420.0)), "3h 07m");
        assert_eq!(duration_text(Some(2.0 * 86_400.0 + 4.0 * 3600.0)), "2d 04h");
        assert_eq!(percent_text(Some(0.5)), "50.0%");
    }
}
