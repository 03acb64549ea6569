//! Runs: create, fail, reopen. (Start and completion are automatic: see
//! `steps::check_in` and `blockers::completion_follow_up`.)

use super::decide::{close_run_sessions, need_text, refuse_if_any, Ctx};
use super::event::Event;
use super::installs::inventory_state_name;
use super::model::*;
use super::steps::new_run_step;
use super::validation::{check_inventory_identifier, check_line_text};
use super::Refusal;

/// The released version of a procedure key (the highest, should there be
/// more than one).
pub fn released_procedure<'a>(world: &'a World, key: &str) -> Option<&'a Procedure> {
    world
        .procedures
        .iter()
        .filter(|p| p.key == key && p.state == ProcedureState::Released)
        .max_by_key(|p| p.version)
}

/// Create a run (supervisor or admin) from the released version of a
/// procedure, staged on its target unit.
///
/// The target serial is made if it does not exist (part = the procedure's
/// `produces`, which must be a known serial-tracked part) and goes `wip`. An
/// existing target must be a serial of that part and `available`. Steps are
/// copied with positions `1`, `2`, ...; the title defaults to
/// "PROCEDURE TITLE SERIAL".
pub(crate) fn create(
    cx: &Ctx,
    key: &str,
    serial: &str,
    title: Option<&str>,
) -> Result<Vec<Event>, Refusal> {
    let mut reasons = Vec::new();
    if let Err(e) = check_inventory_identifier("A serial", serial) {
        reasons.push(e);
    }
    let Some(procedure) = released_procedure(cx.world, key) else {
        let exists = cx.world.procedures.iter().any(|p| p.key == key);
        reasons.push(if exists {
            format!("Procedure '{key}' has no released version.")
        } else {
            format!("There is no procedure '{key}'.")
        });
        return Err(Refusal::many(reasons));
    };
    match cx.world.parts.get(&procedure.produces) {
        None => reasons.push(format!(
            "Procedure '{key}' produces part {}, which does not exist.",
            procedure.produces
        )),
        Some(p) if p.tracking != Tracking::Serial => reasons.push(format!(
            "Procedure '{key}' produces part {}, which is not serial-tracked.",
            procedure.produces
        )),
        Some(_) => {}
    }
    let existing = cx.world.inventory.get(serial);
    if let Some(item) = existing {
        if item.part != procedure.produces {
            reasons.push(format!(
                "'{serial}' is part {}, but procedure '{key}' produces {}.",
                item.part, procedure.produces
            ));
        }
        if item.tracking != Tracking::Serial {
            reasons.push(format!("'{serial}' is a lot, not a serial unit."));
        }
        if item.state != InventoryState::Available {
            // Say why in shop words: `wip` means another run is building it.
            let why = match item.state {
                InventoryState::Wip => {
                    "another run is already building it (see `run list`)".to_string()
                }
                InventoryState::Installed => format!(
                    "it is installed in {}",
                    item.parent.as_deref().unwrap_or("another unit")
                ),
                other => format!("it is {}", inventory_state_name(other)),
            };
            reasons.push(format!(
                "A run cannot be staged on '{serial}': {why}; a new run needs an available unit."
            ));
        }
    }
    let title = match title.map(str::trim).filter(|t| !t.is_empty()) {
        Some(t) => {
            if let Err(e) = check_line_text("A run title", t) {
                reasons.push(e);
            }
            t.to_string()
        }
        None => format!("{} {serial}", procedure.title),
    };
    refuse_if_any(reasons)?;
    let now = cx.now();
    let by = cx.by();
    let steps: Vec<RunStep> = procedure
        .steps
        .iter()
        .enumerate()
        .map(|(i, def)| new_run_step(def, i as u64 + 1, (i + 1).to_string(), by, now))
        .collect();
    let run = Run {
        id: cx.world.next_run_id.max(1),
        title,
        procedure_key: procedure.key.clone(),
        procedure_version: procedure.version,
        serial: serial.to_string(),
        part: procedure.produces.clone(),
        state: RunState::Todo,
        created_at: now,
        started_at: None,
        completed_at: None,
        updated_at: now,
        updated_by: by.to_string(),
        version: 0,
        next_local_id: steps.len() as u64 + 1,
        steps,
        redlines: Vec::new(),
        failure: None,
    };
    let mut out = Vec::new();
    let from = match existing {
        Some(item) => item.state,
        None => {
            out.push(Event::InventoryReceived {
                item: InventoryItem {
                    identifier: serial.to_string(),
                    part: procedure.produces.clone(),
                    tracking: Tracking::Serial,
                    quantity: 1,
                    state: InventoryState::Available,
                    parent: None,
                },
            });
            InventoryState::Available
        }
    };
    out.push(Event::RunCreated { run });
    out.push(Event::InventoryStateChanged {
        identifier: serial.to_string(),
        from,
        to: InventoryState::Wip,
    });
    Ok(out)
}

/// Fail the run (supervisor or admin): reason required, optional link to an
/// issue of this run, target inventory `scrapped` or `quarantined`, open
/// sessions closed, steps frozen as they are. Rule (SPEC silent): a `todo`
/// run may be failed too (a build abandoned before it started).
pub(crate) fn fail(
    cx: &Ctx,
    reason: &str,
    issue: Option<IssueId>,
    to: FailInventoryTo,
) -> Result<Vec<Event>, Refusal> {
    let run = cx.run()?;
    let mut reasons = Vec::new();
    if matches!(run.state, RunState::Complete | RunState::Failed) {
        reasons.push(format!(
            "Run {} is {}: only a run in progress (or todo) can be failed.",
            run.id,
            run.state.name()
        ));
    }
    need_text(&mut reasons, "A reason for failing the run", reason);
    if let Some(id) = issue {
        match cx.world.issues.get(&id) {
            None => reasons.push(format!("There is no issue {id}.")),
            Some(i) if i.run != Some(run.id) => {
                reasons.push(format!("Issue {id} is not linked to run {}.", run.id))
            }
            Some(_) => {}
        }
    }
    refuse_if_any(reasons)?;
    let mut out = close_run_sessions(run, cx.now());
    out.push(Event::RunFailed {
        failure: RunFailure {
            reason: reason.trim().to_string(),
            issue,
            by: cx.by().to_string(),
            at: cx.now(),
            inventory_to: to,
        },
    });
    if let Some(item) = cx.world.inventory.get(&run.serial) {
        let target = match to {
            FailInventoryTo::Scrapped => InventoryState::Scrapped,
            FailInventoryTo::Quarantined => InventoryState::Quarantined,
        };
        if item.state != target {
            out.push(Event::InventoryStateChanged {
                identifier: item.identifier.clone(),
                from: item.state,
                to: target,
            });
        }
    }
    Ok(out)
}

/// Reopen a complete run (admin), reason required: the run goes back to
/// `in_progress` (`completed_at` cleared) and the target back to `wip`.
/// Rule (SPEC silent): the target must still be `available` (a unit since
/// installed elsewhere, scrapped or quarantined cannot be reopened on).
pub(crate) fn reopen(cx: &Ctx, reason: &str) -> Result<Vec<Event>, Refusal> {
    let run = cx.run()?;
    let mut reasons = Vec::new();
    if run.state != RunState::Complete {
        reasons.push(format!(
            "Run {} is {}: only a complete run can be reopened.",
            run.id,
            run.state.name()
        ));
    }
    need_text(&mut reasons, "A reason for reopening the run", reason);
    let item = cx.world.inventory.get(&run.serial);
    match item {
        None => reasons.push(format!("The run's unit '{}' is not known.", run.serial)),
        Some(i) if i.state != InventoryState::Available && run.state == RunState::Complete => {
            reasons.push(format!(
                "The run's unit '{}' is {}; it must be available to reopen the run.",
                run.serial,
                inventory_state_name(i.state)
            ))
        }
        Some(_) => {}
    }
    refuse_if_any(reasons)?;
    let mut out = vec![Event::RunReopened {
        reason: reason.trim().to_string(),
    }];
    if let Some(i) = item {
        out.push(Event::InventoryStateChanged {
            identifier: i.identifier.clone(),
            from: i.state,
            to: InventoryState::Wip,
        });
    }
    Ok(out)
}
