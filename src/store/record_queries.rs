//! Read-only queries behind `run export`: a run's audit events with the
//! domain event each carries, the events about one entity (a user's PIN
//! changes, an issue's dispositions), the anchor of a run's last event, and
//! runs changed since a time, a page at a time.

use super::rows::{from_doc, parse_time, time_text};
use super::schema::ENTITY_INDEXED;
use super::Store;
use crate::domain::{Event, Procedure, Run, RunId, Time};
use anyhow::Result;
use rusqlite::OptionalExtension;

/// One audit row as the record shows it.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct TrailEvent {
    pub seq: i64,
    pub at: Time,
    pub user: String,
    pub station: String,
    pub action: String,
    pub entity: String,
    pub reason: Option<String>,
    /// The row's SHA-256 in the chain.
    pub hash: String,
    /// The domain event (rows from before schema 4, and baselines, have none).
    #[serde(skip)]
    pub event: Option<Event>,
}

const TRAIL_COLUMNS: &str = "seq, at, user, station, action, entity, reason, hash, event";

fn read_trail(
    stmt: &mut rusqlite::CachedStatement<'_>,
    arg: &dyn rusqlite::ToSql,
) -> Result<Vec<TrailEvent>> {
    let rows = stmt.query_map([arg], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, String>(4)?,
            r.get::<_, String>(5)?,
            r.get::<_, Option<String>>(6)?,
            r.get::<_, String>(7)?,
            r.get::<_, Option<String>>(8)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (seq, at, user, station, action, entity, reason, hash, event) = row?;
        // A baseline or an event this traveler cannot read is kept as a row
        // without its event: the record still lists it.
        let event = event.and_then(|text| serde_json::from_str::<Event>(&text).ok());
        out.push(TrailEvent {
            seq,
            at: parse_time(&at)?,
            user,
            station,
            action,
            entity,
            reason,
            hash,
            event,
        });
    }
    Ok(out)
}

impl Store {
    /// Every audit event written on a run, oldest first (index `audit_run`).
    pub fn run_trail(&self, run: RunId) -> Result<Vec<TrailEvent>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {TRAIL_COLUMNS} FROM audit WHERE run = ?1 ORDER BY seq"
        ))?;
        read_trail(&mut stmt, &run)
    }

    /// Every audit event about one entity outside a run's own work (`user
    /// op1`, `issue 3`), oldest first (index `audit_entity`). A run's events
    /// are read by run (`run_trail`); an entity starting `run ` is refused.
    pub fn entity_trail(&self, entity: &str) -> Result<Vec<TrailEvent>> {
        if entity.starts_with("run ") {
            anyhow::bail!("The events of '{entity}' are read by run, not by entity.");
        }
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {TRAIL_COLUMNS} FROM audit WHERE entity = ?1 AND {ENTITY_INDEXED} ORDER BY seq"
        ))?;
        read_trail(&mut stmt, &entity)
    }

    /// The anchor of the newest event written on a run.
    pub fn run_anchor(&self, run: RunId) -> Result<Option<super::anchor::Anchor>> {
        super::anchor::of_run(&self.conn, run)
    }

    /// One version of a procedure.
    pub fn procedure_version(&self, key: &str, version: i64) -> Result<Option<Procedure>> {
        let doc: Option<String> = self
            .conn
            .query_row(
                "SELECT doc FROM procedures WHERE key = ?1 AND version = ?2",
                rusqlite::params![key, version],
                |r| r.get(0),
            )
            .optional()?;
        doc.map(|d| from_doc("procedure", &d)).transpose()
    }

    /// Runs changed at or after `since`, by id, after `after_id`: one page
    /// of a batch export.
    pub fn runs_changed_since(
        &self,
        since: Time,
        after_id: RunId,
        limit: usize,
    ) -> Result<Vec<Run>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT doc FROM runs WHERE id > ?1 AND updated_at >= ?2 ORDER BY id LIMIT ?3",
        )?;
        let docs = stmt
            .query_map(
                rusqlite::params![after_id, time_text(&since), limit as i64],
                |r| r.get::<_, String>(0),
            )?
            .collect::<rusqlite::Result<Vec<String>>>()?;
        let mut runs = Vec::with_capacity(docs.len());
        for doc in &docs {
            let mut run: Run = from_doc("run", doc)?;
            super::field_values::restore_history(&self.conn, &mut run)?;
            runs.push(run);
        }
        Ok(runs)
    }
}
