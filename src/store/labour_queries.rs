//! Where a user is checked in: the steps of runs still open that hold one
//! of their labour sessions, so the terminal can close them as they leave.

use super::rows::from_doc;
use super::Store;
use crate::domain::{Run, RunId};
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
}
