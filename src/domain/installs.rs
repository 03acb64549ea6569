//! Build requirements: install, uninstall, except through an issue.

use super::decide::{need_text, refuse_if_any, Ctx};
use super::event::Event;
use super::model::*;
use super::queries::*;
use super::Refusal;

/// Install a serial or lot on the step's matching requirement.
///
/// Before the SPEC's checks: the step is `in_progress`, the user is checked
/// in, and with `require_scan_for_installs` on the identifier came from the
/// scanner. Then, in SPEC order, each failure named: the identifier exists;
/// its part is a required part or an approved substitute (the first such
/// requirement still short is used); it is `available`; a lot has quantity
/// left; the requirement still needs quantity. A serial installs one; a lot
/// installs min(still needed, left) or a smaller quantity given. Given
/// quantities larger than that are refused, not trimmed.
///
/// Rule (SPEC silent): only a serial gets a parent in the as-built tree
/// (a lot may feed several units); lots are traced by their installations.
pub(crate) fn install(
    cx: &mut Ctx,
    key: &str,
    identifier: &str,
    quantity: Option<i64>,
    scanned: bool,
) -> Result<Vec<Event>, Refusal> {
    let (run, step) = cx.step(key)?;
    let mut reasons = Vec::new();
    if step.state != StepState::InProgress {
        reasons.push(format!(
            "Step {} is {}: parts are installed while it is in progress.",
            step.named(),
            step.state.name()
        ));
    } else if !is_checked_in(step, cx.by()) {
        reasons.push(format!("You are not checked into step {}.", step.named()));
    }
    if cx.world.settings.require_scan_for_installs && !scanned {
        reasons.push(
            "Installs must be scanned (setting require_scan_for_installs); scan the label."
                .to_string(),
        );
    }
    // 1. the identifier exists
    let Some(item) = cx.world.inventory.get(identifier) else {
        reasons.push(format!("No serial or lot '{identifier}' exists."));
        return Err(Refusal::many(reasons));
    };
    // 2. part is required or an approved substitute
    let candidates: Vec<&Requirement> = step
        .requirements
        .iter()
        .filter(|r| r.def.part == item.part || r.def.substitutes.contains(&item.part))
        .collect();
    let Some(req) = candidates
        .iter()
        .find(|r| still_needed(r) > 0)
        .or_else(|| candidates.first())
        .copied()
    else {
        let wanted: Vec<String> = step
            .requirements
            .iter()
            .map(|r| {
                if r.def.substitutes.is_empty() {
                    r.def.part.clone()
                } else {
                    format!("{} (or {})", r.def.part, r.def.substitutes.join(", "))
                }
            })
            .collect();
        let wanted = if wanted.is_empty() {
            "no parts".to_string()
        } else {
            wanted.join(", ")
        };
        reasons.push(format!(
            "'{identifier}' is part {}, which step '{}' does not require and is not an approved substitute; the step requires {wanted}.",
            item.part, step.key
        ));
        return Err(Refusal::many(reasons));
    };
    // 3. available
    if item.state != InventoryState::Available {
        reasons.push(format!(
            "'{identifier}' is {}, not available.",
            inventory_state_name(item.state)
        ));
    }
    // 4. a lot has quantity left
    let is_serial = item.tracking == Tracking::Serial;
    if !is_serial && item.quantity <= 0 {
        reasons.push(format!("Lot '{identifier}' has no quantity left."));
    }
    // 5. the requirement still needs quantity
    let need = still_needed(req);
    if need <= 0 {
        reasons.push(format!(
            "Build requirement {} is already fully installed ({} of {}).",
            req.def.part,
            installed_quantity(req),
            req.def.quantity
        ));
    }
    let take = if is_serial {
        if let Some(q) = quantity.filter(|q| *q != 1) {
            reasons.push(format!(
                "'{identifier}' is a serial: it installs 1, not {q}."
            ));
        }
        1
    } else {
        let most = need.min(item.quantity);
        match quantity {
            None => most,
            Some(q) if q < 1 => {
                reasons.push(format!(
                    "A quantity to install must be at least 1, got {q}."
                ));
                q
            }
            Some(q) if q > most && most > 0 => {
                reasons.push(format!(
                    "At most {most} of lot '{identifier}' can be installed here (requirement needs {need}, lot has {} left), not {q}.",
                    item.quantity
                ));
                q
            }
            Some(q) => q,
        }
    };
    refuse_if_any(reasons)?;
    let mut out = vec![Event::Installed {
        step: step.key.clone(),
        requirement: req.def.part.clone(),
        installation: Installation {
            id: cx.alloc(),
            identifier: item.identifier.clone(),
            part: item.part.clone(),
            quantity: take,
            by: cx.by().to_string(),
            at: cx.now(),
            scanned,
            removed_by: None,
            removed_at: None,
        },
    }];
    if is_serial {
        out.push(Event::InventoryStateChanged {
            identifier: item.identifier.clone(),
            from: item.state,
            to: InventoryState::Installed,
        });
        out.push(Event::InventoryParentSet {
            identifier: item.identifier.clone(),
            parent: Some(run.serial.clone()),
        });
    } else {
        let left = item.quantity - take;
        out.push(Event::InventoryQuantityChanged {
            identifier: item.identifier.clone(),
            from: item.quantity,
            to: left,
        });
        if left == 0 {
            out.push(Event::InventoryStateChanged {
                identifier: item.identifier.clone(),
                from: item.state,
                to: InventoryState::Installed,
            });
        }
    }
    Ok(out)
}

/// Uninstall every active installation of `identifier` on the step, while the
/// step is not complete. A serial goes back to `available` and leaves the
/// tree; a lot gets its quantity back and is `available` again if it had run
/// out. Rule (SPEC silent): an item scrapped or quarantined since it was
/// installed keeps that state; the user need not be checked in (so parts can
/// be taken back from a failed step).
pub(crate) fn uninstall(cx: &Ctx, key: &str, identifier: &str) -> Result<Vec<Event>, Refusal> {
    let (_run, step) = cx.step(key)?;
    let mut reasons = Vec::new();
    if step.state == StepState::Complete {
        reasons.push(format!(
            "Step {} is complete: its parts cannot be uninstalled.",
            step.named()
        ));
    }
    let active: Vec<(&Requirement, &Installation)> = step
        .requirements
        .iter()
        .flat_map(|r| r.installs.iter().map(move |i| (r, i)))
        .filter(|(_, i)| i.identifier == identifier && i.removed_at.is_none())
        .collect();
    if active.is_empty() {
        reasons.push(format!(
            "'{identifier}' is not installed on step '{}'.",
            step.key
        ));
    }
    let item = cx.world.inventory.get(identifier);
    if item.is_none() && !active.is_empty() {
        reasons.push(format!("No serial or lot '{identifier}' exists."));
    }
    refuse_if_any(reasons)?;
    let Some(item) = item else {
        return Err(Refusal::one(format!(
            "No serial or lot '{identifier}' exists."
        )));
    };
    let mut out: Vec<Event> = active
        .iter()
        .map(|(r, i)| Event::Uninstalled {
            step: step.key.clone(),
            requirement: r.def.part.clone(),
            installation: i.id,
            by: cx.by().to_string(),
            at: cx.now(),
        })
        .collect();
    let back: i64 = active.iter().map(|(_, i)| i.quantity).sum();
    if item.tracking == Tracking::Serial {
        if item.state == InventoryState::Installed {
            out.push(Event::InventoryStateChanged {
                identifier: item.identifier.clone(),
                from: item.state,
                to: InventoryState::Available,
            });
        }
        if item.parent.is_some() {
            out.push(Event::InventoryParentSet {
                identifier: item.identifier.clone(),
                parent: None,
            });
        }
    } else {
        out.push(Event::InventoryQuantityChanged {
            identifier: item.identifier.clone(),
            from: item.quantity,
            to: item.quantity + back,
        });
        if item.state == InventoryState::Installed {
            out.push(Event::InventoryStateChanged {
                identifier: item.identifier.clone(),
                from: item.state,
                to: InventoryState::Available,
            });
        }
    }
    Ok(out)
}

/// Except a build requirement through a quality issue of this run that is not
/// closed, with a reason. Refused when the requirement is already excepted or
/// fully installed.
pub(crate) fn except(
    cx: &Ctx,
    key: &str,
    part: &str,
    issue: IssueId,
    reason: &str,
) -> Result<Vec<Event>, Refusal> {
    let (run, step) = cx.step(key)?;
    let req = requirement_by_part(step, part).ok_or_else(|| {
        Refusal::one(format!(
            "Step {} has no build requirement for part {part}.",
            step.named()
        ))
    })?;
    let mut reasons = Vec::new();
    if step.state == StepState::Complete {
        reasons.push(format!("Step {} is complete.", step.named()));
    }
    if req.exception.is_some() {
        reasons.push(format!("Build requirement {part} is already excepted."));
    } else if still_needed(req) == 0 {
        reasons.push(format!(
            "Build requirement {part} is fully installed: there is nothing to except."
        ));
    }
    if let Err(e) = cx.live_issue_of_run(run, issue) {
        reasons.push(e);
    }
    need_text(&mut reasons, "A reason for the exception", reason);
    refuse_if_any(reasons)?;
    Ok(vec![Event::RequirementExcepted {
        step: step.key.clone(),
        requirement: part.to_string(),
        exception: RequirementException {
            issue,
            reason: reason.trim().to_string(),
            by: cx.by().to_string(),
            at: cx.now(),
        },
    }])
}

/// `available`, `wip`, ...
pub fn inventory_state_name(s: InventoryState) -> &'static str {
    match s {
        InventoryState::Available => "available",
        InventoryState::Wip => "wip",
        InventoryState::Installed => "installed",
        InventoryState::Scrapped => "scrapped",
        InventoryState::Quarantined => "quarantined",
    }
}
