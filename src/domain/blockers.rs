//! What stops a step from completing, what a finished run is waiting on, and
//! the automatic completion of a run.

use super::apply::apply;
use super::command::Request;
use super::decide::close_run_sessions;
use super::event::Event;
use super::model::*;
use super::queries::*;
use super::signoffs::{signoff_status, SignoffStatus};
use super::validation::{rule_text, value_needs_deviation, value_text};

/// What stops `actor_login` from completing the step now, every item, in SPEC
/// order: (1) required fields without a value, (2) numbers out of range or
/// pass/fail set to fail without an accepted deviation, (3) build
/// requirements short without an exception, (4) sign-offs not approved,
/// (5) the step in redline (or on hold, or failed) or the user not checked in.
/// Empty when the step can be completed. A step already complete says so.
pub fn blockers(world: &World, step_key: &str, actor_login: &str) -> Vec<String> {
    let Some(run) = &world.run else {
        return vec!["There is no run.".to_string()];
    };
    match find_step(run, step_key) {
        Some(step) => step_blockers(step, actor_login),
        None => vec![format!("Run {} has no step '{step_key}'.", run.id)],
    }
}

/// Rule (SPEC silent): a sign-off whose latest signature is a rejection
/// blocks even when the field is not required; a measurement out of range
/// blocks even when its field is not required.
pub fn step_blockers(step: &RunStep, actor_login: &str) -> Vec<String> {
    if step.state == StepState::Complete {
        return vec![format!("Step {} is already complete.", step.named())];
    }
    let data_fields = || {
        step.fields
            .iter()
            .filter(|f| f.def.field_type != FieldType::Signoff)
    };
    let mut out = Vec::new();
    // 1. required fields with no value
    for f in data_fields() {
        if f.def.required && current_value(f).is_none() {
            out.push(format!(
                "Field '{}' is required and has no value.",
                f.def.name
            ));
        }
    }
    // 2. out of range / failed, no accepted deviation
    for f in data_fields() {
        let Some(v) = current_value(f) else { continue };
        if !value_needs_deviation(&f.def, &v.value) {
            continue;
        }
        if f.deviations.iter().any(|d| d.value_id == v.id) {
            continue;
        }
        match &v.value {
            Value::PassFail(_) => out.push(format!(
                "Field '{}' is set to fail and no deviation is accepted.",
                f.def.name
            )),
            other => {
                let unit = f
                    .def
                    .unit
                    .as_deref()
                    .filter(|u| !u.trim().is_empty())
                    .map(|u| format!(" {u}"))
                    .unwrap_or_default();
                out.push(format!(
                    "Field '{}' is out of range: {}{unit}, expected {}; no deviation is accepted.",
                    f.def.name,
                    value_text(other),
                    rule_text(&f.def)
                ))
            }
        }
    }
    // 3. build requirements short, no exception
    for r in &step.requirements {
        let need = still_needed(r);
        if need > 0 && r.exception.is_none() {
            out.push(format!(
                "Build requirement {} still needs {need} of {} installed.",
                r.def.part, r.def.quantity
            ));
        }
    }
    // 4. sign-offs
    for f in step
        .fields
        .iter()
        .filter(|f| f.def.field_type == FieldType::Signoff)
    {
        let role = f.def.role.as_deref().unwrap_or("?");
        match signoff_status(step, f) {
            SignoffStatus::Approved => {}
            SignoffStatus::Rejected => {
                let who = f
                    .signatures
                    .last()
                    .map(|s| s.by.as_str())
                    .unwrap_or("?");
                out.push(format!(
                    "Sign-off '{}' was rejected by {who}; it needs approval by {role}.",
                    f.def.name
                ));
            }
            SignoffStatus::Void if f.def.required => out.push(format!(
                "Sign-off '{}' was approved before a value changed; it needs approval by {role} again.",
                f.def.name
            )),
            SignoffStatus::Pending if f.def.required => out.push(format!(
                "Sign-off '{}' is expecting approval by {role}.",
                f.def.name
            )),
            SignoffStatus::Void | SignoffStatus::Pending => {}
        }
    }
    // 5. step state and the user's check-in
    match step.state {
        StepState::Redline => out.push(format!(
            "Step {} is in redline: it cannot be completed until the redline is approved or cancelled.",
            step.named()
        )),
        StepState::OnHold => out.push(format!(
            "Step {} is on hold: resume it first.",
            step.named()
        )),
        StepState::Failed => out.push(format!(
            "Step {} is failed: rework it first.",
            step.named()
        )),
        StepState::Skipped => out.push(format!(
            "Step {} was skipped: reopen it first.",
            step.named()
        )),
        StepState::Todo | StepState::InProgress | StepState::Complete => {
            if !is_checked_in(step, actor_login) {
                out.push(format!(
                    "You ({actor_login}) are not checked into step {}.",
                    step.named()
                ));
            }
        }
    }
    out
}

/// True when every required, non-superseded step is complete.
pub fn all_required_complete(run: &Run) -> bool {
    run.steps
        .iter()
        .filter(|s| counts_toward_completion(s))
        .all(|s| s.state == StepState::Complete)
}

/// What a run whose required steps are all complete is still waiting on:
/// "waiting on issue 3" for each linked issue not closed (when
/// `block_completion_on_open_issues` is on), "waiting on redline 2" for
/// each redline still proposed, and "waiting on failed step 'label'" for each
/// failed step not reworked or superseded (an optional one: a required one
/// keeps the steps from being all complete). Empty when the run is not
/// `in_progress`, when steps are still outstanding, or when nothing holds it.
///
/// Rule (SPEC silent): a proposed redline holds completion, so a run never
/// completes with a change still waiting for approval.
pub fn run_waiting_on(world: &World) -> Vec<String> {
    let Some(run) = &world.run else {
        return Vec::new();
    };
    waiting_on(&world.settings, run, world.issues.values())
}

/// `run_waiting_on` for a screen or a report that holds the run, its
/// issues (others are ignored) and the settings rather than a world.
pub fn waiting_on<'a>(
    settings: &Settings,
    run: &Run,
    issues: impl IntoIterator<Item = &'a Issue>,
) -> Vec<String> {
    if run.state != RunState::InProgress || !all_required_complete(run) {
        return Vec::new();
    }
    let unclosed = issues
        .into_iter()
        .filter(|i| i.run == Some(run.id) && i.state != IssueState::Closed)
        .map(|i| i.id);
    let waiting = waiting_items(settings, run, unclosed);
    if waiting.is_empty() {
        // Nothing holds it, so it was reopened (RULES.md, "Runs"): say
        // what moves it on, so nobody is left looking at a stuck run.
        return vec![
            "reopened: reopen a step to change it; completing a step completes the run again"
                .to_string(),
        ];
    }
    waiting
}

fn waiting_items(
    settings: &Settings,
    run: &Run,
    unclosed_issues: impl Iterator<Item = IssueId>,
) -> Vec<String> {
    let mut out = Vec::new();
    if settings.block_completion_on_open_issues {
        for id in unclosed_issues {
            out.push(format!("waiting on issue {id}"));
        }
    }
    for r in run
        .redlines
        .iter()
        .filter(|r| r.state == RedlineState::Proposed)
    {
        out.push(format!("waiting on redline {}", r.id));
    }
    for s in run.steps.iter().filter(|s| unresolved_failure(s)) {
        out.push(format!("waiting on failed step {}", s.named()));
    }
    out
}

/// A failed step that was neither reworked (it would not be `failed` any
/// more) nor superseded by a rework copy. It blocks run completion even
/// when the step is optional. Rule: SPEC also names "excepted"; traveler has
/// no exception for a whole step, so rework (in place or as a copy, as the
/// procedure says) is the way to resolve it.
fn unresolved_failure(step: &RunStep) -> bool {
    step.state == StepState::Failed && step.superseded_by.is_none()
}

/// An optional step still open when its run completes is closed as
/// `skipped`: todo, in progress or on hold, and not superseded.
fn skipped_at_completion(step: &RunStep) -> bool {
    !step.required
        && step.superseded_by.is_none()
        && matches!(
            step.state,
            StepState::Todo | StepState::InProgress | StepState::OnHold
        )
}

/// The events that complete the run, if the world (after `events`) says it
/// should: run `in_progress`, every required non-superseded step complete,
/// nothing waiting. Completion checks everyone out, closes optional steps
/// still open as `skipped`, stamps `completed_at`, and makes the target
/// inventory `available` (if it is `wip`).
pub(crate) fn completion_follow_up(world: &World, events: &[Event], req: &Request) -> Vec<Event> {
    let mut after = world.clone();
    for e in events {
        apply(&mut after, e, req.now, &req.actor.login);
    }
    let Some(run) = &after.run else {
        return Vec::new();
    };
    if run.state != RunState::InProgress
        || !all_required_complete(run)
        || !waiting_items(
            &after.settings,
            run,
            unclosed_issues(&after, run).into_iter(),
        )
        .is_empty()
    {
        return Vec::new();
    }
    let mut out = close_run_sessions(run, req.now);
    for s in run.steps.iter().filter(|s| skipped_at_completion(s)) {
        out.push(Event::StepStateChanged {
            step: s.key.clone(),
            from: s.state,
            to: StepState::Skipped,
            reason: Some("optional step closed when the run completed".to_string()),
        });
    }
    out.push(Event::RunCompleted { at: req.now });
    if let Some(item) = after.inventory.get(&run.serial) {
        if item.state == InventoryState::Wip {
            out.push(Event::InventoryStateChanged {
                identifier: item.identifier.clone(),
                from: InventoryState::Wip,
                to: InventoryState::Available,
            });
        }
    }
    out
}
