//! Small read-only questions about a run that the engine, the store, the CLI
//! and the TUI all ask: find a step, who is checked in, how far along a run is.

use super::model::*;

/// Times in messages: `2024-05-01 14:05 UTC`.
pub fn format_time(t: Time) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// The step with this key.
pub fn step_by_key<'a>(run: &'a Run, key: &str) -> Option<&'a RunStep> {
    run.steps.iter().find(|s| s.key == key)
}

/// A step named by its key, or else by its position (`2`, `2.1`).
pub fn find_step<'a>(run: &'a Run, key_or_position: &str) -> Option<&'a RunStep> {
    step_by_key(run, key_or_position)
        .or_else(|| run.steps.iter().find(|s| s.position == key_or_position))
}

/// The field with this name on a step.
pub fn field_by_name<'a>(step: &'a RunStep, name: &str) -> Option<&'a Field> {
    step.fields.iter().find(|f| f.def.name == name)
}

/// The requirement for this part number on a step.
pub fn requirement_by_part<'a>(step: &'a RunStep, part: &str) -> Option<&'a Requirement> {
    step.requirements.iter().find(|r| r.def.part == part)
}

/// Logins with an open labour session on this step, in check-in order.
pub fn checked_in_step(step: &RunStep) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for s in step.sessions.iter().filter(|s| s.ended_at.is_none()) {
        if !out.contains(&s.user) {
            out.push(s.user.clone());
        }
    }
    out
}

/// Logins with an open labour session anywhere on the run, sorted, once each.
pub fn checked_in(run: &Run) -> Vec<String> {
    let mut out: Vec<String> = run.steps.iter().flat_map(checked_in_step).collect();
    out.sort();
    out.dedup();
    out
}

/// True when `login` has an open session on the step.
pub fn is_checked_in(step: &RunStep, login: &str) -> bool {
    step.sessions
        .iter()
        .any(|s| s.ended_at.is_none() && s.user == login)
}

/// A step counts toward completion when it is required and not superseded
/// by a rework copy.
pub fn counts_toward_completion(step: &RunStep) -> bool {
    step.required && step.superseded_by.is_none()
}

/// (required non-superseded steps complete, required non-superseded steps).
pub fn required_progress(run: &Run) -> (usize, usize) {
    let counted = run.steps.iter().filter(|s| counts_toward_completion(s));
    let (mut done, mut total) = (0, 0);
    for s in counted {
        total += 1;
        if s.state == StepState::Complete {
            done += 1;
        }
    }
    (done, total)
}

/// The current (last saved) value of a field.
pub fn current_value(field: &Field) -> Option<&FieldValue> {
    field.values.last()
}

/// Quantity installed on a requirement by installations not removed.
pub fn installed_quantity(req: &Requirement) -> i64 {
    req.installs
        .iter()
        .filter(|i| i.removed_at.is_none())
        .map(|i| i.quantity)
        .sum()
}

/// Quantity a requirement still needs (never below zero).
pub fn still_needed(req: &Requirement) -> i64 {
    (req.def.quantity - installed_quantity(req)).max(0)
}

/// Issues linked to the run that are not closed, by id.
pub fn unclosed_issues(world: &World, run: &Run) -> Vec<IssueId> {
    world
        .issues
        .values()
        .filter(|i| i.run == Some(run.id) && i.state != IssueState::Closed)
        .map(|i| i.id)
        .collect()
}

/// A dependency is satisfied when the step it names is complete, or when a
/// rework copy that superseded it (following the chain) is complete.
///
/// Rule (SPEC silent): a step that depends on a failed step replaced by a
/// rework copy waits for the copy instead.
pub fn dependency_complete(run: &Run, key: &str) -> bool {
    let mut current = key;
    // The chain is finite; the bound guards against a malformed document.
    for _ in 0..=run.steps.len() {
        let Some(step) = step_by_key(run, current) else {
            return false;
        };
        if step.state == StepState::Complete {
            return true;
        }
        match &step.superseded_by {
            Some(next) => current = next,
            None => return false,
        }
    }
    false
}

/// The step to work after `done`: the first one after it (then from the
/// top) that is todo or in progress with every step it comes after
/// complete. `None` when nothing can be worked now.
pub fn next_workable_step<'a>(run: &'a Run, done: &str) -> Option<&'a RunStep> {
    let workable = |s: &&RunStep| {
        s.key != done
            && s.superseded_by.is_none()
            && matches!(s.state, StepState::Todo | StepState::InProgress)
            && s.after.iter().all(|dep| dependency_complete(run, dep))
    };
    let from = run
        .steps
        .iter()
        .position(|s| s.key == done)
        .map_or(0, |i| i + 1);
    let (before, after) = run.steps.split_at(from.min(run.steps.len()));
    after.iter().chain(before).find(workable)
}
