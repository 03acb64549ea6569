//! Where a user is checked in: the steps of runs still open that hold one
//! of their labour sessions, so the terminal can close them as they leave;
//! and the sessions left open too long (`traveler check`, `--close-stale`).

use super::rows::from_doc;
use super::Store;
use crate::domain::{stale_sessions, Run, RunId, Settings, StaleSession, Time};
use anyhow::Result;

impl Store {
    /// `(run, step key)` for every open session of `login`. Only runs whose
    /// checked-in column names someone are read (completion and failing a
    /// run close every session), then filtered exactly on their documents.
    pub fn open_sessions_of(&self, login: &str) -> Result<Vec<(RunId, String)>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT doc FROM runs WHERE state IN ('todo', 'in_progress') \
             AND checked_in <> '' AND instr(checked_in, ?1) > 0",
        )?;
        let mut rows = stmt.query([login])?;
        let mut found = Vec::new();
        while let Some(row) = rows.next()? {
            let run: Run = from_doc("run", &row.get::<_, String>(0)?)?;
            for step in &run.steps {
                let open = step
                    .sessions
                    .iter()
                    .any(|s| s.ended_at.is_none() && s.user == login);
                if open {
                    found.push((run.id, step.key.clone()));
                }
            }
        }
        Ok(found)
    }

    /// Runs that may still hold open labour sessions (completion and failing
    /// a run close them all), one page of documents at a time.
    pub(super) fn open_runs(&self, mut visit: impl FnMut(&Run)) -> Result<()> {
        let mut stmt = self.conn.prepare(
            "SELECT doc FROM runs WHERE state IN ('todo', 'in_progress') AND checked_in <> ''",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let run: Run = from_doc("run", &r.get::<_, String>(0)?)?;
            visit(&run);
        }
        Ok(())
    }

    /// Every labour session open longer than `settings.max_session_hours`
    /// at `now`, with its run and serial, oldest run first.
    pub fn stale_labour(
        &self,
        settings: &Settings,
        now: Time,
    ) -> Result<Vec<(RunId, String, StaleSession)>> {
        let mut found = Vec::new();
        self.open_runs(|run| {
            for s in stale_sessions(run, settings, now) {
                found.push((run.id, run.serial.clone(), s));
            }
        })?;
        Ok(found)
    }
}
