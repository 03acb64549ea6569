//! The data the reports read, as plain structs. Reports are reads: nothing
//! here changes the database. Numbers come from the `measurements` side
//! table; the cycle-time facts still come from run documents.

use super::rows::from_doc;
use super::Store;
use crate::domain::{FieldDef, FieldType, Run, RunId, RunState, Time};
use anyhow::Result;
use std::collections::{BTreeMap, HashSet};

/// Which finished runs a report covers: one procedure (all when `None`),
/// finished at or after `since` and before `until`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RunWindow {
    pub procedure: Option<String>,
    pub since: Option<Time>,
    pub until: Option<Time>,
}

/// One run that finished (completed or failed), with the facts the
/// cycle-time report needs.
#[derive(Clone, Debug, PartialEq)]
pub struct FinishedRun {
    pub id: RunId,
    pub procedure_key: String,
    pub completed: bool,
    pub created_at: Time,
    pub started_at: Option<Time>,
    /// When it completed, or when it failed.
    pub finished_at: Time,
    /// A step of it failed at some time (rework starts from a failed step).
    pub had_failed_step: bool,
    /// A step was reworked as a copy (the original superseded).
    pub had_rework_copy: bool,
    pub had_deviation: bool,
    pub had_issue: bool,
    /// Its steps in run order.
    pub steps: Vec<StepTimes>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct StepTimes {
    pub key: String,
    /// Seconds of closed labour sessions, summed.
    pub labour_seconds: i64,
    /// Seconds from the first check-in to the step's completion; `None`
    /// when the step was never checked into or never completed.
    pub elapsed_seconds: Option<i64>,
}

/// One saved number of one run's field, for SPC.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct FieldPoint {
    pub run: RunId,
    pub serial: String,
    pub at: Time,
    pub value: f64,
}

/// A numeric field's current values across runs, oldest first, and the
/// field's definition as the newest of those runs holds it (a redline may
/// have changed it for one run).
#[derive(Clone, Debug, PartialEq)]
pub struct FieldSeries {
    pub def: Option<FieldDef>,
    pub points: Vec<FieldPoint>,
}

/// One numeric field of a procedure: what `report spc` takes.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct FieldRef {
    pub procedure: String,
    pub step: String,
    pub field: String,
}

impl Store {
    /// Every number field of the newest version of each procedure, in
    /// procedure, step and field order.
    pub fn numeric_fields(&self) -> Result<Vec<FieldRef>> {
        let procedures = self.procedures()?;
        let mut out = Vec::new();
        for (i, p) in procedures.iter().enumerate() {
            let newest = procedures.get(i + 1).is_none_or(|next| next.key != p.key);
            if !newest {
                continue;
            }
            for s in &p.steps {
                for f in s
                    .fields
                    .iter()
                    .filter(|f| f.field_type == FieldType::Number)
                {
                    out.push(FieldRef {
                        procedure: p.key.clone(),
                        step: s.key.clone(),
                        field: f.name.clone(),
                    });
                }
            }
        }
        Ok(out)
    }

    /// Runs completed or failed inside `window`, oldest finish first.
    pub fn finished_runs(&self, window: &RunWindow) -> Result<Vec<FinishedRun>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT doc FROM runs WHERE state IN ('complete', 'failed')
               AND (?1 IS NULL OR procedure_key = ?1) ORDER BY id",
        )?;
        let docs = stmt
            .query_map([window.procedure.as_deref()], |r| r.get::<_, String>(0))?
            .collect::<rusqlite::Result<Vec<String>>>()?;
        let failed_steps = self.runs_with_failed_step()?;
        let with_issue = self.runs_with_issue()?;
        let mut out = Vec::new();
        for doc in &docs {
            // Only the parts the report reads are built; the rest of the
            // document (values, installs, comments) is skipped over.
            let run: CycleRun = from_doc("run", doc)?;
            let Some(finished_at) = run.finish_time() else {
                continue;
            };
            if window.since.is_some_and(|t| finished_at < t)
                || window.until.is_some_and(|t| finished_at >= t)
            {
                continue;
            }
            out.push(FinishedRun {
                id: run.id,
                completed: run.state == RunState::Complete,
                created_at: run.created_at,
                started_at: run.started_at,
                finished_at,
                had_failed_step: failed_steps.contains(&run.id),
                had_rework_copy: run.steps.iter().any(|s| s.superseded_by.is_some()),
                had_deviation: run
                    .steps
                    .iter()
                    .any(|s| s.fields.iter().any(|f| !f.deviations.is_empty())),
                had_issue: with_issue.contains(&run.id),
                steps: run.steps.iter().map(CycleStep::times).collect(),
                procedure_key: run.procedure_key,
            });
        }
        out.sort_by_key(|r| (r.finished_at, r.id));
        Ok(out)
    }

    /// Runs one of whose steps was ever set to failed (from the audit trail:
    /// a reworked-in-place step no longer shows it).
    fn runs_with_failed_step(&self) -> Result<HashSet<RunId>> {
        // The literals are the partial index `audit_step_failed`'s own
        // condition (a bound parameter would not let SQLite use it).
        let mut stmt = self.conn.prepare_cached(FAILED_STEP_RUNS_SQL)?;
        let ids = stmt
            .query_map([], |r| r.get::<_, RunId>(0))?
            .collect::<rusqlite::Result<HashSet<RunId>>>()?;
        Ok(ids)
    }

    fn runs_with_issue(&self) -> Result<HashSet<RunId>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT DISTINCT run FROM issues WHERE run IS NOT NULL")?;
        let ids = stmt
            .query_map([], |r| r.get::<_, RunId>(0))?
            .collect::<rusqlite::Result<HashSet<RunId>>>()?;
        Ok(ids)
    }

    /// The current value of `field` on `step` (or its rework copy) of every
    /// run of `procedure`, oldest first; the newest `last` when given.
    pub fn field_series(
        &self,
        procedure: &str,
        step: &str,
        field: &str,
        last: Option<usize>,
    ) -> Result<FieldSeries> {
        // The side table holds every current number; per run the last
        // matching step in run order counts (the newest rework copy).
        let mut newest_per_run: BTreeMap<RunId, (i64, FieldPoint)> = BTreeMap::new();
        for row in super::measurements::series_rows(&self.conn, procedure, step, field)? {
            if !is_step_or_copy(&row.step, step) {
                continue;
            }
            match newest_per_run.get(&row.point.run) {
                Some((ord, _)) if *ord > row.ord => {}
                _ => {
                    newest_per_run.insert(row.point.run, (row.ord, row.point));
                }
            }
        }
        let mut points: Vec<FieldPoint> = newest_per_run.into_values().map(|(_, p)| p).collect();
        points.sort_by_key(|p| (p.at, p.run));
        if let Some(n) = last {
            let skip = points.len().saturating_sub(n);
            points.drain(..skip);
        }
        // The definition as the newest point's run holds it (a redline may
        // have changed it there): one document read.
        let from_run = match points.last() {
            Some(p) => self
                .run(p.run)?
                .and_then(|run| field_def_in_run(&run, step, field)),
            None => None,
        };
        let def = match from_run {
            Some(def) => Some(def),
            None => self.field_def_in_procedure(procedure, step, field)?,
        };
        Ok(FieldSeries { def, points })
    }

    /// The current numbers of every number field on the newest `runs` runs
    /// of `procedure` other than `except`, per (step key, field name),
    /// oldest value first: the trend a step screen shows while a value is
    /// typed. Bounded by `runs` so opening a run stays cheap on a big database.
    pub fn recent_numbers(
        &self,
        procedure: &str,
        except: RunId,
        runs: usize,
    ) -> Result<BTreeMap<(String, String), Vec<f64>>> {
        let mut found: BTreeMap<(String, String), Vec<(Time, f64)>> = BTreeMap::new();
        for (step, field, at, x) in
            super::measurements::recent_rows(&self.conn, procedure, except, runs)?
        {
            found.entry((step, field)).or_default().push((at, x));
        }
        Ok(found
            .into_iter()
            .map(|(key, mut values)| {
                values.sort_by_key(|(at, _)| *at);
                (key, values.into_iter().map(|(_, x)| x).collect())
            })
            .collect())
    }

    /// The field as the newest version of the procedure defines it.
    fn field_def_in_procedure(
        &self,
        procedure: &str,
        step: &str,
        field: &str,
    ) -> Result<Option<FieldDef>> {
        let procedures = self.procedures()?;
        Ok(procedures
            .iter()
            .filter(|p| p.key == procedure)
            .max_by_key(|p| p.version)
            .and_then(|p| p.steps.iter().find(|s| s.key == step))
            .and_then(|s| s.fields.iter().find(|f| f.name == field))
            .cloned())
    }
}

/// The definition of `field` on the last step of `run` that counts and is
/// `step` or a rework copy of it.
fn field_def_in_run(run: &Run, step: &str, field: &str) -> Option<FieldDef> {
    run.steps
        .iter()
        .filter(|s| s.superseded_by.is_none() && is_step_or_copy(&s.key, step))
        .flat_map(|s| s.fields.iter())
        .filter(|f| f.def.name == field && f.def.field_type == FieldType::Number)
        .map(|f| f.def.clone())
        .next_back()
}

/// Runs with a step-failed event, by the partial index `audit_step_failed`.
const FAILED_STEP_RUNS_SQL: &str = r#"SELECT DISTINCT run FROM audit
    WHERE action = 'step_state_changed' AND after = '{"state":"failed"}' AND run IS NOT NULL"#;

/// `bore`, or a rework copy of it (`bore-r1`, `bore-r2`).
fn is_step_or_copy(key: &str, step: &str) -> bool {
    key == step
        || key
            .strip_prefix(step)
            .and_then(|rest| rest.strip_prefix("-r"))
            .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
}

/// The part of a run document the cycle-time report reads. Lists left out
/// of the stored form when empty read as empty (`stored_text`).
#[derive(serde::Deserialize)]
struct CycleRun {
    id: RunId,
    procedure_key: String,
    state: RunState,
    created_at: Time,
    started_at: Option<Time>,
    completed_at: Option<Time>,
    failure: Option<CycleFailure>,
    steps: Vec<CycleStep>,
}

#[derive(serde::Deserialize)]
struct CycleFailure {
    at: Time,
}

#[derive(serde::Deserialize)]
struct CycleStep {
    key: String,
    superseded_by: Option<String>,
    #[serde(default)]
    fields: Vec<CycleField>,
    #[serde(default)]
    sessions: Vec<CycleSession>,
    completed_at: Option<Time>,
}

#[derive(serde::Deserialize)]
struct CycleField {
    #[serde(default)]
    deviations: Vec<serde::de::IgnoredAny>,
}

#[derive(serde::Deserialize)]
struct CycleSession {
    started_at: Time,
    ended_at: Option<Time>,
}

impl CycleRun {
    /// When a finished run finished: completed, or failed.
    fn finish_time(&self) -> Option<Time> {
        match self.state {
            RunState::Complete => self.completed_at,
            RunState::Failed => self.failure.as_ref().map(|f| f.at),
            _ => None,
        }
    }
}

impl CycleStep {
    fn times(&self) -> StepTimes {
        let labour_seconds = self
            .sessions
            .iter()
            .filter_map(|s| s.ended_at.map(|end| (end - s.started_at).num_seconds()))
            .sum();
        let first_in = self.sessions.iter().map(|s| s.started_at).min();
        let elapsed_seconds = match (first_in, self.completed_at) {
            (Some(start), Some(end)) => Some((end - start).num_seconds()),
            _ => None,
        };
        StepTimes {
            key: self.key.clone(),
            labour_seconds,
            elapsed_seconds,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_failed_step_query_reads_its_partial_index_not_the_audit_trail() {
        let conn = rusqlite::Connection::open_in_memory().expect("memory database");
        super::super::schema::migrate(&conn).expect("migrate");
        let plan: Vec<String> = conn
            .prepare(&format!("EXPLAIN QUERY PLAN {FAILED_STEP_RUNS_SQL}"))
            .expect("explain")
            .query_map([], |r| r.get::<_, String>(3))
            .expect("plan")
            .collect::<rusqlite::Result<_>>()
            .expect("rows");
        let plan = plan.join(" | ");
        assert!(plan.contains("audit_step_failed"), "{plan}");
        // The audit row's text must be what the partial index names.
        let after = serde_json::json!({ "state": "failed" }).to_string();
        assert!(FAILED_STEP_RUNS_SQL.contains(&format!("after = '{after}'")));
    }
}
