//! Saved values as rows. Every value a field ever held is one append-only
//! row of `field_values`; a run's document keeps each field's current value
//! and a summary of the rest (`EarlierValues`), so loading and saving a run
//! costs the same however long its fields' histories grow. The full history
//! is read only where it is shown: exports, `run show`, checks and replay.

use super::rows::{from_doc, time_text, to_doc};
use crate::domain::{FieldValue, Run, Value};
use anyhow::{anyhow, Result};
use rusqlite::{params, Connection};
use std::collections::{BTreeMap, HashSet};

/// The run as its document stores it: each field's current value only.
pub fn stored_form(run: &Run) -> Run {
    let mut stored = run.clone();
    for step in &mut stored.steps {
        for field in &mut step.fields {
            field.keep_current_only();
        }
    }
    stored
}

/// Appends a row for every value of `after` that `before` did not hold
/// (value ids are unique within a run and values are never removed).
pub fn append_new(conn: &Connection, before: Option<&Run>, after: &Run) -> Result<()> {
    let known: HashSet<u64> = before
        .into_iter()
        .flat_map(|r| r.steps.iter())
        .flat_map(|s| s.fields.iter())
        .flat_map(|f| f.values.iter().map(|v| v.id))
        .collect();
    for step in &after.steps {
        for field in &step.fields {
            for value in field.values.iter().filter(|v| !known.contains(&v.id)) {
                insert(conn, after.id, step.id, &field.def.name, value)?;
            }
        }
    }
    Ok(())
}

fn insert(conn: &Connection, run: i64, step: u64, field: &str, value: &FieldValue) -> Result<()> {
    let number = match value.value {
        Value::Number(x) => Some(x),
        _ => None,
    };
    conn.prepare_cached(
        "INSERT INTO field_values (run, id, step, field, number, at, by, doc)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        run,
        value.id as i64,
        step as i64,
        field,
        number,
        time_text(&value.at),
        value.by,
        to_doc(value)?
    ])?;
    Ok(())
}

/// Every stored value of `run`, per (step id, field name), oldest first.
fn rows_of(conn: &Connection, run: i64) -> Result<BTreeMap<(u64, String), Vec<FieldValue>>> {
    let mut stmt = conn
        .prepare_cached("SELECT step, field, doc FROM field_values WHERE run = ?1 ORDER BY id")?;
    let mut rows = stmt.query([run])?;
    let mut out: BTreeMap<(u64, String), Vec<FieldValue>> = BTreeMap::new();
    while let Some(r) = rows.next()? {
        let step: i64 = r.get(0)?;
        let field: String = r.get(1)?;
        let value: FieldValue = from_doc("saved value", &r.get::<_, String>(2)?)?;
        out.entry((step as u64, field)).or_default().push(value);
    }
    Ok(out)
}

/// Puts every earlier value back into `run`'s fields from the rows, so the
/// run reads as if its document held its whole history.
pub fn restore_history(conn: &Connection, run: &mut Run) -> Result<()> {
    if !run
        .steps
        .iter()
        .flat_map(|s| s.fields.iter())
        .any(|f| f.earlier.count > 0)
    {
        return Ok(());
    }
    let mut rows = rows_of(conn, run.id)?;
    for step in &mut run.steps {
        for field in &mut step.fields {
            if field.earlier.count == 0 {
                continue;
            }
            let loaded: HashSet<u64> = field.values.iter().map(|v| v.id).collect();
            let earlier: Vec<FieldValue> = rows
                .remove(&(step.id, field.def.name.clone()))
                .unwrap_or_default()
                .into_iter()
                .filter(|v| !loaded.contains(&v.id))
                .collect();
            if earlier.len() as u64 != field.earlier.count {
                return Err(anyhow!(
                    "Run {} step {} field '{}' should have {} earlier values stored, but {} were found; run `traveler check`.",
                    run.id,
                    step.position,
                    field.def.name,
                    field.earlier.count,
                    earlier.len()
                ));
            }
            field.restore_history(earlier);
        }
    }
    Ok(())
}

/// Moves the values of every run document into rows and trims the
/// documents to their stored form (the upgrade to the values table).
pub fn fill(conn: &Connection) -> Result<()> {
    let docs: Vec<(i64, String)> = {
        let mut stmt = conn.prepare("SELECT id, doc FROM runs ORDER BY id")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    for (id, doc) in docs {
        let run: Run = from_doc("run", &doc)?;
        append_new(conn, None, &run)?;
        conn.prepare_cached("UPDATE runs SET doc = ?2 WHERE id = ?1")?
            .execute(params![id, to_doc(&stored_form(&run))?])?;
    }
    Ok(())
}

/// Where the rows and the documents disagree: a document's current value
/// missing from the rows or stored differently, or an earlier count that the
/// rows do not hold. Returns how many fields were checked and the problems.
pub fn differences(conn: &Connection) -> Result<(usize, Vec<String>)> {
    let mut stmt = conn.prepare("SELECT id, serial, doc FROM runs ORDER BY id")?;
    let mut runs = stmt.query([])?;
    let mut checked = 0usize;
    let mut problems = Vec::new();
    while let Some(r) = runs.next()? {
        let id: i64 = r.get(0)?;
        let serial: String = r.get(1)?;
        let run: Run = from_doc("run", &r.get::<_, String>(2)?)?;
        if !run
            .steps
            .iter()
            .flat_map(|s| s.fields.iter())
            .any(|f| !f.values.is_empty())
        {
            continue;
        }
        let mut rows = rows_of(conn, id)?;
        for step in &run.steps {
            for field in &step.fields {
                checked += 1;
                let stored = rows
                    .remove(&(step.id, field.def.name.clone()))
                    .unwrap_or_default();
                let place = format!(
                    "run {id} ({serial}) step {} field '{}'",
                    step.position, field.def.name
                );
                if stored.len() != field.value_count() {
                    problems.push(format!(
                        "{place}: its record counts {} values but {} are stored as rows",
                        field.value_count(),
                        stored.len()
                    ));
                } else if field.values.last() != stored.last() {
                    problems.push(format!(
                        "{place}: its current value differs from the last stored row"
                    ));
                }
            }
        }
        for ((step, field), values) in rows {
            problems.push(format!(
                "run {id} ({serial}): {} stored values belong to no field (step id {step}, field '{field}')",
                values.len()
            ));
        }
    }
    Ok((checked, problems))
}
