//! Read-only queries for the terminal's quality screen that the CLI does not
//! need. Like the others, they read only runs in progress.

use super::quality_index::QualityCounts;
use super::Store;
use crate::domain::RunId;
use anyhow::Result;
use std::collections::BTreeMap;

/// An out-of-range (or failed) value with no deviation, on a step whose
/// policy allows accepting it through a quality issue.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct PendingDeviation {
    pub run: RunId,
    pub serial: String,
    pub step: String,
    pub position: String,
    pub field: String,
    /// The value as saved, with its unit.
    pub value: String,
    /// The rule it misses ("25.00 ± 0.05 mm"), empty for pass/fail.
    pub rule: String,
    pub by: String,
}

impl Store {
    /// Values waiting for a quality engineer's deviation, across runs in
    /// progress: the rows `write_back` keeps (see `quality_index`).
    pub fn pending_deviations(&self) -> Result<Vec<PendingDeviation>> {
        super::quality_index::stored_deviations(&self.conn)
    }

    /// The header's quality counts (see `quality_index::counts`): side
    /// tables and the issues index only, never a run document.
    pub fn quality_counts(
        &self,
        roles: &[String],
        deviations: bool,
        issues: bool,
    ) -> Result<QualityCounts> {
        super::quality_index::counts(&self.conn, roles, deviations, issues)
    }

    /// The serial of each run named, by primary key (issues carry only the id).
    pub fn serials_of(
        &self,
        runs: impl IntoIterator<Item = RunId>,
    ) -> Result<BTreeMap<RunId, String>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT serial FROM runs WHERE id = ?1")?;
        let mut out = BTreeMap::new();
        for run in runs {
            if out.contains_key(&run) {
                continue;
            }
            let mut rows = stmt.query([run])?;
            if let Some(r) = rows.next()? {
                out.insert(run, r.get(0)?);
            }
        }
        Ok(out)
    }
}
