//! Read-only queries for the terminal's quality screen that the CLI does not
//! need. Like the others, they read only runs in progress.

use super::Store;
use crate::domain::RunId;
use anyhow::Result;

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
}
