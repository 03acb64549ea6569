//! Read-only queries for the terminal's quality screen that the CLI does not
//! need. Like the others, they read only runs in progress.

use super::rows::from_doc;
use super::Store;
use crate::domain::{current_value, rule_text, value_needs_deviation, value_text, Run, RunId};
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
    /// Values waiting for a quality engineer's deviation, across runs in progress.
    pub fn pending_deviations(&self) -> Result<Vec<PendingDeviation>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT doc FROM runs WHERE state = 'in_progress' ORDER BY id")?;
        let docs = stmt
            .query_map([], |r| r.get::<_, String>(0))?
            .collect::<rusqlite::Result<Vec<String>>>()?;
        let mut out = Vec::new();
        for doc in &docs {
            let run: Run = from_doc("run", doc)?;
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
        }
        Ok(out)
    }
}
