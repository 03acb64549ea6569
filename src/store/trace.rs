//! Traceability, read-only: the as-built tree under a unit (`trace down`)
//! and where a serial or lot was used (`trace up`, the recall query).
//! Both walk by index: runs by their unit's serial (`runs_serial`), and the
//! runs that touched an item by the audit entity naming it (`audit_entity`).

use super::schema::ENTITY_INDEXED;
use super::Store;
use crate::domain::{inventory_entity, InventoryItem, InventoryState, Run, RunId, Time};
use anyhow::{anyhow, Result};
use serde::Serialize;
use std::collections::{BTreeSet, HashSet};

/// How deep either walk goes: deeper than any real assembly, and a bound on
/// a tree that a hand-edited database made cyclic.
pub const MAX_DEPTH: usize = 16;

/// A unit and everything installed in it, recursively.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AsBuilt {
    pub identifier: String,
    pub part: String,
    pub state: InventoryState,
    /// Runs built on this unit, oldest first.
    pub runs: Vec<RunId>,
    pub installed: Vec<Installed>,
}

/// One serial or lot quantity installed in a unit by one of its runs.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Installed {
    pub identifier: String,
    pub part: String,
    pub quantity: i64,
    pub run: RunId,
    pub step: String,
    pub position: String,
    pub installed_at: Time,
    pub installed_by: String,
    pub scanned: bool,
    /// What went into this serial (empty for a lot, or a serial built by no run).
    pub installed: Vec<Installed>,
}

/// Every unit, at every level, that holds a serial or lot.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct WhereUsed {
    pub identifier: String,
    pub part: String,
    pub state: InventoryState,
    pub used_in: Vec<UsedIn>,
    /// Every unit above, at any level, once each, sorted: the recall list.
    pub units: Vec<String>,
}

/// A unit holding the item (or a unit that holds it), with where it went in.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct UsedIn {
    /// 1 for the unit the item went into, 2 for the unit that went into, ...
    pub level: usize,
    pub unit: String,
    pub part: String,
    /// What this unit holds directly: the item itself at level 1.
    pub contains: String,
    pub quantity: i64,
    pub run: RunId,
    pub run_title: String,
    pub step: String,
    pub position: String,
    pub installed_at: Time,
    pub installed_by: String,
    pub used_in: Vec<UsedIn>,
}

fn unknown(identifier: &str) -> anyhow::Error {
    anyhow!(
        "There is no serial or lot '{}' in inventory (see `traveler inventory list`).",
        crate::domain::escape_unprintable(identifier)
    )
}

/// The installs still in place in `run`, with the step each went in at.
fn current_installs(run: &Run) -> impl Iterator<Item = Installed> + '_ {
    run.steps.iter().flat_map(move |step| {
        step.requirements
            .iter()
            .flat_map(|req| req.installs.iter())
            .filter(|i| i.removed_at.is_none())
            .map(move |i| Installed {
                identifier: i.identifier.clone(),
                part: i.part.clone(),
                quantity: i.quantity,
                run: run.id,
                step: step.key.clone(),
                position: step.position.clone(),
                installed_at: i.at,
                installed_by: i.by.clone(),
                scanned: i.scanned,
                installed: Vec::new(),
            })
    })
}

impl Store {
    /// The as-built tree of a unit; an error naming it when it is not in inventory.
    pub fn trace_down(&self, identifier: &str) -> Result<AsBuilt> {
        let item = self
            .inventory_item(identifier)?
            .ok_or_else(|| unknown(identifier))?;
        let runs = self.runs_on(identifier)?;
        let mut path = HashSet::from([identifier.to_string()]);
        let installed = self.installed_in(&runs, 1, &mut path)?;
        Ok(AsBuilt {
            identifier: item.identifier,
            part: item.part,
            state: item.state,
            runs: runs.iter().map(|r| r.id).collect(),
            installed,
        })
    }

    /// What `runs` installed, each serial with what went into it. `path`
    /// holds the units above, so a cycle stops instead of recursing.
    fn installed_in(
        &self,
        runs: &[Run],
        depth: usize,
        path: &mut HashSet<String>,
    ) -> Result<Vec<Installed>> {
        let mut out = Vec::new();
        for run in runs {
            for mut install in current_installs(run) {
                if depth < MAX_DEPTH && path.insert(install.identifier.clone()) {
                    let below = self.runs_on(&install.identifier)?;
                    install.installed = self.installed_in(&below, depth + 1, path)?;
                    path.remove(&install.identifier);
                }
                out.push(install);
            }
        }
        Ok(out)
    }

    /// Every unit that holds `identifier`, at every level, with the run and
    /// step it went in at; an error naming it when it is not in inventory.
    pub fn trace_up(&self, identifier: &str) -> Result<WhereUsed> {
        let item: InventoryItem = self
            .inventory_item(identifier)?
            .ok_or_else(|| unknown(identifier))?;
        let mut path = HashSet::from([identifier.to_string()]);
        let used_in = self.holders(identifier, 1, &mut path)?;
        let mut units = BTreeSet::new();
        collect_units(&used_in, &mut units);
        Ok(WhereUsed {
            identifier: item.identifier,
            part: item.part,
            state: item.state,
            used_in,
            units: units.into_iter().collect(),
        })
    }

    /// The units `identifier` is installed in now: the runs whose events
    /// name it (index `audit_entity`), kept where the install still stands.
    fn holders(
        &self,
        identifier: &str,
        level: usize,
        path: &mut HashSet<String>,
    ) -> Result<Vec<UsedIn>> {
        let mut out = Vec::new();
        for run_id in self.runs_touching(identifier)? {
            let Some(run) = self.run(run_id)? else {
                continue;
            };
            for install in current_installs(&run).filter(|i| i.identifier == identifier) {
                let mut used = UsedIn {
                    level,
                    unit: run.serial.clone(),
                    part: run.part.clone(),
                    contains: identifier.to_string(),
                    quantity: install.quantity,
                    run: run.id,
                    run_title: run.title.clone(),
                    step: install.step,
                    position: install.position,
                    installed_at: install.installed_at,
                    installed_by: install.installed_by,
                    used_in: Vec::new(),
                };
                if level < MAX_DEPTH && path.insert(run.serial.clone()) {
                    used.used_in = self.holders(&run.serial, level + 1, path)?;
                    path.remove(&run.serial);
                }
                out.push(used);
            }
        }
        Ok(out)
    }

    /// Runs with an audit event about this inventory item, oldest first.
    fn runs_touching(&self, identifier: &str) -> Result<Vec<RunId>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT DISTINCT run FROM audit WHERE entity = ?1 AND {ENTITY_INDEXED}
             AND run IS NOT NULL ORDER BY run"
        ))?;
        let ids = stmt
            .query_map([inventory_entity(identifier)], |r| r.get::<_, RunId>(0))?
            .collect::<rusqlite::Result<Vec<RunId>>>()?;
        Ok(ids)
    }
}

fn collect_units(used: &[UsedIn], units: &mut BTreeSet<String>) {
    for u in used {
        units.insert(u.unit.clone());
        collect_units(&u.used_in, units);
    }
}
