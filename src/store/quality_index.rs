//! The quality screen's side tables (schema 6, `rejected` since 7): sign-offs waiting for a role
//! and out-of-range values waiting for a deviation, one row each, for runs
//! in progress. They are derived from the run document alone, rewritten for
//! a run whenever `write_back` writes it, filled by the upgrade, and
//! recomputed by `traveler check` (see [`differences`]), so the screen reads
//! indexed rows instead of parsing every run.

use super::queries::PendingSignoff;
use super::rows::from_doc;
use super::screen_queries::PendingDeviation;
use crate::domain::{
    current_value, rule_text, signoff_status, value_needs_deviation, value_text, FieldType, Run,
    RunId, RunState, SignoffStatus, StepState,
};
use anyhow::Result;
use rusqlite::{params, Connection};
use std::collections::BTreeMap;

/// Sign-off fields not yet approved on a run in progress, on steps ready
/// for them, in step and field order (every role).
pub fn signoffs_of(run: &Run) -> Vec<PendingSignoff> {
    let mut out = Vec::new();
    if run.state != RunState::InProgress {
        return out;
    }
    for step in &run.steps {
        if step.superseded_by.is_some()
            || matches!(
                step.state,
                StepState::Complete | StepState::Todo | StepState::Skipped
            )
        {
            continue;
        }
        for field in &step.fields {
            let Some(role) = &field.def.role else {
                continue;
            };
            let status = signoff_status(step, field);
            if field.def.field_type != FieldType::Signoff
                || matches!(status, SignoffStatus::Approved)
            {
                continue;
            }
            out.push(PendingSignoff {
                run: run.id,
                serial: run.serial.clone(),
                step: step.key.clone(),
                position: step.position.clone(),
                field: field.def.name.clone(),
                role: role.clone(),
                rejected: status == SignoffStatus::Rejected,
            });
        }
    }
    out
}

/// Out-of-range (or failed) values with no deviation on a run in progress,
/// on steps whose policy allows accepting them through a quality issue.
pub fn deviations_of(run: &Run) -> Vec<PendingDeviation> {
    let mut out = Vec::new();
    if run.state != RunState::InProgress {
        return out;
    }
    for step in run
        .steps
        .iter()
        .filter(|s| s.allow_out_of_range_with_issue && s.superseded_by.is_none())
    {
        for field in &step.fields {
            let Some(value) = current_value(field) else {
                continue;
            };
            if !value_needs_deviation(&field.def, &value.value)
                || field.deviations.iter().any(|d| d.value_id == value.id)
            {
                continue;
            }
            let unit = field.def.unit.as_deref().unwrap_or("");
            out.push(PendingDeviation {
                run: run.id,
                serial: run.serial.clone(),
                step: step.key.clone(),
                position: step.position.clone(),
                field: field.def.name.clone(),
                value: format!("{} {unit}", value_text(&value.value))
                    .trim()
                    .to_string(),
                rule: rule_text(&field.def),
                by: value.by.clone(),
            });
        }
    }
    out
}

/// Replaces the side-table rows of `run` with what its document says now;
/// writes nothing when the run said the same before the command.
pub fn write(conn: &Connection, before: Option<&Run>, run: &Run) -> Result<()> {
    if let Some(before) = before {
        if signoffs_of(before) == signoffs_of(run) && deviations_of(before) == deviations_of(run) {
            return Ok(());
        }
    }
    conn.prepare_cached("DELETE FROM quality_signoffs WHERE run = ?1")?
        .execute([run.id])?;
    conn.prepare_cached("DELETE FROM quality_deviations WHERE run = ?1")?
        .execute([run.id])?;
    let mut insert = conn.prepare_cached(
        "INSERT INTO quality_signoffs (run, ord, serial, step, position, field, role, rejected)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?;
    for (ord, s) in signoffs_of(run).iter().enumerate() {
        insert.execute(params![
            s.run, ord as i64, s.serial, s.step, s.position, s.field, s.role, s.rejected
        ])?;
    }
    let mut insert = conn.prepare_cached(
        "INSERT INTO quality_deviations (run, ord, serial, step, position, field, value, rule, by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?;
    for (ord, d) in deviations_of(run).iter().enumerate() {
        insert.execute(params![
            d.run, ord as i64, d.serial, d.step, d.position, d.field, d.value, d.rule, d.by
        ])?;
    }
    Ok(())
}

/// Every run in progress, one document at a time.
fn each_run_in_progress(conn: &Connection, mut visit: impl FnMut(Run) -> Result<()>) -> Result<()> {
    let mut stmt = conn.prepare("SELECT doc FROM runs WHERE state = 'in_progress' ORDER BY id")?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        visit(from_doc("run", &r.get::<_, String>(0)?)?)?;
    }
    Ok(())
}

/// Fills the side tables from the runs already there (the upgrade to schema 5).
pub fn fill(conn: &Connection) -> Result<()> {
    each_run_in_progress(conn, |run| write(conn, None, &run))
}

/// The side tables' rows (every role), in screen order.
pub fn stored_signoffs(conn: &Connection, roles: &[String]) -> Result<Vec<PendingSignoff>> {
    let mut sql = String::from(
        "SELECT run, serial, step, position, field, role, rejected FROM quality_signoffs",
    );
    if !roles.is_empty() {
        let marks = vec!["?"; roles.len()].join(", ");
        sql.push_str(&format!(" WHERE role IN ({marks})"));
    }
    sql.push_str(" ORDER BY run, ord");
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(rusqlite::params_from_iter(roles), |r| {
        Ok(PendingSignoff {
            run: r.get(0)?,
            serial: r.get(1)?,
            step: r.get(2)?,
            position: r.get(3)?,
            field: r.get(4)?,
            role: r.get(5)?,
            rejected: r.get(6)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// How much work the quality queue holds, as the header shows it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct QualityCounts {
    /// Sign-offs waiting on the given roles.
    pub signoffs: i64,
    /// Of those, waiting again after a rejection.
    pub reapprovals: i64,
    /// Out-of-range values waiting for a deviation.
    pub deviations: i64,
    /// Issues not closed (to disposition or to close).
    pub issues: i64,
}

/// The queue's counts from the side tables and the `issues_state` index
/// only (no run document is read): sign-offs for `roles` (none when empty),
/// deviations and issues only when asked for (the user may act on them).
pub fn counts(
    conn: &Connection,
    roles: &[String],
    deviations: bool,
    issues: bool,
) -> Result<QualityCounts> {
    let mut out = QualityCounts::default();
    if !roles.is_empty() {
        let marks = vec!["?"; roles.len()].join(", ");
        let sql = format!(
            "SELECT COUNT(*), COALESCE(SUM(rejected), 0) FROM quality_signoffs WHERE role IN ({marks})"
        );
        (out.signoffs, out.reapprovals) = conn
            .prepare_cached(&sql)?
            .query_row(rusqlite::params_from_iter(roles), |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?;
    }
    if deviations {
        out.deviations = conn
            .prepare_cached("SELECT COUNT(*) FROM quality_deviations")?
            .query_row([], |r| r.get(0))?;
    }
    if issues {
        out.issues = conn
            .prepare_cached(OPEN_ISSUES_COUNT_SQL)?
            .query_row([], |r| r.get(0))?;
    }
    Ok(out)
}

/// Counted on the `issues_state` index.
const OPEN_ISSUES_COUNT_SQL: &str =
    "SELECT COUNT(*) FROM issues WHERE state IN ('open', 'dispositioned')";

pub fn stored_deviations(conn: &Connection) -> Result<Vec<PendingDeviation>> {
    let mut stmt = conn.prepare_cached(
        "SELECT run, serial, step, position, field, value, rule, by
         FROM quality_deviations ORDER BY run, ord",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(PendingDeviation {
            run: r.get(0)?,
            serial: r.get(1)?,
            step: r.get(2)?,
            position: r.get(3)?,
            field: r.get(4)?,
            value: r.get(5)?,
            rule: r.get(6)?,
            by: r.get(7)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// What the side tables hold: how many rows, and one sentence per run whose
/// rows differ from what its document says (runs no longer in progress
/// included: they must have none).
pub fn differences(conn: &Connection) -> Result<(usize, Vec<String>)> {
    let mut stored_s: BTreeMap<RunId, Vec<PendingSignoff>> = BTreeMap::new();
    for s in stored_signoffs(conn, &[])? {
        stored_s.entry(s.run).or_default().push(s);
    }
    let mut stored_d: BTreeMap<RunId, Vec<PendingDeviation>> = BTreeMap::new();
    for d in stored_deviations(conn)? {
        stored_d.entry(d.run).or_default().push(d);
    }
    let rows = stored_s.values().map(Vec::len).sum::<usize>()
        + stored_d.values().map(Vec::len).sum::<usize>();
    let mut problems = Vec::new();
    each_run_in_progress(conn, |run| {
        if stored_s.remove(&run.id).unwrap_or_default() != signoffs_of(&run) {
            problems.push(format!(
                "The pending sign-offs kept for run {} ({}) differ from its document.",
                run.id, run.serial
            ));
        }
        if stored_d.remove(&run.id).unwrap_or_default() != deviations_of(&run) {
            problems.push(format!(
                "The values awaiting a deviation kept for run {} ({}) differ from its document.",
                run.id, run.serial
            ));
        }
        Ok(())
    })?;
    for run in stored_s.keys() {
        problems.push(format!(
            "Pending sign-offs are kept for run {run}, which is not in progress."
        ));
    }
    for run in stored_d.keys() {
        problems.push(format!(
            "Values awaiting a deviation are kept for run {run}, which is not in progress."
        ));
    }
    Ok((rows, problems))
}
