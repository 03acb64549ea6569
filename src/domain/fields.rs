//! Saving field values and accepting deviations.

use super::decide::{need_text, refuse_if_any, Ctx};
use super::decision_signatures::deviation_signature;
use super::event::Event;
use super::model::*;
use super::queries::*;
use super::signoffs::{approvals_a_change_voids, approvals_text};
use super::validation::{parse_file_value, value_needs_deviation, value_text, value_verdict};
use super::Refusal;

/// Saves a new value (never overwriting: the new row names the one it
/// replaces).
///
/// Rules (SPEC silent): the step must be `in_progress` and the user checked
/// into it, so every value belongs to someone's labour session. When the
/// screen says which value it saw (`seen.field_value`) and the field's
/// current value is another one, the save is refused as a conflict.
///
/// Rules settled on 2026-11-22:
/// - A save equal to the current value ([`is_unchanged`]) is no event: it
///   returns no events, so it writes nothing and voids no approval.
/// - Changing a saved value is a correction and needs a reason (21 CFR
///   Part 11 §11.10(e)), checked like every other reason and kept on the new
///   value and in its audit row. A first value needs none.
/// - A change that would void an approval that still counts is refused
///   unless the request says the user confirmed it (`void_approval`).
pub(crate) fn set(
    cx: &mut Ctx,
    key: &str,
    name: &str,
    raw: &str,
    file_sha256: Option<&str>,
    reason: Option<&str>,
    void_approval: bool,
) -> Result<Vec<Event>, Refusal> {
    let (_run, step) = cx.step(key)?;
    let field = field_by_name(step, name)
        .ok_or_else(|| Refusal::one(format!("Step {} has no field '{name}'.", step.named())))?;
    let current = current_value(field);
    if let Some(seen) = cx.req.seen.field_value {
        if current.map(|v| v.id) != seen {
            let who = match current {
                Some(v) => format!("by {} at {}", v.by, format_time(v.at)),
                None => "meanwhile".to_string(),
            };
            return Err(Refusal {
                reasons: vec![format!("Field '{name}' was changed {who}; reload.")],
                conflict: true,
            });
        }
    }
    let mut reasons = Vec::new();
    if step.state != StepState::InProgress {
        reasons.push(format!(
            "Step {} is {}: fields are filled while it is in progress.",
            step.named(),
            step.state.name()
        ));
    } else if !is_checked_in(step, cx.by()) {
        reasons.push(format!("You are not checked into step {}.", step.named()));
    }
    let value = match parse_file_value(&field.def, raw, file_sha256) {
        Ok(value) => value,
        Err(e) => {
            reasons.push(e);
            return Err(Refusal::many(reasons));
        }
    };
    if is_unchanged(field, &value) {
        refuse_if_any(reasons)?;
        return Ok(Vec::new());
    }
    let reason = reason.map(str::trim).filter(|r| !r.is_empty());
    match (current, reason) {
        (Some(old), None) => reasons.push(format!(
            "'{name}' already has {} (saved by {} at {}); changing it to {} needs a reason.",
            value_text(&old.value),
            old.by,
            format_time(old.at),
            value_text(&value)
        )),
        (_, Some(r)) => need_text(&mut reasons, &format!("The reason for '{name}'"), r),
        (None, None) => {}
    }
    let voided = approvals_a_change_voids(step);
    if !voided.is_empty() && !void_approval {
        reasons.push(format!(
            "Saving '{name}' voids {}: confirm to save anyway.",
            approvals_text(&voided)
        ));
    }
    refuse_if_any(reasons)?;
    let verdict = value_verdict(&field.def, &value);
    Ok(vec![Event::FieldValueSaved {
        step: step.key.clone(),
        field: field.def.name.clone(),
        value: FieldValue {
            id: cx.alloc(),
            value,
            verdict,
            by: cx.by().to_string(),
            at: cx.now(),
            replaces: current.map(|v| v.id),
            reason: reason.map(str::to_string),
        },
    }])
}

/// True when saving `value` would change nothing: the field's current value
/// is the same domain value. Values compare as parsed, so for numbers `25.0`
/// equals `25`; text compares exactly; a multi-select compares the options
/// chosen, in any order; a file compares its stored path and SHA-256.
pub fn is_unchanged(field: &Field, value: &Value) -> bool {
    let Some(current) = current_value(field) else {
        return false;
    };
    match (&current.value, value) {
        (Value::Multi(a), Value::Multi(b)) => a.len() == b.len() && a.iter().all(|o| b.contains(o)),
        (a, b) => a == b,
    }
}

/// Accepts the field's current value as a deviation through a quality issue.
///
/// Rules: the value must be out of range (number) or fail (pass/fail); the
/// step's policy `allow_out_of_range_with_issue` must be on (SPEC silent for
/// pass/fail: the same policy governs both); the issue exists, is linked to
/// this run and is not closed; a rationale is required. The deviation
/// attaches to the current value's id, so a new value voids it. The step may
/// be in any state but complete.
pub(crate) fn accept_deviation(
    cx: &Ctx,
    key: &str,
    name: &str,
    issue: IssueId,
    rationale: &str,
) -> Result<Vec<Event>, Refusal> {
    let (run, step) = cx.step(key)?;
    let field = field_by_name(step, name)
        .ok_or_else(|| Refusal::one(format!("Step {} has no field '{name}'.", step.named())))?;
    let mut reasons = Vec::new();
    if step.state == StepState::Complete {
        reasons.push(format!("Step {} is complete.", step.named()));
    }
    let current = current_value(field);
    match current {
        None => reasons.push(format!("Field '{name}' has no value to deviate.")),
        Some(v) if !value_needs_deviation(&field.def, &v.value) => reasons.push(format!(
            "Field '{name}' is within its rule: there is nothing to deviate."
        )),
        Some(v) if field.deviations.iter().any(|d| d.value_id == v.id) => reasons.push(format!(
            "Field '{name}' already has a deviation for its current value."
        )),
        Some(_) => {}
    }
    if !step.allow_out_of_range_with_issue {
        reasons.push(format!(
            "Step {} does not allow out-of-range values with an issue: fix the value instead.",
            step.named()
        ));
    }
    if let Err(e) = cx.live_issue_of_run(run, issue) {
        reasons.push(e);
    }
    let signature = deviation_signature(cx, field, rationale, &mut reasons);
    refuse_if_any(reasons)?;
    let Some(v) = current else {
        return Err(Refusal::one(format!(
            "Field '{name}' has no value to deviate."
        )));
    };
    Ok(vec![Event::DeviationAccepted {
        step: step.key.clone(),
        field: field.def.name.clone(),
        deviation: Deviation {
            value_id: v.id,
            issue,
            rationale: rationale.trim().to_string(),
            by: cx.by().to_string(),
            at: cx.now(),
            signature: Some(signature),
        },
    }])
}
