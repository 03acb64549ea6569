//! The `measurements` side table: the current number of every number field
//! on every step that counts (not a superseded original), one row each
//! (run, step, field, value, unit, verdict, at, by), so
//! SPC and the step screen's trend read an index instead of run documents.
//! Derived from the run in `write_back`, in the command's transaction, like
//! the quality screen's tables.

use super::rows::{enum_name, from_doc, parse_time, time_text};
use super::FieldPoint;
use crate::domain::{current_value, FieldType, Run, RunId, Time, Value};
use anyhow::Result;
use rusqlite::{params, Connection};
use std::collections::BTreeMap;

/// One row: what `write` stores for a run.
#[derive(Clone, Debug, PartialEq)]
pub struct Measurement {
    /// The step's index in the run, so the last matching step wins.
    pub ord: i64,
    pub step: String,
    pub field: String,
    pub unit: Option<String>,
    /// `in_range`, `out_of_range` or `no_rule`.
    pub verdict: String,
    pub by: String,
    /// As stored (`time_text`), so a row read back compares equal.
    pub at: String,
    pub value: f64,
}

/// The current numbers of `run`, in step and field order.
pub fn of(run: &Run) -> Vec<Measurement> {
    let mut out = Vec::new();
    for (ord, step) in run.steps.iter().enumerate() {
        if step.superseded_by.is_some() {
            continue;
        }
        for field in step
            .fields
            .iter()
            .filter(|f| f.def.field_type == FieldType::Number)
        {
            if let Some(v) = current_value(field) {
                if let Value::Number(x) = v.value {
                    out.push(Measurement {
                        ord: ord as i64,
                        step: step.key.clone(),
                        field: field.def.name.clone(),
                        unit: field.def.unit.clone(),
                        verdict: enum_name(&v.verdict),
                        by: v.by.clone(),
                        at: time_text(&v.at),
                        value: x,
                    });
                }
            }
        }
    }
    out
}

/// Brings `run`'s rows to what it holds now, writing only the rows that
/// changed: most saves touch no number, and a corrected number is one row
/// updated in place (its indexed columns stay as they are), not every row
/// of the run deleted and inserted again.
pub fn write(conn: &Connection, before: Option<&Run>, run: &Run) -> Result<()> {
    let now = of(run);
    let was = before.map(of).unwrap_or_default();
    if was == now {
        return Ok(());
    }
    let (Some(was_keyed), Some(now_keyed)) = (keyed(&was), keyed(&now)) else {
        return rewrite(conn, run, &now);
    };
    for key in was_keyed.keys().filter(|key| !now_keyed.contains_key(*key)) {
        conn.prepare_cached(
            "DELETE FROM measurements WHERE run = ?1 AND ord = ?2 AND step = ?3 AND field = ?4",
        )?
        .execute(params![run.id, key.0, key.1, key.2])?;
    }
    for (key, m) in &now_keyed {
        match was_keyed.get(key) {
            Some(old) if old == m => {}
            Some(_) => {
                conn.prepare_cached(
                    "UPDATE measurements SET unit = ?5, verdict = ?6, by = ?7, at = ?8, value = ?9
                     WHERE run = ?1 AND ord = ?2 AND step = ?3 AND field = ?4",
                )?
                .execute(params![
                    run.id, m.ord, m.step, m.field, m.unit, m.verdict, m.by, m.at, m.value
                ])?;
            }
            None => insert(conn, run, m)?,
        }
    }
    Ok(())
}

type MeasurementKey<'a> = (i64, &'a str, &'a str);

/// The rows by (step index, step, field); `None` when two share a key, which
/// the diff in `write` cannot tell apart.
fn keyed(rows: &[Measurement]) -> Option<BTreeMap<MeasurementKey<'_>, &Measurement>> {
    let mut out = BTreeMap::new();
    for m in rows {
        if out
            .insert((m.ord, m.step.as_str(), m.field.as_str()), m)
            .is_some()
        {
            return None;
        }
    }
    Some(out)
}

/// Replaces every row of `run` with `now`.
fn rewrite(conn: &Connection, run: &Run, now: &[Measurement]) -> Result<()> {
    conn.prepare_cached("DELETE FROM measurements WHERE run = ?1")?
        .execute([run.id])?;
    for m in now {
        insert(conn, run, m)?;
    }
    Ok(())
}

fn insert(conn: &Connection, run: &Run, m: &Measurement) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO measurements (run, ord, step, field, procedure_key, serial, unit, verdict, by, at, value)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?
    .execute(params![
        run.id,
        m.ord,
        m.step,
        m.field,
        run.procedure_key,
        run.serial,
        m.unit,
        m.verdict,
        m.by,
        m.at,
        m.value
    ])?;
    Ok(())
}

fn stored_for(conn: &Connection, run: RunId) -> Result<Vec<Measurement>> {
    let mut stmt = conn.prepare_cached(
        "SELECT ord, step, field, unit, verdict, by, at, value FROM measurements
         WHERE run = ?1 ORDER BY ord, rowid",
    )?;
    let rows = stmt.query_map([run], |r| {
        Ok(Measurement {
            ord: r.get(0)?,
            step: r.get(1)?,
            field: r.get(2)?,
            unit: r.get(3)?,
            verdict: r.get(4)?,
            by: r.get(5)?,
            at: r.get(6)?,
            value: r.get(7)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// One matching row of a field's series: the point and the step it was on.
pub struct SeriesRow {
    pub point: FieldPoint,
    pub ord: i64,
    pub step: String,
}

/// Every stored number of `field` on a step of `procedure` whose key
/// starts with `step` (the caller keeps the step and its rework copies).
pub fn series_rows(
    conn: &Connection,
    procedure: &str,
    step: &str,
    field: &str,
) -> Result<Vec<SeriesRow>> {
    let mut stmt = conn.prepare_cached(
        "SELECT run, serial, at, value, ord, step FROM measurements
         WHERE procedure_key = ?1 AND field = ?2 AND substr(step, 1, length(?3)) = ?3
         ORDER BY run, ord",
    )?;
    let rows = stmt.query_map(params![procedure, field, step], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, f64>(3)?,
            r.get::<_, i64>(4)?,
            r.get::<_, String>(5)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (run, serial, at, value, ord, step) = row?;
        out.push(SeriesRow {
            point: FieldPoint {
                run,
                serial,
                at: parse_time(&at)?,
                value,
            },
            ord,
            step,
        });
    }
    Ok(out)
}

/// The numbers of the newest started runs of a procedure: the runs come
/// from the `runs_procedure_started` index (schema 14), newest first, so
/// neither other procedures' runs nor runs not yet started are walked past,
/// and no run's row is read to find them.
const RECENT_SQL: &str = "SELECT step, field, at, value FROM measurements
     WHERE run IN (SELECT id FROM runs WHERE procedure_key = ?1 AND id != ?2
                   AND started_at IS NOT NULL ORDER BY id DESC LIMIT ?3)";

/// Every number of the newest `runs` started runs of `procedure` other
/// than `except`: (step key, field, at, value).
pub fn recent_rows(
    conn: &Connection,
    procedure: &str,
    except: RunId,
    runs: usize,
) -> Result<Vec<(String, String, Time, f64)>> {
    let mut stmt = conn.prepare_cached(RECENT_SQL)?;
    let rows = stmt.query_map(params![procedure, except, runs as i64], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, f64>(3)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (step, field, at, value) = row?;
        out.push((step, field, parse_time(&at)?, value));
    }
    Ok(out)
}

/// Fills the table from every run (the upgrade that adds it).
pub fn fill(conn: &Connection) -> Result<()> {
    let mut stmt = conn.prepare("SELECT doc FROM runs WHERE started_at IS NOT NULL ORDER BY id")?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let run: Run = from_doc("run", &r.get::<_, String>(0)?)?;
        write(conn, None, &run)?;
    }
    Ok(())
}

/// Runs whose rows are not what their documents say; with how many runs
/// were checked.
pub fn differences(conn: &Connection) -> Result<(usize, Vec<String>)> {
    let mut stmt = conn.prepare("SELECT doc FROM runs ORDER BY id")?;
    let mut rows = stmt.query([])?;
    let mut checked = 0usize;
    let mut problems = Vec::new();
    while let Some(r) = rows.next()? {
        let run: Run = from_doc("run", &r.get::<_, String>(0)?)?;
        checked += 1;
        let mut stored = stored_for(conn, run.id)?;
        let mut expected = of(&run);
        // Rows added by later saves sit after older ones of the same step.
        for rows in [&mut stored, &mut expected] {
            rows.sort_by(|a, b| (a.ord, &a.step, &a.field).cmp(&(b.ord, &b.step, &b.field)));
        }
        if stored != expected {
            problems.push(format!(
                "run {} ({}): the measurements table disagrees with its record",
                run.id, run.serial
            ));
        }
    }
    Ok((checked, problems))
}

#[cfg(test)]
mod tests {
    use super::RECENT_SQL;

    #[test]
    fn the_trend_reads_started_runs_by_procedure_from_an_index_and_measurements_by_run() {
        let conn = rusqlite::Connection::open_in_memory().expect("memory database");
        super::super::schema::migrate(&conn).expect("migrate");
        let plan: Vec<String> = conn
            .prepare(&format!("EXPLAIN QUERY PLAN {RECENT_SQL}"))
            .expect("explain")
            .query_map(rusqlite::params!["P", 1, 30], |r| r.get::<_, String>(3))
            .expect("plan")
            .collect::<rusqlite::Result<_>>()
            .expect("rows");
        let plan = plan.join(" | ");
        assert!(
            plan.contains("COVERING INDEX runs_procedure_started"),
            "{plan}"
        );
        assert!(plan.contains("measurements_run"), "{plan}");
        assert!(!plan.contains("SCAN runs"), "{plan}");
    }
}
