//! Baselines: when a database from before schema 4 (whose audit rows hold no
//! full events) is upgraded, the state of every entity at that moment is
//! written to the audit chain as one `baseline` row each. `replay` starts from
//! these rows and folds every later event on top, so the trail alone rebuilds
//! the state tables. What happened before the upgrade is vouched for only as
//! far as the old chain goes: the baseline records the state as found.

use super::audit::{append, NewAuditRow};
use super::rows::{from_doc, time_text, to_doc};
use crate::domain::{InventoryItem, Issue, Part, Procedure, Run, Settings, User};
use anyhow::Result;
use rusqlite::Connection;
use serde::{Deserialize, Serialize};

/// The login and station that baseline rows are written under.
pub const BASELINE_ACTOR: &str = "traveler";
pub const BASELINE_STATION: &str = "schema upgrade";

/// One entity's whole state, as an audit row's `event` payload.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "baseline", rename_all = "snake_case")]
pub enum Baseline {
    Settings { settings: Settings },
    User { user: User },
    Part { part: Part },
    Item { item: InventoryItem },
    Procedure { procedure: Procedure },
    Run { run: Box<Run> },
    Issue { issue: Issue },
}

impl Baseline {
    /// The audit row's `entity` text and run column for this baseline.
    fn entity(&self) -> (String, Option<i64>) {
        match self {
            Baseline::Settings { .. } => ("settings".to_string(), None),
            Baseline::User { user } => (crate::domain::user_entity(&user.login), None),
            Baseline::Part { part } => (format!("part {}", part.number), None),
            Baseline::Item { item } => (crate::domain::inventory_entity(&item.identifier), None),
            Baseline::Procedure { procedure } => (
                format!("procedure {} v{}", procedure.key, procedure.version),
                None,
            ),
            Baseline::Run { run } => (format!("run {}", run.id), Some(run.id)),
            Baseline::Issue { issue } => (format!("issue {}", issue.id), issue.run),
        }
    }
}

/// Reads every `doc` of one table, in key order.
fn docs(conn: &Connection, sql: &str) -> Result<Vec<String>> {
    let mut stmt = conn.prepare(sql)?;
    let rows = stmt
        .query_map([], |r| r.get::<_, String>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// Every entity in the state tables, as baselines, in a fixed order.
fn current_baselines(conn: &Connection) -> Result<Vec<Baseline>> {
    let mut all = Vec::new();
    for doc in docs(conn, "SELECT doc FROM settings WHERE id = 1")? {
        let settings: Settings = from_doc("settings record", &doc)?;
        all.push(Baseline::Settings { settings });
    }
    for doc in docs(conn, "SELECT doc FROM users ORDER BY login")? {
        all.push(Baseline::User {
            user: from_doc("user", &doc)?,
        });
    }
    for doc in docs(conn, "SELECT doc FROM parts ORDER BY number")? {
        all.push(Baseline::Part {
            part: from_doc("part", &doc)?,
        });
    }
    for doc in docs(conn, "SELECT doc FROM procedures ORDER BY key, version")? {
        all.push(Baseline::Procedure {
            procedure: from_doc("procedure", &doc)?,
        });
    }
    for doc in docs(conn, "SELECT doc FROM runs ORDER BY id")? {
        all.push(Baseline::Run {
            run: Box::new(from_doc("run", &doc)?),
        });
    }
    for doc in docs(conn, "SELECT doc FROM inventory ORDER BY identifier")? {
        all.push(Baseline::Item {
            item: from_doc("inventory item", &doc)?,
        });
    }
    for doc in docs(conn, "SELECT doc FROM issues ORDER BY id")? {
        all.push(Baseline::Issue {
            issue: from_doc("quality issue", &doc)?,
        });
    }
    Ok(all)
}

/// Appends one baseline row per entity. Runs inside the migration's
/// transaction, so an upgrade writes all of them or none.
pub fn write_baselines(conn: &Connection, now: &crate::domain::Time) -> Result<usize> {
    let at = time_text(now);
    let baselines = current_baselines(conn)?;
    for baseline in &baselines {
        let (entity, run) = baseline.entity();
        append(
            conn,
            &NewAuditRow {
                at: &at,
                user: BASELINE_ACTOR,
                station: BASELINE_STATION,
                action: "baseline",
                entity: &entity,
                run,
                before: None,
                after: None,
                reason: Some("state when the audit trail began to carry full events".to_string()),
                event: Some(to_doc(baseline)?),
            },
        )?;
    }
    Ok(baselines.len())
}
